"""The console's people: their roles, and the rules of signing in (lock-out after failures, the
idle timeout of a session). Pure: the password hashing and the rows are elsewhere."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from domain.case import Role


class ConsoleRole(StrEnum):
    """Who works in the console: the case roles of people, and the admin who manages accounts."""

    dispatcher = Role.dispatcher.value
    unit = Role.unit.value
    callback_agent = Role.callback_agent.value
    leader = Role.leader.value
    auditor = Role.auditor.value
    admin = "admin"

    @property
    def case_role(self) -> Role | None:
        """The role the person acts in on cases; the admin acts on none."""
        return None if self is ConsoleRole.admin else Role(self.value)


LOGIN_PATTERN = r"^[a-z][a-z0-9_.-]{1,31}$"
"""A login: lower-case letters, digits and ``_ . -``, 2–32 characters, starting with a letter."""
MIN_PASSWORD = 10


@dataclass(frozen=True)
class SignInPolicy:
    max_failures: int
    """Failed attempts in a row that lock the account."""
    lockout: timedelta
    idle: timedelta
    """A session unused this long is over."""


@dataclass(frozen=True)
class Attempts:
    """An account's failed sign-ins in a row and, once locked, until when."""

    failed: int
    locked_until: datetime | None

    def locked(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until

    def failure(self, now: datetime, policy: SignInPolicy) -> Attempts:
        """After one more failure: locked for ``lockout`` once ``max_failures`` are reached, the
        count starting again after the lock."""
        failed = self.failed + 1
        if failed >= policy.max_failures:
            return Attempts(0, now + policy.lockout)
        return Attempts(failed, self.locked_until)


def password_problem(password: str) -> str | None:
    """Why a new password will not do, or None."""
    if len(password) < MIN_PASSWORD:
        return f"a password needs at least {MIN_PASSWORD} characters"
    if password.strip() != password:
        return "a password may not start or end with a space"
    return None


def session_over(last_seen: datetime, now: datetime, policy: SignInPolicy) -> bool:
    return now - last_seen > policy.idle

"""Console accounts: adding people, signing in (argon2, lock-out after failures), sessions with
an idle timeout, disabling and new passwords. Shared by the console and ``minsheng users``."""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session

from domain.accounts import Attempts, ConsoleRole, SignInPolicy, password_problem, session_over
from domain.reference import ReferenceData
from persistence import users
from persistence.db import Database
from persistence.models import ConsoleUserRow

_hasher = PasswordHasher()


class AccountError(ValueError):
    """An account that cannot be made or changed as asked; the message says why."""


@dataclass(frozen=True)
class SignedIn:
    token: str
    csrf: str
    user: ConsoleUserRow


def check_account(role: str, unit: str | None, reference: ReferenceData) -> ConsoleRole:
    try:
        console_role = ConsoleRole(role)
    except ValueError:
        raise AccountError(f"unknown role {role!r}; the roles are {', '.join(ConsoleRole)}") from None
    if (console_role is ConsoleRole.unit) != (unit is not None):
        raise AccountError("a unit is needed for the role unit, and only there")
    if unit is not None and unit not in reference.units:
        raise AccountError(f"unknown unit {unit!r}; see config/units.yaml")
    return console_role


async def add_user(
    db: Database, reference: ReferenceData, login: str, name: str, role: str, unit: str | None, password: str
) -> ConsoleUserRow:
    check_account(role, unit, reference)
    if why := password_problem(password):
        raise AccountError(why)
    async with db.session() as session:
        if await users.find_user(session, login) is not None:
            raise AccountError(f"there is already a user {login!r}")
    hashed = await asyncio.to_thread(_hasher.hash, password)
    now = datetime.now(UTC)
    return await db.write(lambda s: users.add_user(s, login, name or login, role, unit, hashed, now))


async def set_password(db: Database, login: str, password: str) -> None:
    """A new password (and the lock lifted); every session of the user ends."""
    if why := password_problem(password):
        raise AccountError(why)
    user = await _existing(db, login)
    hashed = await asyncio.to_thread(_hasher.hash, password)
    now = datetime.now(UTC)

    def change(s: Session) -> None:
        users.update_user(s, login, password_hash=hashed, password_changed_at=now, failed_attempts=0, locked_until=None)
        users.end_sessions(s, user.id or 0)

    await db.write(change)


async def set_active(db: Database, login: str, active: bool) -> None:
    user = await _existing(db, login)

    def change(s: Session) -> None:
        users.update_user(s, login, active=active)
        if not active:
            users.end_sessions(s, user.id or 0)

    await db.write(change)


async def _existing(db: Database, login: str) -> ConsoleUserRow:
    async with db.session() as session:
        user = await users.find_user(session, login)
    if user is None:
        raise AccountError(f"no user {login!r}")
    return user


async def sign_in(db: Database, login: str, password: str, policy: SignInPolicy) -> SignedIn | None:
    """A new session, or None: unknown login, disabled, locked, or the wrong password (which counts
    towards the lock). The answer does not say which, so that logins cannot be probed."""
    now = datetime.now(UTC)
    async with db.session() as session:
        user = await users.find_user(session, login)
    if user is None or not user.active:
        # The same work as a real check, so that the answer's timing does not tell either.
        await asyncio.to_thread(_verify, _DUMMY, password)
        return None
    attempts = Attempts(user.failed_attempts, user.locked_until)
    if attempts.locked(now):
        return None
    if not await asyncio.to_thread(_verify, user.password_hash, password):
        after = attempts.failure(now, policy)
        await db.write(
            lambda s: users.update_user(s, login, failed_attempts=after.failed, locked_until=after.locked_until)
        )
        return None
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)

    def open_session(s: Session) -> None:
        users.update_user(s, login, failed_attempts=0, locked_until=None)
        users.end_idle_sessions(s, now - policy.idle)
        users.add_session(s, token, user.id or 0, csrf, now)

    await db.write(open_session)
    return SignedIn(token, csrf, user)


async def session_user(db: Database, token: str, policy: SignInPolicy, touch: bool = True) -> SignedIn | None:
    """The signed-in user of a session token, or None (unknown, idle too long, or disabled). A
    ``touch`` counts as use: the idle timeout starts again."""
    now = datetime.now(UTC)
    async with db.session() as session:
        found = await users.find_session(session, token)
    if found is None:
        return None
    row, user = found
    if session_over(row.last_seen_at, now, policy) or not user.active:
        await db.write(lambda s: users.end_session(s, token))
        return None
    # Written at most once a minute: a page's few requests need not each write.
    if touch and (now - row.last_seen_at).total_seconds() > 60:
        await db.write(lambda s: users.touch_session(s, token, now))
    return SignedIn(token, row.csrf, user)


async def sign_out(db: Database, token: str) -> None:
    await db.write(lambda s: users.end_session(s, token))


def _verify(hashed: str, password: str) -> bool:
    try:
        return _hasher.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


_DUMMY = _hasher.hash("not a password of anyone")

"""The console's people and their sessions. Only hashes are stored: an argon2 hash of each
password, a SHA-256 of each session's token."""

from __future__ import annotations

import hashlib
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from persistence.models import ConsoleSessionRow, ConsoleUserRow


def token_hash(token: str) -> str:
    # Tokens are 32 random bytes: a plain SHA-256 is enough, nothing to brute-force.
    return hashlib.sha256(token.encode()).hexdigest()


def add_user(
    session: Session, login: str, name: str, role: str, unit: str | None, password_hash: str, now: datetime
) -> ConsoleUserRow:
    row = ConsoleUserRow(
        login=login,
        name=name,
        role=role,
        unit_code=unit,
        password_hash=password_hash,
        created_at=now,
        password_changed_at=now,
    )
    session.add(row)
    session.flush()
    return row


async def find_user(session: AsyncSession, login: str) -> ConsoleUserRow | None:
    return (await session.exec(select(ConsoleUserRow).where(ConsoleUserRow.login == login))).first()


async def list_users(session: AsyncSession) -> list[ConsoleUserRow]:
    return list(
        await session.exec(select(ConsoleUserRow).order_by(col(ConsoleUserRow.role), col(ConsoleUserRow.login)))
    )


async def names(session: AsyncSession, logins: set[str]) -> dict[str, str]:
    """Logins → display names, for showing who acted in a timeline."""
    if not logins:
        return {}
    rows = await session.exec(
        select(ConsoleUserRow.login, ConsoleUserRow.name).where(col(ConsoleUserRow.login).in_(logins))
    )
    return dict(rows.all())


def update_user(session: Session, login: str, **values: object) -> bool:
    """Set columns of one user; False if there is no such login."""
    result = session.exec(sa.update(ConsoleUserRow).where(col(ConsoleUserRow.login) == login).values(**values))
    return bool(result.rowcount)


def end_sessions(session: Session, user_id: int) -> None:
    """Sign the user out everywhere (disabled, or a new password)."""
    session.exec(sa.delete(ConsoleSessionRow).where(col(ConsoleSessionRow.user_id) == user_id))


def add_session(session: Session, token: str, user_id: int, csrf: str, now: datetime) -> None:
    session.add(
        ConsoleSessionRow(token_hash=token_hash(token), user_id=user_id, csrf=csrf, created_at=now, last_seen_at=now)
    )


async def find_session(session: AsyncSession, token: str) -> tuple[ConsoleSessionRow, ConsoleUserRow] | None:
    query = (
        select(ConsoleSessionRow, ConsoleUserRow)
        .join(ConsoleUserRow, col(ConsoleUserRow.id) == col(ConsoleSessionRow.user_id))
        .where(ConsoleSessionRow.token_hash == token_hash(token))
    )
    found = (await session.exec(query)).first()
    return (found[0], found[1]) if found else None


def touch_session(session: Session, token: str, now: datetime) -> None:
    session.exec(
        sa.update(ConsoleSessionRow)
        .where(col(ConsoleSessionRow.token_hash) == token_hash(token))
        .values(last_seen_at=now)
    )


def end_session(session: Session, token: str) -> None:
    session.exec(sa.delete(ConsoleSessionRow).where(col(ConsoleSessionRow.token_hash) == token_hash(token)))


def end_idle_sessions(session: Session, before: datetime) -> None:
    session.exec(sa.delete(ConsoleSessionRow).where(col(ConsoleSessionRow.last_seen_at) < before))

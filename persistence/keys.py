"""API keys: only a key's hash is stored."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlmodel import Session, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.case import Role
from persistence.models import (
    ApiKeyRow,
)


def hash_key(secret: str) -> str:
    # Keys are 32 random bytes, so a plain SHA-256 is enough: nothing to brute-force.
    return hashlib.sha256(secret.encode()).hexdigest()


def add_api_key(session: Session, role: Role, unit: str | None, label: str, now: datetime) -> tuple[str, str]:
    """A new key; returns (key id, secret). Only the hash is stored."""
    key_id = "k_" + secrets.token_hex(6)
    secret = f"ms_{key_id[2:]}_{secrets.token_urlsafe(32)}"
    row = ApiKeyRow(id=key_id, key_hash=hash_key(secret), role=role.value, unit_code=unit, label=label, created_at=now)
    session.add(row)
    return key_id, secret


async def find_api_key(session: AsyncSession, secret: str) -> ApiKeyRow | None:
    query = select(ApiKeyRow).where(ApiKeyRow.key_hash == hash_key(secret), col(ApiKeyRow.revoked_at).is_(None))
    return (await session.exec(query)).first()

"""Database set-up shared by ``minsheng migrate``, ``minsheng dev`` and the tests."""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime
from pathlib import Path

import structlog
from sqlalchemy.engine import make_url

from domain.case import Role
from minsheng.settings import Settings
from persistence import keys, users
from persistence import reference as reference_tables
from persistence.db import Database
from persistence.migrate import upgrade
from services import accounts

log = structlog.get_logger(__name__)


def _ensure_sqlite_folder(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)


async def migrate(settings: Settings) -> None:
    """Apply migrations, then load the (validated) reference data files into their tables."""
    reference = settings.reference
    _ensure_sqlite_folder(settings.database_url)
    await asyncio.to_thread(upgrade, settings.database_url)
    db = Database(settings.database_url)
    try:
        await db.write(lambda s: reference_tables.sync_reference(s, reference))
    finally:
        await db.close()
    log.info(
        "database ready",
        database=make_url(settings.database_url).render_as_string(hide_password=True),
        units=len(reference.units),
        matter_types=len(reference.matter_types),
    )


async def create_key(settings: Settings, role: str, unit: str | None, label: str) -> tuple[str, str]:
    if (role == Role.unit.value) != (unit is not None):
        raise SystemExit("minsheng keys create: --unit is needed with --role unit, and only there")
    if unit is not None and unit not in settings.reference.units:
        raise SystemExit(f"minsheng keys create: unknown unit {unit!r} (see {settings.config_dir}/units.yaml)")
    db = Database(settings.database_url)
    try:
        now = datetime.now(UTC)
        return await db.write(lambda s: keys.add_api_key(s, Role(role), unit, label, now))
    finally:
        await db.close()


async def manage_users(settings: Settings, args: argparse.Namespace, password: str) -> list[str]:
    """``minsheng users …``: what to print."""
    db = Database(settings.database_url)
    try:
        match args.users_command:
            case "add":
                row = await accounts.add_user(
                    db, settings.reference, args.login, args.name, args.role, args.unit, password
                )
                return [
                    f"added {row.login} ({row.name}): {row.role}" + (f", unit {row.unit_code}" if row.unit_code else "")
                ]
            case "reset-password":
                await accounts.set_password(db, args.login, password)
                return [f"{args.login}: new password set; their sessions ended"]
            case "disable" | "enable":
                await accounts.set_active(db, args.login, args.users_command == "enable")
                return [f"{args.login}: {args.users_command}d"]
            case _:
                async with db.session() as session:
                    rows = await users.list_users(session)
                return [
                    f"{r.login}\t{r.name}\t{r.role}\t{r.unit_code or '-'}\t"
                    + ("active" if r.active else "disabled")
                    + (f"\tlocked until {r.locked_until:%Y-%m-%d %H:%M}" if r.locked_until else "")
                    for r in rows
                ]
    finally:
        await db.close()

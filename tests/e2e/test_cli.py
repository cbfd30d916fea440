"""The ``minsheng`` command as an operator runs it."""

from __future__ import annotations

import asyncio
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from temporalio.testing import WorkflowEnvironment

from minsheng.cli import parser
from minsheng.settings import Settings
from persistence import keys
from persistence.db import Database
from services import accounts
from tests.helpers import ROOT, submit, wait_for_status
from worker import build_worker

pytestmark = pytest.mark.timeout(60)


def minsheng(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "minsheng", *args],
        cwd=ROOT,
        env=os.environ | {"MINSHENG_LOG_FORMAT": "json"} | env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_check_config_names_the_broken_entry(tmp_path: Path) -> None:
    assert minsheng("check-config").returncode == 0
    folder = tmp_path / "config"
    shutil.copytree(ROOT / "config", folder)
    units = folder / "units.yaml"
    units.write_text(
        units.read_text(encoding="utf-8").replace("kind: department", "kind: ministry", 1), encoding="utf-8"
    )
    result = minsheng("check-config", MINSHENG_CONFIG_DIR=str(folder))
    assert result.returncode == 2
    assert "units.yaml" in result.stderr and ".kind" in result.stderr and "'ministry'" in result.stderr


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_keys_create_prints_a_working_key(db: Database, database_url: str) -> None:
    result = minsheng("keys", "create", "--role", "unit", "--unit", "yatou", MINSHENG_DATABASE_URL=database_url)
    assert result.returncode == 0, result.stderr
    secret = result.stdout.strip()
    async with db.session() as session:
        row = await keys.find_api_key(session, secret)
    assert row is not None and (row.role, row.unit_code) == ("unit", "yatou")
    assert row.key_hash != secret
    refused = minsheng("keys", "create", "--role", "unit", MINSHENG_DATABASE_URL=database_url)
    assert refused.returncode != 0 and "--unit is needed" in refused.stderr


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_users_are_added_listed_disabled_enabled_and_given_a_new_password(
    db: Database,
    settings: Settings,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("MINSHENG_DATABASE_URL", database_url)
    policy = settings.sign_in_policy

    async def users(*argv: str, password: str = "") -> tuple[int, str, str]:
        """``minsheng users …`` in-process (in a thread: the command runs its own event loop)."""
        monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
        try:
            args = parser().parse_args(["users", *argv])
            code = await asyncio.to_thread(args.run, args)
        except SystemExit as exc:  # argparse's refusal
            code = int(str(exc.code))
        out = capsys.readouterr()
        return code, out.out, out.err

    async def signs_in(login: str, password: str) -> bool:
        return await accounts.sign_in(db, login, password, policy) is not None

    added = await users(
        "add",
        "lq",
        "--role",
        "unit",
        "--unit",
        "hrss_bureau",
        "--name",
        "李强",
        "--password-stdin",
        password="first password",
    )
    assert added == (0, "added lq (李强): unit, unit hrss_bureau\n", "")
    assert await signs_in("lq", "first password")

    code, _, err = await users("add", "wf", "--role", "dispatcher", "--password-stdin", password="short")
    assert code == 2 and "a password needs at least 10 characters" in err
    code, _, err = await users(
        "add", "wf", "--role", "unit", "--unit", "nowhere", "--password-stdin", password="long enough pass"
    )
    assert code == 2 and "unknown unit 'nowhere'" in err
    code, _, err = await users("add", "wf", "--role", "mayor", "--password-stdin", password="long enough pass")
    assert code == 2 and "invalid choice: 'mayor'" in err
    code, _, err = await users("add", "lq", "--role", "leader", "--password-stdin", password="long enough pass")
    assert code == 2 and "there is already a user 'lq'" in err

    assert await users("disable", "lq") == (0, "lq: disabled\n", "")
    assert not await signs_in("lq", "first password")
    _, listed, _ = await users("list")
    assert listed == "lq\t李强\tunit\thrss_bureau\tdisabled\n"  # the refused ones were not added
    assert await users("enable", "lq") == (0, "lq: enabled\n", "")
    assert await signs_in("lq", "first password")

    code, _, err = await users("reset-password", "lq", "--password-stdin", password="tiny")
    assert code == 2 and "a password needs at least 10 characters" in err
    reset = await users("reset-password", "lq", "--password-stdin", password="second password")
    assert reset == (0, "lq: new password set; their sessions ended\n", "")
    assert not await signs_in("lq", "first password")
    assert await signs_in("lq", "second password")
    code, _, err = await users("disable", "nobody")
    assert code == 2 and "no user 'nobody'" in err


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_replay_checks_a_live_case_against_the_code(
    dev_env: WorkflowEnvironment, db: Database, settings: Settings
) -> None:
    address = dev_env.client.service_client.config.target_host
    async with build_worker(dev_env.client, settings, db):
        submitted = await submit(db, dev_env.client, settings)
        await wait_for_status(db, submitted.case_id, "dispatched")
    result = minsheng("replay", submitted.case_id, MINSHENG_TEMPORAL_ADDRESS=address)
    assert result.returncode == 0, result.stderr
    assert "replay cleanly" in result.stdout
    missing = minsheng(
        "replay", "20990101-NOSUCHCASE", MINSHENG_TEMPORAL_ADDRESS=address, MINSHENG_DATABASE_URL=settings.database_url
    )
    assert missing.returncode == 1 and "neither Temporal nor the archive has its history" in missing.stderr


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_audit_verify_names_the_case_and_row_changed_by_one_character(
    dev_env: WorkflowEnvironment, db: Database, settings: Settings, database_url: str
) -> None:
    address = dev_env.client.service_client.config.target_host
    async with build_worker(dev_env.client, settings, db):
        submitted = await submit(db, dev_env.client, settings)
        await wait_for_status(db, submitted.case_id, "dispatched")
    env = {"MINSHENG_TEMPORAL_ADDRESS": address, "MINSHENG_DATABASE_URL": database_url}
    clean = minsheng("audit", "verify", "--case", submitted.case_id, **env)
    assert clean.returncode == 0, clean.stderr
    assert clean.stdout.startswith("verified: 1 case timelines") and "1 from Temporal" in clean.stdout
    async with db.engine.begin() as connection:
        await connection.execute(
            sa.text("UPDATE case_events SET kind = 'dispatcheD' WHERE case_id = :c AND seq = 3"),
            {"c": submitted.case_id},
        )
    broken = minsheng("audit", "verify", "--since", "2026-01-01", **env)
    assert broken.returncode == 1
    assert f"case {submitted.case_id} #3: its content does not match its hash (edited?)" in broken.stderr
    assert f"case {submitted.case_id} #3: differs from the workflow history (edited?)" in broken.stderr
    sealed = minsheng("audit", "anchors", **env)
    assert sealed.returncode == 0 and sealed.stdout == ""  # nothing sealed yet: the schedule seals daily

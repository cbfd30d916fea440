"""The ``minsheng`` command as an operator runs it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from temporalio.testing import WorkflowEnvironment

from minsheng.settings import Settings
from persistence import keys
from persistence.db import Database
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

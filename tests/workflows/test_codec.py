"""Personal data sealed in Temporal: with payload keys set, a case's history holds ciphertext only
(``temporal workflow show`` and the raw payloads show no name, phone, address or complaint text);
the API's codec endpoint opens it for the roles that read cases; keys rotate without breaking old
histories, and histories from before encryption (tests/histories) still replay."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import subprocess
from pathlib import Path

import pytest
from temporalio.api.common.v1 import Payload
from temporalio.client import Client, WorkflowHistory
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from api.context import AppContext
from domain.case import Role
from minsheng.replay import replay_history
from minsheng.settings import Settings
from minsheng.temporal import (
    ENCRYPTED,
    EncryptionCodec,
    PayloadKeys,
    UnknownPayloadKey,
    case_workflow_id,
    data_converter,
)
from persistence import reads
from persistence.db import Database
from tests.conftest import binary
from tests.helpers import HISTORIES, in_process, make_key, new_request, submit, wait_for_status
from worker import build_worker

pytestmark = pytest.mark.timeout(90)

NAME, PHONE, ADDRESS, CONTENT = (
    "欧阳秀英",
    "13912345678",
    "崖头街道成山大道100号",
    "公司拖欠工资三个月不发，老板联系不上",
)


def _key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def _keyed(settings: Settings, keys: dict[str, str], active: str) -> Settings:
    return Settings(
        **settings.model_dump(exclude={"payload_keys", "payload_key_id"}), payload_keys=keys, payload_key_id=active
    )


async def test_a_payload_sealed_with_a_retired_key_still_opens_and_new_ones_use_the_active_key() -> None:
    k1, k2 = os.urandom(32), os.urandom(32)
    plain = Payload(metadata={"encoding": b"json/plain"}, data=json.dumps({"name": NAME}).encode())
    [old] = await EncryptionCodec({"k1": k1}, "k1").encode([plain])
    assert old.metadata["encoding"] == ENCRYPTED and old.metadata["encryption-key-id"] == b"k1"
    assert NAME.encode() not in old.data
    rotated = EncryptionCodec({"k1": k1, "k2": k2}, "k2")
    [new] = await rotated.encode([plain])
    assert new.metadata["encryption-key-id"] == b"k2"
    assert await rotated.decode([old, new, plain]) == [plain, plain, plain]  # unencrypted passes through
    with pytest.raises(UnknownPayloadKey, match="'k2'"):
        await EncryptionCodec({"k1": k1}, "k1").decode([new])


def test_payload_key_settings_are_checked_at_start_up() -> None:
    with pytest.raises(ValueError, match="key 'short' is 16 bytes, not 32"):
        Settings(payload_keys={"short": base64.b64encode(b"x" * 16).decode()})  # type: ignore[dict-item]
    with pytest.raises(ValueError, match="say which of the payload_keys"):
        Settings(payload_keys={"a": _key(), "b": _key()})  # type: ignore[dict-item]
    with pytest.raises(ValueError, match="'c' is not among payload_keys"):
        Settings(payload_keys={"a": _key()}, payload_key_id="c")  # type: ignore[dict-item]


async def test_recorded_histories_from_before_encryption_replay_with_the_keys_set() -> None:
    keyed = data_converter(PayloadKeys(keys=(("k1", os.urandom(32)),), active="k1"))
    for path in sorted(HISTORIES.glob("case_*.json"))[:3]:
        await replay_history(WorkflowHistory.from_json("case-x", path.read_text()), keyed)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_cases_history_shows_no_citizen_text_and_the_codec_opens_it_for_readers_of_cases(
    dev_env: WorkflowEnvironment, db: Database, settings: Settings, tmp_path: Path
) -> None:
    settings = _keyed(settings, {"2026-11": _key(), "2026-12": _key()}, "2026-12")
    address = dev_env.client.service_client.config.target_host
    sealed = await Client.connect(address, data_converter=settings.temporal_access.data_converter)
    request = new_request(CONTENT, ADDRESS)
    request = request.model_copy(update={"citizen": request.citizen.model_copy(update={"name": NAME, "phone": PHONE})})
    async with build_worker(sealed, settings, db):
        submitted = await submit(db, sealed, settings, request)
        await wait_for_status(db, submitted.case_id, "dispatched")
        workflow_id = case_workflow_id(submitted.case_id)

        # What an operator of Temporal sees: the CLI's view, and every raw payload of the history.
        cli = [binary("temporal"), "workflow", "show", "-w", workflow_id, "--address", address, "-o", "json"]
        shown = (await asyncio.to_thread(subprocess.run, cli, capture_output=True, text=True, check=True)).stdout
        raw = await dev_env.client.get_workflow_handle(workflow_id).fetch_history()  # no keys
        payloads = [p for e in raw.events for p in _payloads(e)]
        # Minsheng's payloads are sealed: the case's input, every activity's input and result, the
        # memo. In clear stay only the search attributes (indexed, and free of personal data) and
        # the SDK's own patch markers.
        ours = [
            *raw.events[0].workflow_execution_started_event_attributes.input.payloads,
            *(p for e in raw.events for p in e.activity_task_scheduled_event_attributes.input.payloads),
            *(p for e in raw.events for p in e.activity_task_completed_event_attributes.result.payloads),
            *(
                p
                for e in raw.events
                for p in e.workflow_properties_modified_event_attributes.upserted_memo.fields.values()
            ),
        ]
        assert len(ours) >= 3 and all(p.metadata["encoding"] == ENCRYPTED for p in ours)
        for secret in (NAME, PHONE, ADDRESS, CONTENT, "成山大道", "拖欠工资"):
            assert secret not in shown, f"{secret} in clear in temporal workflow show"
            assert not any(secret.encode() in p.data for p in payloads), f"{secret} in clear in a payload"
        described = await dev_env.client.get_workflow_handle(workflow_id).describe()
        assert not any(NAME in str(v) or PHONE in str(v) for v in described.search_attributes.values())

        # With the keys, the same history replays.
        await replay_history(
            await sealed.get_workflow_handle(workflow_id).fetch_history(), settings.temporal_access.data_converter
        )

        # The Web UI's codec: opened for an auditor, refused to a unit; the read is recorded.
        auditor = (await make_key(db, Role.auditor))[1]
        unit = (await make_key(db, Role.unit, "hrss_bureau"))[1]
        started = list(raw.events[0].workflow_execution_started_event_attributes.input.payloads)
        body = {
            "payloads": [
                {
                    "metadata": {k: base64.b64encode(v).decode() for k, v in p.metadata.items()},
                    "data": base64.b64encode(p.data).decode(),
                }
                for p in started
            ]
        }
        app = create_app(settings, AppContext(settings, db, sealed, settings.reference))
        async with in_process(app) as http:
            opened = await http.post("/codec/decode", json=body, headers={"Authorization": f"Bearer {auditor}"})
            assert opened.status_code == 200, opened.text
            text = base64.b64decode(opened.json()["payloads"][0]["data"]).decode()
            assert CONTENT in text and ADDRESS in text  # the case input carries no name or phone
            # The dev server's UI sends no header: the key in the path does the same.
            in_path = await http.post(f"/codec/key/{auditor}/decode", json=body)
            assert in_path.json() == opened.json()
            refused = await http.post("/codec/decode", json=body, headers={"Authorization": f"Bearer {unit}"})
            assert refused.status_code == 403
            garbled = {"payloads": [{"metadata": body["payloads"][0]["metadata"], "data": "AAAA"}]}
            bad = await http.post("/codec/decode", json=garbled, headers={"Authorization": f"Bearer {auditor}"})
            assert bad.status_code == 422 and "does not open" in bad.text
            preflight = await http.options(
                "/codec/decode",
                headers={"Origin": "http://127.0.0.1:8233", "Access-Control-Request-Method": "POST"},
            )
            assert preflight.headers["access-control-allow-origin"] == "http://127.0.0.1:8233"
        async with db.session() as session:
            logged = await reads.reads_of_case(session, None)
        assert [(r.role, r.what) for r in logged] == [("auditor", "codec"), ("auditor", "codec")]


def _payloads(event: object) -> list[Payload]:
    """Every payload an event holds (inputs, results, memo), wherever it sits."""
    found: list[Payload] = []

    def walk(message: object) -> None:
        if isinstance(message, Payload):
            found.append(message)
            return
        for field, value in message.ListFields():  # type: ignore[attr-defined]
            if field.message_type is None:
                continue
            if hasattr(value, "ListFields"):
                walk(value)
            else:  # a repeated field, or a map (its values)
                for item in value.values() if callable(getattr(value, "values", None)) else value:
                    walk(item)

    walk(event)
    return found

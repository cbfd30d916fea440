"""The reconciler: requests taken in while the case engine did not answer are kept, shown as
starting, and handed over (started, or joined to their case) once, oldest first, when it answers.
Over HTTP: intake answers 202, and an action on a case still starting says so."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from temporalio.service import RPCError, RPCStatusCode
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from api.context import AppContext
from domain.case import CaseStatus, Role
from gateways.cases import CaseGateway
from minsheng.settings import Settings
from persistence import intake
from persistence.db import Database
from persistence.models import CaseRow, RequestRow
from services.intake import reconcile_intake, submit_request
from tests.helpers import (
    GAS,
    UNCLEAR,
    body,
    case_file,
    eventually,
    handle,
    in_process,
    make_key,
    new_request,
    somewhere,
    wait_for,
)
from worker import build_worker
from workflows.case import CaseWorkflow


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"handoff_timeout_seconds": 0.5, "handoff_grace_seconds": 0})


class EngineDown(CaseGateway):
    """The case engine in an outage: a start or a join fails as the client's does once its own
    retries are spent (the real outage: tests/e2e/test_faults.py)."""

    async def start(self, case: CaseRow, request: RequestRow) -> None:
        raise RPCError("tcp connect error", RPCStatusCode.UNAVAILABLE, b"")

    async def join(self, request: RequestRow) -> bool:
        raise RPCError("tcp connect error", RPCStatusCode.UNAVAILABLE, b"")


async def pending(db: Database) -> int:
    async with db.session() as session:
        return (await intake.pending_handoffs(session))[0]


async def test_requests_taken_in_during_an_outage_are_handed_over_once(
    dev_env: WorkflowEnvironment, db: Database, settings: Settings
) -> None:
    down = EngineDown(dev_env.client, settings)
    place = somewhere()
    taken = [
        await submit_request(db, down, settings, request, "k_test", datetime.now(UTC))
        for request in (new_request(location=place), new_request(location=place), new_request(GAS))
    ]
    first, repeat, gas = taken
    assert all(t.created and t.starting for t in taken)
    assert repeat.merged and repeat.case_id == first.case_id  # into the case that is still starting
    assert (await case_file(db, first.case_id)).case.status == CaseStatus.starting
    assert await pending(db) == 3

    live = CaseGateway(dev_env.client, settings)
    async with build_worker(dev_env.client, settings, db):
        done = await reconcile_intake(db, live, settings, datetime.now(UTC))
        assert (done.handed_over, done.failed) == (3, 0)
        for t in (first, gas):
            await wait_for(db, t.case_id, lambda f: f.case.seq > 0, "was recorded by the worker")
        await eventually(lambda: _none_pending(db))
        state = await handle(dev_env.client, first.case_id).query(CaseWorkflow.status)
        assert state.requests == [first.request_id, repeat.request_id]
        # A second round, and the channel sending the first request again, change nothing.
        assert await reconcile_intake(db, live, settings, datetime.now(UTC)) == type(done)(0, 0)
        again = await submit_request(db, live, settings, new_request(), "k_test", datetime.now(UTC))
        assert again.created and not again.starting


async def _none_pending(db: Database) -> bool:
    return await pending(db) == 0


async def test_over_http_a_request_is_kept_and_its_case_says_it_is_starting(
    dev_env: WorkflowEnvironment, db: Database, settings: Settings
) -> None:
    intake_key = {"Authorization": f"Bearer {(await make_key(db, Role.intake))[1]}"}
    dispatcher = {"Authorization": f"Bearer {(await make_key(db, Role.dispatcher))[1]}"}
    context = AppContext(settings, db, dev_env.client, settings.reference)
    context.cases = EngineDown(dev_env.client, settings)
    outage = create_app(settings, context)
    async with in_process(outage) as api:
        answer = await api.post("/v1/requests", json=body(content=UNCLEAR), headers=intake_key)
        assert answer.status_code == 202, answer.text
        kept = answer.json()
        assert kept["starting"] is True and kept["status"] == "created"
        case_id = kept["case_id"]
        seen = await api.get(f"/v1/cases/{case_id}", headers=dispatcher)
        assert seen.json()["status"] == "starting"
        queue = await api.get("/v1/dispatch-queue", headers=dispatcher)
        assert case_id not in [c["case_id"] for c in queue.json()["items"]]

    dispatch = {"unit": "hrss_bureau", "matter_type": "wage_arrears"}
    back = create_app(settings, AppContext(settings, db, dev_env.client, settings.reference))
    async with in_process(back) as api:
        refused = await api.post(f"/v1/cases/{case_id}/dispatch", json=dispatch, headers=dispatcher)
        assert refused.status_code == 409
        assert "is starting" in refused.json()["detail"] and refused.headers["Retry-After"] == "60"
        health = (await api.get("/healthz")).json()
        assert health["handoffs"]["pending"] == 1

        async with build_worker(dev_env.client, settings, db):
            await reconcile_intake(db, CaseGateway(dev_env.client, settings), settings, datetime.now(UTC))
            await wait_for(db, case_id, lambda f: f.case.seq > 0, "was recorded by the worker")
            dispatched = await api.post(f"/v1/cases/{case_id}/dispatch", json=dispatch, headers=dispatcher)
            assert dispatched.status_code == 200, dispatched.text

"""CaseWorkflow in Temporal's time-skipping test server, with the real activities on SQLite."""

from __future__ import annotations

import pytest
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from domain.case import (
    AcceptInput,
    Actor,
    CallbackAnswer,
    CaseState,
    CaseStatus,
    DispatchInput,
    ReplyInput,
    ReturnDecisionInput,
    ReturnInput,
    Role,
)
from domain.reference import Tier
from minsheng.replay import replay_history
from minsheng.settings import Settings
from minsheng.temporal import CASE_DOMAIN, CASE_STATUS, CASE_TIER, CASE_UNIT
from persistence.db import Database
from tests.helpers import (
    UNCLEAR,
    answer_callback,
    case_file,
    closed_state,
    handle,
    new_request,
    pending_callbacks,
    submit,
    wait_for,
    wait_for_event,
    wait_for_status,
)
from worker import build_worker
from workflows.case import CaseWorkflow

pytestmark = [pytest.mark.parametrize("database_url", ["sqlite"], indirect=True), pytest.mark.timeout(60)]

HRSS = Actor(role=Role.unit, unit="hrss_bureau", key_id="k_hrss")
YATOU = Actor(role=Role.unit, unit="yatou", key_id="k_yatou")
DISPATCHER = Actor(role=Role.dispatcher, key_id="k_disp")
AGENT = Actor(role=Role.callback_agent, key_id="k_agent")


async def test_a_case_from_intake_to_closure(
    own_time_env: WorkflowEnvironment, db: Database, settings: Settings
) -> None:
    # A server of its own: the shared one's clock runs ahead of the wall clock by what earlier
    # tests skipped, and a receipt at wall-clock time would find its citizen's clock run out.
    client = own_time_env.client
    async with build_worker(client, settings, db):
        submitted = await submit(db, client, settings)
        case = handle(client, submitted.case_id)
        await wait_for_status(db, submitted.case_id, "dispatched")

        await case.execute_update(CaseWorkflow.accept, AcceptInput(actor=HRSS, note="已签收"))
        await case.execute_update(CaseWorkflow.reply, ReplyInput(actor=HRSS, result="已责令企业支付拖欠工资"))
        [task] = await pending_callbacks(db, submitted.case_id)
        assert (task.request_id, task.round, task.attempt, task.gateway) == (submitted.request_id, 1, 1, "queue")

        await answer_callback(case, task, CallbackAnswer.satisfied)
        final: CaseState = await closed_state(db, case)
        assert final.status is CaseStatus.closed

        closed = await case_file(db, submitted.case_id)
        assert closed.case.status == "closed" and closed.case.closed_at is not None
        assert [e.kind for e in closed.events] == [
            "received",
            "classified",
            "dispatched",
            "deadlines",
            "citizen_clock",
            "accepted",
            "replied",
            "callbacks_planned",
            "callback",
            "closed",
        ]
        assert [e.seq for e in closed.events] == list(range(1, 11))
        assert closed.events[5].actor_unit == "hrss_bureau" and closed.events[5].actor_key_id == "k_hrss"
        assert [(c.status, c.answer, c.final) for c in closed.callbacks] == [("answered", "satisfied", True)]
        assert closed.case.outcome == "satisfied"

        attributes = (await case.describe()).typed_search_attributes
        assert attributes.get(CASE_STATUS) == "closed"
        assert (attributes.get(CASE_UNIT), attributes.get(CASE_TIER), attributes.get(CASE_DOMAIN)) == (
            "hrss_bureau",
            "yellow",
            "labour",
        )
        await replay_history(await case.fetch_history())


async def test_unclear_request_waits_for_a_dispatcher(
    time_env: WorkflowEnvironment, db: Database, settings: Settings
) -> None:
    client = time_env.client
    async with build_worker(client, settings, db):
        submitted = await submit(db, client, settings, new_request(UNCLEAR))
        case = handle(client, submitted.case_id)
        file = await wait_for_event(db, submitted.case_id, "classified")
        assert file.case.status == "received"
        assert file.events[1].detail["outcome"] == "dispatcher queue"
        state: CaseState = await case.query(CaseWorkflow.status)
        assert state.status is CaseStatus.received

        await case.execute_update(
            CaseWorkflow.dispatch,
            DispatchInput(
                actor=DISPATCHER,
                unit="yatou",
                domain="labour",
                matter_type="wage_arrears",
                tier=Tier.yellow,
                note="人工分拨",
            ),
        )
        dispatched = await case_file(db, submitted.case_id)
        assert dispatched.case.status == "dispatched" and dispatched.case.unit_code == "yatou"
        assert [e.actor_role for e in dispatched.events if e.kind == "dispatched"] == ["dispatcher"]


async def test_a_return_goes_back_to_the_dispatcher(
    own_time_env: WorkflowEnvironment, db: Database, settings: Settings
) -> None:
    client = own_time_env.client
    async with build_worker(client, settings, db):
        submitted = await submit(db, client, settings)
        case = handle(client, submitted.case_id)
        await wait_for_status(db, submitted.case_id, "dispatched")
        await case.execute_update(CaseWorkflow.return_, ReturnInput(actor=HRSS, reason="属劳动仲裁范围，请转仲裁院"))
        assert (await case_file(db, submitted.case_id)).case.status == "dispatched"  # until a dispatcher decides
        await case.execute_update(CaseWorkflow.decide_return, ReturnDecisionInput(actor=DISPATCHER, approve=True))
        assert (await case_file(db, submitted.case_id)).case.status == "returned"

        await case.execute_update(
            CaseWorkflow.dispatch,
            DispatchInput(
                actor=DISPATCHER, unit="yatou", domain="labour", matter_type="wage_arrears", tier=Tier.yellow
            ),
        )
        await case.execute_update(CaseWorkflow.accept, AcceptInput(actor=YATOU))
        file = await case_file(db, submitted.case_id)
        assert file.case.unit_code == "yatou" and file.case.status == "accepted"
        assert [e.kind for e in file.events][-5:] == [
            "returned",
            "citizen_clock",
            "dispatched",
            "deadlines",
            "accepted",
        ]


async def _refused(update, inp) -> ApplicationError:
    with pytest.raises(WorkflowUpdateFailedError) as failed:
        await update(inp)
    assert isinstance(failed.value.cause, ApplicationError)
    return failed.value.cause


async def test_wrong_actions_are_refused_before_entering_history(
    time_env: WorkflowEnvironment, db: Database, settings: Settings
) -> None:
    client = time_env.client
    async with build_worker(client, settings, db):
        submitted = await submit(db, client, settings, new_request(UNCLEAR))
        case = handle(client, submitted.case_id)
        await wait_for_event(db, submitted.case_id, "classified")

        def update(method):
            return lambda inp: case.execute_update(method, inp)

        refused = await _refused(update(CaseWorkflow.accept), AcceptInput(actor=HRSS))
        assert refused.type == "conflict" and "accept needs a case that is dispatched" in refused.message

        # The shared server skips time while the worker idles: an acceptance slip could then land
        # between reading the read model and querying the state below.
        with time_env.auto_time_skipping_disabled():
            await case.execute_update(
                CaseWorkflow.dispatch,
                DispatchInput(
                    actor=DISPATCHER, unit="hrss_bureau", domain="labour", matter_type="wage_arrears", tier=Tier.yellow
                ),
            )
            refused = await _refused(update(CaseWorkflow.reply), ReplyInput(actor=HRSS, result="x"))
            assert refused.type == "conflict" and "reply needs a case that is accepted" in refused.message
            refused = await _refused(update(CaseWorkflow.accept), AcceptInput(actor=YATOU))
            assert refused.type == "forbidden" and "assigned to hrss_bureau, not to yatou" in refused.message
            refused = await _refused(update(CaseWorkflow.return_), ReturnInput(actor=DISPATCHER, reason="x"))
            assert refused.type == "forbidden"

            history = await case.fetch_history()
            rejected_updates = [
                e for e in history.events if e.HasField("workflow_execution_update_accepted_event_attributes")
            ]
            assert len(rejected_updates) == 1, "only the dispatch was accepted into history"
            state: CaseState = await case.query(CaseWorkflow.status)
            # The main loop records the deadlines a moment after the dispatch answers: the read model
            # holds every step of the case once it has caught up with the state.
            file = await wait_for(db, submitted.case_id, lambda f: f.case.seq == state.seq, "caught up")
        assert state.status is CaseStatus.dispatched
        assert not {"accepted", "replied", "return_requested"} & {e.kind for e in file.events}

"""Callback visits (回访) in Temporal's time-skipping test server, with the real activities on
SQLite: every citizen visited, the unreachable tried again, the dissatisfied reopening the case,
a failing gateway retried; and the webhook gateway against a stand-in call system."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlmodel import Session
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from domain.callbacks import plan_visits
from domain.case import (
    AcceptInput,
    Actor,
    CallbackAnswer,
    CaseRequestRef,
    CaseState,
    CaseStatus,
    JoinInput,
    ReplyInput,
    Resolution,
    Role,
    VisitAnswer,
)
from gateways.callbacks import BadNumber, Handover, QueueGateway, WebhookGateway, with_heartbeats
from minsheng.settings import Settings
from minsheng.temporal import case_workflow_id
from persistence.db import Database
from persistence.models import RequestRow
from tests.helpers import (
    WAGES,
    answer_callback,
    case_file,
    closed_state,
    handle,
    pending_callbacks,
    record_history,
    submit,
    wait_for,
    wait_for_status,
)
from worker import build_worker
from workflows.case import CaseWorkflow

pytestmark = pytest.mark.timeout(90)
ON_SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

HRSS = Actor(role=Role.unit, unit="hrss_bureau", key_id="k_hrss")


async def add_citizen(
    db: Database, case: WorkflowHandle[CaseWorkflow, CaseState], case_id: str, n: int, phone: str
) -> str:
    """A further request of the same matter joins the case (as merging will do)."""
    request_id, now = f"{case_id}-{n}", datetime.now(UTC)

    def work(session: Session) -> None:
        session.add(
            RequestRow(
                id=request_id,
                case_id=case_id,
                channel="minsheng_app",
                channel_ref=request_id,
                citizen_name=f"市民{n}",
                citizen_phone=phone,
                content=WAGES,
                address="崖头街道成山大道100号",
                received_at=now,
                intake_key_id="k_test",
            )
        )

    await db.write(work)
    ref = CaseRequestRef(
        request_id=request_id,
        channel="minsheng_app",
        content=WAGES,
        address="崖头街道成山大道100号",
        received_at=now,
        actor=Actor(role=Role.intake, key_id="k_test"),
    )
    await case.execute_update(CaseWorkflow.join, JoinInput(request=ref))
    return request_id


async def replied_case(
    env: WorkflowEnvironment, db: Database, settings: Settings, extra_phones: tuple[str, ...] = ()
) -> tuple[str, WorkflowHandle[CaseWorkflow, CaseState], list[str]]:
    submitted = await submit(db, env.client, settings)
    case = handle(env.client, submitted.case_id)
    await wait_for_status(db, submitted.case_id, "dispatched")
    requests = [submitted.request_id]
    for n, phone in enumerate(extra_phones, 2):
        requests.append(await add_citizen(db, case, submitted.case_id, n, phone))
    await case.execute_update(CaseWorkflow.accept, AcceptInput(actor=HRSS))
    await case.execute_update(CaseWorkflow.reply, ReplyInput(actor=HRSS, result="已督促企业足额支付"))
    return submitted.case_id, case, requests


@ON_SQLITE
async def test_three_citizens_on_one_case_each_get_their_visit(
    time_env: WorkflowEnvironment, db: Database, settings: Settings
) -> None:
    async with build_worker(time_env.client, settings, db):
        case_id, case, (r1, r2, r3) = await replied_case(time_env, db, settings, ("13900000002", "12345"))
        # The third number cannot be dialled: recorded unreachable at once, nothing left for an agent.
        await wait_for(db, case_id, lambda f: any(c.request_id == r3 and c.answer for c in f.callbacks), "settled r3")
        tasks = {t.request_id: t for t in await pending_callbacks(db, case_id, 2)}
        assert set(tasks) == {r1, r2}
        await answer_callback(case, tasks[r1], CallbackAnswer.satisfied)
        await answer_callback(case, tasks[r2], CallbackAnswer.basically_satisfied)
        final = await closed_state(db, case)

    assert final.status is CaseStatus.closed and final.outcome is CallbackAnswer.basically_satisfied
    file = await case_file(db, case_id)
    answers = {c.request_id: (c.answer, c.final, c.attempt) for c in file.callbacks}
    assert answers == {
        r1: ("satisfied", True, 1),
        r2: ("basically_satisfied", True, 1),
        r3: ("unreachable", True, 1),  # not retried: the number is bad
    }
    bad = next(c for c in file.callbacks if c.request_id == r3)
    assert bad.note == "the citizen's phone number cannot be dialled"
    kinds = [e.kind for e in file.events]
    assert kinds.count("request_joined") == 2 and kinds.count("callback") == 3 and kinds[-1] == "closed"
    planned = next(e for e in file.events if e.kind == "callbacks_planned")
    assert planned.detail["citizens"] == "3"
    assert file.case.outcome == "basically_satisfied"
    await record_history(time_env.client, case_workflow_id(case_id), "case_three_citizens_visited")


@ON_SQLITE
async def test_an_unreachable_citizen_is_tried_again_then_recorded_unreachable(
    own_time_env: WorkflowEnvironment, db: Database, settings: Settings
) -> None:
    env = own_time_env
    async with build_worker(env.client, settings, db):
        case_id, case, _ = await replied_case(env, db, settings)
        replied_at = (await case_file(db, case_id)).case.replied_at
        assert replied_at is not None
        plan = plan_visits(replied_at, settings.callback_policy, settings.timing.calendar, settings.timing.zone)
        for attempt in (1, 2, 3):
            [task] = await pending_callbacks(db, case_id)
            assert (task.attempt, task.due_at) == (attempt, plan.attempt_due[attempt - 1])
            await answer_callback(case, task, CallbackAnswer.unreachable)
            if attempt < 3:
                # Nothing happens before the next attempt falls due (the next working day).
                await wait_for(db, case_id, lambda f: all(c.status == "answered" for c in f.callbacks), "answered")
                await env.sleep(plan.attempt_due[attempt] - plan.attempt_due[attempt - 1])
        final = await closed_state(db, case)

    assert final.outcome is CallbackAnswer.unreachable
    file = await case_file(db, case_id)
    assert [(c.attempt, c.answer, c.final) for c in file.callbacks] == [
        (1, "unreachable", False),
        (2, "unreachable", False),
        (3, "unreachable", True),
    ]
    assert file.case.status == "closed" and file.case.outcome == "unreachable"


@ON_SQLITE
@pytest.mark.parametrize("second_answer", [CallbackAnswer.satisfied, CallbackAnswer.dissatisfied])
async def test_a_dissatisfied_citizen_reopens_the_case_to_the_same_unit(
    time_env: WorkflowEnvironment, db: Database, settings: Settings, second_answer: CallbackAnswer
) -> None:
    async with build_worker(time_env.client, settings, db):
        case_id, case, _ = await replied_case(time_env, db, settings)
        [task] = await pending_callbacks(db, case_id)
        await answer_callback(case, task, CallbackAnswer.dissatisfied)
        reopened = await wait_for_status(db, case_id, "dispatched")
        assert (reopened.case.unit_code, reopened.case.reopened, reopened.case.replied_at) == ("hrss_bureau", 1, None)
        # A fresh deadline from the tier, for the new round.
        await wait_for(db, case_id, lambda f: [e.kind for e in f.events].count("deadlines") == 2, "got new deadlines")

        await case.execute_update(CaseWorkflow.accept, AcceptInput(actor=HRSS))
        await case.execute_update(CaseWorkflow.reply, ReplyInput(actor=HRSS, result="已再次核实并补发工资"))
        [again] = await pending_callbacks(db, case_id)
        assert (again.round, again.attempt) == (2, 1)
        await answer_callback(case, again, second_answer)
        final = await closed_state(db, case)

    # At most one reopening by default: dissatisfied again closes the case as dissatisfied.
    assert final.status is CaseStatus.closed and final.outcome is second_answer
    file = await case_file(db, case_id)
    assert [e.kind for e in file.events].count("reopened") == 1
    assert [(c.round, c.answer) for c in file.callbacks] == [(1, "dissatisfied"), (2, second_answer.value)]
    assert (file.case.callback_round, file.case.outcome) == (2, second_answer.value)
    await record_history(time_env.client, case_workflow_id(case_id), f"case_reopened_then_{second_answer.value}")


class FlakyGateway:
    """A call system that fails twice, then reaches the citizen at once."""

    name = "webhook"

    def __init__(self) -> None:
        self.calls = 0

    async def hand_over(self, visit: Handover) -> CallbackAnswer | None:
        self.calls += 1
        if self.calls <= 2:
            raise httpx.ConnectError("call system down")
        return CallbackAnswer.satisfied


@ON_SQLITE
async def test_a_failing_gateway_is_retried_until_it_answers(
    own_time_env: WorkflowEnvironment, db: Database, settings: Settings
) -> None:
    gateway = FlakyGateway()
    async with build_worker(own_time_env.client, settings, db, gateway=gateway):
        case_id, _, _ = await replied_case(own_time_env, db, settings)
        await own_time_env.sleep(timedelta(minutes=1))  # past the backoff: 10 s, then 20 s
        file = await wait_for_status(db, case_id, "closed")
    assert gateway.calls == 3 and file.case.outcome == "satisfied"
    [task] = file.callbacks  # retried, inserted once
    assert (task.gateway, task.answer, task.final) == ("webhook", "satisfied", True)
    answered = next(e for e in file.events if e.kind == "callback")
    assert answered.actor_role == "system"


# -- the webhook gateway against a stand-in call system ------------------------------------------

VISIT = Handover(
    callback_id=7,
    case_id="C1",
    request_id="R1",
    unit="yatou",
    round=1,
    attempt=1,
    citizen_name="张三",
    phone="13800000000",
    answer_url="http://api/v1/callbacks/7",
)


def _gateway(status: int, body: dict[str, str] | None = None) -> tuple[WebhookGateway, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def reply(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, json=body) if body is not None else httpx.Response(status)

    return WebhookGateway("http://calls/visit", transport=httpx.MockTransport(reply)), seen


async def test_webhook_gateway_answers_now_later_or_not_at_all() -> None:
    now, seen = _gateway(200, {"answer": "dissatisfied", "resolution": "not_solved"})
    assert await now.hand_over(VISIT) == VisitAnswer(
        answer=CallbackAnswer.dissatisfied, resolution=Resolution.not_solved
    )
    only, _ = _gateway(200, {"answer": "satisfied"})  # a system that does not ask the second question
    assert await only.hand_over(VISIT) == VisitAnswer(answer=CallbackAnswer.satisfied)
    assert seen[0].read() and b'"answer_url":"http://api/v1/callbacks/7"' in seen[0].content
    later, _ = _gateway(202)
    assert await later.hand_over(VISIT) is None
    bad, _ = _gateway(422, {"error": "bad_number"})
    with pytest.raises(BadNumber, match="cannot dial"):
        await bad.hand_over(VISIT)
    down, _ = _gateway(503)
    with pytest.raises(httpx.HTTPStatusError):  # retried by Temporal
        await down.hand_over(VISIT)
    assert await QueueGateway().hand_over(VISIT) is None


async def test_a_long_hand_over_heartbeats_while_it_waits() -> None:
    beats: list[int] = []

    async def slow() -> str:  # done only once it has been heartbeaten for twice, however slow the loop
        while len(beats) < 2:
            await asyncio.sleep(0.05)
        return "done"

    assert (
        await asyncio.wait_for(with_heartbeats(asyncio.create_task(slow()), lambda: beats.append(1), every=0.1), 30)
        == "done"
    )

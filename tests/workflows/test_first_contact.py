"""Request kinds in the case's workflow: a consultation answered on the call closes without a unit;
a "not solved" answer reopens the case; a suggestion goes to its unit for information only."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from temporalio.testing import WorkflowEnvironment

from domain.case import AcceptInput, Actor, CallbackAnswer, CaseStatus, ReplyInput, Resolution, Role
from domain.reference import RequestKind
from domain.request import FirstContactAnswer
from gateways.cases import CaseGateway
from minsheng.settings import Settings
from minsheng.temporal import case_workflow_id
from persistence import knowledge
from persistence.db import Database
from persistence.knowledge import EntryText
from services.intake import submit_request
from tests.helpers import (
    answer_callback,
    case_file,
    closed_state,
    handle,
    new_request,
    pending_callbacks,
    record_history,
    submit,
    wait_for_event,
    wait_for_status,
)
from worker import build_worker
from workflows.case import CaseWorkflow

pytestmark = pytest.mark.timeout(90)
HRSS = Actor(role=Role.unit, unit="hrss_bureau", key_id="k_hrss")
ASKED = "请问灵活就业人员怎么办理社保缴费？需要什么材料"


async def test_a_consultation_answered_on_the_call_is_closed_without_a_unit(
    own_time_env: WorkflowEnvironment, db: Database, settings: Settings
) -> None:
    # Its own server: the shared one's clock has run days ahead, past the citizen's deadline.
    time_env = own_time_env
    now = datetime.now(UTC)
    text = EntryText(
        title="灵活就业人员社保缴费",
        text="携带身份证到社保服务窗口登记，或在政务服务网办理，按月缴费。",
        source="人社局2026年第3号公告",
        valid_from=date(2026, 1, 1),
        valid_until=None,
        matter_types=[],
    )
    entry = await db.write(lambda s: knowledge.create_entry(s, text, "k_d", now))
    answered = FirstContactAnswer(answer="可在政务服务网办理，或携带身份证到社保窗口登记。", knowledge_entry=entry.id)
    request = new_request(ASKED, answered=answered)
    async with build_worker(time_env.client, settings, db):
        submitted = await submit_request(
            db, CaseGateway(time_env.client, settings), settings, request, "k_op", now, knowledge_version=entry.version
        )
        case = handle(time_env.client, submitted.case_id)
        (task,) = await pending_callbacks(db, submitted.case_id)  # the city visits first-contact answers too
        await answer_callback(case, task, CallbackAnswer.satisfied, Resolution.solved)
        final = await closed_state(db, case)

    assert final.status is CaseStatus.closed and final.unit is None and final.first_contact
    assert final.kind is RequestKind.consultation
    file = await case_file(db, submitted.case_id)
    kinds = [e.kind for e in file.events]
    assert "dispatched" not in kinds and "answered" in kinds and kinds[-1] == "closed"
    answer = next(e for e in file.events if e.kind == "answered")
    assert (answer.actor_key_id, answer.detail["knowledge_entry"], answer.detail["knowledge_version"]) == (
        "k_op",
        str(entry.id),
        "1",
    )
    case_row = file.case
    assert (case_row.unit_code, case_row.kind, case_row.first_contact, case_row.knowledge_entry_id) == (
        None,
        "consultation",
        True,
        entry.id,
    )
    assert case_row.resolved_first_time is True and case_row.citizen_on_time is True
    assert [(c.answer, c.resolution) for c in file.callbacks] == [("satisfied", "solved")]
    assert file.requests[0].kind == "consultation" and file.requests[0].kind_source == "words"
    await record_history(time_env.client, case_workflow_id(submitted.case_id), "case_answered_at_first_contact")


async def test_not_solved_reopens_the_case_to_its_unit(
    time_env: WorkflowEnvironment, db: Database, settings: Settings
) -> None:
    async with build_worker(time_env.client, settings, db):
        submitted = await submit(db, time_env.client, settings)
        case = handle(time_env.client, submitted.case_id)
        await wait_for_status(db, submitted.case_id, "dispatched")
        await case.execute_update(CaseWorkflow.accept, AcceptInput(actor=HRSS))
        await case.execute_update(CaseWorkflow.reply, ReplyInput(actor=HRSS, result="已督促企业支付"))
        (task,) = await pending_callbacks(db, submitted.case_id)
        # Satisfied enough with the staff, but the wages are still not paid.
        await answer_callback(case, task, CallbackAnswer.basically_satisfied, Resolution.not_solved)
        reopened = await wait_for_event(db, submitted.case_id, "reopened")
        event = next(e for e in reopened.events if e.kind == "reopened")
        assert event.detail["not_solved"] == submitted.request_id and event.detail["round"] == "2"
        await case.execute_update(CaseWorkflow.accept, AcceptInput(actor=HRSS))
        await case.execute_update(CaseWorkflow.reply, ReplyInput(actor=HRSS, result="工资已全部支付"))
        (again,) = await pending_callbacks(db, submitted.case_id)
        await answer_callback(case, again, CallbackAnswer.satisfied, Resolution.solved)
        final = await closed_state(db, case)

    assert final.reopened == 1 and final.resolved_first_time is False
    file = await case_file(db, submitted.case_id)
    assert file.case.resolved_first_time is False and file.case.outcome == "satisfied"
    finals = [(c.round, c.answer, c.resolution) for c in file.callbacks if c.final]
    assert finals == [(1, "basically_satisfied", "not_solved"), (2, "satisfied", "solved")]
    await record_history(time_env.client, case_workflow_id(submitted.case_id), "case_reopened_not_solved")


async def test_a_suggestion_goes_to_its_unit_for_information_only(
    time_env: WorkflowEnvironment, db: Database, settings: Settings
) -> None:
    request = new_request("我建议人社局在崖头街道设一个欠薪投诉窗口，方便农民工讨要工资", kind=RequestKind.suggestion)
    async with build_worker(time_env.client, settings, db):
        submitted = await submit(db, time_env.client, settings, request)
        final = await closed_state(db, handle(time_env.client, submitted.case_id))

    assert final.status is CaseStatus.closed and final.unit == "hrss_bureau" and final.for_information
    file = await case_file(db, submitted.case_id)
    assert [e.kind for e in file.events] == ["received", "classified", "dispatched", "closed"]
    # No deadline, no clock, no visit, and not in the first-contact figures.
    assert (file.case.deadline_at, file.case.citizen_due_at, file.callbacks) == (None, None, [])
    assert file.case.resolved_first_time is None and file.requests[0].kind_source == "given"
    await record_history(time_env.client, case_workflow_id(submitted.case_id), "case_suggestion_forwarded")

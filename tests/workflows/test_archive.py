"""The archive of closed histories on the real dev server: a case closed and ended is exported by
the archive workflow (once), deleted from Temporal, and still replays with ``minsheng replay``
from the archive; the auditor's API lists and serves its runs; the Schedule that runs it. Its
erasures: the citizens' files past retention (the units' kept), the uploads no request named."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.workflowservice.v1 import DeleteWorkflowExecutionRequest
from temporalio.client import ScheduleActionStartWorkflow
from temporalio.testing import WorkflowEnvironment

from activities.archive import ArchiveDone, ArchiveInput
from api.app import create_app
from api.context import AppContext
from domain.attachments import Visibility
from domain.case import AcceptInput, Actor, AttachmentRef, CallbackAnswer, ReplyInput, Role
from gateways.storage import object_store
from minsheng.replay import replay_case
from minsheng.schedules import CASE_ARCHIVE, DAILY_RANKING, MONTHLY_ASSESSMENT, apply_schedules
from minsheng.settings import Settings
from minsheng.temporal import case_workflow_id
from persistence import attachments, reads
from persistence.db import Database
from persistence.models import AttachmentRow, CaseRow
from persistence.reads import ERASED
from services.archive import history_lookup
from services.attachments import Upload, object_key, thumbnail_key, upload
from services.audit import verify
from tests.helpers import (
    answer_callback,
    assert_embedded_cjk_font,
    case_file,
    eventually,
    handle,
    in_process,
    make_key,
    new_request,
    pdf_tool,
    pending_callbacks,
    photo,
    record_history,
    submit,
    wait_for_status,
)
from worker import build_worker
from workflows.archive import CaseArchiveWorkflow

pytestmark = pytest.mark.timeout(120)

HRSS = Actor(role=Role.unit, unit="hrss_bureau", key_id="k_hrss")


@pytest.fixture
def archive_settings(settings: Settings, dev_env: WorkflowEnvironment, tmp_path: Path) -> Settings:
    """The test's settings on the dev server, with the store in the test's folder and no
    late-joiner window, so that a closed case's workflow ends at once."""
    settings = settings.model_copy(
        update={
            "var_dir": tmp_path,
            "temporal_address": dev_env.client.service_client.config.target_host,
            "personal_data_retention_days": 30,
        }
    )
    policy = settings.match_policy
    settings.__dict__["match_policy"] = policy.model_copy(update={"closed_within_days": 0})
    return settings


async def run_archive(env: WorkflowEnvironment, settings: Settings, record_as: str | None = None) -> ArchiveDone:
    workflow_id = f"archive-{uuid.uuid4().hex[:8]}"
    done = await env.client.execute_workflow(
        CaseArchiveWorkflow.run, ArchiveInput(), id=workflow_id, task_queue=settings.task_queue
    )
    if record_as:
        await record_history(env.client, workflow_id, record_as)
    return done


async def test_a_closed_case_is_archived_once_and_replays_from_the_archive_after_its_deletion(
    dev_env: WorkflowEnvironment, db: Database, archive_settings: Settings
) -> None:
    settings, client = archive_settings, dev_env.client
    async with build_worker(client, settings, db):
        submitted = await submit(db, client, settings)
        case_id = submitted.case_id
        await wait_for_status(db, case_id, "dispatched")
        case = handle(client, case_id)
        open_case = (await submit(db, client, settings)).case_id  # still open: not archived

        await case.execute_update("accept", AcceptInput(actor=HRSS))
        await case.execute_update("reply", ReplyInput(actor=HRSS, result="已责令企业支付拖欠工资"))
        [task] = await pending_callbacks(db, case_id)
        await answer_callback(case, task, CallbackAnswer.satisfied)
        assert (await case.result()).status == "closed"

        first = await run_archive(dev_env, settings)
        assert (first.archived, first.missing, first.erased) == (1, 0, 0)
        # Past the retention period the citizens' names, phones and addresses are erased; the
        # figures and the timeline (which holds none of them) stay, and its chain still verifies.
        await db.write(
            lambda session: session.exec(
                sa.update(CaseRow).where(CaseRow.id == case_id).values(closed_at=datetime.now(UTC) - timedelta(days=31))
            )
        )
        again = await run_archive(dev_env, settings, record_as="case_archive_exported_and_erased")
        assert (again.archived, again.running, again.erased) == (0, 0, 1), "a case is never exported twice"
        erased = await case_file(db, case_id)
        assert {(r.citizen_name, r.citizen_phone, r.address) for r in erased.requests} == {(ERASED, ERASED, ERASED)}
        assert erased.case.outcome == "satisfied" and erased.case.personal_data_erased_at is not None
        assert (await verify(db, case_id=case_id)).ok

        # The auditor lists the case's runs and downloads its history, hash and all.
        auditor = {"Authorization": f"Bearer {(await make_key(db, Role.auditor))[1]}"}
        leader = {"Authorization": f"Bearer {(await make_key(db, Role.leader))[1]}"}
        app = create_app(settings, AppContext(settings, db, client, settings.reference))
        async with in_process(app) as http:
            listed = (await http.get(f"/v1/cases/{case_id}/archive", headers=auditor)).json()
            [run] = listed["runs"]
            assert run["ordinal"] == 1 and run["events"] > 10
            got = await http.get(run["href"], headers=auditor)
            assert got.headers["content-type"] == "application/gzip"
            assert hashlib.sha256(got.content).hexdigest() == run["sha256"] == got.headers["x-content-sha256"]
            events = json.loads(gzip.decompress(got.content))["events"]
            assert events[0]["eventType"] in ("EVENT_TYPE_WORKFLOW_EXECUTION_STARTED", "WorkflowExecutionStarted")
            assert (await http.get(f"/v1/cases/{case_id}/archive", headers=leader)).status_code == 403
            missing = await http.get(f"/v1/cases/{open_case}/archive", headers=auditor)
            assert missing.status_code == 404 and "not archived" in missing.json()["detail"]

        ok, message = await replay_case(settings, case_id)
        assert ok and "from Temporal" in message, message
        await client.workflow_service.delete_workflow_execution(
            DeleteWorkflowExecutionRequest(
                namespace=client.namespace, workflow_execution=WorkflowExecution(workflow_id=case_workflow_id(case_id))
            )
        )

        async def gone() -> bool:
            ok, message = await replay_case(settings, case_id)
            return ok and "from the archive" in message

        await eventually(gone, seconds=100)
        ok, message = await replay_case(settings, case_id)
        assert message.startswith(f"case-{case_id}: from the archive: 1 run, ") and "replay cleanly" in message

        # Its case file, made from the archive now, says the chain verifies; the read is recorded.
        async with in_process(app) as http:
            pdf = await http.get(f"/v1/cases/{case_id}/case-file", headers=auditor)
            assert pdf.headers["content-type"] == "application/pdf"
            text = pdf_tool("pdftotext", pdf.content)
            assert "民生诉求案卷" in text and "核验通过" in text and "与归档中的流程历史一致" in text
            assert_embedded_cjk_font(pdf.content)
            if path := os.environ.get("MINSHENG_KEEP_CASE_FILE"):  # to look at it
                Path(path).write_bytes(pdf.content)
            html = (await http.get(f"/v1/cases/{case_id}/case-file", headers=leader, params={"format": "html"})).text
            assert "<h2>十一、核验结果</h2>" in html and "核验通过" in html
            assert "已责令企业支付拖欠工资" in html and ERASED in html and "13700000000" not in html
            reads = (await http.get(f"/v1/cases/{case_id}/reads", headers=auditor)).json()["reads"]
            assert [(r["role"], r["what"]) for r in reads] == [("auditor", "case_file"), ("leader", "case_file")]

        # An archived object changed behind the store's back is refused, never replayed.
        [stored] = [p for p in (settings.var_dir / "store").rglob("*.json.gz")]
        stored.write_bytes(gzip.compress(b'{"events": []}'))
        ok, message = await replay_case(settings, case_id)
        assert not ok and "changed after it was written" in message
        damaged = await verify(db, case_id=case_id, histories=history_lookup(client, db, object_store(settings)))
        assert [str(f) for f in damaged.findings] == [
            f"case {case_id}: its archived history cannot be trusted: object '{stored.relative_to(settings.var_dir / 'store').as_posix()}' "
            "was changed after it was written: sha256 "
            + hashlib.sha256(stored.read_bytes()).hexdigest()
            + f", written as {run['sha256']}"
        ]


async def test_past_retention_the_citizens_files_are_deleted_the_units_kept_and_unnamed_uploads_go(
    dev_env: WorkflowEnvironment, db: Database, archive_settings: Settings
) -> None:
    settings, client = archive_settings, dev_env.client
    store, now = object_store(settings), datetime.now(UTC)

    async def put(
        data: bytes, actor: Actor, case_id: str | None = None, at: datetime = now, name: str = "张三身份证.jpg"
    ) -> AttachmentRow:
        sent = Upload(data, name, Visibility.case, actor, case_id)
        return (await upload(db, store, settings.attachment_policy, sent, at))[0]

    async def rows(*ids: str) -> dict[str, AttachmentRow]:
        async with db.session() as session:
            return await attachments.get_many(session, list(ids))

    citizen = Actor(role=Role.intake, key_id="k_test")
    shot = await put(photo(), citizen)
    forgotten = await put(photo(width=50), citizen, at=now - timedelta(hours=25))
    fresh = await put(photo(width=60), citizen)
    async with build_worker(client, settings, db):
        case_id = (await submit(db, client, settings, new_request(attachments=[shot.id]))).case_id
        await wait_for_status(db, case_id, "dispatched")
        case = handle(client, case_id)
        await case.execute_update("accept", AcceptInput(actor=HRSS))
        proof = await put(b"%PDF-1.4\n%%EOF\n", HRSS, case_id, name="结案报告.pdf")
        named = [AttachmentRef(id=proof.id, sha256=proof.sha256)]
        await case.execute_update("reply", ReplyInput(actor=HRSS, result="已支付", attachments=named))
        [task] = await pending_callbacks(db, case_id)
        await answer_callback(case, task, CallbackAnswer.satisfied)
        assert (await case.result()).status == "closed"

        # The upload no request named for 25 hours is deleted, row and all; the fresh one waits.
        assert (await run_archive(dev_env, settings)).erased == 0
        assert set(await rows(shot.id, forgotten.id, fresh.id, proof.id)) == {shot.id, fresh.id, proof.id}
        assert not await store.exists(object_key(forgotten.id)) and not await store.exists(thumbnail_key(forgotten.id))
        assert await store.exists(object_key(fresh.id)) and await store.exists(object_key(shot.id))

        # A run that erased the case's personal data and then died before the store, halfway
        # through the photo: the next run finds the file by its erased case and finishes the job.
        await db.write(lambda session: reads.erase_personal_data(session, now + timedelta(days=1), now, 10))
        await store.delete(object_key(shot.id))
        assert (await run_archive(dev_env, settings)).erased == 0
        assert not await store.exists(thumbnail_key(shot.id)) and not await store.exists(object_key(shot.id))
        assert await store.get(object_key(proof.id)) == b"%PDF-1.4\n%%EOF\n"  # the unit's proof of handling
        erased = (await rows(shot.id))[shot.id]
        assert erased.erased_at is not None and erased.filename == ERASED and erased.sha256 == shot.sha256
        assert (await verify(db, case_id=case_id)).ok

        dispatcher = {"Authorization": f"Bearer {(await make_key(db, Role.dispatcher))[1]}"}
        app = create_app(settings, AppContext(settings, db, client, settings.reference))
        async with in_process(app) as http:
            url = f"/v1/cases/{case_id}/attachments"
            for gone in (f"{url}/{shot.id}", f"{url}/{shot.id}/thumbnail"):
                answer = await http.get(gone, headers=dispatcher)
                assert answer.status_code == 410, answer.text
                assert "at the end of the retention period" in answer.json()["detail"]
                assert f"was erased on {erased.erased_at.astimezone(settings.timing.zone):%Y-%m-%d}" in answer.text
            listed = {a["id"]: a for a in (await http.get(url, headers=dispatcher)).json()["items"]}
            assert listed[shot.id]["erased_at"] and not listed[shot.id]["has_thumbnail"]
            assert listed[proof.id]["erased_at"] is None
            assert (await http.get(f"{url}/{proof.id}", headers=dispatcher)).status_code == 200
            leader = {"Authorization": f"Bearer {(await make_key(db, Role.leader))[1]}"}
            params = {"format": "html"}
            html = (await http.get(f"/v1/cases/{case_id}/case-file", headers=leader, params=params)).text
            assert "已删除（保存期满" in html and "张三身份证" not in html
            assert "结案报告.pdf" in html and "在存" in html


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_the_archive_schedule_is_applied_with_the_others_hourly(
    dev_env: WorkflowEnvironment, archive_settings: Settings
) -> None:
    client = dev_env.client
    said = await apply_schedules(client, archive_settings)
    assert said[2] == f"schedule {CASE_ARCHIVE} created: cron '15 * * * *' in Asia/Shanghai"
    try:
        described = await client.get_schedule_handle(CASE_ARCHIVE).describe()
        first, second = described.info.next_action_times[:2]
        assert first.minute == 15 and second - first == timedelta(hours=1)
        action = described.schedule.action
        assert isinstance(action, ScheduleActionStartWorkflow) and action.workflow == "CaseArchiveWorkflow"
    finally:
        for schedule in (CASE_ARCHIVE, DAILY_RANKING, MONTHLY_ASSESSMENT):
            await client.get_schedule_handle(schedule).delete()

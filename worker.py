"""The Minsheng worker: runs case workflows and their activities on one task queue.

Workers are stateless (state lives in Temporal and the database): run as many as the load needs.
"""

from __future__ import annotations

import asyncio
import compileall
import signal
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import structlog
from temporalio.client import Client
from temporalio.worker import UnsandboxedWorkflowRunner, Worker, WorkflowRunner
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner

import workflows
from activities.archive import AuditActivities
from activities.assessment import AssessmentActivities
from activities.callbacks import CallbackActivities
from activities.case import CaseActivities, DispatchModel
from activities.corrections import CorrectionActivities
from activities.events import EventActivities, Texting
from activities.follow_up import FollowUpActivities
from activities.ranking import RankingActivities
from gateways.callbacks import CallbackGateway, QueueGateway, WebhookGateway
from gateways.cases import CaseGateway
from gateways.events import start_all_deliveries
from gateways.notify import LogNotifier, Notifier, WebhookNotifier
from gateways.storage import object_store
from minsheng.settings import Settings
from minsheng.temporal import connect
from persistence import cases as case_rows
from persistence.db import Database
from services.intake import reconcile_intake
from workflows.events import DeliveryWorkflow
from workflows.registry import WORKFLOWS

log = structlog.get_logger(__name__)


def compile_workflow_modules() -> None:
    """Write the workflow modules' bytecode. The sandbox (where it is on) executes a workflow's module afresh for
    every new workflow; without a .pyc (PYTHONDONTWRITEBYTECODE=1, common in containers) it
    compiles the source each time, which the profile showed as a tenth of the worker's CPU."""
    compileall.compile_dir(Path(workflows.__file__).parent, quiet=1)


def workflow_runner(settings: Settings) -> WorkflowRunner:
    """The sandbox where ``MINSHENG_WORKER_SANDBOX`` asks for it (the tests), else workflows run
    as plain code: what keeps them deterministic then is the rules in tests/unit/
    test_workflow_rules.py, the suite run sandboxed, and the recorded histories replayed sandboxed."""
    return SandboxedWorkflowRunner() if settings.worker_sandbox else UnsandboxedWorkflowRunner()


def callback_gateway(settings: Settings) -> CallbackGateway:
    if settings.callback_webhook_url:
        return WebhookGateway(settings.callback_webhook_url, settings.callback_webhook_timeout_seconds)
    return QueueGateway()


def notifier(settings: Settings) -> Notifier:
    """The notification webhook, signed if it has a secret; without one, the log."""
    if not settings.notify_webhook_url:
        return LogNotifier()
    secret = settings.notify_webhook_secret.get_secret_value() if settings.notify_webhook_secret else None
    return WebhookNotifier(settings.notify_webhook_url, secret=secret)


def delivery_activities(settings: Settings, db: Database) -> list[Callable[..., Any]]:
    """The outbox's deliveries: case events, texts, notifications."""
    texting = Texting(
        url=settings.sms_webhook_url,
        secret=settings.sms_webhook_secret.get_secret_value() if settings.sms_webhook_secret else None,
        policy=settings.text_policy,
        zone=settings.timing.zone,
        answering=frozenset(c.code for c in settings.reference.channels.values() if c.answers_citizen),
    )
    events = EventActivities(
        db,
        settings.events_timeout_seconds,
        settings.events_poll_seconds,
        settings.events_order_wait_seconds,
        texting,
        notifier(settings),
        settings.notify_interval_seconds,
    )
    return [events.deliver_events, events.deliver_texts, events.deliver_notifications]


def build_delivery_worker(client: Client, settings: Settings, db: Database) -> Worker:
    """A worker of the deliveries alone, on ``MINSHENG_DELIVERY_TASK_QUEUE``: in a process of its own,
    deliveries do not wait behind the cases (bench/README.md, "Case events")."""
    assert settings.delivery_task_queue
    return Worker(
        client,
        task_queue=settings.delivery_task_queue,
        workflows=[DeliveryWorkflow],
        workflow_runner=workflow_runner(settings),
        activities=delivery_activities(settings, db),
        max_concurrent_activities=settings.worker_max_concurrent_activities,
    )


def build_worker(
    client: Client,
    settings: Settings,
    db: Database,
    gateway: CallbackGateway | None = None,
    model: DispatchModel | None = None,
) -> Worker:
    if settings.worker_sandbox:
        compile_workflow_modules()
    model = model or DispatchModel(settings.model_store)
    activities = CaseActivities(
        db,
        settings.reference,
        settings.timing,
        model,
        settings.classify_model_threshold,
        settings.notification_policy,
    )
    callbacks = CallbackActivities(
        db, settings.timing, settings.callback_policy, gateway or callback_gateway(settings), settings.api_url
    )
    ranking = RankingActivities(
        db,
        settings.reference,
        settings.timing,
        settings.indicator_policy,
        settings.target_policy,
        settings.notification_policy,
    )
    corrections = CorrectionActivities(db, CaseGateway(client, settings))
    assessment = AssessmentActivities(
        db,
        settings.reference,
        settings.timing,
        settings.assessment_policy,
        settings.indicator_policy,
        api_url=settings.api_url,
        notifications=settings.notification_policy,
    )
    follow_ups = FollowUpActivities(db, settings.timing, api_url=settings.api_url)
    audit = AuditActivities(
        db,
        client,
        object_store(settings),
        settings.timing,
        settings.personal_data_retention_days,
        settings.attachment_unclaimed_hours,
    )
    return Worker(
        client,
        task_queue=settings.task_queue,
        workflows=WORKFLOWS,
        workflow_runner=workflow_runner(settings),
        activities=[
            activities.classify_request,
            activities.compute_deadlines,
            activities.compute_response_deadline,
            activities.compute_citizen_clock,
            activities.compute_centre_deadline,
            activities.record_case_events,
            activities.open_callback_tasks,
            callbacks.plan_callbacks,
            callbacks.visit_citizen,
            ranking.days_to_rank,
            ranking.rank_day,
            ranking.watch_targets,
            corrections.split_request,
            corrections.merge_case,
            assessment.months_to_assess,
            assessment.assess_month,
            follow_ups.plan_due,
            follow_ups.record,
            audit.cases_to_archive,
            audit.archive_cases,
            audit.seal_anchor,
            audit.erase_personal_data,
            # The deliveries too: those on this queue (with MINSHENG_DELIVERY_TASK_QUEUE set, none
            # once start_all_deliveries has moved them to theirs).
            *delivery_activities(settings, db),
        ],
        max_concurrent_activities=settings.worker_max_concurrent_activities,
        max_concurrent_local_activities=settings.worker_max_concurrent_activities,
        max_concurrent_workflow_tasks=settings.worker_max_concurrent_workflow_tasks,
        max_cached_workflows=settings.worker_max_cached_workflows,
    )


async def retime_provisional_cases(client: Client, settings: Settings, db: Database) -> int:
    """Signal the open cases whose provisional deadline falls in a year the calendar now has."""
    async with db.session() as session:
        case_ids = await case_rows.provisional_open_cases(session, settings.timing.calendar.years)
    cases = CaseGateway(client, settings)
    sent = 0
    for case_id in case_ids:
        if not await cases.recalculate_deadlines(case_id):
            log.warning("provisional deadline of a case whose workflow has ended: left as it is", case_id=case_id)
            continue
        log.info("provisional deadline sent for recalculation", case_id=case_id)
        sent += 1
    return sent


def warn_about_missing_years(settings: Settings) -> None:
    """This year and the next must have calendar files, or deadlines reaching there are provisional."""
    this_year = datetime.now(settings.timing.zone).year
    missing = [y for y in (this_year, this_year + 1) if y not in settings.timing.calendar.years]
    if missing:
        log.warning(
            "the working-day calendar has no file for these years: deadlines counting their days are "
            "provisional (weekdays only) until config/calendar/YEAR.yaml is added",
            missing_years=missing,
        )


async def follow_the_active_model(model: DispatchModel, minutes: float) -> None:
    """Load the classifier model switched on with ``minsheng classifier activate``, when one is."""
    while True:
        await asyncio.sleep(minutes * 60)
        try:
            await model.refresh()
        except Exception:  # a half-written or broken file must not stop the worker; it keeps the old model
            log.exception("classifier model not switched")


ENGINE_DOWN_RETRY_SECONDS = 5.0


async def reconcile_forever(db: Database, cases: CaseGateway, settings: Settings) -> None:
    """Hand over what intake could not (an engine outage, a crash): at start-up, then periodically;
    while the engine does not answer, every few seconds, so that its return is noticed soon."""
    while True:
        interval = settings.reconcile_interval_seconds
        try:
            done = await reconcile_intake(db, cases, settings, datetime.now(UTC))
            if done.handed_over or done.failed:
                log.info("intake reconciled", handed_over=done.handed_over, failed=done.failed)
            if done.engine_down:
                interval = min(interval, ENGINE_DOWN_RETRY_SECONDS)
        except Exception:  # a database hiccup must not stop the worker; the next round retries
            log.exception("intake not reconciled")
        await asyncio.sleep(interval)


async def connect_when_up(settings: Settings) -> Client:
    """The engine may not answer yet (both restarted at once): wait for it, saying so."""
    delay = 0.5
    while True:
        try:
            return await connect(settings.temporal_address, settings.temporal_namespace, settings.temporal_access)
        except RuntimeError as exc:  # the SDK's "Failed client connect"
            log.warning("the case engine does not answer yet", address=settings.temporal_address, error=str(exc))
            await asyncio.sleep(delay)
            delay = min(delay * 2, 30)


def stop_on_signals() -> asyncio.Event:
    """Set on SIGINT or SIGTERM: the worker finishes its in-flight tasks and stops."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    return stop


async def run_deliveries(settings: Settings) -> None:
    """``minsheng worker --deliveries``: the deliveries' own worker, until SIGINT/SIGTERM."""
    db = Database(settings.database_url, settings.db_pool_size)
    client = await connect_when_up(settings)
    stop = stop_on_signals()
    log.info("delivery worker started", task_queue=settings.delivery_task_queue)
    try:
        async with build_delivery_worker(client, settings, db):
            await start_all_deliveries(client, settings, db)
            await stop.wait()
        log.info("delivery worker stopped")
    finally:
        await db.close()


async def run_worker(settings: Settings) -> None:
    """Run until SIGINT/SIGTERM, then finish in-flight tasks and stop."""
    db = Database(settings.database_url, settings.db_pool_size)
    client = await connect_when_up(settings)
    stop = stop_on_signals()
    model = DispatchModel(settings.model_store)
    worker = build_worker(client, settings, db, model=model)
    warn_about_missing_years(settings)
    if settings.payload_key_set is None:
        log.warning("no payload keys (MINSHENG_PAYLOAD_KEYS): case payloads go to Temporal in clear")
    log.info("worker started", task_queue=settings.task_queue, database=db.engine.dialect.name)
    try:
        async with worker:
            await retime_provisional_cases(client, settings, db)
            await start_all_deliveries(client, settings, db)
            learning = asyncio.create_task(follow_the_active_model(model, settings.text_model_refresh_minutes))
            reconciling = asyncio.create_task(reconcile_forever(db, CaseGateway(client, settings), settings))
            await stop.wait()
            for task in (learning, reconciling):
                task.cancel()
        log.info("worker stopped")
    finally:
        await db.close()

"""The case workflow's activities: classification and the read-model writes."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import structlog
from pydantic import BaseModel
from temporalio import activity

from domain.case import CaseState, TimelineEvent
from domain.classification import Classification, classify_with
from domain.deadlines import CitizenClock, Deadlines, Timing, citizen_clock_for, deadlines_for, handling_figures
from domain.modelstore import ModelStore
from domain.notifications import DEFAULT_NOTIFICATIONS, NotificationPolicy
from domain.reference import ReferenceData, Tier
from domain.textclassifier import TextClassifier
from persistence import callbacks, cases
from persistence.db import Database

log = structlog.get_logger(__name__)


class CaseEvents(BaseModel):
    """The persistence activity's input: new timeline events and the state after them."""

    state: CaseState
    events: list[TimelineEvent]


class DeadlineInput(BaseModel):
    """The deadline activity's input: the tier, the dispatch instant, an approved new date."""

    tier: Tier
    start: datetime
    due_at: datetime | None = None


class CitizenClockInput(BaseModel):
    """The citizen's clock: the tier asked for (None: the policy's tier for unclassified cases),
    the receipt and when the case entered the dispatch queue."""

    tier: Tier | None
    received_at: datetime
    queued_at: datetime


class CentreDeadlineInput(BaseModel):
    """The centre's limit (the tier's dispatch limit) from ``start``: for deciding a unit's return."""

    tier: Tier
    start: datetime


class ResponseDeadlineInput(BaseModel):
    tier: Tier
    start: datetime


class CallbackTasks(BaseModel):
    """The callback activity's input: one callback task per request of the case."""

    case_id: str
    unit: str | None
    request_ids: list[str]
    round: int = 1


class ClassifyInput(BaseModel):
    content: str
    address: str
    grid: str | None = None
    category_hint: str | None = None
    threshold: float


class DispatchModel:
    """The trained classifier switched on (``minsheng classifier activate``), or the shipped one."""

    def __init__(self, store: ModelStore) -> None:
        self.store = store
        self.switched_on = store.active_version()
        self.classifier: TextClassifier = store.active()

    async def refresh(self) -> bool:
        """Load the model switched on since, if another was (in a thread: a second or so)."""
        version = self.store.active_version()
        if version == self.switched_on:
            return False
        self.classifier = await asyncio.to_thread(self.store.active)
        self.switched_on = version
        log.info("classifier model switched", model=self.classifier.version)
        return True


class CaseActivities:
    """Holds the process's database and reference data; one instance per worker."""

    def __init__(
        self,
        db: Database,
        reference: ReferenceData,
        timing: Timing,
        model: DispatchModel,
        model_threshold: float | None,
        notifications: NotificationPolicy = DEFAULT_NOTIFICATIONS,
    ) -> None:
        self.db = db
        self.notifications = notifications
        self.reference = reference
        self.timing = timing
        self.model = model
        self.model_threshold = model_threshold

    @activity.defn(name="classify_request")
    async def classify_request(self, inp: ClassifyInput) -> Classification:
        # Pure CPU on in-memory data, run as a local activity; its result (with the model's
        # version) is recorded in history, so a later catalogue edit or model never changes how
        # an old case replays.
        return classify_with(
            self.model.classifier,
            inp.content,
            inp.address,
            inp.grid,
            inp.category_hint,
            self.reference,
            self.model_threshold,
        )

    @activity.defn(name="compute_deadlines")
    async def compute_deadlines(self, inp: DeadlineInput) -> Deadlines:
        # Reads the tier policy and calendar the worker loaded; the result is recorded in history,
        # so a later policy or calendar edit never changes how this case replays.
        t = self.timing
        return deadlines_for(inp.tier, inp.start, t.policy, t.calendar, t.zone, due_at=inp.due_at)

    @activity.defn(name="compute_citizen_clock")
    async def compute_citizen_clock(self, inp: CitizenClockInput) -> CitizenClock:
        t = self.timing
        return citizen_clock_for(inp.tier, inp.received_at, inp.queued_at, t.policy, t.calendar, t.zone)

    @activity.defn(name="compute_centre_deadline")
    async def compute_centre_deadline(self, inp: CentreDeadlineInput) -> datetime | None:
        t = self.timing
        limit = t.policy.tiers[inp.tier].dispatch
        return limit.after(inp.start, t.calendar, t.zone)[0] if limit else None

    @activity.defn(name="compute_response_deadline")
    async def compute_response_deadline(self, inp: ResponseDeadlineInput) -> datetime:
        t = self.timing
        return t.policy.tiers[inp.tier].response.after(inp.start, t.calendar, t.zone)[0]

    @activity.defn(name="record_case_events")
    async def record_case_events(self, batch: CaseEvents) -> None:
        state = batch.state
        figures = (
            handling_figures(
                state.received_at,
                state.replied_at,
                state.deadlines.due_at if state.deadlines else None,
                self.timing,
            )
            if state.replied_at
            else None
        )
        now = datetime.now(UTC)
        await self.db.write(
            lambda s: cases.record_case_events(s, batch.state, batch.events, now, figures, self.notifications)
        )
        log.info(
            "case events recorded",
            case_id=state.case_id,
            unit=state.unit,
            events=[e.kind for e in batch.events],
            status=state.status.value,
        )
        for event in batch.events:
            if event.kind == "slip":
                # The default notifier is this log line; the outbox rows are for a webhook sender.
                log.warning(
                    "supervision slip issued",
                    case_id=state.case_id,
                    unit=event.detail["unit"],
                    kind=event.detail["kind"],
                    trigger=event.detail["trigger"],
                    recipients=self.notifications.recipients(event.detail["kind"], event.detail["unit"]),
                )

    @activity.defn(name="open_callback_tasks")
    async def open_callback_tasks(self, tasks: CallbackTasks) -> None:
        now = datetime.now(UTC)
        await self.db.write(
            lambda s: callbacks.open_callbacks(s, tasks.case_id, tasks.unit, tasks.request_ids, tasks.round, now)
        )
        log.info(
            "callback tasks opened",
            case_id=tasks.case_id,
            unit=tasks.unit,
            requests=len(tasks.request_ids),
        )

"""The case workflow's activities: classification and the read-model writes."""

from __future__ import annotations

from datetime import UTC, datetime

import structlog
from pydantic import BaseModel
from temporalio import activity

from domain.case import CallbackTasks, CaseEvents
from domain.classification import Classification, classify
from domain.reference import ReferenceData
from persistence import repo
from persistence.db import Database

log = structlog.get_logger(__name__)


class ClassifyInput(BaseModel):
    content: str
    address: str
    grid: str | None = None
    category_hint: str | None = None
    threshold: float


class CaseActivities:
    """Holds the process's database and reference data; one instance per worker."""

    def __init__(self, db: Database, reference: ReferenceData) -> None:
        self.db = db
        self.reference = reference

    @activity.defn(name="classify_request")
    async def classify_request(self, inp: ClassifyInput) -> Classification:
        # Pure CPU on in-memory data, run as a local activity; its result is recorded in history,
        # so a later catalogue edit never changes how an old case replays.
        return classify(
            inp.content, inp.address, inp.grid, inp.category_hint, self.reference, inp.threshold
        )

    @activity.defn(name="record_case_events")
    async def record_case_events(self, batch: CaseEvents) -> None:
        await repo.apply_case_events(self.db, batch, datetime.now(UTC))
        log.info(
            "case events recorded",
            case_id=batch.state.case_id,
            unit=batch.state.unit,
            events=[e.kind for e in batch.events],
            status=batch.state.status.value,
        )

    @activity.defn(name="open_callback_tasks")
    async def open_callback_tasks(self, tasks: CallbackTasks) -> None:
        await repo.open_callbacks(self.db, tasks, datetime.now(UTC))
        log.info(
            "callback tasks opened",
            case_id=tasks.case_id,
            unit=tasks.unit,
            requests=len(tasks.request_ids),
        )

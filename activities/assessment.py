"""The monthly assessment's activities: which months to assess, and assessing one month (its
figures from the database, the assessment, accountability and notices, stored in one transaction)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from datetime import UTC, datetime

import structlog
from pydantic import BaseModel, ValidationError
from temporalio import activity
from temporalio.exceptions import ApplicationError

from domain import assessment as rules
from domain.accountability import AccountabilityInput, hold_accountable
from domain.assessment import AssessmentPolicy, Month, UnitMonth
from domain.deadlines import Timing
from domain.follow_up import FOLLOWED_UP, FollowUpInput
from domain.indicators import IndicatorPolicy, UnitCounts
from domain.notifications import DEFAULT_NOTIFICATIONS, NotificationPolicy
from domain.reference import ReferenceData
from persistence import assessment, inaction, ranking
from persistence.accountability import StaleHistory, StoreMonthInput, store_month
from persistence.assessment import UnitFigures
from persistence.db import Database

log = structlog.get_logger(__name__)

INVALID_MONTH_DATA = "InvalidMonthData"
"""The failure type of a month whose figures fail validation: the same on every attempt, so not
retried (the workflow names the month and goes on; a leader re-runs it once the data is fixed)."""
STALE_READS = 5
"""How many times a month is read again when another run changed the months before it meanwhile."""
HEARTBEAT_EVERY = 5.0
"""Seconds between heartbeats while waiting (a SQLite write may wait on the lock far longer)."""


async def _heartbeating[T](step: Awaitable[T], detail: str) -> T:
    """Await ``step``, heartbeating meanwhile: a write waiting on the database's lock is alive."""
    task = asyncio.ensure_future(step)
    while True:
        done, _ = await asyncio.wait({task}, timeout=HEARTBEAT_EVERY)
        if done:
            return task.result()
        activity.heartbeat(detail)


class MonthsToAssessInput(BaseModel):
    scheduled_at: datetime
    month: Month | None
    catch_up_months: int
    rerun: bool


class AssessMonthInput(BaseModel):
    month: Month
    rerun_id: int | None = None


class MonthAssessed(BaseModel):
    """What a month's step did, for the run's result in the UI."""

    month: Month
    units_assessed: int
    actions: int
    changed_units: tuple[str, ...]
    """Units whose score, rank or actions differ from what was stored before (empty on a first run)."""
    already_assessed: bool = False
    """Not a leader's re-run, and the month was found assessed (by another run, or by this step
    before a restart): kept as stored, nothing sent."""
    next_assessed: Month | None = None
    """The first later month with an assessment when this one was stored: a re-run goes on to it."""
    failed: str | None = None
    """The month could not be assessed (its data fails validation); set by the run, not the step."""
    follow_ups: tuple[FollowUpInput, ...] = ()
    """The month's interviews and referrals, each to be followed up by its own workflow (started
    once: a re-run's are found started)."""


class AssessmentActivities:
    def __init__(
        self,
        db: Database,
        reference: ReferenceData,
        timing: Timing,
        policy: AssessmentPolicy,
        indicator_policy: IndicatorPolicy,
        api_url: str = "",
        notifications: NotificationPolicy = DEFAULT_NOTIFICATIONS,
    ) -> None:
        self.notifications = notifications
        self.db = db
        self.reference = reference
        self.timing = timing
        self.policy = policy
        self.indicator_policy = indicator_policy
        self.api_url = api_url

    @activity.defn(name="months_to_assess")
    async def months_to_assess(self, inp: MonthsToAssessInput) -> list[str]:
        # The city's zone decides which month "last month" is; zones are not for workflows.
        target = inp.month or rules.month_before(inp.scheduled_at.astimezone(self.timing.zone).strftime("%Y-%m"))
        async with self.db.session() as session:
            assessed = await assessment.assessed_months(session)
        return rules.months_to_assess(target, inp.catch_up_months, assessed, inp.rerun)

    @activity.defn(name="assess_month")
    async def assess_month(self, inp: AssessMonthInput) -> MonthAssessed:
        """Assess the month and store it (a leader's re-run: in place of the earlier result): on
        the same data, the same rows, and no action or notification twice. Outside a re-run a month
        already assessed is kept as stored."""
        for _ in range(STALE_READS):
            try:
                return await self._assess_month(inp)
            except StaleHistory as exc:
                log.info("assessment read again: an earlier month changed meanwhile", month=inp.month, reason=str(exc))
        raise ApplicationError(
            f"{inp.month}: the months before it kept changing while it was assessed", type="StaleHistory"
        )

    async def _assess_month(self, inp: AssessMonthInput) -> MonthAssessed:
        month = inp.month
        start, end = rules.month_bounds(month, self.timing.zone)
        activity.heartbeat("reading")
        async with self.db.session() as session:
            earlier = await assessment.stored_assessment(session, month)
            if earlier is not None and inp.rerun_id is None:
                log.info("month already assessed: kept as stored", month=month)
                return _already(earlier)
            counts = await ranking.unit_counts(session, start, end)
            figures = await assessment.unit_figures(session, start, end)
            # Only the marks made for this month: a re-run of an earlier month is not changed by later ones.
            marked = await inaction.inaction_counts(session, month)
            history = await assessment.bottoms_before(session, month)
        activity.heartbeat("computing")
        # A month assessed before keeps the policies it was assessed under: a later edit of the
        # policy files never changes an earlier month, nor the streaks built on it.
        policy = earlier.policy if earlier else self.policy
        indicator_policy = earlier.indicator_policy if earlier else self.indicator_policy
        try:
            units = tuple(
                UnitMonth(
                    unit=code,
                    name=unit.name,
                    kind=unit.kind,
                    counts=counts.get(code) or UnitCounts(unit=code),
                    **vars(figures.get(code) or UnitFigures()),
                    inaction_cases=marked.get(code, 0),
                )
                for code, unit in self.reference.units.items()
            )
            result = rules.assess_month(
                rules.AssessmentInput(month=month, policy=policy, indicator_policy=indicator_policy, units=units)
            )
            accountability = hold_accountable(
                AccountabilityInput(assessment=result, history=assessment.history(history))
            )
        except (ValidationError, ValueError) as exc:
            # The same figures fail the same way on every attempt: say which month and unit, and stop.
            problem = "; ".join(e["msg"] for e in exc.errors()) if isinstance(exc, ValidationError) else str(exc)
            log.error("month cannot be assessed: its figures fail validation", month=month, error=problem)
            raise ApplicationError(
                f"{month} cannot be assessed: {problem}", type=INVALID_MONTH_DATA, non_retryable=True
            ) from None
        now = datetime.now(UTC)
        store = StoreMonthInput(
            result=result,
            accountability=accountability,
            history=history,
            now=now,
            issued_on=now.astimezone(self.timing.zone).date(),
            rerun_id=inp.rerun_id,
            api_url=self.api_url,
            notifications=self.notifications,
        )
        activity.heartbeat("writing")
        stored = await _heartbeating(self.db.write(lambda session: store_month(session, store)), "writing")
        activity.heartbeat("written")
        if stored.already_assessed:
            log.info("month already assessed by another run: kept as stored", month=month)
            return _already(result, stored.next_assessed)
        for action in accountability.actions:
            log.info(
                "accountability action",
                month=month,
                unit=action.unit,
                step=action.step.value,
                streak=action.streak,
                revision=stored.revisions.get(action.key),
            )
        for change in stored.changed:
            log.info("assessment changed by a re-run", month=month, **change)
        assessed = sum(u.score is not None for u in result.units)
        log.info("month assessed", month=month, units_assessed=assessed, actions=len(accountability.actions))
        return MonthAssessed(
            month=month,
            units_assessed=assessed,
            actions=len(accountability.actions),
            changed_units=tuple(c["unit"] for c in stored.changed),
            next_assessed=stored.next_assessed,
            follow_ups=tuple(
                FollowUpInput(
                    key=a.key,
                    month=month,
                    unit=a.unit,
                    name=a.name,
                    step=a.step,
                    opened_at=now,
                    hold_within_working_days=policy.follow_up.hold_within_working_days,
                    rectify_within_working_days=policy.notices.rectify_within_working_days,
                    remind_before_due_working_days=policy.follow_up.remind_before_due_working_days,
                )
                for a in accountability.actions
                if a.step in FOLLOWED_UP
            ),
        )


def _already(result: rules.MonthlyAssessment, next_assessed: str | None = None) -> MonthAssessed:
    return MonthAssessed(
        month=result.month,
        units_assessed=sum(u.score is not None for u in result.units),
        actions=0,
        changed_units=(),
        already_assessed=True,
        next_assessed=next_assessed,
    )

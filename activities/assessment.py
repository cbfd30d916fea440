"""The monthly assessment's activities: which months to assess, and assessing one month (its
figures from the database, the assessment, accountability and notices, stored in one transaction)."""

from __future__ import annotations

from datetime import UTC, datetime

import structlog
from temporalio import activity

from domain import assessment as rules
from domain.accountability import AccountabilityInput, hold_accountable
from domain.assessment import AssessMonthInput, AssessmentPolicy, MonthAssessed, MonthsToAssessInput, UnitMonth
from domain.deadlines import Timing
from domain.indicators import IndicatorPolicy, UnitCounts
from domain.reference import ReferenceData
from minsheng.notices import NoticeInput, render_notice
from persistence import assessment, ranking
from persistence.assessment import UnitFigures
from persistence.db import Database

log = structlog.get_logger(__name__)


class AssessmentActivities:
    def __init__(
        self, db: Database, reference: ReferenceData, timing: Timing, policy: AssessmentPolicy, indicator_policy: IndicatorPolicy
    ) -> None:
        self.db = db
        self.reference = reference
        self.timing = timing
        self.policy = policy
        self.indicator_policy = indicator_policy

    @activity.defn(name="months_to_assess")
    async def months_to_assess(self, inp: MonthsToAssessInput) -> list[str]:
        # The city's zone decides which month "last month" is; zones are not for workflows.
        target = inp.month or rules.month_before(inp.scheduled_at.astimezone(self.timing.zone).strftime("%Y-%m"))
        async with self.db.session() as session:
            assessed = await assessment.assessed_months(session)
        return rules.months_to_assess(target, inp.catch_up_months, assessed, inp.rerun)

    @activity.defn(name="assess_month")
    async def assess_month(self, inp: AssessMonthInput) -> MonthAssessed:
        """Assess the month and store it in place of any earlier result: on the same data, the
        same rows, and no action or notification twice."""
        month = inp.month
        start, end = rules.month_bounds(month, self.timing.zone)
        async with self.db.session() as session:
            earlier = await assessment.stored_assessment(session, month)
            counts = await ranking.unit_counts(session, start, end)
            figures = await assessment.unit_figures(session, start, end)
            history = await assessment.bottoms_before(session, month)
        activity.heartbeat()
        # A month assessed before keeps the policies it was assessed under: a later edit of the
        # policy files never changes an earlier month, nor the streaks built on it.
        policy = earlier.policy if earlier else self.policy
        indicator_policy = earlier.indicator_policy if earlier else self.indicator_policy
        units = tuple(
            UnitMonth(
                unit=code, name=unit.name, kind=unit.kind, counts=counts.get(code) or UnitCounts(unit=code),
                **vars(figures.get(code) or UnitFigures()),
            )  # fmt: skip
            for code, unit in self.reference.units.items()
        )
        result = rules.assess_month(
            rules.AssessmentInput(month=month, policy=policy, indicator_policy=indicator_policy, units=units)
        )
        accountability = hold_accountable(AccountabilityInput(assessment=result, history=history))
        documents = [render_notice(NoticeInput(action=a, policy=policy)) for a in accountability.actions]
        now = datetime.now(UTC)
        changed = await self.db.write(
            lambda session: assessment.store_month(session, result, accountability, documents, inp.rerun_id, now)
        )
        for action in accountability.actions:
            log.info("accountability action", month=month, unit=action.unit, step=action.step.value, streak=action.streak)
        for change in changed:
            log.info("assessment changed by a re-run", month=month, **change)
        assessed = sum(u.score is not None for u in result.units)
        log.info("month assessed", month=month, units_assessed=assessed, actions=len(accountability.actions))
        return MonthAssessed(
            month=month, units_assessed=assessed, actions=len(accountability.actions),
            changed_units=tuple(c["unit"] for c in changed),
        )  # fmt: skip

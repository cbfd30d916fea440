"""Typical inaction on a database (SQLite and PostgreSQL): a marking stored once with its notice and
notifications, counted in the month it was marked in and in no other (re-runs included); and the
delivery record, one row per notification and recipient however often delivery is retried."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import select
from temporalio.testing import ActivityEnvironment

from activities.assessment import AssessmentActivities, AssessMonthInput
from domain.assessment import ReasonCode
from domain.inaction import InactionRefused
from gateways.notify import deliver_pending
from minsheng.settings import Settings
from persistence import assessment, inaction, outbox
from persistence.db import Database
from persistence.inaction import Marking, NoSuchCase
from persistence.models import DeliveryRow, NoticeRow, OutboxRow
from tests.scenarios.assessment import MONTH, known_rows, load

OCTOBER = datetime(2026, 10, 28, 2, 0, tzinfo=UTC)
NOVEMBER = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)


def marking(settings: Settings, case_id: str, now: datetime) -> Marking:
    return Marking(
        case_id=case_id,
        reason="超期不办，推诿扯皮",
        actor_key_id="k_leader",
        now=now,
        zone=settings.timing.zone,
        reference=settings.reference,
        notices=settings.assessment_policy.notices,
        notifications=settings.notification_policy,
        api_url="https://minsheng.example",
    )


async def rows(db: Database, model: type) -> list:
    async with db.session() as session:
        return list((await session.exec(select(model))).all())


async def test_a_marking_is_stored_once_with_its_notice_and_notifications(db: Database, settings: Settings) -> None:
    await load(db, known_rows())
    mark = await db.write(lambda s: inaction.mark_case(s, marking(settings, "C4", OCTOBER)))
    assert (mark.unit_code, mark.month, mark.actor_key_id, mark.reason) == (
        "yatou",
        MONTH,
        "k_leader",
        "超期不办，推诿扯皮",
    )
    with pytest.raises(InactionRefused, match="already"):
        await db.write(lambda s: inaction.mark_case(s, marking(settings, "C4", NOVEMBER)))
    with pytest.raises(NoSuchCase):
        await db.write(lambda s: inaction.mark_case(s, marking(settings, "C404", OCTOBER)))
    [notice] = await rows(db, NoticeRow)
    assert (notice.key, notice.month, notice.unit_code) == (mark.notice_key, MONTH, "yatou")
    assert "崖头街道" in notice.markdown and "超期不办，推诿扯皮" in notice.markdown and notice.pdf.startswith(b"%PDF")
    notes = await rows(db, OutboxRow)
    assert [n.recipient for n in notes] == ["yatou", "yatou:leader", "city_leadership", "discipline_commission"]
    assert {n.body["notice_pdf"] for n in notes} == {f"https://minsheng.example/v1/notices/{mark.notice_key}.pdf"}


async def test_the_assessment_counts_a_marking_in_its_own_month_only(db: Database, settings: Settings) -> None:
    await load(db, known_rows())
    activities = AssessmentActivities(
        db, settings.reference, settings.timing, settings.assessment_policy, settings.indicator_policy
    )
    env = ActivityEnvironment()
    await env.run(activities.assess_month, AssessMonthInput(month="2026-09"))
    await db.write(lambda s: inaction.mark_case(s, marking(settings, "C4", OCTOBER)))
    await db.write(lambda s: inaction.mark_case(s, marking(settings, "C1", NOVEMBER)))  # counts in November
    await env.run(activities.assess_month, AssessMonthInput(month=MONTH))

    async def yatou(month: str):
        async with db.session() as session:
            result = await assessment.stored_assessment(session, month)
        assert result is not None
        return next(u for u in result.units if u.unit == "yatou")

    october = await yatou(MONTH)
    # 11.88 without it (see test_assessment_workflow), one case at 0.5.
    assert {r.code: r.points for r in october.reasons}[
        ReasonCode.typical_inaction
    ] == -settings.assessment_policy.inaction.per_case
    assert str(october.score) == "11.38"
    # A leader's re-run of September after the marking: September had none, and still has none.
    await env.run(activities.assess_month, AssessMonthInput(month="2026-09", rerun_id=999))
    september = await yatou("2026-09")
    assert ReasonCode.typical_inaction not in {r.code for r in september.reasons}
    # A re-run of October still counts October's marking only, not November's.
    await env.run(activities.assess_month, AssessMonthInput(month=MONTH, rerun_id=999))
    assert (await yatou(MONTH)).score == october.score


class Flaky:
    """Fails the n-th send (1-based), then works."""

    def __init__(self, fail_at: int | None = None) -> None:
        self.calls = 0
        self.fail_at = fail_at
        self.sent: list[str] = []

    async def send(self, item: OutboxRow) -> None:
        self.calls += 1
        if self.calls == self.fail_at:
            raise ConnectionError("gateway down")
        self.sent.append(item.recipient)


async def test_each_delivery_is_recorded_once_per_recipient_through_retries(db: Database, settings: Settings) -> None:
    await load(db, known_rows())
    await db.write(lambda s: inaction.mark_case(s, marking(settings, "C4", OCTOBER)))
    first = Flaky(fail_at=2)
    assert await deliver_pending(db, first) == 1
    async with db.session() as session:
        records = {d.recipient: d for d in await outbox.deliveries_of_case(session, "C4")}
    assert {r: (d.outcome, d.attempts) for r, d in records.items()} == {
        "yatou": ("delivered", 1),
        "yatou:leader": ("failed", 1),
    }
    assert records["yatou:leader"].error == "ConnectionError: gateway down"
    assert await deliver_pending(db, Flaky()) == 3
    # A crash between sending and marking: the rows go out again, and the record is the same rows.
    await db.write(lambda s: s.exec(OutboxRow.__table__.update().values(sent_at=None)))  # type: ignore[attr-defined]
    assert await deliver_pending(db, Flaky()) == 4
    deliveries = await rows(db, DeliveryRow)
    assert len(deliveries) == 4
    assert {d.recipient: (d.kind, d.outcome, d.attempts, d.error is None) for d in deliveries} == {
        "yatou": ("typical_inaction", "delivered", 2, True),
        "yatou:leader": ("typical_inaction", "delivered", 3, True),
        "city_leadership": ("typical_inaction", "delivered", 2, True),
        "discipline_commission": ("typical_inaction", "delivered", 2, True),
    }
    assert all(d.delivered_at is not None and d.delivered_at <= d.last_attempt_at for d in deliveries)

"""Publishing the case events in order per case, on SQLite and PostgreSQL: an event whose case's
earlier event is not written yet waits for it (a case's writes may land out of order); a retried
write publishes nothing twice; an event of a case recorded before publishing began goes at once;
a citizen's texts follow their events' order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.case import SYSTEM, CaseRequestRef, CaseState, CaseStatus, DispatchInput, TimelineEvent
from domain.reference import Tier
from persistence import cases, outbox, texts
from persistence.db import Database
from persistence.models import CaseEventRow
from tests.helpers import wechat_case

T0 = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)
WAIT = timedelta(seconds=60)


async def _case(db: Database) -> CaseState:
    return await wechat_case(db, T0)


async def _published(db: Database) -> list[tuple[int, int]]:
    async with db.session() as session:
        return [(e.position or 0, e.body["seq"]) for e in await outbox.events_after(session, 0, 100)]


async def test_an_event_waits_for_its_cases_earlier_one_and_then_both_go_in_order(db: Database) -> None:
    state = await _case(db)
    first = state.receive(
        CaseRequestRef(request_id="R1", channel="wechat", content="x", address="崖头", received_at=T0, actor=SYSTEM)
    )
    second = state.dispatch(
        T0, DispatchInput(actor=SYSTEM, unit="hrss_bureau", domain="labour", matter_type="wage_arrears", tier=Tier.red)
    )
    now = datetime.now(UTC)
    await db.write(lambda s: cases.record_case_events(s, state, [second], now))  # the later write lands first
    assert await db.write(lambda s: outbox.publish_events(s, now, WAIT)) == 0
    for _ in range(2):  # the second: a retried write
        await db.write(lambda s: cases.record_case_events(s, state, [first], now))
    assert await db.write(lambda s: outbox.publish_events(s, now, WAIT)) == 2
    assert await _published(db) == [(1, 1), (2, 2)]
    assert await db.write(lambda s: outbox.publish_events(s, now, WAIT)) == 0


async def test_a_gap_that_never_fills_holds_its_case_back_only_so_long(db: Database) -> None:
    state = await _case(db)
    state.receive(
        CaseRequestRef(request_id="R1", channel="wechat", content="x", address="崖头", received_at=T0, actor=SYSTEM)
    )
    lost = state.dispatch(
        T0, DispatchInput(actor=SYSTEM, unit="hrss_bureau", domain="labour", matter_type="wage_arrears", tier=Tier.red)
    )
    now = datetime.now(UTC)
    await db.write(lambda s: cases.record_case_events(s, state, [lost], now))
    assert await db.write(lambda s: outbox.publish_events(s, now + WAIT / 2, WAIT)) == 0
    assert await db.write(lambda s: outbox.publish_events(s, now + WAIT * 2, WAIT)) == 1


async def test_a_case_recorded_before_publishing_began_is_not_held_back(db: Database) -> None:
    state = await _case(db)
    old = state.receive(
        CaseRequestRef(request_id="R1", channel="wechat", content="x", address="崖头", received_at=T0, actor=SYSTEM)
    )
    await db.write(
        lambda s: s.add(
            CaseEventRow(case_id="C1", seq=old.seq, at=T0, kind=old.kind, status=old.status.value, actor_role="system")
        )
    )
    new = state.dispatch(
        T0, DispatchInput(actor=SYSTEM, unit="hrss_bureau", domain="labour", matter_type="wage_arrears", tier=Tier.red)
    )
    now = datetime.now(UTC)
    await db.write(lambda s: cases.record_case_events(s, state, [new], now))
    assert await db.write(lambda s: outbox.publish_events(s, now, WAIT)) == 1


async def test_a_citizens_texts_go_in_their_events_order_whichever_write_lands_first(db: Database) -> None:
    state = await _case(db)
    received = state.receive(
        CaseRequestRef(request_id="R1", channel="wechat", content="x", address="崖头", received_at=T0, actor=SYSTEM)
    )
    # The reply's write (an update's) and the callbacks planned after it (the main loop's) race.
    replied = TimelineEvent(
        seq=2, at=T0, kind="replied", status=CaseStatus.replied, actor=SYSTEM, detail={"result": "已处理"}
    )
    planned = TimelineEvent(seq=3, at=T0, kind="callbacks_planned", status=CaseStatus.replied, actor=SYSTEM)
    state.seq = 3
    now = datetime.now(UTC)

    async def due() -> list[str]:
        await db.write(lambda s: outbox.publish_events(s, now, WAIT))
        async with db.session() as session:
            return [row.subject for row, _ in await texts.due_texts(session, now, 10)]

    await db.write(lambda s: cases.record_case_events(s, state, [received, planned], now))
    assert await due() == ["acknowledgement"]  # the visit's notice waits for the reply's
    await db.write(lambda s: cases.record_case_events(s, state, [replied], now))
    assert await due() == ["acknowledgement", "reply", "callback_notice"]

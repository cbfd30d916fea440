"""The rates a city is judged by, from known rows (figures worked out by hand), per unit, town,
domain and the city, on SQLite and PostgreSQL; the daily ranking storing them and weighing them
under the shipped and the three-rate profile; and the targets watched after it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select
from temporalio.testing import WorkflowEnvironment

from activities.ranking import RankingActivities, WatchInput
from domain.indicators import Period, RankingInput, Scope, load_indicator_policy, period_bounds
from domain.targets import Rate, Target, TargetPolicy
from minsheng.settings import Settings
from persistence import ranking
from persistence.db import Database
from persistence.models import CaseRow, OutboxRow, TargetBreachRow
from tests.helpers import ROOT, SHANGHAI
from tests.scenarios.ranking import DAY, load, run_ranking
from tests.scenarios.rates import rate_rows
from worker import build_worker

pytestmark = pytest.mark.timeout(90)


async def counts_of(db: Database, scope: Scope) -> dict[str, tuple[int, ...]]:
    start, end = period_bounds(DAY, Period.day, SHANGHAI)
    async with db.session() as session:
        counts = await ranking.unit_counts(session, start, end, scope)
    return {
        key: (
            c.accepted_in_time,
            c.acceptance_slips,
            c.solved,
            c.partly_solved,
            c.not_solved,
            c.citizen_clocked,
            c.citizen_on_time,
            c.closed,
            c.resolved_first_time,
            c.answered_first_contact,
        )
        for key, c in counts.items()
    }


async def test_the_rates_per_unit_town_domain_and_city(db: Database) -> None:
    await load(db, rate_rows())
    # (in time, acceptance slips, solved, partly, not solved, clocked, on time, closed, first time, answered)
    # yatou: K1 signed in time, K2 after its slip; K2's second round counts (partly solved); K5, a
    # suggestion, in nothing. chengxi: K3 in time, K6's slip. K4, answered by the centre, has no unit.
    assert await counts_of(db, Scope.unit) == {
        "yatou": (1, 1, 1, 1, 0, 2, 1, 2, 1, 0),
        "chengxi": (1, 1, 1, 0, 0, 1, 1, 1, 1, 0),
    }
    assert await counts_of(db, Scope.city) == {"city": (2, 2, 3, 1, 0, 4, 3, 4, 3, 1)}
    assert await counts_of(db, Scope.town) == {
        "yatou": (1, 1, 2, 1, 0, 3, 2, 3, 2, 1),
        "chengxi": (1, 1, 1, 0, 0, 1, 1, 1, 1, 0),
    }
    assert await counts_of(db, Scope.domain) == {
        "labour": (1, 1, 2, 1, 0, 3, 2, 3, 2, 1),
        "urban_rural_construction": (1, 1, 1, 0, 0, 1, 1, 1, 1, 0),
    }


async def test_the_ranking_stores_the_rates_and_weighs_them_by_profile(
    time_env: WorkflowEnvironment, db: Database, settings: Settings
) -> None:
    await load(db, rate_rows())
    async with build_worker(time_env.client, settings, db):
        await run_ranking(
            time_env.client, settings, RankingInput(day=DAY, catch_up_days=0), record_as="ranking_watched_targets"
        )
    async with db.session() as session:
        rows = {r.unit_code: r for r in await ranking.ranking(session, DAY, "day", None)}
    y = rows["yatou"]
    assert (y.response_rate, y.resolution_rate, y.citizen_on_time_rate, y.first_contact_rate) == (0.5, 0.75, 0.5, 0.5)
    # The shipped profile: satisfaction 70% (K1 and K2's last round satisfied: 1.0), return 10% (none).
    assert y.score == pytest.approx((0.7 * 1.0 + 0.1 * 1.0) / 0.8)
    # Stored and computed again now from the same answers: identical.
    start, end = period_bounds(DAY, Period.day, SHANGHAI)
    async with db.session() as session:
        again = await ranking.unit_counts(session, start, end)
    assert again["yatou"].model_dump(exclude={"unit"}) == {
        k: getattr(y, k) for k in again["yatou"].model_dump(exclude={"unit"})
    }

    # The same day under the three-rate profile (Beijing): response, resolution, satisfaction.
    beijing = load_indicator_policy(ROOT / "config" / "examples" / "ranking-three-rates.yaml")
    settings.__dict__["indicator_policy"] = beijing
    async with build_worker(time_env.client, settings, db):
        await run_ranking(time_env.client, settings, RankingInput(day=DAY, catch_up_days=0))
    async with db.session() as session:
        rows = {r.unit_code: r for r in await ranking.ranking(session, DAY, "day", None)}
    assert rows["yatou"].score == pytest.approx(0.34 * 1.0 + 0.33 * 0.75 + 0.33 * 0.5)
    c = rows["chengxi"]  # satisfaction 1.0 (basically satisfied counts), resolution 1.0, response 0.5
    assert c.score == pytest.approx(0.34 + 0.33 + 0.33 * 0.5)
    assert [u for u in ("chengxi", "yatou") if rows[u].rank_all] == ["chengxi", "yatou"]
    assert rows["chengxi"].rank_all < rows["yatou"].rank_all  # type: ignore[operator]


async def _breaches(db: Database) -> list[tuple[str, str, float, str | None]]:
    async with db.session() as session:
        rows = (await session.exec(select(TargetBreachRow).order_by(TargetBreachRow.id))).all()
    return [
        (r.target, r.scope_key, round(r.last_value, 4), r.recovered_on and r.recovered_on.isoformat()) for r in rows
    ]


async def _alerts(db: Database) -> list[tuple[str, str]]:
    async with db.session() as session:
        rows = (await session.exec(select(OutboxRow).order_by(OutboxRow.id))).all()
    return [(r.recipient, r.subject) for r in rows if r.dedupe_key.startswith("target:")]


async def test_a_target_breached_over_its_window_alerts_once_until_it_recovers(
    db: Database, settings: Settings
) -> None:
    await load(db, rate_rows())
    on_time = Target(name="on_time_closure", rate=Rate.citizen_on_time, at_least=0.95, window_days=7, min_count=2)
    watcher = RankingActivities(
        db,
        settings.reference,
        settings.timing,
        settings.indicator_policy,
        TargetPolicy(targets=(on_time,)),
        settings.notification_policy,
    )
    # yatou: 1 of 2 on time; the city 3 of 4; chengxi 1 of 1, too few to tell.
    watched = await watcher.watch_targets(WatchInput(day=DAY))
    assert (watched.opened, watched.recovered) == (["on_time_closure:yatou", "on_time_closure:city"], [])
    assert await _breaches(db) == [("on_time_closure", "yatou", 0.5, None), ("on_time_closure", "city", 0.75, None)]
    alerts = await _alerts(db)
    assert sorted(r for r, _ in alerts) == ["centre", "centre", "city_leadership", "city_leadership", "yatou"]
    assert "on_time_closure: yatou at 50.0% over 7 days (target ≥ 95%)" in {s for _, s in alerts}

    # The next day, the same window's cases: still below, no second alert.
    watched = await watcher.watch_targets(WatchInput(day=DAY + timedelta(days=1)))
    assert (watched.opened, watched.recovered) == ([], []) and len(await _alerts(db)) == 5
    # A day before one already watched is not watched again.
    assert (await watcher.watch_targets(WatchInput(day=DAY))).opened == []

    # K2 corrected (it was on time after all): yatou and the city are back at the line.
    async with db.session() as session:
        row = await session.get(CaseRow, "K2")
        assert row is not None
        row.citizen_on_time = True
        session.add(row)
    watched = await watcher.watch_targets(WatchInput(day=DAY + timedelta(days=2)))
    assert sorted(watched.recovered) == ["on_time_closure:city", "on_time_closure:yatou"]
    day = (DAY + timedelta(days=2)).isoformat()
    assert [b[3] for b in await _breaches(db)] == [day, day] and len(await _alerts(db)) == 5

"""The console's reads and accounts on both databases (the browser tests run on SQLite only): a
unit's inbox, the figures' case lists (the current ones and a period's), and a person's session from sign-in to lock-out, guesses in parallel counted."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from temporalio.testing import WorkflowEnvironment

from minsheng.settings import Settings
from persistence import console
from persistence.console import CaseQuery
from persistence.db import Database
from services import accounts
from tests.helpers import UNCLEAR, new_request, submit, wait_for_event, wait_for_status
from worker import build_worker


async def test_a_units_inbox_and_the_figures_lists_read_the_same_cases(
    own_time_env: WorkflowEnvironment, db: Database, settings: Settings
) -> None:
    # Its own server: the shared one's clock runs ahead, and the deadline counted below is on it.
    env = own_time_env
    async with build_worker(env.client, settings, db):
        dispatched = (await submit(db, env.client, settings)).case_id
        queued = (await submit(db, env.client, settings, new_request(UNCLEAR))).case_id
        await wait_for_status(db, dispatched, "dispatched")
        await wait_for_event(db, queued, "classified")
    now = datetime.now(UTC)
    async with db.session() as session:
        inbox = await console.unit_inbox(session, "hrss_bureau", now, timedelta(days=1), limit=100)
        other = await console.unit_inbox(session, "yatou", now, timedelta(days=1), limit=100)
        open_cases = await console.find_cases(session, CaseQuery(open=True), now, limit=10)
        received = await console.count_cases(session, CaseQuery(status="received"), now)
        mine = await console.count_cases(session, CaseQuery(open=True, unit="hrss_bureau"), now)
        # The cases behind a day's figures: received both; none closed, replied, accepted or slipped yet.
        day = {
            on: await console.count_cases(session, CaseQuery(on=on, start=now - timedelta(days=1), end=now), now)
            for on in ("received", "closed", "replied", "responded", "slip")
        }
        due = await console.count_cases(session, CaseQuery(on="due", start=now, end=now + timedelta(days=365)), now)
    assert [case.id for case, _ in inbox.new] == [dispatched]
    assert inbox.new[0][1] is not None and inbox.new[0][1].content.startswith("公司拖欠工资")
    assert not (other.new or other.in_hand or other.overdue or other.soon or other.summoned)
    assert {case.id for case, _ in open_cases} == {dispatched, queued}
    assert (received, mine) == (1, 1)
    assert day == {"received": 2, "closed": 0, "replied": 0, "responded": 0, "slip": 0}
    assert due == 1  # the dispatched case's deadline


async def test_a_session_lives_while_used_and_repeated_failures_lock_the_account(
    db: Database, settings: Settings
) -> None:
    policy = settings.sign_in_policy
    await accounts.add_user(db, settings.reference, "li", "人社局李强", "unit", "hrss_bureau", "correct horse battery")
    signed = await accounts.sign_in(db, "li", "correct horse battery", policy)
    assert signed is not None and signed.user.unit_code == "hrss_bureau"
    assert (await accounts.session_user(db, signed.token, policy)) is not None
    await accounts.sign_out(db, signed.token)
    assert await accounts.session_user(db, signed.token, policy) is None

    # Guesses sent at once each count (none reads the count another is about to raise).
    guesses = [accounts.sign_in(db, "li", f"wrong password {n}", policy) for n in range(policy.max_failures)]
    assert await asyncio.gather(*guesses) == [None] * policy.max_failures
    # Locked: even the right password is refused until the lock-out ends.
    assert await accounts.sign_in(db, "li", "correct horse battery", policy) is None

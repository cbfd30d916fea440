"""Recorded histories replay on the current workflow code: a change that would break open or
archived cases fails here (guard it with ``workflow.patched``)."""

from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory

from minsheng.replay import replay_history
from minsheng.temporal import case_workflow_id
from tests.helpers import HISTORIES

RECORDED = sorted(HISTORIES.glob("*.json"))


def test_the_recorded_cases_are_there() -> None:
    assert {
        "case_full_lifecycle.json",  # recorded before colour-tier deadlines existed
        "case_returned_redispatched.json",  # likewise
        "case_red_supervised.json",  # deadlines and all four slips, under a policy in seconds
        "case_closed_deadlines_at_dispatch.json",  # deadlines in the first write
        "case_whistled_and_rated.json",  # two summonses: a response rated, a decline upheld
        "case_closed_after_callback_visit.json",  # the visit an activity through the agents' queue
        "case_three_citizens_visited.json",  # two requests joined; a number that cannot be dialled
        "case_reopened_then_satisfied.json",  # dissatisfied → reopened (重办) → satisfied
        "case_reopened_then_dissatisfied.json",  # dissatisfied twice: closed as dissatisfied
        "ranking_caught_up.json",  # the daily ranking filling in two missed days
        "assessment_backfilled.json",  # the monthly assessment backfilling two missed months, a child per month
        "case_merged_by_hand.json",  # split out of a case, then merged back into it by a dispatcher
        "case_split_then_merged_into.json",  # ... the case it left and came back to
        "case_late_joiners.json",  # joined after the close; one more refused, given its own case
        "case_before_continue_as_new.json",  # a case joined again and again, then continued as new
        "case_continued_as_new.json",  # ... and the run after it, carrying its 21 requests
        "assessment_started_follow_ups.json",  # a month's step starting an interview's and a referral's follow-up
        "follow_up_overdue_then_rectified.json",  # an interview held, overdue, reminded once, rectified late
        "case_answered_at_first_contact.json",  # a consultation answered on the call, visited, closed without a unit
        "case_reopened_not_solved.json",  # basically satisfied but not solved → reopened → solved
        "case_suggestion_forwarded.json",  # a suggestion: dispatched for information, closed, no deadline
        "ranking_watched_targets.json",  # the daily ranking, then the targets watched over their windows
        "case_archive_exported_and_erased.json",  # the archive run: nothing left to export, a case erased past retention
        "case_anonymous_no_callback.json",  # an anonymous request: replied, closed with no callback visit
        "event_delivery_retried_and_replayed.json",  # a subscription's delivery rounds, one retried
    } <= {p.name for p in RECORDED}


@pytest.mark.parametrize("path", RECORDED, ids=[p.stem for p in RECORDED])
async def test_recorded_history_replays(path: Path) -> None:
    history = WorkflowHistory.from_json(case_workflow_id(path.stem), path.read_text())
    await replay_history(history)

"""Monthly accountability (pure): notices, interviews, referrals and their streaks."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.accountability import (
    AccountabilityInput,
    MonthAccountability,
    Step,
    hold_accountable,
)
from domain.assessment import AccountabilityPolicy, NoticeLine
from tests.scenarios.months import POLICY, month_result, stored

# Six towns and four departments; satisfaction alone is P. Worst three towns: ningjin, chengxi,
# yatou (in that order); worst three departments: power, water, transport.


def steps(result: MonthAccountability) -> dict[str, list[tuple[Step, int]]]:
    out: dict[str, list[tuple[Step, int]]] = {}
    for a in result.actions:
        out.setdefault(a.unit, []).append((a.step, a.streak))
    return out


def test_a_first_month_gives_public_notices_to_the_bottom_three_of_each_kind() -> None:
    result = hold_accountable(AccountabilityInput(assessment=month_result("2026-03"), history=()))
    # transport (P 95 within D组's 93..98: 12.10) is third from the bottom of the departments and
    # lost no points: named all the same, as the report names the bottom 3 every month.
    assert steps(result) == {
        "ningjin": [(Step.public_notice, 1)],
        "chengxi": [(Step.public_notice, 1)],
        "yatou": [(Step.public_notice, 1)],
        "power": [(Step.public_notice, 1)],
        "water": [(Step.public_notice, 1)],
        "transport": [(Step.public_notice, 1)],
    }
    assert [e.unit for e in result.bottom.entries] == ["ningjin", "chengxi", "yatou", "power", "water", "transport"]
    # ningjin: P 80, 8 under 88 → −4; +0.15 volume → 8.15, last of 6.
    assert (result.bottom.entries[0].score, result.bottom.entries[0].rank) == (Decimal("8.15"), 6)


def test_a_standard_points_line_is_a_citys_addition() -> None:
    # With the line set, transport (12.10, above the 12 standard points) is not named.
    line = POLICY.model_copy(update={"accountability": AccountabilityPolicy(line=NoticeLine.standard_points)})
    result = hold_accountable(AccountabilityInput(assessment=month_result("2026-03", line), history=()))
    assert "transport" not in steps(result)
    assert len(result.bottom.entries) == 5


def test_streaks_run_over_the_year_boundary() -> None:
    history = (stored("2025-12", "ningjin", "chengxi"), stored("2025-11", "ningjin"))
    result = hold_accountable(AccountabilityInput(assessment=month_result("2026-01"), history=history))
    assert steps(result)["ningjin"] == [(Step.public_notice, 3), (Step.discipline_referral, 3)]
    assert steps(result)["chengxi"] == [(Step.public_notice, 2), (Step.interview, 2)]
    assert steps(result)["yatou"] == [(Step.public_notice, 1)]
    referral = next(a for a in result.actions if a.step is Step.discipline_referral)
    assert [e.month for e in referral.evidence] == ["2025-11", "2025-12", "2026-01"]
    assert referral.evidence[-1].score == Decimal("8.15")
    assert referral.key == "2026-01:ningjin:discipline_referral"


def test_a_fourth_month_in_a_row_refers_again_with_the_whole_streak() -> None:
    history = tuple(stored(m, "ningjin") for m in ("2025-10", "2025-11", "2025-12"))
    result = hold_accountable(AccountabilityInput(assessment=month_result("2026-01"), history=history))
    assert steps(result)["ningjin"] == [(Step.public_notice, 4), (Step.discipline_referral, 4)]
    assert len(next(a for a in result.actions if a.step is Step.discipline_referral).evidence) == 4


def test_a_month_without_an_assessment_breaks_the_streak() -> None:
    # 2026-02 was never assessed: the January membership does not carry over to March.
    history = (stored("2026-01", "ningjin"), stored("2025-12", "ningjin"))
    result = hold_accountable(AccountabilityInput(assessment=month_result("2026-03"), history=history))
    assert steps(result)["ningjin"] == [(Step.public_notice, 1)]


def test_a_month_out_of_the_bottom_breaks_the_streak() -> None:
    history = (stored("2026-02", "chengxi"), stored("2026-01", "ningjin"))
    assert steps(hold_accountable(AccountabilityInput(assessment=month_result("2026-03"), history=history)))[
        "ningjin"
    ] == [(Step.public_notice, 1)]


def test_a_policy_change_keeps_the_stored_months_as_judged_then() -> None:
    # February was judged under a policy with a bottom of 5: renhe and shidao were in it then, and
    # it is not recomputed. March's policy has a bottom of 4 and no line: renhe (P 94, 12.15) is 4th
    # from the bottom, so in it for the 2nd month running; shidao (P 95, 12.55) is out, its streak ends.
    march_policy = POLICY.model_copy(
        update={
            "accountability": AccountabilityPolicy(bottom=4, line=NoticeLine.none, interview_after=2, referral_after=3)
        }
    )
    history = (stored("2026-02", "renhe", "shidao", "yatou", "chengxi", "ningjin"),)
    result = hold_accountable(AccountabilityInput(assessment=month_result("2026-03", march_policy), history=history))
    assert steps(result)["renhe"] == [(Step.public_notice, 2), (Step.interview, 2)]
    assert "shidao" not in steps(result)


def test_later_months_in_the_history_are_ignored_and_a_rerun_is_identical() -> None:
    history = (stored("2026-02", "ningjin"), stored("2025-12", "ningjin"))  # February: after January
    first = hold_accountable(AccountabilityInput(assessment=month_result("2026-01"), history=history))
    assert steps(first)["ningjin"] == [(Step.public_notice, 2), (Step.interview, 2)]
    again = hold_accountable(AccountabilityInput(assessment=month_result("2026-01"), history=tuple(reversed(history))))
    assert again == first
    assert MonthAccountability.model_validate_json(first.model_dump_json()) == first
    assert len({a.key for a in first.actions}) == len(first.actions)


def test_a_month_twice_in_the_history_is_refused() -> None:
    with pytest.raises(ValueError, match="appears twice"):
        AccountabilityInput(assessment=month_result("2026-01"), history=(stored("2025-12"), stored("2025-12")))

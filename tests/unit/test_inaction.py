"""Typical inaction (典型不作为) and the notification recipients: the rules, the assessment's
deduction, the notice as a reader sees it, and config/notifications.yaml."""

from __future__ import annotations

import re
import shutil
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from domain.assessment import AssessmentInput, ReasonCode, assess_month
from domain.inaction import CaseStep, InactionRefused, missed_deadlines, month_counted, unit_held
from domain.notifications import DEFAULT_NOTIFICATIONS, NotificationKind, load_notification_policy
from domain.reference import ReferenceDataError, load_reference
from reports.inaction import InactionNoticeInput, render_inaction_notice
from reports.notices import NoticeDocument
from tests.helpers import ROOT, assert_embedded_cjk_font, pdf_tool
from tests.scenarios.months import NOTICES, ONLY_SATISFACTION, POLICY, unit

ZONE = ZoneInfo("Asia/Shanghai")
T = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)  # 09:00 in Rongcheng


def at(hours: float) -> datetime:
    return T.fromtimestamp(T.timestamp() + hours * 3600, UTC)


def test_a_marking_counts_in_the_month_it_was_made_in_the_citys_zone() -> None:
    # 30 Nov 17:00 UTC is 1 Dec 01:00 in Rongcheng: December's assessment.
    assert month_counted(datetime(2026, 11, 30, 17, 0, tzinfo=UTC), ZONE) == "2026-12"
    assert month_counted(datetime(2026, 11, 30, 15, 59, tzinfo=UTC), ZONE) == "2026-11"


def test_a_case_is_marked_once_and_only_against_a_unit() -> None:
    assert unit_held("yatou", already_marked=False) == "yatou"
    with pytest.raises(InactionRefused, match="already"):
        unit_held("yatou", already_marked=True)
    with pytest.raises(InactionRefused, match="never dispatched"):
        unit_held(None, already_marked=False)


def steps() -> tuple[CaseStep, ...]:
    due = at(24).isoformat()
    return (
        CaseStep(seq=1, at=T, kind="received", actor_role="intake"),
        CaseStep(
            seq=2,
            at=at(0.1),
            kind="dispatched",
            actor_role="system",
            detail={"unit": "yatou", "tier": "red", "matter_type": "wage_arrears"},
        ),
        CaseStep(seq=3, at=at(0.1), kind="deadlines", actor_role="system", detail={"due_at": due, "round": "1"}),
        CaseStep(
            seq=4,
            at=at(1.1),
            kind="slip",
            actor_role="system",
            detail={"kind": "reminder", "trigger": "acceptance", "unit": "yatou", "due_at": due},
        ),
        CaseStep(
            seq=5,
            at=at(24),
            kind="slip",
            actor_role="system",
            detail={"kind": "supervision", "trigger": "deadline", "unit": "yatou", "due_at": due},
        ),
    )


def test_the_missed_deadlines_are_the_slips_of_the_timeline_in_order() -> None:
    missed = missed_deadlines(tuple(reversed(steps())))
    assert [(m.slip, m.trigger, m.unit) for m in missed] == [
        ("reminder", "acceptance", "yatou"),
        ("supervision", "deadline", "yatou"),
    ]
    assert missed[1].due_at == at(24)


def notice() -> NoticeDocument:
    return render_inaction_notice(
        InactionNoticeInput(
            case_id="20261102-abc",
            unit="yatou",
            unit_name="崖头街道",
            month="2026-11",
            reason="群众反映欠薪问题，承办单位超期不签收、不办理，推诿扯皮",
            marked_at=at(30),
            issued_on=date(2026, 11, 3),
            tier="red",
            matter_type="拖欠工资",
            steps=steps(),
            unit_names={"yatou": "崖头街道"},
            zone="Asia/Shanghai",
            policy=POLICY.notices,
        )
    )


def test_the_notice_tells_the_cases_timeline_the_unit_and_what_it_missed() -> None:
    doc = notice()
    md = doc.markdown
    assert doc.title == "关于崖头街道典型不作为问题的通报"
    assert doc.key == "2026-11:yatou:typical_inaction:20261102-abc"
    assert md.startswith("# 关于崖头街道典型不作为问题的通报")
    assert NOTICES["recipients"] in md
    # The timeline: each step with its local time and unit.
    assert "| 2026年11月2日 09:00 | 受理诉求 |" in md
    assert "| 2026年11月2日 09:06 | 派单 | 崖头街道 | 派至崖头街道，红色等级 |" in md
    assert "应于2026年11月3日 09:00前办结" in md
    # What was missed, with the slips it brought.
    assert "| 崖头街道 | 未按时签收 | 2026年11月3日 09:00 | 提示单 | 2026年11月2日 10:06 |" in md
    assert "| 崖头街道 | 超过办理时限仍未办结 | 2026年11月3日 09:00 | 督办单 | 2026年11月3日 09:00 |" in md
    assert "崖头街道被下发提示单1张、督办单1张" in md
    assert "2026年11月月度考核中扣分" in md
    assert "推诿扯皮" in md and "荣成市社会治理服务中心" in md and "2026年11月3日" in md


def test_the_notice_pdf_is_a_pdf_with_the_same_text(tmp_path: Path) -> None:
    pdf = notice().pdf
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert_embedded_cjk_font(pdf)
    text = pdf_tool("pdftotext", pdf)
    for phrase in ("典型不作为问题的通报", "崖头街道", "督办单", "推诿扯皮"):
        assert phrase in text
    assert notice().pdf == pdf


def test_the_assessment_deducts_for_typical_inaction_within_its_cap() -> None:
    # 150 cases → B组, P 90 within the band: 12 + 0.15 volume; 0.5 per case, at most 2.
    result = assess_month(
        AssessmentInput(
            month="2026-11",
            policy=POLICY,
            indicator_policy=ONLY_SATISFACTION,
            units=(
                unit("yatou", 150, 90, 10, inaction_cases=1),
                unit("chengxi", 150, 90, 10, inaction_cases=5),
                unit("ningjin", 150, 90, 10),
            ),
        )
    )
    by_unit = {u.unit: u for u in result.units}
    line = next(r for r in by_unit["yatou"].reasons if r.code is ReasonCode.typical_inaction)
    assert line.points == Decimal("-0.50") and "典型不作为案件1件" in line.text
    assert by_unit["yatou"].score == Decimal("11.65")
    assert by_unit["chengxi"].score == Decimal("10.15")  # capped at 2
    assert ReasonCode.typical_inaction not in {r.code for r in by_unit["ningjin"].reasons}
    assert by_unit["ningjin"].score == Decimal("12.15")


def test_the_shipped_recipients_are_the_reports() -> None:
    policy = load_notification_policy(ROOT / "config" / "notifications.yaml")
    assert policy == DEFAULT_NOTIFICATIONS
    assert policy.recipients("reminder", "yatou") == ["yatou"]
    assert policy.recipients("supervision", "yatou") == ["yatou", "city_leadership", "discipline_commission"]
    assert policy.recipients("warning", "yatou") == ["yatou", "city_leadership", "discipline_commission"]
    assert policy.recipients(NotificationKind.typical_inaction, "yatou") == [
        "yatou",
        "yatou:leader",
        "city_leadership",
        "discipline_commission",
    ]
    load_reference(ROOT / "config")  # the folder stays whole


@pytest.mark.parametrize(
    ("edit", "named"),
    [
        ("reminder: [unit, mayor]", "recipients.reminder[1]"),
        ("reminder: []", "recipients.reminder: Value error, list at least one recipient"),
        ("reminder: [unit, unit]", "recipients.reminder: Value error, unit listed twice"),
        ("reminders: [unit]\n  reminder: [unit]", "recipients.reminders: Extra inputs"),
    ],
)
def test_a_bad_recipients_file_names_the_file_the_kind_and_the_recipient(tmp_path: Path, edit: str, named: str) -> None:
    shutil.copy(ROOT / "config" / "notifications.yaml", tmp_path / "notifications.yaml")
    path = tmp_path / "notifications.yaml"
    path.write_text(
        re.sub(r"^  reminder: .*$", "  " + edit, path.read_text(encoding="utf-8"), flags=re.M), encoding="utf-8"
    )
    with pytest.raises(ReferenceDataError) as error:
        load_notification_policy(path)
    assert str(path) in str(error.value) and named in str(error.value)

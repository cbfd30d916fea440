"""Notice documents (Markdown and PDF), the analysis of whole classes of problems, and its charts."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date

import pytest

from domain.accountability import AccountabilityInput, Step, hold_accountable
from domain.analysis import AnalysisInput, MatterMonth, analyse
from domain.assessment import AnalysisPolicy
from reports.charts import (
    dissatisfaction_chart,
    domain_on_time_chart,
    domain_satisfaction_chart,
    domain_share_chart,
    rising_chart,
)
from reports.documents import Heading, Paragraph, Table, Title, render_html
from reports.notices import (
    NoticeDocument,
    NoticeInput,
    NoticeStatus,
    WithdrawalInput,
    render_notice,
    render_withdrawal,
)
from tests.helpers import assert_embedded_cjk_font, pdf_tool
from tests.scenarios.months import month_result, stored

JANUARY = month_result("2026-01")


def notices() -> dict[Step, NoticeDocument]:
    """ningjin's notice and referral (3 months running) and chengxi's interview (2 months)."""
    history = (stored("2025-12", "ningjin", "chengxi"), stored("2025-11", "ningjin"))
    result = hold_accountable(AccountabilityInput(assessment=JANUARY, history=history))
    picked = [a for a in result.actions if (a.unit == "ningjin") != (a.step is Step.interview)]
    return {a.step: render_notice(NoticeInput(action=a, policy=JANUARY.policy)) for a in picked}


def test_a_public_notice_in_markdown() -> None:
    doc = notices()[Step.public_notice]
    assert doc.title == "关于对ningjin2026年1月民生诉求办理工作予以通报批评的通报"
    assert doc.filename == "2026-01-ningjin-public_notice" and doc.key == "2026-01:ningjin:public_notice"
    md = doc.markdown
    assert md.startswith(f"# {doc.title}\n")
    assert "各镇（街道）、市直各有关部门：" in md
    assert "月度考核得分8.15分（满分14分），在镇街中列第6名，处于后3名，现予以通报批评。" in md
    assert "| 满意率 | 80.00%（满意80、基本满意0、不满意20，未接通0） |" in md
    assert "| 低于基准线 | -4.00 | 绩效得分80.00低于镇街B组基准线88，差8.00个百分点" in md
    assert "| 2025年11月 | 镇街B组 | 9.00 | 6/6 |" in md  # the streak's evidence
    assert "2026年2月1日" in md and "10个工作日内" in md


def test_interview_and_referral_texts() -> None:
    docs = notices()
    assert "已连续2个月处于镇街后3名" in docs[Step.interview].markdown
    assert "由分管市领导约谈chengxi主要负责人" in docs[Step.interview].markdown
    referral = docs[Step.discipline_referral].markdown
    assert "已连续3个月处于镇街后3名" in referral and "移交市纪委监委" in referral


def test_the_pdf_is_a_chinese_pdf_with_its_font_and_the_same_every_time() -> None:
    doc = notices()[Step.discipline_referral]
    pdf = doc.pdf
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert_embedded_cjk_font(pdf)
    assert "CreationDate:    Sun Feb  1 00:00:00 2026 UTC" in pdf_tool("pdfinfo", pdf)
    assert notices()[Step.discipline_referral].pdf == pdf
    assert NoticeDocument.model_validate_json(doc.model_dump_json()) == doc
    text = pdf_tool("pdftotext", pdf)
    # Latin letters in their own proportional forms, not wide glyphs ("n i n g j i n").
    assert "关于将ningjin民生诉求办理问题移交市纪委监委的函" in text
    assert re.search(r"第\s*1\s*页\s*共\s*2\s*页", text) and re.search(r"第\s*2\s*页\s*共\s*2\s*页", text)


def test_only_titles_headings_and_table_headers_are_bold() -> None:
    blocks = [Title("通报"), Heading("一、情况"), Paragraph("现予以通报批评。"), Table(("单位",), (("崖头街道",),))]
    html = render_html("通报", blocks, date(2026, 2, 1))
    assert '<p class="indent">现予以通报批评。</p>' in html
    assert "<h1>通报</h1>" in html and "<h2>一、情况</h2>" in html and "<th>单位</th>" in html
    assert "<td>崖头街道</td>" in html and "<b>" not in html
    fonts = pdf_tool("pdffonts", notices()[Step.public_notice].pdf)
    assert "Noto-Serif-CJK-SC-Bold" in fonts and re.search(r"\+Noto-Serif-CJK-SC ", fonts)


def test_a_correction_is_marked_and_dated_as_issued() -> None:
    history = (stored("2025-12", "ningjin", "chengxi"), stored("2025-11", "ningjin"))
    action = hold_accountable(AccountabilityInput(assessment=JANUARY, history=history)).actions[0]
    first = render_notice(NoticeInput(action=action, policy=JANUARY.policy, issued_on=date(2026, 2, 1)))
    again = render_notice(
        NoticeInput(
            action=action, policy=JANUARY.policy, revision=2, issued_on=date(2026, 2, 9), replaces=date(2026, 2, 1)
        )
    )
    assert (first.revision, first.status, "更正" in first.markdown) == (1, NoticeStatus.issued, False)
    assert (again.revision, again.status) == (2, NoticeStatus.corrected)
    assert again.title.endswith("（更正）") and again.filename.endswith("-r2")
    assert "本件更正2026年2月1日印发的同号文件（第1版），原件作废" in again.markdown
    assert "2026年2月9日" in again.markdown and "第2版" in again.markdown
    assert "CreationDate:    Mon Feb  9 00:00:00 2026 UTC" in pdf_tool("pdfinfo", again.pdf)
    gone = render_withdrawal(
        WithdrawalInput(
            action=action, policy=JANUARY.policy, revision=3, issued_on=date(2026, 2, 20), replaces=date(2026, 2, 9)
        )
    )
    assert gone.status is NoticeStatus.withdrawn and gone.title.startswith("关于撤销《")
    assert "【撤销】" in gone.markdown and "2026年2月9日印发的" in gone.markdown and "第2版）予以撤销" in gone.markdown
    assert "予以撤销" in pdf_tool("pdftotext", gone.pdf)


# ---- analysis and charts ----

NAMES = {
    "labour": "劳动和社会保障",
    "wages": "拖欠工资",
    "contract": "劳动合同纠纷",
    "property": "物业服务",
    "fees": "物业收费",
    "yatou": "崖头街道",
    "chengxi": "城西街道",
}


def mm(month: str, domain: str, matter: str, town: str | None, requests: int, **extra: int) -> MatterMonth:
    return MatterMonth(month=month, domain=domain, matter_type=matter, town=town, requests=requests, **extra)


FIGURES = (
    # Three months before the period's last one, for the rising rule.
    mm("2025-10", "labour", "wages", "yatou", 4),
    mm("2025-11", "labour", "wages", "yatou", 6),
    mm("2025-12", "labour", "wages", "yatou", 8, satisfied=6, dissatisfied=2, replied=8, on_time=6),
    mm(
        "2025-12",
        "property",
        "fees",
        "chengxi",
        12,
        satisfied=9,
        basically_satisfied=1,
        dissatisfied=2,
        replied=10,
        on_time=10,
    ),
    # January: wages in yatou 9 ≥ 1.5 × mean(4, 6, 8) = 9 and ≥ 10? No: 9 < 10 requests.
    mm("2026-01", "labour", "wages", "yatou", 9, satisfied=5, dissatisfied=4, replied=9, on_time=9),
    # fees in chengxi: 30 ≥ 1.5 × mean(0, 0, 12) = 6, and ≥ 10: rising.
    mm("2026-01", "property", "fees", "chengxi", 30, satisfied=20, dissatisfied=5, replied=20, on_time=15),
    mm("2026-01", "labour", "contract", "chengxi", 10, satisfied=10),  # new: rising from nothing
    mm("2026-01", "labour", "wages", None, 11, dissatisfied=1),  # town unknown: the city's figures only
)


def analysis():
    return analyse(
        AnalysisInput(
            first_month="2025-12", last_month="2026-01", policy=AnalysisPolicy(), names=NAMES, figures=FIGURES
        )
    )


def test_shares_satisfaction_and_on_time_month_by_month() -> None:
    a = analysis()
    assert a.months == ("2025-12", "2026-01") and a.total_requests == (20, 60)
    labour, property_ = (next(s for s in a.domains if s.code == code) for code in ("labour", "property"))
    assert [s.code for s in a.domains] == ["property", "labour"]  # 42 requests before 38
    dec, jan = labour.months
    assert (dec.share, jan.share) == (8 / 20, 30 / 60)
    assert (dec.satisfaction, jan.satisfaction) == (6 / 8, 15 / 20)
    assert (dec.on_time_rate, jan.on_time_rate) == (6 / 8, 9 / 9)
    assert property_.months[0].satisfaction == 10 / 12  # basically satisfied counts as satisfied (b = 1)
    contract = next(s for s in a.matter_types if s.code == "contract")
    assert contract.months[0].requests == 0 and contract.months[0].satisfaction is None


def test_most_dissatisfaction() -> None:
    a = analysis()
    # Both have 7 dissatisfied answers over the period: the lower satisfaction first, wages
    # 11/18 before fees 30/37 (basically satisfied counted as satisfied). contract has none.
    assert [(m.matter_type, m.dissatisfied, m.answered) for m in a.most_dissatisfied] == [
        ("wages", 7, 18),
        ("fees", 7, 37),
    ]
    assert (a.most_dissatisfied[0].satisfaction, a.most_dissatisfied[1].satisfaction) == (11 / 18, 30 / 37)


def test_rising_is_exact_at_the_factor() -> None:
    a = analysis()
    # contract in chengxi rises from nothing (first), fees 30 against a mean of 4; wages in yatou,
    # 9 against a mean of 6, reaches the factor but not min_requests 10.
    assert [(r.town, r.matter_type, r.requests, r.previous) for r in a.rising] == [
        ("chengxi", "contract", 10, (0, 0, 0)),
        ("chengxi", "fees", 30, (0, 0, 12)),
    ]
    lower = AnalysisPolicy.model_validate({"rising": {"min_requests": 9}})
    again = analyse(
        AnalysisInput(first_month="2026-01", last_month="2026-01", policy=lower, names=NAMES, figures=FIGURES)
    )
    # wages in yatou: 9 × 3 = 27 ≥ 1.5 × 18 = 27, exactly at the factor: rising.
    assert ("yatou", "wages") in {(r.town, r.matter_type) for r in again.rising}


def test_charts_are_valid_svg_with_chinese_labels() -> None:
    a = analysis()
    for svg in (
        domain_share_chart(a),
        domain_satisfaction_chart(a),
        domain_on_time_chart(a),
        dissatisfaction_chart(a),
        rising_chart(a),
    ):
        root = ET.fromstring(svg)
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        assert root.find("{http://www.w3.org/2000/svg}title") is not None
    share = ET.fromstring(domain_share_chart(a))
    texts = [t.text for t in share.iter("{http://www.w3.org/2000/svg}text")]
    assert "劳动和社会保障" in texts and "物业服务" in texts and "2026-01" in texts
    assert len(list(share.iter("{http://www.w3.org/2000/svg}polyline"))) == 2
    rising = ET.fromstring(rising_chart(a))
    assert "城西街道·物业收费" in [t.text for t in rising.iter("{http://www.w3.org/2000/svg}text")]
    assert domain_share_chart(a) == domain_share_chart(analysis())


def test_a_period_backwards_is_refused() -> None:
    with pytest.raises(ValueError, match="before first_month"):
        AnalysisInput(first_month="2026-02", last_month="2026-01", policy=AnalysisPolicy(), names={}, figures=())


def test_rate_charts_span_the_values_and_shares_start_at_zero() -> None:
    a = analysis()
    # Satisfaction lies between 75% and 83.3%: the axis runs 74%–84%, so the months are told apart.
    satisfaction = [
        t.text for t in ET.fromstring(domain_satisfaction_chart(a)).iter("{http://www.w3.org/2000/svg}text")
    ]
    assert "74%" in satisfaction and "84%" in satisfaction and "0%" not in satisfaction and "100%" not in satisfaction
    share = [t.text for t in ET.fromstring(domain_share_chart(a)).iter("{http://www.w3.org/2000/svg}text")]
    assert "0%" in share

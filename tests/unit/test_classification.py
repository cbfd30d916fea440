"""Keyword classification and location routing (pure; no Temporal, no database); the trained
classifier is tested in test_textclassifier.py."""

from domain.classification import classify, locate_town
from domain.reference import ReferenceData, Tier


def test_wage_arrears_go_to_the_labour_bureau(reference: ReferenceData) -> None:
    result = classify("公司拖欠工资三个月不发，老板联系不上", "崖头街道成山大道100号", None, None, reference, 0.5)
    assert (result.domain, result.matter_type, result.unit) == ("labour", "wage_arrears", "hrss_bureau")
    assert result.tier is Tier.yellow
    assert result.confident


def test_village_affairs_go_to_the_town_of_the_address(reference: ReferenceData) -> None:
    result = classify("村里账目不公开，村干部优亲厚友", "人和镇院夼村", None, None, reference, 0.5)
    assert result.domain == "village_affairs"
    assert result.unit == "renhe"


def test_the_grid_decides_the_town_before_the_address(reference: ReferenceData) -> None:
    assert locate_town("崖头街道某小区", "DS-03-12", reference) == "dongshan"
    assert locate_town("崖头街道某小区", None, reference) == "yatou"
    assert locate_town("不知道在哪", None, reference) is None


def test_the_longest_place_name_wins(reference: ReferenceData) -> None:
    # 崖头街道 (4 characters) against 成山 (2) inside the road name 成山大道.
    assert locate_town("崖头街道成山大道88号", None, reference) == "yatou"


def test_town_matter_with_no_known_town_waits_for_a_dispatcher(reference: ReferenceData) -> None:
    result = classify("村务公开不及时，村账看不到", "不详", None, None, reference, 0.5)
    assert result.matter_type is not None
    assert result.unit is None and not result.confident
    assert "names no town" in result.reason


def test_nothing_recognisable_waits_for_a_dispatcher(reference: ReferenceData) -> None:
    result = classify("我想咨询一下", "崖头街道", None, None, reference, 0.5)
    assert result.matter_type is None and not result.confident
    assert result.confidence == 0.0


def test_a_gas_leak_is_red(reference: ReferenceData) -> None:
    result = classify("楼道里有很重的煤气味，怀疑燃气泄漏", "崖头街道华侨社区3号楼", None, None, reference, 0.5)
    assert result.tier is Tier.red and result.confident


def test_a_category_hint_breaks_a_tie(reference: ReferenceData) -> None:
    without = classify("路灯不亮，井盖丢了", "崖头街道", None, None, reference, 0.5)
    with_hint = classify("路灯不亮，井盖丢了", "崖头街道", None, without.matter_type, reference, 0.5)
    assert with_hint.matter_type == without.matter_type
    assert with_hint.confidence > without.confidence


def test_the_threshold_is_the_citys_setting(reference: ReferenceData) -> None:
    text = "路灯不亮，井盖丢了"
    assert not classify(text, "崖头街道", None, None, reference, 0.99).confident

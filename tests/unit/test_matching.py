"""Merging repeat submissions (pure): the same matter merges, look-alikes and other problems do not."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bench.merging import agreement, load_corrections
from domain.matching import (
    MatchPolicy,
    PlaceIndex,
    Submission,
    affinity,
    best_match,
    content_bigrams,
    distance_m,
    likeness,
    load_match_policy,
    submission_of,
    text_bar,
)
from domain.reference import ReferenceDataError, load_reference
from domain.text import bigrams, dice, normalise
from domain.textmodel import NaiveBayes
from tests.helpers import ROOT

T0 = datetime(2026, 11, 24, 9, tzinfo=UTC)
POLICY = MatchPolicy()
# 华润小区 in 崖头街道, and a compound 2 km east.
HERE, THERE = (37.1650, 122.4860), (37.1650, 122.5085)


def req(
    content: str,
    at: timedelta = timedelta(0),
    place: tuple[float, float] | None = HERE,
    matter: str | None = "water_outage",
    address: str = "崖头街道华润小区",
    grid: str | None = None,
) -> Submission:
    lat, lon = place if place else (None, None)
    return Submission(content, address, T0 + at, lat, lon, grid, matter)


def test_text_is_compared_by_character_bigrams_of_normalised_text() -> None:
    assert normalise("小区停水了！！ＡＢＣ 123") == "小区停水了abc123"
    assert dice(bigrams("小区停水三天了"), bigrams("小区已经停水三天")) > 0.6
    assert dice(bigrams("小区停水"), bigrams("楼下噪音扰民")) == 0.0
    assert 1990 < distance_m(*HERE, *THERE) < 2000


def test_a_paraphrase_at_the_same_place_the_next_day_merges() -> None:
    case = req("华润小区从昨天早上开始停水，到现在还没来水")
    new = req("我们华润小区一直没水，已经一天了，什么时候恢复供水", at=timedelta(days=1), place=(37.1655, 122.4862))
    found = best_match(new, [("C1", case)], POLICY)
    assert found is not None and found.case_id == "C1" and found.place == "58 m"


def test_the_same_complaint_two_kilometres_away_is_another_matter() -> None:
    case = req("小区停水一整天了，没人通知")
    assert best_match(req("小区停水一整天了，没人通知", place=THERE), [("C1", case)], POLICY) is None


def test_another_problem_at_the_same_compound_is_another_matter() -> None:
    case = req("小区门口垃圾堆了一个星期没人清运", matter="garbage_collection")
    new = req("小区门口晚上施工噪音太大", matter="construction_noise")
    assert best_match(new, [("C1", case)], POLICY) is None


def test_too_long_ago_is_another_matter() -> None:
    case = req("华润小区停水")
    assert best_match(req("华润小区停水", at=timedelta(days=40)), [("C1", case)], POLICY) is None


def test_without_coordinates_the_grid_or_the_address_decides() -> None:
    case = req("小区停水两天", place=None, grid="YT-03-12")
    assert best_match(req("停水两天了", place=None, grid="YT-03-12"), [("C1", case)], POLICY) is not None
    assert best_match(req("停水两天了", place=None, grid="YT-03-13"), [("C1", case)], POLICY) is None
    by_address = req("小区停水两天", place=None, address="荣成市崖头街道华润小区3号楼")
    near = req("停水两天了", place=None, address="崖头街道华润小区3号楼附近")
    assert best_match(near, [("C1", by_address)], POLICY) is not None
    door = req("小区停水两天", place=None, address="崖头街道成山大道100号", matter="construction_noise")
    other_door = req("小区停水两天", place=None, address="崖头街道成山大道57号", matter="construction_noise")
    assert best_match(other_door, [("C1", door)], POLICY) is None  # two doors on one road


def test_the_most_similar_case_wins_and_the_index_finds_it_nearby() -> None:
    index = PlaceIndex()
    index.add("C1", req("小区停水"))
    index.add("C2", req("华润小区停水一天了没人管"))
    index.add("C3", req("华润小区停水一天了没人管", place=THERE))
    new = req("华润小区停水一天了，没人管", at=timedelta(hours=3))
    candidates = index.candidates(new)
    assert {c for c, _ in candidates} == {"C1", "C2"}
    found = best_match(new, candidates, POLICY)
    assert found is not None and found.case_id == "C2"


# A small text model: two matter types, a few words each.
MODEL = NaiveBayes()
for phrase, label in [
    ("停水", "water_outage"),
    ("不来水", "water_outage"),
    ("小区停水", "water_outage"),
    ("垃圾清运", "garbage_collection"),
    ("垃圾桶满了", "garbage_collection"),
    ("小区垃圾", "garbage_collection"),
]:
    MODEL.learn(phrase, label, 3)
SYNONYMS = MatchPolicy(synonyms={"停水": ("没水", "断水")})


def modelled(content: str, at: timedelta = timedelta(0), place: tuple[float, float] = HERE) -> Submission:
    return submission_of(content, "崖头街道华润小区", T0 + at, *place, None, MODEL)


def test_paraphrases_are_written_one_way_before_comparing() -> None:
    assert "停水" in content_bigrams("家里断水了", (), SYNONYMS.substitutions)
    plain = likeness(req("华润小区断水两天"), req("华润小区没水两天"), POLICY)
    rewritten = likeness(req("华润小区断水两天"), req("华润小区没水两天"), SYNONYMS)
    assert rewritten == 1.0 > plain
    # The channels' formulae are recognised whatever their width or brackets.
    assert content_bigrams("【省热线转办】停水", ("【省热线转办】",)) == content_bigrams("停水", ())


def test_the_place_named_in_the_text_says_nothing_about_the_problem() -> None:
    garbage = req("华润小区垃圾没人收", matter="garbage_collection")
    noise = req("华润小区晚上装修太吵", matter="noise_nuisance", at=timedelta(hours=2))
    assert dice(garbage.text(POLICY).keys(), noise.text(POLICY).keys()) > 0.2  # type: ignore[arg-type]
    assert likeness(garbage, noise, POLICY) == 0.0
    assert best_match(noise, [("C1", garbage)], POLICY) is None


def test_rare_words_count_more_than_everyday_ones() -> None:
    rarity = MODEL.rarity.weights
    assert rarity["停水"] > rarity.get("小区", 0.0) and "已经" not in rarity
    # Sharing the telling word beats sharing everyday ones, once the words are weighed.
    a, b = modelled("早上开始停水已经很久"), modelled("家里停水", at=timedelta(hours=1))
    unweighted = likeness(req(a.content), req(b.content), POLICY)
    assert likeness(a, b, POLICY) > unweighted


def test_a_request_carries_what_the_text_model_makes_of_it() -> None:
    s = modelled("家里不来水了")
    assert s.matter_type == "water_outage" == s.likely[0][0]
    assert abs(sum(p for _, p in s.likely) - 1) < 1e-9 and s.rarity is MODEL.rarity


def test_related_matter_types_lower_the_bar_and_unrelated_ones_do_not() -> None:
    policy = MatchPolicy(related_matter_affinity=0.3, related_matter_similarity=0.05, different_matter_similarity=0.4)
    call = req("村里停水了一点水都没有", matter="water_outage")
    call = Submission(**{**call.__dict__, "likely": (("water_outage", 0.6), ("village_benefits", 0.4))})
    note = req("东楮岛村村民家中停水未恢复", matter="village_benefits", at=timedelta(hours=3))
    note = Submission(**{**note.__dict__, "likely": (("village_benefits", 0.55), ("water_outage", 0.45))})
    assert affinity(call, note) > 0.9 and text_bar(call, note, policy) == 0.05
    assert 0.05 <= likeness(call, note, policy) < 0.4
    assert best_match(note, [("C1", call)], policy) is not None
    # The same words, but the model sees two matters with nothing in common: the high bar.
    sure = Submission(**{**call.__dict__, "likely": (("water_outage", 1.0),)})
    other = Submission(**{**note.__dict__, "likely": (("village_benefits", 1.0),)})
    assert affinity(sure, other) == 0.0 and text_bar(sure, other, policy) == 0.4
    assert best_match(other, [("C1", sure)], policy) is None


def test_the_policy_file_is_validated_field_by_field(tmp_path: Path) -> None:
    shipped = load_match_policy(ROOT / "config" / "merging.yaml")
    assert shipped.synonyms and shipped.substitutions[0][0] and 0 < shipped.related_matter_affinity <= 1
    cases = {
        "synonyms:\n  停水: [没水]\n  断水: [没水]\n": "synonyms",
        "synonyms:\n  停水: [没 水]\n": "synonyms",
        "synonyms:\n  停水: ['']\n": "synonyms",
        "related_matter_affinity: 1.5\n": "related_matter_affinity",
        "unknown_gram_weight: -1\n": "unknown_gram_weight",
    }
    for text, field in cases.items():
        path = tmp_path / "merging.yaml"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(ReferenceDataError, match=field):
            load_match_policy(path)


def test_dispatchers_corrections_are_pairs_the_matcher_is_measured_on(tmp_path: Path) -> None:
    """An export of GET /v1/merge-corrections: a split the matcher keeps apart, a manual merge it
    makes, and one whose counterpart is gone (left out)."""

    def seen(request_id: str, content: str, hours: int) -> dict[str, object]:
        return {
            "request_id": request_id,
            "content": content,
            "address": "崖头街道华润小区",
            "grid": None,
            "lat": HERE[0],
            "lon": HERE[1],
            "received_at": (T0 + timedelta(hours=hours)).isoformat(),
        }

    water = seen("R1", "华润小区从昨天早上开始停水，到现在还没来水", 0)
    items = [
        seen("R2", "小区门口晚上施工噪音太大，影响休息", 2) | {"kind": "split", "counterpart": water},
        seen("R3", "我们华润小区一直没水，已经一天了，什么时候恢复供水", 5) | {"kind": "merge", "counterpart": water},
        seen("R4", "小区停水", 6) | {"kind": "merge", "counterpart": None},
    ]
    export = tmp_path / "corrections.json"
    export.write_text(json.dumps({"items": items}, ensure_ascii=False))
    corrections = load_corrections(export, load_reference(Path("config")))
    assert [c.kind for c in corrections] == ["split", "merge"]
    assert agreement(corrections, load_match_policy(Path("config/merging.yaml"))) == {
        "splits": 1,
        "splits_kept_apart": 1,
        "merges": 1,
        "merges_made": 1,
    }
    # Thresholds that merge anything at one place undo the dispatcher's split.
    lax = MatchPolicy(
        same_matter_similarity=0.0,
        different_matter_similarity=0.0,
        related_matter_similarity=0.0,
        unknown_matter_similarity=0.0,
    )
    assert agreement(corrections, lax)["splits_kept_apart"] == 0

"""Merging repeat submissions (pure): the same matter merges, look-alikes and other problems do not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.matching import MatchPolicy, PlaceIndex, Submission, best_match, distance_m
from domain.text import bigrams, dice, normalise

T0 = datetime(2026, 11, 24, 9, tzinfo=UTC)
POLICY = MatchPolicy()
# 华润小区 in 崖头街道, and a compound 2 km east.
HERE, THERE = (37.1650, 122.4860), (37.1650, 122.5085)


def req(content: str, at: timedelta = timedelta(0), place: tuple[float, float] | None = HERE, matter: str | None = "water_outage",
        address: str = "崖头街道华润小区", grid: str | None = None) -> Submission:  # fmt: skip
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

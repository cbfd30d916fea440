"""Merging several submissions of one matter (一事多投): is a new request the same matter as a case?

Same matter means the same problem at the same place at about the same time, so the matcher asks
three questions in order, cheapest and most decisive first:

1. **Place.** Within ``within_meters`` when both have coordinates; else the same grid cell; else
   addresses that name the same place (character bigrams of the normalised address, Dice ≥
   ``address_similarity``). A look-alike complaint elsewhere is never the same matter.
2. **Time.** The case was received within ``window_days`` before the request, and is open.
3. **Text.** Character bigrams of the content (short Chinese complaints have no word boundaries;
   bigrams carry most of their meaning), with common paraphrases written one way (``synonyms``:
   没水 / 断水 → 停水) and without the channels' formulae, and without the words of either
   address: the place is settled already, and naming it says nothing of the problem (noise and
   garbage at 华润小区 share 华润小区). The rest are compared by Dice weighted by each bigram's
   rarity over the catalogue's matter types (``Rarity``: 停水 tells more than 已经 or 小区;
   bigrams the catalogue never uses weigh ``unknown_gram_weight``). The bar depends on the text
   model (``TextModel``: the dispatch classifier's reading): ``same_matter_similarity`` when it gives both the same matter
   type; ``related_matter_similarity`` when its distributions overlap (``affinity`` ≥
   ``related_matter_affinity``: a grid worker's note it reads as village affairs and a resident's
   call it reads as a water cut, each with the other's type among its likely ones); else
   ``different_matter_similarity`` (noise and garbage at one compound are two matters).

Two requests naming different building numbers, or addresses with different door numbers, are
at two places, unless the matter is area-wide (a water cut reported from several buildings is
one matter).

Why not MinHash/LSH: place is a necessary condition, so candidates are looked up by place (the
database's index on a coarse geo cell, or grid, or town), which leaves a handful of cases to
compare; exact Dice on a handful costs microseconds and never misses a pair an LSH band would.
The thresholds are a policy (``config/merging.yaml``), tuned on the labelled set in ``bench/``.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field, field_validator

from domain.reference import parse_yaml
from domain.text import bigrams, dice, normalise
from domain.textmodel import Rarity

EARTH_RADIUS_M = 6_371_000.0
CELL_DEGREES = 0.005
"""A geo cell about 550 m north–south (less east–west at this latitude): a place's neighbours
within a few hundred metres are in its cell or the eight around it."""


class MatchPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    within_meters: float = Field(default=150, gt=0, le=5000)
    window_days: int = Field(default=10, ge=1, le=90)
    closed_within_days: int = Field(default=3, ge=0, le=30)
    """A case closed this many days ago still takes repeat submissions (their citizens get its
    reply and a visit); 0: only open cases do."""
    address_similarity: float = Field(default=0.6, gt=0, le=1)
    same_matter_similarity: float = Field(default=0.0, ge=0, le=1)
    different_matter_similarity: float = Field(default=0.2, ge=0, le=1)
    unknown_matter_similarity: float = Field(default=0.35, ge=0, le=1)
    related_matter_affinity: float = Field(default=0.01, gt=0, le=1)
    """Overlap of the text model's distributions (Bhattacharyya over their likely matter types)
    from which two different matter types count as related; 1 turns the middle bar off."""
    related_matter_similarity: float = Field(default=0.2, ge=0, le=1)
    unknown_gram_weight: float = Field(default=0.3, ge=0, le=10)
    """Weight of a bigram the catalogue never uses (everyday words, names); the catalogue's own
    weigh from 0 (in every matter type's words) to about 4.4 (in one's)."""
    synonyms: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    """Common paraphrases, written one way before the texts are compared: canonical → variants."""
    boilerplate: tuple[str, ...] = ()
    """Phrases of the channels' own formulae (来电人反映, 诉求, 请相关部门…), left out of the text
    comparison: two unrelated complaints typed by one hotline share them."""
    area_wide_matter_types: tuple[str, ...] = ()
    """Matter types that affect a whole compound (a water cut): reports from different buildings
    are one matter. For the others, two different building numbers are two places."""

    @field_validator("synonyms")
    @classmethod
    def _one_way_each(cls, table: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        seen: dict[str, str] = {}
        for canonical, variants in table.items():
            for phrase in (canonical, *variants):
                if not phrase or normalise(phrase) != phrase:
                    raise ValueError(f"{phrase!r} under {canonical!r}: only Chinese characters, digits, a-z")
            for variant in variants:
                if variant in table:
                    raise ValueError(f"{variant!r} under {canonical!r} is itself a canonical phrase")
                if variant in seen:
                    raise ValueError(f"{variant!r} is under both {seen[variant]!r} and {canonical!r}")
                seen[variant] = canonical
        return table

    @cached_property
    def substitutions(self) -> tuple[tuple[str, str], ...]:
        """(variant, canonical) pairs of ``synonyms``, longest variant first (灯不亮 before 不亮)."""
        pairs = ((v, canonical) for canonical, variants in self.synonyms.items() for v in variants)
        return tuple(sorted(pairs, key=lambda p: -len(p[0])))


def load_match_policy(path: Path) -> MatchPolicy:
    return parse_yaml(MatchPolicy, path)


_ADDRESS_NOISE = re.compile(r"(山东省|威海市|荣成市|附近|旁边|对面|门口|这边|那边)")


FEATURE_CACHE = 50_000
"""Texts whose features are kept: an API process compares each new request with the open cases
around it, the same few thousand texts again and again (measured: 30 µs a comparison uncached)."""


@lru_cache(maxsize=FEATURE_CACHE)
def address_bigrams(address: str) -> frozenset[str]:
    return bigrams(_ADDRESS_NOISE.sub("", address))


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))


def geo_cell(lat: float, lon: float) -> int:
    """The coarse cell a point lies in, as one integer the database indexes."""
    return math.floor(lat / CELL_DEGREES) * 100_000 + math.floor(lon / CELL_DEGREES)


def neighbour_cells(lat: float, lon: float) -> list[int]:
    row, col = math.floor(lat / CELL_DEGREES), math.floor(lon / CELL_DEGREES)
    return [(row + dr) * 100_000 + (col + dc) for dr in (-1, 0, 1) for dc in (-1, 0, 1)]


_BUILDING = re.compile(r"(\d+)\s*(?:号楼|#楼|栋|幢)|^[^\d]*?(\d+)-\d+$")


_HOUSE = re.compile(r"(\d+)号(?!楼)")


@lru_cache(maxsize=FEATURE_CACHE)
def house_numbers(address: str) -> frozenset[int]:
    """Door numbers an address names (成山大道100号), not building numbers (7号楼)."""
    return frozenset(int(n) for n in _HOUSE.findall(unicodedata.normalize("NFKC", address)))


@lru_cache(maxsize=FEATURE_CACHE)
def buildings(text: str) -> frozenset[int]:
    """Building numbers a text names: 7号楼, 7#楼, 7栋, or an address ending 7-2 (building 7, unit 2)."""
    return frozenset(int(a or b) for a, b in _BUILDING.findall(unicodedata.normalize("NFKC", text)))


@lru_cache(maxsize=16)
def _formulae(boilerplate: tuple[str, ...]) -> re.Pattern[str] | None:
    return re.compile("|".join(re.escape(normalise(p)) for p in boilerplate)) if boilerplate else None


@lru_cache(maxsize=16)
def _rewriter(substitutions: tuple[tuple[str, str], ...]) -> re.Pattern[str] | None:
    return re.compile("|".join(re.escape(v) for v, _ in substitutions)) if substitutions else None


@lru_cache(maxsize=FEATURE_CACHE)
def content_bigrams(
    content: str, boilerplate: tuple[str, ...], substitutions: tuple[tuple[str, str], ...] = ()
) -> frozenset[str]:
    """Bigrams of the content, paraphrases written one way, without the channels' formulae.
    Paraphrases first: a formula with a typo (来电人反应) is then recognised too."""
    text = normalise(content)
    if rewriter := _rewriter(substitutions):
        canonical = dict(substitutions)
        text = rewriter.sub(lambda m: canonical[m.group()], text)
    formulae = _formulae(boilerplate)
    return bigrams(formulae.sub(" ", text) if formulae else text)


@lru_cache(maxsize=FEATURE_CACHE)
def weighted_bigrams(
    content: str,
    boilerplate: tuple[str, ...],
    substitutions: tuple[tuple[str, str], ...],
    rarity: Rarity | None,
    unknown: float,
) -> Mapping[str, float]:
    """``content_bigrams`` with their weights: rarity for the bigrams the catalogue uses,
    ``unknown`` for the others; all 1 without a text model."""
    grams = content_bigrams(content, boilerplate, substitutions)
    if rarity is None:
        return dict.fromkeys(grams, 1.0)
    return {g: rarity.weights.get(g, unknown) for g in grams}


@dataclass(frozen=True)
class Submission:
    """What the matcher compares: one request, or a case through one of its requests."""

    content: str
    address: str
    received_at: datetime
    lat: float | None = None
    lon: float | None = None
    grid: str | None = None
    matter_type: str | None = None
    likely: tuple[tuple[str, float], ...] = ()
    """The text model's most likely matter types with their probabilities, most likely first."""
    rarity: Rarity | None = None
    """The text model's bigram weights; without them every bigram weighs the same."""

    def text(self, policy: MatchPolicy) -> Mapping[str, float]:
        return weighted_bigrams(
            self.content, policy.boilerplate, policy.substitutions, self.rarity, policy.unknown_gram_weight
        )

    @property
    def buildings(self) -> frozenset[int]:
        return buildings(self.content) | buildings(self.address)

    @property
    def house_numbers(self) -> frozenset[int]:
        return house_numbers(self.address)


class TextModel(Protocol):
    """What the matcher asks of a text model: a text's likely matter types, most likely first
    (remembered: the same open cases' texts come up with every new request), and how telling each
    bigram is. The trained classifier's reading (``domain/textclassifier.MatchingModel``), or the
    catalogue's naive Bayes alone."""

    @property
    def likely(self) -> Callable[[str], tuple[tuple[str, float], ...]]: ...

    @property
    def rarity(self) -> Rarity: ...


def submission_of(
    content: str,
    address: str,
    received_at: datetime,
    lat: float | None,
    lon: float | None,
    grid: str | None,
    model: TextModel,
) -> Submission:
    """A new request as the matcher sees it, with what the text model makes of it: the matter
    type it finds most likely (two reports of one matter get the same one even when neither
    uses the catalogue's words: recall 0.64 → 0.77 at the same precision on the labelled set),
    the next likely ones, and its bigrams' rarity."""
    likely = model.likely(content)
    return Submission(content, address, received_at, lat, lon, grid, likely[0][0], likely, model.rarity)


class MatchFound(BaseModel):
    case_id: str
    similarity: float
    place: str
    """How the place matched: ``"120 m"``, ``"grid YT-03-12"`` or ``"address"``."""


def same_place(a: Submission, b: Submission, policy: MatchPolicy) -> str | None:
    if not {a.matter_type, b.matter_type} & set(policy.area_wide_matter_types):
        for mine, theirs in ((a.buildings, b.buildings), (a.house_numbers, b.house_numbers)):
            if mine and theirs and not mine & theirs:
                return None
    if a.lat is not None and a.lon is not None and b.lat is not None and b.lon is not None:
        metres = distance_m(a.lat, a.lon, b.lat, b.lon)
        return f"{metres:.0f} m" if metres <= policy.within_meters else None
    if a.grid and b.grid:
        return f"grid {a.grid}" if a.grid == b.grid else None
    if dice(address_bigrams(a.address), address_bigrams(b.address)) >= policy.address_similarity:
        return "address"
    return None


def likeness(a: Submission, b: Submission, policy: MatchPolicy) -> float:
    """Weighted Dice of the two texts' bigrams, leaving out the words of either address."""
    place = address_bigrams(a.address) | address_bigrams(b.address)
    mine, theirs = a.text(policy), b.text(policy)
    shared = sum(w + theirs[g] for g, w in mine.items() if g in theirs and g not in place)
    total = sum(w for g, w in mine.items() if g not in place) + sum(w for g, w in theirs.items() if g not in place)
    return shared / total if total else 0.0


def affinity(a: Submission, b: Submission) -> float:
    """How much the text model's distributions over matter types overlap (Bhattacharyya
    coefficient over their likely ones): 1 alike, 0 nothing in common."""
    theirs = dict(b.likely)
    return sum(math.sqrt(p * theirs[m]) for m, p in a.likely if m in theirs)


def text_bar(a: Submission, b: Submission, policy: MatchPolicy) -> float:
    if a.matter_type is None or b.matter_type is None:
        return policy.unknown_matter_similarity
    if a.matter_type == b.matter_type:
        return policy.same_matter_similarity
    if affinity(a, b) >= policy.related_matter_affinity:
        return policy.related_matter_similarity
    return policy.different_matter_similarity


def best_match(new: Submission, cases: list[tuple[str, Submission]], policy: MatchPolicy) -> MatchFound | None:
    """The case the new request belongs to, if any: the most similar of those at the same place,
    in the time window and over the text bar. ``cases`` may hold several requests of one case."""
    best: MatchFound | None = None
    window = timedelta(days=policy.window_days)
    for case_id, seen in cases:
        if not timedelta(0) <= new.received_at - seen.received_at <= window:
            continue
        place = same_place(new, seen, policy)
        if place is None:
            continue
        similarity = likeness(new, seen, policy)
        if similarity >= text_bar(new, seen, policy) and (best is None or similarity > best.similarity):
            best = MatchFound(case_id=case_id, similarity=round(similarity, 4), place=place)
    return best


class PlaceIndex:
    """Open cases by place, in memory: the geo cell of each located request, else its grid, else
    its town. ``candidates`` returns what ``best_match`` needs for a new request: the cases in its
    cell and the eight around it (or in its grid, or its town)."""

    def __init__(self) -> None:
        self._by_key: dict[object, list[tuple[str, Submission]]] = {}

    @staticmethod
    def _key(s: Submission, town: str | None) -> object:
        if s.lat is not None and s.lon is not None:
            return geo_cell(s.lat, s.lon)
        return ("grid", s.grid) if s.grid else ("town", town)

    def add(self, case_id: str, s: Submission, town: str | None = None) -> None:
        self._by_key.setdefault(self._key(s, town), []).append((case_id, s))

    def candidates(self, s: Submission, town: str | None = None) -> list[tuple[str, Submission]]:
        if s.lat is not None and s.lon is not None:
            return [c for cell in neighbour_cells(s.lat, s.lon) for c in self._by_key.get(cell, ())]
        return list(self._by_key.get(self._key(s, town), ()))

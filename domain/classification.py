"""Keyword classification of a request against the responsibility catalogue, and location routing.

Scoring is deliberately simple and explainable to a dispatcher: a matter type scores the total
length (in characters) of its keywords found in the content; a category hint naming a matter type
or domain adds a fixed bonus. Confidence combines how much matched (``coverage``) with how clearly
the best matter type beat the runner-up (``margin``).

With the text model (domain/textmodel.py, which also learns from dispatchers' manual dispatches),
a request is dispatched without a dispatcher when the model's most likely matter type is the
keywords' best one, or when the model alone is near certain. Measured on the tuning half of the
labelled set (bench/classification.py), this routes more requests than the keywords alone and
sends fewer of them to the wrong unit.
"""

from __future__ import annotations

from pydantic import BaseModel

from domain.reference import GRID_PATTERN, ReferenceData, Tier
from domain.textmodel import NaiveBayes

FULL_COVERAGE_CHARS = 4
"""Matched keyword characters that count as full evidence (one specific phrase such as 拖欠工资)."""
HINT_BONUS = 4


class Classification(BaseModel):
    """What the classifier proposes for a request; ``confident`` ones are dispatched at once."""

    domain: str | None = None
    matter_type: str | None = None
    tier: Tier | None = None
    unit: str | None = None
    town: str | None = None
    confidence: float = 0.0
    confident: bool = False
    reason: str


def locate_town(address: str, grid: str | None, reference: ReferenceData) -> str | None:
    """The town of a location: the grid's prefix first, else the longest place name in the address."""
    if grid and (match := GRID_PATTERN.match(grid)):
        for town in reference.towns:
            if town.grid_prefix == match.group(1):
                return town.code
    best: tuple[int, str] | None = None
    for town in reference.towns:
        for keyword in town.address_keywords:
            if keyword in address and (best is None or len(keyword) > best[0]):
                best = (len(keyword), town.code)
    return best[1] if best else None


def _hint_matches(hint: str, matter_code: str, reference: ReferenceData) -> bool:
    matter = reference.matter_types[matter_code]
    domain = reference.domains[reference.domain_of[matter_code]]
    return hint in (matter.code, matter.name, domain.code, domain.name)


def classify(
    content: str,
    address: str,
    grid: str | None,
    category_hint: str | None,
    reference: ReferenceData,
    threshold: float,
    model: NaiveBayes | None = None,
    model_threshold: float = 1.0,
) -> Classification:
    """Propose domain, matter type, tier and responsible unit for one request: by the keywords,
    checked by the text model when there is one."""
    keywords = _by_keywords(content, address, grid, category_hint, reference, threshold)
    if model is None:
        return keywords
    best_code, posterior = model.predict(content)[0]
    agree = best_code == keywords.matter_type
    if not agree and posterior < model_threshold:
        return keywords.model_copy(
            update={
                "confident": False,
                "reason": f"{keywords.reason}; the text model says {best_code} ({posterior:.4f}): not sure enough",
            }
        )
    reason = (
        f"keywords and the text model agree on {best_code} (posterior {posterior:.4f})"
        if agree
        else f"the text model is sure of {best_code} (posterior {posterior:.6f}); keywords: {keywords.reason}"
    )
    confidence = round(max(posterior, keywords.confidence) if agree else posterior, 4)
    return _proposal(best_code, keywords.town, confidence, 0.0, reason, reference)


def _proposal(
    code: str, town: str | None, confidence: float, threshold: float, reason: str, reference: ReferenceData
) -> Classification:
    """The matter type's domain, tier and responsible unit; confident at the threshold when the
    catalogue names a unit (a town's matter needs the town)."""
    matter = reference.matter_types[code]
    unit = reference.unit_for(matter, town)
    return Classification(
        domain=reference.domain_of[code],
        matter_type=code,
        tier=matter.tier,
        unit=unit,
        town=town,
        confidence=confidence,
        confident=unit is not None and confidence >= threshold,
        reason=reason if unit else reason + NO_TOWN,
    )


NO_TOWN = "; the catalogue says the town of the location, and the location names no town"


def _by_keywords(
    content: str, address: str, grid: str | None, category_hint: str | None, reference: ReferenceData, threshold: float
) -> Classification:
    scores: dict[str, int] = {}
    for code, matter in reference.matter_types.items():
        score = sum(len(k) for k in matter.keywords if k in content)
        if category_hint and _hint_matches(category_hint.strip(), code, reference):
            score += HINT_BONUS
        if score:
            scores[code] = score
    town = locate_town(address, grid, reference)
    if not scores:
        return Classification(town=town, reason="no catalogue keyword found in the content")

    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    best_code, best = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0
    coverage = min(1.0, best / FULL_COVERAGE_CHARS)
    margin = (best - runner_up) / best
    confidence = round(coverage * (0.5 + 0.5 * margin), 3)

    reason = f"best {best_code} scored {best}, runner-up {runner_up}"
    return _proposal(best_code, town, confidence, threshold, reason, reference)

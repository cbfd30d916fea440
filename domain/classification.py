"""Classification of a request against the responsibility catalogue, and location routing.

With a trained classifier (domain/textclassifier.py: words, character n-grams, pinyin and the
catalogue's keywords, in a calibrated linear model), a request is dispatched without a dispatcher
when the probability of its best proposal's unit reaches the model's threshold; otherwise the
three best matter types, their scores and the words that decided wait in the dispatcher's queue.
Which model decided is part of the classification (``model``), so an auditor sees it in the case's
timeline.

Without one (tests, benchmarks of other things), the catalogue's keywords alone: a matter type
scores the total length (in characters) of its keywords found in the content, a category hint
naming a matter type or domain adds a fixed bonus, and confidence combines how much matched
(``coverage``) with how clearly the best matter type beat the runner-up (``margin``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel

from domain.reference import GRID_PATTERN, ReferenceData, Tier

if TYPE_CHECKING:  # the model's libraries load where a model is used, not in the API or a workflow
    from domain.textclassifier import TextClassifier

FULL_COVERAGE_CHARS = 4
"""Matched keyword characters that count as full evidence (one specific phrase such as 拖欠工资)."""
HINT_BONUS = 4


class Proposal(BaseModel):
    """One matter type proposed for a request: its unit there, its probability, the words that
    weighed most for it."""

    matter_type: str
    unit: str | None
    score: float
    words: list[str]


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
    model: str | None = None
    """The version of the trained classifier that decided; None: the keywords alone."""
    proposals: list[Proposal] = []
    """The best matter types for a dispatcher, with their scores and the words that decided."""


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
    model: TextClassifier | None = None,
) -> Classification:
    """Propose domain, matter type, tier and responsible unit for one request: by the trained
    classifier when there is one (with the threshold it was trained with), else by the keywords
    (``threshold``: their confidence)."""
    if model is None:
        return _by_keywords(content, address, grid, category_hint, reference, threshold)
    return classify_with(model, content, address, grid, category_hint, reference)


def classify_with(
    model: TextClassifier,
    content: str,
    address: str,
    grid: str | None,
    category_hint: str | None,
    reference: ReferenceData,
    threshold: float | None = None,
) -> Classification:
    """The trained classifier's proposal: confident when its unit's probability reaches
    ``threshold`` (None: the one chosen when the model was trained)."""
    from domain.textclassifier import PROPOSALS, unit_scores

    town = locate_town(address, grid, reference)
    hint = _hinted_matter(category_hint, reference)
    reading = model.read(content, reference, hint)
    ranked = model.probabilities(reading, reference)
    proposals = [
        Proposal(
            matter_type=code,
            unit=reference.unit_for(reference.matter_types[code], town),
            score=round(p, 4),
            words=model.deciding_words(reading, reference, code),
        )
        for code, p in ranked[:PROPOSALS]
    ]
    best = proposals[0]
    unit_p = unit_scores(ranked, town, reference)[best.unit] if best.unit else 0.0
    limit = model.threshold if threshold is None else threshold
    reason = (
        f"model {model.version}: {best.matter_type} {best.score:.3f}, unit {best.unit} {unit_p:.3f} "
        f"(threshold {limit:.3f}); words: {'、'.join(best.words) or 'none'}"
    )
    result = _proposal(best.matter_type, town, round(unit_p, 4), limit, reason, reference)
    return result.model_copy(update={"model": model.version, "proposals": proposals})


def _hinted_matter(hint: str | None, reference: ReferenceData) -> str | None:
    """The matter type a channel's category hint names (code or Chinese name), if any."""
    if not hint:
        return None
    hint = hint.strip()
    return next((code for code, m in reference.matter_types.items() if hint in (code, m.name)), None)


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

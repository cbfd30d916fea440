"""The matcher's text model of the catalogue: multinomial naive Bayes over character n-grams.

Short Chinese complaints have no spaces and many ways to say one thing; character 1–3-grams
catch shared roots (停水 / 没水 / 来水 share 水) that exact keywords miss. The model learns from the
catalogue (each matter type's name and keywords). Merging (domain/matching.py) asks it whether two
requests are of one matter type, and how telling their shared bigrams are; dispatch uses the trained
classifier instead (domain/textclassifier.py). Plain Python, no dependencies; training takes
milliseconds, prediction microseconds.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from domain.reference import ReferenceData
from domain.text import normalise

DOCUMENT_MASS = 10.0
"""The n-gram count every training example is scaled to."""
CATALOGUE_WEIGHT = 3
"""How many examples a catalogue keyword counts as: the city's own words for its matter types."""
LIKELY_LABELS = 5
"""How many of a text's most likely labels ``likely`` keeps: the rest carry next to no probability."""


def features(text: str) -> Counter[str]:
    s = normalise(text)
    return Counter(s[i : i + n] for n in (1, 2, 3) for i in range(len(s) - n + 1))


@dataclass(frozen=True, eq=False)
class Rarity:
    """How telling each character bigram the model knows is of one label: log(labels / labels
    whose training text has it). 停水 names one matter type, 小区 a dozen. Compared by identity,
    so that features weighted by one model can be cached."""

    weights: Mapping[str, float]


@dataclass
class NaiveBayes:
    alpha: float = 0.3
    counts: dict[str, dict[str, float]] = field(default_factory=dict)
    totals: dict[str, float] = field(default_factory=dict)
    examples: Counter[str] = field(default_factory=Counter)
    vocabulary: set[str] = field(default_factory=set)

    def learn(self, text: str, label: str, weight: int = 1) -> None:
        grams = features(text)
        bag = self.counts.setdefault(label, {})
        # Each example weighs the same whatever its length: a long rambling complaint must not
        # drown the catalogue's short keywords.
        share = weight * DOCUMENT_MASS / sum(grams.values())
        for gram, n in grams.items():
            bag[gram] = bag.get(gram, 0.0) + n * share
            self.totals[label] = self.totals.get(label, 0.0) + n * share
        self.vocabulary.update(grams)
        self.examples[label] += weight

    @cached_property
    def likely(self) -> Callable[[str], tuple[tuple[str, float], ...]]:
        """The ``LIKELY_LABELS`` most likely labels of a text with their probabilities, remembered:
        the matcher asks about the same open cases' texts with every new request. Train the model
        fully before asking."""
        return lru_cache(maxsize=50_000)(lambda text: tuple(self.predict(text)[:LIKELY_LABELS]))

    def best(self, text: str) -> str:
        """The most likely label of a text (remembered, as ``likely``)."""
        return self.likely(text)[0][0]

    @cached_property
    def rarity(self) -> Rarity:
        """The bigrams' rarity over the labels, computed once: train the model fully before asking."""
        holders = Counter(gram for bag in self.counts.values() for gram in bag if len(gram) == 2)
        return Rarity({gram: math.log(len(self.counts) / n) for gram, n in holders.items()})

    def predict(self, text: str) -> list[tuple[str, float]]:
        """Labels with their posterior probability, most likely first."""
        grams = features(text)
        known = {g: n for g, n in grams.items() if g in self.vocabulary}
        all_examples = sum(self.examples.values())
        v = len(self.vocabulary)
        logs = {}
        for label, bag in self.counts.items():
            denominator = math.log(self.totals[label] + self.alpha * v)
            score = math.log(self.examples[label] / all_examples)
            for gram, n in known.items():
                score += n * (math.log(bag.get(gram, 0) + self.alpha) - denominator)
            logs[label] = score
        top = max(logs.values())
        weights = {label: math.exp(s - top) for label, s in logs.items()}
        total = sum(weights.values())
        return sorted(((label, w / total) for label, w in weights.items()), key=lambda p: -p[1])


def catalogue_model(reference: ReferenceData) -> NaiveBayes:
    """Trained on each matter type's name and keywords."""
    model = NaiveBayes()
    for code, matter in reference.matter_types.items():
        for phrase in (matter.name, *matter.keywords):
            model.learn(phrase, code, CATALOGUE_WEIGHT)
    return model

"""The dispatch classifier: a linear model over how callers write, trained on dispatched cases.

A request is read four ways at once, because callers write one matter in many ways: the words
jieba segments (拖欠 / 工资), the character 1–3-grams (a typo or an unknown word still shares
characters), and the syllables' pinyin bigrams (工姿 and 工资 both read gong zi: homophone typos).
The catalogue's keywords stay as prior knowledge: one feature per matter type, the share of its
keywords found, which the model weighs like any other. A multinomial logistic regression over
them gives each matter type a probability; its temperature is fitted on cross-validated
predictions so that "0.97" is right about 97 times in 100.

A request is dispatched without a dispatcher when the probability of its best proposal's unit (the
sum over the matter types that unit handles there) reaches the model's threshold, chosen on the
same cross-validated predictions for the precision asked (95% by default). The rest wait for a
dispatcher with the three best matter types, their scores and the words that decided.

Training data: the catalogue (each matter type's name and keywords), labelled requests (a city's
years of dispatched cases, dispatchers' corrections) and, made from those requests, the variants
callers produce: an operator's "来电人反映…诉求…", dialect words, homophone typos.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

import jieba
import numpy as np
from pypinyin import lazy_pinyin

from domain.modelstore import FORMAT
from domain.reference import ReferenceData
from domain.text import normalise
from domain.textmodel import LIKELY_LABELS, NaiveBayes, Rarity, catalogue_model

PROPOSALS = 3
"""How many matter types a dispatcher is shown."""
DECIDING_WORDS = 4
C = 20.0
"""Inverse regularisation: short texts, many features; chosen on cross-validated predictions."""
FOLDS = 5
MIN_TEXTS = 4
"""Features kept: those of at least this many training texts (a request and its variants are three)."""
VARIANTS = 2
"""Noisy variants made of each labelled request for training (never of an evaluation set)."""

jieba.setLogLevel(60)  # its dictionary loads once per process, and says so at INFO

# Callers' words for common ones, and characters callers type for others of the same sound.
DIALECT = (("我们", "俺们"), ("我家", "俺家"), ("我", "俺"), ("什么", "啥"), ("怎么", "咋"), ("没有", "木有"))
HOMOPHONES = dict(
    zip(
        "资保业证积梯气房电费区楼场物价道路水修坏退补贴院部门管理",
        "姿宝页正基体器方店废曲搂厂务架到陆睡休怀腿捕铁愿步们馆里",
        strict=True,
    )
)
OPERATOR = (
    "来电人反映{text}，诉求：请尽快处理。",
    "来电人称{text}，诉求：相关部门核实解决。",
    "市民来电反映：{text}。希望有关部门给予答复。",
    "{text}，来电人要求尽快解决。",
)


@dataclass(frozen=True)
class Example:
    """A labelled request: what was written, where, and the matter type it was dispatched as."""

    text: str
    matter_type: str
    address: str = ""
    unit: str | None = None


def _keyword_shares(text: str, reference: ReferenceData) -> dict[str, float]:
    shares = {}
    for code, matter in reference.matter_types.items():
        found = sum(len(k) for k in matter.keywords if k in text)
        if found:
            shares[f"k:{code}"] = min(1.0, found / 4)
    return shares


def features(text: str, reference: ReferenceData, hint: str | None = None) -> dict[str, float]:
    """The request as the model reads it: words, character n-grams, pinyin bigrams, keywords.
    A category hint naming a matter type counts as one of its keywords found."""
    s = normalise(text)
    counts: dict[str, float] = {}
    for word in jieba.lcut(s, HMM=False):
        if len(word) > 1:
            counts["w:" + word] = counts.get("w:" + word, 0.0) + 1
    for n in (1, 2, 3):
        for i in range(len(s) - n + 1):
            gram = "c:" + s[i : i + n]
            counts[gram] = counts.get(gram, 0.0) + 1
    sounds = lazy_pinyin(s)
    for a, b in itertools.pairwise(sounds):
        counts[f"p:{a} {b}"] = counts.get(f"p:{a} {b}", 0.0) + 1
    counts.update(_keyword_shares(s, reference))
    if hint and hint in reference.matter_types:
        counts[f"k:{hint}"] = 1.0
    return counts


def variants(text: str, rng: random.Random) -> list[str]:
    """Noisy copies of a labelled request, as other callers would write it."""
    out = []
    for _ in range(VARIANTS):
        t = text
        for plain, spoken in DIALECT:
            if plain in t and rng.random() < 0.5:
                t = t.replace(plain, spoken)
        for i, ch in enumerate(t):
            if ch in HOMOPHONES and rng.random() < 0.15:
                t = t[:i] + HOMOPHONES[ch] + t[i + 1 :]
        if rng.random() < 0.5:
            t = rng.choice(OPERATOR).format(text=t.rstrip("。！!？?，, "))
        out.append(t)
    return out


def catalogue_examples(reference: ReferenceData) -> list[Example]:
    return [
        Example(phrase, code)
        for code, matter in reference.matter_types.items()
        for phrase in (matter.name, *matter.keywords)
    ]


def training_version(examples: Sequence[Example], reference: ReferenceData) -> str:
    """The model's version: a hash of what it learnt from and how, so that one training set and
    catalogue always give one version (and a shipped model can be checked against its data)."""
    digest = hashlib.sha256(f"{FORMAT}|{C}|{FOLDS}|{VARIANTS}".encode())
    for code, matter in sorted(reference.matter_types.items()):
        digest.update(f"{code}|{matter.name}|{'|'.join(matter.keywords)}|{matter.responsible}\n".encode())
    for e in examples:
        digest.update(f"{e.matter_type}|{e.address}|{e.text}\n".encode())
    return "tc-" + digest.hexdigest()[:12]


@dataclass
class TextClassifier:
    """A trained classifier: what it reads, its weights, its calibration and its threshold."""

    version: str
    labels: list[str]
    vocabulary: dict[str, int]
    """Each feature kept, and its column."""
    idf: Any
    """Each column's inverse document frequency."""
    coef: Any
    intercept: Any
    temperature: float
    threshold: float
    trained_on: dict[str, int] = field(default_factory=dict)
    dev: dict[str, Any] = field(default_factory=dict)
    """Figures on the cross-validated predictions the threshold was chosen on."""

    def warm(self) -> None:
        """Load jieba's dictionary (about a second) now, with the model, not in the first request."""
        jieba.initialize()

    @cached_property
    def names(self) -> list[str]:
        names = [""] * len(self.vocabulary)
        for name, column in self.vocabulary.items():
            names[column] = name
        return names

    def read(self, text: str, reference: ReferenceData, hint: str | None = None) -> Reading:
        """The request as this model's features, read once for its probabilities and words: the
        columns it has and their weights, as scikit-learn's TfidfTransformer(sublinear_tf) weighs
        them in training, without its per-call checks (a third of a millisecond a request)."""
        columns, weights = [], []
        for name, n in features(text, reference, hint).items():
            if (column := self.vocabulary.get(name)) is not None:
                columns.append(column)
                weights.append((1 + math.log(n)) * float(self.idf[column]))
        norm = math.sqrt(sum(w * w for w in weights)) or 1.0
        return Reading(normalise(text), np.array(columns, dtype=np.intp), np.array(weights) / norm)

    def probabilities(self, text: str | Reading, reference: ReferenceData) -> list[tuple[str, float]]:
        """Matter types with their calibrated probabilities, most likely first."""
        reading = text if isinstance(text, Reading) else self.read(text, reference)
        logits = self.coef[:, reading.columns] @ reading.weights + self.intercept
        probs = _softmax(logits / self.temperature)
        order = np.argsort(-probs)
        return [(self.labels[i], float(probs[i])) for i in order]

    def deciding_words(self, text: str | Reading, reference: ReferenceData, matter_type: str) -> list[str]:
        """The words of the text that weigh most for one matter type, as a dispatcher reads them:
        a catalogue keyword found, a word, characters; a sound stands for the characters read so."""
        reading = text if isinstance(text, Reading) else self.read(text, reference)
        weights = self.coef[self.labels.index(matter_type), reading.columns] * reading.weights
        names = self.names
        scored = sorted(((float(w), names[j]) for j, w in zip(reading.columns, weights, strict=True)), reverse=True)
        words: list[str] = []
        for weight, name in scored:
            if weight <= 0 or len(words) == DECIDING_WORDS:
                break
            for word in _written(name, reading.text, reference):
                if len(word) > 1 and not any(word in w or w in word for w in words):
                    words.append(word)
        return words[:DECIDING_WORDS]


@dataclass(frozen=True)
class Reading:
    text: str
    """The normalised text."""
    columns: Any
    weights: Any
    """Its features' columns and weights, as the model was trained."""


@lru_cache(maxsize=10_000)
def _sound(ch: str) -> str:
    return str(lazy_pinyin(ch)[0])


def _written(feature: str, s: str, reference: ReferenceData) -> list[str]:
    """The text's own characters behind a feature."""
    kind, _, value = feature.partition(":")
    if kind == "k":
        return [k for k in reference.matter_types[value].keywords if k in s]
    if kind == "p":
        sounds = [_sound(ch) for ch in s]
        pair = value.split(" ")
        return [s[i : i + 2] for i in range(len(s) - 1) if sounds[i : i + 2] == pair][:1]
    return [value]


@dataclass(eq=False)
class MatchingModel:
    """The text model merging asks (domain/matching.py): a text's likely matter types as the trained
    classifier reads them, and how telling each bigram is from the catalogue's naive Bayes. With the
    classifier's reading, the matcher merges more repeat reports and fewer different matters
    (bench/README.md, merging)."""

    classifier: TextClassifier
    reference: ReferenceData
    catalogue: NaiveBayes

    @cached_property
    def likely(self) -> Callable[[str], tuple[tuple[str, float], ...]]:
        def likely(text: str) -> tuple[tuple[str, float], ...]:
            return tuple(self.classifier.probabilities(text, self.reference)[:LIKELY_LABELS])

        return lru_cache(maxsize=50_000)(likely)

    @property
    def rarity(self) -> Rarity:
        return self.catalogue.rarity


def matching_model(classifier: TextClassifier, reference: ReferenceData) -> MatchingModel:
    return MatchingModel(classifier, reference, catalogue_model(reference))


def _softmax(z: Any) -> Any:
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def unit_scores(
    probabilities: Iterable[tuple[str, float]], town: str | None, reference: ReferenceData
) -> dict[str | None, float]:
    """The probability of each unit: the sum over the matter types it handles at that location
    (a town's matters need the town: without one they add up under None)."""
    units: dict[str | None, float] = {}
    for code, p in probabilities:
        unit = reference.unit_for(reference.matter_types[code], town)
        units[unit] = units.get(unit, 0.0) + p
    return units


def _fit(docs: list[dict[str, float]], labels: list[str]) -> tuple[Any, Any, Any]:
    # scikit-learn trains; reading a request needs only numpy (TextClassifier.read), so the API and
    # the worker do not import it.
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.feature_extraction.text import TfidfTransformer
    from sklearn.linear_model import LogisticRegression

    # A feature seen in one training text only is noise to learn from, and weight to ship.
    seen: dict[str, int] = {}
    for doc in docs:
        for name in doc:
            seen[name] = seen.get(name, 0) + 1
    vectorizer = DictVectorizer(dtype=np.float32)
    vectorizer.fit([{name: 1.0 for name, n in seen.items() if n >= MIN_TEXTS}])
    tfidf = TfidfTransformer(sublinear_tf=True)
    x = tfidf.fit_transform(vectorizer.transform(docs))
    model = LogisticRegression(C=C, max_iter=100, tol=1e-3)
    model.fit(x, labels)
    return vectorizer, tfidf, model


def _temperature(logits: Any, truth: Any) -> float:
    """The temperature that makes the cross-validated probabilities most likely (a grid search)."""
    best = (math.inf, 1.0)
    for t in np.exp(np.linspace(math.log(0.2), math.log(5.0), 61)):
        probs = _softmax(logits / t)
        loss = -float(np.log(probs[np.arange(len(truth)), truth] + 1e-12).mean())
        best = min(best, (loss, float(t)))
    return best[1]


def choose_threshold(scored: Sequence[tuple[float, bool]], precision: float) -> float:
    """The lowest unit probability at which the dispatches at or above it are right at least
    ``precision`` of the time (1.0, i.e. never automatic, when none is)."""
    ranked = sorted(scored, key=lambda s: -s[0])
    right = 0
    threshold = 1.0
    for n, (score, ok) in enumerate(ranked, 1):
        right += ok
        if right / n >= precision and (n == len(ranked) or ranked[n][0] < score):
            threshold = score
    return threshold


def train(
    examples: Sequence[Example],
    reference: ReferenceData,
    locate: Callable[[str], str | None],
    precision: float = 0.95,
    progress: Callable[[str], None] = lambda _: None,
    seed: int = 0,
) -> TextClassifier:
    """Train on the catalogue and the labelled requests (with their noisy variants).

    The temperature and the threshold come from cross-validated predictions: each labelled request
    is scored by a model trained without it (nor its variants), on ``FOLDS`` folds."""
    rng = random.Random(seed)
    base = catalogue_examples(reference)
    labelled = [e for e in examples if e.matter_type in reference.matter_types]
    noisy = [[Example(v, e.matter_type) for v in variants(e.text, rng)] for e in labelled]
    feats = {id(e): features(e.text, reference) for e in base}
    for e, vs in zip(labelled, noisy, strict=True):
        for x in (e, *vs):
            feats[id(x)] = features(x.text, reference)

    def fit(rows: list[Example]) -> tuple[Any, Any, Any]:
        return _fit([feats[id(r)] for r in rows], [r.matter_type for r in rows])

    folds = [i % FOLDS for i in range(len(labelled))]
    rng.shuffle(folds)
    index = {code: i for i, code in enumerate(sorted(reference.matter_types))}
    logits = np.full((len(labelled), len(index)), -1e3)
    if len(labelled) >= FOLDS * 2:
        for k in range(FOLDS):
            progress(f"cross-validation fold {k + 1}/{FOLDS}")
            rows = base + [x for f, e, vs in zip(folds, labelled, noisy, strict=True) if f != k for x in (e, *vs)]
            vectorizer, tfidf, model = fit(rows)
            held = [i for i, f in enumerate(folds) if f == k]
            scores = model.decision_function(
                tfidf.transform(vectorizer.transform([feats[id(labelled[i])] for i in held]))
            )
            cols = [index[c] for c in model.classes_]
            for row, i in enumerate(held):
                logits[i, cols] = scores[row]
    progress(
        f"training on {len(base)} catalogue phrases and {len(labelled)} requests (+{sum(map(len, noisy))} variants)"
    )
    vectorizer, tfidf, model = fit(base + [x for e, vs in zip(labelled, noisy, strict=True) for x in (e, *vs)])
    labels = [str(c) for c in model.classes_]
    classifier = TextClassifier(
        version=training_version(labelled, reference),
        labels=labels,
        vocabulary={str(name): int(column) for name, column in vectorizer.vocabulary_.items()},
        idf=tfidf.idf_.astype(np.float32),
        coef=model.coef_.astype(np.float32),
        intercept=model.intercept_.astype(np.float32),
        temperature=1.0,
        threshold=1.0,
        trained_on={"catalogue_phrases": len(base), "requests": len(labelled), "variants": sum(map(len, noisy))},
    )
    if len(labelled) >= FOLDS * 2:
        truth = np.array([index[e.matter_type] for e in labelled])
        classifier.temperature = _temperature(logits, truth)
        probs = _softmax(logits / classifier.temperature)
        codes = sorted(index)
        scored = []
        top3 = 0
        for e, p in zip(labelled, probs, strict=True):
            ranked = sorted(zip(codes, p.tolist(), strict=True), key=lambda cp: -cp[1])
            top3 += e.matter_type in [code for code, _ in ranked[:PROPOSALS]]
            town = locate(e.address)
            units = unit_scores(ranked, town, reference)
            best = reference.unit_for(reference.matter_types[ranked[0][0]], town)
            truth_unit = e.unit or reference.unit_for(reference.matter_types[e.matter_type], town)
            scored.append((units[best] if best else 0.0, best is not None and best == truth_unit))
        classifier.threshold = choose_threshold(scored, precision)
        automatic = [ok for score, ok in scored if score >= classifier.threshold]
        classifier.dev = {
            "requests": len(scored),
            "right_unit": round(sum(ok for _, ok in scored) / len(scored), 4),
            "top3_matter_type": round(top3 / len(scored), 4),
            "precision_asked": precision,
            "automatic": round(len(automatic) / len(scored), 4),
            "automatic_right_unit": round(sum(automatic) / len(automatic), 4) if automatic else None,
        }
    return classifier


def evaluate(
    classifier: TextClassifier,
    examples: Sequence[Example],
    reference: ReferenceData,
    locate: Callable[[str], str | None],
    threshold: float | None = None,
    progress: Callable[[int], None] = lambda _: None,
) -> dict[str, Any]:
    """Held-out figures: the share dispatched automatically, how many of those went to the right
    unit, how often the three proposals held the right matter type for the rest; overall and per
    domain."""
    limit = classifier.threshold if threshold is None else threshold
    tally: dict[str, list[int]] = {}
    for n, e in enumerate(examples, 1):
        town = locate(e.address)
        ranked = classifier.probabilities(e.text, reference)
        best = reference.unit_for(reference.matter_types[ranked[0][0]], town)
        truth = e.unit or reference.unit_for(reference.matter_types[e.matter_type], town)
        automatic = best is not None and unit_scores(ranked, town, reference)[best] >= limit
        top3 = e.matter_type in [code for code, _ in ranked[:PROPOSALS]]
        counts = [1, automatic, automatic and best == truth, not automatic and top3, ranked[0][0] == e.matter_type]
        for key in ("*", reference.domain_of[e.matter_type]):
            row = tally.setdefault(key, [0] * 5)
            for i, c in enumerate(counts):
                row[i] += int(c)
        progress(n)

    def figures(row: list[int]) -> dict[str, Any]:
        requests, automatic, right, rest_top3, matter = row
        rest = requests - automatic
        return {
            "requests": requests,
            "automatic": round(automatic / requests, 4),
            "automatic_right_unit": round(right / automatic, 4) if automatic else None,
            "rest_top3": round(rest_top3 / rest, 4) if rest else None,
            "matter_type": round(matter / requests, 4),
        }

    return {
        "model": classifier.version,
        "threshold": round(limit, 4),
        **figures(tally.pop("*", [0] * 5)),
        "by_domain": {d: figures(tally[d]) for d in reference.domains if d in tally},
    }

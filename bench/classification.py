"""Classification quality on the labelled set ``bench/data/classification.jsonl``.

For each request: the classifier's domain, matter type and responsible unit against the labels,
and whether it was confident enough to dispatch without a dispatcher. Prints accuracy overall and
per domain, the share routed without a dispatcher, and how often those automatic dispatches went
to the right unit (a wrong automatic dispatch costs a return and a day). The held-out half (by a
hash of the id) is what any tuning must not see; the keyword classifier tunes on nothing, so both
halves are reported.

The shipped classifier is the keywords checked by the text model (domain/classification.py):
reported with the catalogue-only model, and with the model also trained on the other half as if
dispatchers had routed those requests by hand (what a running city's worker learns from). Beside
it, the text model (``domain/textmodel.py``, naive Bayes over character n-grams) trained on
the catalogue alone, and on the catalogue plus the other half as if dispatchers had routed those
requests by hand: its matter-type accuracy on the held-out half, and the share and accuracy of
its predictions above a posterior of 0.9 and 0.99.

    python -m bench.classification [--threshold 0.5] [--model-threshold 0.9999]
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from bench.common import machine, write_result
from domain.classification import classify
from domain.reference import ReferenceData, load_reference
from domain.textmodel import NaiveBayes, catalogue_model

DATA = Path(__file__).parent / "data" / "classification.jsonl"
ROOT = Path(__file__).parent.parent


def held_out(request_id: str) -> bool:
    return int(hashlib.sha256(request_id.encode()).hexdigest(), 16) % 2 == 1


def evaluate(
    reference: ReferenceData,
    rows: list[dict[str, Any]],
    threshold: float,
    model: NaiveBayes | None = None,
    model_threshold: float = 1.0,
) -> dict[str, Any]:
    right = defaultdict(int)
    per_domain: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    auto = auto_right = 0
    for r in rows:
        result = classify(r["content"], r["address"], r.get("grid"), None, reference, threshold, model, model_threshold)
        right["domain"] += result.domain == r["domain"]
        right["matter_type"] += result.matter_type == r["matter_type"]
        right["unit"] += result.unit == r["unit"]
        per_domain[r["domain"]][0] += result.matter_type == r["matter_type"]
        per_domain[r["domain"]][1] += 1
        if result.confident:
            auto += 1
            auto_right += result.unit == r["unit"]
    n = len(rows)
    return {
        "requests": n,
        "accuracy": {k: round(v / n, 4) for k, v in right.items()},
        "routed_without_dispatcher": round(auto / n, 4),
        "automatic_dispatch_right_unit": round(auto_right / auto, 4) if auto else None,
        "matter_type_accuracy_by_domain": {d: round(ok / total, 3) for d, (ok, total) in sorted(per_domain.items())},
    }


def text_model(reference: ReferenceData, train: list[dict[str, Any]], test: list[dict[str, Any]]) -> dict[str, Any]:
    model = catalogue_model(reference, [(r["content"], r["matter_type"]) for r in train])
    predictions = [(model.predict(r["content"])[0], r["matter_type"]) for r in test]
    figures: dict[str, Any] = {
        "trained_on": f"catalogue + {len(train)} corrections" if train else "catalogue",
        "matter_type_accuracy": round(sum(p == t for (p, _), t in predictions) / len(test), 4),
    }
    for floor in (0.9, 0.99):
        sure = [p == t for (p, confidence), t in predictions if confidence >= floor]
        figures[f"posterior_{floor}"] = {
            "share": round(len(sure) / len(test), 4),
            "accuracy": round(sum(sure) / len(sure), 4) if sure else None,
        }
    return figures


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench.classification", description=__doc__)
    parser.add_argument("--threshold", type=float, default=0.5, help="MINSHENG_CLASSIFY_THRESHOLD")
    parser.add_argument("--model-threshold", type=float, default=0.9999, help="MINSHENG_CLASSIFY_MODEL_THRESHOLD")
    args = parser.parse_args(argv)
    rows = [json.loads(line) for line in DATA.read_text().splitlines() if line.strip()]
    reference = load_reference(ROOT / "config")
    test = [r for r in rows if held_out(r["id"])]
    train = [r for r in rows if not held_out(r["id"])]
    catalogue = catalogue_model(reference)
    corrected = catalogue_model(reference, [(r["content"], r["matter_type"]) for r in train])
    figures = {
        "machine": machine(),
        "threshold": args.threshold,
        "model_threshold": args.model_threshold,
        "held_out": evaluate(reference, test, args.threshold),
        "all": evaluate(reference, rows, args.threshold),
        "shipped_held_out": evaluate(reference, test, args.threshold, catalogue, args.model_threshold),
        "shipped_with_corrections_held_out": evaluate(reference, test, args.threshold, corrected, args.model_threshold),
        "text_model": [text_model(reference, [], test), text_model(reference, train, test)],
    }
    for name in ("held_out", "all", "shipped_held_out", "shipped_with_corrections_held_out"):
        f = figures[name]
        a = f["accuracy"]
        print(
            f"classification ({name}, {f['requests']} requests): domain {a['domain']:.1%}, matter type "
            f"{a['matter_type']:.1%}, unit {a['unit']:.1%}; routed without a dispatcher "
            f"{f['routed_without_dispatcher']:.1%}, of which to the right unit {f['automatic_dispatch_right_unit']:.1%}"
        )
    for model in figures["text_model"]:
        print(
            f"text model ({model['trained_on']}) on the held-out half: matter type "
            f"{model['matter_type_accuracy']:.1%}; posterior ≥ 0.9: {model['posterior_0.9']['share']:.1%} of "
            f"requests, {model['posterior_0.9']['accuracy']:.1%} right; ≥ 0.99: "
            f"{model['posterior_0.99']['share']:.1%}, {model['posterior_0.99']['accuracy']:.1%} right"
        )
    print(f"  written to {write_result('classification', figures)}")
    return figures


if __name__ == "__main__":
    main()

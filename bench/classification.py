"""Classification quality and speed on the held-out set ``bench/data/classification.heldout.jsonl``.

That set was written before any tuning, as callers speak (paraphrase, dialect, homophone typos, an
operator's "来电人反映…诉求…"), and nothing was ever tuned on it; the model learnt from
``classification.jsonl`` and ``classification.train.jsonl`` and the catalogue (bench/README.md).

For the shipped model (``models/classifier.joblib``, or ``--model``): the share of requests
dispatched without a dispatcher, how many of those went to the right unit, how often the three
proposals held the right matter type for the rest, overall, per domain, and with and without a
catalogue keyword of the request's matter type; the time to classify one request (the worker's
call: features, probabilities, three proposals with their words), p50 and p99. Beside it, the
classifier it replaced: keywords checked by a naive Bayes text model (the old rule).

    python -m bench.classification [--model models/classifier.joblib] [--threshold T]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path
from typing import Any

from bench.common import machine, write_result
from domain.classification import classify, classify_with, locate_town
from domain.modelstore import load
from domain.reference import ReferenceData, load_reference
from domain.textclassifier import Example, evaluate
from domain.textmodel import NaiveBayes, catalogue_model

DATA = Path(__file__).parent / "data" / "classification.heldout.jsonl"
ROOT = Path(__file__).parent.parent
SHIPPED = ROOT / "models" / "classifier.joblib"
OLD_MODEL_THRESHOLD = 0.9999


def old_rule(reference: ReferenceData, rows: list[dict[str, Any]], model: NaiveBayes) -> dict[str, Any]:
    """The replaced classifier: dispatched when the keywords' best matter type is the text model's,
    or the text model alone is near certain, and the catalogue names a unit there."""
    automatic = right = 0
    for r in rows:
        keywords = classify(r["content"], r["address"], r.get("grid"), None, reference, 0.5)
        best, posterior = model.predict(r["content"])[0]
        unit = reference.unit_for(reference.matter_types[best], keywords.town)
        if unit and (best == keywords.matter_type or posterior >= OLD_MODEL_THRESHOLD):
            automatic += 1
            right += unit == r["unit"]
    return {
        "automatic": round(automatic / len(rows), 4),
        "automatic_right_unit": round(right / automatic, 4) if automatic else None,
    }


def latency(reference: ReferenceData, rows: list[dict[str, Any]], path: Path, rounds: int) -> dict[str, Any]:
    """Wall-clock time of one classification, and the CPU time of this thread for it: on a machine
    shared with other work the wall clock also counts the time the scheduler gave to others."""
    model = load(path)
    classify_with(model, rows[0]["content"], rows[0]["address"], None, None, reference)  # loads jieba's dictionary
    wall, cpu = [], []
    for _ in range(rounds):
        for r in rows:
            start, start_cpu = time.perf_counter(), time.thread_time()
            classify_with(model, r["content"], r["address"], r.get("grid"), None, reference)
            cpu.append((time.thread_time() - start_cpu) * 1000)
            wall.append((time.perf_counter() - start) * 1000)

    def spread(times: list[float]) -> dict[str, float]:
        times.sort()
        return {
            "p50_ms": round(statistics.median(times), 3),
            "p99_ms": round(times[int(len(times) * 0.99)], 3),
            "max_ms": round(times[-1], 3),
        }

    return {
        "classifications": len(wall),
        "load_average": os.getloadavg(),
        "wall": spread(wall),
        "cpu": spread(cpu),
    }


def pct(v: float | None) -> str:
    return "-" if v is None else f"{v:.1%}"


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench.classification", description=__doc__)
    parser.add_argument("--model", type=Path, default=SHIPPED, help="a model file")
    parser.add_argument("--threshold", type=float, help="unit probability to dispatch at (default: the model's)")
    parser.add_argument("--rounds", type=int, default=5, help="passes over the set for the timing")
    args = parser.parse_args(argv)
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
    reference = load_reference(ROOT / "config")
    model = load(args.model)

    def locate(address: str) -> str | None:
        return locate_town(address, None, reference)

    def examples(subset: list[dict[str, Any]]) -> list[Example]:
        return [Example(r["content"], r["matter_type"], r["address"], r["unit"]) for r in subset]

    def has_keyword(r: dict[str, Any]) -> bool:
        return any(k in r["content"] for k in reference.matter_types[r["matter_type"]].keywords)

    held_out = evaluate(model, examples(rows), reference, locate, args.threshold)
    figures = {
        "machine": machine(),
        "set": DATA.name,
        "model": model.version,
        "trained_on": model.trained_on,
        "chosen_on_cross_validation": model.dev,
        "held_out": held_out,
        "with_keyword": evaluate(
            model, examples([r for r in rows if has_keyword(r)]), reference, locate, args.threshold
        ),
        "without_keyword": evaluate(
            model, examples([r for r in rows if not has_keyword(r)]), reference, locate, args.threshold
        ),
        "replaced_classifier": old_rule(reference, rows, catalogue_model(reference)),
        "latency": latency(reference, rows, args.model, args.rounds),
    }
    h = held_out
    print(
        f"classification, model {model.version}, held-out set ({h['requests']} requests, threshold {h['threshold']}): "
        f"dispatched automatically {pct(h['automatic'])}, of those to the right unit {pct(h['automatic_right_unit'])}; "
        f"top-3 proposals right for {pct(h['rest_top3'])} of the rest; matter type right {pct(h['matter_type'])}"
    )
    for name in ("with_keyword", "without_keyword"):
        f = figures[name]
        print(
            f"  {name.replace('_', ' ')} of its matter type ({f['requests']}): automatic {pct(f['automatic'])}, "
            f"right unit {pct(f['automatic_right_unit'])}, rest top-3 {pct(f['rest_top3'])}"
        )
    old = figures["replaced_classifier"]
    print(
        f"  the replaced classifier (keywords checked by naive Bayes): automatic {pct(old['automatic'])}, "
        f"right unit {pct(old['automatic_right_unit'])}"
    )
    d = model.dev
    print(
        f"  threshold chosen on cross-validated predictions over the {d['requests']} training requests: "
        f"automatic {pct(d['automatic'])}, right unit {pct(d['automatic_right_unit'])}"
    )
    print(f"  {'domain':28s} {'requests':>8s} {'automatic':>9s} {'right unit':>10s} {'rest top-3':>10s}")
    for domain, f in h["by_domain"].items():
        print(
            f"  {domain:28s} {f['requests']:8d} {pct(f['automatic']):>9s} "
            f"{pct(f['automatic_right_unit']):>10s} {pct(f['rest_top3']):>10s}"
        )
    t = figures["latency"]
    for clock in ("wall", "cpu"):
        c = t[clock]
        print(
            f"  one classification ({t['classifications']}, {clock} time): p50 {c['p50_ms']} ms, p99 {c['p99_ms']} ms, "
            f"max {c['max_ms']} ms"
        )
    print(f"  load average meanwhile: {', '.join(f'{x:.2f}' for x in t['load_average'])} (2 cores)")
    print(f"  written to {write_result('classification', figures)}")
    return figures


if __name__ == "__main__":
    main()

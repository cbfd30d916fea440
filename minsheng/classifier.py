"""``minsheng classifier``: train a classifier model on a city's dispatched cases, report its
held-out figures, and switch it on only when asked (docs/classification.md)."""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy.exc import SQLAlchemyError

from domain.classification import locate_town
from domain.modelstore import ModelStore, load, save
from domain.reference import ReferenceData
from domain.textclassifier import Example, TextClassifier, evaluate, train
from minsheng.settings import Settings
from persistence import dispatching
from persistence.db import Database

TEXT = ("text", "content")
MATTER = ("matter_type", "matter type")


class LabelledFileError(Exception):
    """A labelled file that cannot be read; the message names the file, line and field."""


def read_labelled(path: Path, reference: ReferenceData) -> list[Example]:
    """Labelled requests from CSV (a header row) or JSON lines: text (or content), address,
    matter type (matter_type) and, optionally, unit."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            rows = list(_rows(path, f))
    except FileNotFoundError:
        raise LabelledFileError(f"{path}: no such file") from None
    except UnicodeDecodeError as exc:
        raise LabelledFileError(f"{path}: not UTF-8 ({exc.reason})") from None
    examples = []
    for line, row in rows:
        where = f"{path}, line {line}"
        text = next((str(row[k]) for k in TEXT if row.get(k)), None)
        matter = next((str(row[k]) for k in MATTER if row.get(k)), None)
        if not text:
            raise LabelledFileError(f"{where}: no text (a column text or content)")
        if matter not in reference.matter_types:
            raise LabelledFileError(f"{where}: matter type {matter!r} is not in the catalogue")
        unit = row.get("unit") or None
        if unit is not None and unit not in reference.units:
            raise LabelledFileError(f"{where}: unit {unit!r} is not in units.yaml")
        examples.append(Example(text, matter, str(row.get("address") or ""), unit))
    if not examples:
        raise LabelledFileError(f"{path}: no labelled requests")
    return examples


def _rows(path: Path, f: TextIO) -> Any:
    if path.suffix.lower() == ".csv":
        for line, row in enumerate(csv.DictReader(f), 2):
            yield line, {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
        return
    for line, text in enumerate(f, 1):
        if text.strip():
            try:
                row = json.loads(text)
            except json.JSONDecodeError as exc:
                raise LabelledFileError(f"{path}, line {line}: not JSON ({exc.msg})") from None
            if not isinstance(row, dict):
                raise LabelledFileError(f"{path}, line {line}: not a JSON object")
            yield line, {k.lower(): v for k, v in row.items()}


def held_out(example: Example, share: float) -> bool:
    """Whether a request is kept for evaluation: by a hash of its text, so reruns agree."""
    return int(hashlib.sha256(example.text.encode()).hexdigest()[:8], 16) / 16**8 < share


def locator(reference: ReferenceData) -> Callable[[str], str | None]:
    return lambda address: locate_town(address, None, reference)


def print_figures(figures: dict[str, Any], out: Callable[[str], None] = print, held_out: bool = False) -> None:
    def pct(v: float | None) -> str:
        return "-" if v is None else f"{v:.1%}"

    out(
        f"model {figures['model']} on {figures['requests']} {'held-out ' if held_out else ''}requests "
        f"(threshold {figures['threshold']}): "
        f"automatic {pct(figures['automatic'])}, of which right unit {pct(figures['automatic_right_unit'])}; "
        f"top-3 proposals right for {pct(figures['rest_top3'])} of the rest; matter type {pct(figures['matter_type'])}"
    )
    out(f"  {'domain':28s} {'requests':>8s} {'automatic':>9s} {'right unit':>10s} {'rest top-3':>10s}")
    for domain, f in figures["by_domain"].items():
        out(
            f"  {domain:28s} {f['requests']:8d} {pct(f['automatic']):>9s} "
            f"{pct(f['automatic_right_unit']):>10s} {pct(f['rest_top3']):>10s}"
        )


async def corrections(settings: Settings, limit: int) -> list[Example]:
    """Dispatchers' manual dispatches, the newest first: labelled requests for the next model."""
    try:
        db = Database(settings.database_url, 1)
        try:
            async with db.session() as session:
                rows = await dispatching.dispatch_corrections(session, limit)
        finally:
            await db.close()
    except (OSError, SQLAlchemyError) as exc:
        raise LabelledFileError(
            f"dispatchers' corrections could not be read from the database ({type(exc).__name__}): run "
            "`minsheng migrate` first, or train without them (--no-corrections)"
        ) from None
    return [Example(text, matter, address, unit) for text, address, matter, unit in rows]


def train_and_report(
    settings: Settings,
    files: Sequence[Path],
    holdout: Path | None,
    holdout_share: float,
    learned: Sequence[Example],
    precision: float,
    output: Path | None,
    activate: bool,
    out: Callable[[str], None] = print,
) -> tuple[TextClassifier, dict[str, Any]]:
    """Import, train, evaluate on held-out requests, store; switch on only when asked."""
    reference = settings.reference
    examples = [e for path in files for e in read_labelled(path, reference)]
    if holdout is not None:
        training, evaluation = examples, read_labelled(holdout, reference)
    else:
        training = [e for e in examples if not held_out(e, holdout_share)]
        evaluation = [e for e in examples if held_out(e, holdout_share)]
    training += learned
    out(
        f"imported {len(examples)} labelled requests from {len(files)} file(s), {len(learned)} dispatchers' "
        f"corrections; training on {len(training)}, {len(evaluation)} held out"
    )
    if not evaluation:
        raise LabelledFileError("no held-out requests to report figures on: give --holdout FILE or more requests")
    classifier = train(training, reference, locator(reference), precision, progress=lambda step: out(f"  {step}"))
    out(f"  chosen on cross-validated predictions: {json.dumps(classifier.dev)}")
    figures = evaluate(classifier, evaluation, reference, locator(reference), progress=_progress(len(evaluation), out))
    print_figures(figures, out, held_out=True)
    store = settings.model_store
    if output is not None:
        save(classifier, output)
        out(f"written to {output}")
    else:
        out(f"stored as {store.add(classifier)}")
    if activate:
        store.activate(classifier.version)
        out(f"switched on: model {classifier.version} (workers load it within a minute)")
    elif output is None:
        out(f"not switched on: run `minsheng classifier activate {classifier.version}` to use it")
    return classifier, figures


def evaluate_and_report(
    settings: Settings, path: Path, model: str | None, out: Callable[[str], None] = print
) -> dict[str, Any]:
    """Figures of the active model (or ``model``) on a labelled file."""
    reference = settings.reference
    classifier = model_named(settings.model_store, model)
    examples = read_labelled(path, reference)
    figures = evaluate(
        classifier,
        examples,
        reference,
        locator(reference),
        settings.classify_model_threshold,
        progress=_progress(len(examples), out),
    )
    print_figures(figures, out)
    return figures


def _progress(total: int, out: Callable[[str], None]) -> Callable[[int], None]:
    step = max(1, -(-total // 10))  # about ten lines whatever the size

    def report(n: int) -> None:
        if n % step == 0 or n == total:
            out(f"  evaluated {n}/{total}")

    return report


def model_named(store: ModelStore, name: str | None) -> TextClassifier:
    """The active model (None), a stored version, or a model file."""
    if name is None:
        return store.active()
    if Path(name).suffix == ".joblib":
        return load(Path(name))
    return load(store.path(name))

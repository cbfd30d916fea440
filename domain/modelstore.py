"""Trained classifier models on disk: one file per version, and the one switched on.

Kept apart from the model's code so that reading the settings (the API, the workflows) does not
import the model's libraries; they load with the first model.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from domain.textclassifier import TextClassifier

FORMAT = 1
"""The artefact's layout; a model of another format is refused at loading."""


def save(classifier: TextClassifier, path: Path) -> None:
    import joblib

    path.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump({"format": FORMAT, "classifier": classifier}, path, compress=3)


def load(path: Path) -> TextClassifier:
    """A trained classifier from its file; an error names the file when it is not one. Loaded once
    per process and file version: every worker a test suite builds shares it."""
    try:
        return _load(path.resolve(), path.stat().st_mtime_ns)
    except FileNotFoundError:
        raise ClassifierError(f"{path}: no classifier model there") from None


@lru_cache(maxsize=4)
def _load(path: Path, _version: int) -> TextClassifier:
    import joblib  # with the model's libraries, which unpickling it imports

    try:
        stored = joblib.load(path)
    except (OSError, EOFError, ValueError, KeyError, ModuleNotFoundError, pickle.UnpicklingError) as exc:
        raise ClassifierError(f"{path}: not a classifier model ({exc})") from None
    if not isinstance(stored, dict) or stored.get("format") != FORMAT:
        raise ClassifierError(f"{path}: not a classifier model of format {FORMAT}: train it again")
    classifier: TextClassifier = stored["classifier"]
    classifier.warm()
    return classifier


class ClassifierError(Exception):
    """A model that cannot be found or used; the message names the file or version."""


ACTIVE = "ACTIVE"


@dataclass(frozen=True)
class ModelStore:
    """Trained models, one file per version in ``folder``, and which one is switched on: the
    version named in ``folder/ACTIVE``, else the model shipped with Minsheng."""

    folder: Path
    shipped: Path

    def path(self, version: str) -> Path:
        return self.folder / f"{version}.joblib"

    def add(self, classifier: TextClassifier) -> Path:
        path = self.path(classifier.version)
        save(classifier, path)
        return path

    def active_version(self) -> str | None:
        """The version switched on with ``activate``; None: the shipped model."""
        marker = self.folder / ACTIVE
        return marker.read_text().strip() or None if marker.is_file() else None

    def active(self) -> TextClassifier:
        version = self.active_version()
        return load(self.path(version) if version else self.shipped)

    def activate(self, version: str) -> None:
        if not self.path(version).is_file():
            raise ClassifierError(f"no model {version} in {self.folder}: train it first")
        load(self.path(version))  # refuse a file that would not load in the worker
        (self.folder / ACTIVE).write_text(version + "\n")

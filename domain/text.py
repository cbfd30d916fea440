"""Short Chinese texts as the matcher and the text model see them: normalised characters and
their n-grams (complaints have no word boundaries; character n-grams carry most of their meaning)."""

from __future__ import annotations

import re
import unicodedata

_KEEP = re.compile(r"[\u4e00-\u9fff0-9a-z]+")


def normalise(text: str) -> str:
    """Full-width to half-width, lower case, only Chinese characters, digits and Latin letters."""
    return "".join(_KEEP.findall(unicodedata.normalize("NFKC", text).lower()))


def bigrams(text: str) -> frozenset[str]:
    s = normalise(text)
    return frozenset(s[i : i + 2] for i in range(len(s) - 1)) if len(s) > 1 else frozenset({s})


def dice(a: frozenset[str], b: frozenset[str]) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0

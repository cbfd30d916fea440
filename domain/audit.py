"""The tamper-evident record (防篡改): hash chains and the checks an auditor runs on them.

A **chain** is a sequence of entries in which each entry's hash covers its own content and the
hash of the entry before it, so that changing, removing or inserting an entry changes every hash
after it. A case's timeline is one chain (its events by ``seq``); the monthly assessments and the
accountability actions are each one chain of the versions written (a ledger). Each day's chain
heads are sealed in an **anchor** (itself chained to the anchor before), whose root an outside
witness keeps: a chain rewritten whole after its head was sealed no longer reaches that head.

What is hashed survives the erasure of citizens' personal data: the timeline carries no names,
phones or addresses (they are on the requests, which are not chained), so erasing them after the
retention period leaves every chain verifying.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64
"""The "previous hash" of a chain's first entry."""


def canonical(value: Any) -> bytes:
    """One byte string per value, whichever the database or the dict order: sorted keys, no
    spaces, UTF-8, times in UTC ISO form."""

    def plain(v: Any) -> Any:
        # Exact types first: this runs for every value of every event a verify reads (bench/audit.py).
        kind = type(v)
        if kind is str or kind is int or v is None:
            return v
        if kind is dict:
            return {str(k): plain(x) for k, x in v.items()}
        if isinstance(v, datetime):
            return (v if v.tzinfo else v.replace(tzinfo=UTC)).astimezone(UTC).isoformat()
        if isinstance(v, Mapping):
            return {str(k): plain(x) for k, x in v.items()}
        if isinstance(v, list | tuple):
            return [plain(x) for x in v]
        return v

    return json.dumps(plain(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def digest(value: Any) -> str:
    return hashlib.sha256(canonical(value)).hexdigest()


def link(prev_hash: str, content: Any) -> str:
    """An entry's hash: of the previous entry's hash and its own content."""
    return hashlib.sha256(prev_hash.encode() + b"\n" + canonical(content)).hexdigest()


def event_content(
    case_id: str,
    seq: int,
    at: datetime,
    kind: str,
    status: str,
    actor_role: str,
    actor_unit: str | None,
    actor_key_id: str | None,
    detail: Mapping[str, str],
    actor_person: str | None = None,
) -> dict[str, Any]:
    """What a timeline event's hash covers: every column of its row but the surrogate id. The
    person only when one acted, so the events from before people signed in keep their hashes."""
    person = {"actor_person": actor_person} if actor_person is not None else {}
    return person | {
        "case_id": case_id,
        "seq": seq,
        "at": at,
        "kind": kind,
        "status": status,
        "actor_role": actor_role,
        "actor_unit": actor_unit,
        "actor_key_id": actor_key_id,
        "detail": dict(detail),
    }


def action_version(action: Mapping[str, Any], action_digest: str, revision: int, withdrawn_at: datetime | None) -> str:
    """What the accountability ledger records of one version of an action."""
    return digest({"action": action, "digest": action_digest, "revision": revision, "withdrawn_at": withdrawn_at})


def ledger_content(subject: str, version_digest: str) -> dict[str, str]:
    """What a ledger entry's hash covers: which record, and the digest of its version."""
    return {"subject": subject, "digest": version_digest}


@dataclass(frozen=True)
class ChainEntry:
    """One stored entry: its position, content, and the hashes written with it (None: not yet
    chained, its predecessor not written yet)."""

    position: int
    content: Any
    prev_hash: str | None
    hash: str | None


@dataclass(frozen=True)
class Finding:
    """One thing wrong, said so that an auditor can find it: which chain, which position."""

    chain: str
    position: int | None
    problem: str

    def __str__(self) -> str:
        where = f"{self.chain} #{self.position}" if self.position is not None else self.chain
        return f"{where}: {self.problem}"


def verify_chain(chain: str, entries: Sequence[ChainEntry], first_position: int = 1) -> list[Finding]:
    """Check that ``entries`` (in position order) are numbered without a gap from
    ``first_position``, and that each one's hash is of its content and its predecessor's hash.

    An edited entry fails its own hash; a deleted one leaves a gap (or, if the numbers were
    closed up, breaks the next entry's link); an inserted one fails its link or its number."""
    findings: list[Finding] = []
    prev = GENESIS
    expected = first_position
    for e in entries:
        if e.position != expected:
            problem = (
                f"entries {expected}–{e.position - 1} are missing (deleted?)"
                if e.position > expected
                else f"entry number {e.position} repeats or goes back (inserted?)"
            )
            findings.append(Finding(chain, e.position, problem))
        expected = e.position + 1
        if e.hash is None:
            findings.append(Finding(chain, e.position, "not chained: the entry before it was never written"))
            prev = GENESIS
            continue
        if e.prev_hash != prev:
            findings.append(Finding(chain, e.position, "does not follow the entry before it (inserted or reordered?)"))
        if link(e.prev_hash or GENESIS, e.content) != e.hash:
            findings.append(Finding(chain, e.position, "its content does not match its hash (edited?)"))
        prev = e.hash
    return findings


def chain_hashes(contents: Iterable[Any], prev: str = GENESIS) -> list[tuple[str, str]]:
    """``(prev_hash, hash)`` for each content in turn, continuing from ``prev``."""
    out = []
    for content in contents:
        h = link(prev, content)
        out.append((prev, h))
        prev = h
    return out


def anchor_root(prev_root: str, heads: Mapping[str, tuple[int, str]]) -> str:
    """The root of an anchor: of the anchor before and the heads it seals (chain → position, hash)."""
    return link(prev_root, {chain: [pos, h] for chain, (pos, h) in sorted(heads.items())})

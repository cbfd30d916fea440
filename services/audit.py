"""The auditor's verification (``minsheng audit verify``, and the result printed on a case file):
each case's timeline chain, the anchors that sealed the chains' heads, the ledgers of assessment
and accountability versions against the records as they stand, and each case's timeline against
its workflow history (from Temporal, else the archive): the history is what the case decided, so
a row edited, deleted or inserted in the database disagrees with it even if its chain was rewritten.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from sqlmodel import col, select
from temporalio.client import WorkflowHistory
from temporalio.converter import DataConverter

from domain.audit import GENESIS, ChainEntry, Finding, anchor_root, digest, event_content, ledger_content, verify_chain
from gateways.storage import object_store
from minsheng.settings import Settings
from minsheng.temporal import DATA_CONVERTER, connect
from persistence import audit
from persistence.db import Database
from persistence.models import CaseEventRow, ChainAnchorRow, LedgerEntryRow
from services.archive import history_lookup

RECORD_ACTIVITY = "record_case_events"
"""The case workflow's one write of its timeline: its inputs in the history are the timeline."""
PAGE = 1000

HistoryLookup = Callable[[str], Awaitable[tuple[str, list[WorkflowHistory]]]]
"""A case id → where its history was found ("" if nowhere) and its runs."""


@dataclass
class Verification:
    cases: int = 0
    events: int = 0
    anchors: int = 0
    ledger_entries: int = 0
    histories: Counter[str] = field(default_factory=Counter)
    """Cases compared with their history, by where it was found."""
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings

    def summary(self) -> str:
        compared = ", ".join(f"{n} from {source}" for source, n in sorted(self.histories.items())) or "none"
        head = (
            f"{self.cases} case timelines ({self.events} events), {self.anchors} anchors, "
            f"{self.ledger_entries} ledger entries; histories compared: {compared}"
        )
        if self.ok:
            return f"verified: {head}"
        return "\n".join([f"FAILED: {len(self.findings)} problems in {head}", *(f"  {f}" for f in self.findings)])


def _case_chain(case_id: str) -> str:
    return f"case {case_id}"


async def history_timeline(
    case_id: str, histories: Iterable[WorkflowHistory], converter: DataConverter = DATA_CONVERTER
) -> dict[int, str]:
    """seq → the digest of the event as the workflow recorded it (the read-model write's input)."""
    timeline: dict[int, str] = {}
    for history in histories:
        for event in history.events:
            attrs = event.activity_task_scheduled_event_attributes
            if not event.HasField("activity_task_scheduled_event_attributes") or (
                attrs.activity_type.name != RECORD_ACTIVITY
            ):
                continue
            [written] = await converter.decode(attrs.input.payloads, [dict[str, Any]])
            for e in written["events"]:
                actor = e["actor"]
                content = event_content(
                    case_id,
                    e["seq"],
                    datetime.fromisoformat(e["at"]),
                    e["kind"],
                    e["status"],
                    actor["role"],
                    actor.get("unit"),
                    actor.get("key_id"),
                    e.get("detail", {}),
                    actor.get("person"),
                )
                timeline[e["seq"]] = digest(content)
    return timeline


def compare_with_history(case_id: str, entries: list[ChainEntry], recorded: dict[int, str]) -> list[Finding]:
    chain, findings = _case_chain(case_id), []
    stored = {e.position: digest(e.content) for e in entries}
    for seq in sorted(recorded.keys() | stored.keys()):
        if seq not in stored:
            findings.append(Finding(chain, seq, "in the workflow history but not in the timeline (deleted?)"))
        elif seq not in recorded:
            findings.append(Finding(chain, seq, "in the timeline but not in the workflow history (inserted?)"))
        elif stored[seq] != recorded[seq]:
            findings.append(Finding(chain, seq, "differs from the workflow history (edited?)"))
    return findings


async def _verify_cases(
    db: Database,
    v: Verification,
    case_id: str | None,
    since: datetime | None,
    histories: HistoryLookup | None,
    converter: DataConverter,
) -> None:
    after = ""
    while True:
        async with db.session() as session:
            ids = [case_id] if case_id else await audit.cases_with_events(session, since, after, PAGE)
            chains = await audit.case_chains(session, ids) if ids else {}
        for cid, entries in chains.items():
            v.cases += 1
            v.events += len(entries)
            v.findings += verify_chain(_case_chain(cid), entries)
            if histories is None:
                continue
            try:
                source, runs = await histories(cid)
            except (ValueError, LookupError) as exc:  # an archived object changed or gone
                v.findings.append(Finding(_case_chain(cid), None, f"its archived history cannot be trusted: {exc}"))
                continue
            if not runs:
                v.findings.append(Finding(_case_chain(cid), None, "no history in Temporal or the archive to compare"))
                continue
            v.histories[source] += 1
            v.findings += compare_with_history(cid, entries, await history_timeline(cid, runs, converter))
        if case_id or len(ids) < PAGE:
            return
        after = ids[-1]


async def _verify_anchors(db: Database, v: Verification, case_id: str | None, since: datetime | None) -> None:
    """Every anchor follows the one before and has the root of its heads; the heads it sealed (of
    the case asked for, or of the anchors since the date) are still the stored entries' hashes."""
    async with db.session() as session:
        anchors = await audit.anchors(session)
    prev = GENESIS
    wanted: dict[str, list[tuple[ChainAnchorRow, int, str]]] = {}
    for a in anchors:
        v.anchors += 1
        chain = f"anchor {a.day}"
        if a.prev_root != prev:
            v.findings.append(Finding(chain, None, "does not follow the anchor before (removed or inserted?)"))
        heads = {name: (int(pos), str(h)) for name, (pos, h) in a.heads.items()}
        if anchor_root(a.prev_root, heads) != a.root:
            v.findings.append(Finding(chain, None, "its heads do not give its root (edited?)"))
        prev = a.root
        if since is not None and a.sealed_at < since:
            continue
        for name, (pos, h) in heads.items():
            if case_id is None or name == f"{audit.CASE_CHAIN}{case_id}":
                wanted.setdefault(name, []).append((a, pos, h))
    cases = sorted({name.removeprefix(audit.CASE_CHAIN) for name in wanted if name.startswith(audit.CASE_CHAIN)})
    stored: dict[str, str | None] = {}
    async with db.session() as session:
        # By case (the unique index on case_id, seq), not by (case, seq) pairs, which SQLite
        # answered with a scan per page: 23 s for 100,000 heads, against 2 s this way.
        for start in range(0, len(cases), PAGE):
            rows = await session.exec(
                select(CaseEventRow.case_id, CaseEventRow.seq, CaseEventRow.hash).where(
                    col(CaseEventRow.case_id).in_(cases[start : start + PAGE])
                )
            )
            stored |= {f"{audit.CASE_CHAIN}{c}#{s}": h for c, s, h in rows}
        for chain in audit.LEDGERS:
            for e in await audit.ledger(session, chain):
                stored[f"{audit.LEDGER_CHAIN}{chain}#{e.seq}"] = e.hash
    for name, seals in wanted.items():
        for a, pos, h in seals:
            found = stored.get(f"{name}#{pos}")
            if found != h:
                what = "is gone (deleted?)" if found is None else "no longer has the hash sealed (rewritten?)"
                shown = name.replace(audit.CASE_CHAIN, "case ").replace(audit.LEDGER_CHAIN, "ledger ")
                v.findings.append(Finding(shown, pos, f"sealed by the anchor of {a.day}, {what}"))


async def _verify_ledgers(db: Database, v: Verification) -> None:
    """Each ledger's chain, and each record as it stands against its last entry."""
    async with db.session() as session:
        current = await audit.current_versions(session)
        ledgers = {chain: await audit.ledger(session, chain) for chain in audit.LEDGERS}
    for chain, entries in ledgers.items():
        v.ledger_entries += len(entries)
        v.findings += verify_chain(f"ledger {chain}", [_ledger_entry(e) for e in entries])
        last = {e.subject: e.digest for e in entries}
        for (ledger, subject), version in sorted(current.items()):
            if ledger != chain:
                continue
            if subject not in last:
                v.findings.append(Finding(f"{chain} {subject}", None, "is not in the ledger (inserted?)"))
            elif last[subject] != version:
                v.findings.append(Finding(f"{chain} {subject}", None, "differs from its last ledger entry (edited?)"))
        for subject in sorted(last.keys() - {s for (c, s) in current if c == chain}):
            v.findings.append(
                Finding(f"{chain} {subject}", None, "is in the ledger but gone from its table (deleted?)")
            )


def _ledger_entry(e: LedgerEntryRow) -> ChainEntry:
    return ChainEntry(e.seq, ledger_content(e.subject, e.digest), e.prev_hash, e.hash)


async def verify(
    db: Database,
    case_id: str | None = None,
    since: datetime | None = None,
    histories: HistoryLookup | None = None,
    converter: DataConverter = DATA_CONVERTER,
) -> Verification:
    """Verify one case (``case_id``), the cases with events since ``since``, or everything; compare
    each timeline with its history when ``histories`` is given."""
    v = Verification()
    await _verify_cases(db, v, case_id, since, histories, converter)
    if case_id is not None and v.events == 0:
        v.findings.append(Finding(_case_chain(case_id), None, "has no timeline (no such case?)"))
    await _verify_anchors(db, v, case_id, since)
    if case_id is None:
        await _verify_ledgers(db, v)
    return v


async def verify_with_settings(
    settings: Settings, case_id: str | None, since: date | None, with_history: bool = True
) -> Verification:
    """``minsheng audit verify``: against the configured database, Temporal and archive store;
    ``since`` is a day in the city's zone."""
    start = datetime.combine(since, time(), settings.timing.zone) if since else None
    db = Database(settings.database_url)
    try:
        lookup: HistoryLookup | None = None
        if with_history:
            client = await connect(settings.temporal_address, settings.temporal_namespace, settings.temporal_access)
            lookup = history_lookup(client, db, object_store(settings))

        return await verify(db, case_id, start, lookup, settings.temporal_access.data_converter)
    finally:
        await db.close()


async def printed_anchors(settings: Settings, since: date | None) -> list[str]:
    """The anchors as lines an outside witness can keep and compare later (``minsheng audit anchors``)."""
    db = Database(settings.database_url)
    try:
        async with db.session() as session:
            rows = await audit.anchors(session, since)
    finally:
        await db.close()
    return [
        f"{a.day}  sealed {a.sealed_at.astimezone(settings.timing.zone):%Y-%m-%d %H:%M %Z}  "
        f"{len(a.heads):>6} chains  root {a.root}"
        for a in rows
    ]

"""The auditor's calls: the archive of closed cases' histories, and who read what."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from persistence.models import ArchivedRunRow


class ArchivedRunOut(BaseModel):
    run_id: str
    ordinal: int
    """1 for the case's first run, then in order of continuation (continue-as-new)."""
    sha256: str
    """Of the stored object (the gzipped history JSON): check it against what you download."""
    size: int
    events: int
    started_at: datetime
    closed_at: datetime
    archived_at: datetime
    href: str
    """Where to download the run's history (Temporal's JSON, gzipped)."""

    @classmethod
    def of(cls, row: ArchivedRunRow) -> ArchivedRunOut:
        return cls(
            **row.model_dump(include=set(cls.model_fields) - {"href"}),
            href=f"/v1/cases/{row.case_id}/archive/{row.run_id}",
        )


class ArchivedCaseOut(BaseModel):
    case_id: str
    runs: list[ArchivedRunOut]


class ReadOut(BaseModel):
    key_id: str
    role: str
    what: str
    """``case`` (the case with its requests) or ``case_file``."""
    at: datetime


class ReadsOut(BaseModel):
    case_id: str
    reads: list[ReadOut]

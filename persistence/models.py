"""Tables. The workflow is the source of truth for a case; these rows are its read model."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in and out, also on SQLite (which hands back naive datetimes)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: Minsheng stores UTC-aware times only")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _utc(**kw: Any) -> Any:
    return Field(sa_type=UTCDateTime, **kw)


class ChannelRow(SQLModel, table=True):
    __tablename__ = "channels"
    code: str = Field(primary_key=True, max_length=48)
    name: str
    name_en: str
    kind: str = Field(max_length=16)


class UnitRow(SQLModel, table=True):
    __tablename__ = "units"
    code: str = Field(primary_key=True, max_length=48)
    name: str
    name_en: str
    kind: str = Field(max_length=16, index=True)


class DomainRow(SQLModel, table=True):
    __tablename__ = "domains"
    code: str = Field(primary_key=True, max_length=48)
    name: str
    name_en: str


class MatterTypeRow(SQLModel, table=True):
    __tablename__ = "matter_types"
    code: str = Field(primary_key=True, max_length=48)
    domain_code: str = Field(foreign_key="domains.code", max_length=48, index=True)
    name: str
    name_en: str
    responsible: str = Field(max_length=48)
    basis: str = Field(max_length=16)
    tier: str = Field(max_length=16)


class CaseRow(SQLModel, table=True):
    __tablename__ = "cases"
    __table_args__ = (
        # The console's dispatch queue (the most urgent first) and each unit's inbox (bench/console.py).
        sa.Index("ix_cases_status_citizen_due_at", "status", "citizen_due_at"),
        sa.Index("ix_cases_unit_code_status_deadline_at", "unit_code", "status", "deadline_at"),
    )
    id: str = Field(primary_key=True, max_length=40)
    status: str = Field(max_length=16, index=True)
    channel: str = Field(max_length=48, index=True)
    tier: str | None = Field(default=None, max_length=16, index=True)
    unit_code: str | None = Field(default=None, max_length=48, index=True)
    domain_code: str | None = Field(default=None, max_length=48, index=True)
    matter_type_code: str | None = Field(default=None, max_length=48)
    confidence: float | None = None
    kind: str | None = Field(default=None, max_length=16, index=True)
    """The request kind (complaint, help, consultation, suggestion, praise); None before kinds."""
    town_code: str | None = Field(default=None, max_length=48, index=True)
    """The town of the case's first request: where the town's figures count it."""
    first_contact: bool = False
    """Answered by the centre at first contact: no unit handled it."""
    knowledge_entry_id: int | None = None
    """The knowledge-base entry the centre's answer gave."""
    resolved_first_time: bool | None = None
    """Closed in its first round, never reopened, no citizen dissatisfied or "not solved": the
    first-contact resolution rate counts it. None until closed, and on forwarded suggestions and praise."""
    classifier_model: str | None = Field(default=None, max_length=32, index=True)
    """The version of the classifier model that classified the case."""
    received_at: datetime = _utc(index=True)
    updated_at: datetime = _utc()
    closed_at: datetime | None = _utc(default=None, index=True)
    deadline_at: datetime | None = _utc(default=None, index=True)
    deadline_provisional: bool = False
    """The deadline counted days of a year with no calendar file; moved when the file arrives."""
    overdue: bool = Field(default=False, index=True)
    replied_at: datetime | None = _utc(default=None, index=True)
    on_time: bool | None = None
    """Replied by the unit's deadline in force (after approved extensions); None until replied."""
    citizen_due_at: datetime | None = _utc(default=None, index=True)
    """The citizen's deadline: the tier's limit from receipt, for the whole case."""
    dispatch_by: datetime | None = _utc(default=None)
    """The centre's limit to dispatch, while the case waits in the dispatch queue."""
    citizen_on_time: bool | None = None
    """Replied by the citizen's deadline: what the city's on-time figure counts. None until replied
    (and on cases from before the citizen's clock)."""
    handling_working_days: int | None = None
    """Working days from receipt to reply: those from the day after the day of receipt up to the
    day of the reply (0: replied the day it came in). The city's figure counts from receipt."""
    callback_round: int = 0
    """The round of callback visits under way or last made; its answers are the case's verdict."""
    reopened: int = 0
    """Times a dissatisfied citizen had the case reopened (重办)."""
    outcome: str | None = Field(default=None, max_length=32)
    """The closed case's callback outcome: its least satisfied citizen's answer."""
    personal_data_erased_at: datetime | None = _utc(default=None)
    """When its citizens' names, phones and addresses were erased, past the retention period."""
    seq: int = 0
    """The last timeline event applied; rows only move forward, so retried writes are no-ops."""


class RequestRow(SQLModel, table=True):
    __tablename__ = "requests"
    __table_args__ = (
        sa.UniqueConstraint("channel", "channel_ref", name="uq_requests_channel_ref"),
        sa.Index("ix_requests_town_code_house_number", "town_code", "house_number"),
    )
    id: str = Field(primary_key=True, max_length=40)
    case_id: str = Field(foreign_key="cases.id", max_length=40, index=True)
    channel: str = Field(max_length=48)
    channel_ref: str = Field(max_length=128)
    citizen_name: str = Field(max_length=64)
    citizen_phone: str = Field(max_length=32)
    content: str = Field(max_length=4000)
    address: str = Field(max_length=256)
    lat: float | None = None
    lon: float | None = None
    grid: str | None = Field(default=None, max_length=16, index=True)
    geo_cell: int | None = Field(default=None, index=True)
    """The coarse geo cell of (lat, lon) (domain/matching.py): how the matcher finds cases nearby."""
    town_code: str | None = Field(default=None, max_length=48, index=True)
    """The town the grid or address names: where the matcher looks when there is nothing finer."""
    house_number: int | None = None
    """The one door number the address names (成山大道100号), if exactly one: within a town, a
    request only matches requests at the same number (unless the matter is area-wide)."""
    matter_hint: str | None = Field(default=None, max_length=48)
    """The text model's matter type for the request at intake: which requests are area-wide."""
    merged_similarity: float | None = None
    """Set when the request was merged into an existing case (一事多投): the text similarity, and
    how the place matched (distance, grid or address), for a dispatcher to review."""
    merged_place: str | None = Field(default=None, max_length=64)
    category_hint: str | None = Field(default=None, max_length=64)
    reported_at: datetime | None = _utc(default=None)
    received_at: datetime = _utc()
    intake_key_id: str = Field(max_length=24)
    kind: str | None = Field(default=None, max_length=16)
    kind_source: str | None = Field(default=None, max_length=8)
    """Who said the kind: ``given`` (the operator), ``channel`` (its default) or ``words``."""
    first_answer: str | None = Field(default=None, max_length=4000)
    """The operator's answer on the call (一次性答复), when the centre settled the request at once."""
    knowledge_entry_id: int | None = None
    knowledge_version: int | None = None
    lookup_token: str | None = Field(default=None, max_length=32, unique=True)
    """Handed to the citizen at intake: looks the request up without the phone (an anonymous
    request has none). None on requests taken in before tokens."""
    media_url: str | None = Field(default=None, max_length=2000)
    """A link to the citizen's picture on the channel's own server (Open311's ``media_url``): kept
    as given and never fetched."""


class HandoffRow(SQLModel, table=True):
    """A request taken in that its case's workflow has not yet recorded: written with the request,
    deleted when the case records it (``received`` or ``request_joined``). What is left after an
    engine outage or a crash is handed over by the reconciler (``services/intake.py``)."""

    __tablename__ = "handoffs"
    request_id: str = Field(primary_key=True, foreign_key="requests.id", max_length=40)
    created_at: datetime = _utc(index=True)
    due_at: datetime = _utc(index=True)
    """When the reconciler may take it: after a grace period while intake may still be on it, at
    once when intake gave up (the engine did not answer)."""
    attempts: int = 0
    """Hand-overs the reconciler tried; with ``last_error``, what an operator reads of a stuck one."""
    last_error: str | None = Field(default=None, max_length=500)


class CaseEventRow(SQLModel, table=True):
    __tablename__ = "case_events"
    __table_args__ = (
        sa.UniqueConstraint("case_id", "seq", name="uq_case_events_case_seq"),
        # The ranking counts a period's signatures and returns by unit: on PostgreSQL from the
        # index alone (measured 0.6 s → 0.1 s for a month over 9.6 million events).
        sa.Index("ix_case_events_kind_at", "kind", "at", postgresql_include=["actor_unit"]),
    )
    id: int | None = Field(default=None, primary_key=True)
    case_id: str = Field(foreign_key="cases.id", max_length=40)
    seq: int
    at: datetime = _utc()
    kind: str = Field(max_length=32)
    status: str = Field(max_length=16)
    actor_role: str = Field(max_length=16)
    actor_unit: str | None = Field(default=None, max_length=48)
    actor_key_id: str | None = Field(default=None, max_length=24)
    actor_person: str | None = Field(default=None, max_length=32)
    """The console user's login who acted; None for a service's key or the system."""
    detail: dict[str, str] = Field(default_factory=dict, sa_type=sa.JSON)
    prev_hash: str | None = Field(default=None, max_length=64)
    """The hash of the case's event before (``domain.audit``); the first event's is all zeros."""
    hash: str | None = Field(default=None, max_length=64)
    """Of this row's content and ``prev_hash``; None while the event before it is not written yet
    (events of concurrent updates may land out of order), filled when it is."""


class CallbackRow(SQLModel, table=True):
    """One attempt of a callback visit (回访) to one citizen: the agents' queue entry, or the record
    of a hand-over to the webhook gateway."""

    __tablename__ = "callbacks"
    __table_args__ = (
        sa.UniqueConstraint(
            "case_id", "request_id", "round", "attempt", name="uq_callbacks_case_request_round_attempt"
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    case_id: str = Field(foreign_key="cases.id", max_length=40)
    request_id: str = Field(foreign_key="requests.id", max_length=40)
    unit_code: str | None = Field(default=None, max_length=48)
    round: int = 1
    attempt: int = 1
    due_at: datetime | None = _utc(default=None)
    gateway: str = Field(default="queue", max_length=16)
    status: str = Field(max_length=16, index=True)
    final: bool | None = None
    """This attempt settled the citizen's answer for the round (not an unreachable with tries left)."""
    answer: str | None = Field(default=None, max_length=32)
    resolution: str | None = Field(default=None, max_length=16)
    """The second question: solved, partly_solved or not_solved."""
    note: str | None = None
    created_at: datetime = _utc()
    answered_at: datetime | None = _utc(default=None)
    agent_key_id: str | None = Field(default=None, max_length=24)


class ApiKeyRow(SQLModel, table=True):
    __tablename__ = "api_keys"
    id: str = Field(primary_key=True, max_length=24)
    key_hash: str = Field(max_length=64, unique=True)
    role: str = Field(max_length=16)
    unit_code: str | None = Field(default=None, foreign_key="units.code", max_length=48)
    label: str = Field(default="", max_length=128)
    created_at: datetime = _utc()
    revoked_at: datetime | None = _utc(default=None)


class ConsoleUserRow(SQLModel, table=True):
    """A person who signs in to the console: a role, a unit for unit staff, an argon2 hash of the
    password, and the failed attempts that lock the account."""

    __tablename__ = "console_users"
    id: int | None = Field(default=None, primary_key=True)
    login: str = Field(max_length=32, unique=True)
    name: str = Field(max_length=64)
    role: str = Field(max_length=16)
    unit_code: str | None = Field(default=None, foreign_key="units.code", max_length=48)
    password_hash: str = Field(max_length=200)
    failed_attempts: int = 0
    locked_until: datetime | None = _utc(default=None)
    active: bool = True
    created_at: datetime = _utc()
    password_changed_at: datetime = _utc()


class ConsoleSessionRow(SQLModel, table=True):
    """A signed-in browser: the SHA-256 of its cookie's random token, its CSRF token, and when it
    was last used (the idle timeout counts from there)."""

    __tablename__ = "console_sessions"
    token_hash: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="console_users.id", index=True)
    csrf: str = Field(max_length=64)
    created_at: datetime = _utc()
    last_seen_at: datetime = _utc()


class IdempotencyKeyRow(SQLModel, table=True):
    """A case action sent with an ``Idempotency-Key``: what was asked (its fingerprint) and, once
    answered, the answer, which a retry with the same key gets again (kept for a day)."""

    __tablename__ = "idempotency_keys"
    api_key_id: str = Field(primary_key=True, max_length=24)
    key: str = Field(primary_key=True, max_length=200)
    fingerprint: str = Field(max_length=64)
    status: int | None = None
    answer: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    created_at: datetime = _utc(index=True)


class SlipRow(SQLModel, table=True):
    """A supervision slip (提示单 reminder, 督办单 supervision, 警示单 warning), once per case,
    dispatch round and trigger."""

    __tablename__ = "slips"
    __table_args__ = (sa.UniqueConstraint("case_id", "round", "trigger", name="uq_slips_case_round_trigger"),)
    id: int | None = Field(default=None, primary_key=True)
    case_id: str = Field(foreign_key="cases.id", max_length=40, index=True)
    unit_code: str = Field(max_length=48, index=True)
    round: int
    kind: str = Field(max_length=16, index=True)
    trigger: str = Field(max_length=16)
    reason: str
    due_at: datetime | None = _utc(default=None)
    issued_at: datetime = _utc(index=True)


class OutboxRow(SQLModel, table=True):
    """What Minsheng tells the outside, written in the same transaction as what it announces: on
    the ``notification`` stream, slips and notices to a recipient (units, leadership, the
    discipline commission's record); on the ``event`` stream, each timeline event of a case, for the
    event subscriptions and the live stream (recipient ``subscribers``); on the ``text`` stream,
    texts to a request's citizen (recipient ``citizen:<request id>``: the phone stays with the
    request)."""

    __tablename__ = "outbox"
    __table_args__ = (
        sa.UniqueConstraint("dedupe_key", "recipient", name="uq_outbox_key_recipient"),
        sa.Index("ix_outbox_position", "position", unique=True),
    )
    id: int | None = Field(default=None, primary_key=True)
    stream: str = Field(default="notification", max_length=16, sa_column_kwargs={"server_default": "notification"})
    dedupe_key: str = Field(max_length=128)
    recipient: str = Field(max_length=64)
    subject: str
    body: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    created_at: datetime = _utc()
    sent_at: datetime | None = _utc(default=None, index=True)
    """A notification: when it was delivered. An event: when it was published (given its position)."""
    position: int | None = None
    """An event's place in the published sequence: in order per case, what a subscription's cursor,
    a replay and the live stream's ``Last-Event-ID`` count."""
    not_before: datetime | None = _utc(default=None)
    """A text held back by the quiet hours: not sent before this time."""


class TextOptOutRow(SQLModel, table=True):
    """A phone number whose citizen asked for no more texts (the SMS platform's 退订)."""

    __tablename__ = "text_opt_outs"
    phone: str = Field(primary_key=True, max_length=32)
    opted_out_at: datetime = _utc()


class EventSubscriptionRow(SQLModel, table=True):
    """A subscriber's webhook: the URL, the event kinds and units it wants, the secret its
    deliveries are signed with, and how far it has received (``cursor``, a position)."""

    __tablename__ = "event_subscriptions"
    id: str = Field(primary_key=True, max_length=24)
    url: str = Field(max_length=2000)
    secret: str = Field(max_length=64)
    kinds: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    """Empty: every kind."""
    units: list[str] | None = Field(default=None, sa_type=sa.JSON)
    """None: every unit's cases (a dispatcher's); a unit's subscription: that unit alone."""
    owner_key_id: str = Field(max_length=24)
    owner_unit: str | None = Field(default=None, max_length=48, index=True)
    """The unit whose key made it: that unit's key may see and change it; None: the centre's."""
    cursor: int = 0
    """The position of the last event delivered (or passed over by the filter)."""
    created_at: datetime = _utc()
    cancelled_at: datetime | None = _utc(default=None)


class SummonsRow(SQLModel, table=True):
    """A unit summoned to a case by the lead unit's whistle (吹哨), its response (报到) and rating."""

    __tablename__ = "summonses"
    __table_args__ = (sa.UniqueConstraint("case_id", "summons_id", name="uq_summonses_case_summons"),)
    id: int | None = Field(default=None, primary_key=True)
    case_id: str = Field(foreign_key="cases.id", max_length=40, index=True)
    summons_id: str = Field(max_length=16)
    lead_unit: str = Field(max_length=48, index=True)
    unit: str = Field(max_length=48, index=True)
    task: str
    reason: str
    whistled_at: datetime = _utc(index=True)
    respond_by: datetime | None = _utc(default=None)
    status: str = Field(max_length=16)
    responded_at: datetime | None = _utc(default=None)
    report: str | None = None
    decline_reason: str | None = None
    ruling_note: str | None = None
    speed: int | None = None
    quality: int | None = None
    rating_comment: str | None = None
    rated_at: datetime | None = _utc(default=None)
    seq: int = 0
    """The case's timeline seq when this row was written; rows only move forward."""


class UnitIndicatorRow(SQLModel, table=True):
    """A unit's indicators, score and ranks for one day, or for its month up to that day; written
    by the daily ranking workflow (see domain/indicators.py for the definitions)."""

    __tablename__ = "unit_indicators"
    __table_args__ = (sa.UniqueConstraint("day", "period", "unit_code", name="uq_unit_indicators_day_period_unit"),)
    id: int | None = Field(default=None, primary_key=True)
    day: date = Field(index=True)
    period: str = Field(max_length=8)
    """``day``: that day alone; ``month``: from the first of its month to that day."""
    unit_code: str = Field(max_length=48, index=True)
    kind: str = Field(max_length=16)
    satisfied: int
    basically_satisfied: int
    dissatisfied: int
    unreachable: int
    due: int
    closed_by_end: int
    accepted: int
    returned: int
    replied: int
    on_time: int
    handling_days: int
    accepted_in_time: int = 0
    acceptance_slips: int = 0
    solved: int = 0
    partly_solved: int = 0
    not_solved: int = 0
    citizen_clocked: int = 0
    citizen_on_time: int = 0
    closed: int = 0
    resolved_first_time: int = 0
    answered_first_contact: int = 0
    satisfaction_rate: float | None = None
    closure_rate: float | None = None
    return_rate: float | None = None
    on_time_rate: float | None = None
    response_rate: float | None = None
    resolution_rate: float | None = None
    citizen_on_time_rate: float | None = None
    first_contact_rate: float | None = None
    average_handling_days: float | None = None
    score: float | None = None
    rank_all: int | None = None
    rank_in_kind: int | None = None
    computed_at: datetime = _utc()


class MergeCorrectionRow(SQLModel, table=True):
    """A dispatcher's correction of merging (一事多投), one row per request moved: a request split
    out of a case it was wrongly merged into, or a request brought along when a case was merged by
    hand into another. The matcher's training data: a split is a pair that must not merge, a
    manual merge a pair it missed."""

    __tablename__ = "merge_corrections"
    __table_args__ = (
        sa.UniqueConstraint("kind", "request_id", "from_case_id", name="uq_merge_corrections_kind_request_case"),
    )
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=8)
    """``split`` or ``merge``."""
    request_id: str = Field(foreign_key="requests.id", max_length=40)
    from_case_id: str = Field(foreign_key="cases.id", max_length=40)
    to_case_id: str = Field(foreign_key="cases.id", max_length=40, index=True)
    merged_similarity: float | None = None
    """For a split: the text similarity intake merged the request on."""
    merged_place: str | None = Field(default=None, max_length=64)
    actor_key_id: str | None = Field(default=None, max_length=24)
    reason: str = Field(max_length=2000)
    at: datetime = _utc(index=True)


class MonthlyAssessmentRow(SQLModel, table=True):
    """A month's assessment (月度考核) as computed: ``domain.assessment.MonthlyAssessment`` as JSON,
    with the policies it was computed under. Assessing the month again replaces it."""

    __tablename__ = "monthly_assessments"
    month: str = Field(primary_key=True, max_length=7)
    result: dict[str, Any] = Field(sa_type=sa.JSON)
    assessed_at: datetime = _utc()


class MonthBottomRow(SQLModel, table=True):
    """A month's bottom lists (``domain.accountability.MonthBottom``): the later months' streaks
    are read from them, never recomputed."""

    __tablename__ = "month_bottoms"
    month: str = Field(primary_key=True, max_length=7)
    entries: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)


class AccountabilityActionRow(SQLModel, table=True):
    """A public notice, interview or discipline referral, with its evidence; one per action key
    (month, unit, step), so a resumed or repeated run never adds one twice."""

    __tablename__ = "accountability_actions"
    key: str = Field(primary_key=True, max_length=96)
    month: str = Field(max_length=7, index=True)
    unit_code: str = Field(max_length=48, index=True)
    kind: str = Field(max_length=16)
    step: str = Field(max_length=24)
    streak: int
    action: dict[str, Any] = Field(sa_type=sa.JSON)
    """``domain.accountability.AccountabilityAction``: the streak's months and this month's figures."""
    digest: str = Field(max_length=64)
    """Of the action and the policy its notice is written under: unchanged by a re-run on the same
    data, so nothing is resent."""
    revision: int = 1
    """The version of the action last circulated: raised each time a re-run changes its digest,
    withdraws it or restores it; its notice versions and messages carry it."""
    created_at: datetime = _utc()
    updated_at: datetime = _utc()
    withdrawn_at: datetime | None = _utc(default=None)
    """A re-run after a data correction no longer finds the action: kept, marked, and the recipients told."""


class FollowUpRow(SQLModel, table=True):
    """The follow-up of an interview or a discipline referral (``domain.follow_up.FollowUp``), as
    its workflow last recorded it: that workflow moves it, this row is what the API reads."""

    __tablename__ = "accountability_follow_ups"
    key: str = Field(primary_key=True, max_length=96, foreign_key="accountability_actions.key")
    month: str = Field(max_length=7, index=True)
    unit_code: str = Field(max_length=48, index=True)
    step: str = Field(max_length=24)
    status: str = Field(max_length=24, index=True)
    due_on: date | None = None
    state: dict[str, Any] = Field(sa_type=sa.JSON)
    updated_at: datetime = _utc()


class NoticeRow(SQLModel, table=True):
    """One version of the notice document of an action, keyed like it and by revision, in Markdown
    and PDF: every version circulated is kept (the first issued, corrections 更正, a withdrawal 撤销)."""

    __tablename__ = "notices"
    key: str = Field(primary_key=True, max_length=96)
    revision: int = Field(primary_key=True)
    month: str = Field(max_length=7, index=True)
    unit_code: str = Field(max_length=48, index=True)
    status: str = Field(max_length=16)
    """issued, corrected or withdrawn."""
    title: str
    filename: str = Field(max_length=128)
    issued_on: date
    markdown: str = Field(sa_type=sa.Text)
    pdf: bytes = Field(sa_type=sa.LargeBinary)


class AssessmentRerunRow(SQLModel, table=True):
    """A leader's re-run of a month after a data correction: who, when, why, and per month assessed
    again what changed (units whose score, rank or actions differ)."""

    __tablename__ = "assessment_reruns"
    id: int | None = Field(default=None, primary_key=True)
    month: str = Field(max_length=7, index=True)
    reason: str = Field(max_length=2000)
    actor_key_id: str | None = Field(default=None, max_length=24)
    requested_at: datetime = _utc()
    workflow_id: str = Field(max_length=96)
    changes: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    """By month: the list of changed units, written by that month's step (once, so a retried step
    does not overwrite it with an empty difference)."""


class InactionMarkRow(SQLModel, table=True):
    """A case a leader marked as typical inaction (典型不作为), once: who, when, why, the unit it
    counts against and the month of the assessment it counts in (the month it was marked in, in the
    city's zone), so that a re-run of an earlier month is not changed by it."""

    __tablename__ = "inaction_marks"
    case_id: str = Field(primary_key=True, foreign_key="cases.id", max_length=40)
    unit_code: str = Field(max_length=48, index=True)
    month: str = Field(max_length=7, index=True)
    reason: str = Field(max_length=2000)
    actor_key_id: str | None = Field(default=None, max_length=24)
    marked_at: datetime = _utc()
    notice_key: str = Field(max_length=96)
    """The key of its city-wide notice (``notices``)."""


class DeliveryRow(SQLModel, table=True):
    """The delivery of one outbox row to one target: a notification to the notification webhook
    (target ``""``), or an event to a subscription (target its id). Its latest outcome (delivered,
    or failed with the error), how many attempts it took, the last HTTP status and latency. One row
    per outbox row and target, whatever the retries."""

    __tablename__ = "deliveries"
    __table_args__ = (sa.UniqueConstraint("outbox_id", "target", name="uq_deliveries_outbox_target"),)
    id: int | None = Field(default=None, primary_key=True)
    outbox_id: int = Field(foreign_key="outbox.id")
    target: str = Field(default="", max_length=24, index=True)
    case_id: str | None = Field(default=None, max_length=40, index=True)
    recipient: str = Field(max_length=64)
    kind: str = Field(max_length=32)
    """A ``NotificationKind`` (reminder, … typical_inaction) or an event's kind (dispatched, …)."""
    outcome: str = Field(max_length=16)
    """delivered or failed (tried again)."""
    attempts: int = 1
    status_code: int | None = None
    """The receiver's last HTTP status; None when it did not answer."""
    latency_ms: float | None = None
    """How long the last attempt took."""
    error: str | None = Field(default=None, max_length=500)
    first_attempt_at: datetime = _utc()
    last_attempt_at: datetime = _utc()
    delivered_at: datetime | None = _utc(default=None)


class KnowledgeEntryRow(SQLModel, table=True):
    """An entry of the centre's policy knowledge base (知识库): what operators answer consultations
    from. Its current version; every version is in ``knowledge_versions``."""

    __tablename__ = "knowledge_entries"
    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    text: str = Field(sa_type=sa.Text)
    source: str = Field(max_length=500)
    """Where the answer comes from: the policy document, its number, the department that issued it."""
    valid_from: date
    valid_until: date | None = None
    matter_types: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    version: int = 1
    retired_at: datetime | None = _utc(default=None)
    updated_at: datetime = _utc()


class KnowledgeVersionRow(SQLModel, table=True):
    """One version of a knowledge-base entry, as it read then: who changed it, when and how."""

    __tablename__ = "knowledge_versions"
    entry_id: int = Field(primary_key=True, foreign_key="knowledge_entries.id")
    version: int = Field(primary_key=True)
    change: str = Field(max_length=16)
    """created, edited or retired."""
    title: str = Field(max_length=200)
    text: str = Field(sa_type=sa.Text)
    source: str = Field(max_length=500)
    valid_from: date
    valid_until: date | None = None
    matter_types: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    actor_key_id: str | None = Field(default=None, max_length=24)
    at: datetime = _utc()


class TargetBreachRow(SQLModel, table=True):
    """A rate below its target over the target's rolling window (``config/targets.yaml``), for a
    unit or the city: opened once, alerted once, closed when the rate is back at the target."""

    __tablename__ = "target_breaches"
    id: int | None = Field(default=None, primary_key=True)
    target: str = Field(max_length=48, index=True)
    scope_key: str = Field(max_length=48, index=True)
    """A unit's code, or ``city``."""
    rate: str = Field(max_length=32)
    line: str = Field(max_length=16)
    """The target's line, as written in the alert: ``≥ 95%``."""
    window_days: int
    opened_on: date
    value: float
    """The rate over the window on the day it fell below."""
    count: int
    """Its denominator then."""
    last_value: float
    last_checked_on: date
    recovered_on: date | None = Field(default=None, index=True)


class ArchivedCaseRow(SQLModel, table=True):
    """A closed case whose whole history is in the archive store: written once, after every run
    was stored, so the archive never exports a case twice."""

    __tablename__ = "archived_cases"
    case_id: str = Field(primary_key=True, foreign_key="cases.id", max_length=40)
    runs: int
    archived_at: datetime = _utc(index=True)


class ArchivedRunRow(SQLModel, table=True):
    """One run of a case's workflow (a case continued as new has several), as archived: the
    object's key in the store and its SHA-256."""

    __tablename__ = "archived_runs"
    case_id: str = Field(primary_key=True, foreign_key="cases.id", max_length=40)
    run_id: str = Field(primary_key=True, max_length=64)
    ordinal: int
    """1 for the case's first run, then in order of continuation."""
    key: str = Field(max_length=256)
    sha256: str = Field(max_length=64)
    size: int
    events: int
    started_at: datetime = _utc()
    closed_at: datetime = _utc()
    archived_at: datetime = _utc()


class LedgerEntryRow(SQLModel, table=True):
    """An append-only chain of the versions of records that are rewritten in place (a month's
    assessment, an accountability action): each version's digest, chained (``domain.audit``)."""

    __tablename__ = "ledger_entries"
    chain: str = Field(primary_key=True, max_length=32)
    seq: int = Field(primary_key=True)
    subject: str = Field(max_length=96, index=True)
    digest: str = Field(max_length=64)
    at: datetime = _utc()
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class PersonalDataReadRow(SQLModel, table=True):
    """One read of citizens' personal data through the API (who read what, 谁看了什么): the key,
    when, which case (none for the codec endpoint, which does not know), and what was read."""

    __tablename__ = "personal_data_reads"
    id: int | None = Field(default=None, primary_key=True)
    key_id: str = Field(max_length=24, index=True)
    role: str = Field(max_length=16)
    case_id: str | None = Field(default=None, max_length=40, index=True)
    what: str = Field(max_length=32)
    """``case`` (the case with its requests), ``case_file``, ``codec`` (payloads opened)."""
    at: datetime = _utc(index=True)


class AttachmentRow(SQLModel, table=True):
    """A file in the object store (``attachments/<id>``, its thumbnail ``attachments/<id>.thumbnail.jpg``)
    and what it belongs to: a request (``request_id``: it follows its request through merges and
    splits), or a case its units uploaded it to (``case_id``), taken by a reply or a response once
    the case records that event (``event_seq``). Uploaded at intake and not yet named by a request:
    neither."""

    __tablename__ = "attachments"
    id: str = Field(primary_key=True, max_length=40)
    request_id: str | None = Field(default=None, foreign_key="requests.id", max_length=40, index=True)
    case_id: str | None = Field(default=None, foreign_key="cases.id", max_length=40, index=True)
    attached_to: str | None = Field(default=None, max_length=16)
    """``request``, ``reply`` or ``response``; None while no request or event has named it."""
    event_seq: int | None = None
    kind: str = Field(max_length=16)
    content_type: str = Field(max_length=100)
    """What is stored and served (a HEIC picture is stored as JPEG)."""
    sniffed_type: str = Field(max_length=100)
    """What the uploaded bytes were, by their content."""
    size: int
    sha256: str = Field(max_length=64)
    """Of the stored bytes (the object store checks it on every read)."""
    upload_sha256: str = Field(max_length=64)
    """Of the bytes as uploaded: the same file sent again by the same key is the same attachment."""
    thumbnail_sha256: str | None = Field(default=None, max_length=64)
    filename: str = Field(max_length=128)
    visibility: str = Field(max_length=16)
    uploaded_by_role: str = Field(max_length=16)
    uploaded_by_unit: str | None = Field(default=None, max_length=48)
    uploaded_by_key_id: str = Field(max_length=24, index=True)
    uploaded_at: datetime = _utc()
    erased_at: datetime | None = _utc(default=None)
    """When its bytes (and thumbnail) were deleted from the store: a citizen's file once its case's
    personal data was erased past the retention period, or an upload no request named in time (its
    row removed after). The row, with its hashes, stays as the record that the file existed."""


class ChainAnchorRow(SQLModel, table=True):
    """A day's seal of the chain heads that moved since the anchor before (a case's timeline, a
    ledger), chained to it by its root: the root is what an outside witness keeps."""

    __tablename__ = "chain_anchors"
    day: date = Field(primary_key=True)
    sealed_at: datetime = _utc()
    upto_event_id: int
    """The last timeline row (``case_events.id``) this anchor and those before it looked at."""
    heads: dict[str, list[Any]] = Field(default_factory=dict, sa_type=sa.JSON)
    """Chain name (``case:C-…`` or ``ledger:…``) → [position, hash] of its head when sealed."""
    prev_root: str = Field(max_length=64)
    root: str = Field(max_length=64)


# The monthly assessment counts a month's whistle ratings and shared cases by these times.
sa.Index("ix_summonses_rated_at", SummonsRow.__table__.c.rated_at)
sa.Index("ix_summonses_responded_at", SummonsRow.__table__.c.responded_at)
# The analysis counts a month's requests by when they were received.
sa.Index("ix_requests_received_at", RequestRow.__table__.c.received_at)

"""Settings from the environment (``MINSHENG_*``) or a ``.env`` file; defaults run the embedded stack."""

import base64
import binascii
from datetime import timedelta
from functools import cached_property
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from domain.accounts import SignInPolicy
from domain.assessment import AssessmentPolicy, load_assessment_policy
from domain.attachments import AttachmentPolicy, load_attachment_policy
from domain.calendar import load_calendar
from domain.callbacks import CallbackPolicy, load_callback_policy
from domain.case import Role
from domain.deadlines import Timing, load_policy
from domain.indicators import IndicatorPolicy, load_indicator_policy
from domain.kinds import KindPolicy, load_kind_policy
from domain.matching import MatchPolicy, TextModel, load_match_policy
from domain.modelstore import ModelStore
from domain.notifications import NotificationPolicy, load_notification_policy
from domain.reference import ReferenceData, ReferenceDataError, load_reference
from domain.targets import TargetPolicy, load_target_policy
from domain.texts import TextPolicy, load_text_policy
from minsheng.temporal import PayloadKeys, TemporalAccess


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MINSHENG_", env_file=".env", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///var/minsheng.db"
    """SQLite file (embedded default) or ``postgresql+asyncpg://user@host:5432/db``."""
    db_pool_size: int = Field(default=10, ge=1, le=200)
    temporal_address: str = "127.0.0.1:7233"
    temporal_namespace: str = "default"
    temporal_tls: bool = False
    """TLS to the Temporal frontend (a production cluster, Temporal Cloud); implied by the two below."""
    temporal_tls_server_ca: Path | None = None
    """The CA that signed the frontend's certificate, where the system's do not know it."""
    temporal_tls_server_name: str | None = None
    """The name on the frontend's certificate, where it is not the address's host."""
    temporal_tls_client_cert: Path | None = None
    """mTLS: this process's certificate (PEM); with ``temporal_tls_client_key``."""
    temporal_tls_client_key: Path | None = None
    temporal_api_key: SecretStr | None = None
    """Temporal Cloud's API key (sent with TLS)."""
    payload_keys: dict[str, SecretStr] = {}
    """Keys that encrypt what Minsheng puts in Temporal (AES-256-GCM), by id, each 32 bytes in
    base64, as JSON: ``{"2026-12": "…"}``. Keep retired keys here: old histories need them."""
    payload_key_id: str | None = None
    """The id of the key that seals new payloads; may be left out when there is one key."""
    task_queue: str = "minsheng-cases"
    delivery_task_queue: str | None = None
    """The outbox's deliveries (case events, texts, notifications) on a task queue of their own,
    served by ``minsheng worker --deliveries``; unset: on ``task_queue``, by every worker."""
    config_dir: Path = Path("config")
    """Folder of the reference data files a city edits (channels, units, catalogue)."""
    var_dir: Path = Path("var")
    """Where ``minsheng dev`` keeps the Temporal and app SQLite files and the dev keys."""
    api_host: str = "127.0.0.1"
    api_port: int = Field(default=8000, ge=1, le=65535)
    temporal_ui_port: int = Field(default=8233, ge=1, le=65535)
    phone_visible_to: list[Role] = [Role.dispatcher, Role.callback_agent]
    """The roles that call citizens and see their phone numbers; the others see them masked."""
    personal_data_retention_days: int | None = Field(default=None, ge=30)
    """Days after a case's close when its citizens' names, phones and addresses are erased, and the
    files sent with their requests deleted (by the case-archive run); unset: kept."""
    attachment_unclaimed_hours: int = Field(default=24, ge=1, le=24 * 30)
    """Hours an upload for a request (``POST /v1/attachments``) waits for a request to name it;
    past them the case-archive run deletes it."""
    codec_cors_origins: list[str] = []
    """Where the Temporal Web UI runs: the origins whose pages may call the codec endpoints;
    unset: the dev server's UI (``temporal_ui_port`` on this machine)."""
    classify_threshold: float = Field(default=0.5, ge=0.0, le=1.0)
    """Keyword confidence at or above which the keywords alone would dispatch (a case's input
    carries it; the worker classifies with the trained model, see ``classify_model_threshold``)."""
    classify_model_threshold: float | None = Field(default=None, ge=0.0, le=1.0)
    """The probability of the best proposal's unit at or above which a case is dispatched without
    a dispatcher; unset: the threshold chosen when the model was trained, for 95% right units on
    its cross-validated predictions (docs/classification.md)."""
    classifier_dir: Path = Path("var/classifier")
    """Where ``minsheng classifier train`` keeps its models, and which one is switched on."""
    classifier_shipped: Path = Path("models/classifier.joblib")
    """The model shipped with Minsheng, used until another is switched on."""
    case_history_limit: int | None = Field(default=None, ge=100)
    """History events at which a case continues as a new run; unset: when the server suggests
    it (Temporal's default: about 4,000 events or 4 MB)."""
    text_model_refresh_minutes: float = Field(default=1, gt=0)
    """How often the worker looks for a newly switched-on classifier model (and loads it)."""
    log_format: Literal["auto", "json", "console"] = "auto"
    """``auto``: pretty on a terminal, JSON otherwise."""
    log_level: str = "INFO"
    worker_max_concurrent_activities: int = Field(default=200, ge=1)
    worker_max_concurrent_workflow_tasks: int = Field(default=200, ge=1)
    worker_max_cached_workflows: int = Field(default=5000, ge=0)
    worker_sandbox: bool = False
    """Run workflows in the SDK's sandbox, which re-runs a workflow's module for every new workflow
    and proxies what it touches: about 40% of the worker's CPU per case (bench/README.md). Off in
    production; on in the test suite, so that nondeterministic workflow code fails there; replays
    (the tests' recorded histories, ``minsheng replay``) always run sandboxed."""
    handoff_timeout_seconds: float = Field(default=5.0, gt=0)
    """How long intake waits for the case engine to start or join its case; past it the caller
    hears 202 (kept) and the reconciler hands the request over."""
    handoff_grace_seconds: float = Field(default=30.0, ge=0)
    """How old a hand-over must be before the reconciler takes it (intake may still be on it)."""
    reconcile_interval_seconds: float = Field(default=30.0, gt=0)
    """How often the worker hands over what intake could not (and once at start-up)."""
    api_key_cache_seconds: float = Field(default=30.0, ge=0.0)
    """How long the API trusts a looked-up key before asking the database again (revocation lag)."""

    notify_webhook_url: str | None = None
    """Where notifications (slips) are POSTed as JSON; unset: they are written to the log."""
    notify_interval_seconds: float = Field(default=5.0, gt=0)
    notify_webhook_secret: SecretStr | None = None
    """Set: notifications are signed like case events (``Minsheng-Signature``, docs/api.md)."""
    events_retry_max_seconds: float = Field(default=300.0, gt=0)
    """The longest wait between two attempts at an event a subscriber refused; the backoff doubles
    from one second up to it."""
    events_heartbeat_seconds: float = Field(default=30.0, ge=1)
    """How soon another worker takes over the deliveries of a worker that died."""
    events_timeout_seconds: float = Field(default=10.0, gt=0)
    """How long one delivery waits for the subscriber's answer."""
    events_poll_seconds: float = Field(default=0.25, gt=0)
    """How often a subscription's delivery, and the live stream, look for new events."""
    events_order_wait_seconds: float = Field(default=60.0, gt=0)
    """How long an event waits for its case's earlier one before it is published anyway."""
    sms_webhook_url: str | None = None
    """The city's SMS platform: texts to citizens are POSTed there as JSON (signed with the secret
    below if set); unset: they are written to the log."""
    sms_webhook_secret: SecretStr | None = None
    lookup_per_minute: int = Field(default=10, ge=1)
    """Citizens' look-ups (``POST /v1/lookup``) allowed per client address per minute, per API process."""
    events_stream_seconds: float = Field(default=300.0, gt=0)
    """How long one live stream stays open; the browser's EventSource reconnects with Last-Event-ID."""
    console_idle_minutes: float = Field(default=30.0, gt=0)
    """A console session unused this long is over: the person signs in again."""
    console_max_failures: int = Field(default=5, ge=1)
    """Failed sign-ins in a row that lock a console account."""
    console_lockout_minutes: float = Field(default=15.0, gt=0)
    """How long a locked console account stays locked."""
    callback_webhook_url: str | None = None
    """The outbound call or SMS system that makes callback visits; unset: the agents' queue."""
    callback_webhook_timeout_seconds: float = Field(default=120.0, gt=0)
    """How long one hand-over may wait for the call system to answer (heartbeats meanwhile)."""
    public_api_url: str | None = None
    """How the callback system reaches the API to post answers; default http://api_host:api_port."""
    ranking_schedule: str = "30 0 * * *"
    """Cron (in ``timezone``) of the daily ranking: by default 00:30 for the day before."""
    assessment_schedule: str = "0 1 1 * *"
    """Cron (in ``timezone``) of the monthly assessment: by default 01:00 on the 1st, for the month before."""
    ranking_policy: Path | None = None
    """The ranking's weights (a profile such as config/examples/ranking-three-rates.yaml); default
    ``config_dir``/ranking.yaml."""
    storage_url: str | None = None
    """The object store (archived histories, attachments): ``s3://bucket/prefix`` for an
    S3-compatible store, else a folder; unset: ``var_dir``/store."""
    storage_endpoint_url: str | None = None
    """The S3 endpoint where it is not AWS's (MinIO, Ceph: ``https://s3.city.example``)."""
    storage_region: str | None = None
    storage_access_key: str | None = None
    storage_secret_key: SecretStr | None = None
    archive_schedule: str = "15 * * * *"
    """Cron (in ``timezone``) of the case archive: hourly by default, well inside the shortest
    retention (the dev server's one day); its first run of a day also seals the day before's anchor."""
    timezone: str = "Asia/Shanghai"
    """The city's time zone: working days and "end of day" are counted in it."""

    @property
    def sign_in_policy(self) -> SignInPolicy:
        return SignInPolicy(
            max_failures=self.console_max_failures,
            lockout=timedelta(minutes=self.console_lockout_minutes),
            idle=timedelta(minutes=self.console_idle_minutes),
        )

    @cached_property
    def reference(self) -> ReferenceData:
        return load_reference(self.config_dir)

    @cached_property
    def callback_policy(self) -> CallbackPolicy:
        return load_callback_policy(self.config_dir / "callbacks.yaml")

    @cached_property
    def text_model(self) -> TextModel:
        """The matcher's text model: the classifier model switched on when the process started
        (loaded at the first request it matches), with the catalogue's bigram weights."""
        from domain.textclassifier import matching_model  # with the model's libraries, when needed

        return matching_model(self.model_store.active(), self.reference)

    @cached_property
    def target_policy(self) -> TargetPolicy:
        return load_target_policy(self.config_dir / "targets.yaml")

    @cached_property
    def kind_policy(self) -> KindPolicy:
        return load_kind_policy(self.config_dir / "request_kinds.yaml")

    @cached_property
    def model_store(self) -> ModelStore:
        return ModelStore(self.classifier_dir, self.classifier_shipped)

    @cached_property
    def match_policy(self) -> MatchPolicy:
        return load_match_policy(self.config_dir / "merging.yaml")

    @cached_property
    def indicator_policy(self) -> IndicatorPolicy:
        return load_indicator_policy(self.ranking_policy or self.config_dir / "ranking.yaml")

    @cached_property
    def assessment_policy(self) -> AssessmentPolicy:
        return load_assessment_policy(self.config_dir / "assessment.yaml")

    @cached_property
    def notification_policy(self) -> NotificationPolicy:
        return load_notification_policy(self.config_dir / "notifications.yaml")

    @cached_property
    def text_policy(self) -> TextPolicy:
        return load_text_policy(self.config_dir / "texts.yaml")

    @cached_property
    def attachment_policy(self) -> AttachmentPolicy:
        return load_attachment_policy(self.config_dir / "attachments.yaml")

    @property
    def api_url(self) -> str:
        return self.public_api_url or f"http://{self.api_host}:{self.api_port}"

    @model_validator(mode="after")
    def _temporal_access_complete(self) -> "Settings":
        if (self.temporal_tls_client_cert is None) != (self.temporal_tls_client_key is None):
            raise ValueError("temporal_tls_client_cert and temporal_tls_client_key go together (mTLS)")
        for name in ("temporal_tls_server_ca", "temporal_tls_client_cert", "temporal_tls_client_key"):
            path = getattr(self, name)
            if path is not None and not path.is_file():
                raise ValueError(f"{name}: no file at {path}")
        return self

    @model_validator(mode="after")
    def _dev_ui_may_call_the_codec(self) -> "Settings":
        if not self.codec_cors_origins:
            port = self.temporal_ui_port
            self.codec_cors_origins = [f"http://127.0.0.1:{port}", f"http://localhost:{port}"]
        return self

    @model_validator(mode="after")
    def _payload_keys_usable(self) -> "Settings":
        for key_id, secret in self.payload_keys.items():
            try:
                key = base64.b64decode(secret.get_secret_value(), validate=True)
            except binascii.Error:
                raise ValueError(f"payload_keys: key {key_id!r} is not base64") from None
            if len(key) != 32:
                raise ValueError(f"payload_keys: key {key_id!r} is {len(key)} bytes, not 32 (AES-256)")
        if self.payload_key_id is not None and self.payload_key_id not in self.payload_keys:
            raise ValueError(
                f"payload_key_id: {self.payload_key_id!r} is not among payload_keys {sorted(self.payload_keys)}"
            )
        if self.payload_key_id is None and len(self.payload_keys) > 1:
            raise ValueError("payload_key_id: say which of the payload_keys seals new payloads")
        return self

    @property
    def payload_key_set(self) -> PayloadKeys | None:
        if not self.payload_keys:
            return None
        keys = tuple((k, base64.b64decode(v.get_secret_value())) for k, v in sorted(self.payload_keys.items()))
        return PayloadKeys(keys=keys, active=self.payload_key_id or keys[0][0])

    @model_validator(mode="after")
    def _storage_url_usable(self) -> "Settings":
        url = self.storage_url
        if url and "://" in url and not url.startswith(("s3://", "file://")):
            raise ValueError(f"storage_url: {url!r} is neither s3://bucket/prefix nor a folder")
        if url and url.startswith("s3://") and not url.removeprefix("s3://").split("/")[0]:
            raise ValueError(f"storage_url: {url!r} names no bucket (s3://bucket/prefix)")
        return self

    @property
    def temporal_access(self) -> TemporalAccess:
        return TemporalAccess(
            tls=self.temporal_tls or self.temporal_api_key is not None,
            server_ca=self.temporal_tls_server_ca,
            server_name=self.temporal_tls_server_name,
            client_cert=self.temporal_tls_client_cert,
            client_key=self.temporal_tls_client_key,
            api_key=self.temporal_api_key.get_secret_value() if self.temporal_api_key else None,
            payload_keys=self.payload_key_set,
        )

    def validate_config(self) -> None:
        """Read every data file a city edits, so that a mistake stops start-up with its name."""
        for policy in (
            "reference",
            "timing",
            "callback_policy",
            "indicator_policy",
            "match_policy",
            "kind_policy",
            "target_policy",
            "assessment_policy",
            "notification_policy",
            "text_policy",
            "attachment_policy",
        ):
            getattr(self, policy)  # each a cached property: read once here, so a bad file fails now

    @cached_property
    def timing(self) -> Timing:
        """Tier policy, working-day calendar and zone: read at start-up, used only in activities."""
        try:
            zone = ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ReferenceDataError(f"MINSHENG_TIMEZONE: unknown time zone {self.timezone!r}") from None
        return Timing(
            policy=load_policy(self.config_dir / "tiers.yaml"),
            calendar=load_calendar(self.config_dir / "calendar"),
            zone=zone,
        )

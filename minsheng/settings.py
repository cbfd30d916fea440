"""Settings from the environment (``MINSHENG_*``) or a ``.env`` file; defaults run the embedded stack."""

from functools import cached_property
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from domain.assessment import AssessmentPolicy, load_assessment_policy
from domain.calendar import load_calendar
from domain.callbacks import CallbackPolicy, load_callback_policy
from domain.deadlines import Timing, load_policy
from domain.indicators import IndicatorPolicy, load_indicator_policy
from domain.matching import MatchPolicy, load_match_policy
from domain.notifications import NotificationPolicy, load_notification_policy
from domain.reference import ReferenceData, ReferenceDataError, load_reference
from domain.textmodel import NaiveBayes, catalogue_model
from domain.texts import TextPolicy, load_text_policy
from minsheng.temporal import TemporalAccess


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
    classify_threshold: float = Field(default=0.5, ge=0.0, le=1.0)
    """Keyword confidence at or above which a case is dispatched without a dispatcher (when the
    text model disagrees, it is not)."""
    classify_model_threshold: float = Field(default=0.9999, ge=0.0, le=1.0)
    """The text model's posterior at or above which it dispatches alone, the keywords not agreeing
    (naive Bayes posteriors run high: 0.9999 was chosen on the tuning half, bench/README.md)."""
    case_history_limit: int | None = Field(default=None, ge=100)
    """History events at which a case continues as a new run; unset: when the server suggests
    it (Temporal's default: about 4,000 events or 4 MB)."""
    text_model_refresh_minutes: float = Field(default=60, gt=0)
    """How often the worker retrains the text model on dispatchers' manual dispatches."""
    log_format: Literal["auto", "json", "console"] = "auto"
    """``auto``: pretty on a terminal, JSON otherwise."""
    log_level: str = "INFO"
    worker_max_concurrent_activities: int = Field(default=200, ge=1)
    worker_max_concurrent_workflow_tasks: int = Field(default=200, ge=1)
    worker_max_cached_workflows: int = Field(default=5000, ge=0)
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
    timezone: str = "Asia/Shanghai"
    """The city's time zone: working days and "end of day" are counted in it."""

    @cached_property
    def reference(self) -> ReferenceData:
        return load_reference(self.config_dir)

    @cached_property
    def callback_policy(self) -> CallbackPolicy:
        return load_callback_policy(self.config_dir / "callbacks.yaml")

    @cached_property
    def text_model(self) -> NaiveBayes:
        """The catalogue's text model, trained at start-up (milliseconds), for the matcher."""
        return catalogue_model(self.reference)

    @cached_property
    def match_policy(self) -> MatchPolicy:
        return load_match_policy(self.config_dir / "merging.yaml")

    @cached_property
    def indicator_policy(self) -> IndicatorPolicy:
        return load_indicator_policy(self.config_dir / "ranking.yaml")

    @cached_property
    def assessment_policy(self) -> AssessmentPolicy:
        return load_assessment_policy(self.config_dir / "assessment.yaml")

    @cached_property
    def notification_policy(self) -> NotificationPolicy:
        return load_notification_policy(self.config_dir / "notifications.yaml")

    @cached_property
    def text_policy(self) -> TextPolicy:
        return load_text_policy(self.config_dir / "texts.yaml")

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

    @property
    def temporal_access(self) -> TemporalAccess:
        return TemporalAccess(
            tls=self.temporal_tls or self.temporal_api_key is not None,
            server_ca=self.temporal_tls_server_ca,
            server_name=self.temporal_tls_server_name,
            client_cert=self.temporal_tls_client_cert,
            client_key=self.temporal_tls_client_key,
            api_key=self.temporal_api_key.get_secret_value() if self.temporal_api_key else None,
        )

    def validate_config(self) -> None:
        """Read every data file a city edits, so that a mistake stops start-up with its name."""
        for policy in (
            "reference",
            "timing",
            "callback_policy",
            "indicator_policy",
            "match_policy",
            "assessment_policy",
            "notification_policy",
            "text_policy",
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

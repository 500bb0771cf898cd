"""One typed settings object, read from the environment and an optional `.env`.

Demo mode is the embedded default: with no DATABASE_URL the app runs on a SQLite
file under `instance/`, seeds demo data and keeps a generated SECRET_KEY there.
On PostgreSQL demo mode is off unless BEACON_DEMO says otherwise, so production
never runs on a made-up secret.
"""

from __future__ import annotations

import secrets
import sys
from datetime import date, datetime, time
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent
MIN_SECRET_LENGTH = 32

Scale = Literal["small", "medium", "large", "xlarge"]
CommaList = Annotated[list[str], NoDecode]
GOOGLE_METADATA = "https://accounts.google.com/.well-known/openid-configuration"
MICROSOFT_METADATA = (
    "https://login.microsoftonline.com/organizations/v2.0/.well-known/openid-configuration"
)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    database_url: str = Field(default="", alias="DATABASE_URL")
    secret_key: SecretStr | None = Field(default=None, alias="SECRET_KEY")
    redis_url: str | None = Field(default=None, alias="REDIS_URL")
    openai_api_key: SecretStr | None = Field(default=None, alias="OPENAI_API_KEY")
    openai_base_url: str | None = Field(default=None, alias="OPENAI_BASE_URL")
    ai_model: str = Field(default="gpt-4o-mini", alias="BEACON_AI_MODEL", min_length=1)
    ai_timeout_seconds: float = Field(default=20, alias="BEACON_AI_TIMEOUT_SECONDS", gt=0, le=300)
    demo: bool | None = Field(default=None, alias="BEACON_DEMO")
    demo_scale: Scale = Field(default="medium", alias="BEACON_DEMO_SCALE")
    demo_seed: int = Field(default=7, alias="BEACON_DEMO_SEED", ge=0)
    instance_dir: Path = Field(default=PROJECT_ROOT / "instance", alias="BEACON_INSTANCE_DIR")
    statement_timeout_ms: int = Field(default=15_000, alias="BEACON_STATEMENT_TIMEOUT_MS", gt=0)
    host: str = Field(default="127.0.0.1", alias="BEACON_HOST")
    port: int = Field(default=8050, alias="BEACON_PORT", gt=0, lt=65536)
    debug: bool = Field(default=False, alias="BEACON_DEBUG")
    web_workers: int = Field(default=1, alias="WEB_WORKERS", ge=1, le=64)
    web_threads: int = Field(default=8, alias="WEB_THREADS", ge=1, le=64)
    public_url: str | None = Field(default=None, alias="BEACON_PUBLIC_URL")
    trusted_proxies: int = Field(default=0, alias="BEACON_TRUSTED_PROXIES", ge=0, le=5)

    # Schedules: bookable hours, in this time zone, on these weekdays (0 is Monday).
    business_opens: time = Field(default=time(8, 0), alias="BEACON_BUSINESS_OPENS")
    business_closes: time = Field(default=time(19, 0), alias="BEACON_BUSINESS_CLOSES")
    business_days: Annotated[list[int], NoDecode] = Field(
        default=[0, 1, 2, 3, 4], alias="BEACON_BUSINESS_DAYS"
    )
    timezone: str = Field(default="Europe/London", alias="BEACON_TIMEZONE")
    # The one currency every amount is in (ISO 4217), shown with each amount people read.
    currency: str = Field(default="GBP", alias="BEACON_CURRENCY")

    # Credit pricing: the rate is funding cost + PD x LGD + the product's margin.
    cache_enabled: bool = Field(default=True, alias="BEACON_CACHE")
    cache_seconds: int = Field(default=900, alias="BEACON_CACHE_SECONDS", ge=0)
    scheduler: Literal["auto", "embedded", "celery", "off"] = Field(
        default="auto", alias="BEACON_SCHEDULER"
    )
    refresh_seconds: int = Field(default=900, alias="BEACON_REFRESH_SECONDS", ge=1)
    webhook_seconds: int = Field(default=15, alias="BEACON_WEBHOOK_SECONDS", ge=1, le=3600)
    # Webhooks to this machine or a private network (a relay inside); off: public HTTPS only.
    webhook_allow_local: bool = Field(default=False, alias="BEACON_WEBHOOK_ALLOW_LOCAL")
    retrain_at: time = Field(default=time(2, 30), alias="BEACON_RETRAIN_AT")
    stale_after_hours: float = Field(default=24, alias="BEACON_STALE_AFTER_HOURS", gt=0)
    # Data import: the drop folder the scheduled refresh loads, and the largest file taken.
    import_dir: str = Field(default="", alias="BEACON_IMPORT_DIR")
    import_max_mb: float = Field(default=2048, alias="BEACON_IMPORT_MAX_MB", gt=0)
    # Who may frame an embed link (CSP frame-ancestors): "*" any site, or a list of origins.
    embed_ancestors: str = Field(
        default="*", alias="BEACON_EMBED_ANCESTORS", pattern=r"^[A-Za-z0-9*:/.' -]{1,500}$"
    )

    # Operations: log format, who may read /metrics.
    log_format: Literal["auto", "json", "console"] = Field(
        default="auto", alias="BEACON_LOG_FORMAT"
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", alias="BEACON_LOG_LEVEL"
    )
    metrics_token: SecretStr | None = Field(default=None, alias="BEACON_METRICS_TOKEN")

    credit_funding_cost: float = Field(default=0.04, alias="BEACON_CREDIT_FUNDING_COST", ge=0, le=1)
    credit_lgd: float = Field(default=0.45, alias="BEACON_CREDIT_LGD", ge=0, le=1)
    # Credit model drift (PSI since training): watch from the first, act (alert) above the
    # second; the usual 0.1 and 0.25.
    psi_watch: float = Field(default=0.1, alias="BEACON_PSI_WATCH", gt=0, le=5)
    psi_act: float = Field(default=0.25, alias="BEACON_PSI_ACT", gt=0, le=5)
    # Tutor risk: the retention team's calls a week, which set the bands (critical: this
    # week's calls to the tutors most likely to leave; high: next week's). Unset: one call
    # a week per 20 tutors employed.
    tutor_calls_per_week: int | None = Field(
        default=None, alias="BEACON_TUTOR_CALLS_PER_WEEK", ge=1, le=100_000
    )

    # Sign-in
    login_ip_limit: str = Field(default="30 per 15 minutes", alias="BEACON_LOGIN_IP_LIMIT")
    login_account_limit: str = Field(default="8 per 15 minutes", alias="BEACON_LOGIN_ACCOUNT_LIMIT")
    # Every sign-in from one address, signed in or not: an office's morning fits, a loop does not
    login_ip_ceiling: str = Field(default="300 per 15 minutes", alias="BEACON_LOGIN_IP_CEILING")
    # API: requests per token (and per unknown credential) in a moving window
    api_limit: str = Field(default="600 per minute", alias="BEACON_API_LIMIT")
    api_max_kb: int = Field(default=8192, alias="BEACON_API_MAX_KB", gt=0, le=262_144)
    reset_token_minutes: int = Field(default=30, alias="BEACON_RESET_TOKEN_MINUTES", gt=0)
    invite_token_days: int = Field(default=7, alias="BEACON_INVITE_TOKEN_DAYS", gt=0)
    mail_backend: Literal["log", "smtp"] = Field(default="log", alias="BEACON_MAIL_BACKEND")
    smtp_host: str | None = Field(default=None, alias="SMTP_HOST")
    smtp_port: int = Field(default=587, alias="SMTP_PORT")
    smtp_starttls: bool = Field(default=True, alias="SMTP_STARTTLS")  # off only for a local relay
    smtp_user: str | None = Field(default=None, alias="SMTP_USER")
    smtp_password: SecretStr | None = Field(default=None, alias="SMTP_PASSWORD")
    mail_from: str = Field(default="beacon@localhost", alias="BEACON_MAIL_FROM")

    # OpenID Connect: a provider is on when its client id and secret are both set.
    google_client_id: str | None = Field(default=None, alias="GOOGLE_CLIENT_ID")
    google_client_secret: SecretStr | None = Field(default=None, alias="GOOGLE_CLIENT_SECRET")
    google_metadata_url: str = Field(default=GOOGLE_METADATA, alias="GOOGLE_METADATA_URL")
    google_issuer: str = Field(default="https://accounts.google.com", alias="GOOGLE_ISSUER")
    microsoft_client_id: str | None = Field(default=None, alias="MICROSOFT_CLIENT_ID")
    microsoft_client_secret: SecretStr | None = Field(default=None, alias="MICROSOFT_CLIENT_SECRET")
    microsoft_metadata_url: str = Field(default=MICROSOFT_METADATA, alias="MICROSOFT_METADATA_URL")
    microsoft_allowed_tenants: CommaList = Field(default=[], alias="MICROSOFT_ALLOWED_TENANTS")
    oidc_allowed_domains: CommaList = Field(default=[], alias="OIDC_ALLOWED_DOMAINS")
    oidc_leeway_seconds: int = Field(default=60, alias="OIDC_LEEWAY_SECONDS", ge=0)

    @field_validator("microsoft_allowed_tenants", "oidc_allowed_domains", mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip().lower() for part in value.split(",") if part.strip()]
        return value

    @field_validator("business_days", mode="before")
    @classmethod
    def _weekdays(cls, value: object) -> object:
        if isinstance(value, str):
            value = [int(part) for part in value.split(",") if part.strip()]
        if isinstance(value, list) and not all(isinstance(d, int) and 0 <= d <= 6 for d in value):
            raise ValueError("must be weekday numbers from 0 (Monday) to 6, e.g. 0,1,2,3,4")
        return value

    @field_validator("currency")
    @classmethod
    def _currency_code(cls, value: str) -> str:
        code = value.strip().upper()
        if not (len(code) == 3 and code.isascii() and code.isalpha()):
            raise ValueError(f"must be an ISO 4217 currency code such as GBP or EUR; got {value!r}")
        return code

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(
                f"must be an IANA time zone such as Europe/London; got {value!r}"
            ) from error
        return value

    @model_validator(mode="after")
    def _resolve(self) -> Settings:
        url = self.database_url.strip()
        if not url:
            url = f"sqlite:///{self.instance_dir / 'beacon.db'}"
        elif url.startswith(("postgres://", "postgresql://")):
            url = "postgresql+psycopg://" + url.split("://", 1)[1]
        if not url.startswith(("sqlite://", "postgresql+psycopg://")):
            raise ValueError(
                "DATABASE_URL must start with sqlite:// or postgresql://; "
                f"got {url.split('://', 1)[0]}://"
            )
        self.database_url = url
        if self.psi_watch >= self.psi_act:
            raise ValueError(
                f"BEACON_PSI_WATCH ({self.psi_watch}) must be below BEACON_PSI_ACT ({self.psi_act})"
            )
        if self.demo is None:
            self.demo = self.is_sqlite
        if self.secret_key is None and self.demo:
            self.secret_key = SecretStr(_demo_secret(self.instance_dir))
        if self.secret_key is None:
            raise ValueError("SECRET_KEY is required outside demo mode (BEACON_DEMO=false)")
        if self.public_url:
            self.public_url = _public_url(self.public_url)
        elif not self.demo:
            raise ValueError(
                "BEACON_PUBLIC_URL is required outside demo mode (BEACON_DEMO=false): the "
                "address users reach, e.g. https://beacon.example.org; mailed links use it"
            )
        if len(self.secret_key.get_secret_value()) < MIN_SECRET_LENGTH:
            raise ValueError(
                f"SECRET_KEY must be at least {MIN_SECRET_LENGTH} characters; "
                f"got {len(self.secret_key.get_secret_value())}"
            )
        for provider in ("google", "microsoft"):
            has_id = bool(getattr(self, f"{provider}_client_id"))
            if has_id != bool(getattr(self, f"{provider}_client_secret")):
                name = provider.upper()
                raise ValueError(f"{name}_CLIENT_ID and {name}_CLIENT_SECRET must be set together")
        if self.microsoft_client_id and not self.microsoft_allowed_tenants:
            raise ValueError("MICROSOFT_ALLOWED_TENANTS must list at least one tenant id")
        if self.mail_backend == "smtp" and not self.smtp_host:
            raise ValueError("SMTP_HOST is required when BEACON_MAIL_BACKEND=smtp")
        return self

    @property
    def secure_cookies(self) -> bool:
        return bool(self.public_url and self.public_url.startswith("https://"))

    @property
    def base_url(self) -> str:
        """The address in every link Beacon hands out (mail, OIDC, calendars, embeds). Never
        the request's Host header: an attacker chooses that one."""
        return self.public_url or f"http://{self.host}:{self.port}"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def runs_jobs(self) -> Literal["embedded", "celery", "off"]:
        """Who runs scheduled jobs: this process (APScheduler), Celery beat, or nobody."""
        if self.scheduler == "auto":
            return "celery" if self.redis_url else "embedded"
        return self.scheduler


def _public_url(value: str) -> str:
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ValueError(
            f"BEACON_PUBLIC_URL must be an http(s) address such as https://beacon.example.org; "
            f"got {value!r}"
        )
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


def _demo_secret(instance_dir: Path) -> str:
    """Generate the demo SECRET_KEY once and keep it, so sessions survive restarts."""
    path = instance_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def business_today() -> date:
    """Today on the business's clock (BEACON_TIMEZONE). UTC's date runs an hour behind
    London's in summer: from 00:00 to 01:00 BST an instalment due today was not yet in
    arrears, and a tutor leaving today was still here."""
    return datetime.now(ZoneInfo(get_settings().timezone)).date()


def load_settings_or_exit() -> Settings:
    """Start-up entry: a bad setting stops the process with a message naming it."""
    try:
        return get_settings()
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            message = err["msg"].removeprefix("Value error, ")
            name = ".".join(str(p) for p in err["loc"]).upper()
            lines.append(f"  {name}: {message}" if name else f"  {message}")
        sys.exit("Beacon cannot start: a setting is wrong.\n" + "\n".join(lines))

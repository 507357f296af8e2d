"""Node configuration: one Settings class, read from `PALERMO_*` environment variables."""

from __future__ import annotations

import enum
from functools import lru_cache
from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from palermo.identity.roles import Role

# A well-known key so that a development node starts without ceremony; production refuses it.
DEVELOPMENT_SECRET_KEY = "palermo-development-key-not-for-production"  # noqa: S105


class Environment(enum.StrEnum):
    development = "development"
    test = "test"
    production = "production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PALERMO_", extra="ignore")

    environment: Environment = Environment.development
    data_dir: Path = Path("palermo-data")
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; default is an SQLite file in the data directory.",
    )
    node_code: str = "NODE-LOCAL"
    node_name: str = "Local Palermo node"
    secret_key: str = DEVELOPMENT_SECRET_KEY
    # The node's Ed25519 key (signs audit tree heads); default: <data_dir>/keys/node-ed25519.pem
    node_key_file: Path | None = None

    # Authentication (CJIS 5.5.3 / 5.5.5 defaults; see LEGAL-REQUIREMENTS S1, S2).
    max_failed_logins: int = Field(default=5, ge=1)
    lockout_minutes: int = Field(default=10, ge=1)
    session_idle_minutes: int = Field(default=30, ge=1)
    session_absolute_hours: int = Field(default=12, ge=1)
    api_token_max_days: int = Field(default=365, ge=1)
    # How early an agency administrator's dashboard shows API tokens and access grants
    # about to expire (agency exchange keys do not expire; they are rotated).
    credentials_expiry_warning_days: int = Field(default=14, ge=1, le=365)
    mfa_required_roles: frozenset[Role] = frozenset(
        {Role.supervisor, Role.agency_admin, Role.auditor, Role.system_admin}
    )
    # argon2id cost; tests lower it, production keeps the library's recommended default.
    argon2_time_cost: int = Field(default=3, ge=1)
    argon2_memory_kib: int = Field(default=65536, ge=8)

    # Retention defaults (Interpol RPD: review after 5 years, 6 months' notice); per agency too.
    review_after_months: int = Field(default=60, ge=1)
    review_reminder_months: int = Field(default=6, ge=0)

    max_request_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    # Requests inside the app at once (see http.ConcurrencyLimit): below the thread pool (40)
    # and the database connection pool (5 + 10 overflow).
    max_concurrent_requests: int = Field(default=8, ge=1, le=32)
    # Authenticated requests a minute per user and per agency (ratelimit.py; 0: no limit).
    # Generous: they stop runaway scripts and replayed tokens, not people or the web UI.
    rate_limit_user_per_minute: int = Field(default=1200, ge=0)
    rate_limit_agency_per_minute: int = Field(default=6000, ge=0)

    # Exchange and federation.
    node_url: str | None = Field(default=None, description="This node's URL as peers reach it")
    # A message's attachments together (each envelope must fit a peer's request limit).
    max_attachment_bytes: int = Field(default=5 * 1024 * 1024, ge=1024)
    outbox_base_backoff_seconds: float = Field(default=1.0, gt=0)
    outbox_max_backoff_seconds: float = Field(default=300.0, gt=0)
    # Run the outbox courier inside `palermo serve` (off: deliver with `palermo node outbox`).
    outbox_courier: bool = True
    # How often `palermo serve` re-reads its peers' directories (rotated keys, new agencies);
    # 0: only by `palermo node peer sync`.
    directory_sync_seconds: float = Field(default=600.0, ge=0)
    # Financial intelligence: reference rates to EUR (default: the table shipped with Palermo).
    finintel_fx_rates: Path | None = None
    # Asset recovery: the currency its statistics are kept in, and how early orders warn.
    assets_reporting_currency: str = Field(default="EUR", pattern="^[A-Z]{3}$")
    assets_expiry_warning_days: int = Field(default=30, ge=1, le=365)
    # Cases: how early the agency acting under a special-technique authorisation is warned.
    cases_authorisation_warning_days: int = Field(default=14, ge=1, le=365)
    # Judicial requests: how early the authority that must act is reminded of a deadline.
    judicial_reminder_days: int = Field(default=7, ge=1, le=365)
    host: str = "127.0.0.1"
    port: int = 8000

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'palermo.sqlite3').resolve()}"

    @property
    def secure_cookies(self) -> bool:
        return self.environment is Environment.production

    @model_validator(mode="after")
    def refuse_unsafe_production(self) -> Settings:
        if self.environment is Environment.production:
            if self.secret_key == DEVELOPMENT_SECRET_KEY or len(self.secret_key) < 32:
                raise ValueError(
                    "PALERMO_SECRET_KEY must be set to a random value of at least 32 "
                    "characters in production"
                )
            if self.argon2_time_cost < 2 or self.argon2_memory_kib < 19456:
                raise ValueError("argon2 cost below OWASP's minimum is refused in production")
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()

"""Settings from `REDFLARE_*` environment variables (SPEC appendix C) and a config file, validated at start.

The config file is TOML: `REDFLARE_CONFIG` names it, else `./redflare.toml` is read when present. Its keys are
the settings' names without the prefix (`data_dir = "/srv/redflare"`, `workers = 4`, `base_url = …`).
Precedence: arguments, then environment variables, then the file, then defaults. An unknown key in the file is
an error, so a typo never silently falls back to a default.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

CONFIG_ENV = "REDFLARE_CONFIG"
DEFAULT_CONFIG = Path("redflare.toml")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="REDFLARE_", extra="ignore")

    data_dir: Path = Field(default=Path("redflare-data"), description="SQLite file, artifacts, exports, secret key.")
    database_url: str | None = Field(default=None, description="Overrides the embedded SQLite database.")
    workers: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1, description="Analysis processes.")
    batch_size: int = Field(default=200, ge=1, le=100_000, description="Conversations per analysis batch.")
    base_url: str = Field(default="http://127.0.0.1:8000", description="Address links in emails point at.")
    demo_workflows: bool = Field(
        default=True,
        description="`redflare serve`'s first start stores the example workflows beside the demo conversations; "
        "false (REDFLARE_DEMO_WORKFLOWS=0) starts with an empty Workflows list.",
    )

    smtp_host: str | None = Field(default=None, description="SMTP server; unset keeps messages in the outbox.")
    smtp_port: int | None = Field(default=None, ge=1, le=65535, description="Default 25, 587 (starttls), 465 (ssl).")
    smtp_user: str | None = Field(default=None, description="SMTP user name, when the server wants one.")
    smtp_password: str | None = Field(default=None, description="SMTP password.")
    smtp_tls: Literal["none", "starttls", "ssl"] = Field(default="none", description="How to secure the connection.")
    smtp_ca_file: Path | None = Field(default=None, description="CA bundle that signs the server's certificate.")
    smtp_timeout_s: float = Field(default=30.0, gt=0, description="Seconds to wait for the SMTP server.")
    smtp_max_attempts: int = Field(default=6, ge=1, le=50, description="Tries before a message fails.")
    smtp_backoff_s: float = Field(default=2.0, ge=0, description="First retry delay; doubled each try after.")
    mail_from: str = Field(default="RedFlare <redflare@localhost>", description="Sender of every email.")
    exports_url: str | None = Field(default=None, description="fsspec URL for export files (default: data folder).")
    export_link_days: float = Field(default=7.0, gt=0, le=366, description="Days a report's download link works.")

    catch_up: Literal["once", "skip"] = Field(
        default="once", description="A schedule firing missed while the server was down: run it once, or skip it."
    )
    scheduler_poll_s: float = Field(default=0.25, gt=0, le=60, description="How often the scheduler looks for work.")
    shutdown_grace_s: float = Field(
        default=10.0,
        ge=0,
        le=3600,
        description="On stop, how long runs in flight may take to end (e.g. emails still retrying) before they are "
        "cut off; the next start fails them as interrupted, to be re-run from the failed step.",
    )

    ui_dir: Path | None = Field(default=None, description="Built front end to serve at / (default: frontend/dist).")

    admin_email: str | None = Field(default=None, description="The first admin's email (first start only).")
    admin_password: str | None = Field(default=None, description="The first admin's password (first start only).")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        path = config_file()
        if path is None:
            return (init_settings, env_settings)
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls, toml_file=path))

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'redflare.db').resolve()}"

    @property
    def smtp_configured(self) -> bool:
        return bool(self.smtp_host)

    @property
    def exports_dir(self) -> Path:
        return self.data_dir / "exports"

    @property
    def artifacts_dir(self) -> Path:
        return self.data_dir / "artifacts"

    def secret_key(self) -> str:
        """The signing key, generated once and kept in the data folder (readable by its owner only)."""
        path = self.data_dir / "secret.key"
        if not path.exists():
            import secrets

            self.data_dir.mkdir(parents=True, exist_ok=True)
            path.touch(mode=0o600)
            path.write_text(secrets.token_urlsafe(48), encoding="utf-8")
        return path.read_text(encoding="utf-8").strip()


def config_file() -> Path | None:
    """The config file to read, checked: REDFLARE_CONFIG (must exist), else ./redflare.toml if present."""
    named = os.environ.get(CONFIG_ENV)
    path = Path(named) if named else DEFAULT_CONFIG
    if not path.exists():
        if named:
            raise ValueError(f"{CONFIG_ENV} names {path}, which does not exist")
        return None
    try:
        keys = set(tomllib.loads(path.read_text(encoding="utf-8")))
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path} is not valid TOML: {exc}") from exc
    unknown = sorted(keys - set(Settings.model_fields))
    if unknown:
        raise ValueError(f"{path}: unknown setting(s) {', '.join(unknown)}; known: {', '.join(Settings.model_fields)}")
    return path

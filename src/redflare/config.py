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

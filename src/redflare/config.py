"""Settings from `REDFLARE_*` environment variables (SPEC appendix C), validated at start."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="REDFLARE_", extra="ignore")

    data_dir: Path = Field(default=Path("redflare-data"), description="SQLite file, artifacts, exports, secret key.")
    database_url: str | None = Field(default=None, description="Overrides the embedded SQLite database.")
    workers: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1, description="Analysis processes.")
    batch_size: int = Field(default=200, ge=1, le=100_000, description="Conversations per analysis batch.")
    base_url: str = Field(default="http://127.0.0.1:8000", description="Address links in emails point at.")

    admin_email: str | None = Field(default=None, description="The first admin's email (first start only).")
    admin_password: str | None = Field(default=None, description="The first admin's password (first start only).")

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

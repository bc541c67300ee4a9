"""Settings: environment variables over a TOML config file over defaults; typos in the file are errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from redflare.config import Settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("REDFLARE_CONFIG", "REDFLARE_WORKERS", "REDFLARE_DATA_DIR", "REDFLARE_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


class TestSettings:
    def test_file_then_environment(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """./redflare.toml sets values; an environment variable overrides the file."""
        (tmp_path / "redflare.toml").write_text('workers = 3\nbase_url = "https://qa.example.com"\n')
        assert (Settings().workers, Settings().base_url) == (3, "https://qa.example.com")
        monkeypatch.setenv("REDFLARE_WORKERS", "5")
        assert Settings().workers == 5

    def test_named_file(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """REDFLARE_CONFIG points at a file elsewhere; a missing one is an error, not a silent default."""
        other = tmp_path / "conf" / "prod.toml"
        other.parent.mkdir()
        other.write_text('data_dir = "/srv/redflare"\n')
        monkeypatch.setenv("REDFLARE_CONFIG", str(other))
        assert Settings().data_dir == Path("/srv/redflare")
        monkeypatch.setenv("REDFLARE_CONFIG", str(tmp_path / "missing.toml"))
        with pytest.raises(ValueError, match="does not exist"):
            Settings()

    def test_unknown_key_is_an_error(self, tmp_path: Path) -> None:
        """A typo in the file names the key instead of being ignored."""
        (tmp_path / "redflare.toml").write_text("wokers = 3\n")
        with pytest.raises(ValueError, match="unknown setting"):
            Settings()

    def test_no_file_means_defaults(self) -> None:
        """Without a file, the embedded defaults apply."""
        assert Settings().data_dir == Path("redflare-data")

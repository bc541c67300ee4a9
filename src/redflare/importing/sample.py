"""Where demo conversations come from: the sample shipped in the package, or the shared datasets nearby.

The package ships `redflare/data/demo/*.jsonl` (appendix-D JSONL made from STAR's bank chats and the
Harper Valley Bank calls by `scripts/make_demo_sample.py`; attribution in ATTRIBUTION.md beside
them), so an installed product has demo data without the shared folder.
"""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

DATASETS_ENV = "REDFLARE_DATASETS_DIR"
DEMO_FILES = ("star_bank.jsonl", "hvb_calls.jsonl")
# src/redflare/importing/sample.py → the checkout's root is three folders above the package.
_CHECKOUT = Path(__file__).resolve().parents[3]


def packaged_demo_files() -> list[Path]:
    """The demo JSONL files inside the installed package, in a fixed order."""
    folder = files("redflare").joinpath("data", "demo")
    return [Path(str(folder.joinpath(name))) for name in DEMO_FILES if folder.joinpath(name).is_file()]


def shared_datasets_dir() -> Path | None:
    """The shared datasets folder: $REDFLARE_DATASETS_DIR, else ../shared/datasets beside the cwd or the checkout."""
    configured = os.environ.get(DATASETS_ENV)
    if configured:
        path = Path(configured).expanduser()
        return path if path.is_dir() else None
    for base in (Path.cwd(), _CHECKOUT):
        candidate = (base / ".." / "shared" / "datasets").resolve()
        if candidate.is_dir():
            return candidate
    return None

"""Conversation sets at rest: one Parquet file per (run, step, port) under the artifacts folder."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


class ArtifactFiles:
    def __init__(self, root: Path) -> None:
        self._root = root

    def path_for(self, run_id: str, step_id: str, port: str) -> Path:
        # Port names are user text ("Reviewer A"): keep the file name safe and still unique.
        safe_port = _UNSAFE.sub("_", port) + f"-{port.encode().hex()[:16]}"
        return self._root / run_id / step_id / f"{safe_port}.parquet"

    def write(self, run_id: str, step_id: str, port: str, frame: pl.DataFrame) -> tuple[str, int]:
        """Store a set; returns its path and size in bytes."""
        path = self.path_for(run_id, step_id, port)
        path.parent.mkdir(parents=True, exist_ok=True)
        frame.write_parquet(path, compression="lz4", statistics=False)
        return str(path), path.stat().st_size

    @staticmethod
    def read(path: str) -> pl.DataFrame:
        return pl.read_parquet(path)

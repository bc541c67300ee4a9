"""Export storage at any fsspec URL (`s3://bucket/exports`, `gs://…`, `memory://…`): for a cluster, where
every worker and web process must reach the same files."""

from __future__ import annotations

from pathlib import Path
from typing import Any, BinaryIO, cast

import fsspec  # type: ignore[import-untyped]

from redflare.adapters.storage import check_key


class FsspecStorage:
    def __init__(self, url: str, *, scratch: Path) -> None:
        self._fs: Any
        self._fs, self._root = fsspec.core.url_to_fs(url)
        self._root = self._root.rstrip("/")
        self._fs.makedirs(self._root, exist_ok=True)
        self._scratch = scratch
        self._scratch.mkdir(parents=True, exist_ok=True)

    @property
    def scratch(self) -> Path:
        return self._scratch

    def _path(self, key: str) -> str:
        return f"{self._root}/{check_key(key)}"

    def put(self, source: Path, key: str) -> int:
        self._fs.put_file(str(source), self._path(key))
        source.unlink(missing_ok=True)
        return int(self._fs.size(self._path(key)))

    def open(self, key: str) -> BinaryIO:
        return cast(BinaryIO, self._fs.open(self._path(key), "rb"))

    def local_path(self, key: str) -> Path | None:
        check_key(key)  # the same refusal as every other operation, though no file is touched
        return None

    def delete(self, key: str) -> None:
        path = self._path(key)
        if self._fs.exists(path):
            self._fs.rm_file(path)

"""Export storage in a local folder (the embedded default: `<data folder>/exports`)."""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path
from typing import BinaryIO

from redflare.adapters.storage import check_key


class LocalStorage:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)
        self._scratch = root / ".scratch"  # same file system as the files: `put` is an atomic rename
        self._scratch.mkdir(exist_ok=True)

    @property
    def scratch(self) -> Path:
        return self._scratch

    def put(self, source: Path, key: str) -> int:
        target = self.root / check_key(key)
        try:
            os.replace(source, target)
        except OSError as exc:
            if exc.errno != errno.EXDEV:
                raise
            # A source on another file system (not written in `scratch`): copy, then remove it, as a move would.
            shutil.copyfile(source, target)
            source.unlink()
        return target.stat().st_size

    def open(self, key: str) -> BinaryIO:
        return (self.root / check_key(key)).open("rb")

    def local_path(self, key: str) -> Path | None:
        return self.root / check_key(key)

    def delete(self, key: str) -> None:
        (self.root / check_key(key)).unlink(missing_ok=True)

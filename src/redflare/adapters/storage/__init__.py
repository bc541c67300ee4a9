"""Where export files live: a storage interface, a local folder by default, any fsspec URL in a cluster.

Contract (`ExportStorage`): a writer first writes a file into `scratch` (a local folder, so the xlsx writer and
polars can stream to disk), then `put(path, key)` moves or uploads it under `key` and answers its size in
bytes; `open(key)` reads it back as a binary stream; `local_path(key)` is the file on this machine when
there is one (so the web layer can serve it with sendfile), else None; `delete(key)` removes it and does
nothing when it is already gone. Keys are random names the caller picks (`<32 hex>.xlsx`): letters, digits,
`.`, `_` and `-`, starting with a letter or digit, at most 200 characters. Anything else (a path separator,
`..`, a drive letter, a glob character, a control character …) is a ValueError before any file is touched,
so a key can never reach outside the storage, whatever the backend makes of special characters.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import BinaryIO, Protocol

# A whitelist rather than a list of dangers: fsspec backends differ in what they treat as special.
_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}")


class ExportStorage(Protocol):
    @property
    def scratch(self) -> Path: ...

    def put(self, source: Path, key: str) -> int: ...

    def open(self, key: str) -> BinaryIO: ...

    def local_path(self, key: str) -> Path | None: ...

    def delete(self, key: str) -> None: ...


def check_key(key: str) -> str:
    """The key, if it is a plain file name; a ValueError otherwise."""
    if _KEY.fullmatch(key) is None:
        raise ValueError(f"not a storage key: {key!r}")
    return key

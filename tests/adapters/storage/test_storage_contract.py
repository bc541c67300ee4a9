"""Export storage contract: what a Schedule Export stores comes back byte for byte, goes when deleted, and a key
can never reach outside the storage — the same for the local folder and for an fsspec URL (memory://)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import fsspec  # type: ignore[import-untyped]
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from redflare.adapters.storage import ExportStorage, check_key
from redflare.adapters.storage.fsspec_storage import FsspecStorage
from redflare.adapters.storage.local import LocalStorage

BAD_KEYS = [
    "",
    ".",
    "..",
    "../outside.csv",
    "a/../../outside.csv",
    "sub/file.csv",
    "sub\\file.csv",
    "/etc/passwd",
    ".hidden.csv",
    "C:file.csv",
    "a\x00b.csv",
    "a\nb.csv",
    "*.csv",
    "report?.csv",
    "[ab].csv",
    "~user.csv",
    "café.csv",
    "x" * 201,
]


@pytest.fixture(params=["local", "fsspec-memory"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ExportStorage]:
    if request.param == "local":
        yield LocalStorage(tmp_path / "exports")
        return
    root = f"/redflare-test-{uuid.uuid4().hex}"  # the memory file system is one per process: a root per test
    yield FsspecStorage(f"memory://{root}", scratch=tmp_path / "scratch")
    fsspec.filesystem("memory").rm(root, recursive=True)


def staged(storage: ExportStorage, content: bytes, name: str = "staged.bin") -> Path:
    """A file written in the storage's scratch folder, as an export writer leaves it."""
    path = storage.scratch / name
    path.write_bytes(content)
    return path


class TestStoredFiles:
    def test_put_answers_the_size_and_open_reads_the_same_bytes(self, storage: ExportStorage) -> None:
        """A stored file reads back byte for byte, and its size is what `put` said; the scratch copy is gone."""
        content = b"id,agent\r\n" + bytes(range(256)) * 300
        source = staged(storage, content)
        size = storage.put(source, "0123abcd.csv")
        assert size == len(content)
        with storage.open("0123abcd.csv") as handle:
            assert handle.read() == content
        assert not source.exists()

    def test_putting_a_key_again_replaces_its_file(self, storage: ExportStorage) -> None:
        """The key names one file: the second put wins."""
        storage.put(staged(storage, b"first version"), "report.xlsx")
        assert storage.put(staged(storage, b"second"), "report.xlsx") == len(b"second")
        with storage.open("report.xlsx") as handle:
            assert handle.read() == b"second"

    def test_local_path_is_the_file_on_this_machine_when_there_is_one(self, storage: ExportStorage) -> None:
        """The local folder can be served straight from disk; a remote storage says it has no local file."""
        storage.put(staged(storage, b"abc"), "k.csv")
        path = storage.local_path("k.csv")
        if isinstance(storage, LocalStorage):
            assert path is not None
            assert path.read_bytes() == b"abc"
        else:
            assert path is None

    def test_delete_removes_the_file_and_is_quiet_when_it_is_gone(self, storage: ExportStorage) -> None:
        """After delete, opening the key is FileNotFoundError; deleting again, or a key never stored, is fine."""
        storage.put(staged(storage, b"abc"), "gone.csv")
        storage.delete("gone.csv")
        with pytest.raises(FileNotFoundError):
            storage.open("gone.csv")
        storage.delete("gone.csv")
        storage.delete("never-stored.csv")

    def test_open_of_a_missing_key_is_file_not_found(self, storage: ExportStorage) -> None:
        """A key that was never stored is FileNotFoundError (the download answers 404 on it)."""
        with pytest.raises(FileNotFoundError):
            storage.open("missing.xlsx")


class TestKeys:
    @pytest.mark.parametrize("key", BAD_KEYS, ids=repr)
    def test_keys_that_are_not_plain_names_are_refused_by_every_operation(
        self, storage: ExportStorage, key: str
    ) -> None:
        """put, open, local_path and delete all refuse the key before touching a file; the staged file stays."""
        source = staged(storage, b"secret")
        operations: list[Callable[[], object]] = [
            lambda: storage.put(source, key),
            lambda: storage.open(key),
            lambda: storage.local_path(key),
            lambda: storage.delete(key),
        ]
        for operation in operations:
            with pytest.raises(ValueError, match="not a storage key"):
                operation()
        assert source.read_bytes() == b"secret"

    def test_the_keys_exports_use_are_accepted(self) -> None:
        """The random names the export sink picks (`<32 hex>.<type>`) are plain keys."""
        for file_type in ("csv", "xlsx"):
            key = f"{uuid.uuid4().hex}.{file_type}"
            assert check_key(key) == key

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(key=st.text(max_size=12))
    def test_any_key_is_refused_or_lands_directly_in_the_folder(self, tmp_path: Path, key: str) -> None:
        """Whatever the key, a local store either refuses it or keeps the file right inside its folder."""
        storage = LocalStorage(tmp_path / f"exports-{uuid.uuid4().hex}")
        source = staged(storage, b"x")
        try:
            storage.put(source, key)
        except ValueError:
            assert source.exists()
            return
        stored = storage.local_path(key)
        assert stored is not None
        assert stored.parent == storage.root
        assert stored.name == key
        assert stored.read_bytes() == b"x"

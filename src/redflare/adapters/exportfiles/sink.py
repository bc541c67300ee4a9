"""Writes an export file into the export storage under a random key (a step's `ExportSink`)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from contextlib import suppress

import polars as pl

from redflare.adapters.exportfiles.csv_file import write_csv
from redflare.adapters.exportfiles.links import ExportLinks
from redflare.adapters.exportfiles.xlsx_file import write_xlsx
from redflare.adapters.storage import ExportStorage
from redflare.domain.delivery import ExportRecord, FileType

WRITERS = {"csv": write_csv, "xlsx": write_xlsx}


class StorageExportSink:
    def __init__(self, storage: ExportStorage, links: ExportLinks) -> None:
        self._storage = storage
        self._links = links

    def write(self, frame: pl.DataFrame, *, name: str, columns: Sequence[str], file_type: FileType) -> ExportRecord:
        export_id = uuid.uuid4().hex
        # A random key: the name a user gave never reaches the file system, and keys cannot be guessed.
        key = f"{uuid.uuid4().hex}.{file_type}"
        scratch = self._storage.scratch / key
        try:
            written = WRITERS[file_type](frame, scratch, columns)
            size = self._storage.put(scratch, key)
        finally:
            with suppress(FileNotFoundError):
                scratch.unlink()
        return ExportRecord(
            id=export_id,
            name=name,
            file_type=file_type,
            key=key,
            rows=written.rows,
            size=size,
            columns=tuple(columns),
            link=self._links.url(export_id),
        )

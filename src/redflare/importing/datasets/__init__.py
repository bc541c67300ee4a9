"""Mappings from public conversation datasets (shared/datasets) onto the import format.

`DATASET_FORMATS` lists them by name, in the order `detect` asks them; `detect(path)` tells which
dataset a file or folder is, or None for the native format (SPEC appendix D).
"""

from __future__ import annotations

from pathlib import Path

from redflare.importing.datasets import abcd, azure, hvb, multidogo, multiwoz, star, taskmaster
from redflare.importing.datasets.base import DatasetFormat


def _registry(*formats: DatasetFormat) -> dict[str, DatasetFormat]:
    registry: dict[str, DatasetFormat] = {}
    for fmt in formats:
        if fmt.name in registry:
            raise ValueError(f"dataset format {fmt.name!r} is registered twice")
        registry[fmt.name] = fmt
    return registry


DATASET_FORMATS: dict[str, DatasetFormat] = _registry(
    star.FORMAT,
    hvb.FORMAT,
    multidogo.FORMAT,
    abcd.FORMAT,
    taskmaster.FORMAT,
    multiwoz.FORMAT,
    azure.FORMAT,
)


def detect(path: Path) -> DatasetFormat | None:
    """The dataset a file or folder holds, or None when it is not one of them (native files)."""
    for fmt in DATASET_FORMATS.values():
        if fmt.claims(path):
            return fmt
    return None


__all__ = ["DATASET_FORMATS", "DatasetFormat", "detect"]

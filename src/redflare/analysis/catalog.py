"""The pipelines RedFlare ships: every `*.yaml` under `redflare/data/pipelines`.

Contract: `load_builtin_pipelines()` returns pipeline name → `PipelineDefinition`. Files are read
through `importlib.resources`, so it works from a source checkout and an installed wheel alike.
Each file holds one definition whose `name` equals the file's stem; a file that does not parse or
validate, a mismatched name, or two files with one name is a packaging bug and raises
`ValueError` naming the file. The files are parsed once per process.
"""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files

import yaml
from pydantic import ValidationError

from redflare.analysis.pipeline import PipelineDefinition

_PACKAGE = "redflare"
_FOLDER = ("data", "pipelines")
_SUFFIXES = (".yaml", ".yml")


@lru_cache(maxsize=1)
def _load() -> tuple[PipelineDefinition, ...]:
    folder = files(_PACKAGE).joinpath(*_FOLDER)
    definitions: dict[str, PipelineDefinition] = {}
    for entry in sorted(folder.iterdir(), key=lambda item: item.name):
        if not entry.is_file() or not entry.name.endswith(_SUFFIXES):
            continue
        stem = entry.name.rsplit(".", 1)[0]
        try:
            definition = PipelineDefinition.model_validate(yaml.safe_load(entry.read_text(encoding="utf-8")))
        except (yaml.YAMLError, ValidationError) as exc:
            raise ValueError(f"built-in pipeline {entry.name} is invalid: {exc}") from exc
        if definition.name != stem:
            raise ValueError(f"built-in pipeline {entry.name} is named {definition.name!r}, not {stem!r}")
        if definition.name in definitions:
            raise ValueError(f"built-in pipeline {definition.name!r} is defined twice")
        definitions[definition.name] = definition
    return tuple(definitions.values())


def load_builtin_pipelines() -> dict[str, PipelineDefinition]:
    """The shipped pipelines by name (a fresh dict; the definitions themselves are frozen)."""
    return {definition.name: definition for definition in _load()}

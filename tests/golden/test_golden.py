"""Golden workflows: real workflows over the shipped real conversations, compared step by step to recorded results.

A change that moves any step's counts, outputs or credits shows up here. When the change is intended,
re-record with `REDFLARE_GOLDEN_UPDATE=1 pytest tests/golden` and review the diff of the .expected.yaml files.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from redflare.adapters.db.store import Store
from redflare.domain.loading import load_document
from redflare.importing.sample import packaged_demo_files
from redflare.services.imports import import_path
from tests.factories import make_runner

HERE = Path(__file__).parent
GOLDEN = sorted(HERE.glob("*.workflow.yaml"))
UPDATE = os.environ.get("REDFLARE_GOLDEN_UPDATE") == "1"


def summary(resource: dict[str, Any]) -> dict[str, Any]:
    """What a golden pins: status, totals and each step's counts — not ids or times."""
    return {
        "status": resource["status"],
        "credits": resource["credits"],
        "conversations_processed": resource["conversations_processed"],
        "steps": {
            step["id"]: {
                "status": step["status"],
                "rows_in": step["rows_in"],
                "rows_out": step["rows_out"],
                "outputs": step["outputs"],
                "credits": step["credits"],
            }
            for step in resource["steps"]
        },
    }


@pytest.mark.parametrize("path", GOLDEN, ids=[p.name.removesuffix(".workflow.yaml") for p in GOLDEN])
def test_golden_workflow(store: Store, path: Path) -> None:
    """The workflow runs over the demo sample exactly as recorded."""
    for sample in packaged_demo_files():
        import_path(store, sample, integration="demo", skip_bad=True)
    document = load_document(path)
    actual = summary(
        make_runner(store, batch_size=50).run_document(document.model_dump(mode="json", exclude_none=True))
    )
    expected_path = path.with_name(path.name.replace(".workflow.yaml", ".expected.yaml"))
    if UPDATE or not expected_path.exists():
        expected_path.write_text(yaml.safe_dump(actual, sort_keys=False))
        if not UPDATE:
            pytest.fail(f"recorded {expected_path.name}; review it and commit it")
    assert actual == yaml.safe_load(expected_path.read_text())

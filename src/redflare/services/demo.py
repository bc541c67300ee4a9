"""The demo: real conversations as integration `demo`, and the example workflows as drafts."""

from __future__ import annotations

from collections.abc import Callable
from importlib.resources import files
from pathlib import Path

from sqlalchemy import select

from redflare.adapters.db.orm import Workflow
from redflare.adapters.db.store import Store
from redflare.domain.loading import document_from_data, parse_text
from redflare.domain.ports import Clock
from redflare.importing.sample import packaged_demo_files, shared_datasets_dir
from redflare.services.imports import FilesRead, import_path
from redflare.services.workflows import save_draft_by_name

DEMO_INTEGRATION = "demo"
# From the shared datasets, when present: the STAR chats and the Harper Valley Bank calls.
SHARED_SOURCES = ("star", "harper_valley_bank")


def example_files() -> dict[str, str]:
    """The example workflow files shipped in the package: file name → YAML text."""
    return {
        entry.name: entry.read_text(encoding="utf-8")
        for entry in sorted(files("redflare.examples").iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".yaml")
    }


def load_demo(
    store: Store,
    clock: Clock,
    *,
    datasets: Path | None = None,
    say: Callable[[str], None] = print,
    workflows: bool = True,
    on_file: FilesRead | None = None,
) -> None:
    """Import the demo conversations (shared datasets if found, else the packaged sample) and, unless `workflows` is
    false, store the example workflows that are not stored yet as drafts (one already there is left as it is).
    `on_file` is told how far each source's import has read (see `import_path`)."""
    root = datasets or shared_datasets_dir()
    sources = [root / name for name in SHARED_SOURCES if (root / name).exists()] if root else []
    if not sources:
        sources = packaged_demo_files()
    for source in sources:
        # Real data has real gaps (e.g. STAR dialogues abandoned before anyone spoke): skip and say so.
        report = import_path(store, source, integration=DEMO_INTEGRATION, skip_bad=True, on_file=on_file)
        skipped = f", {len(report.bad_rows)} skipped as unusable" if report.bad_rows else ""
        say(f"Imported {source}: {report.inserted} new, {report.updated} updated conversations{skipped}.")
    if not workflows:
        return
    with store.transaction() as session:
        stored = set(session.scalars(select(Workflow.name)))
        for name, text in example_files().items():
            document = document_from_data(parse_text(text, source=name))
            if document.name in stored:  # the user's now: its draft, limits, status and versions stay as they are
                continue
            save_draft_by_name(session, document, now=clock.now())

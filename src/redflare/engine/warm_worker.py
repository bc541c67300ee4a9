"""Imported once by the analysis pool's fork server (its preload): every worker forked from it starts with the
analysis modules imported and VADER's lexicon loaded, instead of each worker loading them for its first batch."""

from __future__ import annotations

from redflare.analysis import analyse  # noqa: F401  (imported for its side effect: the modules are loaded)
from redflare.analysis.sentiment import analyzer

analyzer()

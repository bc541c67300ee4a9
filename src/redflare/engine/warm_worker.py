"""Imported once by the analysis pool's fork server (its preload, last): every worker forked from it starts with
the analysis modules imported and VADER's lexicon loaded, instead of each worker loading them for its first batch,
and without running the parent's main script again (`executors.claim_main` says why).

Then everything loaded so far is frozen out of the garbage collector's sight (`gc.freeze`): a collection in a
worker would otherwise write to the header of every object it inherited, and copy-on-write would give each worker
its own copy of every page holding one — over 100,000 conversations, about 25 MB more per worker of pages the
fork server shares."""

from __future__ import annotations

import gc
import os

import numpy  # noqa: F401  (rapidfuzz's cdist, the phrase matcher's, imports it on its first call: ~50 ms a worker)

from redflare.analysis import analyse  # noqa: F401  (imported for its side effect: the modules are loaded)
from redflare.analysis.sentiment import analyzer
from redflare.engine.executors import MAIN_ENV, claim_main

claim_main(os.environ.get(MAIN_ENV))
analyzer()
gc.freeze()

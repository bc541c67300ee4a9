"""The engine benchmark's pieces still run, and each compares the same work by value (never timings)."""

from __future__ import annotations

from pathlib import Path

import pytest
from bench.chains import chain_rounds
from bench.noop_dag import noop_round
from bench.peak_rss import peak_rss
from bench.processing import process_round
from bench.set_ops import set_ops_round
from bench.stores import Prepared, prepare
from bench.synthetic import frame

N = 60
WORKERS = 2
BATCH = 16

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Prepared:
    return prepare(tmp_path_factory.mktemp("bench-store"), N)


class TestEngineBench:
    def test_process_round_stores_the_pools_ids_and_scores(self, prepared: Prepared, tmp_path: Path) -> None:
        """Process Conversations through the engine stores the same ids and scores the plain pool computes."""
        values, agreement = process_round(prepared, tmp_path, workers=WORKERS, batch=BATCH)

        assert agreement is not None
        assert agreement.differences == []
        assert {"wall ratio", "cpu ratio"} <= set(values)

    def test_noop_round_gives_the_bare_scripts_outputs(self, prepared: Prepared, tmp_path: Path) -> None:
        """The no-op DAG's every output (select, process, filter, sort, each group) holds the bare script's ids."""
        values, agreement = noop_round(prepared, tmp_path, workers=WORKERS, batch=BATCH)

        assert agreement is not None
        assert agreement.differences == []
        assert "overhead s" in values

    def test_chains_end_with_the_bare_chains_ids(self, tmp_path: Path) -> None:
        """The 8-step chain through the engine ends with the bare chain's ids, and a round measures both sides."""
        rounds, agreement = chain_rounds(tmp_path, rounds=1, repeats=1, burst_s=0.01, workers=WORKERS, batch=BATCH)

        assert agreement.differences == []
        assert {"ours per step ms", "ours runs/s"} <= set(next(iter(rounds)).values)

    def test_set_ops_through_the_step_kinds_match_bare_polars(self) -> None:
        """Filter, sort with a limit and a seeded split through the step kinds keep bare polars' ids."""
        values, agreement = set_ops_round(frame(5_000))

        assert agreement is not None
        assert agreement.differences == []
        assert "ours s" in values

    def test_peak_rss_runs_the_cli_to_completion(self, prepared: Prepared, tmp_path: Path) -> None:
        """`redflare run` over the prepared store processes every conversation while its memory is sampled."""
        rss = peak_rss(prepared, tmp_path, workers=WORKERS, batch=BATCH)

        assert rss.processed == N
        assert rss.peak_mb > 0

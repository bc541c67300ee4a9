"""Figure 5: peak memory of a whole run — `redflare run` in a process of its own, its tree's RSS sampled.

Contract: `peak_rss(prepared, scratch, workers=…, batch=…)` copies the store into a fresh data folder,
writes the benchmark workflow (`appendix_a("default-qa")`: select → process → filter → sort, and
distribute) to a JSON file there and runs `redflare run FILE --json` as a user would, with
`REDFLARE_DATA_DIR` pointing at the copy (and the same workers and batch size as the other
figures). Meanwhile `bench.memory.PeakMemory` samples the RSS of that process plus every process
under it (the forkserver, the analysis workers) every 20 ms, and `bench.pss.PeakPss` their PSS
every 50 ms. The RSS sum counts every page the fork server shares with its workers (the analysis
modules, VADER's lexicon: tens of MB) once per process, so it overcounts the memory the tree holds;
PSS splits each shared page among its sharers, so its sum is that memory. Both peaks are returned
and printed; the figure is the PSS peak where Linux gives it (else RSS). The run must complete.
Returns the peaks (MB of 10^6 bytes), the command's wall time and the conversations it processed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import psutil

from bench.cost import Meter
from bench.memory import PeakMemory
from bench.pss import PeakPss
from bench.stores import Prepared, fresh_copy
from bench.workflows import appendix_a

PIPELINE = "default-qa"
_CLI = "import sys; from redflare.cli import main; sys.argv[0] = 'redflare'; main()"


def _redflare() -> list[str]:
    """The `redflare` command installed beside this interpreter (as a user runs it), else the same via -c."""
    script = Path(sys.executable).with_name("redflare")
    return [str(script)] if script.exists() else [sys.executable, "-c", _CLI]


@dataclass(frozen=True)
class PeakRss:
    n: int
    peak_mb: float  # RSS summed over the tree
    wall_s: float
    processed: int
    pss_mb: float | None = None  # PSS summed over the tree (None: not available here)

    @property
    def figure_mb(self) -> float:
        """What the target is read against: the memory the tree holds (PSS), else the RSS sum."""
        return self.pss_mb if self.pss_mb is not None else self.peak_mb


def peak_rss(prepared: Prepared, scratch: Path, *, workers: int, batch: int) -> PeakRss:
    data_dir = fresh_copy(prepared, scratch / "rss")
    try:
        document = data_dir / "bench.json"
        document.write_text(json.dumps(appendix_a(PIPELINE)))
        # only these settings: no REDFLARE_* of the caller's, and no redflare.toml in the working folder
        env = {k: v for k, v in os.environ.items() if not k.startswith("REDFLARE_")}
        env.update(REDFLARE_DATA_DIR=str(data_dir), REDFLARE_WORKERS=str(workers), REDFLARE_BATCH_SIZE=str(batch))
        command = [*_redflare(), "run", str(document), "--json"]
        with Meter() as meter:
            child = subprocess.Popen(
                command, cwd=data_dir, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
            measured = psutil.Process(child.pid)
            with PeakMemory(process=measured) as peak, PeakPss(measured) as pss:
                out, err = child.communicate()
        if child.returncode != 0:
            raise RuntimeError(f"redflare run exited {child.returncode}: {err.strip()[-2000:]}")
        resource = json.loads(out)
    finally:
        shutil.rmtree(data_dir)
    return PeakRss(
        n=prepared.n,
        peak_mb=peak.peak_bytes / 1e6,
        wall_s=meter.stop().wall_s,
        processed=int(resource["conversations_processed"]),
        pss_mb=pss.peak_bytes / 1e6 if pss.available else None,
    )

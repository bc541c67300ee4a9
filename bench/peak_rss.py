"""Figure 5: peak memory of a whole run — `redflare run` in a process of its own, its tree's RSS sampled.

Contract: `peak_rss(prepared, scratch, workers=…, batch=…)` copies the store into a fresh data folder,
writes the benchmark workflow (`appendix_a("default-qa")`: select → process → filter → sort, and
distribute) to a JSON file there and runs `redflare run FILE --json` as a user would, with
`REDFLARE_DATA_DIR` pointing at the copy (and the same workers and batch size as the other
figures). Meanwhile `bench.memory.PeakMemory` samples the RSS of that process plus every process
under it (the forkserver, the analysis workers) every 20 ms; the sum counts pages a forked worker
shares with its parent twice, so it errs high. The run must complete. Returns the peak (MB of 10^6
bytes), the command's wall time and the conversations it processed.
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
    peak_mb: float
    wall_s: float
    processed: int


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
            with PeakMemory(process=psutil.Process(child.pid)) as peak:
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
    )

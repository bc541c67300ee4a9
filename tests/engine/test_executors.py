"""The analysis pool's workers start from the fork server's warm image, without the parent's main script."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

SCRIPT = """
import os
from pathlib import Path

# Every process that runs this script as its main leaves a line: the parent, and any worker that re-runs it.
with Path({log!r}).open("a") as log:
    log.write(f"{{os.getpid()}} {{__name__}}\\n")

from redflare.engine.executors import ProcessPoolAnalysisExecutor

if __name__ == "__main__":
    pool = ProcessPoolAnalysisExecutor(2)
    try:
        pool.warm()  # starts both workers and waits for each to answer
    finally:
        pool.close()
"""


def test_workers_do_not_run_the_parents_main_script_again(tmp_path: Path) -> None:
    """For `redflare` the main script imports the whole command line: a worker must not pay it again."""
    log = tmp_path / "mains.log"
    script = tmp_path / "main_script.py"
    script.write_text(textwrap.dedent(SCRIPT.format(log=str(log))))
    subprocess.run([sys.executable, str(script)], check=True, timeout=120, cwd=tmp_path)
    lines = log.read_text().splitlines()
    assert [line.split()[1] for line in lines] == ["__main__"]


def test_a_module_run_as_main_is_not_imported_again_either(tmp_path: Path) -> None:
    """`python -m package.module` hands workers a module name instead of a path: the same holds."""
    log = tmp_path / "mains.log"
    package = tmp_path / "probe_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "entry.py").write_text(textwrap.dedent(SCRIPT.format(log=str(log))))
    subprocess.run([sys.executable, "-m", "probe_pkg.entry"], check=True, timeout=120, cwd=tmp_path)
    lines = log.read_text().splitlines()
    assert [line.split()[1] for line in lines] == ["__main__"]


PRELOADED = """
import os
from pathlib import Path

# Every process that imports this module leaves a line: its pid.
with Path({log!r}).open("a") as log:
    log.write(f"{{os.getpid()}}\\n")


class EmptyLoader:
    def load(self, ids):
        return []
"""

PRELOADING = """
import os

from probe_loader import EmptyLoader
from redflare.analysis.catalog import load_builtin_pipelines
from redflare.engine.executors import ProcessPoolAnalysisExecutor
from redflare.steps.context import Batch

if __name__ == "__main__":
    pool = ProcessPoolAnalysisExecutor(2, preload=["probe_loader"])
    try:
        batches = iter([Batch((str(i),), EmptyLoader()) for i in range(4)])
        results = list(pool.run(load_builtin_pipelines()["default-qa"], batches))
        assert results == [[], [], [], []], results
    finally:
        pool.close()
"""


def test_preloaded_modules_are_imported_once_by_the_fork_server_not_by_each_worker(tmp_path: Path) -> None:
    """A batch's loader unpickles in a worker: with its module preloaded, no worker imports it again."""
    log = tmp_path / "imports.log"
    (tmp_path / "probe_loader.py").write_text(textwrap.dedent(PRELOADED.format(log=str(log))))
    script = tmp_path / "main_script.py"
    script.write_text(textwrap.dedent(PRELOADING))
    subprocess.run([sys.executable, str(script)], check=True, timeout=120, cwd=tmp_path)
    pids = log.read_text().split()
    assert len(set(pids)) == 2  # this script, and the fork server once: no worker


FROZEN = """
import gc

from redflare.engine.executors import ProcessPoolAnalysisExecutor

if __name__ == "__main__":
    pool = ProcessPoolAnalysisExecutor(1)
    try:
        frozen = pool._get_pool().submit(gc.get_freeze_count).result()
        print(frozen)
    finally:
        pool.close()
"""


def test_workers_start_with_the_fork_servers_objects_frozen(tmp_path: Path) -> None:
    """A worker's collections leave the inherited objects alone, so their pages stay shared with the fork server."""
    script = tmp_path / "main_script.py"
    script.write_text(textwrap.dedent(FROZEN))
    done = subprocess.run([sys.executable, str(script)], check=True, timeout=120, cwd=tmp_path, capture_output=True)
    assert int(done.stdout) > 10_000  # the analysis modules' objects (about 50,000 here); without the freeze, 0


GATED = """
import os
import time
from pathlib import Path


class GatedLoader:
    \"\"\"A batch's load waits until the gate file exists: no batch can finish before the test opens it.\"\"\"

    def __init__(self, gate):
        self.gate = gate

    def load(self, ids):
        while not Path(self.gate).exists():
            time.sleep(0.01)
        return []
"""

AHEAD = """
import threading
import time

from probe_gate import GatedLoader
from redflare.analysis.catalog import load_builtin_pipelines
from redflare.engine.executors import ProcessPoolAnalysisExecutor
from redflare.steps.context import Batch

if __name__ == "__main__":
    pulled = []

    def batches():
        for i in range(10):
            pulled.append(i)
            yield Batch((str(i),), GatedLoader({gate!r}))

    pool = ProcessPoolAnalysisExecutor(2, preload=["probe_gate"])
    try:
        pool.warm()
        results = pool.run(load_builtin_pipelines()["default-qa"], batches())
        first = threading.Thread(target=lambda: next(results))
        first.start()
        time.sleep(1.0)  # long enough for any eager admission to show
        admitted_while_blocked = len(pulled)
        open({gate!r}, "w").close()
        first.join()
        rest = list(results)
        print(admitted_while_blocked, 1 + len(rest))
    finally:
        pool.close()
"""


def test_the_pool_admits_one_batch_beyond_its_workers_and_no_more(tmp_path: Path) -> None:
    """Each worker has a batch and one more waits, so a worker that finishes starts again at once; admission (limits,
    cancel) still runs just ahead of the work: while no batch can finish, exactly workers + 1 have been taken."""
    (tmp_path / "probe_gate.py").write_text(textwrap.dedent(GATED))
    script = tmp_path / "main_script.py"
    script.write_text(textwrap.dedent(AHEAD.format(gate=str(tmp_path / "gate"))))
    done = subprocess.run([sys.executable, str(script)], check=True, timeout=120, cwd=tmp_path, capture_output=True)
    admitted_while_blocked, answered = (int(x) for x in done.stdout.split())
    assert (admitted_while_blocked, answered) == (3, 10)


LEAN = """
import sys

from redflare.adapters.db.batches import WORKER_PRELOAD, SqlBatchLoader
from redflare.adapters.db.database import make_engine, migrate
from redflare.analysis.catalog import load_builtin_pipelines
from redflare.engine.executors import ProcessPoolAnalysisExecutor
from redflare.steps.context import Batch

HEAVY = ("polars", "redflare.steps.context", "redflare.adapters.db.selection")

if __name__ == "__main__":
    url = "sqlite:///" + sys.argv[1]
    migrate(make_engine(url))
    pool = ProcessPoolAnalysisExecutor(1, preload=WORKER_PRELOAD)
    try:
        list(pool.run(load_builtin_pipelines()["default-qa"], iter([Batch(("none",), SqlBatchLoader(url))])))
        probe = f"[m for m in {HEAVY!r} if m in __import__('sys').modules]"
        print(pool._get_pool().submit(eval, probe).result())
    finally:
        pool.close()
"""


def test_a_worker_loads_and_analyses_a_batch_without_polars_or_the_steps_ports(tmp_path: Path) -> None:
    """What the fork server preloads is shared by every worker but paid once per pool: polars and the steps' ports
    (about 40 MB of its image) are not needed to load and analyse a batch, so neither it nor a worker imports them."""
    script = tmp_path / "main_script.py"
    script.write_text(textwrap.dedent(LEAN))
    done = subprocess.run(
        [sys.executable, str(script), str(tmp_path / "store.db")],
        check=True,
        timeout=120,
        cwd=tmp_path,
        capture_output=True,
    )
    assert done.stdout.decode().strip() == "[]"

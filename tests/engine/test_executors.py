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

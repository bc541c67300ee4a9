"""`redflare --help` starts quickly: the heavy libraries are imported only by the commands that use them, and the
help speaks the users' language (no specification jargon).

Not a timing assertion (the machine is shared): the test checks what the real entry point imported."""

from __future__ import annotations

import ast
import subprocess
import sys
from functools import cache

import pytest

# Each costs tenths of a second to import; none is needed to print help.
HEAVY = ("sqlalchemy", "alembic", "fastapi", "starlette", "uvicorn", "polars", "pyarrow", "numpy", "rich")
# Every command's and group's help page, as a person asks for it.
HELP_PAGES = [
    [],
    ["demo"],
    ["run"],
    ["import"],
    ["serve"],
    ["scheduler"],
    ["workflows"],
    ["workflows", "list"],
    ["workflows", "export"],
    ["workflows", "import"],
    ["runs"],
    ["runs", "list"],
    ["runs", "show"],
    ["runs", "cancel"],
    ["users", "create"],
    ["tokens", "create"],
]
PROBE = """
import atexit, sys
heavy = {heavy!r}
atexit.register(lambda: print("LOADED", sorted({{m.split(".")[0] for m in sys.modules}} & set(heavy)), file=sys.stderr))
sys.argv = ["redflare", *{args!r}, "--help"]
from redflare.cli import main
main()
"""


@cache
def help_of(args: tuple[str, ...]) -> tuple[str, list[str]]:
    """The help page for `redflare ARGS --help` and which heavy libraries the process had imported by its exit."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY, args=args)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    [loaded] = [line for line in done.stderr.splitlines() if line.startswith("LOADED ")]
    return done.stdout, ast.literal_eval(loaded.removeprefix("LOADED "))


@pytest.mark.parametrize("args", HELP_PAGES, ids=lambda args: " ".join(args) or "redflare")
def test_help_imports_no_heavy_library(args: list[str]) -> None:
    """Asking for help imports none of SQLAlchemy, Alembic, FastAPI, uvicorn, polars, pyarrow, numpy or rich."""
    page, loaded = help_of(tuple(args))
    assert page.startswith("Usage: redflare")
    assert loaded == []


@pytest.mark.parametrize("args", HELP_PAGES, ids=lambda args: " ".join(args) or "redflare")
def test_help_speaks_the_users_language(args: list[str]) -> None:
    """No help page sends people to the specification's appendices."""
    page, _ = help_of(tuple(args))
    assert "SPEC" not in page
    assert "appendix" not in page.lower()


def test_python_dash_m_is_the_same_command() -> None:
    """`python -m redflare` answers as `redflare` does (what the start-up figures are taken with)."""
    done = subprocess.run([sys.executable, "-m", "redflare", "--help"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Usage: redflare")
    assert "import" in done.stdout

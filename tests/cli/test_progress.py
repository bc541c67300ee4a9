"""Progress bars on the long commands: drawn for a person at a terminal, never in what a script reads.

The real `redflare` runs as a child process, its standard error a pseudo-terminal (as a person's shell gives it)
or a pipe (as a script or a log gives it)."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

REDFLARE = [sys.executable, "-m", "redflare"]
ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")  # colours and cursor moves
CONVERSATION = '{{"id": "c-{n}", "channel": "chat", "turns": [{{"speaker": "customer", "text": "{text}"}}]}}'


@dataclass
class Finished:
    code: int
    stdout: str
    stderr: str  # escapes and carriage returns taken out: what the terminal was last left showing, roughly


def on_a_terminal(*args: str, timeout: float = 240) -> Finished:
    """Run `redflare ARGS` with standard error on a 160-column pseudo-terminal, standard output piped."""
    master, replica = pty.openpty()
    fcntl.ioctl(replica, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 160, 0, 0))
    child = subprocess.Popen(
        [*REDFLARE, *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=replica,
        env={**os.environ, "TERM": "xterm-256color", "COLUMNS": "160"},
    )
    os.close(replica)
    shown = bytearray()
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    data = os.read(master, 65536)
                except OSError:  # every writer has closed the terminal
                    break
                if not data:
                    break
                shown += data
            elif child.poll() is not None:
                break
        assert child.stdout is not None
        stdout = child.stdout.read().decode()
        code = child.wait(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        os.close(master)
        if child.poll() is None:
            child.kill()
    return Finished(code, stdout, ESCAPES.sub("", shown.decode(errors="replace")).replace("\r", "\n"))


def piped(*args: str) -> Finished:
    done = subprocess.run([*REDFLARE, *args], capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=240)
    return Finished(done.returncode, done.stdout, done.stderr)


@pytest.fixture
def three_files(tmp_path: Path) -> Path:
    """A folder of three conversation files, two conversations each."""
    folder = tmp_path / "calls"
    folder.mkdir()
    texts = ["I was charged twice", "Thanks, that fixed it", "This is useless", "Great service", "Where is it", "Ok"]
    for f in range(3):
        lines = [CONVERSATION.format(n=2 * f + i, text=texts[2 * f + i]) for i in range(2)]
        (folder / f"part-{f}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


class TestImport:
    def test_a_terminal_shows_the_files_read(self, cli_env: Path, three_files: Path) -> None:
        """At a terminal the import draws a bar of files read, ending at 3/3; the summary is still on stdout."""
        done = on_a_terminal("import", str(three_files), "--integration", "calls")
        assert done.code == 0, done.stderr
        assert re.search(r"Reading conversation files .*3/3 files", done.stderr), done.stderr
        assert done.stdout.startswith("Imported into calls: 6 new, 0 updated")

    def test_json_at_a_terminal_draws_nothing(self, cli_env: Path, three_files: Path) -> None:
        """With --json nothing but the report is written, even at a terminal."""
        done = on_a_terminal("import", str(three_files), "--integration", "calls", "--json")
        assert done.code == 0, done.stderr
        assert done.stderr.strip() == ""
        assert '"inserted": 6' in done.stdout

    def test_piped_draws_nothing(self, cli_env: Path, three_files: Path) -> None:
        """Piped (a script, a log), standard error holds no bar: only the summary is written."""
        done = piped("import", str(three_files), "--integration", "calls")
        assert done.code == 0, done.stderr
        assert done.stderr == ""
        assert done.stdout.startswith("Imported into calls: 6 new, 0 updated")


class TestRun:
    WORKFLOW = (
        "name: Bar test\n"
        "trigger: {type: manual}\n"
        "steps:\n"
        "  - {id: pick, type: select_conversations, config: {source: {integration: calls}}}\n"
        "  - {id: analyse, type: process_conversations, after: [pick], config: {pipeline: default-qa}}\n"
        "  - {id: low, type: filter, after: [analyse],\n"
        "     config: {condition: {rules: [{field: score, operator: '<', value: 70}]}}}\n"
    )

    def test_a_terminal_shows_the_steps_ended(self, cli_env: Path, three_files: Path, tmp_path: Path) -> None:
        """At a terminal the run draws a bar of its steps, ending with all three ended; stdout is the run as ever,
        and with --json stdout is the run resource alone and nothing is drawn."""
        assert piped("import", str(three_files), "--integration", "calls").code == 0
        workflow = tmp_path / "bar.yaml"
        workflow.write_text(self.WORKFLOW, encoding="utf-8")
        done = on_a_terminal("run", str(workflow))
        assert done.code == 0, done.stderr
        assert re.search(r"Run 1 .*3/3 steps", done.stderr), done.stderr
        assert done.stdout.startswith("Run 1: completed")
        quiet = on_a_terminal("run", str(workflow), "--json")
        assert quiet.code == 0, quiet.stderr
        assert quiet.stderr.strip() == ""
        assert quiet.stdout.lstrip().startswith("{")

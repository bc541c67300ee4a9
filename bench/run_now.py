"""Run now over HTTP (issue P7): runs started and finished per second from 4 clients, beside GET /api/auth/me.

Run from the repository root:  .venv/bin/python bench/run_now.py [--seconds 5] [--clients 4] [--rounds 3]

A fresh data folder gets 20 conversations and a published trivial workflow (select 5 → sort), then `redflare
serve` starts on a free loopback port (embedded SQLite, local backend). Each round, from a second process, C
clients with keep-alive connections first ask `GET /api/auth/me` for S seconds (the baseline: authentication and
a one-row read, the floor of any request), then `POST /api/workflows/{id}/runs` for S seconds; the round then
waits until every run it started has ended (watching the workflow's runs list). Printed per round and as the
median of the rounds: Run now requests per second (each answered 202 with a queued run), runs finished per second
(started ÷ time until the last one ended), p50/p99 latency, and the ratio to the baseline; every run must have
completed. The server's CPU seconds per run and the load average are printed too (the machine is shared: never
asserted anywhere).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx
import psutil
from tests.factories import add_conversations

from bench.api import free_port
from redflare.adapters.db.store import Store
from redflare.config import Settings
from redflare.domain.access import Role
from redflare.domain.ports import SystemClock
from redflare.services import lifecycle
from redflare.services.bootstrap import ensure_builtins
from redflare.services.drafts import create_workflow
from redflare.services.users import create_user, issue_credential, principal_of

REPO = Path(__file__).resolve().parent.parent
TRIVIAL = {
    "name": "Trivial",
    "trigger": {"type": "schedule", "daily": "02:00", "timezone": "Europe/London"},
    "steps": [
        {"id": "pick", "type": "select_conversations", "config": {"source": "all", "limit": 5}},
        {
            "id": "worst",
            "type": "sort",
            "after": ["pick"],
            "config": {"by": [{"field": "started_at", "direction": "asc"}]},
        },
    ],
}


def seed(settings: Settings) -> tuple[str, str]:
    """The store with conversations and the published trivial workflow; answers (admin API token, workflow id)."""
    store = Store.open(settings)
    now = datetime.now(UTC)
    try:
        ensure_builtins(store, SystemClock())
        add_conversations(store, 20)
        with store.transaction() as session:
            admin, _ = create_user(
                session, email="bench@example.com", role=Role.ADMIN, password="bench-password", now=now
            )
            _, token = issue_credential(session, user=admin, kind="token", now=now, ttl=timedelta(days=1))
            principal = principal_of(admin)
            created = create_workflow(session, principal=principal, data=TRIVIAL, now=now)
            assert created.issues == [], created.issues
            workflow_id = created.workflow.id
            lifecycle.publish(session, principal=principal, workflow_id=workflow_id, now=now)
    finally:
        store.close()
    return token, workflow_id


def load(base: str, token: str, method: str, path: str, seconds: float, clients: int) -> dict[str, Any]:
    """Runs in a second process: C clients send `method path` for S seconds; answers counts, latencies, run ids."""

    async def main() -> dict[str, Any]:
        latencies: list[float] = []
        run_ids: list[str] = []
        errors: list[str] = []
        deadline = time.perf_counter() + seconds
        limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits, timeout=30) as client:

            async def worker() -> None:
                while time.perf_counter() < deadline:
                    started = time.perf_counter()
                    response = await client.request(method, path, json={} if method == "POST" else None)
                    latencies.append(time.perf_counter() - started)
                    if response.status_code not in (200, 202):
                        errors.append(f"{response.status_code} {response.text[:120]}")
                    elif method == "POST":
                        run_ids.append(response.json()["id"])

            started = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(clients)))
            elapsed = time.perf_counter() - started
        ordered = sorted(latencies)
        return {
            "requests": len(ordered),
            "rps": len(ordered) / elapsed,
            "p50_ms": statistics.median(ordered) * 1000,
            "p99_ms": ordered[max(0, int(len(ordered) * 0.99) - 1)] * 1000,
            "errors": errors[:5],
            "run_ids": run_ids,
            "started_at": started,
        }

    return asyncio.run(main())


def drive(base: str, token: str, method: str, path: str, seconds: float, clients: int) -> dict[str, Any]:
    """The load from a second process, so the server's process is what is measured."""
    code = (
        f"import json,sys; sys.path.insert(0, {str(REPO)!r}); from bench.run_now import load; "
        "print(json.dumps(load(*json.loads(sys.argv[1]))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, json.dumps([base, token, method, path, seconds, clients])],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


ENDED = ("completed", "failed", "cancelled")
PAGE = 200  # the runs list's largest page


def wait_until_ended(
    base: str, token: str, workflow_id: str, run_ids: list[str], bound_s: float = 300.0
) -> tuple[float, Counter[str]]:
    """Seconds until every run has ended (from now), and how they ended.

    It watches the workflow's runs list (newest first: the round's runs are on its first pages), 200 statuses per
    request, every 0.1 s: one GET /runs/{id} per run reads each run's previews, costing the server more than the
    run itself (the figure then measured the watcher as much as the runs)."""
    started = time.perf_counter()
    ended: dict[str, str] = {}
    ours = set(run_ids)
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
        while len(ended) < len(ours) and time.perf_counter() - started < bound_s:
            for offset in range(0, len(ours), PAGE):
                page = client.get(f"/api/workflows/{workflow_id}/runs", params={"limit": PAGE, "offset": offset})
                for run in page.json()["data"]:
                    if run["id"] in ours and run["status"] in ENDED:
                        ended[run["id"]] = run["status"]
            if len(ended) < len(ours):
                time.sleep(0.1)
    return time.perf_counter() - started, Counter(ended.values())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python bench/run_now.py", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="redflare-bench-run-now-") as folder:
        env = {**os.environ, "REDFLARE_DATA_DIR": folder, "REDFLARE_WORKERS": "1", "REDFLARE_DEMO_WORKFLOWS": "0"}
        env.pop("REDFLARE_DATABASE_URL", None)
        token, workflow_id = seed(Settings(data_dir=Path(folder)))
        port = free_port()
        server = subprocess.Popen(
            [str(REPO / ".venv/bin/redflare"), "serve", "--port", str(port)],
            env={**env, "REDFLARE_ADMIN_PASSWORD": "bench-password"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(600):
                try:
                    if httpx.get(f"{base}/api/openapi.json", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
            process = psutil.Process(server.pid)
            print(
                f"RedFlare Run now benchmark · {args.clients} clients from a second process · {args.seconds:g} s each "
                f"· {args.rounds} rounds · load average {os.getloadavg()[0]:.2f}"
            )
            drive(base, token, "GET", "/api/auth/me", 1.0, args.clients)  # warm-up
            rows = []
            for round_number in range(1, args.rounds + 1):
                baseline = drive(base, token, "GET", "/api/auth/me", args.seconds, args.clients)
                cpu_before = sum(process.cpu_times()[:2])
                runs = drive(base, token, "POST", f"/api/workflows/{workflow_id}/runs", args.seconds, args.clients)
                tail_s, ended = wait_until_ended(base, token, workflow_id, runs["run_ids"])
                total_s = runs["requests"] / runs["rps"] + tail_s  # the clients' own time, then the tail
                cpu = sum(process.cpu_times()[:2]) - cpu_before
                started_runs = len(runs["run_ids"])
                finished_per_s = started_runs / max(total_s, 1e-9)
                rows.append((runs["rps"], finished_per_s, runs["rps"] / baseline["rps"]))
                print(
                    f"  round {round_number}: baseline GET /api/auth/me {baseline['rps']:,.0f} req/s · Run now "
                    f"{runs['rps']:,.1f} req/s (p50 {runs['p50_ms']:.0f} ms, p99 {runs['p99_ms']:.0f} ms, "
                    f"{runs['rps'] / baseline['rps']:.0%} of the baseline) · {started_runs} runs finished at "
                    f"{finished_per_s:,.1f}/s ({tail_s:.1f} s after the last request) · {dict(ended)} · server CPU "
                    f"{cpu / max(started_runs, 1) * 1000:.1f} ms/run · errors {runs['errors'] or 0}"
                )
            print(
                f"median of {len(rows)} rounds: Run now {statistics.median(r[0] for r in rows):,.1f} req/s, runs "
                f"finished {statistics.median(r[1] for r in rows):,.1f}/s (target ≥ 100/s), "
                f"{statistics.median(r[2] for r in rows):.0%} of the baseline's req/s · load average "
                f"{os.getloadavg()[0]:.2f}"
            )
        finally:
            server.terminate()
            server.wait(timeout=60)
    return 0


if __name__ == "__main__":
    sys.exit(main())

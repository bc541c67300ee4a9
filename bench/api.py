"""API benchmark (issue P2): requests/s and latency of the workflows list and run detail, under load.

Run from the repository root:  .venv/bin/python bench/api.py [--workflows 10000] [--runs 100000]
                                                              [--seconds 10] [--concurrency 16]

A fresh data folder is filled directly through the store (not timed as part of the load): W workflows,
R runs spread over them, each run with five step records. Then `redflare serve` starts on a free loopback
port, and a second process drives it with C concurrent keep-alive connections for S seconds per endpoint:
- baseline: `GET /api/auth/me` — authentication and a one-row read, the floor of any request;
- `GET /api/workflows?limit=50` — the Workflows list's first page (status, last run);
- `GET /api/workflows?search=…&limit=50` — a search;
- `GET /api/runs/{id}` — one run with its steps, for random runs.
Each prints requests/s, p50 and p99 latency, and the ratio to the baseline.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx
from sqlalchemy import insert

from redflare.adapters.db.orm import Run, StepRun, Workflow
from redflare.adapters.db.store import Store
from redflare.config import Settings
from redflare.domain.access import Role
from redflare.services.users import create_user, issue_credential

REPO = Path(__file__).resolve().parent.parent
STEPS = [
    ("pick", "select_conversations"),
    ("analyse", "process_conversations"),
    ("low", "filter"),
    ("worst", "sort"),
    ("split", "distribute"),
]
DOCUMENT = {
    "name": "",
    "trigger": {"type": "schedule", "daily": "02:00", "timezone": "Europe/London"},
    "steps": [
        {"id": "pick", "type": "select_conversations", "config": {"source": {"integration": "demo"}}},
        {"id": "analyse", "type": "process_conversations", "after": ["pick"], "config": {"pipeline": "default-qa"}},
    ],
}


def seed(settings: Settings, workflows: int, runs: int) -> tuple[str, list[str]]:
    """Fill the store; returns an admin API token and the run ids."""
    store = Store.open(settings)
    rng = random.Random(7)
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    run_ids: list[str] = []
    try:
        with store.transaction() as session:
            admin, _ = create_user(
                session, email="bench@example.com", role=Role.ADMIN, password="bench-password", now=t0
            )
            _, token = issue_credential(session, user=admin, kind="token", now=datetime.now(UTC), ttl=timedelta(days=1))
        workflow_ids = [uuid.uuid4().hex for _ in range(workflows)]
        with store.transaction() as session:
            rows = []
            for index, workflow_id in enumerate(workflow_ids):
                name = f"Workflow {index:05d} {rng.choice(['QA', 'Billing', 'Churn', 'VIP', 'Nightly'])}"
                rows.append(
                    {
                        "id": workflow_id,
                        "name": name,
                        "status": rng.choice(["draft", "live", "paused"]),
                        "draft": {**DOCUMENT, "name": name},
                        "created_by": admin.id,
                        "created_at": t0,
                        "updated_at": t0,
                    }
                )
            session.execute(insert(Workflow), rows)
        per_workflow: dict[str, int] = {}
        chunk: list[dict[str, Any]] = []
        steps: list[dict[str, Any]] = []
        for index in range(runs):
            workflow_id = workflow_ids[index % workflows]
            number = per_workflow[workflow_id] = per_workflow.get(workflow_id, 0) + 1
            started = t0 + timedelta(minutes=index)
            run_id = uuid.uuid4().hex
            run_ids.append(run_id)
            chunk.append(
                {
                    "id": run_id,
                    "workflow_id": workflow_id,
                    "number": number,
                    "version": 1,
                    "status": rng.choice(["completed"] * 8 + ["failed", "cancelled"]),
                    "trigger_type": "schedule",
                    "trigger_payload": {},
                    "test": False,
                    "definition": DOCUMENT,
                    "created_at": started,
                    "started_at": started,
                    "finished_at": started + timedelta(seconds=rng.uniform(1, 90)),
                    "credits": Decimal(rng.randint(0, 500)),
                    "conversations_processed": rng.randint(0, 500),
                }
            )
            for step_id, step_type in STEPS:
                steps.append(
                    {
                        "run_id": run_id,
                        "step_id": step_id,
                        "type": step_type,
                        "status": "completed",
                        "started_at": started,
                        "finished_at": started + timedelta(seconds=1),
                        "rows_in": 100,
                        "rows_out": 100,
                        "outputs": {"out": 100},
                        "credits": Decimal(0),
                        "tally": {},
                    }
                )
            if len(chunk) >= 5000 or index == runs - 1:
                with store.transaction() as session:
                    session.execute(insert(Run), chunk)
                    session.execute(insert(StepRun), steps)
                chunk, steps = [], []
    finally:
        store.close()
    return token, run_ids


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def load(base: str, token: str, paths: list[str], seconds: float, concurrency: int) -> dict[str, Any]:
    """Runs in a second process: C workers issue requests to random paths for S seconds."""

    async def main() -> dict[str, Any]:
        latencies: list[float] = []
        errors = 0
        deadline = time.perf_counter() + seconds
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        async with httpx.AsyncClient(
            base_url=base, headers={"Authorization": f"Bearer {token}"}, limits=limits
        ) as client:

            async def worker(seed: int) -> None:
                nonlocal errors
                rng = random.Random(seed)
                while time.perf_counter() < deadline:
                    started = time.perf_counter()
                    response = await client.get(rng.choice(paths))
                    latencies.append(time.perf_counter() - started)
                    errors += response.status_code != 200

            started = time.perf_counter()
            await asyncio.gather(*(worker(i) for i in range(concurrency)))
            elapsed = time.perf_counter() - started
        ordered = sorted(latencies)
        return {
            "requests": len(ordered),
            "errors": errors,
            "rps": len(ordered) / elapsed,
            "p50_ms": statistics.median(ordered) * 1000,
            "p99_ms": ordered[int(len(ordered) * 0.99) - 1] * 1000,
        }

    return asyncio.run(main())


def drive(base: str, token: str, paths: list[str], seconds: float, concurrency: int) -> dict[str, Any]:
    """Start the load in a second process (so the server's process is measured, not the client's)."""
    code = (
        f"import json,sys; sys.path.insert(0, {str(REPO)!r}); from bench.api import load; "
        "print(json.dumps(load(*json.loads(sys.argv[1]))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, json.dumps([base, token, paths, seconds, concurrency])],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python bench/api.py", description=__doc__.splitlines()[0])
    parser.add_argument("--workflows", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="redflare-bench-api-") as folder:
        env = {**os.environ, "REDFLARE_DATA_DIR": folder, "REDFLARE_WORKERS": "1"}
        env.pop("REDFLARE_DATABASE_URL", None)
        settings = Settings(data_dir=Path(folder))
        started = time.perf_counter()
        token, run_ids = seed(settings, args.workflows, args.runs)
        seeded = time.perf_counter() - started
        print(f"RedFlare API benchmark · {args.workflows:,} workflows · {args.runs:,} runs · seeded in {seeded:.1f} s")
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
            rng = random.Random(3)
            cases = {
                "baseline: GET /api/auth/me": ["/api/auth/me"],
                "GET /api/workflows?limit=50": ["/api/workflows?limit=50"],
                "GET /api/workflows?search=…": [
                    f"/api/workflows?search={w}&limit=50" for w in ("qa", "billing", "0042", "vip")
                ],
                "GET /api/runs/{id}": [f"/api/runs/{rng.choice(run_ids)}" for _ in range(500)],
            }
            print(f"load: {args.concurrency} connections from a second process, {args.seconds:g} s per endpoint\n")
            print(f"  {'endpoint':<34} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'÷ baseline':>11}")
            baseline = None
            drive(base, token, [p for paths in cases.values() for p in paths[:5]], 1.0, args.concurrency)  # warm-up
            for label, paths in cases.items():
                result = drive(base, token, paths, args.seconds, args.concurrency)
                baseline = baseline or result["rps"]
                print(
                    f"  {label:<34} {result['rps']:>9,.0f} {result['p50_ms']:>8.1f} {result['p99_ms']:>8.1f} "
                    f"{result['errors']:>7} {result['rps'] / baseline:>10.0%}"
                )
        finally:
            server.terminate()
            server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Where runs are carried out: the backend interface every way of running implements.

A run is started in one place (`services/run_start.py`): the call-limit refusal, the runnable document, the run
row, committed. Then `backend.submit(run_id)` hands it over; from there the backend owns the run until it ends:

- `submit(run_id)`: carry out this committed run — a queued one, or a failed one reopened for a re-run. Answers
  at once and is safe from any thread and any event loop; the caller never waits on the run.
- `in_flight`: the ids of the runs this backend is carrying out now.
- `wait_idle(timeout)`: block until nothing is in flight (True) or the timeout passes (False).
- `close(grace_s)`: take no more runs, let the ones in flight end for up to `grace_s` seconds, then cut off the
  rest (they stay `running` in the store; the next start fails them as interrupted) and release everything.
  Answers the ids cut off. Blocking: call it from a worker thread when on an event loop.

The local backend (`local.LocalBackend`) runs each run's loop on one event loop in a thread of its own, never the
web server's: nothing a run does can stall a request. The Celery backend (P10) implements the same interface.
"""

from __future__ import annotations

from typing import Protocol


class Backend(Protocol):
    def submit(self, run_id: str) -> None: ...

    @property
    def in_flight(self) -> frozenset[str]: ...

    def wait_idle(self, timeout: float | None = None) -> bool: ...

    def close(self, grace_s: float) -> set[str]: ...

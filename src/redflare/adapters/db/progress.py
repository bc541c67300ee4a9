"""A step's progress reports, written to the store for the run page: throttled, the last one always.

The step reports from its own worker thread (never the event loop), so each write is a short transaction
of its own in that thread. Reports closer together than `interval` seconds only replace the one waiting;
`flush` (the engine calls it when the step returns or raises) writes the one still waiting, so the store
always ends with the step's last report. A write that fails is logged and dropped: progress is a courtesy
to the viewer, never a reason for the step to fail.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from redflare.adapters.db.runs import record_progress
from redflare.domain.ports import Clock

log = logging.getLogger(__name__)
PROGRESS_INTERVAL_SECONDS = 0.5  # at most one write per step this often (plus the last one)


def progress_value(processed: int, total: int, credits: Decimal) -> dict[str, Any]:
    """The stored and published shape: `{"processed": int, "total": int, "credits": float}`."""
    return {"processed": processed, "total": total, "credits": float(credits)}


class StoredProgress:
    """The engine's ProgressSink for one step of one run."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        clock: Clock,
        *,
        run_id: str,
        step_id: str,
        interval: float = PROGRESS_INTERVAL_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._run_id = run_id
        self._step_id = step_id
        self._interval = interval
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._waiting: dict[str, Any] | None = None
        self._written: dict[str, Any] | None = None
        self._last_write = -math.inf

    def report(self, processed: int, total: int, credits: Decimal) -> None:
        with self._lock:
            self._waiting = progress_value(processed, total, credits)
            if self._monotonic() - self._last_write >= self._interval:
                self._write_waiting()

    def flush(self) -> None:
        """Write the report still waiting, if any (the step's last)."""
        with self._lock:
            self._write_waiting()

    def _write_waiting(self) -> None:
        progress, self._waiting = self._waiting, None
        if progress is None or progress == self._written:
            return
        self._last_write = self._monotonic()
        self._written = progress
        try:
            with self._sessions.begin() as session:
                record_progress(
                    session, run_id=self._run_id, step_id=self._step_id, progress=progress, now=self._clock.now()
                )
        except SQLAlchemyError:
            log.warning("progress of step %s of run %s not recorded", self._step_id, self._run_id, exc_info=True)

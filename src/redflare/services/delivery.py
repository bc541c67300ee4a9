"""The deliverer: sends the outbox over SMTP, retrying with exponential backoff, recording every attempt.

Contract:
- A message is sent only by the deliverer that claimed it (`claim_due`: a conditional UPDATE with a lease), so
  any number of deliverers over one store — several server processes, a server and `redflare run` — never send
  the same message at once. A deliverer that dies mid-send leaves its messages `sending`; once the lease runs
  out another deliverer takes them over.
- Each try is recorded (`record_attempt`): sent; failed at once when the server's answer is permanent (5xx);
  else pending again after `retry_delay(attempt, smtp_backoff_s)`, until attempt `smtp_max_attempts` fails and
  the message is failed with the last answer.
- Timestamps come from the injected clock; database work runs in worker threads (the store is synchronous).
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Protocol

from sqlalchemy import case, func, select

from redflare.adapters.db.orm import OutboxMessage
from redflare.adapters.db.outbox import claim_due, record_attempt
from redflare.adapters.db.store import Store
from redflare.adapters.db.types import UtcDateTime
from redflare.adapters.email.compose import compose
from redflare.adapters.email.smtp import SendFailure, SmtpSender
from redflare.config import Settings
from redflare.domain.delivery import MessageStatus, OutgoingMessage
from redflare.domain.ports import Clock
from redflare.services.delivery_setup import DeliverySetup, delivery_setup

log = logging.getLogger(__name__)

POLL_SECONDS = 0.5  # the longest a deliverer sleeps: messages written by other processes go out this soon
CLAIM_BATCH = 10  # messages claimed (and sent side by side, one connection each) per pass
MIN_LEASE = timedelta(minutes=5)
MAX_RETRY_DELAY = timedelta(hours=1)
SMTP_EXCHANGES = 4  # connect, greeting/EHLO/STARTTLS, login, MAIL/RCPT/DATA: each may take smtp_timeout_s


class Sender(Protocol):
    async def send(self, message: EmailMessage) -> None:
        """Deliver the message, or raise SendFailure (`permanent` when retrying cannot help)."""
        ...


def retry_delay(attempt_number: int, base: float) -> timedelta:
    """How long to wait after failed attempt `attempt_number` (1 is the first) before the next.

    `base`, then twice that after each further failure (base · 2^(n-1)), capped at MAX_RETRY_DELAY so a
    generous `smtp_max_attempts` never parks a message for days.
    """
    if attempt_number < 1:
        raise ValueError(f"attempts are numbered from 1, not {attempt_number}")
    cap = MAX_RETRY_DELAY.total_seconds()
    try:
        seconds = math.ldexp(base, attempt_number - 1)  # base · 2^(n-1), exact in floating point
    except OverflowError:  # so large a number of doublings is past any cap
        seconds = cap
    return min(timedelta(seconds=min(seconds, cap)), MAX_RETRY_DELAY)


@dataclass(frozen=True)
class _Claimed:
    """A claimed message, read out of its session: what to send and how many tries it had before."""

    id: str
    attempts: int
    message: OutgoingMessage


class Deliverer:
    """Sends the store's outbox: one pass (`deliver_due`), a loop (`run`), or until done (`drain`)."""

    def __init__(self, store: Store, settings: Settings, clock: Clock, sender: Sender | None = None) -> None:
        """`sender` defaults to an SmtpSender for the settings (which then must name an SMTP host)."""
        self.store = store
        self.clock = clock
        self.sender: Sender = sender if sender is not None else SmtpSender(settings)
        self.mail_from = settings.mail_from
        self.max_attempts = settings.smtp_max_attempts
        self.backoff_s = settings.smtp_backoff_s
        # One send may use a timeout per exchange; past this bound it is abandoned as a transient failure.
        self.send_bound_s = settings.smtp_timeout_s * SMTP_EXCHANGES
        # The lease must outlive the slowest send (the batch goes side by side, so one bound plus slack):
        # a lease that ran out mid-send would let another deliverer send the same message again.
        self.lease = max(MIN_LEASE, timedelta(seconds=2 * self.send_bound_s))
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wakeup: asyncio.Event | None = None

    async def deliver_due(self) -> int:
        """One pass: claim the messages due now, try each once, record the outcome; answers how many were tried."""
        claimed = await asyncio.to_thread(self._claim)
        if claimed:
            await asyncio.gather(*(self._deliver(item) for item in claimed))
        return len(claimed)

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until `stop` is set: whenever something is due, on `wake()`, and at least every POLL_SECONDS.

        An error (the database gone for a moment, a bug) is logged and the loop carries on.
        """
        self._loop = asyncio.get_running_loop()
        self._wakeup = wakeup = asyncio.Event()
        while not stop.is_set():
            # Cleared before the pass, so a wake() that arrives during it cuts the following sleep short.
            wakeup.clear()
            try:
                pause = await self._pass()
            except Exception:
                log.exception("delivering the outbox failed; trying again shortly")
                pause = POLL_SECONDS
            if pause > 0:
                await _first_of(stop, wakeup, timeout=pause)
        self._wakeup = None

    def wake(self) -> None:
        """Start a pass now (a message just entered the outbox). Safe from any thread; a no-op unless running."""
        loop, wakeup = self._loop, self._wakeup
        if loop is None or wakeup is None:
            return
        with suppress(RuntimeError):  # the loop has closed: nothing left to wake
            loop.call_soon_threadsafe(wakeup.set)

    async def drain(self, *, timeout: float, run_id: str | None = None) -> int:
        """Deliver until no message is pending or sending (of `run_id`, else of any run) or `timeout` seconds pass.

        Waits for retries that come due in time, and for messages another deliverer is sending. Answers how
        many messages are still waiting (0: all settled). A send cut short by the timeout stays `sending` until
        its lease runs out, then another deliverer takes it over.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            waiting, due_at = await asyncio.to_thread(self._outlook, run_id)
            remaining = deadline - loop.time()
            if waiting == 0 or remaining <= 0:
                return waiting
            pause = self._pause_until(due_at)
            if pause == 0:
                try:
                    tried = await asyncio.wait_for(self.deliver_due(), remaining)
                except TimeoutError:
                    return (await asyncio.to_thread(self._outlook, run_id))[0]
                if tried:
                    continue
                pause = POLL_SECONDS  # another deliverer took what was due: wait for it to settle
            await asyncio.sleep(min(pause, remaining))

    async def _pass(self) -> float:
        """Deliver if something is due; answers how long to sleep before looking again."""
        _, due_at = await asyncio.to_thread(self._outlook, None)
        pause = self._pause_until(due_at)
        if pause > 0:
            return pause
        # Nothing claimed although something looked due means another deliverer took it: look again soon.
        return 0.0 if await self.deliver_due() else POLL_SECONDS

    def _pause_until(self, due_at: datetime | None) -> float:
        if due_at is None:
            return POLL_SECONDS
        return min(POLL_SECONDS, max(0.0, (due_at - self.clock.now()).total_seconds()))

    async def _deliver(self, item: _Claimed) -> None:
        attempt = item.attempts + 1
        error: str | None = None  # None: sent
        retry_at: datetime | None = None
        try:
            email = compose(item.message, sender=self.mail_from, message_id=item.id, date=self.clock.now())
            await asyncio.wait_for(self.sender.send(email), self.send_bound_s)
        except SendFailure as failure:
            error, retry_at = self._outcome(failure.text, failure.permanent, attempt)
        except TimeoutError:
            error, retry_at = self._outcome(f"no answer within {self.send_bound_s:g} s", False, attempt)
        except Exception as exc:  # a bug must not leave the message `sending` until its lease runs out
            log.exception("sending outbox message %s failed unexpectedly", item.id)
            error, retry_at = self._outcome(f"unexpected error: {exc}", False, attempt)
        status = await asyncio.to_thread(self._record, item.id, error, retry_at)
        if error is None:
            log.info("email %s sent to %s", item.id, ", ".join(item.message.recipients))
        else:
            log.warning(
                "email %s to %s not sent (attempt %d, now %s): %s",
                item.id,
                ", ".join(item.message.recipients),
                attempt,
                status,
                error,
            )

    def _outcome(self, text: str, permanent: bool, attempt: int) -> tuple[str, datetime | None]:
        """The error to record and when to try again (None: never)."""
        if permanent:
            return text, None
        if attempt >= self.max_attempts:
            return f"{text} (gave up after {attempt} attempts)", None
        return text, self.clock.now() + retry_delay(attempt, self.backoff_s)

    # Database work, run in worker threads.

    def _claim(self) -> list[_Claimed]:
        with self.store.transaction() as session:
            rows = claim_due(session, now=self.clock.now(), lease=self.lease, limit=CLAIM_BATCH)
            return [
                _Claimed(
                    id=row.id,
                    attempts=row.attempts,
                    message=OutgoingMessage(
                        recipients=tuple(str(to) for to in row.recipients),
                        subject=row.subject,
                        text=row.text,
                        html=row.html,
                    ),
                )
                for row in rows
            ]

    def _record(self, message_id: str, error: str | None, retry_at: datetime | None) -> MessageStatus:
        with self.store.transaction() as session:
            return record_attempt(session, message_id=message_id, now=self.clock.now(), error=error, retry_at=retry_at)

    def _outlook(self, run_id: str | None) -> tuple[int, datetime | None]:
        """How many messages are pending or sending, and when the next of them comes due (a retry, or a lease)."""
        active: Sequence[str] = (str(MessageStatus.PENDING), str(MessageStatus.SENDING))
        # A pending message is due at its next attempt; a sending one when its lease runs out.
        due = func.min(
            case(
                (OutboxMessage.status == str(MessageStatus.PENDING), OutboxMessage.next_attempt_at),
                else_=OutboxMessage.claimed_until,
            ),
            type_=UtcDateTime(),
        )
        query = select(func.count(), due).where(OutboxMessage.status.in_(active))
        if run_id is not None:
            query = query.where(OutboxMessage.run_id == run_id)
        with self.store.read() as session:
            waiting, due_at = session.execute(query).one()
        return int(waiting), due_at


async def _first_of(*events: asyncio.Event, timeout: float) -> None:
    """Return when any of `events` is set, or after `timeout` seconds."""
    waiters = [asyncio.ensure_future(event.wait()) for event in events]
    try:
        await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()


def delivery_with_deliverer(store: Store, settings: Settings, clock: Clock) -> tuple[DeliverySetup, Deliverer | None]:
    """A process's delivery set-up and, with SMTP configured, the deliverer that sends its outbox (the engine wakes it
    when messages enter the outbox); None without SMTP: messages stay held."""
    delivery = delivery_setup(settings, clock)
    if not settings.smtp_configured:
        return delivery, None
    deliverer = Deliverer(store, settings, clock)
    return replace(delivery, wake_deliverer=deliverer.wake), deliverer

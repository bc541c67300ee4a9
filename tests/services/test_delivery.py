"""The deliverer against real SMTP servers and a real store: sent once, retried with backoff, every try recorded."""

from __future__ import annotations

import asyncio
import itertools
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from redflare.adapters.db.orm import DeliveryAttempt, OutboxMessage
from redflare.adapters.db.outbox import add_messages, attempts_of, claim_due, messages_of_run, record_attempt
from redflare.adapters.db.store import Store
from redflare.adapters.email.smtp import SmtpSender
from redflare.config import Settings
from redflare.domain.delivery import NOT_SENT_CANCELLED, MessageStatus, OutgoingMessage
from redflare.domain.ports import Clock, FixedClock, SystemClock
from redflare.services import delivery
from redflare.services.delivery import MAX_RETRY_DELAY, Deliverer, retry_delay
from redflare.services.run_start import start_run
from redflare.services.runs import cancel_run
from redflare.services.workflows import checked_document, save_draft_by_name
from tests.factories import SELECT_DEMO, T0, add_conversations, workflow
from tests.smtp_servers import accepting_server, down_then_up, dropping_server, refusing_server

BACKOFF = 0.05  # seconds: retries come quickly in tests
ALERT = OutgoingMessage(
    recipients=("ana@example.com", "bo@example.com"),
    subject="2 calls need review",
    text="Two calls scored below 50.",
    html="<table><tr><td>c-1</td><td>40</td></tr></table>",
)


@dataclass(frozen=True)
class Outbox:
    """A real run whose step put messages in the outbox."""

    store: Store
    run_id: str
    workflow_id: str

    def put(self, *messages: OutgoingMessage, clock: Clock, step_id: str = "pick") -> list[str]:
        with self.store.transaction() as session:
            return add_messages(
                session,
                run_id=self.run_id,
                workflow_id=self.workflow_id,
                step_id=step_id,
                messages=list(messages),
                status=MessageStatus.PENDING,
                reason=None,
                now=clock.now(),
            )

    def rows(self) -> dict[str, OutboxMessage]:
        with self.store.read() as session:
            return {row.id: row for row in messages_of_run(session, self.run_id)}

    def row(self, message_id: str) -> OutboxMessage:
        return self.rows()[message_id]

    def attempts(self, message_id: str) -> list[DeliveryAttempt]:
        with self.store.read() as session:
            return attempts_of(session, [message_id])[message_id]


@pytest.fixture
def outbox(store: Store) -> Outbox:
    add_conversations(store, 1)
    with store.transaction() as session:
        document = checked_document(session, workflow(SELECT_DEMO, name="Alerts"))
        stored = save_draft_by_name(session, document, now=T0)
        run = start_run(session, workflow_id=stored.id, document=document, version=None, now=T0)
    return Outbox(store, run.id, stored.id)


def settings_for(tmp_path: Path, smtp: dict[str, Any], **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": tmp_path,
        "mail_from": "RedFlare <redflare@example.com>",
        "smtp_backoff_s": BACKOFF,
        "smtp_max_attempts": 4,
        "smtp_timeout_s": 2,
    }
    return Settings(**(values | smtp | overrides))


async def until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Wait for `condition` (checked in a worker thread: it reads the store); fail after `timeout` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await asyncio.to_thread(condition):
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


@asynccontextmanager
async def running(deliverer: Deliverer) -> AsyncIterator[Deliverer]:
    """The deliverer's loop as a task for the block; stopped (and awaited) after it."""
    stop = asyncio.Event()
    task = asyncio.create_task(deliverer.run(stop))
    try:
        yield deliverer
    finally:
        stop.set()
        await asyncio.wait_for(task, 5)


class TestRetryDelay:
    @given(st.integers(1, 10_000), st.floats(0, 1e6, allow_nan=False))
    @example(65, 1e-24)  # a tiny base keeps doubling for many attempts: no early stop at some exponent
    def test_each_delay_doubles_the_last_until_the_cap(self, attempt: int, base: float) -> None:
        """Exponential backoff: base, 2·base, 4·base …, never decreasing, never past an hour."""
        this, after = retry_delay(attempt, base), retry_delay(attempt + 1, base)
        assert this <= after <= MAX_RETRY_DELAY
        # timedelta keeps microseconds: doubling a rounded delay may differ from the rounded double by one.
        assert abs(after - min(2 * this, MAX_RETRY_DELAY)) <= timedelta(microseconds=1)

    @given(st.floats(0, 3000, allow_nan=False))
    def test_the_first_retry_waits_the_base_delay(self, base: float) -> None:
        assert abs(retry_delay(1, base) - timedelta(seconds=base)) <= timedelta(microseconds=1)

    def test_attempts_are_numbered_from_one(self) -> None:
        with pytest.raises(ValueError, match="from 1"):
            retry_delay(0, 2.0)


class TestAccepted:
    @pytest.mark.asyncio
    async def test_the_message_arrives_once_and_is_recorded_sent(self, outbox: Outbox, tmp_path: Path) -> None:
        """From/To/Subject, text and HTML parts and the outbox Message-ID arrive; the row is sent, one try ok."""
        clock = SystemClock()
        [message_id] = outbox.put(ALERT, clock=clock)
        with accepting_server() as server:
            deliverer = Deliverer(outbox.store, settings_for(tmp_path, server.settings()), clock)
            assert await deliverer.deliver_due() == 1
            assert await deliverer.deliver_due() == 0  # nothing left to send
            [mail] = server.wait_for(1)
        email = mail.message
        assert email["From"] == "RedFlare <redflare@example.com>"
        assert mail.rcpt_tos == ["ana@example.com", "bo@example.com"]
        assert email["Subject"] == ALERT.subject
        assert email["Message-ID"] == f"<{message_id}@redflare>"
        assert email.get_body(("plain",)).get_content().strip() == ALERT.text
        assert email.get_body(("html",)).get_content().strip() == ALERT.html
        row = outbox.row(message_id)
        assert (row.status, row.attempts, row.reason) == (MessageStatus.SENT, 1, None)
        assert row.sent_at is not None
        assert [(a.ok, a.error) for a in outbox.attempts(message_id)] == [(True, None)]

    @pytest.mark.asyncio
    @pytest.mark.parametrize("tls", ["starttls", "ssl"])
    async def test_over_tls_with_a_login(self, outbox: Outbox, tmp_path: Path, tls: str) -> None:
        """The settings' TLS mode, CA file, user and password carry a message to a server that demands them."""
        clock = SystemClock()
        [message_id] = outbox.put(ALERT, clock=clock)
        with accepting_server(tls=tls, auth=("alerts", "s3cret")) as server:  # type: ignore[arg-type]
            deliverer = Deliverer(outbox.store, settings_for(tmp_path, server.settings()), clock)
            await deliverer.deliver_due()
            [mail] = server.wait_for(1)
        assert (mail.tls, mail.login) == (True, "alerts")
        assert outbox.row(message_id).status == MessageStatus.SENT


class TestRefused:
    @pytest.mark.asyncio
    async def test_a_550_fails_at_once_with_the_answer_and_is_never_retried(
        self, outbox: Outbox, tmp_path: Path
    ) -> None:
        clock = SystemClock()
        [message_id] = outbox.put(ALERT, clock=clock)
        with refusing_server(refuse=lambda address: address.startswith("bo@")) as server:
            deliverer = Deliverer(outbox.store, settings_for(tmp_path, server.settings()), clock)
            assert await deliverer.deliver_due() == 1
            await asyncio.sleep(BACKOFF * 2)  # past any retry delay
            assert await deliverer.deliver_due() == 0
            assert [mail.rcpt_tos for mail in server.wait_for(1)] == [["ana@example.com"]]
        row = outbox.row(message_id)
        assert (row.status, row.attempts, row.next_attempt_at) == (MessageStatus.FAILED, 1, None)
        assert row.reason is not None
        assert row.reason.startswith("550 5.1.1 <bo@example.com>: Recipient address rejected")
        assert [(a.ok, a.error) for a in outbox.attempts(message_id)] == [(False, row.reason)]


class TestRetries:
    @pytest.mark.asyncio
    async def test_a_dropped_connection_is_retried_with_growing_delays_then_fails(
        self, outbox: Outbox, tmp_path: Path
    ) -> None:
        """smtp_max_attempts tries, each recorded, each after a longer wait; then failed, saying why."""
        clock = SystemClock()
        [message_id] = outbox.put(ALERT, clock=clock)
        with dropping_server() as server:
            deliverer = Deliverer(outbox.store, settings_for(tmp_path, server.settings()), clock)
            async with running(deliverer):
                await until(lambda: outbox.row(message_id).status == MessageStatus.FAILED)
            assert server.connections == 4
        row = outbox.row(message_id)
        assert row.attempts == 4
        assert row.reason == "the server closed the connection before its greeting (gave up after 4 attempts)"
        attempts = outbox.attempts(message_id)
        assert [a.ok for a in attempts] == [False] * 4
        assert attempts[-1].error == row.reason
        # A retry is claimed only once its time has come, so the recorded tries are at least the delays apart.
        gaps = [later.at - earlier.at for earlier, later in itertools.pairwise(attempts)]
        assert all(gap >= retry_delay(n, BACKOFF) for n, gap in enumerate(gaps, start=1))

    @pytest.mark.asyncio
    async def test_each_retry_is_scheduled_base_times_two_to_the_tries_so_far(
        self, outbox: Outbox, tmp_path: Path
    ) -> None:
        """With a clock that stands still, a message waits exactly its delay, and not a moment less."""
        clock = FixedClock(T0)
        [message_id] = outbox.put(ALERT, clock=clock)
        with dropping_server() as server:
            settings = settings_for(tmp_path, server.settings(), smtp_backoff_s=60)
            deliverer = Deliverer(outbox.store, settings, clock)
            for attempt in (1, 2, 3):
                assert await deliverer.deliver_due() == 1
                assert outbox.row(message_id).next_attempt_at == clock.now() + timedelta(
                    seconds=60 * 2 ** (attempt - 1)
                )
                clock.advance(60 * 2 ** (attempt - 1) - 1)
                assert await deliverer.deliver_due() == 0  # one second early: not yet
                clock.advance(1)
            assert await deliverer.deliver_due() == 1
        assert outbox.row(message_id).status == MessageStatus.FAILED

    @pytest.mark.asyncio
    async def test_down_then_up_arrives_exactly_once(self, outbox: Outbox, tmp_path: Path) -> None:
        """While the server is down the message waits; once it is up it arrives, once, and stays sent."""
        clock = SystemClock()
        [message_id] = outbox.put(ALERT, clock=clock)
        with down_then_up() as slot:
            deliverer = Deliverer(outbox.store, settings_for(tmp_path, slot.settings(), smtp_max_attempts=50), clock)
            async with running(deliverer):
                await until(lambda: outbox.row(message_id).attempts >= 2)
                first = outbox.row(message_id)
                assert first.status in (MessageStatus.PENDING, MessageStatus.SENDING)
                assert first.reason == f"could not connect to 127.0.0.1:{slot.port}: Connection refused"
                server = slot.start()
                await until(lambda: outbox.row(message_id).status == MessageStatus.SENT)
                await asyncio.sleep(0.6)  # more than a poll: nothing goes out a second time
            assert len(server.received) == 1
        assert server.received[0].message["Message-ID"] == f"<{message_id}@redflare>"
        attempts = outbox.attempts(message_id)
        assert [a.ok for a in attempts] == [False] * (len(attempts) - 1) + [True]


class TestSharing:
    def test_two_deliverers_never_send_a_message_twice(self, outbox: Outbox, tmp_path: Path) -> None:
        """Two deliverers (each with its own thread and event loop, like two processes) share 20 messages."""
        clock = SystemClock()
        messages = [
            OutgoingMessage(recipients=(f"r{i}@example.com",), subject=f"alert {i}", text="t") for i in range(20)
        ]
        ids = outbox.put(*messages, clock=clock)
        with accepting_server() as server:
            left: list[int] = []
            together = threading.Barrier(2)

            def drain() -> None:
                deliverer = Deliverer(outbox.store, settings_for(tmp_path, server.settings()), clock)
                together.wait()  # both claim from the start
                left.append(asyncio.run(deliverer.drain(timeout=20)))

            threads = [threading.Thread(target=drain) for _ in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            received = server.wait_for(20)
        assert left == [0, 0]
        assert sorted(mail.message["Subject"] for mail in received) == sorted(m.subject for m in messages)
        assert sorted(mail.message["Message-ID"] for mail in received) == sorted(f"<{i}@redflare>" for i in ids)
        rows = outbox.rows()
        assert {rows[i].status for i in ids} == {MessageStatus.SENT}
        assert all(len(outbox.attempts(i)) == 1 for i in ids)

    @pytest.mark.asyncio
    async def test_a_stale_sending_lease_is_taken_over(self, outbox: Outbox, tmp_path: Path) -> None:
        """A deliverer that died mid-send leaves the message `sending`; after its lease another sends it."""
        clock = SystemClock()
        [message_id] = outbox.put(ALERT, clock=clock)
        with outbox.store.transaction() as session:  # the deliverer that claimed it, then died
            [claimed] = claim_due(session, now=clock.now(), lease=timedelta(seconds=0.3))
        assert claimed.id == message_id
        with accepting_server() as server:
            deliverer = Deliverer(outbox.store, settings_for(tmp_path, server.settings()), clock)
            assert await deliverer.deliver_due() == 0  # the lease still holds
            assert server.received == []
            async with running(deliverer):
                await until(lambda: outbox.row(message_id).status == MessageStatus.SENT)
            [mail] = server.wait_for(1)
        assert mail.message["Message-ID"] == f"<{message_id}@redflare>"
        assert [a.ok for a in outbox.attempts(message_id)] == [True]


class TestLoop:
    @pytest.mark.asyncio
    async def test_wake_from_another_thread_sends_a_new_message_at_once(
        self, outbox: Outbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """With polling made slower than the test's patience, only the nudge can have sent it."""
        monkeypatch.setattr(delivery, "POLL_SECONDS", 60.0)
        clock = SystemClock()
        with accepting_server() as server:
            deliverer = Deliverer(outbox.store, settings_for(tmp_path, server.settings()), clock)
            async with running(deliverer):
                await asyncio.sleep(0.1)  # the loop has looked, found nothing, and sleeps
                [message_id] = await asyncio.to_thread(outbox.put, ALERT, clock=clock)
                waker = threading.Thread(target=deliverer.wake)  # as the engine's worker threads do
                waker.start()
                waker.join()
                [mail] = await asyncio.to_thread(server.wait_for, 1, 3.0)
        assert mail.message["Message-ID"] == f"<{message_id}@redflare>"

    @pytest.mark.asyncio
    async def test_the_loop_survives_an_error_and_keeps_delivering(self, outbox: Outbox, tmp_path: Path) -> None:
        """A sender that blows up is a transient failure on the message, not the end of the deliverer."""

        class Flaky:
            def __init__(self, then: Any) -> None:
                self.calls = 0
                self.then = then

            async def send(self, message: Any) -> None:
                self.calls += 1
                if self.calls == 1:
                    raise RuntimeError("boom")
                await self.then.send(message)

        clock = SystemClock()
        [message_id] = outbox.put(ALERT, clock=clock)
        with accepting_server() as server:
            settings = settings_for(tmp_path, server.settings())
            deliverer = Deliverer(outbox.store, settings, clock, sender=Flaky(SmtpSender(settings)))
            async with running(deliverer):
                await until(lambda: outbox.row(message_id).status == MessageStatus.SENT)
            server.wait_for(1)
        assert [(a.ok, a.error) for a in outbox.attempts(message_id)] == [
            (False, "unexpected error: boom"),
            (True, None),
        ]


class TestDrain:
    @pytest.mark.asyncio
    async def test_drain_returns_once_everything_is_sent(self, outbox: Outbox, tmp_path: Path) -> None:
        clock = SystemClock()
        ids = outbox.put(ALERT, ALERT, ALERT, clock=clock)
        with accepting_server() as server:
            deliverer = Deliverer(outbox.store, settings_for(tmp_path, server.settings()), clock)
            assert await deliverer.drain(timeout=10) == 0
            assert len(server.wait_for(3)) == 3
        assert {outbox.row(i).status for i in ids} == {MessageStatus.SENT}

    @pytest.mark.asyncio
    async def test_drain_waits_through_retries_until_a_failure_is_final(self, outbox: Outbox, tmp_path: Path) -> None:
        """Retries due within the timeout are made; drain ends when the message has failed for good."""
        clock = SystemClock()
        [message_id] = outbox.put(ALERT, clock=clock)
        with dropping_server() as server:
            deliverer = Deliverer(outbox.store, settings_for(tmp_path, server.settings()), clock)
            assert await deliverer.drain(timeout=10) == 0
        assert (outbox.row(message_id).status, outbox.row(message_id).attempts) == (MessageStatus.FAILED, 4)

    @pytest.mark.asyncio
    async def test_drain_gives_up_at_its_timeout_leaving_the_message_for_later(
        self, outbox: Outbox, tmp_path: Path
    ) -> None:
        """A server still down when time is up: drain says one message waits; it stays pending, not lost."""
        clock = SystemClock()
        [message_id] = outbox.put(ALERT, clock=clock)
        with down_then_up() as slot:
            # A long backoff: one refused attempt, then the retry is due long after the drain has given up.
            settings = settings_for(tmp_path, slot.settings(), smtp_max_attempts=50, smtp_backoff_s=30)
            deliverer = Deliverer(outbox.store, settings, clock)
            assert await deliverer.drain(timeout=2.0) == 1
        row = outbox.row(message_id)
        assert row.status == MessageStatus.PENDING
        assert row.attempts == 1

    def test_only_the_runs_messages_are_waited_for(self, outbox: Outbox, tmp_path: Path) -> None:
        """drain(run_id=…) returns when that run's messages are settled, whatever else waits in the outbox."""
        clock = SystemClock()
        outbox.put(ALERT, clock=clock)
        with accepting_server() as server:
            assert (
                asyncio.run(Deliverer(outbox.store, settings_for(tmp_path, server.settings()), clock).drain(timeout=5))
                == 0
            )
        _other_run(outbox).put(ALERT, clock=clock)
        with down_then_up() as slot:
            # Retries far apart: the other run's message stays waiting, never failed for good, while we look.
            settings = settings_for(tmp_path, slot.settings(), smtp_max_attempts=50, smtp_backoff_s=30)
            deliverer = Deliverer(outbox.store, settings, clock)
            assert asyncio.run(deliverer.drain(timeout=5, run_id=outbox.run_id)) == 0
            assert asyncio.run(deliverer.drain(timeout=0.2)) == 1


def _other_run(outbox: Outbox) -> Outbox:
    with outbox.store.transaction() as session:
        document = checked_document(session, workflow(SELECT_DEMO, name="Other alerts"))
        stored = save_draft_by_name(session, document, now=T0)
        run = start_run(session, workflow_id=stored.id, document=document, version=None, now=T0)
    return Outbox(outbox.store, run.id, stored.id)


class TestCancelledRuns:
    def test_a_message_whose_run_was_cancelled_mid_send_is_held_not_retried(self, outbox: Outbox) -> None:
        """The send was under way when the run was cancelled; it failed transiently: no retry, held with why."""
        clock = SystemClock()
        [message_id] = outbox.put(ALERT, clock=clock)
        with outbox.store.transaction() as session:
            [claimed] = claim_due(session, now=clock.now(), lease=timedelta(minutes=5))
            assert claimed.id == message_id
            cancel_run(session, outbox.run_id, now=clock.now())
        with outbox.store.transaction() as session:
            status = record_attempt(
                session,
                message_id=message_id,
                now=clock.now(),
                error="could not connect to 127.0.0.1:1: Connection refused",
                retry_at=clock.now() + timedelta(seconds=1),
            )
        assert status is MessageStatus.HELD
        row = outbox.row(message_id)
        assert row.reason == NOT_SENT_CANCELLED
        assert [a.error for a in outbox.attempts(message_id)] == [
            "could not connect to 127.0.0.1:1: Connection refused"
        ]
        with outbox.store.transaction() as session:  # nothing left for a deliverer
            assert claim_due(session, now=clock.now() + timedelta(hours=1), lease=timedelta(minutes=5)) == []

    def test_cancelling_a_run_holds_its_pending_messages(self, outbox: Outbox) -> None:
        clock = SystemClock()
        ids = outbox.put(ALERT, ALERT, clock=clock)
        with outbox.store.transaction() as session:
            cancel_run(session, outbox.run_id, now=clock.now())
        rows = outbox.rows()
        assert [(rows[i].status, rows[i].reason) for i in ids] == [(MessageStatus.HELD, NOT_SENT_CANCELLED)] * 2

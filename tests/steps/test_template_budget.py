"""A template's work and time budget, and its cancel: a runaway loop stops with a readable error or a cancel."""

from __future__ import annotations

import time
from functools import partial
from itertools import pairwise
from typing import Any, cast

import polars as pl
import pytest
from jinja2 import StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from redflare.domain.errors import Cancelled, StepError
from redflare.steps import send_alert, templating
from redflare.steps.context import StepContext, TriggerInfo
from redflare.steps.templating import MAX_STEPS, POLL_S, render

FACTS: dict[str, Any] = {
    "workflow": {"id": "wf-1", "name": "Nightly QA"},
    "run": {"id": "run-7", "number": 7, "url": "http://127.0.0.1:8000/runs/run-7", "test": False},
    "steps": {},
    "input": {"count": 2, "columns": ["id"], "rows": [{"id": "c-1", "n": 3}, {"id": "c-2", "n": None}]},
}
# Each range passes the sandbox's per-range cap (100,000); together they would take hours.
RUNAWAY = "{% for i in range(100000) %}{% for j in range(100000) %}{{ '' }}{% endfor %}{% endfor %}"
UNLIMITED: dict[str, Any] = {"max_steps": 10**15, "time_limit_s": 3600.0}  # only a cancel can stop RUNAWAY under these


class TestWorkBudget:
    def test_nested_ranges_stop_with_a_readable_error(self) -> None:
        """The runaway template fails the field with one plain sentence, not hours of CPU."""
        with pytest.raises(StepError) as caught:
            render(RUNAWAY, FACTS, field="message", time_limit_s=3600.0)  # the work budget alone, on a busy machine
        expected = f"message: the template did more than {MAX_STEPS:,} steps of work; simplify its loops (line 1)"
        assert expected == str(caught.value)

    def test_loops_over_anything_count_not_only_ranges(self) -> None:
        """Nested loops over long strings are work too."""
        text = "{% for a in 'x' * 100000 %}{% for b in 'y' * 100000 %}{% endfor %}{% endfor %}"
        with pytest.raises(StepError, match=r"^subject: the template did more than 1,000 steps of work"):
            render(text, FACTS, field="subject", max_steps=1_000)

    def test_a_range_walked_by_a_filter_counts(self) -> None:
        """`range(…)|sum` in a loop does its items' work without a `for` of its own: it counts all the same."""
        text = "{% for i in range(1000) %}{{ range(100000)|sum }}{% endfor %}"
        with pytest.raises(StepError, match=r"more than 50,000 steps of work"):
            render(text, FACTS, field="message", max_steps=50_000)

    def test_the_budget_is_per_render(self) -> None:
        """Steps up to the budget are fine; the same template passes again on the next render."""
        text = "{% for i in range(100) %}.{% endfor %}"
        assert render(text, FACTS, max_steps=100) == "." * 100
        assert render(text, FACTS, max_steps=100) == "." * 100
        with pytest.raises(StepError, match=r"^template: the template did more than 100 steps"):
            render("{% for i in range(200) %}.{% endfor %}", FACTS, max_steps=100)

    @pytest.mark.parametrize("attribute", ["_budget", "_numbers"])
    def test_a_template_cannot_reach_its_budget(self, attribute: str) -> None:
        """The counter and the uncounted range behind `range()` are as unsafe as any underscored attribute."""
        with pytest.raises(StepError, match=rf"^message: access to attribute '{attribute}' .* is unsafe"):
            render(f"{{{{ range(3).{attribute} }}}}", FACTS, field="message")


class TestTimeBudget:
    def test_a_slow_template_stops_at_its_time_limit(self) -> None:
        """Past `time_limit_s` the render stops, saying how long it was allowed."""
        with pytest.raises(StepError) as caught:
            render(RUNAWAY, FACTS, field="message", max_steps=10**15, time_limit_s=0.3)
        assert (
            str(caught.value) == "message: the template took longer than 0.3 s to render; simplify its loops (line 1)"
        )


# Templates that use loops and ranges every way a message might; each renders as Jinja's own sandbox renders it.
ORDINARY = [
    "{% for i in range(3) %}{{ loop.index }}/{{ loop.length }}{{ '.' if loop.last }} {% endfor %}",
    "{{ range(3) }} {{ range(10)|last }} {{ range(10)[2:5]|list }} {{ range(10)[-1] }} {{ range(5)|length }}",
    "{{ range(5)|sum }} {{ 3 in range(5) }} {{ range(4)|reverse|list }} {{ range(1, 10, 3)|join(',') }}",
    "{{ range(3) is sequence }} {{ range(2, 9).stop }} {{ range(7)|batch(3)|list }} {{ range(3)|first }}",
    "{% for row in input.rows %}{{ loop.revindex }} {{ row.id }}{{ ',' if not loop.last }}{% endfor %}",
    "{% for row in input.rows if row.n %}{{ row.id }} of {{ loop.length }}{% else %}none{% endfor %}",
    "{% for x in [] %}{{ x }}{% else %}nothing{% endfor %}|"
    "{% for k, v in workflow.items() %}{{ k }}={{ v }};{% endfor %}",
    "{% for a in range(3) %}{% for b in 'xy' %}{{ loop.cycle('-', '+') }}{{ a }}{{ b }}{% endfor %}{% endfor %}",
    "{% macro row(r) %}[{% for c in r.id %}{{ c|upper }}{% endfor %}]{% endmacro %}"
    "{% for r in input.rows %}{{ row(r) }}{% endfor %}",
    "{% set ns = namespace(total=0) %}{% for i in range(101) %}{% set ns.total = ns.total + i %}{% endfor %}"
    "{{ ns.total }}",
]


class TestOrdinaryTemplates:
    @pytest.mark.parametrize("text", ORDINARY)
    def test_render_the_same_as_before(self, text: str) -> None:
        """Counting changes nothing a template writes."""
        plain = ImmutableSandboxedEnvironment(undefined=StrictUndefined, keep_trailing_newline=True)
        plain.finalize = lambda value: "" if value is None else value
        assert plain.from_string(text).render(**FACTS) == render(text, FACTS)

    def test_a_long_but_finite_alert_renders(self) -> None:
        """A thousand-by-a-thousand loop is well within the default budget."""
        text = "{% for i in range(1000) %}{% for j in range(1000) %}{% endfor %}{% endfor %}done"
        assert render(text, FACTS) == "done"


class TestShouldStop:
    def test_a_stop_raises_cancelled_promptly(self) -> None:
        """When the callback says stop, the render ends with Cancelled (not a StepError) at its next look."""
        asked: list[float] = []

        def stop() -> bool:
            asked.append(time.thread_time())
            return True

        started = time.thread_time()
        with pytest.raises(Cancelled):
            render(RUNAWAY, FACTS, field="message", should_stop=stop, **UNLIMITED)
        assert len(asked) == 1
        # CPU seconds, generous: the first look comes POLL_S after the start; the template alone would run for hours.
        assert time.thread_time() - started < 20 * POLL_S

    def test_the_callback_is_asked_at_most_every_poll_interval(self) -> None:
        """A callback that queries the store is not called once per loop step."""
        asked: list[float] = []

        def never() -> bool:
            asked.append(time.monotonic())
            return False

        with pytest.raises(StepError, match=r"took longer than 1 s"):
            render(RUNAWAY, FACTS, should_stop=never, max_steps=10**15, time_limit_s=1.0)
        assert 1 <= len(asked) <= round(1.0 / POLL_S) + 1
        gaps = [b - a for a, b in pairwise(asked)]
        assert all(gap >= POLL_S * 0.99 for gap in gaps)

    def test_a_template_without_loops_never_asks(self) -> None:
        """A plain message renders without a store query."""
        asked: list[bool] = []

        def stop() -> bool:
            asked.append(True)
            return True

        assert render("{{ workflow.name }} #{{ run.number }}", FACTS, should_stop=stop) == "Nightly QA #7"
        assert asked == []


class _Cancelled:
    def __init__(self) -> None:
        self.asked = 0

    @property
    def cancelled(self) -> bool:
        self.asked += 1
        return True


class _Facts:
    def facts(self) -> dict[str, Any]:
        return {key: value for key, value in FACTS.items() if key != "input"}


class TestSendAlertStops:
    def test_a_cancelled_run_stops_the_alert_rendering(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Send Alert hands its run's cancellation to the render: the step ends Cancelled, having asked once."""
        monkeypatch.setattr(send_alert, "render", partial(templating.render, **UNLIMITED))
        cancellation = _Cancelled()
        unused = cast(Any, None)  # ports this step never touches
        ctx = StepContext(
            run_id="run-7",
            workflow_id="wf-1",
            step_id="alert",
            clock=unused,
            trigger=TriggerInfo("manual"),
            conversations=unused,
            pipelines=unused,
            ledger=unused,
            guard=unused,
            executor=unused,
            cancellation=cancellation,
            facts=_Facts(),
            exports=unused,
        )
        config = send_alert.Config(subject="Alert", message=RUNAWAY, recipients=["ops@example.com"])
        with pytest.raises(Cancelled):
            send_alert.execute(ctx, config, pl.DataFrame({"id": ["c-1"]}))
        assert cancellation.asked == 1

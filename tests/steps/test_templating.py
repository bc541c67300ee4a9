"""Message templates: checked without facts at publish time, rendered in a sandbox, failing only as StepError."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from redflare.domain.errors import StepError
from redflare.steps.templating import (
    FACT_ATTRIBUTES,
    MAX_INPUT_ROWS,
    MAX_RENDERED,
    TRIGGER_ATTRIBUTES,
    TRIGGER_FACTS_BY_KIND,
    facts_help,
    input_facts,
    render,
    template_problems,
    template_variables,
    trigger_facts,
)

FACTS: dict[str, Any] = {
    "workflow": {"id": "wf-1", "name": "Nightly QA"},
    "run": {
        "id": "run-7",
        "number": 7,
        "url": "http://127.0.0.1:8000/workflows/wf-1/runs/run-7",
        "test": False,
        "started_at": "2026-04-01T09:00:00+00:00",
        "trigger": "manual",
        "credits": 12.0,
        "conversations_processed": 12,
    },
    "steps": {"pick": {"type": "select_conversations", "status": "completed", "rows_in": None, "rows_out": 12}},
    "input": {
        "count": 2,
        "columns": ["id", "agent", "score"],
        "rows": [{"id": "c-1", "agent": "Dana Ito", "score": 41.5}, {"id": "c-2", "agent": "Sam Lee", "score": None}],
    },
}


class TestRender:
    def test_facts_fill_the_template(self) -> None:
        """Workflow name, run number, link and a loop over the input rows come out as written."""
        text = (
            "{{ workflow.name }} #{{ run.number }} ({{ run.url }})\n"
            "{% for row in input.rows %}{{ row.id }} {{ row.agent }}: {{ row.score }}\n{% endfor %}"
            "{{ input.count }} of {{ steps.pick.rows_out }}"
        )
        assert render(text, FACTS) == (
            "Nightly QA #7 (http://127.0.0.1:8000/workflows/wf-1/runs/run-7)\n"
            "c-1 Dana Ito: 41.5\n"
            "c-2 Sam Lee: \n"  # a missing score shows nothing, not "None"
            "2 of 12"
        )

    def test_sandbox_refuses_reaching_for_python_internals(self) -> None:
        """`''.__class__.__mro__` is a StepError naming the field, not a way into the server."""
        with pytest.raises(StepError, match=r"^message: .*unsafe"):
            render("{{ ''.__class__.__mro__ }}", FACTS, field="message")

    def test_an_unknown_step_fails_at_run_time_naming_the_field(self) -> None:
        """Step ids cannot be checked ahead; one that is not in the run fails the step, saying which field."""
        with pytest.raises(StepError, match=r"^subject: .*'ghost'"):
            render("{{ steps.ghost.rows_out }}", FACTS, field="subject")

    def test_a_runtime_error_says_what_and_where(self) -> None:
        """A division by zero names the field, the error and its line."""
        with pytest.raises(StepError) as caught:
            render("Calls: {{ input.count }}\nAverage: {{ 100 / (input.count - 2) }}", FACTS, field="message")
        assert str(caught.value) == "message: division by zero (line 2)"

    def test_a_runaway_loop_is_cut_off(self) -> None:
        """A loop that would write megabytes stops with an error instead of building a giant email."""
        with pytest.raises(StepError, match=r"more than 100,000 characters"):
            render("{% for i in range(99999) %}{{ workflow.name }}{% endfor %}", FACTS, field="message")

    def test_repeating_a_string_cannot_allocate_gigabytes(self) -> None:
        """`'x' * 10**9` is refused before Python builds it."""
        with pytest.raises(StepError, match=r"^message: repeating makes more than"):
            render("{{ 'x' * 1000000000 }}", FACTS, field="message")

    def test_a_template_with_problems_is_refused_before_rendering(self) -> None:
        """A config that skipped the checks still cannot render a misspelt fact."""
        with pytest.raises(StepError, match=r"^subject: line 1: run has no 'numbr'"):
            render("{{ run.numbr }}", FACTS, field="subject")


class TestTemplateProblems:
    def test_a_good_template_has_none(self) -> None:
        """Facts, Jinja's globals, loop variables and any step id are all fine."""
        text = (
            "{% for i in range(3) %}{{ loop.index }}{% endfor %}"
            "{% for run in input.rows %}{{ run.agent }}{% endfor %}"  # `run` shadowed by the loop: its own
            "{{ steps.anything.rows_out }}{{ steps['x'].credits }}{{ run.get('credits') }}"
            "{% set total = input.count %}{{ total }}"
        )
        assert template_problems(text) == []

    def test_syntax_error_names_its_line(self) -> None:
        """A broken tag is reported with the line it is on."""
        assert template_problems("Hello\n{{ workflow.name }\n") == ["line 2: template syntax error: unexpected '}'"]

    def test_unknown_names_are_listed_with_their_lines(self) -> None:
        """Names that are not facts are each reported once, at their first use."""
        assert template_problems("{{ workflw.name }}\n{{ count }} {{ count }}") == [
            "line 1: unknown name 'workflw' (use input, run, steps, trigger, workflow)",
            "line 2: unknown name 'count' (use input, run, steps, trigger, workflow)",
        ]

    def test_nesting_too_deep_is_a_problem_not_a_crash(self) -> None:
        """Brackets a thousand deep exhaust Jinja's recursion: reported at check time, a StepError at run time."""
        text = "{{ " + "(" * 1000 + "1" + ")" * 1000 + " }}"
        assert template_problems(text) == ["the template is nested too deeply"]
        with pytest.raises(StepError, match=r"^message: the template is nested too deeply$"):
            render(text, FACTS, field="message")

    @pytest.mark.parametrize(
        ("text", "problem"),
        [
            ("{{ run.numbr }}", "line 1: run has no 'numbr'"),
            ("{{ workflow.title }}", "line 1: workflow has no 'title'"),
            ("\n{{ input['rowz'] }}", "line 2: input has no 'rowz'"),
            ("{{ steps.pick.rows }}", "line 1: a step has no 'rows'"),
            ("{{ run.number|nofilter }}", "line 1: No filter named 'nofilter'"),
            ("{% if run.test is nothing %}{% endif %}", "line 1: unknown test 'nothing'"),
        ],
    )
    def test_attributes_a_fact_does_not_have(self, text: str, problem: str) -> None:
        """A misspelt attribute of a fact is caught, whether written with a dot or brackets."""
        [found] = template_problems(text)
        assert found.startswith(problem)


# Pieces of templates, awkward on purpose: tags cut in half, dunders, loops, arithmetic, unknown names.
PIECES = [
    "{{", "}}", "{%", "%}", "{#", "#}", " ", "\n", "'", '"', "(", ")", "[", "]", ".", "|", "~", "+", "/", "*", "**",
    "0", "7", "workflow", "run", "input", "steps", "name", "number", "url", "rows", "count", "pick", "rows_out",
    "__class__", "__mro__", "__subclasses__", "upper", "length", "for", "in", "endfor", "if", "endif", "x",
    "range", "loop", "ghost", "-", "%", "is", "defined", "nothing", "|nofilter",
]  # fmt: skip
ATOMS = [
    "workflow.name", "run.number", "run.url", "input.count", "input.rows", "input.rows[0]", "input.rows[5]",
    "steps.pick", "steps.pick.rows_out", "steps.ghost", "run.numbr", "nope", "''", "'ab'", "0", "3", "None",
    "''.__class__", "run.__class__", "input.rows[0].agent", "input.count.__class__.__mro__",
]  # fmt: skip
OPERATORS = [" + ", " - ", " * ", " / ", " // ", " % ", " ** ", " ~ ", " == ", " and ", " or "]
FILTERS = ["", "|length", "|upper", "|string", "|int", "|first", "|join(', ')", "|round(1)", "|nofilter"]

expressions = st.recursive(
    st.sampled_from(ATOMS),
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(OPERATORS), inner).map(lambda t: f"({t[0]}{t[1]}{t[2]})"),
        st.tuples(inner, st.sampled_from(FILTERS)).map(lambda t: f"({t[0]}){t[1]}"),
        inner.map(lambda e: f"({e})[0]"),
    ),
    max_leaves=6,
)
statements = st.one_of(
    expressions.map(lambda e: f"{{{{ {e} }}}}"),
    expressions.map(lambda e: f"{{% if {e} %}}yes{{% else %}}no{{% endif %}}"),
    expressions.map(lambda e: f"{{% for r in {e} %}}{{{{ r }}}},{{% endfor %}}"),
    st.text(max_size=10),
)
templates = st.one_of(
    st.lists(statements, max_size=4).map("".join),
    st.lists(st.sampled_from(PIECES), max_size=25).map("".join),
)


# No deadline: each example compiles a template, which a loaded two-core machine can make slow now and then.
class TestProperties:
    @settings(deadline=None)
    @given(st.text(alphabet=st.characters(exclude_characters="{%#"), max_size=200))
    def test_text_without_tags_renders_to_itself(self, text: str) -> None:
        """Plain text is never mangled (line endings aside, which come out as \\n)."""
        assert render(text, FACTS) == text.replace("\r\n", "\n").replace("\r", "\n")

    @settings(max_examples=250, deadline=None)
    @given(templates)
    def test_render_fails_only_with_step_error(self, text: str) -> None:
        """Whatever a template does, the step sees either text within the size cap or a StepError."""
        try:
            rendered = render(text, FACTS, field="message")
        except StepError as exc:
            error = str(exc)
            rendered = ""
        else:
            error = "message: "
        assert error.startswith("message: ")
        assert len(rendered) <= MAX_RENDERED

    @settings(max_examples=250, deadline=None)
    @given(templates)
    def test_problems_found_at_check_time_never_render(self, text: str) -> None:
        """A template Final checks would flag can never send an email at run time."""
        if template_problems(text):
            with pytest.raises(StepError):
                render(text, FACTS, field="message")


class TestInputFacts:
    def test_shape_of_the_input_fact(self) -> None:
        """Count is the whole set; rows are its first 20 as plain values: ISO times, lists, no NaN."""
        started = datetime(2026, 3, 2, 9, 15, tzinfo=UTC)
        frame = pl.DataFrame(
            {
                "id": [f"c-{i}" for i in range(25)],
                "started_at": [started] * 25,
                "tags": [["vip", "refund"]] + [[]] * 24,
                "score": [math.nan] + [50.0] * 24,
            },
            schema={
                "id": pl.String,
                "started_at": pl.Datetime("us", "UTC"),
                "tags": pl.List(pl.String),
                "score": pl.Float64,
            },
        )
        facts = input_facts(frame)
        assert facts["count"] == 25
        assert facts["columns"] == ["id", "started_at", "tags", "score"]
        assert len(facts["rows"]) == MAX_INPUT_ROWS
        assert facts["rows"][0] == {
            "id": "c-0",
            "started_at": "2026-03-02T09:15:00+00:00",
            "tags": ["vip", "refund"],
            "score": None,
        }
        assert render("{{ input.rows[0].tags|join('/') }} {{ input.rows[1].score }}", {**FACTS, "input": facts}) == (
            "vip/refund 50.0"
        )


class TestTriggerFacts:
    def test_every_trigger_fact_is_there_and_a_sync_counts_its_conversations(self) -> None:
        """A template may name any trigger fact for any trigger: one this trigger lacks is empty, not an error."""
        sync = trigger_facts(
            "sync_completed", {"integration": "crm", "sync_id": "s1", "conversation_ids": ["a", "b"], "counts": {}}
        )
        schedule = trigger_facts("schedule", {"scheduled_for": "2026-03-02T09:00:00+00:00"})
        assert set(sync) == set(schedule) == set(TRIGGER_ATTRIBUTES)
        assert (sync["integration"], sync["conversations"], sync["error"]) == ("crm", 2, None)
        assert (schedule["scheduled_for"], schedule["integration"]) == ("2026-03-02T09:00:00+00:00", None)
        failed = trigger_facts("sync_failed", {"error": "a.jsonl:2: not valid JSON"})
        assert failed["errors"] == ["a.jsonl:2: not valid JSON"]
        text = "{{ trigger.type }}: {{ trigger.error }} {{ trigger.integration }}"
        assert template_problems(text) == []
        assert render(text, {**FACTS, "trigger": failed}, field="message") == "sync_failed: a.jsonl:2: not valid JSON "

    def test_a_misspelt_trigger_fact_is_a_publish_time_problem(self) -> None:
        assert template_problems("{{ trigger.eror }}") != []


def test_the_variables_say_which_triggers_fill_each_trigger_fact_and_each_is_a_fact() -> None:
    """Send Alert's variables say which kinds of trigger fill each trigger fact; every one listed renders as a fact,
    and the helper text says so in words, without template notation."""
    facts = {fact["name"]: fact for fact in template_variables()["facts"]}  # type: ignore[union-attr, index]
    assert facts["trigger.error"]["only"] == ["Integration Sync Failed"]
    assert facts["trigger.integration"]["only"] == [
        "Integration Sync Started",
        "Integration Sync Completed",
        "Integration Sync Failed",
    ]
    assert set(facts) == {f"{name}.{attr}" for name, attrs in FACT_ATTRIBUTES.items() for attr in attrs}
    for name in facts:
        assert template_problems(f"{{{{ {name} }}}}") == [], name
    for attrs in TRIGGER_FACTS_BY_KIND.values():
        assert set(attrs) <= set(TRIGGER_ATTRIBUTES)
    assert not re.search(r"[{}|]|<step id>", facts_help())

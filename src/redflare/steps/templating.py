"""Message templates: Jinja2 in a sandbox, checked at publish time, rendered with the run's facts.

Contract:
- A template may use only the facts below (plus Jinja's own globals such as `range` and `loop`):

      workflow.name, workflow.id
      run.number, run.url, run.id, run.test, run.started_at, run.trigger,
      run.credits, run.conversations_processed          (the run so far)
      steps.<step id>.rows_in | rows_out | credits | status | type
      input.count, input.columns, input.rows            (rows: the first `MAX_INPUT_ROWS`, as dicts)
      trigger.type, trigger.integration, trigger.sync_id, trigger.window, trigger.counts,
      trigger.conversations, trigger.error, trigger.errors, trigger.files, trigger.scheduled_for
                                                        (what fired the run; absent ones are empty)

- `template_problems(text)` finds, without facts, what would certainly go wrong: a syntax error, a
  name that is not a fact, an attribute `workflow`, `run` or `input` do not have. Publish-time Final
  checks call it, so a typo is an issue on the canvas, not a failed step at 2 a.m.
- `render(text, facts, field=…)` refuses a template with problems (the same rules at run time as at
  check time), renders it in an immutable sandbox with undefined values as errors, and raises
  `StepError` — and nothing else — naming the field when anything goes wrong: an unknown step id,
  an unsafe attribute (`''.__class__`), a division by zero, or an output past `MAX_RENDERED` chars.
- A render has a work and a time budget: every `for` iteration and every item a `range()` gives counts
  as a step, and past `max_steps` steps or `time_limit_s` seconds it stops with a `StepError` saying
  so (nested loops that each pass the sandbox's per-range cap cannot run for hours). Its optional
  `should_stop` is asked at most every `POLL_S` seconds while loops run; when it answers True the
  render stops with `Cancelled` (and that is the only other error it raises).
- Facts are JSON-like: times as ISO 8601 text, lists as lists, credits as floats (`plain`).
- `None` renders as an empty string (a conversation with no score shows nothing, not "None").
  Line endings come out as `\\n`; a trailing newline is kept.
"""

from __future__ import annotations

import copy
import math
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextvars import ContextVar
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from time import monotonic
from typing import Any

import polars as pl
from jinja2 import StrictUndefined, Template, TemplateError, TemplateSyntaxError, meta, nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.sandbox import ImmutableSandboxedEnvironment, safe_range
from pydantic.config import JsonDict, JsonValue

from redflare.domain.errors import Cancelled, StepError

FACT_NAMES = frozenset({"workflow", "run", "input", "steps", "trigger"})
# What fired the run (`trigger_facts`): every one is present, None when this trigger does not carry it.
TRIGGER_ATTRIBUTES = (
    "type",
    "integration",
    "sync_id",
    "window",
    "counts",
    "conversations",
    "error",
    "errors",
    "files",
    "scheduled_for",
)
# In the order the editor's helper text lists them.
FACT_ATTRIBUTES: Mapping[str, tuple[str, ...]] = {
    "workflow": ("name", "id"),
    "run": ("number", "url", "id", "test", "started_at", "trigger", "credits", "conversations_processed"),
    "input": ("count", "columns", "rows"),
    "trigger": TRIGGER_ATTRIBUTES,
}
STEP_ATTRIBUTES = ("rows_in", "rows_out", "credits", "status", "type")
# Facts are plain dicts, so their read-only mapping methods work in a template and are not typos.
MAPPING_METHODS = frozenset({"get", "items", "keys", "values"})

MAX_INPUT_ROWS = 20
MAX_RENDERED = 100_000
"""Most characters a template may render to: a runaway loop cannot build a giant email."""

MAX_STEPS = 2_000_000
"""Most loop iterations and `range()` items one render may go through (a long alert needs a few thousand)."""
TIME_LIMIT_S = 5.0
"""Longest one render may take, in seconds, by default."""
CHECK_EVERY = 16
"""Steps between looks at the clock: cheap per step, and prompt even when each step is slow."""
POLL_S = 0.2
"""At most this often a render asks `should_stop` (which may query the store)."""

TEMPLATE_FILENAME = "<template>"


class _OverBudget(Exception):
    """A render went past its work or time budget; the message says which, in the user's words."""


class _Budget:
    """One render's allowance: counts steps, watches the deadline and asks `should_stop` now and then."""

    __slots__ = ("deadline", "max_steps", "next_check", "next_poll", "should_stop", "steps", "time_limit_s")

    def __init__(self, max_steps: int, time_limit_s: float, should_stop: Callable[[], bool] | None) -> None:
        # A budget of CPU work: the monotonic clock, not the run's Clock (a frozen test clock must not lift it).
        now = monotonic()
        self.steps = 0
        self.max_steps = max_steps
        self.time_limit_s = time_limit_s
        self.deadline = now + time_limit_s
        self.should_stop = should_stop
        self.next_check = CHECK_EVERY
        self.next_poll = now + POLL_S

    def check(self) -> None:
        self.next_check = self.steps + CHECK_EVERY
        if self.steps > self.max_steps:
            raise _OverBudget(f"the template did more than {self.max_steps:,} steps of work; simplify its loops")
        now = monotonic()
        if now > self.deadline:
            raise _OverBudget(f"the template took longer than {self.time_limit_s:g} s to render; simplify its loops")
        if self.should_stop is not None and now >= self.next_poll:
            self.next_poll = now + POLL_S
            if self.should_stop():
                raise Cancelled("the run was cancelled")


# The budget of the render going on in this thread (generators run in their caller's context).
_BUDGET: ContextVar[_Budget | None] = ContextVar("redflare_template_budget", default=None)


def _counting(items: Iterable[Any], budget: _Budget) -> Iterator[Any]:
    for item in items:
        budget.steps += 1
        if budget.steps >= budget.next_check:  # inlined: this runs once per loop iteration of every template
            budget.check()
        yield item


class _Counted:
    """What a template's `for` walks: the items it was given, one budget step each (and their length, if any)."""

    __slots__ = ("_budget", "_items")

    def __init__(self, items: Iterable[Any], budget: _Budget) -> None:
        self._items = items
        self._budget = budget

    def __iter__(self) -> Iterator[Any]:
        return _counting(self._items, self._budget)

    def __len__(self) -> int:  # `loop.length` without listing the items first; a TypeError when they have none
        return len(self._items)  # type: ignore[arg-type]


class _CountedRange:
    """`range()` in a template: the sandbox's capped range whose items each cost a budget step when walked."""

    __slots__ = ("_budget", "_numbers")  # underscored: the sandbox keeps templates away from them

    def __init__(self, numbers: range, budget: _Budget) -> None:
        self._numbers = numbers
        self._budget = budget

    def __iter__(self) -> Iterator[int]:
        return _counting(self._numbers, self._budget)

    def __reversed__(self) -> Iterator[int]:
        return _counting(reversed(self._numbers), self._budget)

    def __len__(self) -> int:
        return len(self._numbers)

    def __getitem__(self, index: int | slice) -> Any:
        found = self._numbers[index]
        return _CountedRange(found, self._budget) if isinstance(found, range) else found

    def __contains__(self, value: object) -> bool:
        return value in self._numbers

    def __eq__(self, other: object) -> bool:
        return self._numbers == (other._numbers if isinstance(other, _CountedRange) else other)

    def __hash__(self) -> int:
        return hash(self._numbers)

    def __getattr__(self, name: str) -> Any:  # start, stop, step, count, index: the range's own
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._numbers, name)

    def __repr__(self) -> str:
        return repr(self._numbers)


def _range(*args: int) -> range | _CountedRange:
    numbers = safe_range(*args)  # the sandbox's cap on one range stays
    budget = _BUDGET.get()
    return numbers if budget is None else _CountedRange(numbers, budget)


class _CountingCodeGenerator(CodeGenerator):
    """Compiles every `{% for x in items %}` as a walk over `environment.count_loop(items)`."""

    def visit_For(self, node: nodes.For, frame: Frame) -> None:  # noqa: N802 (Jinja names visitors by node class)
        counted = copy.copy(node)  # the parsed tree is left as it was
        counted.iter = nodes.Call(
            nodes.EnvironmentAttribute("count_loop", lineno=node.lineno),
            [node.iter],
            [],
            None,
            None,
            lineno=node.lineno,
        )
        super().visit_For(counted, frame)


class _Sandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, with `*` and `**` watched so `'x' * 10**9` cannot eat the memory.

    Intercepted operators are also never constant-folded at compile time (Jinja checks this set).
    Loops and `range()` count against the budget of the render going on (none outside `render`).
    """

    intercepted_binops = frozenset({"*", "**"})
    code_generator_class = _CountingCodeGenerator

    def count_loop(self, items: Any) -> Any:
        """What a compiled `for` walks: `items`, each costing a step of the render's budget."""
        budget = _BUDGET.get()
        if budget is None or isinstance(items, _CountedRange):  # a range counts its own items
            return items
        return _Counted(items, budget)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int | float) and abs(right) > 64:
            raise OverflowError(f"exponent {right} is too large")
        if operator == "*":
            for sequence, count in ((left, right), (right, left)):
                repeated = isinstance(sequence, str | list | tuple) and isinstance(count, int)
                if repeated and len(sequence) * count > MAX_RENDERED:
                    raise OverflowError(f"repeating makes more than {MAX_RENDERED:,} items")
        return super().call_binop(context, operator, left, right)


def _finalize(value: Any) -> Any:
    return "" if value is None else value


_ENV = _Sandbox(
    undefined=StrictUndefined,
    autoescape=False,  # plain text; the HTML part escapes on its own (alert_html)
    keep_trailing_newline=True,
    finalize=_finalize,
)
_ENV.globals["range"] = _range


def trigger_facts(trigger_type: str, payload: Mapping[str, Any]) -> dict[str, Any]:
    """The `trigger` fact: what fired the run, each of `TRIGGER_ATTRIBUTES` (None when this trigger lacks it).

    A sync's `conversations` is how many it brought (not their ids: an email lists rows through `input`); a failed
    sync's `error` is its reason — for an import or a folder scan, naming the file and line — and `errors` every
    reason of the syncs a queued run stands for."""
    ids = payload.get("conversation_ids")
    error = payload.get("error")
    return {
        "type": trigger_type,
        "integration": payload.get("integration"),
        "sync_id": payload.get("sync_id"),
        "window": payload.get("window"),
        "counts": payload.get("counts"),
        "conversations": len(ids) if isinstance(ids, list) else None,
        "error": error,
        "errors": payload.get("errors") or ([error] if error else None),
        "files": payload.get("files") or None,
        "scheduled_for": payload.get("scheduled_for"),
    }


# Which trigger facts each kind of trigger fills (the others are empty for it): what the helper text says.
TRIGGER_FACTS_BY_KIND: Mapping[str, tuple[str, ...]] = {
    "On a Schedule": ("type", "scheduled_for"),
    "Integration Sync Started": ("type", "integration", "sync_id", "window"),
    "Integration Sync Completed": ("type", "integration", "sync_id", "window", "counts", "conversations"),
    "Integration Sync Failed": ("type", "integration", "sync_id", "window", "counts", "error", "errors", "files"),
}


def facts_help() -> str:
    """The helper text under a template field: plain words; the facts themselves are `template_variables()`."""
    return (
        "Use “Insert a variable” to put one where the cursor is; it is filled in when the alert is sent. "
        f"“Input rows” holds the first {MAX_INPUT_ROWS} rows. Trigger variables are filled only by the triggers "
        "that have them (a sync's window, a failed import's files …)."
    )


# What each fact is called in the editor's list of variables, in FACT_ATTRIBUTES' order.
FACT_LABELS: Mapping[str, str] = {
    "workflow.name": "Workflow name",
    "workflow.id": "Workflow id",
    "run.number": "Run number",
    "run.url": "Link to the run",
    "run.id": "Run id",
    "run.test": "Test run (true or false)",
    "run.started_at": "When the run started",
    "run.trigger": "What started the run",
    "run.credits": "Credits the run spent",
    "run.conversations_processed": "Conversations processed",
    "input.count": "Number of input rows",
    "input.columns": "Input columns",
    "input.rows": "Input rows",
    "trigger.type": "Trigger type",
    "trigger.integration": "Integration",
    "trigger.sync_id": "Sync id",
    "trigger.window": "Sync window",
    "trigger.counts": "Sync counts",
    "trigger.conversations": "Conversations in the sync",
    "trigger.error": "Sync error",
    "trigger.errors": "Sync errors",
    "trigger.files": "Failed files",
    "trigger.scheduled_for": "Scheduled time",
}
STEP_FACT_LABELS: Mapping[str, str] = {
    "rows_in": "rows in",
    "rows_out": "rows out",
    "credits": "credits",
    "status": "status",
    "type": "kind",
}
_GROUPS = {"workflow": "Workflow", "run": "Run", "input": "Input", "trigger": "Trigger"}


def template_variables() -> JsonDict:
    """The facts a template may use, for the editor's clickable list (JSON Schema extra `template_variables`).

    `facts`: each fact's `name` (what a click inserts, inside the template's braces), `label` and `group`, and for a
    trigger fact the kinds of trigger that fill it (`only`); `step_facts`: what each step of the workflow offers
    (the editor lists them per step id)."""
    fill = {
        attr: [kind for kind, attrs in TRIGGER_FACTS_BY_KIND.items() if attr in attrs] for attr in TRIGGER_ATTRIBUTES
    }
    facts: list[JsonValue] = []
    for name, attrs in FACT_ATTRIBUTES.items():
        for attr in attrs:
            fact: JsonDict = {"name": f"{name}.{attr}", "label": FACT_LABELS[f"{name}.{attr}"], "group": _GROUPS[name]}
            if name == "trigger":
                fact["only"] = list[JsonValue](fill[attr])
            facts.append(fact)
    steps: list[JsonValue] = [{"attribute": attr, "label": STEP_FACT_LABELS[attr]} for attr in STEP_ATTRIBUTES]
    return {"facts": facts, "step_facts": steps}


def step_references(text: str) -> list[tuple[str, int]]:
    """The step ids a template names as `steps.<id>` or `steps['<id>']`, with their lines (none if unparsable)."""
    try:
        tree = _ENV.parse(text)
    except (TemplateSyntaxError, RecursionError):
        return []
    own = {n.name for n in tree.find_all(nodes.Name) if n.ctx in ("store", "param")}
    found: list[tuple[str, int]] = []
    lookups: list[nodes.Getattr | nodes.Getitem] = [*tree.find_all(nodes.Getattr), *tree.find_all(nodes.Getitem)]
    for node in lookups:
        target = node.node
        step_id = _attribute_name(node)
        if isinstance(target, nodes.Name) and target.name == "steps" and "steps" not in own and step_id is not None:
            found.append((step_id, node.lineno))
    return sorted(set(found), key=lambda item: (item[1], item[0]))


def template_problems(text: str) -> list[str]:
    """What is certainly wrong with a template, each as a sentence; empty when it is fine. Never raises."""
    try:
        return _problems(text)
    except RecursionError:  # Jinja's parser and compiler recurse: `((((…))))` a few hundred deep is too much
        return ["the template is nested too deeply"]


def _problems(text: str) -> list[str]:
    try:
        tree = _ENV.parse(text)
    except TemplateSyntaxError as exc:
        return [f"line {exc.lineno}: template syntax error: {exc.message}"]
    try:
        # This compiles the template, which also finds unknown filters and folds constant expressions.
        undeclared = meta.find_undeclared_variables(tree)
    except TemplateSyntaxError as exc:  # TemplateAssertionError: an unknown filter
        return [f"line {exc.lineno}: {str(exc.message).rstrip('.')}"]
    except Exception as exc:  # a constant expression that cannot work, e.g. ''[0] ~ 'a'
        return [f"template error: {_reason(exc)}"]
    unknown = undeclared - FACT_NAMES
    first_use: dict[str, int] = {}
    for name_node in tree.find_all(nodes.Name):
        if name_node.name in unknown:
            first_use.setdefault(name_node.name, name_node.lineno)
    problems = [
        f"line {line}: unknown name {name!r} (use {', '.join(sorted(FACT_NAMES))})"
        for name, line in sorted(first_use.items(), key=lambda item: (item[1], item[0]))
    ]
    # A name the template assigns itself (`{% for run in … %}`) is no longer the fact: leave it be.
    own = {n.name for n in tree.find_all(nodes.Name) if n.ctx in ("store", "param")}
    lookups: list[nodes.Getattr | nodes.Getitem] = [*tree.find_all(nodes.Getattr), *tree.find_all(nodes.Getitem)]
    for node in sorted(lookups, key=lambda n: n.lineno):
        problem = _attribute_problem(node, own)
        if problem and problem not in problems:
            problems.append(problem)
    tests = tree.find_all(nodes.Test)
    problems.extend(f"line {t.lineno}: unknown test {t.name!r}" for t in tests if t.name not in _ENV.tests)
    return problems


def _attribute_problem(node: nodes.Getattr | nodes.Getitem, own: set[str]) -> str | None:
    attr = _attribute_name(node)
    if attr is None or attr in MAPPING_METHODS:
        return None
    target = node.node
    if isinstance(target, nodes.Name) and target.name in FACT_ATTRIBUTES and target.name not in own:
        allowed = FACT_ATTRIBUTES[target.name]
        if attr not in allowed:
            return f"line {node.lineno}: {target.name} has no {attr!r} (it has {', '.join(allowed)})"
    # steps.<any id>.<attribute>: step ids vary by workflow, their attributes do not.
    if (
        isinstance(target, nodes.Getattr | nodes.Getitem)
        and isinstance(target.node, nodes.Name)
        and target.node.name == "steps"
        and "steps" not in own
        and attr not in STEP_ATTRIBUTES
    ):
        return f"line {node.lineno}: a step has no {attr!r} (it has {', '.join(STEP_ATTRIBUTES)})"
    return None


def _attribute_name(node: nodes.Getattr | nodes.Getitem) -> str | None:
    if isinstance(node, nodes.Getattr):
        return node.attr
    if isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
        return node.arg.value
    return None


@lru_cache(maxsize=256)
def _compiled(text: str) -> Template:
    return _ENV.from_string(text)


def render(
    text: str,
    facts: Mapping[str, Any],
    *,
    field: str = "template",
    max_steps: int = MAX_STEPS,
    time_limit_s: float = TIME_LIMIT_S,
    should_stop: Callable[[], bool] | None = None,
) -> str:
    """The template rendered with the facts; raises StepError naming `field` on any failure, Cancelled on a stop."""
    problems = template_problems(text)
    if problems:
        raise StepError(f"{field}: {'; '.join(problems)}")
    token = _BUDGET.set(_Budget(max_steps, time_limit_s, should_stop))
    try:
        rendered: list[str] = []
        size = 0
        for chunk in _compiled(text).generate(**facts):
            size += len(chunk)
            if size > MAX_RENDERED:
                raise StepError(f"{field}: renders to more than {MAX_RENDERED:,} characters")
            rendered.append(chunk)
        return "".join(rendered)
    except (StepError, Cancelled):
        raise
    except Exception as exc:  # whatever a template does wrong is the step's error, named by field
        line = _template_line(exc)
        where = f" (line {line})" if line else ""
        raise StepError(f"{field}: {_reason(exc)}{where}") from exc
    finally:
        _BUDGET.reset(token)


def _reason(exc: Exception) -> str:
    text = str(exc).rstrip(".")
    # Jinja's own messages and arithmetic ones read well alone; others need their kind ("KeyError: 'x'").
    if text and isinstance(exc, TemplateError | ArithmeticError | _OverBudget):
        return text
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _template_line(exc: BaseException) -> int | None:
    """The template line a run-time error came from (Jinja rewrites its traceback to point there)."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == TEMPLATE_FILENAME]
    return frames[-1].lineno if frames else None


def input_facts(frame: pl.DataFrame) -> dict[str, Any]:
    """`input`: the set's row count, columns and first rows as JSON-friendly dicts."""
    return {
        "count": frame.height,
        "columns": list(frame.columns),
        "rows": [{k: plain(v) for k, v in row.items()} for row in frame.head(MAX_INPUT_ROWS).iter_rows(named=True)],
    }


def plain(value: Any) -> Any:
    """A frame value as JSON would carry it: ISO text for times, lists for lists, no NaN."""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    return value

"""Message templates: Jinja2 in a sandbox, checked at publish time, rendered with the run's facts.

Contract:
- A template may use only the facts below (plus Jinja's own globals such as `range` and `loop`):

      workflow.name, workflow.id
      run.number, run.url, run.id, run.test, run.started_at, run.trigger,
      run.credits, run.conversations_processed          (the run so far)
      steps.<step id>.rows_in | rows_out | credits | status | type
      input.count, input.columns, input.rows            (rows: the first `MAX_INPUT_ROWS`, as dicts)

- `template_problems(text)` finds, without facts, what would certainly go wrong: a syntax error, a
  name that is not a fact, an attribute `workflow`, `run` or `input` do not have. Publish-time Final
  checks call it, so a typo is an issue on the canvas, not a failed step at 2 a.m.
- `render(text, facts, field=…)` refuses a template with problems (the same rules at run time as at
  check time), renders it in an immutable sandbox with undefined values as errors, and raises
  `StepError` — and nothing else — naming the field when anything goes wrong: an unknown step id,
  an unsafe attribute (`''.__class__`), a division by zero, or an output past `MAX_RENDERED` chars.
- Facts are JSON-like: times as ISO 8601 text, lists as lists, credits as floats (`plain`).
- `None` renders as an empty string (a conversation with no score shows nothing, not "None").
  Line endings come out as `\\n`; a trailing newline is kept.
"""

from __future__ import annotations

import math
import traceback
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any

import polars as pl
from jinja2 import StrictUndefined, Template, TemplateError, TemplateSyntaxError, meta, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment

from redflare.domain.errors import StepError

FACT_NAMES = frozenset({"workflow", "run", "input", "steps"})
# In the order the editor's helper text lists them.
FACT_ATTRIBUTES: Mapping[str, tuple[str, ...]] = {
    "workflow": ("name", "id"),
    "run": ("number", "url", "id", "test", "started_at", "trigger", "credits", "conversations_processed"),
    "input": ("count", "columns", "rows"),
}
STEP_ATTRIBUTES = ("rows_in", "rows_out", "credits", "status", "type")
# Facts are plain dicts, so their read-only mapping methods work in a template and are not typos.
MAPPING_METHODS = frozenset({"get", "items", "keys", "values"})

MAX_INPUT_ROWS = 20
MAX_RENDERED = 100_000
"""Most characters a template may render to: a runaway loop cannot build a giant email."""

TEMPLATE_FILENAME = "<template>"


class _Sandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, with `*` and `**` watched so `'x' * 10**9` cannot eat the memory.

    Intercepted operators are also never constant-folded at compile time (Jinja checks this set).
    """

    intercepted_binops = frozenset({"*", "**"})

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


def facts_help() -> str:
    """The facts a template may use, as one line for the editor's helper text."""
    listed = [f"{name}.{attr}" for name, attrs in FACT_ATTRIBUTES.items() for attr in attrs]
    step = "|".join(STEP_ATTRIBUTES)
    return (
        f"Jinja2 template. Facts: {', '.join(listed)}, steps.<step id>.{step}. "
        f"input.rows holds the first {MAX_INPUT_ROWS} rows, e.g. "
        "{% for row in input.rows %}{{ row.agent }} {{ row.score }}{% endfor %}."
    )


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


def render(text: str, facts: Mapping[str, Any], *, field: str = "template") -> str:
    """The template rendered with the facts; raises StepError naming `field` on any failure."""
    problems = template_problems(text)
    if problems:
        raise StepError(f"{field}: {'; '.join(problems)}")
    try:
        rendered: list[str] = []
        size = 0
        for chunk in _compiled(text).generate(**facts):
            size += len(chunk)
            if size > MAX_RENDERED:
                raise StepError(f"{field}: renders to more than {MAX_RENDERED:,} characters")
            rendered.append(chunk)
        return "".join(rendered)
    except StepError:
        raise
    except Exception as exc:  # whatever a template does wrong is the step's error, named by field
        line = _template_line(exc)
        where = f" (line {line})" if line else ""
        raise StepError(f"{field}: {_reason(exc)}{where}") from exc


def _reason(exc: Exception) -> str:
    text = str(exc).rstrip(".")
    # Jinja's own messages and arithmetic ones read well alone; others need their kind ("KeyError: 'x'").
    if text and isinstance(exc, TemplateError | ArithmeticError):
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

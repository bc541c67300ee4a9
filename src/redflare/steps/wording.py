"""Words for the canvas's one-line step summaries: a condition as people read it, parts joined with " · ", counts
with their noun. Each step kind writes its own summary (`summarize` in `steps/<kind>.py`) from these pieces.

A summary is for a node on the canvas, so it is cut to `MAX_SUMMARY` characters (the full config is in the side
panel); it never raises on a valid config.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from redflare.domain.conditions import Group, Operator, Rule

MAX_SUMMARY = 120
SEPARATOR = " · "
MAX_LISTED = 3  # values of an in / not in rule shown before "…"

_OPERATOR_WORDS: dict[Operator, str] = {
    Operator.EQ: "is",
    Operator.NE: "is not",
    Operator.LT: "<",
    Operator.LE: "≤",
    Operator.GT: ">",
    Operator.GE: "≥",
    Operator.CONTAINS: "contains",
    Operator.DOES_NOT_CONTAIN: "does not contain",
    Operator.BEGINS_WITH: "begins with",
    Operator.ENDS_WITH: "ends with",
    Operator.IN: "is one of",
    Operator.NOT_IN: "is none of",
    Operator.BETWEEN: "is between",
    Operator.NOT_BETWEEN: "is not between",
    Operator.NULL: "is empty",
    Operator.NOT_NULL: "is not empty",
}
_SYMBOLS = frozenset({Operator.LT, Operator.LE, Operator.GT, Operator.GE})


def value_text(value: Any) -> str:
    """A rule's value as written: numbers without a trailing .0, booleans as yes / no, text as is."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def rule_text(rule: Rule) -> str:
    """`score < 70`, `sentiment_label is negative`, `agent is one of Dana, Lee`, `score is between 40 and 60`."""
    words = _OPERATOR_WORDS[rule.operator]
    if rule.operator in (Operator.NULL, Operator.NOT_NULL):
        return f"{rule.field} {words}"
    value = rule.value
    if rule.operator in (Operator.BETWEEN, Operator.NOT_BETWEEN) and isinstance(value, list) and len(value) == 2:
        return f"{rule.field} {words} {value_text(value[0])} and {value_text(value[1])}"
    if isinstance(value, list):
        shown = ", ".join(value_text(v) for v in value[:MAX_LISTED])
        more = ", …" if len(value) > MAX_LISTED else ""
        return f"{rule.field} {words} {shown}{more}"
    return f"{rule.field} {words} {value_text(value)}"


def condition_text(group: Group, *, nested: bool = False) -> str:
    """A condition tree in one line: `score < 70 or sentiment_label is negative`; nested groups in brackets."""
    parts = [condition_text(rule, nested=True) if isinstance(rule, Group) else rule_text(rule) for rule in group.rules]
    text = f" {group.combinator} ".join(part for part in parts if part)
    if not text:
        return ""
    if group.not_:
        return f"not ({text})"
    return f"({text})" if nested and len(parts) > 1 else text


def counted(count: int, noun: str) -> str:
    """`1 recipient`, `3 recipients`."""
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


def joined(parts: Iterable[str]) -> str:
    """The non-empty parts joined with " · ", cut to `MAX_SUMMARY` characters."""
    return clipped(SEPARATOR.join(part for part in parts if part.strip()))


def clipped(text: str) -> str:
    """One line of at most `MAX_SUMMARY` characters: line breaks become spaces, a longer text ends with "…"."""
    line = " ".join(text.split())
    return line if len(line) <= MAX_SUMMARY else line[: MAX_SUMMARY - 1].rstrip() + "…"

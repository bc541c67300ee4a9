"""Printing the engine benchmark: a table of rounds per section, the value comparisons, the figures and targets.

Contract: every function prints to stdout (flushed, so a run in the background shows its progress)
and returns nothing. `rounds_table` prints each paired round (its load average first) and then the
median of every column; `agreements` prints whether the round's outputs agreed by value;
`figures` prints figures beside their targets as met / not met — printed, never asserted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bench.outputs import Agreement
from bench.paired import MIN_ROUNDS, Rounds
from bench.results import Figure


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    digits: int = 2
    suffix: str = ""

    def cell(self, value: float) -> str:
        return f"{value:,.{self.digits}f}{self.suffix}"


def say(line: str = "") -> None:
    print(line, flush=True)


def section(title: str) -> None:
    say()
    say(f"== {title} ==")


def rounds_table(rounds: Rounds, columns: Sequence[Column]) -> None:
    widths = [max(len(c.header), 9) + 2 for c in columns]
    say("  round  load" + "".join(f"{c.header:>{w}}" for c, w in zip(columns, widths, strict=True)))
    for number, r in enumerate(rounds, start=1):
        cells = "".join(f"{c.cell(r.values[c.key]):>{w}}" for c, w in zip(columns, widths, strict=True))
        say(f"  {number:<5}{r.load:>6.2f}{cells}")
    medians = "".join(f"{c.cell(rounds.median(c.key)):>{w}}" for c, w in zip(columns, widths, strict=True))
    say(f"  {'median':<11}{medians}")
    if len(rounds) < MIN_ROUNDS:
        say(f"  (only {len(rounds)} round(s): fewer than {MIN_ROUNDS}, not a figure to quote)")


def agreements(found: Sequence[Agreement], what: str = "rounds") -> None:
    if not found:
        return
    bad = [a for a in found if not a.ok]
    if bad:
        say(f"  outputs: {len(bad)} of {len(found)} {what} DIFFERENT — these figures compare different work")
        for agreement in dict.fromkeys(str(a) for a in bad):
            say(f"    {agreement}")
    else:
        say(f"  outputs: {found[0]} ({len(found)} of {len(found)} {what})")


def figure_lines(found: Sequence[Figure]) -> None:
    for f in found:
        against = f"target {f.target.text}: {f.verdict}" if f.target else f"({f.verdict})"
        spread = f" (rounds {f.spread})" if f.spread else ""
        say(f"  → {f.name}: {f.shown}{spread}   {against}")


def summary(found: Sequence[Figure], compared: Sequence[Agreement]) -> None:
    section("Summary: medians of per-round figures, beside issue P7's targets (printed, never asserted)")
    width = max(len(f.name) for f in found) + 2
    say(f"  {'':<{width}}{'median':>16}   {'rounds: low … high':<24}target")
    for f in found:
        target = f.target.text if f.target else "—"
        say(f"  {f.name:<{width}}{f.shown:>16}   {f.spread or '—':<24}{target:<18}{f.verdict}")
    bad = sum(not a.ok for a in compared)
    outcome = "all agree" if not bad else f"{bad} DIFFERENT — see above"
    say(f"  outputs compared by value: {len(compared)} comparisons, {outcome}")

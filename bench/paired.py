"""Paired rounds: each round runs the baseline and then ours, back to back; figures are taken within the round.

Contract: `paired(count, one_round)` calls `one_round()` `count` times in turn and keeps what each
returned (named values, e.g. both sides' seconds and their ratio, and the value comparison of the
round's outputs) with the machine's 1-minute load average as the round began. A figure is the
median over rounds of a value taken within each round (`Rounds.median("wall ratio")`) — never a
ratio of two sides' separate bests, which on a shared machine can pair a lucky run with an unlucky
one. With fewer than `MIN_ROUNDS` rounds the median is printed but flagged as not a figure to quote.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from bench.cost import load_average
from bench.outputs import Agreement

MIN_ROUNDS = 3


@dataclass(frozen=True)
class Round:
    values: dict[str, float]
    load: float  # 1-minute load average as the round began
    agreement: Agreement | None = None  # the round's outputs, compared by value (None: nothing compared)


@dataclass
class Rounds:
    rounds: list[Round] = field(default_factory=list)

    def __iter__(self) -> Iterator[Round]:
        return iter(self.rounds)

    def __len__(self) -> int:
        return len(self.rounds)

    def median(self, key: str) -> float:
        return statistics.median(r.values[key] for r in self.rounds)

    @property
    def agreements(self) -> list[Agreement]:
        return [r.agreement for r in self.rounds if r.agreement is not None]


RoundResult = tuple[dict[str, float], Agreement | None]


def paired(count: int, one_round: Callable[[], RoundResult]) -> Rounds:
    """`count` rounds of `one_round` (which runs the baseline first, then ours), each with its load average."""
    rounds = Rounds()
    for _ in range(count):
        load = load_average()[0]
        values, agreement = one_round()
        rounds.rounds.append(Round(values=values, load=load, agreement=agreement))
    return rounds

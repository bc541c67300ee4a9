"""The analysis executor's batches over conversations held in memory (the benchmarks' conversations, never stored).

Its own module rather than a script's: a worker unpickles the loader by its module's name, and workers never import
the script that started them (`__main__`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from redflare.domain.conversation import Conversation
from redflare.steps.context import Batch


@dataclass(frozen=True)
class HeldConversations:
    """A `BatchLoader` over conversations held in memory: pickled to the worker with its batch."""

    by_id: dict[str, Conversation]

    def load(self, ids: Sequence[str]) -> list[Conversation]:
        return [self.by_id[identity] for identity in ids]


def batches(items: Sequence[Conversation], size: int) -> Iterator[Batch]:
    """The executor's batches of `size`, each carrying just its own conversations."""
    for start in range(0, len(items), size):
        chunk = items[start : start + size]
        yield Batch(ids=tuple(c.id for c in chunk), loader=HeldConversations({c.id: c for c in chunk}))

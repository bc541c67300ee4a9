"""Allocation: the pure arithmetic that hands n rows to groups — sizes, seeded orders, fair mixes.

Nothing here knows a step's config or touches storage: arguments are counts, shares, seeds and a
column of stratum values; results are sizes or polars Series of group indices. Group indices are
positions in the caller's group list; label Series are Int32, null meaning "no group", in
processing order (the caller maps them back to input order). Every function is deterministic: the
same arguments give the same result in every process (no hash randomisation, no thread timing).

Sizes:
- `largest_remainder(total, shares)`: the Hamilton rounding of total × share / sum(shares). Each
  group gets the floor of its exact quota, then the seats still free go to the largest fractional
  remainders, ties to the group listed first. Sizes always sum to `total` and each is within 1 of
  its quota. Shares are taken as the decimals written (`repr` of the float), and the rounding is
  exact (fractions, not floats).
- `counted_sizes(total, counts)`: in list order each group takes its count, or what is left when
  fewer rows remain; a group whose count is None takes every row the counted groups leave.
- `even_sizes(total, groups)`: a round-robin deal: sizes differ by at most 1, earlier groups
  getting the extra rows.

Orders and labels:
- `seeded_order(total, seed)`: a permutation of 0..total-1. It draws one 64-bit key per row from
  `random.Random(seed)` (8 bytes each, read little-endian on every platform) and orders rows by
  key, ties by row (`order_by_key`), so it depends on nothing but the seed and the count.
- `round_robin(total, groups)`: the i-th row goes to group i mod groups.
- `in_blocks(sizes, total, last=...)`: consecutive blocks in list order (the groups in `last`
  after the others), then nulls for rows no group takes.
- `balanced(strata, sizes)`: the first sum(sizes) rows go to groups of exactly these sizes, each
  group getting a fair mix of the strata; the rows after them get no group. Method, with A rows
  assigned, stratum s holding L_s of them and group g getting m_g:
  1. Each stratum's target for each group is its proportional share q = L_s × m_g / A, rounded to
     floor(q) or floor(q) + 1 so that the targets add up to L_s in every stratum and to m_g in
     every group (a controlled rounding; one exists since the exact shares have integer margins).
     Strata of equal size are alike, so the rounding is solved per size (a small transportation
     problem, greedily in the Gale–Ryser way: `controlled_extras`), then dealt out to that size's
     strata by McNaughton's wrap-around rule. The greedy keeps both margins and floor(q) or
     floor(q) + 1 everywhere, but where q is a whole number it may still give floor(q) + 1 (a
     strict controlled rounding would keep q there).
  2. Within a stratum (rows in the order given), each group's k-th seat sits at position
     (k + 0.5) / target, merged by position (ties to the group listed first), so a group gets rows
     from the whole stratum — after a Sort, the worst and the best of each agent alike.
  Guarantee: in every stratum, every group's count is floor(q) or floor(q) + 1, so it differs from
  its proportional share by at most 1 (less than 1 unless q is a whole number). Missing values
  form one stratum; strata are told apart by value, so list values cannot be strata.
"""

from __future__ import annotations

import math
import random
from collections.abc import Collection, Sequence
from fractions import Fraction

import numpy as np
import numpy.typing as npt
import polars as pl

_SEAT = "__allocation_seat"


def largest_remainder(total: int, shares: Sequence[float]) -> list[int]:
    """Hamilton apportionment of `total` seats by `shares` (ties to the earlier share); sums to `total`."""
    weights = [Fraction(repr(share)) for share in shares]  # the decimal as written, not its binary float
    whole = sum(weights)
    quotas = [total * weight / whole for weight in weights]
    sizes = [math.floor(quota) for quota in quotas]
    by_remainder = sorted(range(len(quotas)), key=lambda g: (sizes[g] - quotas[g], g))
    for g in by_remainder[: total - sum(sizes)]:
        sizes[g] += 1
    return sizes


def counted_sizes(total: int, counts: Sequence[int | None]) -> list[int]:
    """Sizes taking each count in order while rows last; a None count takes what the others leave."""
    sizes, left = [], total
    for count in counts:
        size = 0 if count is None else min(count, left)
        sizes.append(size)
        left -= size
    return [left if count is None else size for count, size in zip(counts, sizes, strict=True)]


def even_sizes(total: int, groups: int) -> list[int]:
    """Sizes of a round-robin deal of `total` rows to `groups` groups (earlier groups get the extras)."""
    return [total // groups + (1 if g < total % groups else 0) for g in range(groups)]


def seeded_order(total: int, seed: int) -> pl.Series:
    """A permutation of 0..total-1 that depends only on the seed and the count."""
    # "<u8": the bytes read as little-endian on every platform; numpy reads them in place (no copy).
    return order_by_key(np.frombuffer(random.Random(seed).randbytes(8 * total), dtype="<u8"))


def order_by_key(keys: npt.NDArray[np.unsignedinteger]) -> pl.Series:
    """The rows ordered by key, ties by row (a stable argsort), as row numbers."""
    # numpy's default argsort is several times faster than a stable one (or polars' sort with
    # maintain_order) on a million keys, but it is not stable. Random 64-bit keys all but never tie
    # (about n²/2⁶⁵ for n rows), and with distinct keys every sort gives the one same order; so
    # sort fast, look for a tie among neighbours, and only if there is one sort again stably.
    order = np.argsort(keys)
    ranked = keys[order]
    if np.any(ranked[1:] == ranked[:-1]):
        order = np.argsort(keys, kind="stable")
    return pl.Series("row", order)


def round_robin(total: int, groups: int) -> pl.Series:
    """Group indices dealt like cards: row i goes to group i mod `groups`."""
    return (pl.int_range(total, eager=True) % groups).cast(pl.Int32)


def in_blocks(sizes: Sequence[int], total: int, *, last: Collection[int] = ()) -> pl.Series:
    """Group indices in consecutive blocks of `sizes` (groups in `last` after the others), then nulls."""
    block_order = sorted(range(len(sizes)), key=lambda g: g in last)
    blocks = [pl.repeat(g, sizes[g], dtype=pl.Int32, eager=True) for g in block_order]
    blocks.append(pl.repeat(None, total - sum(sizes), dtype=pl.Int32, eager=True))
    return pl.concat(blocks)


def balanced(strata: pl.Series, sizes: Sequence[int]) -> pl.Series:
    """Group indices giving the first sum(sizes) rows each group a fair mix of strata; null after them."""
    assigned = sum(sizes)
    unassigned = pl.repeat(None, len(strata) - assigned, dtype=pl.Int32, eager=True)
    return pl.concat([_fair_mix(strata.head(assigned), sizes), unassigned])


def _fair_mix(strata: pl.Series, sizes: Sequence[int]) -> pl.Series:
    """Group indices for these rows (len == sum(sizes)) giving each group a fair mix of strata."""
    total = len(strata)
    if total == 0:
        return pl.Series(_SEAT, [], dtype=pl.Int32)
    rows = pl.DataFrame({"key": strata}).with_row_index("pos")
    rows = rows.with_columns(stratum=pl.col("pos").min().over("key"))  # strata by first appearance
    table = rows.group_by("stratum").agg(size=pl.len().cast(pl.Int64)).sort("stratum")
    table = table.with_columns(nth=pl.int_range(pl.len(), dtype=pl.Int64).over("size"))
    kinds = table.group_by("size").agg(many=pl.len().cast(pl.Int64)).sort("size")
    kind_sizes, kind_counts = kinds.get_column("size").to_list(), kinds.get_column("many").to_list()
    extras = controlled_extras(list(zip(kind_sizes, kind_counts, strict=True)), sizes, total)
    # Deal each size's extras to its strata by wrap-around: extras of group g take the cyclic run
    # of `extra` strata from `start`; a run never exceeds the number of strata, so no stratum
    # gets two extras from one group, and every stratum gets the same number.
    spread: dict[str, list[int]] = {"size": kind_sizes}
    for g in range(len(sizes)):
        starts = [sum(row[:g]) % many for row, many in zip(extras, kind_counts, strict=True)]
        spread[f"start{g}"], spread[f"extra{g}"] = starts, [row[g] for row in extras]
    table = table.join(pl.DataFrame(spread), on="size", how="left").join(kinds, on="size", how="left")
    targets = []
    for g, size in enumerate(sizes):
        offset = (pl.col("nth") - pl.col(f"start{g}") + pl.col("many")) % pl.col("many")
        extra = (offset < pl.col(f"extra{g}")).cast(pl.Int64)
        targets.append(
            table.select("stratum", group=pl.lit(g, dtype=pl.Int32), n=pl.col("size") * size // total + extra)
        )
    seats = (
        pl.concat(targets)
        .filter(pl.col("n") > 0)
        .with_columns(k=pl.int_ranges(0, pl.col("n")))
        .explode("k")
        .with_columns(at=(2 * pl.col("k") + 1) / (2 * pl.col("n")))
        .sort("stratum", "at", "group")
    )
    ordered = rows.sort("stratum", "pos").with_columns(seats.get_column("group").alias(_SEAT))
    return ordered.sort("pos").get_column(_SEAT)


def controlled_extras(kinds: Sequence[tuple[int, int]], sizes: Sequence[int], total: int) -> list[list[int]]:
    """For each stratum size (size, how many strata), how many of its strata give group g one extra row.

    Every stratum of size L gives group g floor(L·m_g/A) rows, plus one for `extras` of them.
    The exact extras M·frac(L·m_g/A) have integer row and column sums; this rounds each to its
    floor or floor + 1 keeping both, greedily: each size in turn hands its extras to the groups
    still owed the most (Gale–Ryser), which never gets stuck when a rounding exists. (floor + 1
    is not always the ceil: a whole exact extra, even 0, can still get one more.)
    """
    owed = list(sizes)
    floors: list[list[int]] = []
    fractions: list[list[int]] = []
    needs: list[int] = []
    for size, many in kinds:
        per_stratum = [size * m // total for m in sizes]
        exact = [many * (size * m % total) for m in sizes]  # × total, to stay in integers
        floors.append([e // total for e in exact])
        fractions.append([e % total for e in exact])
        needs.append(many * (size - sum(per_stratum)) - sum(floors[-1]))
        for g in range(len(sizes)):
            owed[g] -= many * per_stratum[g] + floors[-1][g]
    extras = [list(row) for row in floors]
    for row, need in enumerate(needs):
        # Equal debts are interchangeable for what follows, so prefer a cell whose share has a
        # fraction: an extra row there stays strictly within 1 of the share.
        chosen = sorted(range(len(sizes)), key=lambda g: (-owed[g], -fractions[row][g], g))[:need]
        for g in chosen:
            extras[row][g] += 1
            owed[g] -= 1
    if any(owed):
        raise AssertionError(f"balance rounding left debts {owed}")  # a bug, never a user error
    return extras

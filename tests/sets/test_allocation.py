"""Allocation arithmetic: Hamilton sizes, counted and even sizes, the seeded order, blocks and fair mixes."""

from __future__ import annotations

import itertools
import math
import random
from collections import Counter
from decimal import Decimal
from fractions import Fraction

import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from redflare.sets.allocation import (
    balanced,
    controlled_extras,
    counted_sizes,
    even_sizes,
    in_blocks,
    largest_remainder,
    order_by_key,
    round_robin,
    seeded_order,
)


def hamilton(total: int, shares: list[Decimal]) -> list[int]:
    """Reference largest-remainder rounding, in decimals, one free seat at a time."""
    whole = sum(shares)
    quotas = [Decimal(total) * share / whole for share in shares]
    seats = [int(quota) for quota in quotas]  # quotas are non-negative: int() is floor
    remainders = [quota - seat for quota, seat in zip(quotas, seats, strict=True)]
    while sum(seats) < total:
        best = max(range(len(shares)), key=lambda g: (remainders[g], -g))
        seats[best] += 1
        remainders[best] = Decimal(-1)
    return seats


def partitions() -> st.SearchStrategy[list[int]]:
    """One to six group sizes (zeros included) with a small total."""
    return st.lists(st.integers(0, 20), min_size=1, max_size=6)


class TestLargestRemainder:
    def test_ties_go_to_the_group_listed_first_even_where_floats_would_tip(self) -> None:
        """125 rows at 35.6/64.4: both quotas end in exactly .5, and the first group gets the seat."""
        assert 125 * 64.4 / 100 - math.floor(125 * 64.4 / 100) > 125 * 35.6 / 100 - math.floor(125 * 35.6 / 100)
        assert hamilton(125, [Decimal("35.6"), Decimal("64.4")]) == largest_remainder(125, [35.6, 64.4])

    @settings(max_examples=300, deadline=None)
    @given(
        total=st.integers(0, 5000),
        cuts=st.lists(st.integers(1, 999), max_size=7, unique=True),
    )
    def test_largest_remainder_is_hamilton(self, total: int, cuts: list[int]) -> None:
        """Sizes sum to n, each within 1 of its quota, and the free seats go to the largest remainders."""
        points = [0, *sorted(cuts), 1000]
        shares = [Decimal(b - a) / 10 for a, b in itertools.pairwise(points)]  # tenths, summing to 100
        result = largest_remainder(total, [float(share) for share in shares])
        quotas = [Decimal(total) * share / 100 for share in shares]
        assert sum(result) == total
        assert all(abs(size - quota) < 1 for size, quota in zip(result, quotas, strict=True))
        assert all(size in (math.floor(q), math.floor(q) + 1) for size, q in zip(result, quotas, strict=True))
        got_seat = [g for g, q in enumerate(quotas) if result[g] > q]
        no_seat = [g for g, q in enumerate(quotas) if result[g] <= q and q != int(q)]
        for winner in got_seat:  # every winner's remainder beats (or ties, listed earlier) every loser's
            for loser in no_seat:
                won, lost = quotas[winner] % 1, quotas[loser] % 1
                assert won > lost or (won == lost and winner < loser)
        assert result == hamilton(total, shares)


class TestCountedSizes:
    def test_ten_ten_and_the_rest(self) -> None:
        """25 rows for "10, 10, rest": 10, 10 and the 5 left over."""
        assert counted_sizes(25, [10, 10, None]) == [10, 10, 5]

    def test_the_rest_group_waits_for_the_counted_ones(self) -> None:
        """Listed first, the rest group still gets only what the counted groups leave."""
        assert counted_sizes(5, [None, 2]) == [3, 2]

    @settings(max_examples=200, deadline=None)
    @given(
        total=st.integers(0, 60),
        counts=st.lists(st.integers(0, 30), min_size=1, max_size=6),
        rest=st.none() | st.integers(0, 5),
    )
    def test_counts_fill_in_order_while_rows_last(self, total: int, counts: list[int], rest: int | None) -> None:
        """No group gets more than its count; once one is short, later ones get nothing; the rest takes what is left."""
        asked: list[int | None] = list(counts)
        if rest is not None and rest < len(asked):
            asked[rest] = None
        sizes = counted_sizes(total, asked)
        counted = [(size, count) for size, count in zip(sizes, asked, strict=True) if count is not None]
        assert all(0 <= size <= count for size, count in counted)
        short = [i for i, (size, count) in enumerate(counted) if size < count]
        if short:  # groups before the first short one got their full count (they are not short)
            assert all(size == 0 for size, _ in counted[short[0] + 1 :])
            assert sum(size for size, _ in counted) == total
        left = total - sum(size for size, _ in counted)
        assert left >= 0
        assert [size for size, count in zip(sizes, asked, strict=True) if count is None] == (
            [left] if None in asked else []
        )


class TestEvenSizes:
    @settings(max_examples=200, deadline=None)
    @given(total=st.integers(0, 500), groups=st.integers(1, 12))
    def test_a_fair_deal(self, total: int, groups: int) -> None:
        """Sizes add up to the rows, differ by at most one, and earlier groups get the extra rows."""
        sizes = even_sizes(total, groups)
        assert len(sizes) == groups
        assert sum(sizes) == total
        assert max(sizes) - min(sizes) <= 1
        assert sizes == sorted(sizes, reverse=True)


class TestSeededOrder:
    @settings(max_examples=50, deadline=None)
    @given(total=st.integers(0, 300), seed=st.integers(0, 2**63 - 1))
    def test_is_the_documented_permutation(self, total: int, seed: int) -> None:
        """Rows sorted by little-endian 64-bit keys from random.Random(seed), ties by row: stable forever."""
        stream = random.Random(seed).randbytes(8 * total)
        keys = [int.from_bytes(stream[8 * i : 8 * i + 8], "little") for i in range(total)]
        assert seeded_order(total, seed).to_list() == sorted(range(total), key=lambda i: (keys[i], i))

    def test_another_seed_another_order(self) -> None:
        """Two seeds shuffle 100 rows differently."""
        assert seeded_order(100, 1).to_list() != seeded_order(100, 2).to_list()

    @settings(max_examples=200, deadline=None)
    @given(keys=st.lists(st.integers(0, 4) | st.integers(0, 2**64 - 1), max_size=200))
    def test_tied_keys_go_by_row(self, keys: list[int]) -> None:
        """Keys from a few values tie often: every tie keeps row order, as the stable sort does."""
        order = order_by_key(np.array(keys, dtype=np.uint64))
        assert order.to_list() == sorted(range(len(keys)), key=lambda i: (keys[i], i))


class TestRoundRobin:
    def test_deals_like_cards(self) -> None:
        """Seven rows to three groups: 0, 1, 2, 0, 1, 2, 0."""
        labels = round_robin(7, 3)
        assert labels.dtype == pl.Int32
        assert labels.to_list() == [i % 3 for i in range(7)]


class TestInBlocks:
    @settings(max_examples=200, deadline=None)
    @given(sizes=partitions(), extra=st.integers(0, 10), data=st.data())
    def test_consecutive_blocks_then_nobody(self, sizes: list[int], extra: int, data: st.DataObject) -> None:
        """Each group's rows form one block of its size, in list order with `last` groups after, then nulls."""
        last = data.draw(st.sets(st.integers(0, len(sizes) - 1), max_size=1))
        total = sum(sizes) + extra
        labels = in_blocks(sizes, total, last=last)
        assert labels.dtype == pl.Int32
        order = [g for g in range(len(sizes)) if g not in last] + sorted(last)
        expected = [g for g in order for _ in range(sizes[g])] + [None] * extra
        assert labels.to_list() == expected


class TestBalanced:
    @settings(max_examples=200, deadline=None)
    @given(
        strata=st.lists(st.none() | st.sampled_from(["a", "b", "c", "d"]), max_size=120),
        data=st.data(),
    )
    def test_every_stratum_is_split_within_one_of_its_share(
        self, strata: list[str | None], data: st.DataObject
    ) -> None:
        """Groups get exactly their sizes, rows past them none, and per stratum each its share rounded down or up."""
        assigned = data.draw(st.integers(0, len(strata)))
        cuts = sorted(data.draw(st.lists(st.integers(0, assigned), max_size=5)))
        sizes = [b - a for a, b in itertools.pairwise([0, *cuts, assigned])]
        labels = balanced(pl.Series("agent", strata, dtype=pl.String), sizes).to_list()
        assert len(labels) == len(strata)
        assert labels[assigned:] == [None] * (len(strata) - assigned)
        head = list(zip(strata[:assigned], labels[:assigned], strict=True))
        assert Counter(group for _, group in head) == Counter({g: m for g, m in enumerate(sizes) if m})
        per_stratum = Counter(stratum for stratum, _ in head)
        for stratum, size in per_stratum.items():
            for g, m in enumerate(sizes):
                share = Fraction(size * m, assigned)
                got = sum(1 for s, group in head if s == stratum and group == g)
                assert math.floor(share) <= got <= math.floor(share) + 1, (stratum, g)

    def test_a_small_group_gets_rows_spread_over_the_stratum(self) -> None:
        """Two seats of ten in one stratum sit at 1/4 and 3/4 of it, one in each half."""
        labels = balanced(pl.Series(["x"] * 10), [8, 2]).to_list()
        assert sorted(i // 5 for i, group in enumerate(labels) if group == 1) == [0, 1]


class TestControlledExtras:
    @settings(max_examples=200, deadline=None)
    @given(strata=st.lists(st.integers(1, 12), min_size=1, max_size=12), data=st.data())
    def test_rounding_keeps_both_margins(self, strata: list[int], data: st.DataObject) -> None:
        """Per stratum size, each extra is the exact one's floor or floor + 1, and every row and group adds up."""
        total = sum(strata)
        cuts = sorted(data.draw(st.lists(st.integers(0, total), max_size=5)))
        sizes = [b - a for a, b in itertools.pairwise([0, *cuts, total])]
        kinds = sorted(Counter(strata).items())
        extras = controlled_extras(kinds, sizes, total)
        for (size, many), row in zip(kinds, extras, strict=True):
            exact = [Fraction(many * (size * m % total), total) for m in sizes]
            assert all(math.floor(e) <= x <= math.floor(e) + 1 for e, x in zip(exact, row, strict=True))
            assert all(x <= many for x in row)  # no stratum gets two extras from one group
            assert sum(row) == many * size - sum(many * (size * m // total) for m in sizes)
        for g, m in enumerate(sizes):
            assert (
                sum(many * (size * m // total) + row[g] for (size, many), row in zip(kinds, extras, strict=True)) == m
            )

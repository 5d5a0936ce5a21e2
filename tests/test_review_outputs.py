"""Reviews in what people read: the HTML report and the XLSX show which verdicts a person
reviewed, who, when and why, and mark a cell the tool has decided otherwise since apart.

On the sample programmes scanned with the counting embedder (``review_fixtures``).
"""

from __future__ import annotations

import json
from pathlib import Path

import lxml.html
from openpyxl import load_workbook

from programmacheck import load_results
from programmacheck.batch.coordinator import REVIEW_KEYS
from programmacheck.cli import EXIT_OK, main
from programmacheck.exports import write_xlsx
from programmacheck.html_report import group_file, write_html
from programmacheck.reviews import Review, export_reviews
from review_fixtures import DOCUMENT, out, review, rows, scanned  # noqa: F401

HOSTILE_NOTE = 'staat op p. 3 <script>alert(1)</script> & "meer"'


def reviewed_twice(out: Path, tmp_path: Path) -> tuple[str, str]:
    """Review two absent cells of DOCUMENT: one as it stands, and one whose reviewer saw the tool
    say 'addressed' (imported), so that the tool has changed its mind since.  Returns both items."""
    absent = [
        item for (document, item), row in rows(out).items() if document == DOCUMENT and row["verdict"] == "absent"
    ]
    standing, changed = absent[0], absent[1]
    assert review(out, standing, "partial", "--by", "<anna>", "--note", HOSTILE_NOTE) == EXIT_OK
    keys = json.loads((out / "run.json").read_text(encoding="utf-8"))[REVIEW_KEYS]
    seen_otherwise = Review(
        DOCUMENT,
        changed,
        "confirmed",
        "klopt",
        "bert",
        "2026-03-01T10:00:00+00:00",
        "addressed",
        keys["text_keys"][DOCUMENT],
        keys["definitions"][changed],
    )
    export_reviews([seen_otherwise], tmp_path / "bert.json")
    assert main(["review", str(out), "import", str(tmp_path / "bert.json")]) == EXIT_OK
    assert rows(out)[(DOCUMENT, changed)]["review_status"] == "changed since review"
    return standing, changed


def test_the_html_report_marks_reviewed_cells_and_changed_ones_apart_with_the_review_escaped(out: Path, tmp_path: Path):
    standing, changed = reviewed_twice(out, tmp_path)
    results = load_results(out)
    write_html(results, tmp_path / "report", lang="nl")
    page = (tmp_path / "report" / group_file("gr2026", "Lindewaard")).read_text(encoding="utf-8")
    assert "<script>alert(1)" not in page and "&lt;anna&gt;" in page  # the reviewer's text is escaped
    tree = lxml.html.fromstring(page)
    (heatmap,) = tree.xpath('//table[contains(@class, "heatmap")]')
    parties = [span.text_content() for span in heatmap.xpath('.//thead//th[contains(@class, "party")]/span')]
    column = parties.index(results.programmes.set_index("document").loc[DOCUMENT, "label"])

    def cell(item: str):
        return heatmap.xpath(f'.//tr[@id="item-{item}"]/td')[column]

    def mark(td) -> str:
        return td.xpath('./button/span[@class="review-mark"]')[0].text_content()

    shown = cell(standing)
    assert {"review-reviewed", "v-partial"} <= set(shown.get("class").split())
    title = shown.xpath("./button")[0].get("title")
    assert "<anna>" in title and HOSTILE_NOTE in title and "programmacheck: afwezig" in title
    assert mark(shown) == "✎"
    assert HOSTILE_NOTE in shown.xpath('.//p[contains(@class, "review")]')[0].text_content()
    flagged = cell(changed)
    assert {"review-changed-since-review", "v-addressed"} <= set(flagged.get("class").split())
    assert mark(flagged) == "⚠"
    assert "sinds de beoordeling veranderd" in flagged.xpath("./button")[0].get("title")
    marked = heatmap.xpath('.//td[contains(@class, "review-")]')
    assert len(marked) == 2  # no other cell claims a review
    assert "door een mens beoordeeld" in tree.xpath('//ul[contains(@class, "legend")]')[0].text_content()


def test_the_xlsx_has_the_review_columns_and_outlines_and_comments_the_reviewed_cells(out: Path, tmp_path: Path):
    standing, changed = reviewed_twice(out, tmp_path)
    (file,) = write_xlsx(load_results(out), tmp_path / "xlsx", lang="nl")
    book = load_workbook(file)
    verdicts = book["oordelen"]
    header = [c.value for c in verdicts[1]]
    for column in ("oordeel", "oordeel programmacheck", "beoordeeld door", "toelichting beoordeling", "beoordeling"):
        assert column in header
    by_cell = {
        (row[header.index("document")], row[header.index("punt")]): dict(zip(header, row))
        for row in verdicts.iter_rows(min_row=2, values_only=True)
    }
    standing_row = by_cell[(DOCUMENT, standing)]
    assert (standing_row["oordeel"], standing_row["oordeel programmacheck"]) == ("gedeeltelijk", "afwezig")
    assert (standing_row["beoordeeld door"], standing_row["toelichting beoordeling"]) == ("<anna>", HOSTILE_NOTE)
    assert by_cell[(DOCUMENT, changed)]["beoordeling"] == "changed since review"
    overview = book["overzicht"]
    columns = {c.value: c.column for c in overview[1]}
    row = next(r for r in range(2, overview.max_row + 1) if overview.cell(row=r, column=1).value == DOCUMENT)
    standing_cell = overview.cell(row=row, column=columns[standing])
    changed_cell = overview.cell(row=row, column=columns[changed])
    assert standing_cell.value == "gedeeltelijk" and standing_cell.border.left.style == "thick"
    assert "<anna>" in standing_cell.comment.text and HOSTILE_NOTE in standing_cell.comment.text
    assert changed_cell.border.left.style == "mediumDashed" and "bert" in changed_cell.comment.text
    commented = [c for r in overview.iter_rows(min_row=2) for c in r if c.comment is not None]
    assert len(commented) == 2


def test_an_unreviewed_folder_shows_no_review_marks(scanned: Path, tmp_path: Path):
    results = load_results(scanned)
    assert (results.verdicts["review_status"] == "").all()
    write_html(results, tmp_path / "report")
    page = (tmp_path / "report" / group_file("gr2026", "Lindewaard")).read_text(encoding="utf-8")
    assert "td.cell.review-reviewed" in page  # the style is there ...
    assert not lxml.html.fromstring(page).xpath('//td[contains(@class, "review-")]')

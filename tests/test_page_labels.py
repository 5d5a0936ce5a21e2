"""The printed page number beside the PDF page index: read from page margins or the PDF's labels."""

from __future__ import annotations

from pathlib import Path

from programmacheck.html_report import group_file, write_html
from programmacheck.page_labels import printed_labels
from programmacheck.results import load_results
from report_fixtures import HOSTILE, PRINTED_OFFSET, report_out  # noqa: F401


def programme_pdf(path: Path, pages: int, numbered_from: int | None, spread: bool = False) -> Path:
    """A PDF whose pages from ``numbered_from`` (1-based) carry a printed number 1, 2, ... in the footer."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("helvetica", size=11)
    pdf.set_auto_page_break(False)  # the footer sits below the break margin
    for index in range(1, pages + 1):
        pdf.add_page()
        pdf.multi_cell(0, 6, f"Hoofdstuk {index}. We bouwen 2026 woningen voor daklozen en starters.")
        if numbered_from is not None and index >= numbered_from:
            number = index - numbered_from + 1
            pdf.set_y(-15)
            pdf.cell(0, 8, f"{2 * number} {2 * number + 1}" if spread else str(number), align="C")
    pdf.output(str(path))
    return path


def test_numbers_in_the_footer_after_an_unnumbered_cover_and_contents_become_labels(tmp_path: Path) -> None:
    labels = printed_labels(programme_pdf(tmp_path / "p.pdf", 20, numbered_from=3))
    assert labels[3] == "1" and labels[15] == "13" and labels[20] == "18"
    assert 1 not in labels and 2 not in labels


def test_no_labels_where_printed_and_index_agree_or_no_offset_is_clear(tmp_path: Path) -> None:
    assert printed_labels(programme_pdf(tmp_path / "same.pdf", 12, numbered_from=1)) == {}
    assert printed_labels(programme_pdf(tmp_path / "none.pdf", 12, numbered_from=None)) == {}
    assert printed_labels(programme_pdf(tmp_path / "spread.pdf", 12, numbered_from=2, spread=True)) == {}
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7 not really")
    assert printed_labels(broken) == {}


def test_the_report_cites_the_printed_page_beside_the_pdf_page(report_out: Path, tmp_path: Path) -> None:
    results = load_results(report_out)
    labelled = results.evidence[(results.evidence["document"] == HOSTILE[0]) & (results.evidence["page_label"] != "")]
    quote = labelled.iloc[0]
    assert int(quote["page"]) - int(quote["page_label"]) == PRINTED_OFFSET
    write_html(results, tmp_path)
    page = (tmp_path / group_file("gr2026", "Lindewaard")).read_text()
    assert f"p. {quote['page']} (gedrukt {quote['page_label']})" in page


def test_the_pdfs_own_page_labels_win(tmp_path: Path) -> None:
    """Roman numerals for the front matter, then 1, 2, ...: as the PDF says, without reading margins."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("helvetica", size=11)
    for index in range(1, 7):
        style = {1: ("r", 1), 3: ("D", 1)}.get(index)
        pdf.add_page(**({"label_style": style[0], "label_start": style[1]} if style else {}))
        pdf.cell(0, 8, f"Pagina {index}")
    pdf.output(str(tmp_path / "labelled.pdf"))
    assert printed_labels(tmp_path / "labelled.pdf") == {1: "i", 2: "ii", 3: "1", 4: "2", 5: "3", 6: "4"}

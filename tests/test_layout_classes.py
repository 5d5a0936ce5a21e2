"""Layout classes that broke paragraphs of real programmes, each on a small generated PDF.

Every PDF here is typeset with fpdf2 the way a class of programmes is: line numbers in the
margin of a concept, bullets set larger than their text with a hanging indent, a bold lead
phrase run in with the text, an icon font drawing the bullets, a chapter title written last.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from fpdf import FPDF

from programmacheck.extract import extract_file
from programmacheck.records import Paragraph
from programmacheck.segment import paragraphs

Run = tuple[str, str, float, str]  # font family, style ("", "B"), size, text

BODY = 10.0
PITCH = 5.0  # mm between baselines
LEFT = 20.0  # mm
SENTENCE = (
    "De gemeente zorgt dat iedereen die dakloos raakt binnen een week",
    "een eigen plek krijgt, met begeleiding die past bij wat iemand nodig",
    "heeft, en zonder voorwaarden vooraf over schulden of verslaving.",
)


def _pdf() -> FPDF:
    pdf = FPDF()
    pdf.core_fonts_encoding = "windows-1252"
    return pdf


def _write(pdf: FPDF, x: float, y: float, runs: Sequence[Run]) -> None:
    """Runs of text one after the other on one baseline, each in its own font."""
    for family, style, size, text in runs:
        pdf.set_font(family, style, size=size)
        pdf.text(x, y, text)
        x += pdf.get_string_width(text + " ")


def _read(pdf: FPDF, path: Path) -> list[Paragraph]:
    pdf.output(str(path))
    return paragraphs(path.name, extract_file(path))


def _body(found: Sequence[Paragraph]) -> list[str]:
    return [p.text for p in found if p.kind != "heading"]


def test_margin_line_numbers_of_a_concept_are_dropped_and_its_pages_read(tmp_path: Path) -> None:
    pdf = _pdf()
    for _page in range(3):
        pdf.add_page()
        _write(pdf, LEFT, 25, [("helvetica", "B", 16, "Wonen voor iedereen")])
        for number in range(1, 31):
            y = 35 + PITCH * number
            _write(pdf, 190, y, [("helvetica", "", 7, str(number))])
            _write(pdf, LEFT, y, [("helvetica", "", BODY, SENTENCE[number % 3])])
    found = _read(pdf, tmp_path / "concept.pdf")
    body = [p for p in found if p.kind != "heading"]
    assert body and all(p.matchable for p in body)
    assert not [p.text for p in body if any(word.isdigit() for word in p.text.split())]


def test_a_bullet_set_larger_than_its_text_keeps_its_hanging_continuation_lines(tmp_path: Path) -> None:
    pdf = _pdf()
    pdf.add_page()
    y = 30.0
    for _ in range(3):
        _write(pdf, LEFT, y, [("helvetica", "", 16, "\u2022"), ("helvetica", "", BODY, SENTENCE[0])])
        for line in SENTENCE[1:]:
            y += PITCH
            _write(pdf, LEFT + 5, y, [("helvetica", "", BODY, line)])
        y += PITCH * 1.6
    found = _read(pdf, tmp_path / "bullets.pdf")
    assert [p.kind for p in found] == ["bullet"] * 3
    assert all(p.text == " ".join(SENTENCE) for p in found)


def test_a_run_in_bold_heading_stays_in_its_paragraph(tmp_path: Path) -> None:
    pdf = _pdf()
    pdf.add_page()
    _write(pdf, LEFT, 25, [("helvetica", "B", BODY, "Zorg en welzijn")])
    _write(pdf, LEFT, 32, [("helvetica", "B", BODY, "3. Een titel in vet."), ("helvetica", "", BODY, "De gemeente")])
    _write(pdf, LEFT, 37, [("helvetica", "", BODY, "investeert meer in opvang en begeleiding.")])
    # A bold sentence inside a paragraph: its second line is bold from start to end.
    _write(pdf, LEFT, 47, [("helvetica", "", BODY, "Wij willen dat"), ("helvetica", "B", BODY, "niemand op straat")])
    _write(pdf, LEFT, 52, [("helvetica", "B", BODY, "hoeft te slapen in de winter")])
    _write(pdf, LEFT, 57, [("helvetica", "", BODY, "en ook niet in de zomer.")])
    found = _read(pdf, tmp_path / "run-in.pdf")
    assert [p.text for p in found if p.kind == "heading"] == ["Zorg en welzijn"]
    assert _body(found) == [
        "3. Een titel in vet. De gemeente investeert meer in opvang en begeleiding.",
        "Wij willen dat niemand op straat hoeft te slapen in de winter en ook niet in de zomer.",
    ]


def test_bullets_drawn_with_an_icon_font_are_bullets_not_digits(tmp_path: Path) -> None:
    pdf = _pdf()
    pdf.add_page()
    y = 30.0
    for _item in range(3):
        # The Symbol font maps its glyph for "6" to the digit, as icon fonts do with their icons.
        _write(pdf, LEFT, y, [("symbol", "", BODY, "6"), ("helvetica", "", BODY, SENTENCE[0])])
        for line in SENTENCE[1:]:
            y += PITCH
            _write(pdf, LEFT + 5, y, [("helvetica", "", BODY, line)])
        y += PITCH * 1.6
    found = _read(pdf, tmp_path / "icons.pdf")
    assert [p.kind for p in found] == ["bullet"] * 3
    assert all(p.text == " ".join(SENTENCE) for p in found)


def test_a_chapter_title_written_last_still_opens_its_page(tmp_path: Path) -> None:
    pdf = _pdf()
    for chapter in ("1. Wonen", "2. Zorg"):
        pdf.add_page()
        for number in range(12):
            _write(pdf, LEFT, 50 + PITCH * number, [("helvetica", "", BODY, SENTENCE[number % 3])])
        _write(pdf, LEFT, 30, [("helvetica", "B", 20, chapter)])  # drawn after the text below it
    found = _read(pdf, tmp_path / "chapters.pdf")
    assert [(p.page, p.kind, p.section) for p in found] == [
        (1, "heading", "1. Wonen"),
        (1, "body", "1. Wonen"),
        (2, "heading", "2. Zorg"),
        (2, "body", "2. Zorg"),
    ]

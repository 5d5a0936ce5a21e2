"""Extraction: PDF backends on generated PDFs, bad input, plain text and Markdown."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
from fpdf import FPDF
from PIL import Image

from programmacheck.extract import PDF_BACKENDS, ExtractionError, NoTextLayer, extract_file, get_extractor
from programmacheck.extract.layout import is_toc_page
from programmacheck.records import Line
from programmacheck.segment import paragraphs

HEADER = "Testpartij Verkiezingsprogramma 2026"
HEADING = "Schulden en armoede"
LEFT = (
    "De gemeente helpt inwoners met schulden snel en",
    "zonder wachtlijst. Vroegsignalering en schuldhulp-",
    "verlening zijn de basis van ons beleid.",
    "",
    "• Wij versterken de samenwerking tussen zorg-",
    "en welzijnsinstellingen in de wijk.",
    "",
    "Daarom investeren wij op pagina {page} in",
)
RIGHT = (
    "goede opvang voor iedereen die dat nodig heeft.",
    "",
    "Wie op straat slaapt krijgt binnen een week een",
    "eigen plek, ook in Noord-Holland en daarbuiten.",
)
PITCH = 6.0  # mm between baselines; a blank entry above leaves a paragraph gap


def two_column_pdf(path: Path, pages: int = 3, interleaved: bool = False) -> Path:
    """A two-column programme with a running header, page numbers and hyphenated line ends.

    ``interleaved`` writes the columns line by line across the page (left, right, left, …), the
    content-stream order that makes a naive extractor mix the columns.
    """
    pdf = FPDF()
    pdf.core_fonts_encoding = "windows-1252"
    for page in range(1, pages + 1):
        pdf.add_page()
        pdf.set_font("helvetica", size=9)
        pdf.text(20, 12, HEADER)
        pdf.text(105, 287, str(page))
        pdf.set_font("helvetica", "B", size=16)
        pdf.text(20, 30, HEADING)
        pdf.set_font("helvetica", size=10)
        left = [(20.0, 45 + PITCH * i, text.format(page=page)) for i, text in enumerate(LEFT) if text]
        right = [(110.0, 45 + PITCH * i, text) for i, text in enumerate(RIGHT) if text]
        if interleaved:
            placed = sorted(left + right, key=lambda item: (item[1], item[0]))
        else:
            placed = left + right
        for x, y, text in placed:
            pdf.text(x, y, text)
    pdf.output(str(path))
    return path


@pytest.fixture(scope="module")
def programme_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return two_column_pdf(tmp_path_factory.mktemp("pdf") / "programme.pdf")


@pytest.fixture(scope="module")
def interleaved_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return two_column_pdf(tmp_path_factory.mktemp("pdf") / "interleaved.pdf", interleaved=True)


@pytest.mark.parametrize("backend", PDF_BACKENDS)
def test_two_column_programme_reads_as_a_reader_would(programme_pdf: Path, backend: str) -> None:
    found = paragraphs("programme", extract_file(programme_pdf, pdf_backend=backend))
    texts = [p.text for p in found]
    assert not [t for t in texts if HEADER in t], "running header survived"
    assert not [t for t in texts if re.fullmatch(r"\W*\d+\W*", t)], "page number survived"
    assert "Vroegsignalering en schuldhulpverlening zijn de basis van ons beleid." in texts[1]
    assert "Wij versterken de samenwerking tussen zorg- en welzijnsinstellingen in de wijk." in texts
    assert "Daarom investeren wij op pagina 1 in goede opvang voor iedereen die dat nodig heeft." in texts
    assert "Wie op straat slaapt krijgt binnen een week een eigen plek, ook in Noord-Holland en daarbuiten." in texts
    assert [(p.kind, p.section, p.page) for p in found[:3]] == [
        ("heading", HEADING, 1),
        ("body", HEADING, 1),
        ("bullet", HEADING, 1),
    ]
    assert len(found) == 3 * 5


@pytest.mark.parametrize("backend", PDF_BACKENDS)
def test_interleaved_columns_are_put_back_in_column_order(
    programme_pdf: Path, interleaved_pdf: Path, backend: str
) -> None:
    in_order = [p.text for p in paragraphs("x", extract_file(programme_pdf, pdf_backend=backend))]
    interleaved = [p.text for p in paragraphs("x", extract_file(interleaved_pdf, pdf_backend=backend))]
    assert interleaved == in_order


@pytest.mark.parametrize("backend", PDF_BACKENDS)
def test_lines_carry_geometry_and_font(programme_pdf: Path, backend: str) -> None:
    page = extract_file(programme_pdf, pdf_backend=backend).pages[0]
    heading, first = page.lines[0], page.lines[1]
    assert heading.text == HEADING and heading.bold and not first.bold
    assert heading.size == pytest.approx(16, abs=0.6) and first.size == pytest.approx(10, abs=0.6)
    assert first.x0 == pytest.approx(20 * 72 / 25.4, abs=2) and first.top is not None and first.top > heading.top  # type: ignore[operator]


CLOSE_SET = (
    "Wij willen dat iedereen in de stad een betaalbaar huis kan vinden",
    "en dat niemand op straat hoeft te slapen in de koude winter.",
)
MM_PER_POINT = 25.4 / 72


def _words_set_apart(path: Path, gap_em: float, size: float = 12) -> Path:
    """Each word drawn on its own, ``gap_em`` font sizes after the last, with no space character:
    how Word sets justified lines, closer than PDFium's threshold for inserting a space."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=size)
    for row, line in enumerate(CLOSE_SET):
        x = 20.0
        for word in line.split():
            pdf.text(x, 40 + 7 * row, word)
            x += pdf.get_string_width(word) + gap_em * size * MM_PER_POINT
    pdf.output(str(path))
    return path


def test_pdfium_reads_words_set_close_without_spaces_apart(tmp_path: Path) -> None:
    """PDFium glues such words ("Wijwillendat…"); the gaps between their boxes part them again."""
    from programmacheck.extract.pdfium_backend import PdfiumExtractor

    extracted = PdfiumExtractor().extract(_words_set_apart(tmp_path / "x.pdf", 0.1))
    assert tuple(line.text for line in extracted.pages[0].lines) == CLOSE_SET


def test_pdfium_keeps_letter_spaced_capitals_whole(tmp_path: Path) -> None:
    """Capitals set with wide letter spacing, each word drawn in two pieces (as kerning or a
    change of colour splits it): the gap between the pieces is as wide as every letter gap of
    the line, so no word gap, while the wider gaps between the words are."""
    from programmacheck.extract.pdfium_backend import PdfiumExtractor

    spacing = 1.5  # points between letters
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.set_char_spacing(spacing)
    line = "EEN STAD VOOR IEDEREEN DIE HIER WOONT"
    for row in range(4):
        x = 20.0
        for word in line.split():
            for piece in (word[: len(word) // 2], word[len(word) // 2 :]):
                pdf.text(x, 40 + 7 * row, piece)
                x += pdf.get_string_width(piece)  # includes the letter spacing after each letter
            x += 0.15 * 12 * MM_PER_POINT
    pdf.output(str(tmp_path / "x.pdf"))
    assert [line.text for line in PdfiumExtractor().extract(tmp_path / "x.pdf").pages[0].lines] == [line] * 4


# --- bad input ---------------------------------------------------------------------------------


def _blank_pdf(path: Path) -> Path:
    pdf = FPDF()
    pdf.add_page()
    pdf.output(str(path))
    return path


def _encrypted_pdf(path: Path) -> Path:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.text(20, 20, "Geheim programma met genoeg woorden om tekst te hebben op deze pagina.")
    pdf.set_encryption(owner_password="eigenaar", user_password="gebruiker")
    pdf.output(str(path))
    return path


def _image_only_pdf(path: Path) -> Path:
    picture = path.with_suffix(".png")
    Image.new("RGB", (200, 280), "white").save(picture)
    pdf = FPDF()
    pdf.add_page()
    pdf.image(str(picture), x=10, y=10, w=190)
    pdf.output(str(path))
    return path


def _garbage(path: Path) -> Path:
    path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 4)
    return path


@pytest.mark.parametrize("backend", PDF_BACKENDS)
@pytest.mark.parametrize(
    ("make", "problem"),
    [
        (_garbage, "not a readable PDF"),
        (_encrypted_pdf, "encrypted PDF"),
        (_blank_pdf, "empty PDF"),
        (_image_only_pdf, "no text layer (scanned?)"),
    ],
)
def test_bad_pdf_raises_one_line_naming_file_and_problem(tmp_path: Path, backend: str, make, problem: str) -> None:
    path = make(tmp_path / "bad.pdf")
    with pytest.raises(ExtractionError) as raised:
        extract_file(path, pdf_backend=backend)
    message = str(raised.value)
    assert message.startswith(str(path)) and problem in message and "\n" not in message


def test_missing_and_unsupported_files_raise(tmp_path: Path) -> None:
    with pytest.raises(ExtractionError, match="no such file"):
        extract_file(tmp_path / "absent.pdf")
    other = tmp_path / "programme.odt"
    other.write_bytes(b"PK")
    with pytest.raises(ExtractionError, match="unsupported file type"):
        extract_file(other)
    with pytest.raises(ExtractionError, match="unknown PDF extractor"):
        extract_file(_blank_pdf(tmp_path / "x.pdf"), pdf_backend="nope")


def test_scanned_programme_in_corpus_has_no_text_layer(corpus_dir: Path) -> None:
    """The backend itself reports the missing layer; ``extract_file`` then OCRs (tests/test_ocr.py)."""
    from programmacheck.extract.pdfium_backend import PdfiumExtractor

    path = corpus_dir / "edge" / "scanned-1948-no-text-layer.pdf"
    with pytest.raises(NoTextLayer, match=re.escape("no text layer (scanned?); OCR it first")):
        PdfiumExtractor().extract(path)


@pytest.mark.parametrize("backend", PDF_BACKENDS)
def test_an_image_only_pdf_is_told_by_its_error_type(tmp_path: Path, backend: str) -> None:
    """OCR recognises a scan by the type of the backend's error, not by its wording."""
    path = _image_only_pdf(tmp_path / "scan.pdf")
    with pytest.raises(NoTextLayer):
        get_extractor(path, backend).extract(path)
    with pytest.raises(ExtractionError) as raised:
        get_extractor(path, backend).extract(_blank_pdf(tmp_path / "blank.pdf"))
    assert not isinstance(raised.value, NoTextLayer)


def test_table_of_contents_is_recognised() -> None:
    toc = [Line("Inhoud"), *(Line(f"{n}. Hoofdstuk over thema {n} .......... {3 + 4 * n}") for n in range(1, 8))]
    prose = [
        Line("Wij willen dat iedereen in 2030 een huis heeft en mee kan doen."),
        *(Line(f"Zin nummer {n} over beleid.") for n in range(8)),
    ]
    assert is_toc_page(toc)
    assert not is_toc_page(prose)


# --- plain text and Markdown -------------------------------------------------------------------


def test_hard_wrapped_text_joins_lines_into_paragraphs(tmp_path: Path) -> None:
    path = tmp_path / "programma.txt"
    path.write_text(
        "Wij willen dat niemand op straat\nhoeft te slapen in onze gemeente.\n\n"
        "- Meer opvangplekken in de winter\n- Een huis voor iedereen\n\nTweede alinea\nover schulden.\n",
        encoding="utf-8",
    )
    document = extract_file(path)
    assert [page.number for page in document.pages] == [1]
    found = paragraphs("programma", document)
    assert [(p.kind, p.text) for p in found] == [
        ("body", "Wij willen dat niemand op straat hoeft te slapen in onze gemeente."),
        ("bullet", "Meer opvangplekken in de winter"),
        ("bullet", "Een huis voor iedereen"),
        ("body", "Tweede alinea over schulden."),
    ]


def test_saved_web_page_keeps_every_long_line_apart(tmp_path: Path) -> None:
    path = tmp_path / "web.txt"
    long_line = (
        "Wij zetten ons in voor een groen, veilig en sterk dorp waar iedereen mee kan doen en niemand achterblijft."
    )
    other_line = (
        "Daarom bouwen we de komende jaren meer betaalbare woningen voor starters, ouderen en gezinnen in het dorp."
    )
    path.write_text(f"Menu\nNieuws\nContact\nOnze plannen\n{long_line}\n{other_line}\n", encoding="utf-8")
    texts = [p.text for p in paragraphs("web", extract_file(path))]
    assert long_line in texts and other_line in texts  # each long line its own paragraph
    assert "Menu" not in texts and "Nieuws" not in texts  # the site menu is boilerplate


def test_markdown_headings_emphasis_links_and_bullets(tmp_path: Path) -> None:
    path = tmp_path / "zorg.md"
    path.write_text(
        '---\ntitle: "Zorg"\n---\nIntro met **nadruk** en een [link](https://example.org).\n\n'
        "# Zorg en welzijn\n## Dakloosheid\nWe bouwen *meer* woningen\nvoor dak- en thuislozen.\n\n"
        "* Housing First in elke wijk\n1. Eerste voorstel\n\n![foto](x.jpg)\n",
        encoding="utf-8",
    )
    document = extract_file(path)
    assert [line.heading_level for line in document.pages[0].lines][1:3] == [1, 2]
    found = paragraphs("zorg", document)
    assert [(p.kind, p.section, p.text) for p in found] == [
        ("body", "", "Intro met nadruk en een link."),
        ("heading", "Zorg en welzijn", "Zorg en welzijn"),
        ("heading", "Zorg en welzijn › Dakloosheid", "Dakloosheid"),
        ("body", "Zorg en welzijn › Dakloosheid", "We bouwen meer woningen voor dak- en thuislozen."),
        ("bullet", "Zorg en welzijn › Dakloosheid", "Housing First in elke wijk"),
        ("bullet", "Zorg en welzijn › Dakloosheid", "1. Eerste voorstel"),
    ]


def test_empty_text_file_raises(tmp_path: Path) -> None:
    path = tmp_path / "leeg.md"
    path.write_text("---\ntitle: x\n---\n\n   \n", encoding="utf-8")
    with pytest.raises(ExtractionError, match="empty file"):
        extract_file(path)


@pytest.mark.parametrize(
    ("angle", "kept"),
    [
        (0.0, True),
        (0.05, True),
        (math.tau - 0.05, True),
        (math.pi / 2, False),
        (math.tau - math.pi / 2, False),
        (-1.0, False),
    ],
)
def test_lines_count_as_upright_whichever_way_they_tilt(monkeypatch, angle: float, kept: bool) -> None:
    """PDFium gives angles from 0 to 2π (-1 on error): a line turned slightly clockwise is near 2π."""
    from programmacheck.extract import pdfium_backend

    monkeypatch.setattr(pdfium_backend.pdfium_c, "FPDFText_GetCharAngle", lambda page, index: angle)
    assert (pdfium_backend._tilt(None, 0) <= pdfium_backend._MAX_ANGLE) is kept

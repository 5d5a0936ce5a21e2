"""Segmentation: paragraphs from lines, hyphenation, sentence windows; real programmes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import extraction_benchmark
from programmacheck.extract import extract_file
from programmacheck.records import ExtractedDocument, Line, Page, Paragraph
from programmacheck.segment import join_hyphenated, paragraphs, passages, split_long, windows

BARE_NUMBER = re.compile(r"\W*\d+\W*")


def body(text: str, top: float, x0: float = 50, size: float = 10, bold: bool = False) -> Line:
    return Line(text=text, x0=x0, top=top, x1=x0 + 6 * len(text), bottom=top + size * 1.2, size=size, bold=bold)


def document(*pages: list[Line], skip: tuple[int, ...] = ()) -> ExtractedDocument:
    return ExtractedDocument(
        path="x.pdf",
        pages=tuple(
            Page(number=n, lines=tuple(lines), skip_matching=n in skip) for n, lines in enumerate(pages, start=1)
        ),
    )


# --- hyphenation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("left", "right", "joined"),
    [
        ("goede schuldhulp-", "verlening voor iedereen", "goede schuldhulpverlening voor iedereen"),
        ("de zorg-", "en welzijnsinstellingen", "de zorg- en welzijnsinstellingen"),
        ("in Noord-", "Holland en elders", "in Noord-Holland en elders"),
        ("een reduc-", "tiedoelstelling", "een reductiedoelstelling"),  # fragments: no word either side
        ("de ggz-", "instelling", "de ggz-instelling"),  # both halves words, joined form unknown
        ("bestaans\xad", "zekerheid", "bestaanszekerheid"),  # soft hyphen: always a break in a word
        ("in 2025-", "2026", "in 2025- 2026"),
    ],
)
def test_line_end_hyphen_joins_only_broken_words(left: str, right: str, joined: str) -> None:
    assert join_hyphenated(left, right, frozenset({"ggz", "instelling"})) == joined


def test_document_vocabulary_decides_unknown_compounds() -> None:
    assert join_hyphenated("de woon-", "zorgplek", frozenset({"woonzorgplek"})) == "de woonzorgplek"


# --- paragraphs --------------------------------------------------------------------------------


def test_lines_join_into_paragraphs_at_gaps_bullets_and_headings() -> None:
    lines = [
        body("Zorg en welzijn", 40, size=16, bold=True),
        body("Dakloosheid", 70, size=13, bold=True),
        body("Wij willen dat niemand op straat hoeft", 95),
        body("te slapen.", 107),
        body("Een tweede alinea na een witregel.", 135),
        body("• Meer opvang in de winter", 150),
        body("• Een huis voor iedereen die", 162),
        body("  dat nodig heeft.", 174, x0=58),
        body("1. Eerste voorstel.", 186),
        body("1.1. Deelvoorstel.", 198),
    ]
    # Ten more lines of body text fix the body size at 10.
    filler = [body(f"Gewone tekst regel {n} zonder einde", 300 + 12 * n) for n in range(10)]
    found = paragraphs("doc", document(lines + filler))
    assert [(p.kind, p.text) for p in found[:8]] == [
        ("heading", "Zorg en welzijn"),
        ("heading", "Dakloosheid"),
        ("body", "Wij willen dat niemand op straat hoeft te slapen."),
        ("body", "Een tweede alinea na een witregel."),
        ("bullet", "Meer opvang in de winter"),
        ("bullet", "Een huis voor iedereen die dat nodig heeft."),
        ("bullet", "1. Eerste voorstel."),
        ("bullet", "1.1. Deelvoorstel."),
    ]
    assert found[2].section == "Zorg en welzijn › Dakloosheid"
    assert [p.matchable for p in found[:3]] == [False, False, True]
    assert all(p.document == "doc" and p.page == 1 for p in found)


def test_paragraph_continues_across_a_page_break_only_mid_sentence() -> None:
    page_one = [body(f"Regel {n} van een lange alinea over", 100 + 12 * n) for n in range(5)]
    page_two = [body("schuldhulp aan iedereen.", 60), body("Nieuwe alinea bovenaan.", 90), body("Nog een zin.", 102)]
    found = paragraphs("doc", document(page_one, page_two))
    assert found[0].page == 1 and found[0].text.endswith("lange alinea over schuldhulp aan iedereen.")
    assert [p.page for p in found] == [1, 2]


def test_page_number_above_the_text_does_not_cut_a_paragraph_across_a_page_break() -> None:
    page_one = [body(f"Regel {n} van een lange alinea over de inno-", 100 + 12 * n) for n in range(5)]
    page_two = [
        body("7", 20, x0=400, size=40, bold=True),  # a page or chapter number drawn above the text
        body("vatie van de zorg in de wijk.", 70),
        body("Nieuwe alinea onderaan.", 100),
    ]
    found = paragraphs("doc", document(page_one, page_two))
    assert found[0].text.endswith("over de innovatie van de zorg in de wijk.")
    assert [p.text for p in found[1:]] == ["Nieuwe alinea onderaan."]


def test_sentence_running_from_a_cover_into_the_text_is_read_whole() -> None:
    cover = [body("Samen vooruit", 100, size=30, bold=True), body("Wij bouwen aan een stad waarin", 700)]
    text = [body("iedereen een thuis heeft.", 60), *(body(f"Gewone regel {n}.", 90 + 12 * n) for n in range(6))]
    found = paragraphs("doc", document(cover, text, skip=(1,)))
    assert [(p.text, p.matchable) for p in found[:2]] == [
        ("Samen vooruit", False),
        ("Wij bouwen aan een stad waarin iedereen een thuis heeft.", True),
    ]


def test_long_run_of_bold_lines_is_one_paragraph_also_across_columns() -> None:
    """A lead paragraph set in bold at body size, each line short enough to pass for a heading."""
    lead = [
        body("Met frisse moed pakken", 100, bold=True),
        body("we de opgaven van vandaag", 112, bold=True),
        body("aan. We kijken verder dan de", 124, bold=True),
        body("gemeentegrens en leren van", 136, bold=True),
        body("wat elders al goed werkt voor de inwoners.", 148, bold=True),
        body("Zo maken we de stad samen", 160, x0=65, bold=True),  # first-line indent: a new paragraph
        body("sterker, groener en eerlijker voor", 172, bold=True),
        body("iedereen die hier woont, werkt en", 184, bold=True),
        body("leeft, jong en oud, met of", 196, bold=True),
        body("zonder geld op de bank en", 100, x0=300, bold=True),  # the next column
        body("met hart voor elkaar.", 112, x0=300, bold=True),
    ]
    # Short bold headings over the text elsewhere make bold at body size a heading style here.
    sections = [
        line
        for n in range(20)
        for line in (body(f"Een kort kopje {n}", 250 + 40 * n, bold=True), body(f"Gewone tekst {n}.", 265 + 40 * n))
    ]
    found = paragraphs("doc", document(lead + sections))
    assert found[0].kind == "body"
    assert found[0].text.startswith("Met frisse moed") and found[0].text.endswith(
        "wat elders al goed werkt voor de inwoners."
    )
    assert found[1].text.startswith("Zo maken we de stad") and found[1].text.endswith(
        "de bank en met hart voor elkaar."
    )


def test_skipped_pages_and_bare_numbers() -> None:
    toc = [body("Inleiding 3", 100), body("Wonen 5", 112)]
    text = [
        body("Wij bouwen woningen.", 100),
        body("12", 140),
        *(body(f"Voor iedereen {n}", 170 + 12 * n) for n in range(6)),
    ]
    found = paragraphs("doc", document(toc, text, skip=(1,)))
    assert [(p.page, p.matchable) for p in found] == [(1, False), (2, True), (2, True)]
    assert not [p for p in found if BARE_NUMBER.fullmatch(p.text)]


# --- passages ----------------------------------------------------------------------------------


def test_windows_group_whole_sentences_up_to_the_limit() -> None:
    sentences = [f"Zin {n} heeft precies zes woorden." for n in range(10)]
    grouped = windows(sentences, limit=14)
    assert grouped[0] == "Zin 0 heeft precies zes woorden. Zin 1 heeft precies zes woorden."
    assert all(len(w.split()) <= 14 for w in grouped) and len(grouped) == 5


def test_long_sentence_is_cut_at_clauses_then_hard() -> None:
    clauses = ", ".join(f"clausule {n} met wat woorden erin" for n in range(30))
    pieces = split_long(clauses + ".", limit=60)
    assert len(pieces) > 1 and all(len(p.split()) <= 60 for p in pieces)
    assert " ".join(pieces) == clauses + "."
    assert all(len(p.split()) <= 60 for p in split_long(" ".join(["woord"] * 150)))


def test_passages_cover_matchable_paragraphs_only() -> None:
    long_text = " ".join(f"Dit is zin nummer {n} over opvang en wonen voor iedereen." for n in range(12))
    given = [
        Paragraph("d", 1, "", "Kop", kind="heading", matchable=False),
        Paragraph("d", 1, "Kop", long_text),
        Paragraph("d", 2, "Kop", "Korte alinea."),
        Paragraph("d", 1, "", "Inhoud 3", matchable=False),
    ]
    found = passages(given)
    assert {p.paragraph for p in found} == {1, 2}
    assert " ".join(p.text for p in found if p.paragraph == 1) == long_text
    assert all(len(p.text.split()) <= 40 for p in found)
    assert [p.text for p in found if p.paragraph == 2] == ["Korte alinea."]


# --- real programmes ---------------------------------------------------------------------------

# Running headers and footers read by eye in the PDFs (digits are page numbers).
RUNNING_TEXT = {
    "gr2026/amsterdam/pvdd.pdf": r"Verkiezingsprogramma Partij voor de Dieren Amsterdam",
    "tk2023/pvdd.pdf": r"Tweede Kamerverkiezingen 2023|\d+ Verkiezingsprogramma Partij voor de Dieren",
    "gr2026/amsterdam/d66.pdf": r"Verkiezingsprogramma 2026-2030 \d+",
    "tk2025/christenunie.pdf": r"IK STA OP VOOR HET GOEDE",
    "gr2026/amsterdam/vvd.pdf": r"^\d+\.$",
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(RUNNING_TEXT))
def test_no_running_header_footer_or_page_number_survives(corpus_dir: Path, name: str) -> None:
    found = paragraphs(name, extract_file(corpus_dir / name))
    assert len(found) > 100
    assert not [p.text for p in found if re.search(RUNNING_TEXT[name], p.text)]
    assert not [p.text for p in found if BARE_NUMBER.fullmatch(p.text)]


@pytest.mark.slow
def test_two_column_programme_keeps_sentences_whole(corpus_dir: Path) -> None:
    found = paragraphs("pvdd", extract_file(corpus_dir / "tk2023" / "pvdd.pdf"))
    texts = [p.text for p in found]
    # A sentence broken over two lines of the left column, with the right column beside it.
    assert any("krijgen we er een schoon, groen en diervriendelijk land voor terug." in t for t in texts)
    assert any("met bestaanszekerheid voor iedereen." in t for t in texts)


@pytest.mark.slow
def test_gold_quotes_stand_whole_in_one_paragraph(corpus_dir: Path, gold_dir: Path) -> None:
    benchmark = extraction_benchmark()
    found = total = 0
    for gold_file in sorted(gold_dir.glob("*.json")):
        name, quotes = benchmark.gold_quotes(gold_file)
        score = benchmark.score_quotes(quotes, paragraphs(name, extract_file(corpus_dir / name)))
        found, total = found + score.found, total + score.total
    assert total > 100
    assert found / total >= 0.95

"""Typeset the sample programme ``samen-lindewaard.pdf`` from its plain source text.

The sample corpus needs one PDF that looks like a real party programme, because real PDFs are
where extraction goes wrong: two text columns whose lines must not be interleaved, a running
header and a page-number footer that must not end up inside paragraphs, a cover page without
body text, headings in a larger font, bullet lists, and a word hyphenated at a line end next to a
real hyphen ("zorg- en welzijnsinstellingen") that must survive.  Writing the PDF from a script
keeps it reproducible and reviewable: the words live in ``corpus/samples/src/samen-lindewaard.src``
and only the layout lives here.

Usage::

    python scripts/make_sample_pdf.py            # rewrites the committed sample PDF
    python scripts/make_sample_pdf.py -o out.pdf # writes elsewhere (used by the tests)

The output is deterministic: the creation date is fixed and only the built-in Helvetica font is
used (no system font that differs between machines), so a rerun gives the same text on every
page.  Helvetica is encoded as windows-1252, which covers Dutch (é, ë, ï), the bullet, the
en dash and the euro sign.

Source markup, one block per line:

* ``# Title``   chapter heading; every chapter starts on a new page,
* ``## Title``  section heading,
* ``- text``    bullet point,
* ``% text``    comment, ignored,
* any other non-blank line is one paragraph;
* ``~`` inside a word marks where it may be hyphenated at a line end (a soft hyphen).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from fpdf import FPDF

REPO_ROOT = Path(__file__).resolve().parent.parent
SOURCE = REPO_ROOT / "corpus" / "samples" / "src" / "samen-lindewaard.src"
TARGET = REPO_ROOT / "corpus" / "samples" / "gr2026" / "lindewaard" / "samen-lindewaard.pdf"

PARTY = "Samen Lindewaard"
RUNNING_HEADER = f"{PARTY} · Verkiezingsprogramma 2026–2030"
COVER_LINES = (
    (28, "B", PARTY),
    (16, "", "Verkiezingsprogramma gemeenteraad 2026–2030"),
    (13, "I", "Een thuis, een buurt en een eerlijke kans voor iedereen"),
)
# Fixed so that reruns produce the same document (fpdf2 would otherwise stamp "now").
CREATION_DATE = datetime(2026, 1, 1, tzinfo=UTC)

SOFT_HYPHEN_MARK = "~"
SOFT_HYPHEN = "\u00ad"

MARGIN_MM = 20
GUTTER_MM = 9
BODY_FONT_PT = 10.5
LINE_HEIGHT = 1.35  # relative to the font size; airy enough to read, and it spreads the text over 6-9 pages
BRAND_RGB = (156, 28, 64)


@dataclass(frozen=True)
class Block:
    """One line of the source: a chapter or section heading, a paragraph or a bullet point."""

    kind: str  # "chapter" | "section" | "paragraph" | "bullet"
    text: str


def parse_source(source: str) -> list[Block]:
    """Turn the markup described in the module docstring into blocks, soft hyphens resolved."""
    blocks: list[Block] = []
    for raw in source.splitlines():
        line = raw.strip()
        if not line or line.startswith("%"):
            continue
        if line.startswith("## "):
            kind, text = "section", line[3:]
        elif line.startswith("# "):
            kind, text = "chapter", line[2:]
        elif line.startswith("- "):
            kind, text = "bullet", line[2:]
        else:
            kind, text = "paragraph", line
        blocks.append(Block(kind, text.strip().replace(SOFT_HYPHEN_MARK, SOFT_HYPHEN)))
    return blocks


def split_chapters(blocks: list[Block]) -> list[list[Block]]:
    """Group the blocks per chapter, so that each chapter can start on a fresh page."""
    chapters: list[list[Block]] = []
    for block in blocks:
        if block.kind == "chapter" or not chapters:
            chapters.append([])
        chapters[-1].append(block)
    return chapters


class ProgrammePdf(FPDF):
    """A4 document with the running header and page-number footer of a printed programme.

    The cover (page 1) carries neither, as in real programmes; every other page has both, which is
    exactly the repeated-line noise the segmenter must strip.
    """

    def header(self) -> None:
        if self.page_no() == 1:
            return
        self.set_font("Helvetica", "I", 8)
        self.set_text_color(110, 110, 110)
        self.cell(0, 5, RUNNING_HEADER, align="C")
        self.set_draw_color(*BRAND_RGB)
        self.line(MARGIN_MM, self.t_margin + 6, self.w - MARGIN_MM, self.t_margin + 6)
        self.set_y(self.t_margin + 11)
        self.set_text_color(0, 0, 0)

    def footer(self) -> None:
        if self.page_no() == 1:
            return
        self.set_y(-14)
        self.set_font("Helvetica", "", 8)
        self.set_text_color(110, 110, 110)
        self.cell(0, 5, str(self.page_no()), align="C")
        self.set_text_color(0, 0, 0)


def draw_cover(pdf: ProgrammePdf) -> None:
    """Page 1: a coloured band with the party name and title, no body text."""
    pdf.add_page()
    pdf.set_fill_color(*BRAND_RGB)
    pdf.rect(0, 70, pdf.w, 95, style="F")
    pdf.set_text_color(255, 255, 255)
    pdf.set_y(92)
    for size, style, text in COVER_LINES:
        pdf.set_font("Helvetica", style, size)
        pdf.cell(0, size * 0.6, text, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(5)
    pdf.set_text_color(0, 0, 0)
    pdf.set_y(250)
    pdf.set_font("Helvetica", "", 10)
    pdf.cell(0, 6, "Gemeenteraadsverkiezingen 18 maart 2026", align="C")


def write_chapter(pdf: ProgrammePdf, chapter: list[Block]) -> None:
    """One chapter on a new page: the title across the page, the body in two justified columns."""
    pdf.add_page()
    body = chapter
    if chapter[0].kind == "chapter":
        pdf.set_font("Helvetica", "B", 18)
        pdf.set_text_color(*BRAND_RGB)
        pdf.multi_cell(0, 9, chapter[0].text, new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
        pdf.ln(3)
        body = chapter[1:]
    columns = pdf.text_columns(ncols=2, gutter=GUTTER_MM, balance=True, text_align="J", line_height=LINE_HEIGHT)
    with columns:
        for block in body:
            if block.kind == "section":
                with columns.paragraph(text_align="L", top_margin=3, bottom_margin=1.5) as par:
                    pdf.set_font("Helvetica", "B", 12.5)
                    par.write(block.text)
            elif block.kind == "bullet":
                with columns.paragraph(indent=5, bullet_string="•", bullet_r_margin=2, bottom_margin=1.5) as par:
                    pdf.set_font("Helvetica", "", BODY_FONT_PT)
                    par.write(block.text)
            else:
                with columns.paragraph(bottom_margin=2.5) as par:
                    pdf.set_font("Helvetica", "", BODY_FONT_PT)
                    par.write(block.text)


def build_pdf(source: str) -> bytes:
    """The whole document as PDF bytes."""
    pdf = ProgrammePdf(format="A4")
    pdf.core_fonts_encoding = "windows-1252"
    pdf.set_creation_date(CREATION_DATE)
    pdf.set_title(f"{PARTY} - Verkiezingsprogramma 2026-2030")
    pdf.set_author(PARTY)
    pdf.set_lang("nl")
    pdf.set_margins(MARGIN_MM, 16, MARGIN_MM)
    pdf.set_auto_page_break(True, margin=20)
    draw_cover(pdf)
    for chapter in split_chapters(parse_source(source)):
        write_chapter(pdf, chapter)
    return bytes(pdf.output())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-s", "--source", type=Path, default=SOURCE, help="source text (default: %(default)s)")
    parser.add_argument("-o", "--output", type=Path, default=TARGET, help="PDF to write (default: %(default)s)")
    args = parser.parse_args(argv)
    data = build_pdf(args.source.read_text(encoding="utf-8"))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_bytes(data)
    print(f"wrote {args.output} ({len(data) // 1024} KB)")


if __name__ == "__main__":
    main()

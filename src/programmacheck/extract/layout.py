"""PDF layout logic shared by every PDF backend: from raw positioned lines to clean pages.

A backend only reads lines (text, box, font size, bold) in content-stream order.  Everything a
reader does without thinking happens here, once, so that backends stay interchangeable:

* running headers and footers and bare page numbers are dropped (lines in the top or bottom
  margin whose text, digits masked, repeats on many pages), and so are the line numbers of a
  concept programme;
* a page whose lines interleave two columns is put back in column order;
* cover and table-of-contents pages are marked ``skip_matching``;
* a document without usable text raises :class:`ExtractionError` (empty, or scanned).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from ..records import ExtractedDocument, Line, Page
from . import ExtractionError, NoTextLayer

# Line-final hyphen markers: pdfium writes \x02 or \ufffe where it joined a hyphenated word.
HYPHEN_MARKERS = "\x02\ufffe"
SOFT_HYPHEN = "\xad"
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_DIGITS = re.compile(r"\d+")
_WORD = re.compile(r"[^\W\d_]{2,}")
PAGE_NUMBER = re.compile(r"^\W*(?:pagina|page|p\.)?\s*\d{1,4}(?:\s*(?:/|van|of)\s*\d{1,4})?\W*$", re.IGNORECASE)
# A table-of-contents entry: text, optional dot leaders, a page number at the end.
_TOC_ENTRY = re.compile(r"\S.*?(?:\s|\.{2,}|…)\s*\d{1,3}$")
_TOC_TITLE = re.compile(r"^\s*(inhoud|inhoudsopgave|inhoudstafel)\b", re.IGNORECASE)

MARGIN = 0.09  # share of the page height that counts as top or bottom margin
#: A font name that says the font is heavier than regular.  Bold is a heading cue, so both PDF
#: backends must judge it alike.
BOLD_FONT_NAME = re.compile(r"bold|black|heavy|semibold|demi|extrab|ultrab", re.IGNORECASE)
#: Font sizes of empty space that separate two texts on one baseline (table cells, tab stops),
#: the same for every backend so that they cut lines alike.
BASELINE_GAP = 2.5
MIN_TEXT_WORDS = 10  # a page with fewer words has, for our purpose, no text layer
COVER_MAX_WORDS = 60
_LINE_NUMBER = re.compile(r"^\d{1,3}$")
MIN_LINE_NUMBERS = 8  # bare numbers in one column of a page before they count as line numbers
LINE_NUMBER_ORDER = 0.8  # share of them that must be one more than the number above
_COLUMN_SLACK = 2.0  # points by which the aligned edges of one column of numbers may differ


@dataclass(frozen=True)
class RawPage:
    """What a backend read from one page, before layout clean-up."""

    number: int
    lines: tuple[Line, ...]
    width: float
    height: float
    images: int = 0  # image objects on the page; only counted when it has little text


_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(text: str) -> str:
    """One line's text in NFC with plain spaces.

    Soft hyphens inside a line carry no meaning and go; a line-final one stays, because it says
    for certain that the word goes on on the next line.
    """
    if _SURROGATE.search(text):  # a broken text layer's lone UTF-16 halves: no output file can hold them
        text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    text = _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()
    final = text.endswith(SOFT_HYPHEN)
    return text.replace(SOFT_HYPHEN, "") + (SOFT_HYPHEN if final else "")


def word_count(lines: Sequence[Line]) -> int:
    return sum(len(_WORD.findall(line.text)) for line in lines)


def build_document(path: Path, raw_pages: Sequence[RawPage], damaged: Sequence[int] = ()) -> ExtractedDocument:
    """Clean raw pages into an :class:`ExtractedDocument`, or raise when there is nothing to read.

    ``damaged`` are the numbers of pages the PDF library could not load (left out of ``raw_pages``).
    """
    if damaged and not raw_pages:
        raise ExtractionError(f"{path}: damaged PDF (none of its {len(damaged)} pages can be read)")
    if not raw_pages:
        raise ExtractionError(f"{path}: empty PDF (0 pages)")
    text_pages = [page for page in raw_pages if word_count(page.lines) >= MIN_TEXT_WORDS]
    if not text_pages:
        if any(page.images for page in raw_pages):
            raise NoTextLayer(f"{path}: no text layer (scanned?); OCR it first")
        raise ExtractionError(f"{path}: empty PDF (no text on any of its {len(raw_pages)} pages)")
    warnings = []
    if damaged:
        pages_list = ", ".join(str(number) for number in damaged)
        warnings.append(
            f"{path}: page(s) {pages_list} of {len(raw_pages) + len(damaged)} are damaged and were not read"
        )
    scanned = [p.number for p in raw_pages if p.images and word_count(p.lines) < MIN_TEXT_WORDS]
    if len(scanned) > len(raw_pages) // 4:
        warnings.append(
            f"{path}: {len(scanned)} of {len(raw_pages)} pages are images without text (photos, or scans "
            "too few to OCR the file for) and were not read"
        )
    raw_pages = [replace(raw, lines=drop_line_numbers(raw.lines)) for raw in raw_pages]
    running = running_keys(raw_pages)
    pages = []
    for raw in raw_pages:
        lines = [line for line in raw.lines if not is_running(line, raw, running)]
        lines = order_columns(lift_top_lines(lines), raw.width)
        pages.append(Page(number=raw.number, lines=tuple(lines), width=raw.width, height=raw.height))
    return ExtractedDocument(path=str(path), pages=tuple(mark_skip_pages(pages)), warnings=tuple(warnings))


# --- running headers and footers ---------------------------------------------------------------


def _in_margin(line: Line, page: RawPage) -> bool:
    if line.top is None or line.bottom is None:
        return False
    return line.bottom <= page.height * MARGIN or line.top >= page.height * (1 - MARGIN)


def _running_key(line: Line) -> str:
    """Digits masked and case folded, so "12 Verkiezingsprogramma" repeats on every page."""
    return _DIGITS.sub("#", line.text.casefold()).strip()


def running_keys(pages: Sequence[RawPage]) -> frozenset[str]:
    """Margin texts that repeat on at least three pages (two in a document of under six).

    Chapter names used as running headers repeat only on that chapter's pages, hence the low
    floor; body text almost never sits in the margin, let alone repeats there verbatim.
    """
    counts: Counter[str] = Counter()
    for page in pages:
        counts.update({_running_key(line) for line in page.lines if _in_margin(line, page)})
    floor = 3 if len(pages) >= 6 else 2
    return frozenset(key for key, n in counts.items() if n >= floor)


def is_running(line: Line, page: RawPage, running: frozenset[str]) -> bool:
    """A header/footer line, or a bare page number in the margin."""
    if not _in_margin(line, page):
        return False
    return PAGE_NUMBER.match(line.text) is not None or _running_key(line) in running


# --- margin line numbers ----------------------------------------------------------------------


def drop_line_numbers(lines: Sequence[Line]) -> tuple[Line, ...]:
    """The page without the line numbers a concept programme prints in its margin.

    Drafts meant for amendments number every line (1–60 on each page).  Left in, a page of
    bare numbers looks like a table of contents and is skipped whole.  Line numbers are bare
    integers stacked in one column (a shared left or right edge), counting up by one from
    line to line; a numbered list is neither bare nor that dense.
    """
    numbers = [line for line in lines if _LINE_NUMBER.match(line.text) and line.x0 is not None]
    if len(numbers) < MIN_LINE_NUMBERS:
        return tuple(lines)
    dropped: set[int] = set()
    for edge in ("x0", "x1"):
        for line in numbers:
            column = [other for other in numbers if abs(getattr(other, edge) - getattr(line, edge)) <= _COLUMN_SLACK]
            if len(column) >= MIN_LINE_NUMBERS and _counts_up(column):
                dropped.update(id(other) for other in column)
    return tuple(line for line in lines if id(line) not in dropped)


def _counts_up(column: Sequence[Line]) -> bool:
    """Top to bottom, nearly every number is one more than the one above it."""
    values = [int(line.text) for line in sorted(column, key=lambda line: line.top or 0.0)]
    steps = sum(1 for a, b in zip(values, values[1:]) if b == a + 1)
    return steps >= LINE_NUMBER_ORDER * (len(values) - 1)


# --- reading order ----------------------------------------------------------------------------


def lift_top_lines(lines: list[Line]) -> list[Line]:
    """Lines drawn last but printed above everything else (a chapter title some layout programs
    write after the page's text) moved to the top, so the title opens the text it stands over."""
    first_top = lines[0].top if lines else None
    if first_top is None:
        return lines
    count = 0
    for line in reversed(lines[1:]):
        if line.bottom is None or line.bottom > first_top:
            break
        count += 1
    if not count or count == len(lines) - 1:
        return lines
    return lines[-count:] + lines[:-count]


# --- column order ------------------------------------------------------------------------------


def order_columns(lines: list[Line], width: float) -> list[Line]:
    """Lines in column order when the content stream interleaves two columns, else unchanged.

    Interleaving shows as a zig-zag: consecutive lines jump between the left and the right half
    of the page while moving down only a line at a time.  Then the page is re-read as: lines
    spanning the middle (titles) in place, left column, right column, top to bottom.
    """
    if len(lines) < 6 or any(line.x0 is None for line in lines):
        return lines
    middle = width / 2
    side = [_side(line, middle) for line in lines]
    jumps = sum(1 for a, b in zip(side, side[1:]) if a and b and a != b)
    halves = sum(1 for s in side if s)
    if halves < 6 or jumps < halves / 3:
        return lines
    return sorted(lines, key=lambda line: (_side(line, middle) or "L", line.top or 0.0))


def _side(line: Line, middle: float) -> str:
    """ "L" or "R" for a line inside one half of the page, "" for one that spans the middle."""
    assert line.x0 is not None and line.x1 is not None
    if line.x1 <= middle + 2:
        return "L"
    if line.x0 >= middle - 2:
        return "R"
    return ""


# --- cover and table of contents ---------------------------------------------------------------


def is_toc_page(lines: Sequence[Line]) -> bool:
    """Many lines that end in (or are) a page number, fewer under an "Inhoud" title."""
    texts = [line.text for line in lines if line.text.strip()]
    if len(texts) < 4:
        return False
    # An entry's page number may stand apart when the extractor cut the line at the wide gap.
    entries = sum(1 for text in texts if _TOC_ENTRY.match(text) or PAGE_NUMBER.match(text))
    titled = any(_TOC_TITLE.match(text) for text in texts[:5])
    return entries >= 4 and entries / len(texts) >= (0.3 if titled else 0.45)


def mark_skip_pages(pages: list[Page]) -> list[Page]:
    """Mark the cover (a first page with little text) and table-of-contents pages."""
    marked = []
    for index, page in enumerate(pages):
        cover = index == 0 and word_count(page.lines) < COVER_MAX_WORDS
        marked.append(replace(page, skip_matching=True) if cover or is_toc_page(page.lines) else page)
    return marked

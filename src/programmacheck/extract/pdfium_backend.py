"""PDF extraction with pypdfium2 (PDFium): ~40× faster than pdfplumber, content-stream order.

PDFium's text page gives the page text with its own line breaks, in content-stream order, which
is the reading order for nearly every programme (columns included).  Geometry and font are read
per *line*, not per character: the box of the line's first and last character and the font of
a few sampled characters.  A per-character loop through ctypes would cost ~5× the time.
"""

from __future__ import annotations

import ctypes
import math
import re
import statistics
from collections.abc import Iterator, Sequence
from itertools import pairwise
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from ..records import ExtractedDocument, Line
from . import ExtractionError
from .layout import (
    BASELINE_GAP,
    BOLD_FONT_NAME,
    HYPHEN_MARKERS,
    MIN_TEXT_WORDS,
    SOFT_HYPHEN,
    RawPage,
    build_document,
    clean_text,
    word_count,
)

# A line ends at PDFium's line break, or right after its joined-hyphen marker.
_LINE = re.compile(rf"[^\r\n]*?(?:[{HYPHEN_MARKERS}]|\r\n|\r|\n|$)")
_FONT_NAME_BUFFER = 128
_MAX_ANGLE = 0.1  # radians; rotated text (side tabs, stamps) is decoration, not prose
_MARKER_CHARS = 4  # a bullet, list number or icon before a line's first letter is at most this long
Box = tuple[float, float, float, float]  # (left, bottom, right, top) in page coordinates
_SYMBOLIC = 4  # the Symbolic flag of a PDF font descriptor (PDF 32000-1, table 123)
#: What an icon-font bullet becomes: a bullet the segmenter knows.
ICON_BULLET = "•"
#: Empty space between two characters, in heights of their loose boxes (about the font size) and
#: beyond the line's usual letter spacing, that parts two words.  PDFium writes no space where a
#: PDF sets words close (Word's justified lines, with word gaps of 0.07–0.2 em), while letters
#: stand at most ~0.015 em apart and kerned pairs ("lt") at up to 0.06 em.
_WORD_GAP = 0.07
#: Gap between two of PDFium's rectangles (runs of text) on a line, in rectangle heights, from
#: which the characters on either side are measured for a missing space.  Lower than
#: :data:`_WORD_GAP`: a rectangle is the glyphs' tight box, narrower than their loose boxes.
_RUN_GAP = 0.05
#: Characters next to which a gap is no word gap: a hyphen or slash joins what stands beside it.
_JOINING = frozenset("-‐‑‒–—/" + SOFT_HYPHEN + HYPHEN_MARKERS)


class PdfiumExtractor:
    """Reads a PDF's text layer with PDFium, line by line."""

    name = "pypdfium2"

    def extract(self, path: Path) -> ExtractedDocument:
        document = _open(path)
        pages, damaged = [], []
        try:
            for index in range(len(document)):
                try:  # one broken page-tree node must not lose the other pages
                    page = document[index]
                except pdfium.PdfiumError:
                    damaged.append(index + 1)
                    continue
                pages.append(_read_page(page, index + 1))
        finally:
            document.close()
        return build_document(path, pages, damaged)


def _open(path: Path) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(path)
    except pdfium.PdfiumError as error:
        if _needs_password(error):
            raise ExtractionError(
                f"{path}: encrypted PDF (password protected); save an unprotected copy first"
            ) from None
        raise ExtractionError(f"{path}: not a readable PDF ({error})") from None


def _needs_password(error: pdfium.PdfiumError) -> bool:
    """Whether PDFium refused a document for want of its password.

    pypdfium2 5 gives PDFium's error code (``err_code``).  pypdfium2 4, which pyproject.toml still
    allows, has no code and only says so in its message ("Incorrect password error"), so without a
    code the message is read.
    """
    code = getattr(error, "err_code", None)
    if code is not None:
        return bool(code == pdfium_c.FPDF_ERR_PASSWORD)
    return "password" in str(error).lower()


def _read_page(page: pdfium.PdfPage, number: int) -> RawPage:
    left, _bottom, right, top = page.get_bbox()
    textpage = page.get_textpage()
    try:
        lines = list(_lines(textpage, left, top))
    finally:
        textpage.close()
    images = _count_images(page) if word_count(lines) < MIN_TEXT_WORDS else 0
    page.close()
    return RawPage(number=number, lines=tuple(lines), width=right - left, height=top - _bottom, images=images)


def _lines(textpage: pdfium.PdfTextPage, left: float, top: float) -> Iterator[Line]:
    """One :class:`Line` per PDFium line, hyphen markers turned back into a line-final "-"."""
    text = textpage.get_text_range()
    if len(text) != textpage.count_chars():  # surrogate pairs shift indices; rare, map slowly
        text = "".join(chr(pdfium_c.FPDFText_GetUnicode(textpage.raw, i)) for i in range(textpage.count_chars()))
    for match in _LINE.finditer(text):
        body = match.group().rstrip("\r\n")
        hyphenated = bool(body) and body[-1] in HYPHEN_MARKERS
        first = match.start() + len(body) - len(body.lstrip())
        last = match.start() + len(body.rstrip()) - 1 - int(hyphenated)
        if last < first:
            continue
        runs = _runs(textpage.raw, first, last)
        pieces = _split_at_gaps(textpage.raw, text, first, last, runs)
        spaced = _missing_spaces(textpage.raw, text, first, last, runs)
        for number, (start, end) in enumerate(pieces):
            content = clean_text(_with_spaces(text, start, end, spaced))
            if content and _icon_bullet(textpage.raw, text, start, end):
                content = ICON_BULLET + content[1:]
            if content:
                final = hyphenated and number == len(pieces) - 1
                line = _measure(textpage.raw, content + ("-" if final else ""), text, start, end, left, top)
                if line is not None:
                    yield line


def _icon_bullet(raw_page: pdfium_c.FPDF_TEXTPAGE, text: str, start: int, end: int) -> bool:
    """A line that opens with one glyph of an icon font (a bullet drawn as, say, the "6" of
    open-iconic) before text in a text font.

    The glyph's Unicode is whatever the icon font's designer mapped it to, usually a digit or a
    letter, so it reads as part of the text ("6 Meer blauw op straat").  The PDF font flags say
    which fonts are symbolic, but many producers flag every subset font symbolic, so the icon's
    font must also be of another family than the text's (not a bold numeral before regular text).
    """
    if end - start < 2 or text[start].isspace() or not text[start + 1].isspace():
        return False
    glyph_flags, glyph_font = _font_info(raw_page, start)
    if not glyph_flags & _SYMBOLIC:
        return False
    return _family(glyph_font) != _family(_font_info(raw_page, _first_letter(text, start + 1, end))[1])


def _family(font: str) -> str:
    """ "ABCDEF+Barlow-Bold" → "barlow": the subset prefix and the style dropped."""
    return re.split(r"[-,_ ]", font.rsplit("+", 1)[-1], maxsplit=1)[0].casefold()


def _first_letter(text: str, start: int, end: int) -> int:
    """The first letter near the start of a line (past a bullet, a number or an icon), else ``start``.

    A line's font is read there: markers are often set larger or in another font than the text.
    """
    for index in range(start, min(end, start + _MARKER_CHARS) + 1):
        if text[index].isalpha():
            return index
    return start


def _split_at_gaps(
    raw_page: pdfium_c.FPDF_TEXTPAGE, text: str, first: int, last: int, runs: Sequence[Box]
) -> list[tuple[int, int]]:
    """Character ranges of a PDFium line, cut where a wide horizontal gap shows two texts.

    PDFium joins texts that share a baseline (a margin label and a column line, two columns of a
    spread) into one line.  Its rectangles for the line (``runs``) show whether there is such a
    gap; only then are the characters measured one by one, so the common case stays cheap.
    """
    size = _font_size(raw_page, first) or 10.0
    if not any(b[0] - a[2] > size * BASELINE_GAP for a, b in pairwise(runs)):
        return [(first, last)]
    pieces = []
    start = previous = first
    previous_right = _loose_box(raw_page, first)[2]
    for index in range(first + 1, last + 1):
        if text[index].isspace():
            continue
        left, _, right, _ = _loose_box(raw_page, index)
        if left - previous_right > size * BASELINE_GAP:
            pieces.append((start, previous))
            start = index
        previous, previous_right = index, right
    pieces.append((start, last))
    return pieces


def _missing_spaces(
    raw_page: pdfium_c.FPDF_TEXTPAGE, text: str, first: int, last: int, runs: Sequence[Box]
) -> frozenset[int]:
    """Indices of the line's characters that begin a word PDFium glued to the one before.

    Where a PDF sets words closer than PDFium's own threshold for a space, the words come out as
    one ("dezeregels").  Such a word is placed apart from the one before, so it begins one of
    PDFium's rectangles (``runs``), with empty space before it; only the characters at those
    gaps are looked up and measured.  A gap counts if it exceeds the line's usual letter spacing
    by :data:`_WORD_GAP`, so that letter-spaced capitals stay one word.  A line set glyph by glyph
    (a rectangle per character) is left as PDFium read it: there the rectangles tell no words
    apart, and measuring all of them would cost a call per character.
    """
    if len(runs) * 2 > last - first + 1:
        return frozenset()
    candidates = []
    low = first + 1
    for a, b in pairwise(runs):
        if b[0] - a[2] < _RUN_GAP * max(a[3] - a[1], b[3] - b[1]):
            continue
        index = _char_right_of(raw_page, (a[2] + b[0]) / 2, low, last)
        low = index
        if not ({text[index - 1], text[index]} & _JOINING or text[index - 1].isspace() or text[index].isspace()):
            gap = _gap(raw_page, index)
            if gap >= _WORD_GAP:
                candidates.append((index, gap))
    if not candidates:
        return frozenset()
    spacing = max(0.0, statistics.median(_gaps(raw_page, text, first, last).values()))
    return frozenset(index for index, gap in candidates if gap - spacing >= _WORD_GAP)


def _char_right_of(raw_page: pdfium_c.FPDF_TEXTPAGE, x: float, low: int, high: int) -> int:
    """The first index in ``low`` … ``high`` whose character's middle lies right of ``x``: a
    binary search, as a line's characters run from left to right."""
    while low < high:
        middle = (low + high) // 2
        left, _, right, _ = _loose_box(raw_page, middle)
        if (left + right) / 2 <= x:
            low = middle + 1
        else:
            high = middle
    return low


def _gaps(raw_page: pdfium_c.FPDF_TEXTPAGE, text: str, first: int, last: int) -> dict[int, float]:
    """The gap before each character of the line that follows another non-space character."""
    return {
        index: _gap(raw_page, index)
        for index in range(first + 1, last + 1)
        if not (text[index].isspace() or text[index - 1].isspace())
    }


def _gap(raw_page: pdfium_c.FPDF_TEXTPAGE, index: int) -> float:
    """Empty space between a character's loose box and the one before it, in heights of the
    taller box (about the font size; an accent set as a glyph of its own has a short box)."""
    left, bottom, _, top = _loose_box(raw_page, index)
    _, bottom_before, right_before, top_before = _loose_box(raw_page, index - 1)
    return (left - right_before) / (max(top - bottom, top_before - bottom_before) or 1.0)


def _with_spaces(text: str, start: int, end: int, spaced: frozenset[int]) -> str:
    """``text[start:end + 1]`` with a space before each index in ``spaced``."""
    if not spaced:
        return text[start : end + 1]
    cuts = [start, *sorted(index for index in spaced if start < index <= end), end + 1]
    return " ".join(text[a:b] for a, b in pairwise(cuts))


def _tilt(raw_page: pdfium_c.FPDF_TEXTPAGE, index: int) -> float:
    """How far a character is turned from upright, either way: PDFium counts angles from 0 to
    2π, so text turned slightly clockwise (an OCR layer following a skewed scan) is near 2π."""
    angle = pdfium_c.FPDFText_GetCharAngle(raw_page, index) % math.tau
    return min(angle, math.tau - angle)


def _runs(raw_page: pdfium_c.FPDF_TEXTPAGE, first: int, last: int) -> list[Box]:
    """PDFium's rectangles for a line's characters, one per run of text, as (left, bottom,
    right, top): a handful of calls, where measuring every character would take one each."""
    count = pdfium_c.FPDFText_CountRects(raw_page, first, last - first + 1)
    if count < 2:
        return []
    left, top, right, bottom = (ctypes.c_double() for _ in range(4))
    runs = []
    for index in range(count):
        pdfium_c.FPDFText_GetRect(raw_page, index, left, top, right, bottom)
        runs.append((left.value, bottom.value, right.value, top.value))
    return runs


def _measure(
    raw_page: pdfium_c.FPDF_TEXTPAGE, text: str, page_text: str, first: int, last: int, left: float, top: float
) -> Line | None:
    """The line's box from its end characters, its font from sampled ones; None if rotated.

    Size and weight are read at the first letter (not at a bullet or number set larger) and in
    the middle; the line is bold only if its last character is bold too, so that a bold lead
    phrase run in with regular text ("**Wonen.** De gemeente …") does not make it a heading.
    """
    sample = (first + last) // 2
    if _tilt(raw_page, sample) > _MAX_ANGLE and _tilt(raw_page, first) > _MAX_ANGLE:
        return None
    x0, bottom0, _x1, top0 = _loose_box(raw_page, first)
    _x0, bottom1, x1, top1 = _loose_box(raw_page, last)
    head = _first_letter(page_text, first, last)
    size = max(_font_size(raw_page, head), _font_size(raw_page, sample))
    return Line(
        text=text,
        x0=x0 - left,
        top=top - max(top0, top1),
        x1=max(x1, _x1) - left,
        bottom=top - min(bottom0, bottom1),
        size=round(size, 1),
        bold=all(_is_bold(raw_page, index) for index in (head, sample, _last_letter(page_text, first, last))),
    )


def _last_letter(text: str, first: int, last: int) -> int:
    """The last letter or digit of a line (closing punctuation is often set in the regular font)."""
    for index in range(last, max(first, last - _MARKER_CHARS) - 1, -1):
        if text[index].isalnum():
            return index
    return last


def _loose_box(raw_page: pdfium_c.FPDF_TEXTPAGE, index: int) -> Box:
    """(left, bottom, right, top) from the font's ascent/descent, so line height is stable."""
    rect = pdfium_c.FS_RECTF()
    pdfium_c.FPDFText_GetLooseCharBox(raw_page, index, rect)
    return rect.left, rect.bottom, rect.right, rect.top


def _font_size(raw_page: pdfium_c.FPDF_TEXTPAGE, index: int) -> float:
    """The size as printed: PDFium's nominal size times the text matrix's scale.

    Many PDFs set the font at size 1 and scale it with the matrix, so the nominal size alone
    says nothing.
    """
    matrix = pdfium_c.FS_MATRIX()
    pdfium_c.FPDFText_GetMatrix(raw_page, index, matrix)
    scale = abs(matrix.a * matrix.d - matrix.b * matrix.c) ** 0.5
    return pdfium_c.FPDFText_GetFontSize(raw_page, index) * (scale or 1.0)


def _font_info(raw_page: pdfium_c.FPDF_TEXTPAGE, index: int) -> tuple[int, str]:
    """A character's font descriptor flags and font name."""
    buffer = ctypes.create_string_buffer(_FONT_NAME_BUFFER)
    flags = ctypes.c_int()
    pdfium_c.FPDFText_GetFontInfo(raw_page, index, buffer, _FONT_NAME_BUFFER, flags)
    return flags.value, buffer.value.decode("utf-8", "replace")


def _is_bold(raw_page: pdfium_c.FPDF_TEXTPAGE, index: int) -> bool:
    if pdfium_c.FPDFText_GetFontWeight(raw_page, index) >= 600:
        return True
    return BOLD_FONT_NAME.search(_font_info(raw_page, index)[1]) is not None


def _count_images(page: pdfium.PdfPage) -> int:
    return sum(1 for _ in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=3))

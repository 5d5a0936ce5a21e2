"""A PDF page as a PNG, and where a quote stands on it, so a reader sees the words in place.

The boxes are found with PDFium's own text (the extractor the scan uses by default): the page's
characters and the quote are both reduced to letters and digits, so line breaks, hyphenation at
a line's end and spacing do not matter.  A quote the scan joined from lines PDFium orders
differently may be found in part only: then its longest beginning that is found is marked.
The boxes are returned as fractions of the page, so the page shows them over the image at any size.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pypdfium2

#: Pixels per PDF point of the rendered page: 1.5 × 72 = 108 dpi, sharp on a laptop screen and
#: quick to render (the page image must come in well under half a second).
SCALE = 1.5
#: The shortest beginning of a quote worth marking (letters and digits).
MIN_FOUND = 12


@dataclass(frozen=True)
class Box:
    """A marked rectangle, as fractions of the page's width and height from its top left."""

    left: float
    top: float
    width: float
    height: float


class PageError(ValueError):
    """A page that cannot be rendered (no such page, not a PDF); one line."""


def _open(path: Path) -> pypdfium2.PdfDocument:
    try:
        return pypdfium2.PdfDocument(str(path))
    except (pypdfium2.PdfiumError, OSError) as exc:
        raise PageError(f"{path.name}: cannot open as PDF: {exc}") from None


@lru_cache(maxsize=64)
def render_png(path: Path, page: int, modified: float) -> bytes:
    """Page ``page`` (1-based) of the PDF as PNG bytes; ``modified`` (the file's mtime) keys the cache."""
    pdf = _open(path)
    try:
        if not 1 <= page <= len(pdf):
            raise PageError(f"{path.name}: no page {page} (it has {len(pdf)})")
        image = pdf[page - 1].render(scale=SCALE).to_pil()
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", optimize=False)
        return buffer.getvalue()
    finally:
        pdf.close()


def _letters(text: str) -> tuple[str, list[int]]:
    """Lower-case letters and digits of ``text``, and each one's index in ``text``."""
    kept = [(c.lower(), i) for i, c in enumerate(text) if c.isalnum()]
    return "".join(c for c, _ in kept), [i for _, i in kept]


def quote_boxes(path: Path, page: int, quotes: tuple[str, ...]) -> list[Box]:
    """Where each quote stands on the page (nothing for a quote that is not found)."""
    pdf = _open(path)
    try:
        if not 1 <= page <= len(pdf):
            return []
        pdf_page = pdf[page - 1]
        width, height = pdf_page.get_size()
        text_page = pdf_page.get_textpage()
        characters = text_page.get_text_range()
        page_letters, positions = _letters(characters)
        boxes = []
        for quote in quotes:
            span = _find(page_letters, _letters(quote)[0])
            if span is None:
                continue
            first, last = positions[span[0]], positions[span[1] - 1]
            for n in range(text_page.count_rects(first, last - first + 1)):
                left, bottom, right, top = text_page.get_rect(n)
                boxes.append(
                    Box(left / width, (height - top) / height, (right - left) / width, (top - bottom) / height)
                )
        return boxes
    finally:
        pdf.close()


def _find(haystack: str, needle: str) -> tuple[int, int] | None:
    """The span of ``needle`` in ``haystack``, or of its longest beginning found (at least MIN_FOUND)."""
    if not needle:
        return None
    at = haystack.find(needle)
    if at >= 0:
        return at, at + len(needle)
    low, high = MIN_FOUND, len(needle) - 1  # binary search on the length of the beginning found
    best = None
    while low <= high:
        middle = (low + high) // 2
        at = haystack.find(needle[:middle])
        if at >= 0:
            best, low = (at, at + middle), middle + 1
        else:
            high = middle - 1
    return best

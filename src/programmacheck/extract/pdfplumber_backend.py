"""PDF extraction with pdfplumber (pdfminer.six): pure Python, slow, a second opinion.

Words come in content-stream order (``use_text_flow``), which keeps columns apart, with their
size and font name; consecutive words on one baseline make a line.  The layout clean-up is the
one every PDF backend shares (:mod:`.layout`).
"""

from __future__ import annotations

import statistics
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pdfplumber
from pdfminer.pdfdocument import PDFPasswordIncorrect

from ..records import ExtractedDocument, Line
from . import ExtractionError
from .layout import BASELINE_GAP, BOLD_FONT_NAME, MIN_TEXT_WORDS, RawPage, build_document, clean_text, word_count

Word = dict[str, Any]


class PdfplumberExtractor:
    """Reads a PDF's text layer with pdfplumber, word by word."""

    name = "pdfplumber"

    def extract(self, path: Path) -> ExtractedDocument:
        try:
            pdf = pdfplumber.open(path)
        except Exception as error:  # pdfminer raises many unrelated types for a broken file
            if _needs_password(error):
                raise ExtractionError(
                    f"{path}: encrypted PDF (password protected); save an unprotected copy first"
                ) from None
            raise ExtractionError(f"{path}: not a readable PDF ({type(error).__name__})") from None
        with pdf:
            pages = [_read_page(page) for page in pdf.pages]
        return build_document(path, pages)


def _needs_password(error: Exception) -> bool:
    """Whether pdfminer refused a document for want of its password (pdfplumber wraps pdfminer's
    error in its own ``PdfminerException``: the original is its argument)."""
    return any(isinstance(cause, PDFPasswordIncorrect) for cause in (error, *error.args))


def _read_page(page: pdfplumber.page.Page) -> RawPage:
    words = page.extract_words(extra_attrs=["size", "fontname"], use_text_flow=True, keep_blank_chars=False)
    left, top = page.bbox[0], page.bbox[1]
    lines = [_line(group, left, top) for group in _line_groups(w for w in words if w.get("upright", True))]
    lines = [line for line in lines if line.text]
    images = len(page.images) if word_count(lines) < MIN_TEXT_WORDS else 0
    raw = RawPage(
        number=page.page_number, lines=tuple(lines), width=float(page.width), height=float(page.height), images=images
    )
    page.close()  # frees pdfminer's layout objects: a long programme would otherwise fill memory
    return raw


def _line_groups(words: Iterator[Word]) -> Iterator[list[Word]]:
    """Consecutive words on one baseline, moving right without a wide gap."""
    group: list[Word] = []
    for word in words:
        if group:
            previous = group[-1]
            size = float(previous["size"]) or 10.0
            same_line = abs(word["bottom"] - previous["bottom"]) < size * 0.5
            if not (same_line and -1 <= word["x0"] - previous["x1"] <= size * BASELINE_GAP):
                yield group
                group = []
        group.append(word)
    if group:
        yield group


def _line(words: Sequence[Word], left: float, top: float) -> Line:
    sample = words[len(words) // 2]
    return Line(
        text=clean_text(" ".join(word["text"] for word in words)),
        x0=float(words[0]["x0"]) - left,
        top=min(float(word["top"]) for word in words) - top,
        x1=float(words[-1]["x1"]) - left,
        bottom=max(float(word["bottom"]) for word in words) - top,
        size=round(statistics.median(float(word["size"]) for word in words), 1),
        bold=all(BOLD_FONT_NAME.search(str(word["fontname"])) for word in (words[0], sample)),
    )

"""Stage 1, extract: a file on disk → pages of lines in reading order.

Each backend lives in its own module behind the small :class:`Extractor` protocol, so a faster or
better PDF library can be swapped in with ``--extractor``.  Bad input (corrupt, encrypted, empty,
image-only) raises :class:`ExtractionError` with a one-line message naming the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from ..records import ExtractedDocument


class ExtractionError(Exception):
    """A file that cannot be read as a programme; ``str()`` is one line naming file and problem."""


class Extractor(Protocol):
    """Reads one file into pages of lines."""

    name: str

    def extract(self, path: Path) -> ExtractedDocument: ...


PDF_BACKENDS = ("pypdfium2", "pdfplumber")
# pypdfium2 reads the corpus ~40× faster than pdfplumber with at least as good gold-quote recall
# (measured with benchmarks/extraction.py).
DEFAULT_PDF_BACKEND = "pypdfium2"
TEXT_SUFFIXES = (".txt", ".md", ".markdown")
HTML_SUFFIXES = (".html", ".htm")
SUPPORTED_SUFFIXES = (".pdf", *TEXT_SUFFIXES, ".docx", *HTML_SUFFIXES)


def get_extractor(path: Path, pdf_backend: str = DEFAULT_PDF_BACKEND) -> Extractor:
    """The extractor for a file, chosen by its suffix (and, for PDFs, by ``pdf_backend``)."""
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        if pdf_backend == "pypdfium2":
            from .pdfium_backend import PdfiumExtractor

            return PdfiumExtractor()
        if pdf_backend == "pdfplumber":
            from .pdfplumber_backend import PdfplumberExtractor

            return PdfplumberExtractor()
        raise ExtractionError(f"{path}: unknown PDF extractor {pdf_backend!r} (choose from {', '.join(PDF_BACKENDS)})")
    if suffix in TEXT_SUFFIXES:
        from .text_backend import TextExtractor

        return TextExtractor()
    if suffix == ".docx":
        from .docx_backend import DocxExtractor

        return DocxExtractor()
    if suffix in HTML_SUFFIXES:
        from .html_backend import HtmlExtractor

        return HtmlExtractor()
    raise ExtractionError(f"{path}: unsupported file type {suffix or '(none)'!r} (supported: {', '.join(SUPPORTED_SUFFIXES)})")


def extract_file(path: str | Path, pdf_backend: str = DEFAULT_PDF_BACKEND) -> ExtractedDocument:
    """Extract one file with the right backend."""
    path = Path(path)
    if not path.is_file():
        raise ExtractionError(f"{path}: no such file")
    if path.stat().st_size == 0:
        raise ExtractionError(f"{path}: empty file (0 bytes)")
    extractor = get_extractor(path, pdf_backend)
    if path.suffix.lower() == ".pdf":
        from .ocr import extract_with_ocr

        return extract_with_ocr(extractor, path)
    return extractor.extract(path)

"""Stage 1, extract: a file on disk → pages of lines in reading order.

Each backend lives in its own module behind the small :class:`Extractor` protocol, so a faster or
better PDF library can be swapped in with ``--extractor``.  Bad input (corrupt, encrypted, empty,
image-only) raises :class:`ExtractionError` with a one-line message naming the file (an image-only
PDF its subclass :class:`NoTextLayer`).
"""

from __future__ import annotations

import importlib
import math
import stat
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ..records import ExtractedDocument


class ExtractionError(Exception):
    """A file that cannot be read as a programme; ``str()`` is one line naming file and problem."""


class NoTextLayer(ExtractionError):
    """A PDF whose pages hold images but no text to speak of: a scan, which OCR can read.

    Its own type so that the OCR step recognises it without reading the message.
    """


class Extractor(Protocol):
    """Reads one file into pages of lines."""

    name: str

    def extract(self, path: Path) -> ExtractedDocument: ...


#: What extraction enters around a long wait in which it uses no library of its own (OCR in a
#: subprocess): ``with step_aside(): ...``.  Why: a caller that lets several readers work one at
#: a time (the batch lanes: PDFium and spaCy must not run on two threads at once) can let another
#: reader work meanwhile instead of idling with this one.  The default,
#: :class:`contextlib.nullcontext`, steps aside for no one.  Extraction knows nothing of the
#: caller's lock: it only says when it waits.
StepAside = Callable[[], AbstractContextManager[None]]

#: What every structured backend (Word, HTML) writes before a list item and between a table row's
#: cells, so that the segmenter sees lists and tables alike whichever format they came from.
BULLET = "• "
CELL_SEPARATOR = " | "

MB = 1024 * 1024
DETAIL_CHARS = 160  # of a library's message quoted in a failure


def _backend(module: str, name: str) -> Callable[[], Extractor]:
    """Makes the extractor class ``name`` of this package's ``module``, imported on first use:
    importing :mod:`programmacheck.extract` must not import pdfplumber, PDFium or the like."""

    def load() -> Extractor:
        return getattr(importlib.import_module(f"{__name__}.{module}"), name)()

    return load


#: The PDF extractors by name (``--extractor``).
PDF_EXTRACTORS: dict[str, Callable[[], Extractor]] = {
    "pypdfium2": _backend("pdfium_backend", "PdfiumExtractor"),
    "pdfplumber": _backend("pdfplumber_backend", "PdfplumberExtractor"),
}
PDF_BACKENDS = tuple(PDF_EXTRACTORS)
# pypdfium2 reads the corpus ~40× faster than pdfplumber with at least as good gold-quote recall
# (measured with benchmarks/extraction.py).
DEFAULT_PDF_BACKEND = "pypdfium2"


@dataclass(frozen=True)
class FileKind:
    """How files with one suffix are read.

    ``extractor`` is None for PDFs: theirs is chosen by name from :data:`PDF_EXTRACTORS`, and
    they are OCR'd where their text layer is missing (:mod:`.ocr`).
    ``max_bytes`` is the largest such file that is read at all.  Why: one upload must not take the
    machine (a 50 MB .txt took 2.4 GB and 165 s to segment); a long programme is ~1 MB of text,
    ~50 MB of PDF or Word with photos.
    """

    max_bytes: int
    extractor: Callable[[], Extractor] | None


_TEXT = FileKind(10 * MB, _backend("text_backend", "TextExtractor"))
_HTML = FileKind(20 * MB, _backend("html_backend", "HtmlExtractor"))
#: Every readable suffix, in the order messages list them: the one table from which the supported
#: suffixes, the size limits and the choice of extractor all follow.
FILE_KINDS: dict[str, FileKind] = {
    ".pdf": FileKind(300 * MB, None),
    ".txt": _TEXT,
    ".md": _TEXT,
    ".markdown": _TEXT,
    ".docx": FileKind(100 * MB, _backend("docx_backend", "DocxExtractor")),
    ".html": _HTML,
    ".htm": _HTML,
}
SUPPORTED_SUFFIXES = tuple(FILE_KINDS)
MAX_BYTES = {suffix: kind.max_bytes for suffix, kind in FILE_KINDS.items()}


def supported_kinds() -> str:
    """The readable suffixes for messages: ".pdf, .txt, .md, .markdown, .docx, .html or .htm"."""
    return ", ".join(SUPPORTED_SUFFIXES[:-1]) + " or " + SUPPORTED_SUFFIXES[-1]


def input_problem(path: str | Path) -> str | None:
    """Why a path cannot be read as a programme before a byte of it is read, or None.

    Only regular files are read: a FIFO would block for ever and ``/dev/zero`` never ends.
    """
    path = Path(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        return f"{path}: no such file"
    except OSError as exc:
        return f"{path}: cannot read: {exc.strerror or exc}"
    if not stat.S_ISREG(info.st_mode):
        return f"{path}: not a regular file"
    limit = MAX_BYTES.get(path.suffix.lower())
    if limit is not None and info.st_size > limit:
        return (
            f"{path}: too large ({math.ceil(info.st_size * 10 / MB) / 10:.1f} MB; "
            f"at most {limit / MB:.1f} MB for a {path.suffix.lower()} file)"  # rounded up: never "10 MB; at most 10"
        )
    if info.st_size == 0:
        return f"{path}: empty file (0 bytes)"
    return None


def one_line(message: str) -> str:
    """A message as it is printed and recorded: one line, printable and valid UTF-8 whatever bytes
    a file name in it holds (control characters and undecodable bytes escaped: a name with a
    newline must not print over two lines, nor one that is not UTF-8 stop the CSV writer)."""
    text = message.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def get_extractor(path: Path, pdf_backend: str = DEFAULT_PDF_BACKEND) -> Extractor:
    """The extractor for a file, chosen by its suffix (and, for PDFs, by ``pdf_backend``)."""
    suffix = path.suffix.lower()
    kind = FILE_KINDS.get(suffix)
    if kind is None:
        raise ExtractionError(
            f"{path}: unsupported file type {suffix or '(none)'!r} (supported: {', '.join(SUPPORTED_SUFFIXES)})"
        )
    if kind.extractor is not None:
        return kind.extractor()
    if pdf_backend not in PDF_EXTRACTORS:
        raise ExtractionError(f"{path}: unknown PDF extractor {pdf_backend!r} (choose from {', '.join(PDF_BACKENDS)})")
    return PDF_EXTRACTORS[pdf_backend]()


def extract_file(
    path: str | Path, pdf_backend: str = DEFAULT_PDF_BACKEND, step_aside: StepAside | None = None
) -> ExtractedDocument:
    """Extract one file with the right backend; ``step_aside`` is entered while OCR waits (see
    :data:`StepAside`)."""
    path = Path(path)
    problem = input_problem(path)
    if problem is not None:
        raise ExtractionError(problem)
    extractor = get_extractor(path, pdf_backend)
    try:
        if FILE_KINDS[path.suffix.lower()].extractor is None:
            from .ocr import extract_with_ocr

            return extract_with_ocr(extractor, path, step_aside or nullcontext)
        return extractor.extract(path)
    except ExtractionError:
        raise
    except RecursionError:
        raise ExtractionError(f"{path}: damaged or hostile {path.suffix.lower()} file (nested too deeply)") from None
    except Exception as error:  # noqa: BLE001 - the libraries raise many types for a broken file
        raise ExtractionError(
            f"{path}: damaged, or not a {path.suffix.lower()} file ({_detail(error, path)})"
        ) from None


def _detail(error: Exception, path: Path) -> str:
    """A library's own words for what is wrong, without its exception class (which says nothing to
    a user) or the file's path (the message starts with it): the first line, shortened."""
    lines = str(error).replace(str(path), "the file").strip().splitlines()
    text = lines[0] if lines else "unreadable"
    return text if len(text) <= DETAIL_CHARS else text[: DETAIL_CHARS - 1] + "…"

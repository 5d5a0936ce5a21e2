"""Scanned PDFs: find pages without a usable text layer and OCR them with ocrmypdf (Dutch).

Some programmes are scans: pages with no text at all, or with a text layer from an old OCR run
that is garbage (``ff> #·ff> <:"I``).  Either way the words a reader sees are not in the file,
so those pages are OCR'd again with Tesseract's Dutch model through ``ocrmypdf``, forcing the
old layer out, and the result is read by the normal PDF backends.

OCR is a system dependency (Debian ``ocrmypdf`` and ``tesseract-ocr-nld``); when it is missing,
:class:`OcrUnavailable` says in one line which pages go unread and how to install it.
"""

from __future__ import annotations

import io
import logging
import re
import shutil
import subprocess
import tempfile
from contextlib import nullcontext
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from wordfreq import zipf_frequency

from ..records import ExtractedDocument
from . import ExtractionError, Extractor, NoTextLayer, StepAside

log = logging.getLogger(__name__)

LANGUAGE = "nld"
INSTALL_HINT = "apt-get install ocrmypdf tesseract-ocr-nld"
MIN_DUTCH_WORDS = 3  # fewer Dutch words than this: no text layer to speak of (a divider has more)
MIN_QUALITY = 0.5  # a real Dutch page scores ~0.9; an OCR garbage layer ~0.1
SECONDS_PER_PAGE_LIMIT = 120  # ocrmypdf is stopped past this, so a broken install cannot hang a run

#: A scan under a garbage text layer coarser than this is re-rendered before OCR, within this range.
COARSE_SCAN_DPI = 150
RENDER_DPI_RANGE = (200, 300)
JPEG_QUALITY = 95  # of the re-rendered coarse scans
#: A 1-bit scan whose dark runs are this short on average (in its own pixels) is dithered: its
#: letters are loose dots (the 1948 stencil: 2.1 px; crisply scanned text: 6–12 px).
DITHERED_RUN_PX = 3.0
#: The most pixels OCR takes on, per image on a page and per page rendered at 300 dpi (an A3
#: scan at 600 dpi is 70 Mpx).  Checked before anything is decoded: a 1.3 KB PDF holding one
#: 1-bit image of 46,000 px a side once took 6.3 GB.
MAX_OCR_PIXELS = 120_000_000
OCR_CHECK_DPI = 300
#: Blurs dithered pages and drops words Tesseract is unsure of (see that module's docstring).
PLUGIN = Path(__file__).with_name("ocrmypdf_plugin.py")

_EDGE_PUNCTUATION = ".,;:!?()[]{}<>\"'“”‘’„«»-–—•·*/\\|"
_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
_LETTER = re.compile(r"[^\W\d_]")
_ADDRESS = re.compile(r"://|^www\.|@")
#: "InputFileError: " before ocrmypdf's last line of error: the class name says nothing to a user.
_INTERNAL_NAME = re.compile(r"^(?:[\w.]+(?:Error|Exception)\s*:\s*)+")
#: An error class of ocrmypdf's own, whose message is written for its users; any other class
#: ("TypeError: conversion from pikepdf._core.Object to Decimal") is a fault met inside it.
_OCRMYPDF_OWN = re.compile(
    r"^(?:ocrmypdf\.[\w.]*\.)?(?:InputFileError|EncryptedPdfError|DpiError|"
    r"PriorOcrFoundError|MissingDependencyError|UnsupportedImageFormatError|"
    r"DigitalSignatureError|TaggedPDFError|ColorConversionNeededError)\b"
)
#: What is said instead of a fault met inside ocrmypdf (``-v`` logs ocrmypdf's own words).
DAMAGED_FOR_OCR = "the PDF is damaged in a way OCR cannot read past"


def _ocr_reason(error: subprocess.CalledProcessError) -> str:
    """ocrmypdf's last line of error, for a user: without its class name, and in plain words when
    it is a fault inside ocrmypdf or its libraries rather than one of its own messages."""
    last = (error.stderr.strip().splitlines() or [f"exit code {error.returncode}"])[-1].strip()
    if _INTERNAL_NAME.match(last) and not _OCRMYPDF_OWN.match(last):
        log.info("ocrmypdf stopped with: %s", last)
        return DAMAGED_FOR_OCR
    return _INTERNAL_NAME.sub("", last)


class OcrUnavailable(Exception):
    """OCR is needed but ocrmypdf or Tesseract's Dutch data is not installed; ``str()`` is one line."""


def page_text_quality(text: str) -> float:
    """Share of a page's word-like tokens that are Dutch words: ~0.9 for real text, ~0.1 for OCR garbage.

    Tokens without a letter (numbers, bullets) and web addresses are left out, so that a page of
    line numbers or links is not mistaken for garbage.  Single letters count as non-words: garbage
    layers are full of them, while Dutch uses almost none.
    """
    tokens = _letter_tokens(text)
    if not tokens:
        return 0.0
    return sum(_is_dutch_word(token) for token in tokens) / len(tokens)


def needs_ocr(page_texts: list[str]) -> list[int]:
    """1-based numbers of the pages whose text layer is missing, all but empty, or garbage.

    A chapter divider with a few real words is left alone: OCR costs seconds a page.  A page that
    is empty because it is blank or a photo is flagged too; a caller that knows which pages hold
    images can skip the others.
    """
    return [number for number, text in enumerate(page_texts, start=1) if not _usable(text)]


def ocr_pdf(path: Path, pages: list[int], output: Path | None = None, step_aside: StepAside = nullcontext) -> Path:
    """An OCR'd copy of ``path`` in which ``pages`` (1-based) carry a fresh Dutch text layer.

    ``--force-ocr`` rasterises those pages and replaces whatever text they had, which is what a
    garbage layer needs; the other pages pass through untouched.  The plugin blurs dithered pages
    before OCR and leaves out words Tesseract is unsure of.  Without ``output`` the copy goes
    into a new temporary folder that the caller deletes.  ``step_aside`` is entered while
    ocrmypdf runs (see :data:`~programmacheck.extract.StepAside`).
    """
    command = ocr_command()
    _check_pixels(path, pages)
    try:
        dithered = dithered_pages(path, pages)
    except Exception:  # noqa: BLE001 - an improvement only: the pages are OCR'd unblurred
        log.debug("looking for dithered scans in %s failed", path, exc_info=True)
        dithered = []
    if output is None:
        output = Path(tempfile.mkdtemp(prefix="programmacheck-ocr-")) / path.name
    try:
        source = _scans_without_text_layer(path, pages, output.with_name(f"rendered-{output.name}"))
    except Exception:  # noqa: BLE001 - a speed-up only: ocrmypdf can still read the original
        log.debug("re-rendering %s failed; OCR reads it as it is", path, exc_info=True)
        source = path
    arguments = [
        command,
        "-l", LANGUAGE,
        "--force-ocr",
        "--pages", ",".join(str(page) for page in sorted(set(pages))),
        "--output-type", "pdf",  # no PDF/A conversion: the copy is read once, not archived
        "--optimize", "0",
        "--quiet",
    ]  # fmt: skip
    plugin = [
        "--plugin", str(PLUGIN),
        "--pdf-renderer", "hocr",  # the plugin filters Tesseract's hOCR
        "--dedither-pages", ",".join(map(str, dithered)),
    ]  # fmt: skip
    try:
        try:
            _run_ocr([*arguments, *plugin, str(source), str(output)], len(pages), step_aside)
        except subprocess.CalledProcessError:  # e.g. an ocrmypdf version the plugin does not suit (-v tells)
            log.info("%s: OCR with programmacheck's ocrmypdf plugin failed; OCR without it", path)
            _run_ocr([*arguments, str(source), str(output)], len(pages), step_aside)
    except subprocess.CalledProcessError as error:
        raise ExtractionError(f"{path}: OCR failed on pages {_page_list(pages)} ({_ocr_reason(error)})") from None
    except subprocess.TimeoutExpired:
        raise ExtractionError(f"{path}: OCR of pages {_page_list(pages)} took too long and was stopped") from None
    return output


def _run_ocr(arguments: list[str], pages: int, step_aside: StepAside = nullcontext) -> None:
    """Run ocrmypdf, stepping aside meanwhile: a caller that reads one file at a time lets another read."""
    with step_aside():
        subprocess.run(arguments, check=True, capture_output=True, text=True, timeout=SECONDS_PER_PAGE_LIMIT * pages)


def _scans_without_text_layer(path: Path, pages: list[int], output: Path) -> Path:
    """``path`` itself, or a copy in which those of ``pages`` that are coarse scans under a
    (garbage) text layer are replaced by a grayscale rendering of the page.

    ocrmypdf rasterises a page with text at 400 dpi to keep vector text sharp.  Where an image
    covers the page and its text layer is garbage, the scan is all there is to read, and for a
    coarse scan the 400 dpi colour raster makes Tesseract several times slower without reading
    better (the 1971 test scan, 100 dpi images: 39 s → 13 s, the same words).  Such a page is
    rendered at twice its scan's resolution, within RENDER_DPI_RANGE, in grey, and stored as a
    JPEG: a DeviceGray image, which ocrmypdf rasterises and Tesseract reads as grey (PDFium would
    store the bitmap as an indexed image, which ocrmypdf treats as colour; the 1971 scan: 15 %
    less OCR time, the same words).  Finer scans, and pages whose text is not under a page-sized
    image, are left to ocrmypdf.
    """
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(path)
    try:
        coarse = {}
        for number in pages:
            page = document[number - 1]
            textpage = page.get_textpage()
            has_text = textpage.count_chars() > 0
            textpage.close()
            dpi = _scan_dpi(page)
            page.close()
            if has_text and 0 < dpi < COARSE_SCAN_DPI:
                coarse[number] = min(max(2 * dpi, RENDER_DPI_RANGE[0]), RENDER_DPI_RANGE[1])
        if not coarse:
            return path
        for number, dpi in coarse.items():
            page = document[number - 1]
            width, height = page.get_size()
            grey = io.BytesIO()
            page.render(scale=dpi / 72, grayscale=True).to_pil().save(grey, format="JPEG", quality=JPEG_QUALITY)
            page.close()
            document.del_page(number - 1)
            scan = document.new_page(width, height, index=number - 1)
            image = pdfium.PdfImage.new(document)
            image.load_jpeg(grey)
            image.set_matrix(pdfium.PdfMatrix().scale(width, height))
            scan.insert_obj(image)
            scan.gen_content()
            scan.close()
        document.save(output)
    finally:
        document.close()
    return output


def _check_pixels(path: Path, pages: list[int]) -> None:
    """Refuse pages that OCR could not take on within bounded memory (see ``MAX_OCR_PIXELS``)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    document = pdfium.PdfDocument(path)
    try:
        for number in pages:
            page = document[number - 1]
            width, height = page.get_size()
            sizes = [(width * OCR_CHECK_DPI / 72, height * OCR_CHECK_DPI / 72)]
            sizes += [
                _pixel_size(image) for image in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=3)
            ]
            widest = max(sizes, key=lambda size: size[0] * size[1])
            if widest[0] * widest[1] > MAX_OCR_PIXELS:
                raise ExtractionError(
                    f"{path}: page {number} would need OCR of {widest[0]:.0f} × {widest[1]:.0f} pixels "
                    f"(at most {MAX_OCR_PIXELS // 1_000_000} million); scan it at a lower resolution"
                )
    finally:
        document.close()


def _pixel_size(image) -> tuple[int, int]:
    """An image's width and height in pixels, from its dictionary (nothing decoded); pypdfium2 5
    renamed the method."""
    return image.get_px_size() if hasattr(image, "get_px_size") else image.get_size()


def _scan_dpi(page) -> float:
    """The resolution of an image covering at least half the page (0 when there is none)."""
    return max((image.get_metadata().horizontal_dpi for image in _scans(page)), default=0.0)


def dithered_pages(path: Path, pages: list[int]) -> list[int]:
    """Those of ``pages`` that are a dithered 1-bit scan (letters drawn as loose dots)."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(path)
    try:
        return [number for number in pages if any(_dithered(image) for image in _scans(document[number - 1]))]
    finally:
        document.close()


def _dithered(image) -> bool:
    """Whether a 1-bit image's dark pixels come in runs shorter than ``DITHERED_RUN_PX`` on average."""
    import numpy

    if image.get_metadata().bits_per_pixel != 1:
        return False
    dark = numpy.asarray(image.get_bitmap(render=False).to_pil().convert("L")) < 128
    runs = int((dark[:, 1:] & ~dark[:, :-1]).sum() + dark[:, 0].sum())
    return runs > 0 and dark.sum() / runs < DITHERED_RUN_PX


def _scans(page) -> list:
    """The page's images that cover at least half of it: scans, not logos or photos."""
    import pypdfium2.raw as pdfium_c

    width, height = page.get_size()
    found = []
    for image in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE]):
        left, bottom, right, top = image.get_bounds()
        if (right - left) * (top - bottom) >= 0.5 * width * height:
            found.append(image)
    return found


def ocr_command() -> str:
    """The ``ocrmypdf`` executable, once it is known that Tesseract can read Dutch.

    Raises :class:`OcrUnavailable` (without page numbers: :func:`unavailable_message` adds them).
    """
    command = shutil.which("ocrmypdf")
    if command is None:
        raise OcrUnavailable(f"ocrmypdf is not installed (install with: {INSTALL_HINT})")
    if LANGUAGE not in _tesseract_languages(shutil.which("tesseract")):
        raise OcrUnavailable(f"Tesseract has no Dutch language data (install with: {INSTALL_HINT})")
    return command


def unavailable_message(path: Path, pages: list[int], problem: OcrUnavailable) -> str:
    """The one-line warning for a file whose scanned pages stay unread."""
    return f"{path}: pages {_page_list(pages)} have no usable text layer and were skipped: {problem}"


@lru_cache(maxsize=4)
def _tesseract_languages(tesseract: str | None) -> frozenset[str]:
    """Languages installed for Tesseract (asked once per executable: the call takes ~50 ms)."""
    if tesseract is None:
        return frozenset()
    listing = subprocess.run([tesseract, "--list-langs"], capture_output=True, text=True, check=False)
    # The first line is a header ("List of available languages in ...").
    return frozenset(line.strip() for line in listing.stdout.splitlines()[1:])


def _usable(text: str) -> bool:
    tokens = _letter_tokens(text)
    dutch = sum(_is_dutch_word(token) for token in tokens)
    return dutch >= MIN_DUTCH_WORDS and dutch / len(tokens) >= MIN_QUALITY


def _letter_tokens(text: str) -> list[str]:
    """Whitespace tokens with their edge punctuation stripped that hold a letter and are no address."""
    tokens = (token.strip(_EDGE_PUNCTUATION) for token in text.split())
    return [token for token in tokens if _LETTER.search(token) and not _ADDRESS.search(token)]


@lru_cache(maxsize=200_000)
def _is_dutch_word(token: str) -> bool:
    """A token of letters that wordfreq knows as Dutch.

    Two-letter tokens must be common (de, en, op: zipf > 5), because garbage layers are full of
    letter pairs that wordfreq has seen somewhere (ff, gs, tr: zipf 3–4).
    """
    if len(token) < 2 or not _WORD.fullmatch(token):
        return False
    return zipf_frequency(token.lower(), "nl") > (5.0 if len(token) == 2 else 1.0)


def _page_list(pages: list[int]) -> str:
    return ", ".join(str(page) for page in sorted(set(pages)))


#: OCR runs when at least this share of a PDF's pages has no usable text layer.  Below it the
#: unreadable pages are photos or dividers in a designed programme: OCR would cost seconds a
#: page for no programme text, so they are only reported.
OCR_DOCUMENT_SHARE = 0.5


def extract_with_ocr(extractor: Extractor, path: Path, step_aside: StepAside = nullcontext) -> ExtractedDocument:
    """Extract a PDF, OCR'ing it first when its text layer is missing or garbage.

    Pages read through OCR are marked ``ocr=True``.  Without OCR installed, a document with no
    usable text at all fails with a one-line message naming the pages and the install command;
    a document with only a few such pages gets a warning.  ``step_aside`` is entered while OCR
    runs (see :data:`~programmacheck.extract.StepAside`).
    """
    try:
        document = extractor.extract(path)
        texts = [" ".join(line.text for line in page.lines) for page in document.pages]
        numbers = [page.number for page in document.pages]  # damaged pages are not among them
    except NoTextLayer:
        document, texts = None, [""] * _page_count(path)
        numbers = list(range(1, len(texts) + 1))
    flagged = [numbers[position - 1] for position in needs_ocr(texts)]
    if len(flagged) < OCR_DOCUMENT_SHARE * len(texts):
        assert document is not None  # without a text layer every page is flagged
        return document
    try:
        copy = ocr_pdf(path, flagged, step_aside=step_aside)
    except OcrUnavailable as problem:
        raise ExtractionError(unavailable_message(path, flagged, problem)) from None
    try:
        ocred = extractor.extract(copy)
    except ExtractionError:
        raise ExtractionError(
            f"{path}: no text layer (scanned?), and OCR found no text on pages {_page_list(flagged)}"
        ) from None
    finally:
        shutil.rmtree(copy.parent, ignore_errors=True)
    pages = tuple(replace(page, ocr=page.number in flagged) for page in ocred.pages)
    note = f"{path}: pages {_page_list(flagged)} were read by OCR (Tesseract, Dutch)"
    return ExtractedDocument(path=str(path), pages=pages, warnings=(*ocred.warnings, note))


def _page_count(path: Path) -> int:
    import pypdfium2

    document = pypdfium2.PdfDocument(path)
    try:
        return len(document)
    finally:
        document.close()

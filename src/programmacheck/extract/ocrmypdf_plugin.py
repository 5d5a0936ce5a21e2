"""An ocrmypdf plugin: loaded by ocrmypdf (``--plugin <this file>``), never imported by programmacheck.

It runs inside ocrmypdf's own Python (Debian's, say), so it imports only ocrmypdf and Pillow,
both of which ocrmypdf depends on.  It does two things:

- **Dithered scans** (``--dedither-pages``, 1-based, chosen by ``ocr.dithered_pages``): a stencil
  scanned to 1-bit with dithering draws every letter as loose dots, which Tesseract reads as
  garbage.  A Gaussian blur of 2 px at 300 dpi turns the dots back into strokes before OCR (the
  1948 test scan: 256 words read → ~620).  The page image in the PDF is left as it is.
- **Uncertain words**: words Tesseract reads with a confidence below ``MIN_WORD_CONFIDENCE`` are
  dropped from its hOCR before ocrmypdf turns it into the text layer (needs ``--pdf-renderer
  hocr``).  On a clean scan that is ~1 % of the words; on the dithered stencil it is mostly
  misreadings ("oorlogegevaer"), which would otherwise become paragraphs.
"""

from __future__ import annotations

import re

from ocrmypdf import hookimpl
from ocrmypdf.builtin_plugins.tesseract_ocr import TesseractOcrEngine
from PIL import ImageFilter

#: Tesseract's word confidence runs from 0 to 100.
MIN_WORD_CONFIDENCE = 50
#: The blur's radius at 300 dpi; it scales with the resolution OCR sees.
BLUR_PX_AT_300_DPI = 2.0
#: A word's span; its body holds no other span (with ``hocr_char_boxes`` a word has character spans).
_HOCR_WORD = re.compile(r"<span class=['\"]ocrx_word['\"][^>]*?x_wconf (\d+)[^>]*>(?:(?!<span)[\s\S])*?</span>")


@hookimpl
def add_options(parser) -> None:
    parser.add_argument("--dedither-pages", default="", help="1-based pages to blur before OCR (comma-separated)")


@hookimpl
def filter_ocr_image(page, image):
    """Blur the pages listed; for the others, None lets other plugins' filters run."""
    if str(page.pageno + 1) not in (getattr(page.options, "dedither_pages", "") or "").split(","):
        return None
    dpi = image.info.get("dpi", (300, 300))[0]
    return image.convert("L").filter(ImageFilter.GaussianBlur(BLUR_PX_AT_300_DPI * dpi / 300))


def drop_uncertain_words(hocr: str) -> str:
    return _HOCR_WORD.sub(lambda word: word.group(0) if int(word.group(1)) >= MIN_WORD_CONFIDENCE else "", hocr)


class ConfidentTesseract(TesseractOcrEngine):
    """Tesseract as ocrmypdf runs it, minus the words it is unsure of."""

    @staticmethod
    def generate_hocr(input_file, output_hocr, output_text, options) -> None:
        TesseractOcrEngine.generate_hocr(input_file, output_hocr, output_text, options)
        output_hocr.write_text(drop_uncertain_words(output_hocr.read_text(encoding="utf-8")), encoding="utf-8")


@hookimpl
def get_ocr_engine():
    return ConfidentTesseract()

"""The page number printed on a PDF page, where it differs from the page's index in the file.

Quotes cite the PDF page index (what ``#page=N`` opens and every viewer counts), but a reader
with the printed programme looks for the number printed on the page: PDF page 15 is often
printed 13, after a cover and a contents page.  Reports show both where they differ.

The printed number comes from the PDF's own page labels (``/PageLabels``) when it has them;
else it is read from the page margins: a number standing alone in the top or bottom strip of a
sample of pages, at one offset from the page index on most of them.  Spreads (two printed
pages on one PDF page) and unnumbered programmes give no consistent offset and so no labels:
better none than a wrong one.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

#: Pages read to find the offset (spread over the document), and the share of a page's height
#: that counts as its top or bottom margin.
SAMPLE_PAGES = 15
MARGIN = 0.1
#: Sampled pages that must agree on one offset, at least, and as a share of those with a number.
MIN_AGREEING, MIN_SHARE = 3, 0.6
_NUMBER = re.compile(r"^\s*(\d{1,3})\s*$")


def printed_labels(path: str | Path) -> dict[int, str]:
    """PDF page index (1-based) → printed page label, for the pages where the two differ.

    Returns ``{}`` for a file that is no readable PDF: a missing label never stops a scan.
    """
    import pypdfium2

    try:
        pdf = pypdfium2.PdfDocument(str(path))
    except (pypdfium2.PdfiumError, OSError):
        return {}
    try:
        count = len(pdf)
        labels = [pdf.get_page_label(i) for i in range(count)]
        if any(labels):
            return {i + 1: label for i, label in enumerate(labels) if label and label != str(i + 1)}
        offset = _margin_offset(pdf, count)
    finally:
        pdf.close()
    if not offset:
        return {}
    return {page: str(page - offset) for page in range(max(1, offset + 1), count + 1)}


def _margin_offset(pdf, count: int) -> int:
    """The most common (index − printed number) over sampled pages, if enough of them agree; else 0."""
    step = max(1, (count - 1) // SAMPLE_PAGES)
    offsets: Counter[int] = Counter()
    for index in range(1, count, step):  # the cover (index 0) is rarely numbered
        numbers = _margin_numbers(pdf[index])
        if len(numbers) == 1:  # two numbers: a spread, or a date; no evidence either way
            offsets[index + 1 - numbers[0]] += 1
    if not offsets:
        return 0
    offset, agreeing = offsets.most_common(1)[0]
    return offset if agreeing >= MIN_AGREEING and agreeing >= MIN_SHARE * sum(offsets.values()) else 0


def _margin_numbers(page) -> list[int]:
    """Numbers standing alone on a line in the top or bottom margin of a page."""
    width, height = page.get_size()
    text = page.get_textpage()
    found = []
    for bottom, top in ((0, height * MARGIN), (height * (1 - MARGIN), height)):
        strip = text.get_text_bounded(left=0, bottom=bottom, right=width, top=top)
        found += [int(m.group(1)) for line in strip.splitlines() if (m := _NUMBER.match(line))]
    return found

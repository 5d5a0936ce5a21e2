"""Word ``.docx`` files, read with python-docx.

Word has no fixed pages (they depend on the printer and fonts), so the whole document is page 1.
Word does say what a heading is, through its style, so ``heading_level`` comes from there and the
segmenter need not guess.  Each Word paragraph is a paragraph of its own (``break_before``); list
items get a bullet so that the segmenter keeps them as bullets; tables are read row by row, one
line a row, because a row is what belongs together in a programme's table ("thema | wat wij
willen").  Headers and footers are left out: they are running heads, not programme text.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.styles.style import CharacterStyle
from docx.table import Table
from docx.text.paragraph import Paragraph

from ..records import ExtractedDocument, Line, Page
from . import BULLET, CELL_SEPARATOR, ExtractionError
from .layout import clean_text

# Built-in names as python-docx reports them, plus the Dutch names some editors write.
_HEADING_STYLE = re.compile(r"^(?:heading|kop)\s*(\d)$", re.IGNORECASE)
_TITLE_STYLE = re.compile(r"^(?:title|titel)$", re.IGNORECASE)
_LIST_STYLE = re.compile(r"^(?:list|lijst)", re.IGNORECASE)
_STYLE_DEPTH = 5  # how far up a custom style's "based on" chain a heading style is looked for


class DocxExtractor:
    """Reads ``.docx`` files."""

    name = "docx"

    def extract(self, path: Path) -> ExtractedDocument:
        document = _open(path)
        lines = list(_lines(document.iter_inner_content()))
        if not lines:
            raise ExtractionError(f"{path}: empty file (no text)")
        return ExtractedDocument(path=str(path), pages=(Page(number=1, lines=tuple(lines)),))


def _open(path: Path) -> docx.document.Document:
    try:
        return docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as error:
        detail = "not a Word package" if isinstance(error, (PackageNotFoundError, zipfile.BadZipFile)) else "damaged"
        raise ExtractionError(f"{path}: not a readable Word .docx file ({detail})") from None


def _lines(blocks: Iterator[Paragraph | Table]) -> Iterator[Line]:
    """Body paragraphs and table rows in document order."""
    for block in blocks:
        if isinstance(block, Table):
            yield from _table_lines(block)
            continue
        line = paragraph_line(block)
        if line is not None:
            yield line


def paragraph_line(paragraph: Paragraph) -> Line | None:
    """One Word paragraph as a line, with its heading level or bullet; ``None`` when it is empty."""
    text = clean_text(paragraph.text)
    if not text:
        return None
    level = heading_level(paragraph.style)
    if level is None and _is_list_item(paragraph):
        text = BULLET + text
    return Line(text=text, heading_level=level, break_before=True)


def heading_level(style: CharacterStyle | None) -> int | None:
    """1 for "Heading 1"/"Kop 1"/"Title", 2 for "Heading 2", …; also for styles based on them."""
    for _ in range(_STYLE_DEPTH):
        if style is None:
            return None
        name = (style.name or "").strip()
        if _TITLE_STYLE.match(name):
            return 1
        heading = _HEADING_STYLE.match(name)
        if heading:
            return max(1, int(heading.group(1)))
        style = style.base_style
    return None


def _is_list_item(paragraph: Paragraph) -> bool:
    """A paragraph in a bulleted or numbered list: by its style, or by Word's numbering property."""
    properties = paragraph._p.pPr  # python-docx has no public accessor for numbering
    if properties is not None and properties.numPr is not None:
        return True
    return paragraph.style is not None and bool(_LIST_STYLE.match(paragraph.style.name or ""))


def _table_lines(table: Table) -> Iterator[Line]:
    """One line per row: its cells' texts joined, merged cells (which repeat) once."""
    for row in table.rows:
        cells: list[str] = []
        for cell in row.cells:
            text = clean_text(" ".join(paragraph.text for paragraph in cell.paragraphs))
            if text and (not cells or cells[-1] != text):
                cells.append(text)
        if cells:
            yield Line(text=CELL_SEPARATOR.join(cells), break_before=True)

"""Saved web pages (``.html``), read with trafilatura.

A party's web page is mostly not programme: menus, cookie banners, news teasers, footers.
trafilatura finds the main content and drops the rest; asked for its XML output it also keeps
the structure (``<head rend="h2">``, ``<p>``, ``<list><item>``, ``<table><row><cell>``), which is
mapped here onto lines with heading levels, bullets and paragraph breaks.  A web page has no
pages, so everything is page 1.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import trafilatura
from lxml import etree

from ..records import ExtractedDocument, Line, Page
from . import BULLET, CELL_SEPARATOR, ExtractionError
from .layout import clean_text

_HEADING_REND = re.compile(r"^h([1-6])$")
# trafilatura's block elements; everything else inside them (hi, ref, lb, …) is inline text.
_BLOCKS = frozenset({"head", "p", "item", "row", "quote", "code", "list", "table"})
_LINES = frozenset({"head", "p", "item", "row", "quote", "code"})


class HtmlExtractor:
    """Reads ``.html`` and ``.htm`` files."""

    name = "html"

    def extract(self, path: Path) -> ExtractedDocument:
        lines = html_lines(path.read_bytes())
        if not lines:
            raise ExtractionError(f"{path}: no main text found in the web page")
        return ExtractedDocument(path=str(path), pages=(Page(number=1, lines=tuple(lines)),))


def html_lines(html: bytes | str) -> list[Line]:
    """The main content of a web page as lines; navigation, banners and footers left out."""
    xml = trafilatura.extract(
        html,
        output_format="xml",
        include_formatting=True,  # keeps the heading levels
        include_tables=True,
        include_comments=False,
        include_images=False,
        include_links=False,
        favor_recall=True,  # a programme page is long and plain: losing text costs more than a stray line
    )
    if not xml:
        return []
    main = etree.fromstring(xml.encode("utf-8")).find("main")
    return [] if main is None else list(_lines(main))


def _lines(main: etree._Element) -> Iterator[Line]:
    for element in main.iter(*_LINES):
        if element.tag != "row" and _in_table(element):
            continue  # read with its row
        text = clean_text(_own_text(element))
        if not text:
            continue
        level = _heading_level(element)
        if element.tag == "item":
            text = BULLET + text
        yield Line(text=text, heading_level=level, break_before=True)


def _heading_level(element: etree._Element) -> int | None:
    if element.tag != "head":
        return None
    rend = _HEADING_REND.match(element.get("rend", ""))
    return int(rend.group(1)) if rend else 2  # a heading of unknown rank: below the page title


def _in_table(element: etree._Element) -> bool:
    return any(ancestor.tag == "row" for ancestor in element.iterancestors())


def _own_text(element: etree._Element) -> str:
    """The element's text without that of nested blocks (a sub-list of an item is its own line).

    A table row joins its cells, each read whole; a line break inside a paragraph becomes a space.
    """
    if element.tag == "row":
        cells = (clean_text(" ".join(cell.itertext())) for cell in element.iterchildren("cell"))
        return CELL_SEPARATOR.join(cell for cell in cells if cell)
    parts = [element.text or ""]
    for child in element:
        if child.tag not in _BLOCKS:
            parts.append(" " if child.tag == "lb" else "")
            parts.append(_own_text(child))
        parts.append(child.tail or "")
    return "".join(parts)

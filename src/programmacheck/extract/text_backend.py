"""Plain text and Markdown: one page of lines, paragraph breaks marked where the source has them.

Blank lines always separate paragraphs.  Markdown soft-wraps paragraphs, so its lines join; a
``.txt`` file joins its lines only when it is hard-wrapped (short lines throughout).  Saved web
pages put each paragraph, menu item or caption on one long line: there every line stands alone.
"""

from __future__ import annotations

import re
from pathlib import Path

from .boilerplate import drop_boilerplate
from ..records import ExtractedDocument, Line, Page
from . import ExtractionError
from .layout import clean_text

MARKDOWN_SUFFIXES = (".md", ".markdown")
HARD_WRAP_CHARS = 100  # a text with 95 % of its lines under this is hard-wrapped

_FRONT_MATTER = re.compile(r"\A---\s*\n.*?\n---\s*\n", re.DOTALL)
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1|(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?!\w)|(?<!\w)_(?!\s)(.+?)(?<!\s)_(?!\w)")
_CODE = re.compile(r"`([^`]*)`")
_HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_QUOTE = re.compile(r"^\s*>\s?")
_RULE = re.compile(r"^\s*([-*_])(\s*\1){2,}\s*$")


class TextExtractor:
    """Reads ``.txt`` and ``.md`` files."""

    name = "text"

    def extract(self, path: Path) -> ExtractedDocument:
        text = _read(path)
        markdown = path.suffix.lower() in MARKDOWN_SUFFIXES
        lines = markdown_lines(text) if markdown else text_lines(text)
        if not any(line.text for line in lines):
            raise ExtractionError(f"{path}: empty file (no text)")
        return ExtractedDocument(path=str(path), pages=(Page(number=1, lines=tuple(lines)),))


def _read(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def text_lines(text: str) -> list[Line]:
    """Lines of a plain-text file; every line breaks unless the file is hard-wrapped."""
    raw = text.splitlines()
    lengths = sorted(len(line.strip()) for line in raw if line.strip())
    wrapped = bool(lengths) and lengths[int(0.95 * (len(lengths) - 1))] <= HARD_WRAP_CHARS
    if not wrapped:  # text saved from a web page: menus, cookie banners and teasers go
        return [Line(text=clean_text(p), break_before=True) for p in drop_boilerplate(raw) if clean_text(p)]
    return _lines(raw, breaks_every_line=False, markdown=False)


def markdown_lines(text: str) -> list[Line]:
    """Lines of a Markdown file with headings levelled and inline syntax stripped."""
    return _lines(_FRONT_MATTER.sub("", text, count=1).splitlines(), breaks_every_line=False, markdown=True)


def _lines(raw: list[str], breaks_every_line: bool, markdown: bool) -> list[Line]:
    lines = []
    blank_before = True
    for source in raw:
        if not source.strip() or (markdown and _RULE.match(source)):
            blank_before = True
            continue
        level = None
        content = source
        if markdown:
            heading = _HEADING.match(source)
            if heading:
                level, content = len(heading.group(1)), heading.group(2)
            content = strip_markdown(_QUOTE.sub("", content))
        content = clean_text(content)
        if content:
            lines.append(Line(text=content, heading_level=level, break_before=blank_before or breaks_every_line))
            blank_before = False
    return lines


def strip_markdown(text: str) -> str:
    """Inline Markdown to plain text: images dropped, links to their text, emphasis unmarked."""
    text = _IMAGE.sub("", text)
    text = _LINK.sub(r"\1", text)
    text = _CODE.sub(r"\1", text)
    text = _HTML_TAG.sub("", text)
    previous = None
    while previous != text:  # nested emphasis (***x***) needs more than one pass
        previous = text
        text = _EMPHASIS.sub(lambda m: next(g for g in m.groups()[1:] if g is not None), text)
    return text.rstrip("\\").rstrip()

"""Plain text and Markdown: one page of lines, paragraph breaks marked where the source has them.

Blank lines always separate paragraphs.  Markdown soft-wraps paragraphs, so its lines join; a
``.txt`` file joins its lines only when it is hard-wrapped (short lines throughout).  Saved web
pages put each paragraph, menu item or caption on one long line: there every line stands alone.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from ..records import ExtractedDocument, Line, Page
from . import ExtractionError
from .boilerplate import drop_boilerplate
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
            if not markdown and text.strip():  # there was text, and the web-page filter took all of it
                raise ExtractionError(
                    f"{path}: no programme text (everything in it reads as web-page menus, banners "
                    "or lines repeated throughout)"
                )
            raise ExtractionError(f"{path}: empty file (no text)")
        return ExtractedDocument(path=str(path), pages=(Page(number=1, lines=tuple(lines)),))


#: Byte order marks, longest first (UTF-32's LE mark begins with UTF-16's).
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
#: A text without a mark whose even (or odd) bytes are this often NUL is UTF-16 without BOM.
UTF16_NUL_SHARE = 0.3


def _read(path: Path) -> str:
    """The text of a file in whichever encoding Dutch users save: UTF-8 (with or without BOM),
    UTF-16 ("Unicode" in Windows Notepad) or UTF-32 by their mark or their NUL bytes, else
    Windows-1252.  Why: read as UTF-8/1252, UTF-16 is letters between NULs, which no keyword
    matches, and every item came out ``absent`` without a word of warning."""
    data = path.read_bytes()
    encoding = _encoding(data)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        if encoding != "utf-8-sig":
            raise ExtractionError(f"{path}: not readable as {encoding.upper()} text (damaged?)") from None
        text = data.decode("cp1252", errors="replace")
    if "\x00" in text:
        raise ExtractionError(f"{path}: binary data, not text (NUL bytes); is it a renamed file of another kind?")
    return text


def _encoding(data: bytes) -> str:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    sample = data[:4096]
    half = max(len(sample) // 2, 1)
    if sample[1::2].count(0) / half > UTF16_NUL_SHARE and sample[0::2].count(0) < sample[1::2].count(0):
        return "utf-16-le"
    if sample[0::2].count(0) / half > UTF16_NUL_SHARE and sample[1::2].count(0) < sample[0::2].count(0):
        return "utf-16-be"
    return "utf-8-sig"


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

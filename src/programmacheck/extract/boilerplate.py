"""Boilerplate in text saved from party websites: menus, cookie banners, teasers, share links.

A web page saved as text (or copied out of a browser) puts every menu item, button, date and
inline link on a line of its own, and repeats the site's header and footer on every page.  Left
in, they become paragraphs that the matcher reads as programme text.  :func:`drop_boilerplate`
removes them in four passes, each for a kind of chrome that is easy to recognise on its own:

* site chrome repeated on many pages (footers, "Doe mee", "Lees voor") — by repetition;
* cookie and consent banners — by their fixed vocabulary;
* link labels, share buttons, icon names, bare dates and numbers — by their form;
* menus and lists of names — runs of several short lines that are no sentence.

jusText (the usual library for this) was tried on these files and kept the menus and the cookie
banners: it judges each paragraph by its stop-word density, and banner sentences are good Dutch.

Browsers also cut a sentence into lines where a link or bold text starts or ends ("• Een" /
"sterk en vitaal centrum" / ", met bijzondere aandacht …"), so lines are first joined back into
paragraphs (:func:`web_paragraphs`); otherwise every fragment would look like a menu item.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

MENU_WORDS = 6  # a line of at most this many words and no final full stop may be a menu item
MENU_RUN = 3  # this many such lines in a row are a menu (one or two are headings)
REPEATS = 3  # a paragraph on this many places of one file is site chrome
#: A cookie banner is a few sentences; a longer paragraph that mentions cookies is programme text
#: (a whole programme saved on one line once went as "banner").
BANNER_WORDS = 80

_BULLET_ONLY = re.compile(r"^[•●▪◦·\-–—]$")  # not "*": alone, it marks a required form field
_BULLETED = re.compile(r"^[•●▪◦·➢►▶✓✔\-–—]\s")
_STARTS_INSIDE = re.compile(r"^[,.;:!?)\]’”%]")
_STARTS_LOWER = re.compile(r"^[a-zà-ÿ(‘“'\"]")
_SENTENCE_END = re.compile(r"[.!?]['\"”’)]*$")
_WORD = re.compile(r"\w+")
# Words a Dutch sentence cannot end on: a line ending on one goes on, whatever the next starts with.
_OPEN_ENDS = frozenset(
    [
        "aan",
        "als",
        "bij",
        "dan",
        "dat",
        "de",
        "die",
        "door",
        "een",
        "en",
        "het",
        "in",
        "met",
        "naar",
        "of",
        "om",
        "op",
        "over",
        "te",
        "tot",
        "uit",
        "van",
        "voor",
        "zoals",
        "zodat",
    ]
)

# A scraper's or browser's own lines: "# Gescraped op: …", "=====", "Bron: https://…", a bare URL.
_METADATA = re.compile(
    r"^(?:#\s.*|[=\-_*~]{3,}|(?:bron|source|url)\s*:\s*\S+|(?:https?://|www\.)\S+|\[email\s+protected\])$",
    re.IGNORECASE,
)
_COOKIE = re.compile(r"cookie|technische opslag of toegang", re.IGNORECASE)
_CONSENT_BUTTON = re.compile(
    r"^(?:(?:alle(?:s)?\s+)?(?:accepteren|accepteer|weigeren|weiger|toestaan|afwijzen)|(?:bekijk\s+)?voorkeuren(?:\s+opslaan)?"
    r"|beheer\s+\S+(?:\s+\S+)?|altijd actief|functioneel|statistieken|marketing|\{\w+\})$",
    re.IGNORECASE,
)
_LINK_LABEL = re.compile(
    r"^(?:lees\s+(?:meer|verder|voor|nu)|meer\s+(?:nieuws|lezen|info(?:rmatie)?)|alle\s+(?:nieuws|mensen|kandidaten|standpunten|publicaties)"
    r"|terug(?:\s+naar\s+\S+)?|naar\s+(?:inhoud|footer|boven|homepage|alle\s+\S+)|ga\s+direct\s+naar.*|sla\s+.*\s+over"
    r"|deel(?:\s+(?:dit\s+|via\s+)?[^\W\d]+)?|delen|share(?:\s+this\s+post)?|kopieer\s+link|kopier\s+link|url\s+kopi[eë]ren.*"
    r"|facebook|twitter(?:\s+\(x\))?|x|linkedin|instagram|youtube|whatsapp|tiktok|mail|e-?mail|print|download"
    r"|home|menu|zoeken:?|sluit\s+\S+|contact|nieuws(?:overzicht)?|filter(?:\s+op\s+\S+)?|toon\s+resultaten|wis\s+filters"
    r"|word\s+lid|lid\s+worden|doneer|doe\s+mee|verzenden|versturen|\d+\s+minut(?:en|en?)\s+lezen)"
    r"\W*$",
    re.IGNORECASE,
)
_ICON_NAME = re.compile(r"^[a-z]+(?:[A-Z][a-z]+)+$")  # arrowDown, chevronLeft
_MONTHS = "januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december"
_DATE = re.compile(
    rf"^(?:\w+dag\s+)?\d{{1,2}}(?:\s+(?:{_MONTHS}|jan|feb|mrt|apr|jun|jul|aug|sep|okt|nov|dec)\.?|[./-]\d{{1,2}}[./-])\s*\d{{2,4}}$",
    re.IGNORECASE,
)
_NO_WORD = re.compile(r"^[\W\d_]*\w?[\W\d_]*$")  # "1", "/", "—", "€2", ",-": no word of two letters


def drop_boilerplate(lines: list[str]) -> list[str]:
    """The paragraphs of saved web text, without menus, banners, teasers and share links.

    Returns paragraphs, not lines: fragments of one sentence are joined first (see module doc).
    """
    paragraphs = web_paragraphs(lines)
    counts = Counter(_normal(paragraph) for paragraph in paragraphs)
    keep = [counts[_normal(paragraph)] < REPEATS and not is_boilerplate_line(paragraph) for paragraph in paragraphs]
    for run, before_text in _menu_runs(paragraphs, keep):
        # The last short line before text is that text's heading, not a menu item.
        for index in run[:-1] if before_text else run:
            keep[index] = False
    return _first_occurrences(paragraph for paragraph, kept in zip(paragraphs, keep, strict=True) if kept)


def web_paragraphs(lines: list[str]) -> list[str]:
    """Lines joined back where a browser cut a sentence at a link or bold word; blank lines end one."""
    paragraphs: list[str] = []
    open_paragraph = False
    for raw in lines:
        line = raw.strip()
        if not line:
            open_paragraph = False
            continue
        if open_paragraph and _continues(paragraphs[-1], line):
            paragraphs[-1] = _join(paragraphs[-1], line)
        else:
            paragraphs.append(line)
        open_paragraph = True
    return paragraphs


def is_boilerplate_line(text: str) -> bool:
    """Chrome recognisable on its own: metadata, consent banner text, link labels, dates, icons."""
    if _METADATA.match(text) or _CONSENT_BUTTON.match(text) or _LINK_LABEL.match(text):
        return True
    if _ICON_NAME.match(text) or _DATE.match(text) or _NO_WORD.match(text):
        return True
    return _COOKIE.search(text) is not None and len(_WORD.findall(text)) <= BANNER_WORDS


def _continues(previous: str, line: str) -> bool:
    if _BULLET_ONLY.match(previous) or _STARTS_INSIDE.match(line):
        return True
    if len(previous) == 1 and previous.isupper() and line[:1].islower():
        return True  # a drop capital: "D" / "aarbij laten wij …"
    if _SENTENCE_END.search(previous) or is_boilerplate_line(previous):
        return False
    last_word = previous.rsplit(maxsplit=1)[-1]
    return _STARTS_LOWER.match(line) is not None or last_word in _OPEN_ENDS


def _join(previous: str, line: str) -> str:
    if _STARTS_INSIDE.match(line) or (len(previous) == 1 and previous.isupper()):
        return previous + line
    return f"{previous} {line}"


def _is_short(paragraph: str) -> bool:
    """Menu-item shaped: few words, no full stop, and no list bullet (menus saved as text carry none)."""
    return (
        len(_WORD.findall(paragraph)) <= MENU_WORDS
        and not _SENTENCE_END.search(paragraph)
        and not _BULLETED.match(paragraph)
    )


def _menu_runs(paragraphs: list[str], keep: list[bool]) -> Iterator[tuple[list[int], bool]]:
    """The kept lines of each run of at least MENU_RUN short lines, and whether text follows it.

    Short lines already dropped ("Home", "Contact") still count towards a run: they are the
    rest of the menu.  Long dropped paragraphs (a cookie banner) neither count nor break it.
    """
    run: list[int] = []
    length = 0
    for index, (paragraph, kept) in enumerate(zip(paragraphs, keep, strict=True)):
        if _is_short(paragraph):
            length += 1
            run += [index] if kept else []
            continue
        if not kept:
            continue
        if length >= MENU_RUN and run:
            yield run, True
        run, length = [], 0
    if length >= MENU_RUN and run:
        yield run, False


def _first_occurrences(paragraphs: Iterator[str]) -> list[str]:
    """A paragraph saved twice (a teaser and its page) is read once."""
    seen: set[str] = set()
    unique = []
    for paragraph in paragraphs:
        key = _normal(paragraph)
        if key not in seen or _is_short(paragraph):
            seen.add(key)
            unique.append(paragraph)
    return unique


def _normal(text: str) -> str:
    return " ".join(_WORD.findall(text.lower().replace("\xad", "")))

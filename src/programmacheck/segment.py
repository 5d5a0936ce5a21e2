"""Stage 2, segment: pages of lines → paragraphs a reader would see → sentence windows.

:func:`paragraphs` joins lines into paragraphs by vertical gap, indentation, font, bullets and
numbered proposals; joins words hyphenated at a line end; follows a paragraph across a page or
column break, or past a pull quote or caption, when it stopped mid-sentence; keeps a bold
sentence running on in lower case inside its paragraph; and tracks the heading path.  Plain-text sources
(no geometry) split at the blank lines the extractor marked.

:func:`passages` is the one place that cuts paragraphs into sentence windows, short enough to
quote as evidence and for the embedding model (512 tokens) to read whole.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import groupby

from wordfreq import zipf_frequency

from . import nlp
from .records import SECTION_SEPARATOR, ExtractedDocument, Line, Paragraph, ParagraphKind, Passage

# Bullet glyphs, including Symbol/Wingdings bullets that arrive as private-use code points.
# Dashes and asterisks only count when a space follows ("-5 %" is no bullet).
BULLET_MARKER = re.compile(r"^\s*(?:[•●▪■◦○‣⁃∙·◆►▶✓✔\ue000-\uf8ff]\s*|[-–—*+]\s+)(?=\S)")
# Markers that also occur in running text: a dash clause or a number wrapped to a line start.
WEAK_MARKER = re.compile(r"^\s*[-–—]\s")
# "1.", "1.1.", "1.1", "1)" before a word that does not start in lower case.
NUMBERED = re.compile(r"^\s*(\d{1,2}(?:\.\d{1,2})*[.)]|\d{1,2}(?:\.\d{1,2})+)\s+(?=[^\sa-zà-ÿ])")
SENTENCE_END = re.compile(r"[.!?:;…]['\"”’)]*$")
_WORDS = re.compile(r"[^\W\d_]+")
_LETTER = re.compile(r"[^\W\d_]")
# A hyphen before these words suspends a compound ("zorg- en welzijnsinstellingen").
SUSPENDING_WORDS = frozenset({"en", "of", "tot", "noch", "als", "dan", "resp"})
SOFT_HYPHEN = "\xad"

HEADING_SIZE_RATIO = 1.15  # a line this much larger than body text is a heading
MAX_HEADING_WORDS = 20
MAX_BOLD_HEADING_WORDS = 12
GAP_RATIO = 1.4  # a line pitch this much above the usual one opens a paragraph
SHORT_LINE_RATIO = 0.66  # a sentence-final line this much shorter than its block ends it

MAX_ASIDES = 3  # blocks (pull quotes, captions) that may stand between a paragraph and its resumption

WINDOW_WORDS = 40
MAX_SENTENCE_WORDS = 60
_CLAUSE_BREAK = re.compile(r"(?<=[,;])\s+")


# --- document style ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Style:
    """What is normal in this document: body font size, heading styles, line pitch."""

    body_size: float
    heading_styles: tuple[tuple[float, bool], ...]  # (size, bold), largest first; index + 1 = level
    pitch_ratio: float  # usual distance between baselines, in font sizes
    bold_headings: bool = True  # False where bold body-size text comes in long runs

    @classmethod
    def of(cls, lines: Sequence[Line]) -> Style:
        """Body size = the size most text is set in; heading styles = larger sizes (and weights) used
        in short runs.

        A larger size used for whole paragraphs (an introduction, a pull quote) is no heading
        size: its runs of consecutive lines are long.  The same test decides whether bold text
        at body size marks headings or is just emphasis (or the body font itself).
        """
        sized = [line for line in lines if line.size]
        if not sized:
            return cls(body_size=0.0, heading_styles=(), pitch_ratio=1.2)
        weight: Counter[float] = Counter()
        for line in sized:
            assert line.size is not None  # sized lines only
            weight[_round_size(line.size)] += len(line.text)
        body = weight.most_common(1)[0][0]
        runs: dict[tuple[float, bool], list[int]] = {}
        for (size, bold), run in groupby(sized, key=lambda line: (_round_size(line.size or 0), line.bold)):
            runs.setdefault((size, bold), []).append(sum(len(line.text.split()) for line in run))
        large = {
            style
            for style, words in runs.items()
            if style[0] >= body * HEADING_SIZE_RATIO and _mostly_short(words, MAX_HEADING_WORDS)
        }
        bold_runs = [
            n
            for style, words in runs.items()
            if style[1] and body - 0.5 <= style[0] < body * HEADING_SIZE_RATIO
            for n in words
        ]
        return cls(
            body_size=body,
            heading_styles=tuple(sorted(large, reverse=True)),
            pitch_ratio=_pitch_ratio(sized),
            bold_headings=_mostly_short(bold_runs, MAX_BOLD_HEADING_WORDS),
        )

    def heading_level(self, line: Line) -> int | None:
        """1 for the largest heading size … ; bold body-size lines get the level below them."""
        if line.heading_level is not None:
            return line.heading_level
        if not line.size or not self.body_size:
            return None
        style = (_round_size(line.size), line.bold)
        if style in self.heading_styles and _heading_shaped(line, MAX_HEADING_WORDS):
            return self.heading_styles.index(style) + 1
        if (
            line.bold
            and self.bold_headings
            and self.body_size - 0.5 <= style[0] < self.body_size * HEADING_SIZE_RATIO
            and _heading_shaped(line, MAX_BOLD_HEADING_WORDS)
        ):
            return len(self.heading_styles) + 1
        return None


def _mostly_short(run_words: Sequence[int], limit: int) -> bool:
    """Whether most words set in a style stand in runs of at most ``limit`` words."""
    short = sum(n for n in run_words if n <= limit)
    return short > 0 and short >= sum(run_words) / 2


def _round_size(size: float) -> float:
    return round(size * 2) / 2


def _heading_shaped(line: Line, max_words: int) -> bool:
    """Short, with letters, not a bullet, not ending like a running sentence."""
    text = line.text.strip()
    return (
        bool(_LETTER.search(text))
        and len(text.split()) <= max_words
        and not BULLET_MARKER.match(text)
        and not (text.endswith(".") and len(text.split()) > 3)
    )


def _pitch_ratio(lines: Sequence[Line]) -> float:
    """Median baseline distance between consecutive same-size lines, relative to the size."""
    ratios = [
        (b.bottom - a.bottom) / a.size
        for a, b in zip(lines, lines[1:])
        if a.size
        and a.size == b.size
        and a.bottom is not None
        and b.bottom is not None
        and b.bottom > a.bottom
        and abs((a.x0 or 0) - (b.x0 or 0)) < a.size * 3
    ]
    return statistics.median(ratios) if ratios else 1.2


# --- hyphenation -------------------------------------------------------------------------------


def _is_word(word: str, vocabulary: frozenset[str]) -> bool:
    return word in vocabulary or _known_dutch(word)


@lru_cache(maxsize=65536)
def _known_dutch(word: str) -> bool:
    return zipf_frequency(word, "nl") > 0


def join_hyphenated(left: str, right: str, vocabulary: frozenset[str]) -> str:
    """Join two line texts where ``left`` ends in a hyphen: a broken word, or a real hyphen?

    A real hyphen stays before a capital or digit ("Noord-Holland") and before a conjunction
    ("zorg- en welzijn", where the space stays too).  Otherwise the joined form wins when it is a
    word (this document's own vocabulary first, then Dutch word frequencies); when it is not but
    both halves are, the hyphen was real ("ggz-instelling"); fragments ("reduc-tie…") are joined.
    """
    if left.endswith(SOFT_HYPHEN):
        return left[:-1] + right
    head = _WORDS.findall(left[-40:])
    tail = _WORDS.findall(right[:40])
    first = right.lstrip()[:1]
    if not head or not tail or not left[-2:-1].isalpha() or not first.isalpha():
        return f"{left} {right}"
    before, after = head[-1].lower(), tail[0]
    if first.isupper():
        return left + right
    if after.lower() in SUSPENDING_WORDS:
        return f"{left} {right}"
    joined = before + after.lower()
    if _is_word(joined, vocabulary) or not (_is_word(before, vocabulary) and _is_word(after.lower(), vocabulary)):
        return left[:-1] + right
    return left + right


def vocabulary_of(lines: Iterable[Line]) -> frozenset[str]:
    """Words the document spells whole somewhere, the first authority on a hyphenated join."""
    words: set[str] = set()
    for line in lines:
        text = line.text.rstrip("-" + SOFT_HYPHEN)
        words.update(word.lower() for word in _WORDS.findall(text))
    return frozenset(words)


# --- paragraphs --------------------------------------------------------------------------------


@dataclass
class _Block:
    """A paragraph being built: its lines and what kind it is."""

    page: int
    kind: ParagraphKind
    level: int | None
    lines: list[Line] = field(default_factory=list)
    skip: bool = False
    ocr: bool = False

    @property
    def last(self) -> Line:
        return self.lines[-1]

    def text(self, vocabulary: frozenset[str]) -> str:
        text = self.lines[0].text
        for line in self.lines[1:]:
            if text.endswith(("-", SOFT_HYPHEN)):
                text = join_hyphenated(text, line.text, vocabulary)
            else:
                text = f"{text} {line.text}"
        if self.kind == "bullet":
            text = BULLET_MARKER.sub("", text, count=1)
        return re.sub(r"\s+", " ", text).strip()


def _kind(line: Line, level: int | None) -> ParagraphKind:
    if level is not None:
        return "heading"
    if BULLET_MARKER.match(line.text) or NUMBERED.match(line.text):
        return "bullet"
    return "body"


def _ends_sentence(text: str) -> bool:
    return SENTENCE_END.search(text.rstrip()) is not None


def _continues(block: _Block, line: Line, kind: ParagraphKind, level: int | None, style: Style) -> bool:
    """Does ``line`` (on the block's page) continue ``block``?"""
    if line.break_before:
        return False
    if kind == "bullet":  # "zie paragraaf \n 2.3 …" or "behouden \n – kappen met kappen –" goes on
        dash = WEAK_MARKER.match(line.text)
        weak = NUMBERED.match(line.text) is not None or dash is not None
        # Inside a bullet of another marker, a dash clause wrapped to a line start goes on too.
        in_bullet = (
            block.kind == "bullet"
            and dash is not None
            and not WEAK_MARKER.match(block.lines[0].text)
            and line.text[dash.end() :][:1].islower()
        )
        return (
            weak
            and (block.kind == "body" or in_bullet)
            and not _ends_sentence(block.last.text)
            and _close_below(block.last, line, style)
        )
    if block.kind == "heading" and kind == "body" and line.bold == block.last.bold:
        # Heading-styled lines running on into a sentence are a paragraph in that style (a bold
        # lead): only the lines short enough looked like a heading.
        return _goes_on_in_lower_case(block.last, line, style)
    if kind == "heading" or block.kind == "heading":
        return (
            kind == block.kind
            and level == block.level
            and line.size == block.last.size
            and _close_below(block.last, line, style)
        )
    previous = block.last
    if previous.top is None or line.top is None:
        return True  # plain text: only blank lines, bullets and headings break
    if _next_column(previous, line):
        return not _ends_sentence(previous.text)  # next column: continue a sentence only
    if line.text[:1].islower() and not _ends_sentence(previous.text) and not _size_changed(previous, line):
        return True  # a sentence resumes below a picture or a quote set into its column
    if not _close_below(previous, line, style) or _size_changed(previous, line):
        return False
    if not _ends_sentence(previous.text):
        return True
    if block.kind == "bullet":
        return not _outdented(block, line)  # continuation lines hang indented under the marker
    return not (_indented(previous, line) or (_short(previous, block) and len(block.lines) > 1))


def _next_column(previous: Line, line: Line) -> bool:
    """``line`` stands above or right of ``previous``: the text went on in the next column."""
    assert previous.top is not None and line.top is not None
    return line.top < previous.top - 1 or (previous.x1 is not None and line.x0 is not None and line.x0 > previous.x1)


def _close_below(previous: Line, line: Line, style: Style) -> bool:
    if previous.bottom is None or line.bottom is None:
        return True
    size = previous.size or style.body_size or 10.0
    return 0 <= line.bottom - previous.bottom <= size * style.pitch_ratio * GAP_RATIO


def _size_changed(previous: Line, line: Line) -> bool:
    if not previous.size or not line.size:
        return False
    return abs(previous.size - line.size) > max(1.0, 0.1 * previous.size)


def _outdented(block: _Block, line: Line) -> bool:
    """In a bullet whose continuation lines are indented, a line back at the margin is not one."""
    indents = [other.x0 for other in block.lines[1:] if other.x0 is not None]
    return bool(indents) and line.x0 is not None and line.x0 < min(indents) - 2


def _indented(previous: Line, line: Line) -> bool:
    """A first-line indent after a finished sentence opens a paragraph."""
    if previous.x0 is None or line.x0 is None:
        return False
    return line.x0 - previous.x0 > (previous.size or 10.0) * 0.8


def _short(previous: Line, block: _Block) -> bool:
    widths = [other.x1 - other.x0 for other in block.lines if other.x0 is not None and other.x1 is not None]
    if previous.x0 is None or previous.x1 is None or not widths:
        return False
    return previous.x1 - previous.x0 < SHORT_LINE_RATIO * max(widths)


def _goes_on_in_lower_case(previous: Line, line: Line, style: Style) -> bool:
    """A line in lower case right below an unfinished line, or atop the next column, in the
    same size."""
    placed = _close_below(previous, line, style) or (
        previous.top is not None and line.top is not None and _next_column(previous, line)
    )
    return (
        line.text[:1].islower() and not _ends_sentence(previous.text) and placed and not _size_changed(previous, line)
    )


def _joins_across_break(block: _Block, line: Line, kind: ParagraphKind, skip: bool) -> bool:
    """A paragraph that stopped mid-sentence at a page end goes on on the next page.

    Not at a line without letters (a page or chapter number, an ornament, drawn above the text):
    it stands apart, and the text below it resumes the paragraph.  A paragraph goes on into a
    page of the other matchability (from a cover into the first page of text) only when the line
    visibly continues the sentence, in lower case.
    """
    return (
        block.kind in ("body", "bullet")
        and kind == "body"
        and not _ends_sentence(block.last.text)
        and not line.break_before
        and _has_letters(line.text)
        and (block.skip == skip or line.text[:1].islower())
    )


def _has_letters(text: str) -> bool:
    return _LETTER.search(text) is not None


def _blocks(extracted: ExtractedDocument, style: Style) -> list[_Block]:
    blocks: list[_Block] = []
    for page in extracted.pages:
        for number, line in enumerate(page.lines):
            current = blocks[-1] if blocks else None
            level = style.heading_level(line)
            if (
                level is not None
                and number
                and current is not None
                and current.kind != "heading"
                and _goes_on_in_lower_case(current.last, line, style)
            ):
                level = None  # a bold sentence running on inside a paragraph is no heading
            kind = _kind(line, level)
            if current is None:
                joins = False
            elif number == 0:
                joins = _joins_across_break(current, line, kind, page.skip_matching)
            else:
                joins = _continues(current, line, kind, level, style)
            resumed = None if joins else _resumed(blocks, line, kind, page.skip_matching)
            if joins:
                assert current is not None
                current.skip = current.skip and page.skip_matching  # read whole if any of it is read
            elif resumed is not None:
                blocks.append(blocks.pop(resumed))  # the aside now reads before the paragraph it interrupted
            else:
                blocks.append(_Block(page.number, kind, level, [], page.skip_matching, page.ocr))
            _add(blocks[-1], line, kind)
    return blocks


def _add(block: _Block, line: Line, kind: ParagraphKind) -> None:
    """Add a line of ``kind``.  A heading that a line of text continues, or that grows past
    :data:`MAX_HEADING_WORDS`, turns out to be a paragraph set in a heading style (a bold lead),
    and is read as body from then on, so that the lines after it continue it by the rules of
    text (into the next column, say)."""
    block.lines.append(line)
    too_long = sum(len(other.text.split()) for other in block.lines) > MAX_HEADING_WORDS
    if block.kind == "heading" and (kind != "heading" or too_long):
        block.kind, block.level = "body", None


def _resumed(blocks: Sequence[_Block], line: Line, kind: ParagraphKind, skip: bool) -> int | None:
    """The paragraph a lower-case line resumes after an aside (a pull quote, a caption, a heading
    drawn in between) interrupted it mid-sentence: the index of that block, or None.

    Asides are headings or set in another size than the text; the first block back in the
    line's own size is the only candidate (the one right before the line was judged already).
    """
    if kind != "body" or not line.text[:1].islower() or line.break_before:
        return None
    for index in range(len(blocks) - 1, max(-1, len(blocks) - 2 - MAX_ASIDES), -1):
        block = blocks[index]
        if block.kind != "heading" and not _size_changed(block.last, line):
            interrupted = index < len(blocks) - 1 and not _ends_sentence(block.last.text) and block.skip == skip
            return index if interrupted else None
    return None


def paragraphs(document: str, extracted: ExtractedDocument) -> list[Paragraph]:
    """The document's paragraphs in reading order, each with its page and heading path."""
    all_lines = [line for page in extracted.pages for line in page.lines]
    style = Style.of(all_lines)
    vocabulary = vocabulary_of(all_lines)
    path: list[tuple[int, str]] = []
    result = []
    for block in _blocks(extracted, style):
        text = block.text(vocabulary)
        if not _has_letters(text):
            continue  # bare numbers and ornaments say nothing
        if block.kind == "heading" and not block.skip and block.level is not None:
            path = [entry for entry in path if entry[0] < block.level] + [(block.level, text)]
        result.append(
            Paragraph(
                document=document,
                page=block.page,
                section=SECTION_SEPARATOR.join(title for _, title in path),
                text=text,
                kind=block.kind,
                ocr=block.ocr,
                matchable=block.kind != "heading" and not block.skip,
            )
        )
    return result


# --- passages ----------------------------------------------------------------------------------


#: The longest text spaCy splits into sentences at once; a longer paragraph goes in pieces.  Why:
#: spaCy refuses texts over a million characters (E088), and a programme saved on one line of a
#: .txt file is one paragraph of that size.  A real paragraph is a few thousand characters.
NLP_CHARS = 100_000


def passages(paragraphs: list[Paragraph]) -> list[Passage]:
    """Sentence windows of up to ~40 words for every matchable paragraph, in order."""
    chosen = [(index, piece) for index, p in enumerate(paragraphs) if p.matchable for piece in pieces(p.text)]
    pipeline = nlp.load_pipeline()
    result: list[Passage] = []
    texts = (text for _, text in chosen)
    for (index, _), doc in zip(chosen, pipeline.pipe(texts, disable=nlp.lemmatizers(pipeline))):
        sentences = [s.text.strip() for s in doc.sents if s.text.strip()]
        result.extend(Passage(paragraph=index, text=window) for window in windows(sentences))
    return result


def pieces(text: str, limit: int = NLP_CHARS) -> list[str]:
    """``text`` cut into pieces of at most ``limit`` characters, each after a sentence end (or a
    space) where there is one; short texts (all real paragraphs) whole."""
    out = []
    while len(text) > limit:
        cut = max(text.rfind(". ", 0, limit) + 1, 0) or text.rfind(" ", 0, limit) + 1 or limit
        out.append(text[:cut])
        text = text[cut:].lstrip()
    return [*out, text] if text else out


def windows(sentences: Sequence[str], limit: int = WINDOW_WORDS) -> list[str]:
    """Whole sentences grouped greedily up to ``limit`` words; overlong sentences cut first."""
    pieces = [piece for sentence in sentences for piece in split_long(sentence)]
    result: list[str] = []
    current: list[str] = []
    count = 0
    for piece in pieces:
        words = len(piece.split())
        if current and count + words > limit:
            result.append(" ".join(current))
            current, count = [], 0
        current.append(piece)
        count += words
    if current:
        result.append(" ".join(current))
    return result


def split_long(sentence: str, limit: int = MAX_SENTENCE_WORDS) -> list[str]:
    """A sentence of at most ``limit`` words, else its clauses (at , and ;), else hard cuts."""
    if len(sentence.split()) <= limit:
        return [sentence]
    pieces: list[str] = []
    for clause in _CLAUSE_BREAK.split(sentence):
        words = clause.split()
        if pieces and len(pieces[-1].split()) + len(words) <= limit:
            pieces[-1] = f"{pieces[-1]} {clause}"
        else:
            pieces.extend(" ".join(words[i : i + limit]) for i in range(0, len(words), limit))
    return pieces

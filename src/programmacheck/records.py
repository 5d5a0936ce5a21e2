"""The small typed records that travel between the pipeline stages.

extract → :class:`ExtractedDocument` (pages of positioned lines)
segment → :class:`Paragraph` (clean text with page and heading path) and :class:`Passage`
          (a sentence window of a paragraph, the unit that matching reads)
          :class:`FileText` (one file's paragraphs) and :class:`ProgrammeText` (a programme's)
match   → :class:`Evidence` and :class:`ItemVerdict` (one per programme × checklist item)
report  → :class:`ProgrammeResult` and :class:`Failure` (what a scan gives for each programme)

Keeping them here, free of any library import, lets every stage and every test build them
by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, get_args

if TYPE_CHECKING:  # reviews imports this module; the annotation alone needs the name
    from .reviews import AppliedReview

#: The four verdicts, in the order of every table, legend and confusion matrix.
Verdict = Literal["addressed", "partial", "contrary", "absent"]
VERDICTS: tuple[Verdict, ...] = get_args(Verdict)
#: Between the headings of a paragraph's section ("Zorg › Dakloosheid"), and after the file name
#: in the sections of a programme of several files ("wonen.md › Zorg").
SECTION_SEPARATOR = " › "
#: One character per verdict, shared by the terminal coverage table and the HTML report so the
#: two read alike.
VERDICT_SYMBOLS: dict[Verdict, str] = {"addressed": "●", "partial": "◐", "contrary": "✗", "absent": "·"}
#: What the segmenter made of a paragraph: running text, a heading, or a list item (whose bullet
#: or number it drops).  Headings become the ``section`` of what follows and are never matched.
ParagraphKind = Literal["body", "heading", "bullet"]


@dataclass(frozen=True)
class Line:
    """One line of text as the extractor read it, in reading order.

    Geometry and font are optional: plain-text formats have none.  ``heading_level`` is set
    when the source format says so itself (Markdown ``#``, Word heading styles); for PDFs the
    segmenter infers headings from ``size`` and ``bold``.
    """

    text: str
    x0: float | None = None
    top: float | None = None
    x1: float | None = None
    bottom: float | None = None
    size: float | None = None
    bold: bool = False
    heading_level: int | None = None
    # True where the source marks a hard paragraph break before this line (blank line in text).
    break_before: bool = False


@dataclass(frozen=True)
class Page:
    """A page (1-based, as a PDF viewer counts) and its lines in reading order."""

    number: int
    lines: tuple[Line, ...]
    width: float | None = None
    height: float | None = None
    ocr: bool = False
    # Cover, table of contents: kept in paragraphs.jsonl but left out of matching.
    skip_matching: bool = False


@dataclass(frozen=True)
class ExtractedDocument:
    """What an extractor returns for one file."""

    path: str
    pages: tuple[Page, ...]
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Paragraph:
    """A paragraph a careful reader would see, with where it stands."""

    document: str
    page: int
    section: str
    text: str
    kind: ParagraphKind = "body"
    ocr: bool = False
    matchable: bool = True

    def content(self) -> list:
        """Everything but the document name: what the batch store keeps and keys by."""
        return [self.page, self.section, self.text, self.kind, self.ocr, self.matchable]


@dataclass(frozen=True)
class Passage:
    """A window of whole sentences from one paragraph, short enough to quote and to embed whole."""

    paragraph: int  # index into the programme's paragraph list
    text: str


@dataclass(frozen=True)
class Evidence:
    """One quote that supports a verdict."""

    page: int
    section: str
    quote: str
    score: float
    signals: tuple[str, ...] = ()


@dataclass(frozen=True)
class ItemVerdict:
    """The programme-level verdict for one checklist item.

    ``review`` is a person's review in force on the cell (``reviews.apply_review``): ``verdict``
    is then the reviewed verdict, and the tool's own is ``tool_verdict``.
    """

    document: str
    item_id: str
    theme_id: str
    verdict: Verdict
    score: float
    evidence: tuple[Evidence, ...] = ()
    review: AppliedReview | None = None

    @property
    def tool_verdict(self) -> Verdict:
        return self.review.tool_verdict if self.review else self.verdict


@dataclass(frozen=True)
class Programme:
    """One party programme: one or more files read as one document, plus its metadata."""

    document: str
    files: tuple[str, ...]
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class FileText:
    """One file read and cut into paragraphs; ``document`` is left empty (a file's text does not
    depend on the programme it belongs to, so the batch store keeps it by content)."""

    paragraphs: tuple[Paragraph, ...]
    warnings: tuple[str, ...] = ()

    @property
    def pages(self) -> int:
        return len({p.page for p in self.paragraphs})


@dataclass(frozen=True)
class ProgrammeText:
    """A programme read and segmented: what matching needs."""

    paragraphs: list[Paragraph]
    passages: list[Passage]
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProgrammeResult:
    """One programme scanned: its paragraphs and a verdict per checklist item."""

    programme: Programme
    paragraphs: list[Paragraph]
    verdicts: list[ItemVerdict]
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Failure:
    """A programme or file that could not be scanned, with the one-line reason."""

    document: str
    message: str


@dataclass
class ScanResult:
    results: list[ProgrammeResult] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)

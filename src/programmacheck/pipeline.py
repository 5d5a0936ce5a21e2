"""The library API: scan programmes against a checklist (extract → segment → match → verdicts).

The CLI and the notebooks both use :class:`Scanner`.  A file that cannot be read becomes a
:class:`Failure` with a one-line message, and the batch goes on with the other files.

spaCy (which pulls in torch when it is installed) is imported only where text is segmented or
matched, so that importing this module stays cheap: a batch rescan that the store answers
(:mod:`programmacheck.batch`) never needs either.
"""

from __future__ import annotations

import logging
import os
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .checklist import Checklist, LoadedChecklist, load_checklist
from .embed import DEFAULT_MODEL, Embedder, get_embedder
from .embed.cache import CachedEmbedder
from .extract import DEFAULT_PDF_BACKEND, ExtractionError, extract_file
from .match.dense import DenseMatcher
from .records import Evidence, ItemVerdict, Paragraph, Passage, Programme

if TYPE_CHECKING:
    from .match.hybrid import ItemSignals, ProgrammeMatches
    from .match.keyword import KeywordHit, KeywordMatcher
    from .match.lexical import LexicalMatcher
    from .verdict import LoadedModel, VerdictModel

log = logging.getLogger(__name__)

#: Evidence quotes per verdict.
MAX_EVIDENCE = 3


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "programmacheck"


@dataclass(frozen=True)
class ScanSettings:
    checklist: str | None = None  # None: the bundled Leger des Heils checklist
    calibration: str | None = None  # None: the bundled calibration file
    model: str = DEFAULT_MODEL
    extractor: str = DEFAULT_PDF_BACKEND
    cache_dir: str | None = None  # embedding cache; None: the user's cache directory
    embed_all: bool = False  # embed every passage, not only those the lexical first stage keeps
    reranker: str | None = None  # a cross-encoder (name or folder) that orders each item's evidence


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
class TextMatches:
    """The first stage's findings in a programme's passages (matrices are passages × items)."""

    keyword_hits: tuple[dict[str, KeywordHit], ...]
    lexical: np.ndarray
    worth_embedding: np.ndarray  # boolean: which passages to embed for which item
    heading_levels: np.ndarray


@dataclass(frozen=True)
class ProgrammeResult:
    programme: Programme
    paragraphs: list[Paragraph]
    verdicts: list[ItemVerdict]
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Failure:
    document: str
    message: str


@dataclass
class ScanResult:
    results: list[ProgrammeResult] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)


def read_file(file: str, extractor: str = DEFAULT_PDF_BACKEND) -> FileText:
    """Extract and segment one file."""
    from . import segment

    extracted = extract_file(file, pdf_backend=extractor)
    return FileText(tuple(segment.paragraphs("", extracted)), extracted.warnings)


def join_files(programme: Programme, files: Sequence[FileText]) -> list[Paragraph]:
    """The paragraphs of a programme from those of its files, in order, named by the programme."""
    paragraphs: list[Paragraph] = []
    for file, text in zip(programme.files, files, strict=True):
        found = [replace(p, document=programme.document) for p in text.paragraphs]
        if len(programme.files) > 1:  # say which file of the programme a quote comes from
            name = os.path.basename(file)
            found = [replace(p, section=f"{name} › {p.section}" if p.section else name) for p in found]
        paragraphs.extend(found)
    if not any(p.matchable for p in paragraphs):
        raise ExtractionError(f"{programme.document}: no text found to match")
    return paragraphs


def read_programme(programme: Programme, extractor: str = DEFAULT_PDF_BACKEND) -> ProgrammeText:
    """Extract and segment every file of a programme."""
    from . import segment

    files = [read_file(file, extractor) for file in programme.files]
    paragraphs = join_files(programme, files)
    warnings = tuple(w for f in files for w in f.warnings)
    return ProgrammeText(paragraphs, segment.passages(paragraphs), warnings)


#: Keyword matchers of this process, by checklist content, least recently used first.
_KEYWORD_MATCHERS: OrderedDict[str, KeywordMatcher] = OrderedDict()
#: How many checklists keep their matcher (a batch task's checklist is the subset of items it
#: recomputes, so a rescan after an edit meets a few).
KEPT_MATCHERS = 4


def keyword_matcher(checklist: Checklist) -> KeywordMatcher:
    """The keyword matcher of ``checklist``, shared in this process.

    Why shared: a matcher remembers which of its patterns each word form matches, and most of a
    programme's words were seen in the programmes before it; a batch builds a Scanner per task.
    Its memory grows with the vocabulary it has read."""
    from .match.keyword import KeywordMatcher
    from .nlp import load_pipeline

    key = checklist.model_dump_json()
    matcher = _KEYWORD_MATCHERS.pop(key, None) or KeywordMatcher(checklist, load_pipeline())
    _KEYWORD_MATCHERS[key] = matcher
    while len(_KEYWORD_MATCHERS) > KEPT_MATCHERS:
        _KEYWORD_MATCHERS.popitem(last=False)
    return matcher


class Scanner:
    """Holds the loaded checklist, language pipeline, embedder and verdict model for a batch.

    ``checklist`` overrides ``settings.checklist``: a batch worker passes only the items it has to
    recompute.  A given ``embedder`` is used as it is (the batch store caches its vectors);
    otherwise the settings' model is loaded behind the SQLite cache.
    """

    def __init__(self, settings: ScanSettings = ScanSettings(), embedder: Embedder | None = None,
                 verdict_model: VerdictModel | None = None, checklist: LoadedChecklist | None = None):
        self.settings = settings
        self.checklist: LoadedChecklist = checklist or load_checklist(settings.checklist)
        self._embedder = embedder
        self._verdict_model = verdict_model

    @cached_property
    def reranker(self):
        from .match.rerank import CrossEncoderReranker

        assert self.settings.reranker is not None  # asked for only when a reranker is configured
        return CrossEncoderReranker(self.settings.reranker)

    @cached_property
    def item_ids(self) -> tuple[str, ...]:
        return tuple(i.id for i in self.checklist.checklist.items)

    @cached_property
    def keywords(self) -> KeywordMatcher:
        return keyword_matcher(self.checklist.checklist)

    @cached_property
    def lexical(self) -> LexicalMatcher:
        from .match.lexical import LexicalMatcher

        return LexicalMatcher(self.checklist.checklist, self.keywords)

    @cached_property
    def embedder(self) -> Embedder:
        if self._embedder is not None:
            return self._embedder
        cache_dir = Path(self.settings.cache_dir) if self.settings.cache_dir else default_cache_dir()
        cache_dir.mkdir(parents=True, exist_ok=True)
        return CachedEmbedder(get_embedder(self.settings.model), cache_dir / "embeddings.sqlite")

    @cached_property
    def dense(self) -> DenseMatcher:
        return DenseMatcher(self.checklist.checklist, self.embedder)

    @cached_property
    def calibration(self) -> LoadedModel | None:
        from .verdict import VerdictModel

        if self._verdict_model is not None:
            return None
        return VerdictModel.load(Path(self.settings.calibration) if self.settings.calibration else None)

    @property
    def verdict_model(self) -> VerdictModel:
        if self._verdict_model is not None:
            return self._verdict_model
        assert self.calibration is not None  # None only when a verdict model was given
        return self.calibration.model

    def text_matches(self, text: ProgrammeText) -> TextMatches:
        """What matching finds without the embedder: keyword hits, BM25, which passages are worth
        embedding, and the keyword level of each passage's heading path (its context).

        Apart from :meth:`matches` because it runs spaCy, which is not thread-safe: batch lanes
        take turns at this part and embed side by side."""
        hits, lexical, worth_embedding = self.first_stage([p.text for p in text.passages])
        return TextMatches(tuple(hits), lexical, worth_embedding, self._heading_levels(text))

    def matches(self, text: ProgrammeText, found: TextMatches | None = None) -> ProgrammeMatches:
        """``found`` (or :meth:`text_matches`) completed with the dense similarity of the
        passages worth embedding."""
        from .match.hybrid import ProgrammeMatches

        found = found or self.text_matches(text)
        similarities = self.dense.similarities([p.text for p in text.passages],
                                               None if self.settings.embed_all else found.worth_embedding)
        return ProgrammeMatches(self.item_ids, similarities, found.keyword_hits, found.lexical, found.heading_levels)

    def first_stage(self, passage_texts: Sequence[str]) -> tuple[list[dict[str, KeywordHit]], np.ndarray, np.ndarray]:
        """The cheap signals: keyword hits and BM25 per passage, and which passages they make
        worth embedding for each item (passages × items)."""
        from .match.prefilter import passages_worth_embedding

        tokens = self.keywords.tokenize_all(passage_texts)
        hits = [self.keywords.match_tokens(t) for t in tokens]
        lexical = self.lexical.scores(tokens)
        return hits, lexical, passages_worth_embedding(self.item_ids, hits, lexical)

    def _heading_levels(self, text: ProgrammeText) -> np.ndarray:
        """(passages × items) keyword level of each item in the heading path above each passage."""
        sections = [text.paragraphs[p.paragraph].section for p in text.passages]
        distinct = sorted(set(sections))
        hits = self.keywords.match(distinct)
        by_section = {
            section: [found[item_id].level if item_id in found else 0 for item_id in self.item_ids]
            for section, found in zip(distinct, hits, strict=True)
        }
        return np.array([by_section[s] for s in sections], dtype=np.float32).reshape(len(sections), len(self.item_ids))

    def signals(self, text: ProgrammeText, matches: ProgrammeMatches | None = None,
                model: VerdictModel | None = None) -> list[ItemSignals]:
        """Per-item signals of a segmented programme, scored by the (given or calibrated) model's
        passage scorer."""
        from .match.hybrid import item_signals

        signals = item_signals(matches or self.matches(text), (model or self.verdict_model).passage_scorer)
        if self.settings.reranker:
            from .match.rerank import rerank

            signals = rerank(signals, text.passages, self.checklist.checklist, self.reranker)
        return signals

    def verdicts(self, programme: Programme, text: ProgrammeText, signals: list[ItemSignals],
                 model: VerdictModel | None = None) -> list[ItemVerdict]:
        return apply_parents(self.item_verdicts(programme, text, signals, model), self.checklist.checklist)

    def item_verdicts(self, programme: Programme, text: ProgrammeText, signals: list[ItemSignals],
                      model: VerdictModel | None = None) -> list[ItemVerdict]:
        """Each item's verdict on its own signals, before sub-items count for their parents.

        The batch store keeps these per item, so an edited item recomputes alone."""
        decisions = (model or self.verdict_model).decide(signals)
        themes = {i.id: i.theme for i in self.checklist.checklist.items}
        result = []
        for s, (label, score) in zip(signals, decisions, strict=True):
            evidence = () if label == "absent" else self._evidence(text, s, contrary_first=label == "contrary")
            result.append(ItemVerdict(programme.document, s.item_id, themes[s.item_id], label, score, evidence))
        return result

    @staticmethod
    def _evidence(text: ProgrammeText, signals: ItemSignals, contrary_first: bool) -> tuple[Evidence, ...]:
        candidates = list(signals.contrary_evidence if contrary_first else ())
        with_keywords = [c for c in signals.candidates if c.level >= 1]
        candidates += with_keywords or list(signals.candidates)
        chosen, seen_paragraphs = [], set()
        for c in candidates:
            paragraph_index = text.passages[c.passage].paragraph
            if paragraph_index in seen_paragraphs:
                continue
            seen_paragraphs.add(paragraph_index)
            paragraph = text.paragraphs[paragraph_index]
            chosen.append(Evidence(paragraph.page, paragraph.section, text.passages[c.passage].text,
                                   round(c.score, 4), c.signals))
            if len(chosen) == MAX_EVIDENCE:
                break
        return tuple(chosen)

    def scan_programme(self, programme: Programme) -> ProgrammeResult:
        text = read_programme(programme, self.settings.extractor)
        verdicts = self.verdicts(programme, text, self.signals(text))
        return ProgrammeResult(programme, text.paragraphs, verdicts, text.warnings)

    def scan(self, programmes: Iterable[Programme],
             on_result: Callable[[ProgrammeResult], None] | None = None,
             on_failure: Callable[[Failure], None] | None = None) -> ScanResult:
        """Scan every programme; a failing file is recorded and the batch goes on."""
        outcome = ScanResult()
        for programme in programmes:
            try:
                result = self.scan_programme(programme)
            except ExtractionError as exc:
                failure = Failure(programme.document, str(exc))
            except Exception as exc:  # one broken file must not lose the batch
                log.debug("unexpected failure", exc_info=True)
                failure = Failure(programme.document, f"{programme.document}: {type(exc).__name__}: {exc}")
            else:
                outcome.results.append(result)
                if on_result:
                    on_result(result)
                continue
            outcome.failures.append(failure)
            if on_failure:
                on_failure(failure)
        return outcome


_RANK = {"absent": 0, "partial": 1, "contrary": 1, "addressed": 2}


def apply_parents(verdicts: list[ItemVerdict], checklist: Checklist) -> list[ItemVerdict]:
    """A sub-item that is addressed counts for its parent too (annotation guide)."""
    by_id = {v.item_id: v for v in verdicts}
    for item in checklist.items:
        parent = by_id.get(item.id)
        children = [by_id[c.id] for c in checklist.children(item.id) if c.id in by_id]
        best = max(children, key=lambda v: (_RANK[v.verdict], v.score), default=None)
        if parent and best and best.verdict == "addressed" and parent.verdict != "addressed":
            by_id[item.id] = ItemVerdict(parent.document, parent.item_id, parent.theme_id, "addressed",
                                         max(parent.score, best.score), best.evidence)
    return [by_id[v.item_id] for v in verdicts]

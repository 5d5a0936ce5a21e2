"""The engine: the loaded parts of one process, and the pipeline's stages in their fixed order.

    file ──read──▶ ProgrammeText ──first_stage──▶ TextMatches ──matches──▶ ProgrammeMatches
         ──signals──▶ ItemSignals ──item_verdicts──▶ ItemVerdict ──(parents)──▶ verdicts

Every caller scores through an :class:`Engine`: :meth:`Engine.scan` (the library API), the batch
worker (:func:`programmacheck.batch.worker.run_task`), calibration and evaluation
(:mod:`programmacheck.calibrate`), and the CLI through those.  Each stage is a method with its
inputs spelled out; what a scan scores *with* (checklist, embedder, verdict model, settings) is
one :class:`Scoring`, so a batch task can score a subset of the items with stored vectors, and
cross-validation can score with a model fitted on other programmes, through the same stages.

Why an engine owns the loaded parts: loading is slow and its results are large, so each is
loaded on first need and kept for the engine's life, and all of them live here, in one place:

- keyword matchers by checklist (the last :data:`KEPT_MATCHERS`): a matcher remembers which of
  its patterns each word form matches, and most of a programme's words were seen before;
- embedders by model name, computing on :attr:`Engine.threads` threads;
- checklist query vectors per embedder (every programme embeds the same queries);
- the turns its threads take at reading and spaCy (:attr:`Engine.text_work`), which are not
  thread-safe;
- the process-wide switches it sets for them: compute threads (:meth:`Engine.use_threads`) and,
  while lanes share it, the interpreter's switch interval (:meth:`Engine.start_lanes`).

A batch worker process has one engine, :func:`process_engine`.  The spaCy pipeline and a few
word lookups are memoised where they are defined (``functools.lru_cache``): they are the same
for every caller and hold nothing a caller could change.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .checklist import Checklist, LoadedChecklist, load_checklist
from .embed import DEFAULT_MODEL, Embedder, available_cores, get_embedder
from .embed.cache import CachedEmbedder
from .extract import DEFAULT_PDF_BACKEND, ExtractionError, StepAside, extract_file
from .records import (
    SECTION_SEPARATOR,
    Failure,
    FileText,
    ItemVerdict,
    Paragraph,
    Programme,
    ProgrammeResult,
    ProgrammeText,
    ScanResult,
)
from .turns import Turns
from .verdict import apply_parents, select_evidence

if TYPE_CHECKING:
    from .match.dense import DenseMatcher
    from .match.hybrid import ItemSignals, ProgrammeMatches, TextMatches
    from .match.keyword import KeywordMatcher
    from .match.lexical import LexicalMatcher
    from .verdict import LoadedModel, VerdictModel

log = logging.getLogger(__name__)

#: How many checklists keep their keyword matcher (a batch task's checklist is the subset of items
#: it recomputes, so a rescan after an edit meets a few).
KEPT_MATCHERS = 4


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "programmacheck"


@dataclass(frozen=True)
class ScanSettings:
    """What a user chooses for a scan (the command line's options); :meth:`Engine.scoring`
    turns them into what the stages score with."""

    checklist: str | None = None  # None: the bundled Leger des Heils checklist
    calibration: str | None = None  # None: the bundled calibration file
    model: str = DEFAULT_MODEL
    extractor: str = DEFAULT_PDF_BACKEND
    cache_dir: str | None = None  # embedding cache; None: the user's cache directory
    embed_all: bool = False  # embed every passage, not only those the lexical first stage keeps
    reranker: str | None = None  # a cross-encoder (name or folder) that orders each item's evidence


@dataclass(frozen=True)
class Scoring:
    """What a scan scores with: the checklist (or the subset of its items a batch task
    recomputes), the embedder, the verdict model and the settings that change a verdict."""

    checklist: LoadedChecklist
    embedder: Embedder
    model: VerdictModel | None  # None while fitting one (calibration, cross-validation)
    embed_all: bool = False
    reranker: str | None = None

    @property
    def item_ids(self) -> tuple[str, ...]:
        return tuple(i.id for i in self.checklist.checklist.items)

    @cached_property
    def dense(self) -> DenseMatcher:
        """The items' queries embedded once for every programme scored with this."""
        from .match.dense import DenseMatcher

        return DenseMatcher(self.checklist.checklist, self.embedder)

    @property
    def verdict_model(self) -> VerdictModel:
        if self.model is None:
            raise ValueError("no verdict model to score with: fit one, or give a calibration file")
        return self.model


class Engine:
    """The loaded parts of one process and the stages that use them (see the module docstring)."""

    def __init__(self) -> None:
        self.threads: int | None = None  # compute threads per embedding call; None: the library's default
        self._matchers: OrderedDict[str, tuple[KeywordMatcher, LexicalMatcher]] = OrderedDict()
        self._embedders: dict[str, Embedder] = {}
        self._loading = threading.Lock()
        self._query_vectors: weakref.WeakKeyDictionary[Embedder, dict[str, np.ndarray]] = weakref.WeakKeyDictionary()
        self.query_lock = threading.Lock()  # held while reading or adding to :meth:`remembered_queries`
        self._rerankers: dict[str, object] = {}
        #: Held while a task reads a file or runs spaCy; OCR steps aside (``text_work.paused``).
        self.text_work = Turns()
        self._switch_interval: float | None = None  # the interpreter's, while lanes run

    # --- loaded parts ------------------------------------------------------------------------

    def use_threads(self, threads: int) -> None:
        """``threads`` compute threads per embedding call: set before torch is imported (a process
        initialiser), or on torch itself when it already is."""
        self.threads = threads
        for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
            os.environ[name] = str(threads)
        if "torch" in sys.modules:
            sys.modules["torch"].set_num_threads(threads)

    def start_lanes(self, lanes: int, switch_interval: float) -> None:
        """``lanes`` threads will score side by side: each computes on its share of the cores, and
        the interpreter switches threads every ``switch_interval`` seconds (an embedding lane
        needs the GIL between torch operations while another lane runs spaCy)."""
        self.use_threads(max(1, available_cores() // lanes))
        if self._switch_interval is None:
            self._switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(switch_interval)

    def stop_lanes(self) -> None:
        """Gives the process back its switch interval, and every core's threads."""
        if self._switch_interval is not None:
            sys.setswitchinterval(self._switch_interval)
            self._switch_interval = None
        self.use_threads(available_cores())

    def _matchers_of(self, checklist: Checklist) -> tuple[KeywordMatcher, LexicalMatcher]:
        """The keyword and BM25 matchers of ``checklist``, kept for the next programmes (least
        recently used dropped first).  The keyword matcher's memory grows with the vocabulary it
        has read; the BM25 one lemmatises the items once."""
        from .match.keyword import KeywordMatcher
        from .match.lexical import LexicalMatcher
        from .nlp import load_pipeline

        key = checklist.model_dump_json()
        matchers = self._matchers.pop(key, None)
        if matchers is None:
            keywords = KeywordMatcher(checklist, load_pipeline())
            matchers = keywords, LexicalMatcher(checklist, keywords)
        self._matchers[key] = matchers
        while len(self._matchers) > KEPT_MATCHERS:
            self._matchers.popitem(last=False)
        return matchers

    def keyword_matcher(self, checklist: Checklist) -> KeywordMatcher:
        return self._matchers_of(checklist)[0]

    def lexical_matcher(self, checklist: Checklist) -> LexicalMatcher:
        return self._matchers_of(checklist)[1]

    def embedder(self, model: str, identity: str | None = None) -> Embedder:
        """The model ``model``, loaded once (whichever thread asks first); ``identity``, when
        given, must be the loaded model's (a worker checks it computes what the batch expects)."""
        with self._loading:
            if model not in self._embedders:
                embedder = get_embedder(model)
                if self.threads:
                    import torch

                    torch.set_num_threads(self.threads)
                self._embedders[model] = embedder
        embedder = self._embedders[model]
        if identity is not None and embedder.identity != identity:
            raise RuntimeError(f"the worker's model is {embedder.identity}, the batch expects {identity}")
        return embedder

    def remembered_queries(self, embedder: Embedder) -> dict[str, np.ndarray]:
        """The query vectors kept for ``embedder`` by sha256 (call with :attr:`query_lock` held)."""
        try:
            return self._query_vectors.setdefault(embedder, {})
        except TypeError:  # an embedder that cannot be hashed or weakly referenced: nothing is kept
            return {}

    def reranker(self, name: str):
        from .match.rerank import CrossEncoderReranker

        if name not in self._rerankers:
            self._rerankers[name] = CrossEncoderReranker(name)
        return self._rerankers[name]

    def scoring(
        self,
        settings: ScanSettings,
        checklist: LoadedChecklist | None = None,
        embedder: Embedder | None = None,
        model: VerdictModel | None = None,
        calibrated: bool = True,
    ) -> Scoring:
        """What ``settings`` score with.  A given ``checklist`` (a subset of items), ``embedder``
        (one that answers from stored vectors) or ``model`` (fitted on other programmes) is used
        as it is; otherwise the settings' checklist, their model behind the SQLite vector cache,
        and their calibration file, unless not ``calibrated`` (for fitting a new one: the old
        file may no longer load)."""
        if embedder is None:
            cache_dir = Path(settings.cache_dir) if settings.cache_dir else default_cache_dir()
            cache_dir.mkdir(parents=True, exist_ok=True)
            embedder = CachedEmbedder(self.embedder(settings.model), cache_dir / "embeddings.sqlite")
        return Scoring(
            checklist or load_checklist(settings.checklist),
            embedder,
            model or (calibration(settings).model if calibrated else None),
            settings.embed_all,
            settings.reranker,
        )

    # --- stages --------------------------------------------------------------------------------

    def read(self, programme: Programme, extractor: str = DEFAULT_PDF_BACKEND) -> ProgrammeText:
        """Extract and segment every file of a programme."""
        files = [read_file(file, extractor) for file in programme.files]
        return segmented(programme, files)

    def first_stage(self, text: ProgrammeText, scoring: Scoring) -> TextMatches:
        """What matching finds without the embedder: keyword hits, BM25, which passages are worth
        embedding, and the keyword level of each passage's heading path (its context).

        Apart from :meth:`matches` because it runs spaCy, which is not thread-safe: batch lanes
        take turns at this part and embed side by side."""
        from .match.hybrid import TextMatches
        from .match.prefilter import passages_worth_embedding

        keywords = self.keyword_matcher(scoring.checklist.checklist)
        tokens = keywords.tokenize_all([p.text for p in text.passages])
        hits = [keywords.match_tokens(t) for t in tokens]
        lexical = self.lexical_matcher(scoring.checklist.checklist).scores(tokens)
        worth_embedding = passages_worth_embedding(scoring.item_ids, hits, lexical)
        return TextMatches(tuple(hits), lexical, worth_embedding, self._heading_levels(text, scoring))

    def _heading_levels(self, text: ProgrammeText, scoring: Scoring) -> np.ndarray:
        """(passages × items) keyword level of each item in the heading path above each passage."""
        sections = [text.paragraphs[p.paragraph].section for p in text.passages]
        distinct = sorted(set(sections))
        hits = self.keyword_matcher(scoring.checklist.checklist).match(distinct)
        by_section = {
            section: [found[item_id].level if item_id in found else 0 for item_id in scoring.item_ids]
            for section, found in zip(distinct, hits, strict=True)
        }
        return np.array([by_section[s] for s in sections], dtype=np.float32).reshape(
            len(sections), len(scoring.item_ids)
        )

    def matches(self, text: ProgrammeText, found: TextMatches, scoring: Scoring) -> ProgrammeMatches:
        """``found`` completed with the dense similarity of the passages worth embedding."""
        from .match.hybrid import ProgrammeMatches

        similarities = scoring.dense.similarities(
            [p.text for p in text.passages], None if scoring.embed_all else found.worth_embedding
        )
        return ProgrammeMatches(scoring.item_ids, similarities, found.keyword_hits, found.lexical, found.heading_levels)

    def signals(self, text: ProgrammeText, matches: ProgrammeMatches, scoring: Scoring) -> list[ItemSignals]:
        """Per-item signals, the passages rated by the verdict model's passage scorer."""
        from .match.hybrid import item_signals

        signals = item_signals(matches, scoring.verdict_model.passage_scorer)
        if scoring.reranker:
            from .match.rerank import rerank

            signals = rerank(signals, text.passages, scoring.checklist.checklist, self.reranker(scoring.reranker))
        return signals

    def item_verdicts(
        self, programme: Programme, text: ProgrammeText, signals: list[ItemSignals], scoring: Scoring
    ) -> list[ItemVerdict]:
        """Each item's verdict on its own signals, before sub-items count for their parents.

        The batch store keeps these per item, so an edited item recomputes alone."""
        decisions = scoring.verdict_model.decide(signals)
        themes = {i.id: i.theme for i in scoring.checklist.checklist.items}
        result = []
        for s, (label, score) in zip(signals, decisions, strict=True):
            evidence = () if label == "absent" else select_evidence(text, s, contrary_first=label == "contrary")
            result.append(ItemVerdict(programme.document, s.item_id, themes[s.item_id], label, score, evidence))
        return result

    def decide(
        self, programme: Programme, text: ProgrammeText, matches: ProgrammeMatches, scoring: Scoring
    ) -> list[ItemVerdict]:
        """The stages after matching: signals, each item's verdict, sub-items counted for their
        parents.  Cross-validation enters here with each fold's model."""
        verdicts = self.item_verdicts(programme, text, self.signals(text, matches, scoring), scoring)
        return apply_parents(verdicts, scoring.checklist.checklist)

    def verdicts(self, programme: Programme, text: ProgrammeText, scoring: Scoring) -> list[ItemVerdict]:
        """Every stage after reading, in order: a programme's verdicts."""
        return self.decide(programme, text, self.matches(text, self.first_stage(text, scoring), scoring), scoring)

    def scan_programme(self, programme: Programme, settings: ScanSettings, scoring: Scoring) -> ProgrammeResult:
        text = self.read(programme, settings.extractor)
        return ProgrammeResult(programme, text.paragraphs, self.verdicts(programme, text, scoring), text.warnings)

    def scan(
        self,
        programmes: Iterable[Programme],
        settings: ScanSettings = ScanSettings(),
        on_result: Callable[[ProgrammeResult], None] | None = None,
        on_failure: Callable[[Failure], None] | None = None,
        scoring: Scoring | None = None,
    ) -> ScanResult:
        """Scan every programme; a failing file is recorded and the batch goes on.  ``scoring``:
        what to score with, if not what ``settings`` name (see :meth:`scoring`)."""
        scoring = scoring or self.scoring(settings)
        outcome = ScanResult()
        for programme in programmes:
            try:
                result = self.scan_programme(programme, settings, scoring)
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


def calibration(settings: ScanSettings) -> LoadedModel:
    """The settings' calibration file, loaded (the bundled one when they name none)."""
    from .verdict import VerdictModel

    return VerdictModel.load(Path(settings.calibration) if settings.calibration else None)


def read_file(file: str, extractor: str = DEFAULT_PDF_BACKEND, step_aside: StepAside | None = None) -> FileText:
    """Extract and segment one file; ``step_aside`` is entered while OCR waits (see :data:`StepAside`)."""
    from . import segment

    extracted = extract_file(file, pdf_backend=extractor, step_aside=step_aside)
    return FileText(tuple(segment.paragraphs("", extracted)), extracted.warnings)


def join_files(programme: Programme, files: Sequence[FileText]) -> list[Paragraph]:
    """The paragraphs of a programme from those of its files, in order, named by the programme."""
    paragraphs: list[Paragraph] = []
    for file, text in zip(programme.files, files, strict=True):
        found = [replace(p, document=programme.document) for p in text.paragraphs]
        if len(programme.files) > 1:  # say which file of the programme a quote comes from
            name = os.path.basename(file)
            found = [replace(p, section=f"{name}{SECTION_SEPARATOR}{p.section}" if p.section else name) for p in found]
        paragraphs.extend(found)
    if not any(p.matchable for p in paragraphs):
        raise ExtractionError(f"{programme.document}: no text found to match")
    return paragraphs


def segmented(programme: Programme, files: Sequence[FileText], passages: Sequence | None = None) -> ProgrammeText:
    """A programme's text from its files' texts; ``passages`` when they are known already."""
    from . import segment

    paragraphs = join_files(programme, files)
    warnings = tuple(w for f in files for w in f.warnings)
    return ProgrammeText(paragraphs, list(passages) if passages else segment.passages(paragraphs), warnings)


_PROCESS_ENGINE: Engine | None = None
_PROCESS_ENGINE_LOCK = threading.Lock()


def process_engine() -> Engine:
    """This process's engine, made on first call: what batch workers and their executors share."""
    global _PROCESS_ENGINE
    with _PROCESS_ENGINE_LOCK:
        if _PROCESS_ENGINE is None:
            _PROCESS_ENGINE = Engine()
        return _PROCESS_ENGINE

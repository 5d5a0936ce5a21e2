"""The coordinator of a batch: plan from the store, send out only what must be computed, store
each finished programme, then rewrite the output folder from the store.

Why a coordinator: the store has one writer (this process), so workers anywhere (local
processes, a Dask cluster) only compute; and a rescan whose answers are all stored needs no
worker, no spaCy and no torch at all.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from functools import cached_property, partial
from pathlib import Path
from typing import TYPE_CHECKING, cast

from ..checklist import LoadedChecklist, load_checklist
from ..embed import Embedder, available_cores, expected_identity
from ..engine import ScanSettings, join_files
from ..extract import ExtractionError
from ..match.dense import item_queries
from ..records import Failure, FileText, ItemVerdict, Paragraph, Programme, ProgrammeResult
from ..report import OutputFolder
from ..resources import bundled_path
from ..reviews import apply_review, in_force
from ..verdict import apply_parents
from . import keys, versions, worker
from .executors import Dask, Executor, InProcess, Lanes, LocalProcesses
from .progress import Advance, PeakMemory, Progress, file_pages
from .store import Store, Write

if TYPE_CHECKING:
    import numpy as np

#: Stands for the file's path in a stored failure message, so that a copy reports its own name.
FILE_PLACEHOLDER = "{file}"
MB = 1024 * 1024
#: Where run.json keeps the content keys of its verdicts (``review_keys``), so that a review set
#: on the output folder is keyed like the verdict it reviews without reading the programmes again.
REVIEW_KEYS = "review_keys"
#: Where ``review_keys`` lists the reviews of older versions not carried over (``versions``).
NEEDS_A_LOOK = "needs_a_look"
#: Lanes of the default executor: two, so that one programme is read while another is embedded
#: (reading takes turns anyway, see ``executors.Lanes``).
LANES = 2


@dataclass(frozen=True)
class BatchSettings:
    scan: ScanSettings = field(default_factory=ScanSettings)
    workers: int = 1
    dask: str | None = None  # scheduler address of an existing Dask cluster
    store: str | None = None  # None: store.sqlite in the output folder
    rebuild_store: bool = False  # move a damaged store aside and start an empty one


@dataclass
class BatchStats:
    """What a batch did, for run.json and the final line."""

    programmes: int = 0
    from_store: int = 0  # programmes answered entirely from the store
    failed: int = 0
    files_read: int = 0
    # Vectors the model computed (a query once per worker process, whichever task needed it first).
    passages_embedded: int = 0
    queries_embedded: int = 0
    items_recomputed: int = 0
    workers: list[str] = field(default_factory=list)  # host:pid of every process that ran a task
    executor: str = ""
    seconds: float = 0.0
    peak_memory_mb: float = 0.0  # this process and its descendants, summed
    remote_peak_memory_mb: float = 0.0  # Dask workers' own peaks (remote ones are not descendants)

    def summary(self) -> str:
        return (
            f"{self.from_store} of {self.programmes} programme(s) answered from the store; {self.files_read} file(s) "
            f"read, {self.passages_embedded} passage(s) and {self.queries_embedded} query(ies) embedded, "
            f"{self.items_recomputed} item verdict(s) computed; {self.seconds:.1f} s, "
            f"peak memory {self.peak_memory_mb:.0f} MB over all processes"
        )


@dataclass(frozen=True)
class Plan:
    """One programme as the store knows it."""

    programme: Programme
    file_keys: tuple[str, ...]
    texts: tuple[FileText | None, ...]  # stored texts
    text_key: str | None  # None until every file has been read
    missing: tuple[str, ...]  # items to compute
    pages: int


class Batch:
    """Scores programmes into an output folder through the store (see the module docstring).

    ``embedder`` is for tests and library use: it runs in this process and its ``identity`` keys
    the vectors and verdicts.  ``on_advance`` hears of each programme computed (besides the
    progress bars or lines), for a caller that shows progress elsewhere.
    """

    def __init__(
        self,
        settings: BatchSettings,
        out: OutputFolder,
        embedder: Embedder | None = None,
        on_result: Callable[[ProgrammeResult], None] | None = None,
        on_advance: Callable[[Advance], None] | None = None,
    ):
        self.settings = settings
        self.out = out
        self._embedder = embedder
        self._on_result = on_result
        self._on_advance = on_advance
        scan = settings.scan
        self.checklist: LoadedChecklist = load_checklist(scan.checklist)
        self.calibration_path = (
            Path(scan.calibration) if scan.calibration else bundled_path("models", "calibration.json")
        )
        calibration = self.calibration_path.read_bytes()
        self.calibration_sha256 = keys.sha256(calibration)
        self.calibration_provenance = json.loads(calibration).get("provenance")
        self.definitions = {item.id: keys.item_definition(item) for item in self.checklist.checklist.items}
        self.store = Store(settings.store or Path(out.path) / "store.sqlite", rebuild=settings.rebuild_store)
        self._file_keys: dict[str, str] = {}
        self._queries: dict[str, np.ndarray] = {}  # query vectors by sha256: stored, or recorded in this batch
        self._text_keys: dict[str, str] = {}  # programme name → text key of the results written
        self._scanned: frozenset[str] = frozenset()  # the names of this batch's programmes
        self._needs_a_look: list[versions.NeedsALook] = []  # reviews of older versions not carried over
        self.stats = BatchStats()

    @cached_property
    def executor(self) -> Executor:
        """Started only when something must be computed."""
        if self.settings.dask:
            return Dask(self.settings.dask)
        if self._embedder is not None:  # tests and library use: one task after the other
            return InProcess()
        if self.settings.workers > 1:
            return LocalProcesses(self.settings.workers)
        return Lanes(LANES) if available_cores() > 1 else InProcess()

    def _call(self, fn: Callable) -> Callable:
        return partial(fn, embedder=self._embedder) if self._embedder is not None else fn

    @cached_property
    def identity(self) -> str:
        if self._embedder is not None:
            return self._embedder.identity
        return expected_identity(self.settings.scan.model) or self.executor.run_one(
            worker.model_identity, self.settings.scan.model
        )

    def _item_keys(self, text_key: str) -> dict[str, str]:
        settings = keys.scoring_settings(self.settings.scan)
        return {
            item_id: keys.item_key(text_key, self.identity, definition, self.calibration_sha256, settings)
            for item_id, definition in self.definitions.items()
        }

    # ---- planning ------------------------------------------------------------------------------

    def _file_key(self, path: str) -> str:
        """A file's key, hashed once per batch: planning and the output folder use the same one."""
        if path not in self._file_keys:
            self._file_keys[path] = keys.file_key(path, self.settings.scan.extractor)
        return self._file_keys[path]

    def _plan(self, programme: Programme) -> Plan | Failure:
        try:
            file_keys = tuple(self._file_key(f) for f in programme.files)
        except OSError as exc:
            return Failure(programme.document, f"{programme.document}: cannot read: {exc.strerror or exc}")
        stored = self.store.files(file_keys)
        for path, key in zip(programme.files, file_keys):
            if isinstance(failure := stored.get(key), str):
                return Failure(programme.document, failure.replace(FILE_PLACEHOLDER, path))
        # No failure message is left (the loop returned on one): a text, or None when not stored.
        texts = tuple(cast("FileText | None", stored.get(key)) for key in file_keys)
        pages = sum(t.pages if t else file_pages(f) for f, t in zip(programme.files, texts))
        read = [t for t in texts if t is not None]
        if len(read) < len(texts):
            return Plan(programme, file_keys, texts, None, tuple(self.definitions), pages)
        try:
            text_key = keys.text_key(join_files(programme, read), self.settings.scan.extractor)
        except ExtractionError as exc:
            return Failure(programme.document, str(exc))
        item_keys = self._item_keys(text_key)
        found = self.store.verdicts(item_keys.values())
        missing = tuple(item_id for item_id, key in item_keys.items() if key not in found)
        return Plan(programme, file_keys, texts, text_key, missing, pages)

    # ---- computing -----------------------------------------------------------------------------

    def _query_vectors(self, plans: Sequence[Plan]) -> dict[str, np.ndarray]:
        """The stored vectors of the queries of every item some programme recomputes; the tasks
        embed the others (see ``worker.KnownVectors``), and ``_record`` adds them here once
        stored, so that later tasks are sent them."""
        needed = {item_id for plan in plans for item_id in plan.missing}
        queries = {q for item_id, q in item_queries(self.checklist.checklist) if item_id in needed}
        return self.store.vectors(self.identity, "query", [keys.sha256(q) for q in queries])

    def _tasks(self, plans: Sequence[Plan]) -> Iterator[worker.Task]:
        for plan in plans:
            items = [i for i in self.checklist.checklist.items if i.id in plan.missing]
            subset = self.checklist.model_copy(
                update={"checklist": self.checklist.checklist.model_copy(update={"items": items})}
            )
            passages = self.store.passages(plan.text_key) if plan.text_key else None
            # A file to read is most likely an edited version of the programme's latest text.
            latest = self.store.latest_text(plan.programme.document)
            known = passages or (self.store.passages(latest) if latest else None) or ()
            query_keys = (keys.sha256(q) for _, q in item_queries(subset.checklist))
            vectors = {
                "query": {sha: self._queries[sha] for sha in query_keys if sha in self._queries},
                "passage": self.store.vectors(self.identity, "passage", [keys.sha256(p.text) for p in known]),
            }
            yield worker.Task(
                plan.programme,
                self.settings.scan,
                self.identity,
                self.calibration_sha256,
                subset,
                plan.texts,
                passages,
                vectors,
            )

    def _record(self, plan: Plan, outcome: worker.Outcome) -> Failure | None:
        """Store one finished programme in one transaction."""
        self.stats.workers = sorted({*self.stats.workers, outcome.worker})
        write = Write(files={k: f for k, f in zip(plan.file_keys, outcome.files) if f is not None})
        if outcome.failure is not None:
            if outcome.failed_file is not None:  # a property of the file's bytes: kept, not retried
                path = plan.programme.files[outcome.failed_file]
                write.failures[plan.file_keys[outcome.failed_file]] = outcome.failure.replace(path, FILE_PLACEHOLDER)
            self.store.write(write)
            return Failure(plan.programme.document, outcome.failure)
        # A task that did not fail read every file whose text it was not sent.
        texts = cast("list[FileText]", [stored or new for stored, new in zip(plan.texts, outcome.files or plan.texts)])
        text_key = keys.text_key(join_files(plan.programme, texts), self.settings.scan.extractor)
        if outcome.passages is not None:
            write.passages[text_key] = outcome.passages
        new_queries = {sha: v for sha, v in outcome.vectors.get("query", {}).items() if sha not in self._queries}
        self._queries.update(new_queries)
        write.vectors = [(self.identity, "passage", sha, v) for sha, v in outcome.vectors.get("passage", {}).items()]
        write.vectors += [(self.identity, "query", sha, v) for sha, v in new_queries.items()]
        item_keys = self._item_keys(text_key)
        write.verdicts = {item_keys[v.item_id]: v for v in outcome.verdicts}
        write.latest_text[plan.programme.document] = text_key
        write.programmes.append((plan.programme, text_key))
        self.store.write(write)
        self.stats.files_read += len(write.files)
        self.stats.passages_embedded += outcome.embedded.get("passage", 0)
        self.stats.queries_embedded += outcome.embedded.get("query", 0)
        self.stats.items_recomputed += len(outcome.verdicts)
        return None

    # ---- the batch -----------------------------------------------------------------------------

    def run(self, programmes: Sequence[Programme], on_failure: Callable[[Failure], None]) -> BatchStats:
        started = time.perf_counter()
        self._scanned = frozenset(p.document for p in programmes)
        memory = PeakMemory()
        failures: dict[str, Failure] = {}
        plans = []
        read_before = []  # programmes whose text the store holds; the others are remembered as they are read
        for programme in programmes:
            planned = self._plan(programme)
            if isinstance(planned, Plan) and planned.text_key is not None:
                read_before.append((programme, planned.text_key))
            if isinstance(planned, Failure):
                failures[programme.document] = planned
                on_failure(planned)
            elif planned.missing:
                plans.append(planned)
        self.store.remember_programmes(read_before)  # before any result, so each knows the others' versions
        self.stats.programmes = len(programmes)
        self.stats.from_store = len(programmes) - len(failures) - len(plans)
        if plans:
            self.stats.executor = self.executor.name
            progress = Progress(files=len(plans), pages=sum(p.pages for p in plans), listener=self._on_advance)
            by_document = {p.programme.document: p for p in plans}
            try:
                self.executor.run_one(worker.check_calibration, self.settings.scan)
                self._queries = self._query_vectors(plans)
                outcomes = self.executor.map_unordered(self._call(worker.run_task), self._tasks(plans))
                for outcome in outcomes:
                    plan = by_document[outcome.document]
                    failure = self._record(plan, outcome)
                    if failure:
                        failures[plan.programme.document] = failure
                        on_failure(failure)
                    paragraphs = sum(len(t.paragraphs) for t in (*outcome.files, *plan.texts) if t)
                    if failure:  # reported once, by on_failure, with its name: here only that it is done
                        progress.advance(None, 1, plan.pages, paragraphs, "not read (the error above)")
                    else:
                        progress.advance(
                            plan.programme.document,
                            1,
                            plan.pages,
                            paragraphs,
                            f"{len(outcome.verdicts)} item(s) computed in {outcome.seconds:.1f} s",
                            len(outcome.verdicts),
                        )
            finally:
                progress.close()
            self.stats.remote_peak_memory_mb = self.executor.remote_peak_rss() / MB
        self.stats.failed = len(failures)
        self._write_outputs([p for p in programmes if p.document not in failures], list(failures.values()))
        self.stats.seconds = time.perf_counter() - started
        self.stats.peak_memory_mb = memory.stop() / MB
        return self.stats

    def _text(self, programme: Programme) -> tuple[list[FileText], list[Paragraph], str]:
        """A finished programme's files' texts, its paragraphs and its text key, from the store."""
        file_keys = [self._file_key(f) for f in programme.files]
        stored = self.store.files(file_keys)
        texts = cast("list[FileText]", [stored[k] for k in file_keys])  # finished: every file was read
        paragraphs = join_files(programme, texts)
        return texts, paragraphs, keys.text_key(paragraphs, self.settings.scan.extractor)

    def stored_verdicts(self, text_key: str) -> dict[str, ItemVerdict]:
        """A text's stored verdicts by item id, as this batch's settings give them (before the parent rule)."""
        item_keys = self._item_keys(text_key)
        found = self.store.verdicts(item_keys.values())
        return {item_id: found[key] for item_id, key in item_keys.items() if key in found}

    def result(self, programme: Programme) -> ProgrammeResult:
        """A programme's result, assembled from the store, with the reviews in force applied
        (after the parent rule: a review is of the cell as the tool finally decided it), once
        the reviews of its older versions are carried over (``versions``)."""
        texts, paragraphs, text_key = self._text(programme)
        self._text_keys[programme.document] = text_key
        found = self.stored_verdicts(text_key)
        verdicts = apply_parents(
            [
                ItemVerdict(programme.document, v.item_id, v.theme_id, v.verdict, v.score, v.evidence)
                for v in (found[i.id] for i in self.checklist.checklist.items)
            ],
            self.checklist.checklist,
        )
        self._needs_a_look += versions.carry_over(
            self.store,
            programme,
            text_key,
            paragraphs,
            verdicts,
            self.definitions,
            self.stored_verdicts,
            self._scanned,
        )
        reviews = in_force(self.store.reviews(text_key))
        reviewed = [apply_review(v, reviews.get((text_key, self.definitions[v.item_id]))) for v in verdicts]
        warnings = tuple(w for t in texts for w in t.warnings)
        return ProgrammeResult(programme, paragraphs, reviewed, warnings)

    def _write_outputs(self, finished: Sequence[Programme], failures: Sequence[Failure]) -> None:
        for programme in finished:
            result = self.result(programme)
            self.out.add(result)
            if self._on_result:
                self._on_result(result)
        for failure in failures:
            self.out.fail(failure)

    def provenance(self) -> dict:
        """What produced this batch's verdicts, for ``run.json``: checklist, model, calibration,
        settings and the run's figures.  Built here, so a library user gets the same as the CLI."""
        stats = self.stats
        scan = self.settings.scan
        return {
            "checklist": {
                "path": self.checklist.path,
                "sha256": self.checklist.sha256,
                "name": self.checklist.checklist.name,
            },
            "model": self.identity if stats.programmes > stats.failed else scan.model,
            "calibration": {
                "path": str(self.calibration_path),
                "sha256": self.calibration_sha256,
                "provenance": self.calibration_provenance,
            },
            "settings": {
                "extractor": scan.extractor,
                "workers": self.settings.workers,
                "dask": self.settings.dask,
                "store": str(self.store.path),
            },
            "batch": asdict(stats),
            REVIEW_KEYS: {
                "text_keys": self._text_keys,
                "definitions": self.definitions,
                NEEDS_A_LOOK: [asdict(cell) for cell in self._needs_a_look],
            },
        }

    def close(self) -> None:
        if "executor" in self.__dict__:
            self.executor.close()
        self.store.close()

"""What a batch worker does: read, segment, embed and score one programme, from what it is sent.

Why this shape: a worker may be a local process or a Dask worker on another machine, so it
never touches the store.  The coordinator sends each :class:`Task` what the store already knows
(file texts, passages, vectors) and only the checklist items to recompute; the worker sends back
an :class:`Outcome` with everything new, which the coordinator writes.

Functions here are top-level so that both ``ProcessPoolExecutor`` (spawn) and Dask can pickle
them.  Each process scores through its one engine (:func:`programmacheck.engine.process_engine`),
which loads the embedder once, on the first task that needs a vector.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import cast

import numpy as np

from ..checklist import LoadedChecklist
from ..embed import Embedder, Role
from ..embed.cache import embed_missing
from ..engine import Engine, ScanSettings, calibration, process_engine, read_file, segmented
from ..extract import ExtractionError
from ..records import FileText, ItemVerdict, Passage, Programme
from .keys import sha256

#: Vectors by role, then by the sha256 of the text.
Vectors = dict[str, dict[str, np.ndarray]]


@dataclass(frozen=True)
class Task:
    programme: Programme
    settings: ScanSettings
    model_identity: str
    calibration_sha256: str
    checklist: LoadedChecklist  # only the items to recompute
    files: tuple[FileText | None, ...]  # stored texts; None: read the file
    passages: tuple[Passage, ...] | None  # stored passages of the programme's text
    vectors: Vectors  # stored vectors of its passages and of the queries (the task embeds the rest)


@dataclass(frozen=True)
class Outcome:
    document: str
    files: tuple[FileText | None, ...] = ()  # the texts read here (None: it was sent)
    failed_file: int | None = None  # which file cannot be read (a property of its bytes)
    failure: str | None = None
    passages: tuple[Passage, ...] | None = None  # when computed here
    vectors: Vectors = field(default_factory=dict)  # vectors not sent, for the store
    embedded: dict[str, int] = field(default_factory=dict)  # by role: how many the model computed here
    verdicts: tuple[ItemVerdict, ...] = ()  # one per item sent, before parents apply
    seconds: float = 0.0
    worker: str = ""  # host:pid, to see where tasks ran


class KnownVectors:
    """An :class:`Embedder` that answers from vectors sent with the task and embeds only the
    rest, through an embedder loaded on first need.

    ``new`` holds every vector the task used that was not sent, for the store; ``embedded`` counts
    those the model computed here.  They differ for queries: the checklist's queries are the same
    in every programme, so a process embeds each once per model (the engine's
    :meth:`~programmacheck.engine.Engine.remembered_queries`) and later tasks, or the other lane,
    take them from there.  Why in the tasks and not once before the batch: the first programmes
    are read while the first task loads the model and embeds them.
    """

    def __init__(self, identity: str, known: Vectors, load: Callable[[], Embedder], engine: Engine | None = None):
        self.identity = identity
        self._known = known
        self._load = load
        self._engine = engine or process_engine()
        self.new: Vectors = {}
        self.embedded: dict[str, int] = {}

    @property
    def dim(self) -> int:
        """The length of a vector sent with the task (one model's vectors all have it), so that
        a task whose vectors were all stored never loads the model; else the loaded model's."""
        for vectors in self._known.values():
            for vector in vectors.values():
                return len(vector)
        return self._load().dim

    def embed(self, texts: list[str], role: Role) -> np.ndarray:
        if not texts:
            return np.empty((0, self.dim), dtype=np.float32)
        known = self._known.setdefault(role, {})
        keys = [sha256(t) for t in texts]
        if role == "query" and not known.keys() >= set(keys):  # the model is loaded only when needed
            with self._engine.query_lock:
                remembered = self._engine.remembered_queries(self._load())
                remembered.update((k, known[k]) for k in keys if k in known and k not in remembered)
                self._embed_missing(texts, keys, remembered, role)
                unsent = {k: remembered[k] for k in keys if k not in known}
            known.update(unsent)
        else:
            unsent = self._embed_missing(texts, keys, known, role)
        if unsent:
            self.new.setdefault(role, {}).update(unsent)
        return np.stack([known[k] for k in keys]).astype(np.float32, copy=False)

    def _embed_missing(self, texts: list[str], keys: list[str], found: dict, role: Role) -> dict:
        computed = embed_missing(texts, keys, found, lambda missing: self._load().embed(missing, role))
        self.embedded[role] = self.embedded.get(role, 0) + len(computed)
        return computed


def limit_threads(threads: int) -> None:
    """This process's engine computes on ``threads`` threads (a process pool's initialiser)."""
    process_engine().use_threads(threads)


def model_identity(model: str) -> str:
    """The identity of ``model`` when only loading it can tell."""
    return process_engine().embedder(model).identity


def check_calibration(settings: ScanSettings) -> None:
    """Before the programmes, where they will run: a calibration file that does not load stops
    the batch instead of failing every programme."""
    calibration(settings)


def run_task(task: Task, embedder: Embedder | None = None) -> Outcome:
    """Score the task's items on its programme; a file that cannot be read becomes a failure."""
    started = time.perf_counter()
    where = f"{socket.gethostname()}:{os.getpid()}"
    document = task.programme.document
    engine = process_engine()
    files: list[FileText | None] = []
    try:
        with engine.text_work:
            for index, (path, stored) in enumerate(zip(task.programme.files, task.files, strict=True)):
                try:
                    files.append(
                        None if stored else read_file(path, task.settings.extractor, step_aside=engine.text_work.paused)
                    )
                except ExtractionError as exc:
                    return Outcome(document, failed_file=index, failure=str(exc), worker=where)
            texts = cast(
                "list[FileText]", [stored or new for stored, new in zip(task.files, files)]
            )  # sent or read above
            text = segmented(task.programme, texts, task.passages)
            loaded = calibration(task.settings)
            if loaded.sha256 != task.calibration_sha256:
                raise RuntimeError(f"{loaded.path} differs from the coordinator's calibration file")
            vectors = KnownVectors(
                task.model_identity,
                task.vectors,
                lambda: embedder or engine.embedder(task.settings.model, task.model_identity),
            )
            scoring = engine.scoring(task.settings, checklist=task.checklist, embedder=vectors, model=loaded.model)
            found = engine.first_stage(text, scoring)
        matches = engine.matches(text, found, scoring)
        verdicts = engine.item_verdicts(task.programme, text, engine.signals(text, matches, scoring), scoring)
    except ExtractionError as exc:
        return Outcome(document, tuple(files), failure=str(exc), worker=where)
    except Exception as exc:  # noqa: BLE001 - one broken programme must not lose the batch
        return Outcome(document, failure=f"{document}: {type(exc).__name__}: {exc}", worker=where)
    return Outcome(
        document,
        tuple(files),
        passages=None if task.passages else tuple(text.passages),
        vectors=vectors.new,
        embedded=vectors.embedded,
        verdicts=tuple(verdicts),
        seconds=time.perf_counter() - started,
        worker=where,
    )

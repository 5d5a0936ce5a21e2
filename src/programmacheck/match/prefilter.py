"""Embed only what can matter: a cheap lexical first stage picks the passages worth embedding.

The transformer is the slow part of a scan.  Most passages of a programme (on roads, culture,
finances) share no term with any checklist item, and their dense similarity never decides a
verdict: on the development gold, embedding only the passages kept here leaves every verdict
unchanged while embedding under a third of the passages (``benchmarks/corpus.py`` measures it).

A passage is kept when any item's keyword rules fire on it, or when it is among the
``LEXICAL_TOP_K`` best BM25 matches of some item.  Both depend on the checklist, so a checklist
edit can admit new passages: they are embedded then (the embedding cache keeps the rest).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .keyword import KeywordHit

#: Per item, this many best BM25 passages are embedded even without a keyword hit.
LEXICAL_TOP_K = 10


def passages_worth_embedding(keyword_hits: Sequence[dict[str, KeywordHit]], lexical: np.ndarray,
                             top_k: int = LEXICAL_TOP_K) -> np.ndarray:
    """Boolean mask over passages: keyword evidence for any item, or a top BM25 match of one."""
    keep = np.array([bool(hits) for hits in keyword_hits], dtype=bool)
    if lexical.size:
        best = np.argsort(-lexical, axis=0, kind="stable")[:top_k]
        keep[np.unique(best)] = True
    return keep

"""Optional cross-encoder reranking of each item's candidate passages (``--reranker``).

A cross-encoder reads the item and the passage together and judges their relevance more
sharply than two separate embeddings can.  It is slow, so it only reorders the few candidates
per item that the cheaper signals found; the verdict model's features are unchanged, and the
reranker decides which quotes come first as evidence.  No Dutch cross-encoder weights can be
installed here, so its effect on quality is unmeasured; any local sentence-transformers
``CrossEncoder`` folder or name works.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from ..checklist import Checklist
from ..records import Passage
from .hybrid import ItemSignals


class CrossEncoderReranker:
    def __init__(self, model: str):
        from sentence_transformers import CrossEncoder
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()
        self.model = CrossEncoder(model, device="cpu", local_files_only=True)
        self.identity = f"cross-encoder:{model}"

    def scores(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        if not pairs:
            return np.zeros(0, dtype=np.float32)
        return np.asarray(self.model.predict(list(pairs), batch_size=32, show_progress_bar=False), dtype=np.float32)


def rerank(
    signals: Sequence[ItemSignals], passages: Sequence[Passage], checklist: Checklist, reranker: CrossEncoderReranker
) -> list[ItemSignals]:
    """Reorder every item's candidates by the cross-encoder's score of (item text, passage)."""
    item_text = {item.id: item.text for item in checklist.items}
    pairs = [(item_text[s.item_id], passages[c.passage].text) for s in signals for c in s.candidates]
    scores = iter(reranker.scores(pairs).tolist())
    result = []
    for s in signals:
        scored = [(next(scores), c) for c in s.candidates]
        ordered = sorted(scored, key=lambda pair: -pair[0])
        candidates = tuple(replace(c, signals=(*c.signals, f"rerank:{score:.3f}")) for score, c in ordered)
        result.append(replace(s, candidates=candidates))
    return result

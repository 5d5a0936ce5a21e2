"""Hybrid matching: keyword hits and dense similarity → per-item signals of one programme.

For each item the programme's passages are ranked by a passage score (dense similarity above
the programme's own baseline for that item, plus a bonus for keyword evidence), and a few
programme-level features summarise the item for the verdict model.  The features are the
same for every checklist, which is what lets one calibrated model serve any checklist.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .keyword import KeywordHit

#: Programme-level features, in the order the verdict model reads them.
FEATURES = (
    "dense_top",  # best similarity above the programme's baseline for the item
    "dense_measure",  # the same, among passages naming the item's measure
    "dense_subject",  # the same, among passages naming at least its subject
    "measure_passages",  # log(1 + number of passages naming the measure)
    "subject_passages",  # log(1 + number of passages naming at least the subject)
    "lexical_top",  # best BM25 score of a passage, standardised within the programme
)
#: Bonus (in cosine units) that keyword evidence adds to a passage's rank, by keyword level.
LEVEL_BONUS = (0.0, 0.02, 0.05)
#: How many candidate passages per item are kept as possible evidence.
CANDIDATES = 8


@dataclass(frozen=True)
class Candidate:
    """A passage that may serve as evidence for an item."""

    passage: int
    score: float
    level: int
    contrary: bool
    signals: tuple[str, ...]


@dataclass(frozen=True)
class ItemSignals:
    item_id: str
    features: tuple[float, ...]  # aligned with FEATURES
    candidates: tuple[Candidate, ...]  # best first

    @property
    def contrary_evidence(self) -> tuple[Candidate, ...]:
        return tuple(c for c in self.candidates if c.contrary and c.level >= 1)


def _best(values: np.ndarray, mask: np.ndarray) -> float:
    return float(values[mask].max()) if mask.any() else 0.0


def item_signals(
    item_ids: Sequence[str],
    similarities: np.ndarray,
    keyword_hits: Sequence[dict[str, KeywordHit]],
    lexical: np.ndarray,
) -> list[ItemSignals]:
    """Signals for every item from a programme's similarity matrices and keyword hits.

    ``similarities`` and ``lexical`` are (passages × items); ``keyword_hits`` has one dict per
    passage.
    """
    n_passages = similarities.shape[0]
    result = []
    for column, item_id in enumerate(item_ids):
        hits = [h.get(item_id) for h in keyword_hits]
        levels = np.array([h.level if h else 0 for h in hits], dtype=np.int8)
        if n_passages == 0:
            result.append(ItemSignals(item_id, tuple(0.0 for _ in FEATURES), ()))
            continue
        sims = similarities[:, column]
        above_baseline = sims - float(sims.mean())
        features = (
            float(above_baseline.max()),
            _best(above_baseline, levels == 2),
            _best(above_baseline, levels >= 1),
            float(np.log1p((levels == 2).sum())),
            float(np.log1p((levels >= 1).sum())),
            float(lexical[:, column].max()),
        )
        rank = above_baseline + np.asarray(LEVEL_BONUS, dtype=np.float32)[levels]
        contrary = np.array([bool(h and h.contrary and not h.excluded) for h in hits])
        # Contrary passages are always kept: they are rare and decide a `contrary` verdict.
        top = np.argsort(-rank, kind="stable")[:CANDIDATES]
        order = sorted(set(top.tolist()) | set(np.flatnonzero(contrary & (levels >= 1)).tolist()), key=lambda i: -rank[i])
        candidates = tuple(
            Candidate(
                passage=int(i),
                score=float(rank[i]),
                level=int(levels[i]),
                contrary=bool(contrary[i]),
                signals=(f"dense:{sims[i]:.3f}", *(hits[i].signals if hits[i] else ())),
            )
            for i in order
        )
        result.append(ItemSignals(item_id, features, candidates))
    return result

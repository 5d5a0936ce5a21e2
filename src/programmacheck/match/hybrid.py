"""Hybrid matching: keyword hits, dense similarity, BM25 and context → per-item signals.

For each item the :mod:`passage scorer <programmacheck.match.passage_scorer>` rates every
passage of the programme as possible evidence, and a few programme-level features summarise the
item for the verdict model.  The features are the same for every checklist, which is what lets
one calibrated model serve any checklist.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .passage_scorer import PASSAGE_FEATURES, PassageScorer, passage_features, probability

if TYPE_CHECKING:  # not at run time: reading stored verdicts needs no spaCy
    from .keyword import KeywordHit

#: Programme-level features, in the order the verdict model reads them.
FEATURES = (
    "dense_top",  # best similarity above the programme's baseline for the item
    "dense_measure",  # the same, among passages naming the item's measure
    "dense_subject",  # the same, among passages naming at least its subject
    "measure_passages",  # log(1 + number of passages naming the measure)
    "subject_passages",  # log(1 + number of passages naming at least the subject)
    "lexical_top",  # best BM25 score of a passage, standardised within the programme
    "passage_top",  # the passage scorer's best logit: how sure the best piece of evidence is
)
#: How many candidate passages per item are kept as possible evidence.
CANDIDATES = 8

_DENSE, _LEXICAL = PASSAGE_FEATURES.index("dense"), PASSAGE_FEATURES.index("lexical")


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
    approving_measures: int = 0  # passages, among all, naming the measure without rejecting it

    @property
    def contrary_evidence(self) -> tuple[Candidate, ...]:
        return tuple(c for c in self.candidates if c.contrary and c.level >= 1)


@dataclass(frozen=True)
class TextMatches:
    """The first stage's findings in a programme's passages (matrices are passages × items):
    everything matching finds without the embedder."""

    keyword_hits: tuple[dict[str, KeywordHit], ...]
    lexical: np.ndarray
    worth_embedding: np.ndarray  # boolean: which passages to embed for which item
    heading_levels: np.ndarray


@dataclass(frozen=True)
class ProgrammeMatches:
    """What matching found in one programme's passages, before anything is scored.

    Calibration keeps these per gold programme and refits the scorers on them without reading,
    embedding or matching again.  Matrices are (passages × items); ``heading_levels`` is the
    item's keyword level in the heading path each passage sits under.
    """

    item_ids: tuple[str, ...]
    similarities: np.ndarray
    keyword_hits: tuple[dict[str, KeywordHit], ...]
    lexical: np.ndarray
    heading_levels: np.ndarray

    def column(self, item_id: str) -> tuple[np.ndarray, np.ndarray, list[KeywordHit | None]]:
        """One item's passage features, and its keyword hits."""
        column = self.item_ids.index(item_id)
        hits = [h.get(item_id) for h in self.keyword_hits]
        levels = np.array([h.level if h else 0 for h in hits], dtype=np.int8)
        sims = self.similarities[:, column]
        features = passage_features(
            sims - float(sims.mean()) if len(sims) else sims,
            levels,
            self.lexical[:, column],
            self.heading_levels[:, column],
        )
        return features, levels, hits


def _best(values: np.ndarray, mask: np.ndarray) -> float:
    return float(values[mask].max()) if mask.any() else 0.0


def item_signals(matches: ProgrammeMatches, scorer: PassageScorer) -> list[ItemSignals]:
    """Signals for every item of a programme."""
    result = []
    for item_id in matches.item_ids:
        if len(matches.keyword_hits) == 0:
            result.append(ItemSignals(item_id, tuple(0.0 for _ in FEATURES), ()))
            continue
        features, levels, hits = matches.column(item_id)
        above_baseline, lexical = features[:, _DENSE], features[:, _LEXICAL]
        logits = scorer.logits(features)
        summary = (
            float(above_baseline.max()),
            _best(above_baseline, levels == 2),
            _best(above_baseline, levels >= 1),
            float(np.log1p((levels == 2).sum())),
            float(np.log1p((levels >= 1).sum())),
            float(lexical.max()),
            float(logits.max()),
        )
        contrary = np.array([bool(h and h.contrary and not h.excluded) for h in hits])
        # Contrary passages are always kept: they are rare and decide a `contrary` verdict.
        top = np.argsort(-logits, kind="stable")[:CANDIDATES]
        order = sorted(
            set(top.tolist()) | set(np.flatnonzero(contrary & (levels >= 1)).tolist()), key=lambda i: -logits[i]
        )
        sims = matches.similarities[:, matches.item_ids.index(item_id)]
        candidates = tuple(
            Candidate(
                passage=int(i),
                score=probability(logits[i]),
                level=int(levels[i]),
                contrary=bool(contrary[i]),
                signals=(f"dense:{sims[i]:.3f}", *(hit.signals if (hit := hits[i]) else ())),
            )
            for i in order
        )
        approving = int(((levels == 2) & ~contrary).sum())
        result.append(ItemSignals(item_id, summary, candidates, approving))
    return result

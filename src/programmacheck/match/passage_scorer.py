"""The passage scorer: how likely a passage is a careful reader's evidence for an item.

It reads a passage's own signals (dense similarity, keyword level, BM25) and its context, the way
the Manifesto Project's context model reads the sentences around the one it codes: the
neighbouring passages, and the heading path the passage sits under ("Zorg › Dakloosheid"
makes a sentence about "een eigen plek" evidence for the homelessness items).

It is a logistic regression fitted on the gold evidence quotes as positives (every other passage
of a gold programme is a negative for that item; ``programmacheck calibrate`` fits it, and the
fitted weights travel in the calibration file).  Its features, like the verdict model's, do not
depend on the checklist's wording, so one fit serves any checklist.  Its output orders each
item's evidence and gives the verdict model the feature ``passage_top``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

#: Per (passage, item) features, in the order the scorer reads them.
PASSAGE_FEATURES = (
    "dense",  # similarity above the programme's baseline for the item
    "measure",  # 1 when the passage names the item's measure (for the item's group)
    "subject",  # 1 when it names at least the item's subject
    "lexical",  # BM25 score, standardised within the programme
    "neighbour_dense",  # the better of the two neighbouring passages' "dense"
    "neighbour_keyword",  # the highest keyword level (0-2) of the two neighbouring passages
    "heading_keyword",  # the item's keyword level (0-2) in the passage's heading path
)


def passage_features(
    above_baseline: np.ndarray, levels: np.ndarray, lexical: np.ndarray, heading_levels: np.ndarray
) -> np.ndarray:
    """Matrix (passages × PASSAGE_FEATURES) for one item from its per-passage columns."""

    def neighbours(values: np.ndarray, empty: float) -> np.ndarray:
        before = np.concatenate(([empty], values[:-1]))
        after = np.concatenate((values[1:], [empty]))
        return np.maximum(before, after)

    levels = levels.astype(np.float32)
    return np.column_stack(
        [
            above_baseline,
            levels == 2,
            levels >= 1,
            lexical,
            neighbours(above_baseline, float(above_baseline.min(initial=0.0))),
            neighbours(levels, 0.0),
            heading_levels,
        ]
    ).astype(np.float32)


def standardised_logistic_regression(
    features, labels, regularisation: float, class_weight: str | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(mean, scale, coef, intercept) of a logistic regression on standardised features: how the
    passage scorer and the verdict model are both fitted (a constant feature keeps scale 1).
    ``class_weight="balanced"`` weighs each class by the inverse of its frequency."""
    from sklearn.linear_model import LogisticRegression

    x = np.asarray(features, dtype=np.float64)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=regularisation, max_iter=2000, class_weight=class_weight)
    model.fit((x - mean) / scale, labels)
    return mean, scale, model.coef_, model.intercept_


@dataclass(frozen=True)
class PassageScorer:
    """Standardise the passage features, then a logistic regression: evidence or not."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float

    def logits(self, features: np.ndarray) -> np.ndarray:
        x = (np.asarray(features, dtype=np.float64) - np.asarray(self.mean)) / np.asarray(self.scale)
        return x @ np.asarray(self.coef) + self.intercept

    @classmethod
    def fit(
        cls, features: np.ndarray, is_evidence: Sequence[bool] | np.ndarray, regularisation: float = 1.0
    ) -> PassageScorer:
        y = np.asarray(is_evidence, dtype=bool)
        if not y.any() or y.all():
            raise ValueError("the passage scorer needs gold evidence passages and other passages")
        mean, scale, coef, intercept = standardised_logistic_regression(features, y, regularisation)
        return cls(tuple(mean), tuple(scale), tuple(coef[0]), float(intercept[0]))

    def to_json(self) -> dict:
        return {
            "features": list(PASSAGE_FEATURES),
            "mean": list(self.mean),
            "scale": list(self.scale),
            "coef": list(self.coef),
            "intercept": self.intercept,
        }

    @classmethod
    def from_json(cls, data: dict) -> PassageScorer:
        if data.get("features") != list(PASSAGE_FEATURES):
            raise ValueError("the passage scorer was fitted for other features")
        return cls(tuple(data["mean"]), tuple(data["scale"]), tuple(data["coef"]), float(data["intercept"]))


def probability(logit: float) -> float:
    return float(1.0 / (1.0 + np.exp(-logit)))

"""From per-item signals to a programme verdict: addressed / partial / contrary / absent.

The development gold is small (a few dozen `addressed` labels, many items never occur), so
per-item thresholds cannot be fitted.  Instead one *global* multinomial logistic model reads the
checklist-independent features of :mod:`programmacheck.match.hybrid`; its coefficients live in
a calibration file (``models/calibration.json``) with the data and code version it was fitted
from, together with the passage scorer whose output it reads.  Because the features do not
depend on the checklist, the same file serves any checklist.

``contrary`` is too rare to learn (two gold labels): it is decided by rule — the programme talks
about the item, and its strongest statements on it reject the measure.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import __version__
from .checklist import Checklist
from .match.hybrid import FEATURES, ItemSignals
from .match.passage_scorer import PassageScorer, standardised_logistic_regression
from .records import Evidence, ItemVerdict, ProgrammeText, Verdict
from .resources import bundled_path

#: Labels the model learns; `contrary` gold labels count as mentions (`partial`) when fitting.
MODEL_CLASSES: tuple[Verdict, ...] = ("absent", "partial", "addressed")
#: Each class weighs by the inverse of its frequency when fitting.  Why: `absent` outnumbers
#: `addressed` by three to one in the gold, and an unweighted fit learnt to answer `partial` or
#: `absent` where a new programme commits in words the keyword rules did not foresee (fitted on
#: other municipalities and elections, balanced weights raise κ and F1 addressed; see the README).
CLASS_WEIGHT = "balanced"
#: A verdict's score: P(addressed) + SCORE_PARTIAL_WEIGHT · P(partial), in [0, 1].
SCORE_PARTIAL_WEIGHT = 0.5
#: Evidence quotes per verdict.
MAX_EVIDENCE = 3


def default_calibration_path() -> Path:
    return bundled_path("models", "calibration.json")


@dataclass(frozen=True)
class VerdictModel:
    """Standardise features, then a multinomial logistic regression over MODEL_CLASSES.

    ``features`` names the signals it reads, a subset of :data:`FEATURES`: the full set for
    the shipped model, one family of them for the keyword-, dense- and BM25-only baselines.
    """

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[tuple[float, ...], ...]  # one row per class
    intercept: tuple[float, ...]
    passage_scorer: PassageScorer  # fitted alongside: it orders evidence and gives `passage_top`
    provenance: dict

    def probabilities(self, features: Sequence[Sequence[float]]) -> np.ndarray:
        """Class probabilities for rows of all :data:`FEATURES` (the model picks its own)."""
        columns = [FEATURES.index(name) for name in self.features]
        x = (np.asarray(features, dtype=np.float64)[:, columns] - np.asarray(self.mean)) / np.asarray(self.scale)
        logits = x @ np.asarray(self.coef).T + np.asarray(self.intercept)
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        return p / p.sum(axis=1, keepdims=True)

    def decide(self, signals: Sequence[ItemSignals]) -> list[tuple[Verdict, float]]:
        """(verdict, score) for each item's signals."""
        if not signals:
            return []
        probs = self.probabilities([s.features for s in signals])
        decisions: list[tuple[Verdict, float]] = []
        for s, p in zip(signals, probs, strict=True):
            label = MODEL_CLASSES[int(p.argmax())]
            score = float(p[2] + SCORE_PARTIAL_WEIGHT * p[1])
            if label != "absent" and is_contrary(s):
                label = "contrary"
            decisions.append((label, round(score, 4)))
        return decisions

    # ---- fitting and storage -------------------------------------------------------------

    @classmethod
    def fit(
        cls,
        features: Sequence[Sequence[float]],
        labels: Sequence[str],
        passage_scorer: PassageScorer,
        provenance: dict | None = None,
        regularisation: float = 1.0,
        feature_names: Sequence[str] = FEATURES,
    ) -> VerdictModel:
        x = np.asarray(features, dtype=np.float64)[:, [FEATURES.index(name) for name in feature_names]]
        y = np.array([MODEL_CLASSES.index("partial" if lab == "contrary" else lab) for lab in labels])
        if len(set(y.tolist())) != len(MODEL_CLASSES):
            raise ValueError(f"calibration needs examples of every label {MODEL_CLASSES}; got {sorted(set(labels))}")
        mean, scale, coef, intercept = standardised_logistic_regression(x, y, regularisation, CLASS_WEIGHT)
        return cls(
            tuple(feature_names),
            tuple(mean),
            tuple(scale),
            tuple(map(tuple, coef)),
            tuple(intercept),
            passage_scorer,
            dict(provenance or {}),
        )

    def to_json(self) -> dict:
        return {
            "kind": "global multinomial logistic regression",
            "features": list(self.features),
            "classes": list(MODEL_CLASSES),
            "mean": list(self.mean),
            "scale": list(self.scale),
            "coef": [list(r) for r in self.coef],
            "intercept": list(self.intercept),
            "passage_scorer": self.passage_scorer.to_json(),
            "provenance": self.provenance,
        }

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path | None = None) -> LoadedModel:
        file = Path(path) if path else default_calibration_path()
        data = file.read_bytes()
        raw = json.loads(data)
        stale = f"{file}: calibration was fitted for other features or classes; rerun `programmacheck calibrate`"
        if not set(raw.get("features", [None])) <= set(FEATURES) or raw.get("classes") != list(MODEL_CLASSES):
            raise ValueError(stale)
        try:
            scorer = PassageScorer.from_json(raw["passage_scorer"])
        except (KeyError, ValueError):
            raise ValueError(stale) from None
        model = cls(
            tuple(raw["features"]),
            tuple(raw["mean"]),
            tuple(raw["scale"]),
            tuple(map(tuple, raw["coef"])),
            tuple(raw["intercept"]),
            scorer,
            raw.get("provenance", {}),
        )
        return LoadedModel(path=str(file), sha256=hashlib.sha256(data).hexdigest(), model=model)


@dataclass(frozen=True)
class LoadedModel:
    path: str
    sha256: str
    model: VerdictModel


def is_contrary(signals: ItemSignals) -> bool:
    """The strongest statements on the item reject it.

    Where passages name the item's measure, they all reject it; where passages only name its
    subject, the best-scored of them rejects it.  (Keyword level, not the passage score, decides
    which statements are strongest: a rejection is often worded like a plain mention.)"""
    with_keywords = [c for c in signals.candidates if c.level >= 1]
    if signals.approving_measures:
        return False
    rejecting_measures = [c for c in with_keywords if c.level == 2]  # every contrary passage is a candidate
    if rejecting_measures:
        return True
    return bool(with_keywords) and with_keywords[0].contrary


def fit_provenance(gold_documents: Sequence[str], embedder_identity: str, checklist_sha256: str) -> dict:
    """Where a calibration came from.  The numeric libraries' versions are kept because a patch
    release moves embeddings, and so the fitted coefficients, in the fourth decimal."""
    from importlib.metadata import PackageNotFoundError, version

    def installed(package: str) -> str:
        try:
            return version(package)
        except PackageNotFoundError:
            return ""

    return {
        "fitted_on": sorted(gold_documents),
        "code_version": __version__,
        "embedder": embedder_identity,
        "checklist_sha256": checklist_sha256,
        "libraries": {p: installed(p) for p in ("numpy", "scikit-learn", "torch", "sentence-transformers", "spacy")},
        "date": dt.date.today().isoformat(),
    }


def select_evidence(text: ProgrammeText, signals: ItemSignals, contrary_first: bool) -> tuple[Evidence, ...]:
    """Up to :data:`MAX_EVIDENCE` quotes for a verdict, one per paragraph: passages naming the
    item's words before the others (a reader checks a verdict by its words), and for a
    ``contrary`` verdict the rejecting passages first."""
    candidates = list(signals.contrary_evidence if contrary_first else ())
    with_keywords = [c for c in signals.candidates if c.level >= 1]
    candidates += with_keywords or list(signals.candidates)
    chosen: list[Evidence] = []
    seen_paragraphs: set[int] = set()
    for c in candidates:
        paragraph_index = text.passages[c.passage].paragraph
        if paragraph_index in seen_paragraphs:
            continue
        seen_paragraphs.add(paragraph_index)
        paragraph = text.paragraphs[paragraph_index]
        chosen.append(
            Evidence(paragraph.page, paragraph.section, text.passages[c.passage].text, round(c.score, 4), c.signals)
        )
        if len(chosen) == MAX_EVIDENCE:
            break
    return tuple(chosen)


_RANK = {"absent": 0, "partial": 1, "contrary": 1, "addressed": 2}


def apply_parents(verdicts: list[ItemVerdict], checklist: Checklist) -> list[ItemVerdict]:
    """A sub-item that is addressed counts for its parent too (annotation guide)."""
    by_id = {v.item_id: v for v in verdicts}
    for item in checklist.items:
        parent = by_id.get(item.id)
        children = [by_id[c.id] for c in checklist.children(item.id) if c.id in by_id]
        best = max(children, key=lambda v: (_RANK[v.verdict], v.score), default=None)
        if parent and best and best.verdict == "addressed" and parent.verdict != "addressed":
            by_id[item.id] = ItemVerdict(
                parent.document,
                parent.item_id,
                parent.theme_id,
                "addressed",
                max(parent.score, best.score),
                best.evidence,
            )
    return [by_id[v.item_id] for v in verdicts]

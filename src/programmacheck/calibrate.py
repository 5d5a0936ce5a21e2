"""Fitting the passage scorer and the verdict model on gold programmes, and cross-validation:
leave-one-group-out (a whole municipality or election unseen) and leave-one-programme-out.

Both read the same matches and signals a scan computes (through the same
:class:`~programmacheck.engine.Engine` stages), so a calibration file always matches what a scan
will see.  The
passage scorer learns from the gold evidence quotes; the verdict model from the gold labels,
reading the signals the newly fitted scorer gives.  Rerunning ``programmacheck calibrate`` with
the same gold, corpus, checklist and model reproduces the file.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from .engine import Engine, Scoring
from .evaluate import GoldFile, Pair, load_gold, quote_matches
from .extract import DEFAULT_PDF_BACKEND
from .match.hybrid import FEATURES, ProgrammeMatches, item_signals
from .match.passage_scorer import PassageScorer
from .programmes import metadata_from_layout
from .records import ItemVerdict, Programme, ProgrammeText
from .verdict import VerdictModel, fit_provenance


@dataclass(frozen=True)
class GoldProgramme:
    """A labelled programme, matched as a scan matches it.  The labels come from a gold file, or
    from people's reviews of a scan (``batch.review_labels.reviewed_programmes``), which say the
    verdict but not which passages are its evidence: their ``gold.evidence`` is empty, and they
    teach the verdict model only, not the passage scorer."""

    gold: GoldFile
    programme: Programme
    text: ProgrammeText
    matches: ProgrammeMatches

    def evidence_labels(self, item_id: str) -> np.ndarray:
        """Per passage: does it match one of the gold evidence quotes for the item?"""
        quotes = [q.get("quote", "") for q in self.gold.evidence.get(item_id, [])]
        return np.array([any(quote_matches(p.text, q) for q in quotes) for p in self.text.passages], dtype=bool)


def collect(
    engine: Engine,
    scoring: Scoring,
    gold_dirs: Sequence[str | Path],
    corpus_root: str | Path,
    extractor: str = DEFAULT_PDF_BACKEND,
) -> list[GoldProgramme]:
    """Read every gold programme from the corpus and match its passages."""
    examples = []
    for gold_dir in gold_dirs:
        for gold in load_gold(gold_dir):
            path = str(Path(corpus_root) / gold.document)
            # named as a scan names it (below the corpus root), so held-out verdicts match their gold file
            programme = Programme(gold.document, (path,), metadata_from_layout(gold.document))
            examples.append(labelled(engine, scoring, gold, programme, engine.read(programme, extractor)))
    return examples


def labelled(
    engine: Engine, scoring: Scoring, gold: GoldFile, programme: Programme, text: ProgrammeText
) -> GoldProgramme:
    """A programme's text with its labels, matched through the engine's stages as a scan matches it."""
    return GoldProgramme(gold, programme, text, engine.matches(text, engine.first_stage(text, scoring), scoring))


#: Ablations reported beside the combined system: the same model reading one signal family, or
#: all but the dense ones (whose passage scorer still reads dense similarity).
DENSE_FEATURES = ("dense_top", "dense_measure", "dense_subject")
BASELINES: dict[str, tuple[str, ...]] = {
    "keyword-only": ("measure_passages", "subject_passages"),
    "dense-only": ("dense_top",),
    "bm25-only": ("lexical_top",),
    "without-dense": tuple(f for f in FEATURES if f not in DENSE_FEATURES),
    "combined": FEATURES,
}


def fit_passage_scorer(examples: Sequence[GoldProgramme]) -> PassageScorer:
    """Gold evidence passages are the positives; every other passage of the item is a negative.
    Only items whose evidence is known count (a gold file lists it for each label, a review for
    none)."""
    features, is_evidence = [], []
    for example in examples:
        for item_id in example.matches.item_ids:
            if item_id in example.gold.labels and item_id in example.gold.evidence and example.text.passages:
                features.append(example.matches.column(item_id)[0])
                is_evidence.append(example.evidence_labels(item_id))
    return PassageScorer.fit(np.concatenate(features), np.concatenate(is_evidence))


def fit(examples: Sequence[GoldProgramme], scoring: Scoring, feature_names: Sequence[str] = FEATURES) -> VerdictModel:
    """The passage scorer first, then the verdict model on the signals it gives."""
    scorer = fit_passage_scorer(examples)
    features, labels = [], []
    for example in examples:
        for s in item_signals(example.matches, scorer):
            if s.item_id in example.gold.labels:
                features.append(s.features)
                labels.append(example.gold.labels[s.item_id])
    provenance = fit_provenance(
        [e.gold.document for e in examples], scoring.embedder.identity, scoring.checklist.sha256
    )
    return VerdictModel.fit(features, labels, scorer, provenance, feature_names=feature_names)


def group_of(example: GoldProgramme) -> str:
    """The group a gold programme belongs to: the folder its path names below the corpus root,
    i.e. its election and municipality (``gr2026/amsterdam``), or its election for a national
    programme (``tk2025``).  Holding out a whole group is the honest test of a tool that will
    read municipalities and elections nobody labelled."""
    return posixpath.dirname(example.gold.document) or example.gold.document


def document_of(example: GoldProgramme) -> str:
    return example.gold.document


def cross_validate(
    examples: Sequence[GoldProgramme],
    engine: Engine,
    scoring: Scoring,
    fold_of: Callable[[GoldProgramme], str],
    extra_training: Sequence[GoldProgramme] = (),
    feature_names: Sequence[str] = FEATURES,
) -> tuple[list[Pair], list[ItemVerdict]]:
    """Score each fold with a model fitted on the other folds (plus the programmes of
    ``extra_training`` outside the fold): nothing of a held-out fold is seen when fitting."""
    pairs: list[Pair] = []
    verdicts: list[ItemVerdict] = []
    for fold in dict.fromkeys(map(fold_of, examples)):
        training = [e for e in (*examples, *extra_training) if fold_of(e) != fold]
        fold_scoring = replace(scoring, model=fit(training, scoring, feature_names))
        for held_out in (e for e in examples if fold_of(e) == fold):
            predicted = engine.decide(held_out.programme, held_out.text, held_out.matches, fold_scoring)
            verdicts.extend(predicted)
            gold = held_out.gold
            pairs.extend(
                Pair(
                    gold.document,
                    v.item_id,
                    gold.labels[v.item_id],
                    v.verdict,
                    f"p. {v.evidence[0].page}: {v.evidence[0].quote}" if v.evidence else "",
                    next((f"p. {e['page']}: {e['quote']}" for e in gold.evidence.get(v.item_id, [])), ""),
                )
                for v in predicted
                if v.item_id in gold.labels
            )
    return pairs, verdicts


def leave_one_programme_out(
    examples: Sequence[GoldProgramme],
    engine: Engine,
    scoring: Scoring,
    extra_training: Sequence[GoldProgramme] = (),
    feature_names: Sequence[str] = FEATURES,
) -> tuple[list[Pair], list[ItemVerdict]]:
    """Each programme scored by a model fitted on all the others: its municipality and
    election were seen, so this flatters (see :func:`leave_one_group_out`)."""
    return cross_validate(examples, engine, scoring, document_of, extra_training, feature_names)


def leave_one_group_out(
    examples: Sequence[GoldProgramme],
    engine: Engine,
    scoring: Scoring,
    extra_training: Sequence[GoldProgramme] = (),
    feature_names: Sequence[str] = FEATURES,
) -> tuple[list[Pair], list[ItemVerdict]]:
    """Each group (:func:`group_of`: a municipality of one election, or a national election)
    scored by a model fitted on the other groups only: the headline figure."""
    return cross_validate(examples, engine, scoring, group_of, extra_training, feature_names)


def cross_validation_provenance(scoring: Scoring, gold_dirs: Sequence[str | Path], extractor: str) -> dict:
    """``run.json`` of a leave-one-group-out output folder, in the shape a scan's has: no single
    calibration file made these verdicts, and none was fitted on the programme it scored."""
    return {
        "mode": "leave-one-group-out",
        "gold": [str(folder) for folder in gold_dirs],
        "checklist": {
            "path": scoring.checklist.path,
            "sha256": scoring.checklist.sha256,
            "name": scoring.checklist.checklist.name,
        },
        "model": scoring.embedder.identity,
        "calibration": {"path": None, "sha256": None, "provenance": {"fitted_on": []}},
        "settings": {"extractor": extractor},
    }

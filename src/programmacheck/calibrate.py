"""Fitting the verdict model on gold programmes, and leave-one-programme-out evaluation.

Both read the same per-item signals the scan computes (:meth:`Scanner.signals`), so a
calibration file always matches what a scan will see.  Rerunning ``programmacheck calibrate``
with the same gold, corpus, checklist and model reproduces the file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .evaluate import GoldFile, Pair, load_gold
from .match.hybrid import FEATURES, ItemSignals
from .pipeline import ProgrammeText, Scanner, read_programme
from .programmes import metadata_from_layout
from .records import ItemVerdict, Programme
from .verdict import VerdictModel, fit_provenance


@dataclass(frozen=True)
class GoldProgramme:
    gold: GoldFile
    programme: Programme
    text: ProgrammeText
    signals: list[ItemSignals]


def collect(scanner: Scanner, gold_dirs: Sequence[str | Path], corpus_root: str | Path) -> list[GoldProgramme]:
    """Read every gold programme from the corpus and compute its signals."""
    examples = []
    for gold_dir in gold_dirs:
        for gold in load_gold(gold_dir):
            path = str(Path(corpus_root) / gold.document)
            programme = Programme(path, (path,), metadata_from_layout(gold.document))
            text = read_programme(programme, scanner.settings.extractor)
            examples.append(GoldProgramme(gold, programme, text, scanner.signals(text)))
    return examples


#: Baselines reported beside the combined system: the same model reading one signal family.
BASELINES: dict[str, tuple[str, ...]] = {
    "keyword-only": ("measure_passages", "subject_passages"),
    "dense-only": ("dense_top",),
    "bm25-only": ("lexical_top",),
    "combined": FEATURES,
}


def fit(examples: Sequence[GoldProgramme], scanner: Scanner, feature_names: Sequence[str] = FEATURES) -> VerdictModel:
    features, labels = [], []
    for example in examples:
        for s in example.signals:
            if s.item_id in example.gold.labels:
                features.append(s.features)
                labels.append(example.gold.labels[s.item_id])
    provenance = fit_provenance([e.gold.document for e in examples], scanner.embedder.identity, scanner.checklist.sha256)
    return VerdictModel.fit(features, labels, provenance, feature_names=feature_names)


def leave_one_out(examples: Sequence[GoldProgramme], scanner: Scanner, extra_training: Sequence[GoldProgramme] = (),
                  feature_names: Sequence[str] = FEATURES) -> tuple[list[Pair], list[ItemVerdict]]:
    """Score each programme with a model fitted on the others (plus ``extra_training``)."""
    pairs: list[Pair] = []
    verdicts: list[ItemVerdict] = []
    for held_out in examples:
        training = [e for e in examples if e is not held_out] + list(extra_training)
        model = fit(training, scanner, feature_names)
        predicted = scanner.verdicts(held_out.programme, held_out.text, held_out.signals, model=model)
        verdicts.extend(predicted)
        gold = held_out.gold
        pairs.extend(
            Pair(gold.document, v.item_id, gold.labels[v.item_id], v.verdict,
                 f"p. {v.evidence[0].page}: {v.evidence[0].quote}" if v.evidence else "",
                 next((f"p. {e['page']}: {e['quote']}" for e in gold.evidence.get(v.item_id, [])), ""))
            for v in predicted if v.item_id in gold.labels)
    return pairs, verdicts

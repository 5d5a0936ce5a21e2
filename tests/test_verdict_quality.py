"""Agreement with all the development gold, leave-one-group-out, and calibration reproducibility.

These read the real programmes in ../shared and run the real model (slow; run in CI).
"""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

from conftest import REPO_ROOT
from programmacheck.calibrate import collect, fit, leave_one_group_out, leave_one_programme_out
from programmacheck.engine import Engine, ScanSettings, Scoring
from programmacheck.evaluate import kappa, scores
from programmacheck.verdict import VerdictModel

pytestmark = pytest.mark.slow

GOLD_FOLDERS = ("gold", "gold-national", "gold-web")
#: How far a refit may move a standardised coefficient: sentence-transformers and torch patch
#: releases move embeddings in the fourth decimal, and a coefficient by ~0.001 (seen: 0.00125).
#: A refit on other programmes, features or keyword rules moves them by far more than this.
COEFFICIENT_TOLERANCE = 0.01


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine()


@pytest.fixture(scope="module")
def scoring(engine) -> Scoring:
    return engine.scoring(ScanSettings(), calibrated=False)


@pytest.fixture(scope="module")
def examples(engine, scoring, shared_dir):
    return collect(engine, scoring, [shared_dir / "eval" / folder for folder in GOLD_FOLDERS], shared_dir / "corpus")


def test_programmes_of_an_unseen_municipality_or_election_agree_no_worse_than_measured(engine, scoring, examples):
    """A guard against regressions at the figures measured at this release (κ 0.69, F1 addressed
    0.80, F1 mentioned 0.85, leave-one-group-out); the issue's targets are higher."""
    pairs, _ = leave_one_group_out(examples, engine, scoring)
    s = scores(pairs, bootstrap=200)
    assert s["kappa"].value >= 0.66, s
    assert s["f1_addressed"].value >= 0.76, s
    assert s["f1_mentioned"].value >= 0.82, s


def test_the_generalisation_gap_is_small(engine, scoring, examples):
    group_out, _ = leave_one_group_out(examples, engine, scoring)
    programme_out, _ = leave_one_programme_out(examples, engine, scoring)
    by_group = kappa([p.gold for p in group_out], [p.predicted for p in group_out])
    by_programme = kappa([p.gold for p in programme_out], [p.predicted for p in programme_out])
    assert by_programme - by_group <= 0.05, (by_programme, by_group)


def test_no_false_contrary_on_the_development_gold(engine, scoring, examples):
    pairs, _ = leave_one_group_out(examples, engine, scoring)
    false_contrary = [
        (p.document, p.item_id, p.gold) for p in pairs if p.predicted == "contrary" and p.gold != "contrary"
    ]
    assert false_contrary == []


def test_refitting_reproduces_the_shipped_calibration(engine, scoring, examples):
    shipped = json.loads((REPO_ROOT / "models" / "calibration.json").read_text(encoding="utf-8"))
    refitted = fit(examples, scoring)
    fitted = refitted.to_json()
    assert fitted["provenance"]["fitted_on"] == shipped["provenance"]["fitted_on"]
    assert fitted["provenance"]["checklist_sha256"] == shipped["provenance"]["checklist_sha256"]
    assert fitted["features"] == shipped["features"]
    for key in ("mean", "scale", "coef", "intercept"):
        np.testing.assert_allclose(fitted[key], shipped[key], atol=COEFFICIENT_TOLERANCE, err_msg=key)
    for key in ("mean", "scale", "coef"):
        np.testing.assert_allclose(
            fitted["passage_scorer"][key],
            shipped["passage_scorer"][key],
            atol=COEFFICIENT_TOLERANCE,
            err_msg=f"passage scorer {key}",
        )
    # What the tolerance allows may flip a verdict that sits on a boundary, and no more.
    shipped_model = VerdictModel.load(REPO_ROOT / "models" / "calibration.json").model
    decided = [
        (
            model.decide(engine.signals(e.text, e.matches, replace(scoring, model=model)))
            for model in (refitted, shipped_model)
        )
        for e in examples
    ]
    pairs = [(a[0], b[0]) for refit, ship in decided for a, b in zip(refit, ship, strict=True)]
    assert sum(a != b for a, b in pairs) <= 0.01 * len(pairs)

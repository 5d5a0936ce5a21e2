"""Agreement with the development gold, leave-one-programme-out, and calibration reproducibility.

These read the real programmes in ../shared and run the real model (slow; run in CI).
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import REPO_ROOT

from programmacheck.calibrate import collect, fit, leave_one_out
from programmacheck.evaluate import scores
from programmacheck.pipeline import Scanner, ScanSettings

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def scanner() -> Scanner:
    return Scanner(ScanSettings())


@pytest.fixture(scope="module")
def municipal(scanner, shared_dir):
    return collect(scanner, [shared_dir / "eval" / "gold"], shared_dir / "corpus")


@pytest.fixture(scope="module")
def national(scanner, shared_dir):
    return collect(scanner, [shared_dir / "eval" / "gold-national"], shared_dir / "corpus")


def test_leave_one_programme_out_agrees_like_a_careful_reader(scanner, municipal):
    pairs, _ = leave_one_out(municipal, scanner)
    s = scores(pairs, bootstrap=200)
    assert s["kappa"].value >= 0.70, s
    assert s["f1_addressed"].value >= 0.80, s
    assert s["f1_mentioned"].value >= 0.85, s


def test_no_false_contrary_on_the_development_gold(scanner, municipal, national):
    pairs, _ = leave_one_out(municipal, scanner, national)
    false_contrary = [(p.document, p.item_id, p.gold) for p in pairs if p.predicted == "contrary" and p.gold != "contrary"]
    assert false_contrary == []


def test_refitting_reproduces_the_shipped_calibration(scanner, municipal, national):
    shipped = json.loads((REPO_ROOT / "models" / "calibration.json").read_text(encoding="utf-8"))
    refitted = fit(municipal + national, scanner).to_json()
    assert refitted["provenance"]["fitted_on"] == shipped["provenance"]["fitted_on"]
    assert refitted["provenance"]["checklist_sha256"] == shipped["provenance"]["checklist_sha256"]
    for key in ("mean", "scale", "coef", "intercept"):
        np.testing.assert_allclose(refitted[key], shipped[key], atol=1e-3)

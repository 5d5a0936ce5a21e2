"""A small sample of the bad-input campaign (``benchmarks/fuzz.py``): mutated sample PDFs and the
misuse file classes, each read in a watched child process."""

from __future__ import annotations

import sys

import pytest

from conftest import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "benchmarks"))
import fuzz  # noqa: E402


def test_every_mutation_kind_changes_the_seed_and_is_drawn():
    import random

    seed = fuzz.SEED_PDF.read_bytes()
    drawn = fuzz.mutants(seed, len(fuzz.MUTATIONS) + 1, random.Random(0))
    assert {kind for kind, _ in drawn[: len(fuzz.MUTATIONS)]} == set(fuzz.MUTATIONS)
    assert all(data != seed for _, data in drawn)


@pytest.mark.slow
def test_a_sample_of_the_campaign_has_no_crash_hang_stray_line_or_lost_file(tmp_path):
    tally, problems = fuzz.campaign(count=40, batch=40, seed=17, ocr=False, keep=tmp_path, classes=True, commands=False)
    assert tally.files == 40 + len(list((tmp_path / "classes").iterdir())) + 1  # + /dev/zero
    assert (tally.crashes, tally.hangs, tally.unaccounted, tally.not_one_line) == ([], [], [], [])
    assert tally.read > 0 and sum(tally.refused.values()) > 0
    assert 0 < tally.peak_mb < fuzz.MEMORY_BOUND_MB  # 0: no child reported its peak

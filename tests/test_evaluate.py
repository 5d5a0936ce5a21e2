"""Scoring against gold: metrics, gold matching, agreement with the shared reference scorer."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import pytest

from programmacheck.evaluate import (
    GoldMatchError,
    Pair,
    f1,
    kappa,
    kappa_difference,
    load_gold,
    pair_up,
    read_verdicts,
    scores,
)

ITEMS = ("1.1", "1.2", "2.1", "3.1")


def write_gold(folder, document, labels):
    folder.mkdir(exist_ok=True)
    data = {"document": document, "labels": [{"id": i, "label": lab, "evidence": []} for i, lab in zip(ITEMS, labels)]}
    (folder / (document.replace("/", "__") + ".json")).write_text(json.dumps(data))


def write_verdicts(path, rows):
    with open(path, "w", newline="") as handle:
        w = csv.writer(handle)
        w.writerow(["document", "item_id", "theme_id", "verdict", "score", "evidence_page", "evidence_quote"])
        for document, item, verdict in rows:
            w.writerow([document, item, item[0], verdict, 0.5, "", ""])


def test_kappa_and_f1_known_values():
    assert kappa(["a", "b", "a", "b"], ["a", "b", "a", "b"]) == pytest.approx(1.0)
    assert kappa(["a", "a", "b", "b"], ["a", "b", "a", "b"]) == pytest.approx(0.0)
    assert f1([True, True, False], [True, False, True]) == pytest.approx(0.5)


def test_gold_matches_by_path_suffix_and_scores(tmp_path):
    write_gold(tmp_path / "gold", "gr2026/x/p.pdf", ["addressed", "partial", "absent", "contrary"])
    write_verdicts(
        tmp_path / "v.csv",
        [("../corpus/gr2026/x/p.pdf", i, v) for i, v in zip(ITEMS, ["addressed", "absent", "absent", "contrary"])],
    )
    pairs = pair_up(load_gold(tmp_path / "gold"), read_verdicts(tmp_path / "v.csv"))
    assert [p.predicted for p in pairs] == ["addressed", "absent", "absent", "contrary"]
    s = scores(pairs, bootstrap=50)
    assert s["f1_addressed"].value == pytest.approx(1.0)
    assert s["f1_mentioned"].value == pytest.approx(0.8)


def test_gold_without_a_match_is_an_error(tmp_path):
    write_gold(tmp_path / "gold", "gr2026/x/p.pdf", ["absent"] * 4)
    write_verdicts(tmp_path / "v.csv", [("other.pdf", i, "absent") for i in ITEMS])
    with pytest.raises(GoldMatchError, match="no verdict rows"):
        pair_up(load_gold(tmp_path / "gold"), read_verdicts(tmp_path / "v.csv"))


def test_gold_with_two_matches_is_an_error(tmp_path):
    write_gold(tmp_path / "gold", "x/p.pdf", ["absent"] * 4)
    write_verdicts(tmp_path / "v.csv", [(d, i, "absent") for d in ("a/x/p.pdf", "b/x/p.pdf") for i in ITEMS])
    with pytest.raises(GoldMatchError, match="2 documents"):
        pair_up(load_gold(tmp_path / "gold"), read_verdicts(tmp_path / "v.csv"))


def test_agrees_with_the_reference_scorer(tmp_path, shared_dir):
    """Our metrics equal ../shared/eval/score.py on the same (made-up) verdicts for the real gold."""
    golds = load_gold(shared_dir / "eval" / "gold")
    rows = []
    for n, gold in enumerate(golds):
        for k, item in enumerate(sorted(gold.labels)):
            rows.append((gold.document, item, ["absent", "partial", "addressed", "contrary"][(n + k) % 4]))
    write_verdicts(tmp_path / "v.csv", rows)
    ours = scores(pair_up(golds, read_verdicts(tmp_path / "v.csv")), bootstrap=10)
    out = subprocess.run(
        [
            sys.executable,
            str(shared_dir / "eval" / "score.py"),
            str(tmp_path / "v.csv"),
            str(shared_dir / "eval" / "gold"),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    reference = dict(part.split("=") for part in out.split())
    assert float(reference["kappa"]) == pytest.approx(ours["kappa"].value, abs=1e-3)
    assert float(reference["f1_addressed"]) == pytest.approx(ours["f1_addressed"].value, abs=1e-3)
    assert float(reference["f1_mentioned"]) == pytest.approx(ours["f1_mentioned"].value, abs=1e-3)


def test_error_report_names_the_passage_behind_each_disagreement():
    from programmacheck.evaluate import error_report

    pairs = [
        Pair("p.pdf", "1.1", "absent", "addressed", "p. 3: We bouwen flexwoningen.", ""),
        Pair("p.pdf", "3.3", "addressed", "absent", "", "p. 5: Schuldhulp voor daklozen."),
        Pair("p.pdf", "4.1", "partial", "partial", "p. 1: x", "p. 1: x"),
    ]
    report = error_report(pairs)
    assert "item 1.1" in report and "false positive" in report and "We bouwen flexwoningen." in report
    assert "item 3.3" in report and "false negative" in report and "Schuldhulp voor daklozen." in report
    assert "item 4.1" not in report


def test_kappa_difference_is_paired_and_refuses_other_pairs():
    labels = ["absent", "partial", "addressed", "contrary"] * 10
    gold = [Pair("p.pdf", str(i), label, label) for i, label in enumerate(labels)]
    worse = [Pair(p.document, p.item_id, p.gold, "absent" if i % 3 == 0 else p.predicted) for i, p in enumerate(gold)]
    same = kappa_difference(gold, gold)
    assert (same.value, same.low, same.high) == (0.0, 0.0, 0.0)
    better = kappa_difference(worse, gold)
    assert better.value == pytest.approx(1.0 - kappa([p.gold for p in worse], [p.predicted for p in worse]))
    assert 0 < better.low <= better.value <= better.high
    with pytest.raises(ValueError, match="same programme"):
        kappa_difference(gold, gold[:-1])

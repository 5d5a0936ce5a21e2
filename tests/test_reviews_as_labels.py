"""Reviews are labels: calibration fits on reviewed verdicts next to the gold files, eval scores
the tool against the reviews, and a reviewed programme makes the next scan agree more with them.

The sample programmes with their author's intended labels (``corpus/samples/expected.json``):
two serve as gold files, the third is reviewed by a person who sets every verdict the tool got
wrong and confirms the rest.  The counting embedder stands in for the model.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import REPO_ROOT
from fakes import CountingEmbedder
from programmacheck.batch.coordinator import REVIEW_KEYS
from programmacheck.batch.review_labels import reviewed_programmes
from programmacheck.batch.reviewing import open_store
from programmacheck.calibrate import collect, fit
from programmacheck.cli import EXIT_OK, EXIT_UNUSABLE, main
from programmacheck.engine import Engine, ScanSettings
from programmacheck.evaluate import Pair, review_pairs
from programmacheck.reviews import Review, export_reviews
from review_fixtures import DOCUMENT, rows, scan

SAMPLES = REPO_ROOT / "corpus" / "samples"
INTENDED = {p["document"]: p for p in json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8"))["programmes"]}
GOLD_DOCUMENTS = ("gr2026/lindewaard/samen-lindewaard.pdf", "gr2026/lindewaard/orde-en-eigen-kracht.txt")


def agreement(pairs: list[Pair]) -> float:
    return sum(p.gold == p.predicted for p in pairs) / len(pairs)


def review_all(out: Path, tmp_path: Path) -> int:
    """Review every item of DOCUMENT with its intended label ('confirmed' where the tool has it);
    returns how many reviews change the tool's verdict."""
    keys = json.loads((out / "run.json").read_text(encoding="utf-8"))[REVIEW_KEYS]
    tool = {item: row["verdict_tool"] for (document, item), row in rows(out).items() if document == DOCUMENT}
    reviews = [
        Review(
            DOCUMENT,
            label["id"],
            "confirmed" if tool[label["id"]] == label["label"] else label["label"],
            "",
            "anna",
            "2026-03-01T10:00:00+00:00",
            tool[label["id"]],
            keys["text_keys"][DOCUMENT],
            keys["definitions"][label["id"]],
        )
        for label in INTENDED[DOCUMENT]["labels"]
    ]
    export_reviews(reviews, tmp_path / "anna.json")
    assert main(["review", str(out), "import", str(tmp_path / "anna.json")]) == EXIT_OK
    return sum(r.verdict != "confirmed" for r in reviews)


def gold_files(tmp_path: Path) -> Path:
    """The intended labels of GOLD_DOCUMENTS as a folder of gold files."""
    gold_dir = tmp_path / "gold"
    gold_dir.mkdir()
    for number, document in enumerate(GOLD_DOCUMENTS):
        (gold_dir / f"{number}.json").write_text(json.dumps(INTENDED[document]), encoding="utf-8")
    return gold_dir


@pytest.mark.slow
def test_a_reviewed_programme_makes_the_next_scan_agree_more_with_its_reviews(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    gold_dir = gold_files(tmp_path)
    engine = Engine()
    scoring = engine.scoring(ScanSettings(), embedder=CountingEmbedder(), calibrated=False)
    gold = collect(engine, scoring, [gold_dir], SAMPLES)
    fit(gold, scoring).save(tmp_path / "gold-only.json")
    out = tmp_path / "out"
    scan(out, tmp_path / "gold-only.json")
    corrected = review_all(out, tmp_path)
    assert corrected >= 3  # the tool got enough wrong for the reviews to teach something
    before = review_pairs(out / "verdicts.csv")
    assert len(before) == len(INTENDED[DOCUMENT]["labels"])

    with open_store(out) as store:
        reviewed, left_out = reviewed_programmes(out, store, engine, scoring, gold)
    assert left_out == []
    assert [(e.gold.document, e.gold.evidence) for e in reviewed] == [(DOCUMENT, {})]  # verdicts, no evidence
    assert reviewed[0].gold.labels == {p.item_id: p.gold for p in before}
    fit([*gold, *reviewed], scoring).save(tmp_path / "with-reviews.json")
    scan(out, tmp_path / "with-reviews.json")
    after = review_pairs(out / "verdicts.csv")

    assert agreement(after) > agreement(before), (agreement(before), agreement(after))
    capsys.readouterr()
    assert main(["eval", "--reviews", str(out), "--summary"]) == EXIT_OK
    printed = capsys.readouterr().out
    assert f"{len(after)} programme × item pairs, 1 programmes" in printed
    assert "optimistic" in printed  # the model was fitted on these very reviews, and eval says so


def test_eval_without_reviews_says_there_is_nothing_to_score(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    out = tmp_path / "out"
    scan(out, inputs=SAMPLES / "gr2026" / "lindewaard" / "orde-en-eigen-kracht.txt")
    assert main(["eval", "--reviews", str(out)]) == EXIT_UNUSABLE
    assert "no reviewed verdicts" in capsys.readouterr().err
    assert main(["eval"]) == EXIT_UNUSABLE
    assert "--reviews OUT" in capsys.readouterr().err


def test_calibrate_reviews_names_what_it_fitted_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    scoring = Engine.scoring
    monkeypatch.setattr(  # the command line's engine scores with the stand-in, not the model
        Engine,
        "scoring",
        lambda self, settings, **given: scoring(self, settings, **{"embedder": CountingEmbedder(), **given}),
    )
    out = tmp_path / "out"
    scan(out)
    review_all(out, tmp_path)
    calibration = tmp_path / "calibration.json"
    capsys.readouterr()
    command = ["calibrate", "--gold", str(gold_files(tmp_path)), "--corpus", str(SAMPLES), "--out", str(calibration)]
    assert main([*command, "--reviews", str(out)]) == EXIT_OK
    labels = len(INTENDED[DOCUMENT]["labels"])
    assert f"fitted on 2 gold programmes and {labels} reviewed verdicts of 1 programmes" in capsys.readouterr().out
    fitted_on = json.loads(calibration.read_text(encoding="utf-8"))["provenance"]["fitted_on"]
    assert fitted_on == sorted([*GOLD_DOCUMENTS, DOCUMENT])
    assert main([*command, "--reviews", str(tmp_path / "nowhere")]) == EXIT_UNUSABLE
    assert "no store here" in capsys.readouterr().err

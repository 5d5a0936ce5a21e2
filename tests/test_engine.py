"""The engine: one place that owns the loaded parts, and the stages every caller scores through."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO_ROOT
from fakes import CountingEmbedder
from programmacheck.batch import Batch, BatchSettings
from programmacheck.checklist import load_checklist
from programmacheck.engine import Engine, ScanSettings
from programmacheck.programmes import programmes
from programmacheck.report import OutputFolder

SAMPLES = REPO_ROOT / "corpus" / "samples"


def test_a_library_scan_and_a_batch_give_the_same_verdicts(tmp_path: Path):
    """The batch worker enters the engine's stages half-way, with stored texts and vectors; the
    library runs them all.  Both must decide alike."""
    found, _ = programmes([str(SAMPLES / "gr2026" / "lindewaard")])
    engine = Engine()
    library = engine.scan(found, scoring=engine.scoring(ScanSettings(), embedder=CountingEmbedder()))
    collected = []
    batch = Batch(
        BatchSettings(), OutputFolder(tmp_path / "out"), embedder=CountingEmbedder(), on_result=collected.append
    )
    try:
        batch.run(found, on_failure=print)
    finally:
        batch.close()
    assert library.failures == [] and len(library.results) == len(found) == len(collected)
    by_document = {r.programme.document: r.verdicts for r in collected}
    for result in library.results:
        assert result.verdicts == by_document[result.programme.document]
    provenance = batch.provenance()  # what run.json says, without the command line
    assert provenance["model"] == "counting/v1" and provenance["batch"]["programmes"] == len(found)
    assert provenance["checklist"]["sha256"] == load_checklist().sha256
    assert provenance["calibration"]["provenance"]["fitted_on"]  # the bundled calibration's


def test_a_cross_validated_output_folder_says_no_programme_trained_its_own_verdicts(tmp_path: Path):
    from programmacheck.calibrate import cross_validation_provenance
    from programmacheck.evaluate import fitted_on

    scoring = Engine().scoring(ScanSettings(), embedder=CountingEmbedder(), calibrated=False)
    provenance = cross_validation_provenance(scoring, ["gold"], "pdfplumber")
    assert {"checklist", "model", "calibration", "settings"} <= provenance.keys()
    (tmp_path / "run.json").write_text(json.dumps(provenance), encoding="utf-8")
    assert fitted_on(tmp_path / "verdicts.csv") == []


def test_the_engine_keeps_one_keyword_matcher_per_checklist_and_drops_the_least_recently_used():
    from programmacheck.engine import KEPT_MATCHERS

    engine = Engine()
    checklist = load_checklist().checklist
    subsets = [checklist.model_copy(update={"items": [item]}) for item in checklist.items[: KEPT_MATCHERS + 1]]
    first = engine.keyword_matcher(subsets[0])
    assert engine.keyword_matcher(subsets[0].model_copy()) is first
    for subset in subsets[1:]:
        engine.keyword_matcher(subset)
    assert engine.keyword_matcher(subsets[0]) is not first
    assert Engine().keyword_matcher(subsets[1]) is not engine.keyword_matcher(
        subsets[1]
    )  # nothing shared between engines


def test_an_engine_without_a_verdict_model_says_so_when_asked_to_decide():
    engine = Engine()
    scoring = engine.scoring(ScanSettings(), embedder=CountingEmbedder(), calibrated=False)
    with pytest.raises(ValueError, match="no verdict model"):
        scoring.verdict_model  # noqa: B018


def test_importing_the_engine_loads_neither_spacy_nor_torch():
    """A rescan that the store answers needs neither; the engine loads them on first need."""
    probe = (
        "import sys, programmacheck.engine, programmacheck.batch; "
        "assert not {'spacy', 'torch'} & set(sys.modules), sorted({'spacy', 'torch'} & set(sys.modules))"
    )
    subprocess.run([sys.executable, "-c", probe], check=True)


@pytest.mark.slow
def test_the_readmes_engine_example_runs_on_the_sample_corpus(monkeypatch: pytest.MonkeyPatch, capsys):
    from test_results import readme_examples_using

    examples = readme_examples_using("Engine()")
    assert examples, "README.md has no ```python example of the engine"
    monkeypatch.chdir(REPO_ROOT)
    for example in examples:
        exec(compile(example, "README.md", "exec"), {"__name__": "readme_example"})
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 35 and all(line.split()[1] in ("addressed", "partial", "contrary", "absent") for line in lines)

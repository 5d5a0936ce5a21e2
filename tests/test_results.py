"""The results API reads an output folder faithfully and its views count what they claim to."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from conftest import REPO_ROOT
from programmacheck.results import (
    gaps,
    item_parties,
    item_shares,
    load_results,
    theme_coverage,
    tidy_evidence,
    tidy_verdicts,
    verdict_matrix,
)
from report_fixtures import ALL_ADDRESS, FAILED_DOCUMENT, GAP_ITEM, PROGRAMMES, checklist_items, report_out  # noqa: F401

LINDEWAARD = ("gr2026", "Lindewaard")


def raw_verdicts(out: Path) -> list[dict[str, str]]:
    with open(out / "verdicts.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_load_keeps_ids_as_strings_and_every_row(report_out: Path) -> None:
    results = load_results(report_out)
    raw = raw_verdicts(report_out)
    assert len(results.verdicts) == len(raw) == len(PROGRAMMES) * len(checklist_items())
    assert set(results.verdicts["item_id"]) == {i for i, _ in checklist_items()}
    assert results.verdicts["item_id"].map(type).eq(str).all()
    assert list(results.items["item_id"]) == [i for i, _ in checklist_items()]
    assert results.evidence["page"].dtype == "Int64"
    assert list(results.failures["document"]) == [FAILED_DOCUMENT]
    assert results.run["checklist"]["name"].startswith("Leger des Heils")


def test_paragraphs_are_read_on_demand(report_out: Path) -> None:
    results = load_results(report_out)
    assert results._paragraphs is None
    assert {"document", "page", "text"} <= set(results.paragraphs.columns) and len(results.paragraphs) > 0


def test_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no verdicts.csv"):
        load_results(tmp_path)


def test_unknown_checklist_path_falls_back_and_keeps_unknown_items(report_out: Path, tmp_path: Path) -> None:
    out = shutil.copytree(report_out, tmp_path / "out")
    run = json.loads((out / "run.json").read_text())
    run["checklist"]["path"] = "/nonexistent/checklist.yaml"
    (out / "run.json").write_text(json.dumps(run))
    frame = pd.read_csv(out / "verdicts.csv", dtype=str, keep_default_na=False)
    extra = frame.iloc[[0]].assign(item_id="99.9", theme_id="99")
    pd.concat([frame, extra]).to_csv(out / "verdicts.csv", index=False)
    results = load_results(out)
    assert results.items["item_id"].iloc[-1] == "99.9"
    assert results.items["text"].iloc[0] != ""  # the bundled checklist supplied the texts


def test_matrix_matches_the_csv_cell_by_cell(report_out: Path) -> None:
    results = load_results(report_out)
    labels, scores = verdict_matrix(results), verdict_matrix(results, "score")
    assert labels.shape == (len(PROGRAMMES), len(checklist_items()))
    assert list(labels.index) == [p.document for p in PROGRAMMES]
    for row in raw_verdicts(report_out):
        assert labels.loc[row["document"], row["item_id"]] == row["verdict"]
        assert scores.loc[row["document"], row["item_id"]] == pytest.approx(float(row["score"]))
    with pytest.raises(ValueError):
        verdict_matrix(results, "page")


def test_theme_coverage_counts_add_up(report_out: Path) -> None:
    results = load_results(report_out)
    coverage = theme_coverage(results)
    assert len(coverage) == len(PROGRAMMES) * len(results.themes)
    verdict_columns = ["addressed", "partial", "contrary", "absent"]
    assert (coverage[verdict_columns].sum(axis=1) == coverage["items"]).all()
    first = coverage.iloc[0]
    expected = sum(
        1
        for r in raw_verdicts(report_out)
        if r["document"] == first["document"] and r["theme_id"] == first["theme_id"] and r["verdict"] == "addressed"
    )
    assert first["addressed"] == expected
    assert first["share_addressed"] == pytest.approx(expected / first["items"])


def test_item_parties_names_the_parties(report_out: Path) -> None:
    table = item_parties(load_results(report_out)).set_index(["election", "municipality", "item_id"])
    row = table.loc[(*LINDEWAARD, ALL_ADDRESS)]
    assert row["addressed"] == row["programmes"] == 3
    assert row["addressed_by"].split("; ") == ["Samen Lindewaard", "Lindewaard Vooruit", "Orde & Eigen Kracht"]


def test_gaps_are_exactly_the_items_nobody_addresses(report_out: Path) -> None:
    results = load_results(report_out)
    found = gaps(results)
    lindewaard = found[(found["election"] == "gr2026") & (found["municipality"] == "Lindewaard")]
    assert GAP_ITEM in set(lindewaard["item_id"]) and ALL_ADDRESS not in set(lindewaard["item_id"])
    raw = raw_verdicts(report_out)
    addressed = {(r["election"], r["municipality"], r["item_id"]) for r in raw if r["verdict"] == "addressed"}
    every = {(r["election"], r["municipality"], r["item_id"]) for r in raw}
    assert set(map(tuple, found[["election", "municipality", "item_id"]].to_numpy())) == every - addressed


def test_item_shares_per_group_and_pooled(report_out: Path) -> None:
    results = load_results(report_out)
    per_group = item_shares(results).set_index(["election", "municipality", "item_id"])
    assert per_group.loc[(*LINDEWAARD, ALL_ADDRESS), "share_addressed"] == 1.0
    assert per_group.loc[(*LINDEWAARD, GAP_ITEM), "share_mentioned"] == 0.0
    pooled = item_shares(results, by=()).set_index("item_id")
    raw = raw_verdicts(report_out)
    item = checklist_items()[5][0]
    expected = sum(r["verdict"] == "addressed" for r in raw if r["item_id"] == item) / len(PROGRAMMES)
    assert pooled.loc[item, "share_addressed"] == pytest.approx(expected)


def test_subset_and_tidy_tables(report_out: Path) -> None:
    results = load_results(report_out)
    assert results.groups() == [("gr2022", "Lindewaard"), ("gr2026", "Lindewaard"), ("gr2026", "Oosterbroek")]
    lindewaard = results.subset(*LINDEWAARD)
    assert set(lindewaard.programmes["party"]) == {"Samen Lindewaard", "Lindewaard Vooruit", "Orde & Eigen Kracht"}
    assert set(lindewaard.evidence["document"]) <= set(lindewaard.verdicts["document"])
    tidy = tidy_verdicts(results)
    assert len(tidy) == len(results.verdicts) and tidy["item_text"].ne("").all()
    evidence = tidy_evidence(results)
    assert len(evidence) == len(results.evidence) and evidence["verdict"].ne("absent").all()


def test_two_sources_of_one_party_get_labels_told_apart(report_out: Path, tmp_path: Path) -> None:
    """A PDF and a web version of one party in one municipality: never two identical headers."""
    out = shutil.copytree(report_out, tmp_path / "out")
    verdicts = pd.read_csv(out / "verdicts.csv", dtype=str, keep_default_na=False)
    web = verdicts[verdicts["document"] == "gr2026/lindewaard/samen-lindewaard.pdf"].assign(
        document="gr2026/lindewaard/samen-lindewaard-web"
    )
    pd.concat([verdicts, web]).to_csv(out / "verdicts.csv", index=False)
    details = pd.read_csv(out / "programmes.csv", dtype=str, keep_default_na=False)
    same = details[details["document"] == "gr2026/lindewaard/samen-lindewaard.pdf"]
    pd.concat([details, same.assign(document="gr2026/lindewaard/samen-lindewaard-web")]).to_csv(
        out / "programmes.csv", index=False
    )  # both final versions
    programmes = load_results(out).subset("gr2026", "Lindewaard").programmes
    assert programmes["label"].is_unique
    assert {"Samen Lindewaard (samen-lindewaard.pdf)", "Samen Lindewaard (samen-lindewaard-web)"} <= set(
        programmes["label"]
    )


def readme_examples_using(name: str) -> list[str]:
    """The README's ```python blocks that mention ``name``."""
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    return [block for block in re.findall(r"^```python\n(.*?)^```", readme, re.DOTALL | re.MULTILINE) if name in block]


def test_the_readmes_load_results_examples_run_on_an_output_folder(
    report_out: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    examples = readme_examples_using("load_results")
    assert examples, "README.md has no ```python example of load_results"
    (tmp_path / "out").symlink_to(report_out, target_is_directory=True)  # the examples read "out"
    monkeypatch.chdir(tmp_path)
    for example in examples:
        exec(compile(example, "README.md", "exec"), {"__name__": "readme_example"})


def test_importing_programmacheck_leaves_pandas_unloaded_until_load_results_is_asked_for() -> None:
    probe = (
        "import sys, programmacheck; assert 'pandas' not in sys.modules; "
        "assert programmacheck.load_results.__module__ == 'programmacheck.results'"
    )
    subprocess.run([sys.executable, "-c", probe], check=True, env={**os.environ, "PYTHONPATH": str(REPO_ROOT / "src")})

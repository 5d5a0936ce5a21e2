"""Comparing a party's programmes across elections and versions, in tables and in the HTML report."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import pandas as pd
import pytest

from conftest import REPO_ROOT
from programmacheck.compare import CHANGES, change, change_counts, changes, party_key, programme_pairs
from programmacheck.html_report import OVERVIEW_FILE, group_file, write_html
from programmacheck.results import load_results
from report_fixtures import report_out  # noqa: F401


def test_each_kind_of_change_is_named_by_what_happened_to_the_item() -> None:
    assert change("absent", "addressed") == change("absent", "partial") == "gained"
    assert change("addressed", "absent") == change("partial", "absent") == "lost"
    assert change("partial", "addressed") == change("contrary", "partial") == "strengthened"
    assert change("addressed", "partial") == change("absent", "contrary") == "weakened"
    assert change("partial", "partial") == ""


def test_national_parties_continue_under_their_successors_name_but_local_ones_do_not() -> None:
    assert party_key("GroenLinks", "") == party_key("GL-PvdA", "") == party_key("groenlinks-pvda", "")
    assert party_key("CU", "") == party_key("ChristenUnie", "")
    assert party_key("PvdA", "Amsterdam") != party_key("GroenLinks", "Amsterdam")
    assert party_key("50PLUS", "") == party_key("50plus", "")


def test_the_same_party_in_two_elections_is_compared_item_by_item(report_out: Path) -> None:
    results = load_results(report_out)
    pairs = programme_pairs(results)
    assert sorted(pairs["party"]) == ["Lindewaard Vooruit", "Samen Lindewaard"]  # the parties in GR2022 and GR2026
    assert set(pairs["before_election"]) == {"gr2022"} and set(pairs["after_election"]) == {"gr2026"}
    found = changes(results, pairs)
    verdicts = results.verdicts.set_index(["document", "item_id"])["verdict"]
    for row in found.itertuples(index=False):
        before, after = verdicts[(row.before_document, row.item_id)], verdicts[(row.after_document, row.item_id)]
        assert (row.before_verdict, row.after_verdict) == (before, after) and before != after
        assert row.change == change(before, after)
        assert bool(row.after_quote) == (after != "absent")
    unchanged = sum(
        verdicts[(p.before_document, i)] == verdicts[(p.after_document, i)]
        for p in pairs.itertuples(index=False)
        for i in results.items["item_id"]
    )
    assert len(found) + unchanged == len(pairs) * len(results.items)
    counts = change_counts(results, pairs)
    assert counts[list(CHANGES)].to_numpy().sum() == len(found)


def test_a_concept_is_compared_with_the_final_version_of_the_same_election(report_out: Path, tmp_path: Path) -> None:
    out = shutil.copytree(report_out, tmp_path / "out")
    details = pd.read_csv(out / "programmes.csv", dtype=str, keep_default_na=False)
    final = details[details["document"] == "gr2026/lindewaard/samen-lindewaard.pdf"].assign(
        document="gr2026/lindewaard/samen-lindewaard-concept.pdf", status="concept"
    )
    pd.concat([details, final]).to_csv(out / "programmes.csv", index=False)
    for name in ("verdicts.csv", "evidence.csv"):
        table = pd.read_csv(out / name, dtype=str, keep_default_na=False)
        copy = table[table["document"] == "gr2026/lindewaard/samen-lindewaard.pdf"].assign(
            document="gr2026/lindewaard/samen-lindewaard-concept.pdf"
        )
        if name == "verdicts.csv":
            copy.loc[copy["item_id"] == "9.2", "verdict"] = "addressed"  # the concept promised more
        pd.concat([table, copy]).to_csv(out / name, index=False)
    results = load_results(out)
    labels = set(results.programmes["label"])
    assert {"Samen Lindewaard (concept)", "Samen Lindewaard (definitief)"} <= labels  # told apart, never twice
    versions = programme_pairs(results).query("kind == 'version'")
    assert list(versions["before_document"]) == ["gr2026/lindewaard/samen-lindewaard-concept.pdf"]
    lost = changes(results, versions)
    assert list(lost[["item_id", "change"]].itertuples(index=False, name=None)) == [("9.2", "lost")]


def test_the_report_shows_the_changes_with_both_quotes(report_out: Path, tmp_path: Path) -> None:
    results = load_results(report_out)
    write_html(results, tmp_path)
    page = (tmp_path / group_file("gr2026", "Lindewaard")).read_text()
    section = page.split('id="changes"', 1)[1]
    found = changes(results)
    first = found.iloc[0]
    assert "Samen Lindewaard (GR2022) → Samen Lindewaard (GR2026)" in section
    assert section.count('<span class="change c-') == len(found)
    assert first["after_quote"] in section or first["before_quote"] in section
    assert 'id="changes"' not in (tmp_path / group_file("gr2022", "Lindewaard")).read_text()
    assert f"{group_file('gr2026', 'Lindewaard')}#changes" in (tmp_path / OVERVIEW_FILE).read_text()


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_change_words_follow_the_language(lang: str, report_out: Path, tmp_path: Path) -> None:
    write_html(load_results(report_out), tmp_path, lang)
    section = (tmp_path / group_file("gr2026", "Lindewaard")).read_text().split('id="changes"', 1)[1]
    assert (">gewonnen</span>" in section) == (lang == "nl") and (">gained</span>" in section) == (lang == "en")


def test_a_programme_that_mentions_nothing_is_flagged_rather_than_read_as_silent(
    report_out: Path, tmp_path: Path
) -> None:
    """All absent is more often an unread text than a party silent on everything."""
    out = shutil.copytree(report_out, tmp_path / "out")
    verdicts = pd.read_csv(out / "verdicts.csv", dtype=str, keep_default_na=False)
    unread = verdicts["document"] == "gr2026/lindewaard/samen-lindewaard.pdf"
    verdicts.loc[unread, ["verdict", "evidence_page", "evidence_quote"]] = ["absent", "", ""]
    verdicts.to_csv(out / "verdicts.csv", index=False)
    results = load_results(out)
    counts = change_counts(results).set_index("party")
    assert counts.loc["Samen Lindewaard", "after_mentioned"] == 0
    assert counts.loc["Lindewaard Vooruit", "after_mentioned"] > 0
    write_html(results, tmp_path / "report")
    section = (tmp_path / "report" / group_file("gr2026", "Lindewaard")).read_text().split('id="changes"', 1)[1]
    assert section.count("is geen enkel punt gevonden") == 1 and "Samen Lindewaard (GR2026) is geen" in section


def comparison_chart_script():
    """``docs/make_comparison_chart.py`` as a module (docs/ is not a package)."""
    spec = importlib.util.spec_from_file_location(
        "make_comparison_chart", REPO_ROOT / "docs" / "make_comparison_chart.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_the_readme_chart_draws_the_counts_of_the_comparison(report_out: Path, tmp_path: Path) -> None:
    chart = comparison_chart_script()
    results = load_results(report_out)
    png = tmp_path / "chart.png"
    drawn = chart.draw_comparison(results, png, elections=("gr2022", "gr2026"))
    assert png.read_bytes().startswith(b"\x89PNG") and png.stat().st_size < 250_000
    expected = change_counts(results)
    expected = expected[expected["kind"] == "election"]
    expected = expected.assign(row=expected["municipality"] + ": " + expected["party"])
    columns = ["row", "before_election", "after_election", *CHANGES]
    assert sorted(drawn["row"]) == ["Lindewaard: Lindewaard Vooruit", "Lindewaard: Samen Lindewaard"]
    pd.testing.assert_frame_equal(
        drawn[columns].sort_values("row").reset_index(drop=True),
        expected[columns].sort_values("row").reset_index(drop=True),
        check_dtype=False,
    )
    assert drawn[list(CHANGES)].to_numpy().sum() > 0
    with pytest.raises(SystemExit, match="TK2021"):  # by default only the national elections, none of them here
        chart.draw_comparison(results, tmp_path / "none.png")

"""The notebooks run top to bottom, with stored results and (slow) with a scan of the samples."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import REPO_ROOT
from report_fixtures import report_out  # noqa: F401

NOTEBOOKS = REPO_ROOT / "notebooks"
NAMES = ("compare-parties.ipynb", "themes-across-municipalities.ipynb", "compare-elections.ipynb")


def execute(name: str) -> nbformat.NotebookNode:
    """Run a notebook in a fresh kernel from the notebooks folder; a failing cell raises."""
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    NotebookClient(
        notebook, timeout=900, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}
    ).execute()
    return notebook


def output_text(notebook: nbformat.NotebookNode) -> str:
    parts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            parts.append(output.get("text", "") + str(output.get("data", {}).get("text/plain", "")))
    return "\n".join(parts)


def test_committed_notebooks_have_no_outputs() -> None:
    """Outputs of a run on real programmes would put their text into the repository."""
    for name in NAMES:
        notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
        assert all(
            not c.get("outputs") and not c.get("execution_count") for c in notebook.cells if c.cell_type == "code"
        )


@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs_on_stored_results(name: str, report_out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROGRAMMACHECK_RESULTS", str(report_out))
    monkeypatch.delenv("PROGRAMMACHECK_PARTY", raising=False)
    monkeypatch.setenv("PROGRAMMACHECK_MUNICIPALITY", "Oosterbroek")
    text = output_text(execute(name))
    assert f"programmes from {report_out}" in text
    if name == "compare-parties.ipynb":
        assert "Oosterbroek (GR2026) - Groen Oosterbroek, Dorpsbelang" in text
    elif name == "compare-elections.ipynb":
        assert "Lindewaard: Samen Lindewaard: GR2022 -> GR2026 (election)" in text
        assert "Lindewaard: Lindewaard Vooruit: GR2022 -> GR2026 (election)" in text
    else:
        assert "Lindewaard (GR2022)" in text and "Oosterbroek (GR2026)" in text


@pytest.mark.slow
def test_compare_parties_scans_the_samples(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PROGRAMMACHECK_RESULTS", raising=False)
    monkeypatch.delenv("PROGRAMMACHECK_INPUTS", raising=False)
    monkeypatch.delenv("PROGRAMMACHECK_MUNICIPALITY", raising=False)
    text = output_text(execute("compare-parties.ipynb"))
    assert "3 programmes from" in text and "Lindewaard (GR2026)" in text


@pytest.mark.slow
def test_compare_elections_scans_the_national_programmes_of_three_elections(
    corpus_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The notebook's default: every national programme of TK2021, TK2023 and TK2025; the parties in
    more than one election are compared, SP's 2025 programme a concept."""
    for name in ("PROGRAMMACHECK_RESULTS", "PROGRAMMACHECK_INPUTS", "PROGRAMMACHECK_MANIFEST", "PROGRAMMACHECK_PARTY"):
        monkeypatch.delenv(name, raising=False)
    text = output_text(execute("compare-elections.ipynb"))
    assert "33 programmes from" in text
    for party in ("50plus", "sp", "ja21"):
        assert f"{party}: TK2021 -> TK2023 (election)" in text and f"{party}: TK2023 -> TK2025 (election)" in text

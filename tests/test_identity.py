"""A programme's name does not depend on where a scan ran, so output folders load side by side."""

from __future__ import annotations

import hashlib
import logging
import shutil
from pathlib import Path

import pandas as pd
import pytest

from conftest import SAMPLE_PROGRAMMES
from fakes import CountingEmbedder
from programmacheck.batch import Batch, BatchSettings
from programmacheck.engine import ScanSettings
from programmacheck.programmes import PARTY_FROM_FILE_NAME, PARTY_FROM_MANIFEST, programmes
from programmacheck.report import OutputFolder
from programmacheck.results import load_results

MANIFEST_HEADER = "path,election,level,year,municipality,party,status,date,url\n"


def write(path: Path, text: str = "We bouwen flexwoningen voor daklozen.\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def names(inputs: list[str], manifest: Path | None = None) -> list[str]:
    return sorted(p.document for p in programmes(inputs, manifest)[0])


def test_layout_names_start_at_the_election_folder_wherever_the_command_runs(tmp_path: Path, monkeypatch) -> None:
    write(tmp_path / "corpus" / "gr2026" / "lindewaard" / "vooruit.txt")
    write(tmp_path / "corpus" / "tk2025" / "sp-concept.txt")
    expected = ["gr2026/lindewaard/vooruit.txt", "tk2025/sp-concept.txt"]
    monkeypatch.chdir(tmp_path)
    assert names(["corpus"]) == expected
    monkeypatch.chdir(tmp_path / "corpus" / "gr2026")
    assert names(["..", "lindewaard/vooruit.txt"]) == expected  # the same file twice is one programme
    assert names([str(tmp_path / "corpus" / "gr2026" / "lindewaard")]) == expected[:1]


def test_a_concept_file_name_is_a_version_of_the_party(tmp_path: Path) -> None:
    write(tmp_path / "tk2025" / "sp-concept.txt")
    (programme,), _ = programmes([str(tmp_path)])
    assert programme.metadata["party"] == "sp" and programme.metadata["status"] == "concept"
    assert programme.metadata["party_from"] == PARTY_FROM_FILE_NAME


def test_manifest_names_status_date_and_url(tmp_path: Path) -> None:
    file = write(tmp_path / "corpus" / "gr2026" / "lindewaard" / "vooruit.txt")
    manifest = write(
        tmp_path / "corpus" / "manifest.csv",
        MANIFEST_HEADER + "gr2026/lindewaard/vooruit.txt,gr2026,gemeente,2026,Lindewaard,Lindewaard Vooruit,concept,"
        "2025-11-01,https://example.org/vooruit.pdf\n",
    )
    (programme,), _ = programmes([str(file)], manifest)
    assert programme.document == "gr2026/lindewaard/vooruit.txt"
    assert {k: programme.metadata[k] for k in ("party", "status", "date", "url", "party_from")} == {
        "party": "Lindewaard Vooruit",
        "status": "concept",
        "date": "2025-11-01",
        "url": "https://example.org/vooruit.pdf",
        "party_from": PARTY_FROM_MANIFEST,
    }
    assert programme.metadata["sha256"] == hashlib.sha256(file.read_bytes()).hexdigest()


def test_files_outside_the_layout_are_named_below_their_folder_and_told_apart(
    tmp_path: Path, monkeypatch, caplog: pytest.LogCaptureFixture
) -> None:
    write(tmp_path / "a" / "pdfs" / "De Vonk 2026.txt")
    write(tmp_path / "b" / "pdfs" / "De Vonk 2026.txt", "Een andere tekst.\n")
    monkeypatch.chdir(tmp_path / "a")
    with caplog.at_level(logging.WARNING, logger="programmacheck.programmes"):
        assert names(["pdfs"]) == ["pdfs/De Vonk 2026.txt"]
    assert "party names of 1 programme(s) are file names" in caplog.text
    assert names(["pdfs", "../b/pdfs"]) == ["a/pdfs/De Vonk 2026.txt", "b/pdfs/De Vonk 2026.txt"]
    assert names(["pdfs/De Vonk 2026.txt"]) == ["De Vonk 2026.txt"]


def scan(inputs: list[str], out: Path) -> None:
    found, _ = programmes(inputs)
    folder = OutputFolder(out)
    batch = Batch(BatchSettings(ScanSettings()), folder, embedder=CountingEmbedder())
    batch.run(found, on_failure=lambda failure: pytest.fail(failure.message))
    batch.close()
    folder.close({})


@pytest.fixture(scope="module")
def two_places(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """The sample programmes scanned from the corpus root and from deep inside it, and a third folder
    with one programme of another election."""
    root = tmp_path_factory.mktemp("identity")
    municipality = root / "corpus" / "gr2026" / "lindewaard"
    municipality.mkdir(parents=True)
    for name in ("lindewaard-vooruit.md", "orde-en-eigen-kracht.txt"):
        shutil.copy(SAMPLE_PROGRAMMES / name, municipality / name)
    older = root / "corpus" / "gr2022" / "lindewaard"
    older.mkdir(parents=True)
    shutil.copy(SAMPLE_PROGRAMMES / "lindewaard-vooruit.md", older / "lindewaard-vooruit.md")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root / "corpus")
        scan(["gr2026"], root / "out-a")
        patch.chdir(municipality)
        scan(["."], root / "out-b")
        scan(["../../gr2022/lindewaard/lindewaard-vooruit.md"], root / "out-c")
    return root / "out-a", root / "out-b", root / "out-c"


def test_the_same_files_scanned_from_two_folders_give_the_same_tables(two_places) -> None:
    a, b, _ = two_places
    assert sorted(set(pd.read_csv(a / "verdicts.csv")["document"])) == [
        "gr2026/lindewaard/lindewaard-vooruit.md",
        "gr2026/lindewaard/orde-en-eigen-kracht.txt",
    ]
    assert (a / "verdicts.csv").read_text() == (b / "verdicts.csv").read_text()
    assert (a / "evidence.csv").read_text() == (b / "evidence.csv").read_text()


def test_several_output_folders_load_as_one(two_places) -> None:
    a, b, c = two_places
    one, together = load_results(a), load_results([a, b, c])
    assert len(together.verdicts) == len(one.verdicts) + len(load_results(c).verdicts)
    assert together.groups() == [("gr2022", "Lindewaard"), ("gr2026", "Lindewaard")]
    assert set(together.details["document"]) == set(together.verdicts["document"])
    assert together.paths == (a, b, c)


def test_folders_that_disagree_about_a_programme_do_not_load_as_one(two_places, tmp_path: Path) -> None:
    a, _, _ = two_places
    changed = tmp_path / "changed"
    shutil.copytree(a, changed)
    verdicts = pd.read_csv(changed / "verdicts.csv", dtype=str, keep_default_na=False)
    verdicts.loc[0, "verdict"] = "contrary" if verdicts.loc[0, "verdict"] != "contrary" else "absent"
    verdicts.to_csv(changed / "verdicts.csv", index=False)
    with pytest.raises(ValueError, match="with different verdicts"):
        load_results([a, changed])

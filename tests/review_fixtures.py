"""The sample programmes scanned with the counting embedder (no model), and helpers to review
them: shared by the review tests.

Import the fixtures into a test module with ``from review_fixtures import out, scanned``; each test
gets its own copy of the module's scanned output folder and its store.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from conftest import SAMPLE_PROGRAMMES
from fakes import CountingEmbedder
from programmacheck.batch import Batch, BatchSettings
from programmacheck.cli import main
from programmacheck.engine import ScanSettings
from programmacheck.programmes import programmes
from programmacheck.report import OutputFolder

DOCUMENT = "gr2026/lindewaard/lindewaard-vooruit.md"


def scan(out: Path, calibration: Path | None = None, inputs: Path = SAMPLE_PROGRAMMES.parent.parent) -> None:
    found, _ = programmes([str(inputs)])
    folder = OutputFolder(out)
    batch = Batch(
        BatchSettings(ScanSettings(calibration=str(calibration) if calibration else None)),
        folder,
        embedder=CountingEmbedder(),
    )
    batch.run(found, on_failure=lambda failure: pytest.fail(failure.message))
    batch.close()
    folder.close(batch.provenance())


def rows(out: Path) -> dict[tuple[str, str], dict[str, str]]:
    with open(out / "verdicts.csv", newline="", encoding="utf-8") as handle:
        return {(row["document"], row["item_id"]): row for row in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("reviews") / "out"
    scan(out)
    return out


@pytest.fixture()
def out(scanned: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "out"
    shutil.copytree(scanned, copy)
    return copy


def review(out: Path, item_id: str, verdict: str, *extra: str, document: str = DOCUMENT) -> int:
    return main(["review", str(out), "set", document, item_id, verdict, *extra])


def a_cell(out: Path, verdict: str) -> str:
    """An item of DOCUMENT the tool gave ``verdict``."""
    return next(
        item for (document, item), row in rows(out).items() if document == DOCUMENT and row["verdict"] == verdict
    )

"""The batch store recomputes exactly what an edit affects, counted with a counting embedder."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import yaml

from conftest import REPO_ROOT, SAMPLE_PROGRAMMES
from fakes import CountingEmbedder
from programmacheck.batch import Batch, BatchSettings, keys
from programmacheck.batch.store import Store, Write
from programmacheck.checklist import default_checklist_path
from programmacheck.engine import ScanSettings
from programmacheck.programmes import programmes
from programmacheck.records import Evidence, FileText, ItemVerdict, Paragraph
from programmacheck.report import OutputFolder


def scan(inputs: list[Path], out: Path, embedder: CountingEmbedder, **settings) -> dict:
    found, _ = programmes([str(p) for p in inputs])
    folder = OutputFolder(out)
    batch = Batch(BatchSettings(ScanSettings(**settings)), folder, embedder=embedder)
    stats = batch.run(found, on_failure=lambda f: None)
    batch.close()
    folder.close({})
    return {
        "items": stats.items_recomputed,
        "passages": stats.passages_embedded,
        "queries": stats.queries_embedded,
        "files": stats.files_read,
        "from_store": stats.from_store,
        "verdicts": (out / "verdicts.csv").read_text(),
    }


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("lindewaard-vooruit.md", "orde-en-eigen-kracht.txt"):
        shutil.copy(SAMPLE_PROGRAMMES / name, folder / name)
    return folder


def test_each_key_recomputes_exactly_what_depends_on_it(corpus: Path, tmp_path: Path):
    out = tmp_path / "out"
    embedder = CountingEmbedder()
    first = scan([corpus], out, embedder)
    assert first["files"] == 2 and first["items"] == 70 and first["passages"] > 0 and first["queries"] > 0

    again = scan([corpus], out, embedder)  # nothing changed: everything from the store
    assert (again["files"], again["items"], again["passages"], again["queries"], again["from_store"]) == (0, 0, 0, 0, 2)
    assert again["verdicts"] == first["verdicts"]

    # a copy under another name: same bytes, so nothing is read, embedded or scored again
    shutil.copy(corpus / "lindewaard-vooruit.md", corpus / "copy.md")
    copied = scan([corpus], out, embedder)
    assert (copied["files"], copied["items"], copied["passages"]) == (0, 0, 0) and copied["from_store"] == 3
    (corpus / "copy.md").unlink()

    # one file edited: only that file is read, only its new passage embedded, only its items scored
    with open(corpus / "lindewaard-vooruit.md", "a", encoding="utf-8") as handle:
        handle.write("\nWe openen een nieuw inloophuis voor dak- en thuislozen in het centrum.\n")
    before = dict(embedder.calls)
    edited = scan([corpus], out, embedder)
    assert (edited["files"], edited["items"], edited["from_store"]) == (1, 35, 1)
    assert edited["passages"] == embedder.calls["passage"] - before["passage"] <= 2

    # the model changed (another identity): every passage and query again, no file read
    other = CountingEmbedder("counting/v2")
    remodelled = scan([corpus], out, other)
    assert (remodelled["files"], remodelled["items"]) == (0, 70)
    assert other.calls["passage"] == remodelled["passages"] > 0 and other.calls["query"] == remodelled["queries"] > 0

    # a new calibration file: every verdict again, no embedding, no reading
    calibration = json.loads((REPO_ROOT / "models" / "calibration.json").read_text())
    calibration["intercept"] = [v + 0.1 for v in calibration["intercept"]]
    (tmp_path / "cal.json").write_text(json.dumps(calibration))
    before = dict(embedder.calls)
    recalibrated = scan([corpus], out, embedder, calibration=str(tmp_path / "cal.json"))
    assert (recalibrated["files"], recalibrated["items"], recalibrated["passages"], recalibrated["queries"]) == (
        0,
        70,
        0,
        0,
    )
    assert embedder.calls == before

    # a scoring setting (embed every passage): every verdict again, no file read
    assert scan([corpus], out, embedder, embed_all=True)["items"] == 70

    # another PDF extractor: the files are read again (their text may differ)
    reextracted = scan([corpus], out, embedder, extractor="pdfplumber")
    assert reextracted["files"] == 2


def test_editing_checklist_items_recomputes_only_those_items(corpus: Path, tmp_path: Path):
    out = tmp_path / "out"
    embedder = CountingEmbedder()
    scan([corpus], out, embedder)
    data = yaml.safe_load(default_checklist_path().read_text(encoding="utf-8"))
    for item in data["items"][:5]:
        item["examples"] = [*item["examples"], "Een extra voorbeeldzin voor de test."]
    data["items"][5]["keywords"]["subject"] = [*data["items"][5]["keywords"].get("subject", []), "inloophuis"]
    edited = tmp_path / "edited.yaml"
    edited.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    before = dict(embedder.calls)
    rescan = scan([corpus], out, embedder, checklist=str(edited))
    assert rescan["items"] == 6 * 2  # six edited items × two programmes
    assert embedder.calls["passage"] == before["passage"]  # passages come from the store
    assert rescan["queries"] == embedder.calls["query"] - before["query"] == 1  # only the new example sentence
    assert rescan["files"] == 0


def test_raising_the_scoring_revision_recomputes_every_verdict_but_reads_and_embeds_nothing(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    out = tmp_path / "out"
    embedder = CountingEmbedder()
    scan([corpus], out, embedder)
    before = dict(embedder.calls)
    monkeypatch.setattr(keys, "SCORING_REVISION", keys.SCORING_REVISION + 1)
    rescored = scan([corpus], out, embedder)
    assert (rescored["files"], rescored["items"], rescored["passages"], rescored["queries"]) == (0, 70, 0, 0)
    assert embedder.calls == before


def test_store_round_trips_and_keeps_only_committed_writes(tmp_path: Path):
    store = Store(tmp_path / "s.sqlite")
    verdict = ItemVerdict("", "1.1", "1", "partial", 0.5, (Evidence(3, "Wonen", "We bouwen.", 0.1, ("dense:0.8",)),))
    store.write(Write(verdicts={"k": verdict}, vectors=[("m", "passage", "abc", np.ones(4, dtype=np.float32))]))
    assert store.verdicts(["k", "other"]) == {"k": verdict}
    assert store.vectors("m", "passage", ["abc"])["abc"].tolist() == [1.0] * 4
    assert store.vectors("other-model", "passage", ["abc"]) == {}
    text = FileText((Paragraph("", 1, "", "Tekst."),))
    with pytest.raises(TypeError):  # a write that fails half-way leaves nothing behind
        store.write(Write(files={"f": text}, verdicts={"k2": replace(verdict, score=object())}))
    assert store.files(["f"]) == {}
    store.write(Write(files={"f": text}))
    assert store.files(["f"]) == {"f": text}
    store.close()

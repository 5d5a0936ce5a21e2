"""Reviews: a person's verdict on a cell shows in the output at once, survives rescans, is flagged
when the tool changes its mind, keeps its history, and travels between stores as JSON.

The sample programmes are scanned with the counting embedder (no model), once per module; each
test works on its own copy of that output folder and its store (``review_fixtures``).
"""

from __future__ import annotations

import csv
import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from conftest import REPO_ROOT, SAMPLE_PROGRAMMES
from programmacheck import load_results
from programmacheck.batch.reviewing import IN_FORCE, NOT_HERE, SUPERSEDED, listing, open_store, set_review
from programmacheck.batch.store import Store
from programmacheck.cli import EXIT_OK, EXIT_UNUSABLE, main
from programmacheck.evaluate import read_verdicts
from programmacheck.report import VERDICT_COLUMNS, OutputFolder
from programmacheck.reviews import CHANGED_SINCE_REVIEW, REVIEW_COLUMNS, REVIEWED, ReviewError, load_reviews
from review_fixtures import DOCUMENT, a_cell, out, review, rows, scan, scanned  # noqa: F401


def test_a_review_shows_in_the_output_at_once_and_a_rescan_writes_the_same(out: Path, tmp_path: Path):
    before = rows(out)
    item = a_cell(out, "absent")
    assert review(out, item, "addressed", "--note", "=staat op p. 3", "--by", "anna") == EXIT_OK
    after = rows(out)
    cell = after[(DOCUMENT, item)]
    assert cell["verdict"] == "addressed" and cell["verdict_tool"] == "absent"
    assert (cell["reviewed_by"], cell["review_note"], cell["review_status"]) == ("anna", "'=staat op p. 3", REVIEWED)
    assert cell["reviewed_at"].endswith("+00:00")
    untouched = {key: row for key, row in after.items() if key != (DOCUMENT, item)}
    assert all(row["verdict"] == row["verdict_tool"] == before[key]["verdict"] for key, row in untouched.items())
    assert all(row["review_status"] == "" for row in untouched.values())
    rewritten = (out / "verdicts.csv").read_text(encoding="utf-8")
    scan(out)  # a rescan applies the review from the store, exactly as the rewrite did
    assert (out / "verdicts.csv").read_text(encoding="utf-8") == rewritten
    results = load_results(out)
    shown = results.verdicts.set_index(["document", "item_id"]).loc[(DOCUMENT, item)]
    assert (shown["verdict"], shown["verdict_tool"], shown["review_note"]) == ("addressed", "absent", "=staat op p. 3")


def test_a_copy_of_a_reviewed_programme_under_another_name_shows_the_review(out: Path, tmp_path: Path):
    item = a_cell(out, "absent")
    assert review(out, item, "partial", "--by", "anna") == EXIT_OK
    copy = tmp_path / "in" / "gr2026" / "lindewaard" / "kopie.md"
    copy.parent.mkdir(parents=True)
    shutil.copy(SAMPLE_PROGRAMMES / "lindewaard-vooruit.md", copy)
    scan(out, inputs=tmp_path / "in")
    cell = rows(out)[("gr2026/lindewaard/kopie.md", item)]
    assert (cell["verdict"], cell["verdict_tool"], cell["reviewed_by"]) == ("partial", "absent", "anna")


def test_the_review_columns_come_after_the_existing_ones(out: Path):
    with open(out / "verdicts.csv", newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    assert header == list(VERDICT_COLUMNS) and header[-len(REVIEW_COLUMNS) :] == list(REVIEW_COLUMNS)
    assert header[:7] == ["document", "item_id", "theme_id", "verdict", "score", "evidence_page", "evidence_quote"]


def test_a_changed_calibration_keeps_the_review_and_flags_the_cells_the_tool_decided_otherwise(
    out: Path, tmp_path: Path
):
    calibration = json.loads((REPO_ROOT / "models" / "calibration.json").read_text(encoding="utf-8"))
    calibration["intercept"][calibration["classes"].index("absent")] += 5.0  # (nearly) everything absent
    changed_calibration = tmp_path / "calibration.json"
    changed_calibration.write_text(json.dumps(calibration), encoding="utf-8")
    before = rows(out)
    changing = next(
        item for (doc, item), row in before.items() if doc == DOCUMENT and row["verdict"] in ("addressed", "partial")
    )
    staying = a_cell(out, "absent")
    assert review(out, changing, "confirmed", "--by", "bert") == EXIT_OK
    assert review(out, staying, "partial", "--by", "bert") == EXIT_OK
    scan(out, changed_calibration)
    after = rows(out)
    changed = after[(DOCUMENT, changing)]
    assert changed["verdict_tool"] == "absent"  # the tool changed its mind ...
    assert changed["verdict"] == before[(DOCUMENT, changing)]["verdict"]  # ... the confirmed verdict stays
    assert changed["review_status"] == CHANGED_SINCE_REVIEW
    kept = after[(DOCUMENT, staying)]
    assert (kept["verdict"], kept["verdict_tool"], kept["review_status"]) == ("partial", "absent", REVIEWED)
    with open_store(out) as store:
        flagged = listing(out, store, changed_only=True)
    assert [(r.item_id, status) for r, status in flagged] == [(changing, CHANGED_SINCE_REVIEW)]


def test_reviews_are_append_only_and_the_latest_is_in_force(out: Path, capsys: pytest.CaptureFixture[str]):
    item = a_cell(out, "absent")
    assert review(out, item, "partial", "--by", "anna", "--note", "half") == EXIT_OK
    assert review(out, item, "contrary", "--by", "bert", "--note", "leest het anders") == EXIT_OK
    assert rows(out)[(DOCUMENT, item)]["verdict"] == "contrary"
    capsys.readouterr()
    assert main(["review", str(out), "list"]) == EXIT_OK
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split("\t")[:4] == ["reviewed_at", "reviewer", "document", "item_id"]
    listed = [line.split("\t") for line in lines[1:]]
    assert [(row[1], row[4], row[6]) for row in listed] == [
        ("anna", "partial", SUPERSEDED),
        ("bert", "contrary", IN_FORCE),
    ]
    store = sqlite3.connect(out / "store.sqlite")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        store.execute("DELETE FROM reviews")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        store.execute("UPDATE reviews SET verdict = 'absent'")
    store.close()


def test_export_and_import_carry_the_history_into_another_store(out: Path, scanned: Path, tmp_path: Path):
    item = a_cell(out, "absent")
    assert review(out, item, "partial", "--by", "anna") == EXIT_OK
    assert review(out, item, "addressed", "--by", "bert") == EXIT_OK
    exported = tmp_path / "reviews.json"
    assert main(["review", str(out), "export", str(exported)]) == EXIT_OK
    fresh = tmp_path / "fresh"
    scan(fresh)  # another output folder with its own store, of the same programmes
    assert main(["review", str(fresh), "import", str(exported)]) == EXIT_OK
    assert rows(fresh)[(DOCUMENT, item)]["verdict"] == "addressed"
    assert (fresh / "verdicts.csv").read_text(encoding="utf-8") == (out / "verdicts.csv").read_text(encoding="utf-8")
    assert main(["review", str(fresh), "import", str(exported)]) == EXIT_OK  # twice: nothing new
    with Store(fresh / "store.sqlite") as store:
        assert [r.reviewer for r in store.reviews()] == ["anna", "bert"]
    with Store(out / "store.sqlite") as store:
        assert load_reviews(exported) == store.reviews()


def test_a_review_of_a_text_the_folder_does_not_hold_is_listed_as_not_here(out: Path, tmp_path: Path):
    assert review(out, a_cell(out, "absent"), "partial", "--by", "anna") == EXIT_OK
    exported = tmp_path / "reviews.json"
    assert main(["review", str(out), "export", str(exported)]) == EXIT_OK
    other = tmp_path / "other"
    scan(other, inputs=SAMPLE_PROGRAMMES / "orde-en-eigen-kracht.txt")
    assert main(["review", str(other), "import", str(exported)]) == EXIT_OK
    with open_store(other) as store:
        assert [status for _, status in listing(other, store)] == [NOT_HERE]
    assert all(row["review_status"] == "" for row in rows(other).values())


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda r: r.update(verdict="maybe"), "verdict"),
        (lambda r: r.pop("reviewer"), "reviewer"),
        (lambda r: r.update(note=3), "note"),
        (lambda r: r.update(tool_verdict="confirmed"), "tool_verdict"),
        (lambda r: r.update(reviewed_at="gisteren"), "reviewed_at"),
        (lambda r: r.update(reviewed_at="2026-03-01T10:00:00"), "reviewed_at"),
        (lambda r: r.update(extra="x"), "extra"),
    ],
)
def test_a_bad_import_file_is_one_line_naming_the_file_and_the_field(
    out: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], change, field: str
):
    assert review(out, a_cell(out, "absent"), "partial", "--by", "anna") == EXIT_OK
    exported = tmp_path / "reviews.json"
    assert main(["review", str(out), "export", str(exported)]) == EXIT_OK
    data = json.loads(exported.read_text(encoding="utf-8"))
    change(data["reviews"][0])
    exported.write_text(json.dumps(data), encoding="utf-8")
    capsys.readouterr()
    assert main(["review", str(out), "import", str(exported)]) == EXIT_UNUSABLE
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and str(exported) in error and f"'{field}'" in error and "review 1" in error


def test_a_file_that_is_not_an_export_is_refused(out: Path, tmp_path: Path):
    for text, problem in (
        ("{", "not JSON"),
        ("[]", "not a review export"),
        ('{"format": "programmacheck-reviews", "version": 1}', "'reviews'"),
    ):
        bad = tmp_path / "bad.json"
        bad.write_text(text, encoding="utf-8")
        with pytest.raises(ReviewError, match=problem):
            load_reviews(bad)


def test_the_cli_names_an_unknown_document_or_item_and_a_missing_store(
    out: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    assert review(out, "1.1", "absent", document="gr2026/lindewaard/onbekend.md") == EXIT_UNUSABLE
    assert "no document 'gr2026/lindewaard/onbekend.md'" in capsys.readouterr().err
    assert review(out, "99.9", "absent") == EXIT_UNUSABLE
    assert f"no item '99.9' for '{DOCUMENT}'" in capsys.readouterr().err
    with pytest.raises(SystemExit):  # argparse: not one of the verdicts
        review(out, "1.1", "maybe")
    capsys.readouterr()
    assert main(["review", str(tmp_path / "nowhere"), "list"]) == EXIT_UNUSABLE
    assert "no store here" in capsys.readouterr().err
    assert main(["review", str(out), "list", "--store", str(tmp_path / "none.sqlite")]) == EXIT_UNUSABLE
    assert "none.sqlite: no store here" in capsys.readouterr().err


def test_set_defaults_the_reviewer_to_the_login_name(out: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("LOGNAME", "cora")
    monkeypatch.setenv("USER", "cora")
    item = a_cell(out, "absent")
    assert review(out, item, "confirmed") == EXIT_OK
    assert rows(out)[(DOCUMENT, item)]["reviewed_by"] == "cora"


def test_a_review_waits_while_a_scan_writes_the_folder(out: Path, capsys: pytest.CaptureFixture[str]):
    writing = OutputFolder(out)  # holds the folder's lock, as a running scan does
    try:
        assert review(out, a_cell(out, "absent"), "partial", "--by", "anna") == EXIT_UNUSABLE
    finally:
        writing.discard()
    assert "another scan is writing to" in capsys.readouterr().err
    with open_store(out) as store:
        assert store.reviews() == []  # nothing stored that the output does not show


def test_an_older_store_without_the_reviews_table_opens_and_gets_it(out: Path):
    db = sqlite3.connect(out / "store.sqlite")
    db.executescript("DROP TRIGGER reviews_no_delete; DROP TRIGGER reviews_no_update; DROP TABLE reviews;")
    db.close()
    with Store(out / "store.sqlite") as store:
        assert set_review(out, store, DOCUMENT, a_cell(out, "absent"), "partial", "", "anna").reviewer == "anna"
        assert len(store.reviews()) == 1


def test_eval_scores_the_tools_verdict_and_an_older_folder_reads_as_unreviewed(out: Path):
    item = a_cell(out, "absent")
    assert review(out, item, "addressed", "--by", "anna") == EXIT_OK
    assert read_verdicts(out / "verdicts.csv")[DOCUMENT][item].verdict == "absent"
    with open(out / "verdicts.csv", newline="", encoding="utf-8") as handle:
        older = [row[: -len(REVIEW_COLUMNS)] for row in csv.reader(handle)]  # as written before reviews
    with open(out / "verdicts.csv", "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(older)
    verdicts = load_results(out).verdicts
    assert (verdicts["verdict_tool"] == verdicts["verdict"]).all() and (verdicts["review_status"] == "").all()

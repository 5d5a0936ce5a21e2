"""Reviews carry over to a programme's new version: a review of the concept holds for the final
version's item when the passage it was about is still there, and otherwise the cell is listed as
needing a look.  The history keeps both: a carried-over review is a new row naming the old one.

On a sample programme scanned with the counting embedder (``review_fixtures``): its concept is
the sample as it is, its final version the same text with the paragraph of one quote left out.
And after an upgrade that reads the same file as another text, ``review rekey`` moves its reviews
to the new text, but not those of a file that changed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import SAMPLE_PROGRAMMES
from programmacheck.batch import keys
from programmacheck.batch.reviewing import CARRIED, FILE_CHANGED, NOT_HERE, listing, open_store
from programmacheck.batch.store import Store
from programmacheck.batch.versions import PASSAGE_GONE
from programmacheck.cli import EXIT_OK, main
from programmacheck.records import Programme
from programmacheck.reviews import CARRIED_OVER, MOVED, REVIEWED, words
from review_fixtures import DOCUMENT, out, review, rows, scan, scanned  # noqa: F401

CONCEPT = "gr2026/lindewaard/lindewaard-vooruit-concept.md"
FINAL = "gr2026/lindewaard/lindewaard-vooruit.md"
SOURCE = (SAMPLE_PROGRAMMES / "lindewaard-vooruit.md").read_text(encoding="utf-8")


def line_of(quote: str, text: str) -> str:
    """The line of the sample that holds a quote (found by its first words)."""
    start = " ".join(quote.split()[:5])
    return next(line for line in text.splitlines() if start in words(line.lstrip("- ")))


@pytest.fixture()
def concept_reviewed(tmp_path: Path) -> tuple[Path, Path, dict[str, str]]:
    """The concept scanned and three of its cells reviewed: one whose quote the final version
    drops, one whose quote it keeps, one the tool found nothing for."""
    folder = tmp_path / "in" / "gr2026" / "lindewaard"
    folder.mkdir(parents=True)
    (folder / "lindewaard-vooruit-concept.md").write_text(SOURCE, encoding="utf-8")
    out = tmp_path / "out"
    scan(out, inputs=tmp_path / "in")
    concept = {item: row for (document, item), row in rows(out).items() if document == CONCEPT}
    quoted = [item for item, row in concept.items() if row["evidence_quote"]]
    dropped = quoted[0]
    gone = line_of(concept[dropped]["evidence_quote"], SOURCE)
    kept = next(item for item in quoted[1:] if words(concept[item]["evidence_quote"]) not in words(gone))
    nothing = next(item for item, row in concept.items() if row["verdict"] == "absent")
    for item, verdict in ((dropped, "addressed"), (kept, "partial"), (nothing, "confirmed")):
        assert review(out, item, verdict, "--by", "anna", "--note", f"p. 2 ({item})", document=CONCEPT) == EXIT_OK
    return out, folder, {"dropped": dropped, "kept": kept, "nothing": nothing, "gone": gone}


def test_reviews_of_a_concept_carry_over_to_its_final_version_where_their_passage_is_still_there(
    concept_reviewed: tuple[Path, Path, dict[str, str]],
):
    out, folder, cells = concept_reviewed
    (folder / "lindewaard-vooruit-concept.md").unlink()  # the concept is replaced by the final version
    (folder / "lindewaard-vooruit.md").write_text(SOURCE.replace(cells["gone"] + "\n", ""), encoding="utf-8")
    scan(out, inputs=folder.parent.parent)

    final = {item: row for (document, item), row in rows(out).items() if document == FINAL}
    assert set(final) and not any(document == CONCEPT for document, _ in rows(out))
    kept = final[cells["kept"]]
    assert (kept["verdict"], kept["reviewed_by"], kept["review_status"]) == ("partial", "anna", REVIEWED)
    note = kept["review_note"]  # names the review it comes from, and keeps its note
    assert note.startswith(f"{CARRIED_OVER} {CONCEPT} (anna, ") and note.endswith(f"): p. 2 ({cells['kept']})")
    assert final[cells["nothing"]]["reviewed_by"] == "anna"  # nothing quoted, and still nothing found
    assert final[cells["dropped"]]["review_status"] == ""  # its passage is gone: not carried over

    with open_store(out) as store:
        history = store.reviews()
        listed = {(review.document, review.item_id): status for review, status in listing(out, store)}
    assert len(history) == 5  # the three reviews of the concept stay; two new rows
    assert listed[(CONCEPT, cells["dropped"])] == f"needs a look: {PASSAGE_GONE} ({FINAL})"
    assert listed[(CONCEPT, cells["kept"])] == listed[(CONCEPT, cells["nothing"])] == NOT_HERE
    assert listed[(FINAL, cells["kept"])] == listed[(FINAL, cells["nothing"])] == CARRIED
    assert (FINAL, cells["dropped"]) not in listed


def test_a_final_version_scanned_beside_its_concept_takes_over_the_concepts_reviews(
    concept_reviewed: tuple[Path, Path, dict[str, str]], capsys: pytest.CaptureFixture[str]
):
    out, folder, cells = concept_reviewed
    (folder / "lindewaard-vooruit.md").write_text(SOURCE.replace(cells["gone"] + "\n", ""), encoding="utf-8")
    scan(out, inputs=folder.parent.parent)  # both versions, the concept untouched

    after = rows(out)
    assert after[(CONCEPT, cells["dropped"])]["verdict"] == "addressed"  # the concept keeps its own reviews
    assert after[(FINAL, cells["kept"])]["verdict"] == "partial"
    assert after[(FINAL, cells["dropped"])]["review_status"] == ""
    scan(out, inputs=folder.parent.parent)  # again: nothing is carried twice
    with open_store(out) as store:
        assert len(store.reviews()) == 5
    capsys.readouterr()
    assert main(["review", str(out), "list"]) == EXIT_OK
    printed = capsys.readouterr().out
    assert f"needs a look: {PASSAGE_GONE} ({FINAL})" in printed and CARRIED in printed


@pytest.fixture()
def new_reading(monkeypatch: pytest.MonkeyPatch):
    """An upgrade that reads every file anew: each text key changes, the files do not."""
    monkeypatch.setattr(keys, "READING_REVISION", keys.READING_REVISION + 1)
    keys.text_identity.cache_clear()
    yield
    keys.text_identity.cache_clear()


def test_rekey_moves_the_reviews_of_an_unchanged_file_to_the_text_an_upgrade_reads(
    out: Path, tmp_path: Path, new_reading: None, capsys: pytest.CaptureFixture[str]
):
    """(``out`` was scanned before the upgrade, and reviewed here.)"""
    item = next(i for (document, i), row in rows(out).items() if document == DOCUMENT and row["verdict"] == "absent")
    assert review(out, item, "partial", "--by", "anna", "--note", "p. 4") == EXIT_OK
    other = "gr2026/lindewaard/orde-en-eigen-kracht.txt"
    assert review(out, item, "contrary", "--by", "anna", document=other) == EXIT_OK
    inputs = tmp_path / "in" / "gr2026" / "lindewaard"
    shutil.copytree(SAMPLE_PROGRAMMES, inputs)
    with open(inputs / "orde-en-eigen-kracht.txt", "a", encoding="utf-8") as edited:
        edited.write("\nEen nieuwe alinea over de markt op zaterdag.\n")
    scan(out, inputs=tmp_path / "in")
    assert rows(out)[(DOCUMENT, item)]["review_status"] == ""  # another text key: the review applies no more

    capsys.readouterr()
    assert main(["review", str(out), "rekey"]) == EXIT_OK
    printed = capsys.readouterr().out
    assert f"not moved: {other} {item} (anna): {FILE_CHANGED}" in printed
    assert "1 review(s) moved" in printed
    cell = rows(out)[(DOCUMENT, item)]
    assert (cell["verdict"], cell["reviewed_by"], cell["review_status"]) == ("partial", "anna", REVIEWED)
    assert cell["review_note"].startswith(MOVED) and cell["review_note"].endswith(": p. 4")
    assert rows(out)[(other, item)]["review_status"] == ""  # an edited file does not inherit its review
    with open_store(out) as store:
        assert len(store.reviews()) == 3  # the two reviews made, and one new row
    assert main(["review", str(out), "rekey"]) == EXIT_OK  # again: nothing more moves
    assert "0 review(s) moved" in capsys.readouterr().out


def test_versions_are_the_same_party_in_the_same_election_and_municipality_with_their_latest_text(tmp_path: Path):
    national = {"election": "tk2025", "municipality": "", "party": "VVD"}
    concept = {**national, "status": "concept"}
    with Store(tmp_path / "store.sqlite") as store:
        store.remember_programmes([(Programme("tk2025/vvd-concept.pdf", (), concept), "read-before")])
        store.remember_programmes([(Programme("tk2025/vvd-concept.pdf", (), concept), "read-now")])
        store.remember_programmes([(Programme("tk2025/d66.pdf", (), {**national, "party": "D66"}), "d66")])
        store.remember_programmes(
            [(Programme("gr2026/x/vvd.pdf", (), {**national, "election": "gr2026", "municipality": "x"}), "local")]
        )
        assert store.versions(Programme("tk2025/vvd.pdf", (), national)) == {
            "tk2025/vvd-concept.pdf": (concept, "read-now")
        }
        assert store.versions(Programme("los.pdf", (), {})) == {}  # no party or election: no versions

"""Reviews of an output folder's verdicts: set, list, export and import them through its store.

Why here: a review is keyed by the content behind a verdict (:mod:`programmacheck.reviews`),
which only the batch knows; it writes those keys into ``run.json`` (``REVIEW_KEYS``), so a review
is set from the output folder alone — no programme file, checklist file or model is read again.

A review shows in ``verdicts.csv`` at once: the review columns are rewritten from the store
(``report.rewrite_reviews``), with the same function a scan writes them with, so the file is what
a warm rescan would write.  Rewriting was chosen over rescanning because a rescan needs the
programmes at their paths, the checklist and calibration files unchanged, and, if any of them
moved or changed, a model to recompute — a review must not depend on any of that.  The folder's
lock is held from before the store changes until the file is in place, so a scan that runs at the
same time either is refused or comes after and applies the review itself.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import cast

from ..records import Verdict
from ..report import folder_lock, rewrite_reviews
from ..reviews import (
    CHANGED_SINCE_REVIEW,
    Review,
    ReviewError,
    ReviewVerdict,
    export_reviews,
    in_force,
    is_carried_over,
    load_reviews,
    moved,
    utc_now,
)
from ..spreadsheet import restore
from .coordinator import NEEDS_A_LOOK, REVIEW_KEYS
from .store import Store
from .versions import NeedsALook

#: A review's place in a listing besides CHANGED_SINCE_REVIEW and a version's "needs a look"
#: (``versions.NeedsALook.status``).  NOT_HERE: in force, but no cell of the folder has its keys
#: (another programme text, e.g. after an edit or an upgrade that reads text differently, or
#: another checklist): it applies to nothing there.  CARRIED: in force, carried over from an
#: older version of the programme (``versions``).
IN_FORCE, SUPERSEDED, NOT_HERE, CARRIED = "in force", "superseded", "not in this output", "carried over"
STORE_NAME = "store.sqlite"
#: The columns of ``review list``: a review's fields for people, and its status.
LISTING_COLUMNS = ("reviewed_at", "reviewer", "document", "item_id", "verdict", "tool_verdict", "status", "note")


@dataclass(frozen=True)
class ReviewedFolder:
    """What reviews need of an output folder: its cells' keys and the tool's verdicts."""

    path: Path
    text_keys: dict[str, str]  # document → text key
    definitions: dict[str, str]  # item id → definition
    tool_verdicts: dict[tuple[str, str], Verdict]  # (document, item id) → the tool's verdict now
    #: (older text key, item id) → a review of an older version not carried over to its new version
    needs_a_look: dict[tuple[str, str], NeedsALook] = field(default_factory=dict)

    def cell(self, document: str, item_id: str) -> tuple[str, str] | None:
        """The store's key of a cell, if the folder's scan recorded it."""
        if document not in self.text_keys or item_id not in self.definitions:
            return None
        return self.text_keys[document], self.definitions[item_id]

    def tool_verdicts_by_cell(self) -> dict[tuple[str, str], set[Verdict]]:
        """The tool's verdicts now per store key (a copy of a programme is a second document)."""
        found: dict[tuple[str, str], set[Verdict]] = {}
        for (document, item_id), verdict in self.tool_verdicts.items():
            if (cell := self.cell(document, item_id)) is not None:
                found.setdefault(cell, set()).add(verdict)
        return found


def reviewed_folder(out: str | Path) -> ReviewedFolder:
    """An output folder written by ``scan`` with review keys; else a :class:`ReviewError`."""
    path = Path(out)
    verdicts, run = path / "verdicts.csv", path / "run.json"
    if not verdicts.is_file() or not run.is_file():
        raise ReviewError(f"{path}: no verdicts.csv and run.json here; is this a programmacheck output folder?")
    try:
        keys = json.loads(run.read_text(encoding="utf-8")).get(REVIEW_KEYS)
        with open(verdicts, newline="", encoding="utf-8") as handle:
            rows = [{k: restore(v) for k, v in row.items()} for row in csv.DictReader(handle)]
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, AttributeError) as exc:
        raise ReviewError(f"{path}: cannot read the output folder: {exc}") from None
    if not isinstance(keys, dict):
        raise ReviewError(f"{run}: no {REVIEW_KEYS} (written by an older version or not by scan); scan it again first")
    try:
        text_keys, definitions = dict(keys["text_keys"]), dict(keys["definitions"])
    except (KeyError, TypeError, ValueError):
        raise ReviewError(f"{run}: {REVIEW_KEYS} is damaged; scan it again first") from None
    try:
        tool_verdicts = {
            (row["document"], row["item_id"]): cast("Verdict", row.get("verdict_tool") or row["verdict"])
            for row in rows
        }
    except KeyError as exc:
        raise ReviewError(f"{verdicts}: no column {exc}; is it a verdicts.csv?") from None
    try:
        needs = [NeedsALook(**cell) for cell in keys.get(NEEDS_A_LOOK, [])]
    except TypeError:
        raise ReviewError(f"{run}: {REVIEW_KEYS} is damaged; scan it again first") from None
    needs_a_look = {(cell.previous_text_key, cell.item_id): cell for cell in needs}
    return ReviewedFolder(path, text_keys, definitions, tool_verdicts, needs_a_look)


def open_store(out: str | Path, store: str | Path | None = None) -> Store:
    """The store of an output folder (``OUT/store.sqlite``) or the one given; never a new empty
    one, where reviews would wait for a scan that does not read them."""
    path = Path(store) if store else Path(out) / STORE_NAME
    if not path.is_file():
        raise ReviewError(f"{path}: no store here; give the scan's store with --store FILE")
    return Store(path)


@contextmanager
def _changing(out: str | Path, store: Store) -> Iterator[ReviewedFolder]:
    """Hold the folder's lock while it is read and the store changes, then show the result in
    verdicts.csv: no scan can write the folder in between."""
    with folder_lock(out):
        folder = reviewed_folder(out)
        yield folder
        reviews = in_force(store.reviews())

        def review_of(document: str, item_id: str) -> Review | None:
            cell = folder.cell(document, item_id)
            return reviews.get(cell) if cell else None

        rewrite_reviews(folder.path, review_of)


def set_review(
    out: str | Path, store: Store, document: str, item_id: str, verdict: ReviewVerdict, note: str, reviewer: str
) -> Review:
    """Record a person's verdict on a cell of ``out`` and show it in its verdicts.csv."""
    with _changing(out, store) as folder:
        if not any(doc == document for doc, _ in folder.tool_verdicts):
            raise ReviewError(f"{folder.path / 'verdicts.csv'}: no document {document!r}")
        tool_verdict = folder.tool_verdicts.get((document, item_id))
        cell = folder.cell(document, item_id)
        if tool_verdict is None or cell is None:
            raise ReviewError(f"{folder.path / 'verdicts.csv'}: no item {item_id!r} for {document!r}")
        review = Review(document, item_id, verdict, note, reviewer, utc_now(), tool_verdict, *cell)
        store.add_reviews([review])
    return review


def import_file(out: str | Path, store: Store, file: str | Path) -> int:
    """Add the reviews of an export file (all checked first; none is added if one is bad) and
    show them in ``out``; returns how many were new."""
    reviews = load_reviews(file)
    with _changing(out, store):
        return store.add_reviews(reviews)


#: Why ``review rekey`` left a review where it was.
FILE_CHANGED = "the file has changed since the review; review the new text"
FILE_UNKNOWN = "the store does not know which file the review was made on"
ITEM_CHANGED = "the item's definition has changed"


def _file_hashes(folder: Path) -> dict[str, str]:
    """document → sha256 of its file(s), from the folder's programmes.csv."""
    try:
        with open(folder / "programmes.csv", newline="", encoding="utf-8") as handle:
            return {restore(row["document"]): restore(row.get("sha256") or "") for row in csv.DictReader(handle)}
    except (OSError, UnicodeDecodeError, KeyError) as exc:
        raise ReviewError(f"{folder / 'programmes.csv'}: cannot read: {exc}") from None


def rekey(out: str | Path, store: Store) -> tuple[list[Review], list[tuple[Review, str]]]:
    """Move the reviews whose text no cell of ``out`` has any more, made on a programme ``out``
    still holds under the same name, to its current text, when its file is the one reviewed
    (the same sha256: only the reading changed, e.g. after an upgrade).  The moved reviews are
    new rows (``reviews.moved``); returns them, and the reviews left where they were with why."""
    with _changing(out, store) as folder:
        hashes = _file_hashes(folder.path)
        current = in_force(store.reviews())
        here = set(folder.text_keys.values())
        definitions = set(folder.definitions.values())
        now = utc_now()
        moved_reviews: list[Review] = []
        left: list[tuple[Review, str]] = []
        for review in current.values():
            text_key = folder.text_keys.get(review.document)
            if review.text_key in here or text_key is None:
                continue  # applies here, or its programme is not here under that name
            then = store.programme_then(review.document, review.text_key)
            if review.definition not in definitions:
                left.append((review, ITEM_CHANGED))
            elif then is None or not then.get("sha256"):
                left.append((review, FILE_UNKNOWN))
            elif then["sha256"] != hashes.get(review.document):
                left.append((review, FILE_CHANGED))
            elif (text_key, review.definition) not in current:  # a review of its own on the new text wins
                moved_reviews.append(moved(review, text_key, now))
        store.add_reviews(moved_reviews)
    return moved_reviews, left


def export_file(store: Store, file: str | Path) -> int:
    """Write the store's whole review history to ``file``; returns the number of reviews."""
    reviews = store.reviews()
    export_reviews(reviews, file)
    return len(reviews)


def listing_row(review: Review, status: str) -> tuple[str, ...]:
    """A review's cells of LISTING_COLUMNS."""
    cells = {**asdict(review), "status": status}
    return tuple(cells[column] for column in LISTING_COLUMNS)


def listing(out: str | Path, store: Store, changed_only: bool = False) -> list[tuple[Review, str]]:
    """Every review, oldest first, with its place: superseded, in force (or carried over from an
    older version), in force but the tool's verdict of its cell in ``out`` changed since
    (``changed_only``: only those), of an older version whose new version's cell needs a look,
    or in force but of no cell in ``out``."""
    folder = reviewed_folder(out)
    history = store.reviews()
    current = in_force(history)
    tool_now = folder.tool_verdicts_by_cell()
    listed = []
    for review in history:
        needs = folder.needs_a_look.get((review.text_key, review.item_id))
        if current[review.cell] is not review:
            status = SUPERSEDED
        elif needs is not None:
            status = needs.status
        elif review.cell not in tool_now:
            status = NOT_HERE
        elif tool_now[review.cell] != {review.tool_verdict}:
            status = CHANGED_SINCE_REVIEW
        else:
            status = CARRIED if is_carried_over(review) else IN_FORCE
        if status == CHANGED_SINCE_REVIEW or not changed_only:
            listed.append((review, status))
    return listed

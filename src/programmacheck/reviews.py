"""Reviews: a person's verdict on one programme × item, kept beside the tool's and never lost.

Why: an analyst who reads a programme sometimes knows better than the tool.  Her verdict must
show in the output at once, survive every rescan, and stay traceable: who said what, when, and
what the tool said then.  So reviews are

- **keyed by content**: the programme's text key (``batch.keys.text_key``) and the item's
  definition (``batch.keys.item_definition``), like the store's verdicts, so a rescan of the same
  text, or a copy under another name, finds its review, and an edited item or programme does not
  inherit a review of something else;
- **append-only**: a new review of a cell is a new row (triggers refuse updates and deletes); the
  latest (by ``reviewed_at``, then by arrival) is the one in force, the others are its history;
- **flagged, never silently dropped**: each review records the tool's verdict it saw
  (``tool_verdict``); when the tool's verdict of the cell later differs, the review still applies
  but the cell is marked "changed since review" for a second look.

This module holds the record, the rules for applying one, the table (the batch store includes
it, as it includes the embedding cache's table) and the JSON exchange format.  It needs nothing
of the engine, so the batch, the output folder and a web app can all use it.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Literal, cast, get_args

from .records import VERDICTS, ItemVerdict, Verdict

#: "The tool was right": applies the tool's verdict as the reviewer saw it.
CONFIRMED = "confirmed"
ReviewVerdict = Literal["addressed", "partial", "contrary", "absent", "confirmed"]
REVIEW_VERDICTS: tuple[ReviewVerdict, ...] = get_args(ReviewVerdict)
#: The values of ``review_status`` in verdicts.csv.
NOT_REVIEWED, REVIEWED, CHANGED_SINCE_REVIEW = "", "reviewed", "changed since review"
#: The mark a reviewed cell shows beside its verdict's symbol, per ``review_status``, in every
#: report and page: a symbol as well as an outline, so that it does not rest on colour.
REVIEW_SYMBOLS = {REVIEWED: "✎", CHANGED_SINCE_REVIEW: "⚠"}
#: The columns verdicts.csv gives every cell after its own, in this order (see ``review_cells``).
REVIEW_COLUMNS = ("verdict_tool", "reviewed_by", "review_note", "reviewed_at", "review_status")
#: A review carried over to a new version of its programme (``batch.versions``) is a new row whose
#: note begins with this and names the review it was carried from.
CARRIED_OVER = "carried over from"
#: A review moved to the text its programme's unchanged file is read as after an upgrade
#: (``review rekey``) is a new row whose note begins with this and names the text it was made on.
MOVED = "moved from the text read before"
#: What a review export file says it is, so that another JSON file is not read as one.
EXPORT_FORMAT = "programmacheck-reviews"
EXPORT_VERSION = 1


class ReviewError(ValueError):
    """A review that cannot be made or read; the message is one line naming the file or cell."""


@dataclass(frozen=True)
class Review:
    """One person's verdict on one programme × item, as stored and exported.

    ``document`` and ``item_id`` name the cell for people and listings; ``text_key`` and
    ``definition`` key it (see the module docstring).  ``reviewed_at`` is UTC, ISO 8601 to the
    second, so that text order is time order.
    """

    document: str
    item_id: str
    verdict: ReviewVerdict
    note: str
    reviewer: str
    reviewed_at: str
    tool_verdict: Verdict
    text_key: str
    definition: str

    @property
    def cell(self) -> tuple[str, str]:
        return self.text_key, self.definition


#: The store's columns: the record's fields, in order.
REVIEWS_COLUMNS = tuple(f.name for f in fields(Review))
#: The store's table.  Every column is part of the UNIQUE constraint, so importing a file twice
#: adds nothing; the index serves each scanned programme's look-up of its reviews; the triggers
#: keep the history append-only.
REVIEWS_TABLE = f"""
CREATE TABLE IF NOT EXISTS reviews (
    {", ".join(f"{column} TEXT NOT NULL" for column in REVIEWS_COLUMNS)},
    UNIQUE ({", ".join(REVIEWS_COLUMNS)})
);
CREATE INDEX IF NOT EXISTS reviews_by_text ON reviews (text_key, definition);
CREATE TRIGGER IF NOT EXISTS reviews_no_update BEFORE UPDATE ON reviews
BEGIN SELECT RAISE(ABORT, 'reviews are append-only'); END;
CREATE TRIGGER IF NOT EXISTS reviews_no_delete BEFORE DELETE ON reviews
BEGIN SELECT RAISE(ABORT, 'reviews are append-only'); END;
"""


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def reviewed_verdict(review: Review) -> Verdict:
    """The verdict a review stands for: the reviewer's; for "confirmed", the tool's verdict she
    confirmed.  What a reviewed cell shows, and the label calibration learns from."""
    if review.verdict == CONFIRMED:
        return review.tool_verdict
    return cast("Verdict", review.verdict)  # any review verdict but CONFIRMED is a Verdict


@dataclass(frozen=True)
class AppliedReview:
    """The review in force on a cell, over the tool's verdict of that cell now."""

    review: Review
    tool_verdict: Verdict

    @property
    def verdict(self) -> Verdict:
        """The verdict the output shows (:func:`reviewed_verdict`; for "confirmed", the tool's
        current verdict unless the cell changed since)."""
        return reviewed_verdict(self.review)

    @property
    def status(self) -> str:
        return CHANGED_SINCE_REVIEW if self.tool_verdict != self.review.tool_verdict else REVIEWED


def apply_review(verdict: ItemVerdict, review: Review | None) -> ItemVerdict:
    """The verdict with its review in force applied (``verdict.review`` says so); unchanged
    without one.  ``verdict.verdict`` must be the tool's."""
    if review is None:
        return verdict
    applied = AppliedReview(review, verdict.verdict)
    return replace(verdict, verdict=applied.verdict, review=applied)


def review_cells(tool_verdict: Verdict, applied: AppliedReview | None) -> list[str]:
    """A cell's values of ``REVIEW_COLUMNS``: the scan and the rewrite after a review share it."""
    if applied is None:
        return [tool_verdict, "", "", "", NOT_REVIEWED]
    review = applied.review
    return [tool_verdict, review.reviewer, review.note, review.reviewed_at, applied.status]


def restated(review: Review, origin: str, document: str, text_key: str, at: str) -> Review:
    """A review made again for another text: the same person's verdict (and the tool's verdict
    she saw), a note beginning with where it comes from, and the time it was restated.  A new
    row: the history keeps both."""
    note = f"{origin}: {review.note}" if review.note else origin
    return replace(review, document=document, note=note, reviewed_at=at, text_key=text_key)


def carried_over(review: Review, document: str, text_key: str, at: str) -> Review:
    """A review of an older version restated for the new version's text."""
    return restated(
        review, f"{CARRIED_OVER} {review.document} ({review.reviewer}, {review.reviewed_at})", document, text_key, at
    )


def moved(review: Review, text_key: str, at: str) -> Review:
    """A review restated for the text its unchanged file is read as now."""
    origin = f"{MOVED} {review.text_key[:12]} ({review.reviewer}, {review.reviewed_at})"
    return restated(review, origin, review.document, text_key, at)


def is_carried_over(review: Review) -> bool:
    return review.note.startswith(f"{CARRIED_OVER} ")


def words(text: str) -> str:
    """Text with its whitespace normalised, to find a quote in a text however its lines ran."""
    return " ".join(text.split())


# ---- the table -----------------------------------------------------------------------------------


def add_reviews(db: sqlite3.Connection, reviews: Iterable[Review]) -> int:
    """Append reviews (one transaction); returns how many were new (an identical row is not
    added twice)."""
    marks = ", ".join("?" * len(REVIEWS_COLUMNS))
    with db:
        before = db.total_changes
        db.executemany(
            f"INSERT OR IGNORE INTO reviews ({', '.join(REVIEWS_COLUMNS)}) VALUES ({marks})",
            [tuple(asdict(review).values()) for review in reviews],
        )
        return db.total_changes - before


def read_reviews(db: sqlite3.Connection, text_key: str | None = None) -> list[Review]:
    """Every review (of one programme text if ``text_key`` is given), oldest first: the history."""
    where, parameters = ("WHERE text_key = ?", (text_key,)) if text_key is not None else ("", ())
    rows = db.execute(
        f"SELECT {', '.join(REVIEWS_COLUMNS)} FROM reviews {where} ORDER BY reviewed_at, rowid", parameters
    )
    return [Review(*row) for row in rows]


def in_force(history: Sequence[Review]) -> dict[tuple[str, str], Review]:
    """The review in force per cell (text key, definition): the latest of a history in order."""
    return {review.cell: review for review in history}


# ---- the exchange file ---------------------------------------------------------------------------


def export_reviews(reviews: Sequence[Review], file: str | Path) -> None:
    """Write reviews as JSON (the whole history, so an import elsewhere keeps it)."""
    document = {"format": EXPORT_FORMAT, "version": EXPORT_VERSION, "reviews": [asdict(r) for r in reviews]}
    try:
        Path(file).write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    except OSError as exc:
        raise ReviewError(f"{file}: cannot write: {exc.strerror or exc}") from None


def load_reviews(file: str | Path) -> list[Review]:
    """The reviews of an export file, every field checked: the first problem is a
    :class:`ReviewError` naming the file, the review's number and the field."""
    try:
        data = json.loads(Path(file).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ReviewError(f"{file}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ReviewError(f"{file}: not UTF-8 text; expected a review export (JSON)") from None
    except json.JSONDecodeError as exc:
        raise ReviewError(f"{file}: not JSON (line {exc.lineno}: {exc.msg})") from None
    if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
        raise ReviewError(f"{file}: not a review export (field 'format' must be {EXPORT_FORMAT!r})")
    if data.get("version") != EXPORT_VERSION:
        raise ReviewError(f"{file}: field 'version' must be {EXPORT_VERSION}, not {data.get('version')!r}")
    if not isinstance(data.get("reviews"), list):
        raise ReviewError(f"{file}: field 'reviews' must be a list")
    return [_review_from(entry, f"{file}: review {number}") for number, entry in enumerate(data["reviews"], start=1)]


def _review_from(entry: object, where: str) -> Review:
    if not isinstance(entry, dict):
        raise ReviewError(f"{where}: must be an object with the fields {', '.join(REVIEWS_COLUMNS)}")
    unknown = sorted(set(entry) - set(REVIEWS_COLUMNS))
    if unknown:
        raise ReviewError(f"{where}: unknown field {unknown[0]!r}")
    for name in REVIEWS_COLUMNS:
        if name not in entry:
            raise ReviewError(f"{where}: field {name!r} is missing")
        if not isinstance(entry[name], str):
            raise ReviewError(f"{where}: field {name!r} must be text, not {type(entry[name]).__name__}")
    for name in ("document", "item_id", "reviewer", "text_key", "definition"):
        if not entry[name].strip():
            raise ReviewError(f"{where}: field {name!r} is empty")
    if entry["verdict"] not in REVIEW_VERDICTS:
        raise ReviewError(f"{where}: field 'verdict' is {entry['verdict']!r}, not one of {', '.join(REVIEW_VERDICTS)}")
    if entry["tool_verdict"] not in VERDICTS:
        raise ReviewError(
            f"{where}: field 'tool_verdict' is {entry['tool_verdict']!r}, not one of {', '.join(VERDICTS)}"
        )
    return Review(**{**entry, "reviewed_at": _utc(entry["reviewed_at"], where)})


def _utc(value: str, where: str) -> str:
    """A timestamp in the stored form (UTC, to the second), so that order and duplicates hold."""
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ReviewError(f"{where}: field 'reviewed_at' is {value!r}, not an ISO 8601 date and time") from None
    if moment.tzinfo is None:
        raise ReviewError(f"{where}: field 'reviewed_at' is {value!r}, without a time zone (e.g. +00:00)")
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")

"""The batch store: an embedded SQLite database in the output folder, keyed by content.

Why: an analyst rescans thousands of programmes whenever the checklist, the model or the
calibration changes, and a batch may be killed half-way.  Everything slow is kept here under a
key made of exactly what decides it (see :mod:`programmacheck.batch.keys`):

- ``files``: a file's paragraphs (or the reason it cannot be read), by its bytes and extractor;
- ``passages``: a programme's sentence windows, by its paragraphs;
- ``vectors``: embeddings, by model identity, role and text: the table of the ~/.cache embedding
  cache (:mod:`programmacheck.embed.cache`), kept here for batches: one writer, and reachable from
  a cluster through the coordinator;
- ``item_verdicts``: one programme × item verdict, by paragraphs, model, item definition,
  calibration and settings;
- ``latest_text``: the text a programme name had last time, so that an edited file sends its
  unchanged passages' vectors along and only new passages are embedded;
- ``programmes``: each text a programme name has had, with its metadata (the file's sha256
  among them) and when it was last seen, so that reviews of a version that is gone can be carried
  over to its successor (``batch.versions``), and reviews of a file read differently after an
  upgrade can move to its new text (``review rekey``);
- ``reviews``: people's reviews of verdicts, append-only, by programme text and item definition
  (:mod:`programmacheck.reviews`); unlike the rest they cannot be recomputed, so a store that
  holds some is worth a backup.

The coordinating process is the only writer and writes each finished programme in one
transaction (WAL mode), so a killed batch loses no finished programme and never half of one.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..embed.cache import LOOKUP_CHUNK, VECTORS_COLUMNS, VECTORS_TABLE, read_vectors, write_vectors
from ..records import Evidence, FileText, ItemVerdict, Paragraph, Passage, Programme
from ..reviews import REVIEWS_COLUMNS, REVIEWS_TABLE, Review, add_reviews, read_reviews

_SCHEMA = (
    VECTORS_TABLE
    + """
CREATE TABLE IF NOT EXISTS files (key TEXT PRIMARY KEY, text TEXT, failure TEXT) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS passages (text_key TEXT PRIMARY KEY, passages TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS item_verdicts (key TEXT PRIMARY KEY, verdict TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS latest_text (document TEXT PRIMARY KEY, text_key TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS programmes (
    document TEXT NOT NULL, text_key TEXT NOT NULL, metadata TEXT NOT NULL, seen TEXT NOT NULL,
    PRIMARY KEY (document, text_key)
) WITHOUT ROWID;
"""
    + REVIEWS_TABLE
)
#: Each table's columns, checked on open: a store of another schema is damaged, not usable.
_COLUMNS = {
    "files": ("key", "text", "failure"),
    "passages": ("text_key", "passages"),
    "vectors": VECTORS_COLUMNS,
    "item_verdicts": ("key", "verdict"),
    "latest_text": ("document", "text_key"),
    "programmes": ("document", "text_key", "metadata", "seen"),  # added later, like reviews
    "reviews": REVIEWS_COLUMNS,  # added later: CREATE TABLE IF NOT EXISTS gives an older store one
}
#: What makes two programmes versions of one: the same party in the same municipality and election.
VERSION_OF = ("municipality", "party", "election")
#: Test hook: seconds to sleep inside each write transaction (announced on stderr with
#: WRITE_OPEN), so that a test can kill the coordinator while a write is open.
WRITE_DELAY_SETTING = "PROGRAMMACHECK_TEST_WRITE_DELAY"
WRITE_OPEN = "store: write open"


@dataclass
class Write:
    """Everything one finished programme adds to the store, written in one transaction."""

    files: dict[str, FileText] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)  # file key → why it cannot be read
    passages: dict[str, tuple[Passage, ...]] = field(default_factory=dict)  # text key → passages
    vectors: list[tuple[str, str, str, np.ndarray]] = field(default_factory=list)  # identity, role, sha, vector
    verdicts: dict[str, ItemVerdict] = field(default_factory=dict)  # item key → verdict
    latest_text: dict[str, str] = field(default_factory=dict)  # programme name → text key
    programmes: list[tuple[Programme, str]] = field(default_factory=list)  # with its text key


class StoreError(ValueError):
    """A store that cannot be opened or is damaged; the message is one line saying what to do."""


def damaged(path: Path, problem: object) -> StoreError:
    return StoreError(
        f"{path}: the store is damaged ({problem}); run again with --rebuild-store to move it "
        "aside and rescan (the output files already written stay as they are)"
    )


class Store:
    """The batch store at ``path``; ``rebuild`` moves a damaged one aside (with a ``.damaged-…``
    suffix, never deleted) and starts an empty one."""

    def __init__(self, path: str | Path, rebuild: bool = False):
        self.path = Path(path)
        if self.path.is_dir():
            raise StoreError(
                f"{self.path}: the store is a folder; --store takes a file, e.g. {self.path / 'store.sqlite'}"
            )
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot create the store's folder: {exc.strerror or exc}") from None
        try:
            self._db = self._open(full_check=rebuild)
        except sqlite3.DatabaseError as exc:
            if not rebuild:
                raise damaged(self.path, exc) from None
            self._move_aside()
            self._db = self._open(full_check=False)

    def _open(self, full_check: bool) -> sqlite3.Connection:
        """Connect and check the schema; ``full_check`` also reads every page (``quick_check``),
        which costs a second per GB and is done only when asked to rebuild a damaged store."""
        try:
            db = sqlite3.connect(self.path)
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot open the store: {exc}") from None
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: a crash keeps every committed write
            db.executescript(_SCHEMA)
            for table, columns in _COLUMNS.items():
                found = tuple(row[1] for row in db.execute(f"PRAGMA table_info({table})"))
                if found != columns:
                    raise sqlite3.DatabaseError(
                        f"table {table} has columns {', '.join(found)}, expected {', '.join(columns)}"
                    )
            if full_check:
                result = db.execute("PRAGMA quick_check").fetchone()[0]
                if result != "ok":
                    raise sqlite3.DatabaseError(result)
        except sqlite3.OperationalError as exc:
            db.close()
            if exc.sqlite_errorcode & 0xFF in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN):  # primary code
                raise StoreError(f"{self.path}: cannot write the store: {exc}") from None
            raise
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    def _move_aside(self) -> None:
        stamp = time.strftime("%Y%m%dT%H%M%S")
        for suffix in ("", "-wal", "-shm"):
            source = Path(f"{self.path}{suffix}")
            if source.exists():
                os.replace(source, f"{self.path}.damaged-{stamp}{suffix}")
        print(
            f"store: {self.path} was damaged; moved aside to {self.path}.damaged-{stamp}, rescanning",
            file=sys.stderr,
            flush=True,
        )

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _select(self, sql: str, keys: Iterable[str], *prefix: str) -> list[tuple]:
        ordered = sorted(set(keys))
        rows: list[tuple] = []
        for start in range(0, len(ordered), LOOKUP_CHUNK):
            chunk = ordered[start : start + LOOKUP_CHUNK]
            rows += self._db.execute(sql.format(marks=",".join("?" * len(chunk))), (*prefix, *chunk)).fetchall()
        return rows

    def files(self, keys: Iterable[str]) -> dict[str, FileText | str]:
        """Stored files by key: their text, or the message saying why they cannot be read."""
        rows = self._select("SELECT key, text, failure FROM files WHERE key IN ({marks})", keys)
        return {key: _file_from_json(text) if text is not None else failure for key, text, failure in rows}

    def passages(self, text_key: str) -> tuple[Passage, ...] | None:
        row = self._db.execute("SELECT passages FROM passages WHERE text_key = ?", (text_key,)).fetchone()
        return tuple(Passage(index, text) for index, text in json.loads(row[0])) if row else None

    def latest_text(self, document: str) -> str | None:
        row = self._db.execute("SELECT text_key FROM latest_text WHERE document = ?", (document,)).fetchone()
        return row[0] if row else None

    def remember_programmes(self, programmes: Iterable[tuple[Programme, str]]) -> None:
        """Keep programmes' metadata with the text each has now (in one transaction), so that once
        a file is replaced by a new version and gone, or read differently, the store still knows
        whose programme and which file its reviews were of."""
        with self._db:
            _remember(self._db, programmes)

    def programme_then(self, document: str, text_key: str) -> dict[str, str] | None:
        """A programme's metadata when it had that text, if the store saw it."""
        row = self._db.execute(
            "SELECT metadata FROM programmes WHERE document = ? AND text_key = ?", (document, text_key)
        ).fetchone()
        return json.loads(row[0]) if row else None

    def versions(self, programme: Programme) -> dict[str, tuple[dict[str, str], str]]:
        """The other programmes the store has seen of the same party, municipality and election
        (``VERSION_OF``; a national programme has no municipality), by name: their metadata and
        the text each was last seen with."""
        same = [programme.metadata.get(column, "") for column in VERSION_OF]
        if not programme.metadata.get("party") or not programme.metadata.get("election"):
            return {}  # a programme without them is no version of anything
        alike = " AND ".join(f"coalesce(json_extract(metadata, '$.{column}'), '') = ?" for column in VERSION_OF)
        rows = self._db.execute(  # SQLite takes the bare columns from the row with the latest 'seen'
            f"SELECT document, metadata, text_key, MAX(seen) FROM programmes WHERE document != ? AND {alike} "
            "GROUP BY document",
            (programme.document, *same),
        )
        return {document: (json.loads(metadata), text_key) for document, metadata, text_key, _ in rows}

    def vectors(self, identity: str, role: str, shas: Iterable[str]) -> dict[str, np.ndarray]:
        return read_vectors(self._db, identity, role, shas)

    def verdicts(self, keys: Iterable[str]) -> dict[str, ItemVerdict]:
        """Stored item verdicts by key; their ``document`` is empty (they are kept by content)."""
        rows = self._select("SELECT key, verdict FROM item_verdicts WHERE key IN ({marks})", keys)
        return {key: _verdict_from_json(value) for key, value in rows}

    def reviews(self, text_key: str | None = None) -> list[Review]:
        """Every review (of one programme text if ``text_key`` is given), oldest first."""
        return read_reviews(self._db, text_key)

    def add_reviews(self, reviews: Iterable[Review]) -> int:
        """Append reviews in one transaction; returns how many were new."""
        return add_reviews(self._db, reviews)

    def write(self, write: Write) -> None:
        with self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO files VALUES (?, ?, NULL)",
                [(k, _file_to_json(f)) for k, f in write.files.items()],
            )
            self._db.executemany("INSERT OR REPLACE INTO files VALUES (?, NULL, ?)", write.failures.items())
            self._db.executemany(
                "INSERT OR REPLACE INTO passages VALUES (?, ?)",
                [
                    (k, json.dumps([[p.paragraph, p.text] for p in ps], ensure_ascii=False))
                    for k, ps in write.passages.items()
                ],
            )
            write_vectors(self._db, write.vectors)
            self._db.executemany(
                "INSERT OR REPLACE INTO item_verdicts VALUES (?, ?)",
                [(k, _verdict_to_json(v)) for k, v in write.verdicts.items()],
            )
            self._db.executemany("INSERT OR REPLACE INTO latest_text VALUES (?, ?)", write.latest_text.items())
            _remember(self._db, write.programmes)
            delay = float(os.environ.get(WRITE_DELAY_SETTING) or 0)
            if delay:
                print(WRITE_OPEN, file=sys.stderr, flush=True)
                time.sleep(delay)


def _remember(db: sqlite3.Connection, programmes: Iterable[tuple[Programme, str]]) -> None:
    seen = dt.datetime.now(dt.UTC).isoformat()  # to the microsecond: a name's latest text is the last seen
    db.executemany(
        "INSERT OR REPLACE INTO programmes VALUES (?, ?, ?, ?)",
        [
            (programme.document, text_key, json.dumps(programme.metadata, sort_keys=True, ensure_ascii=False), seen)
            for programme, text_key in programmes
        ],
    )


def _file_to_json(file: FileText) -> str:
    rows = [p.content() for p in file.paragraphs]
    return json.dumps({"paragraphs": rows, "warnings": list(file.warnings)}, ensure_ascii=False)


def _file_from_json(text: str) -> FileText:
    data = json.loads(text)
    paragraphs = tuple(
        Paragraph("", page, section, body, kind, ocr, matchable)
        for page, section, body, kind, ocr, matchable in data["paragraphs"]
    )
    return FileText(paragraphs, tuple(data["warnings"]))


def _verdict_to_json(v: ItemVerdict) -> str:
    evidence = [[e.page, e.section, e.quote, e.score, list(e.signals)] for e in v.evidence]
    return json.dumps([v.item_id, v.theme_id, v.verdict, v.score, evidence], ensure_ascii=False)


def _verdict_from_json(text: str) -> ItemVerdict:
    item_id, theme_id, verdict, score, evidence = json.loads(text)
    return ItemVerdict(
        "",
        item_id,
        theme_id,
        verdict,
        score,
        tuple(Evidence(page, section, quote, s, tuple(signals)) for page, section, quote, s, signals in evidence),
    )

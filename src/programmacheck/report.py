"""Stage 4, report: the output folder and the per-theme coverage table.

The output folder is the public interface (see README, "Outputs"):
``verdicts.csv``, ``evidence.csv``, ``programmes.csv``, ``paragraphs.jsonl``, ``failures.csv``
and ``run.json``.
Rows are written to temporary files that replace the real ones only when the folder is closed
(``os.replace``), so a reader never sees a half-written result: an interrupted batch leaves the
previous results (and the store, which keeps every finished programme, see ``store.py``).
"""

from __future__ import annotations

import csv
import datetime as dt
import fcntl
import json
import os
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, replace
from pathlib import Path
from typing import TYPE_CHECKING, TextIO, cast

from . import __version__
from .checklist import Checklist
from .extract import one_line
from .page_labels import printed_labels
from .programmes import DETAIL_COLUMNS, METADATA_COLUMNS
from .records import VERDICT_SYMBOLS, VERDICTS
from .reviews import REVIEW_COLUMNS, AppliedReview, Review, review_cells
from .spreadsheet import neutralise_row, restore

if TYPE_CHECKING:
    from .records import Failure, ProgrammeResult, Verdict

VERDICT_COLUMNS = (
    "document",
    "item_id",
    "theme_id",
    "verdict",
    "score",
    "evidence_page",
    "evidence_quote",
    *METADATA_COLUMNS,
    *REVIEW_COLUMNS,  # appended, so readers of the older columns by position are not disturbed
)
EVIDENCE_COLUMNS = ("document", "item_id", "rank", "page", "section", "quote", "score", "signals", "page_label")
FAILURE_COLUMNS = ("document", "message")
PROGRAMME_FILE_COLUMNS = ("document", *METADATA_COLUMNS, *DETAIL_COLUMNS)


#: Suffix of the files being written; they replace the real ones on ``close``.
PARTIAL = ".partial"
#: The lock file of a folder being written; it holds the last writer's pid.
LOCK = ".programmacheck.lock"
OUTPUT_FILES = ("verdicts.csv", "evidence.csv", "failures.csv", "programmes.csv", "paragraphs.jsonl", "run.json")


class OutputError(ValueError):
    """An output folder that cannot be written (a file, read-only, or in use by another scan);
    the message is one line naming the folder."""


class OutputFolder:
    """Writes results into an output folder as they arrive, visible all at once on ``close``.

    The folder is locked while it is written: two scans into one folder used to write the same
    ``*.partial`` files, and one died while the other published the dead one's documents.
    """

    def __init__(self, out_dir: str | Path):
        self.path = Path(out_dir)
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except FileExistsError:
            raise OutputError(f"{self.path}: --out is a file, not a folder") from None
        except OSError as exc:
            raise OutputError(f"{self.path}: cannot create the output folder: {exc.strerror or exc}") from None
        self._lock = _lock(self.path)
        try:
            for name in OUTPUT_FILES:
                if (self.path / name).is_dir() or (self.path / (name + PARTIAL)).is_dir():
                    raise OutputError(f"{self.path / name}: is a folder; move it out of the output folder")
            self._handles: dict[str, TextIO] = {}
            self._verdicts = self._csv("verdicts.csv", VERDICT_COLUMNS)
            self._evidence = self._csv("evidence.csv", EVIDENCE_COLUMNS)
            self._failures = self._csv("failures.csv", FAILURE_COLUMNS)
            self._programmes = self._csv("programmes.csv", PROGRAMME_FILE_COLUMNS)
            self._paragraphs = self._open("paragraphs.jsonl")
        except OSError as exc:
            self.discard()
            raise OutputError(f"{self.path}: cannot write the output files: {exc.strerror or exc}") from None
        except OutputError:
            self.discard()
            raise
        self.programmes = 0  # a count, not the results: a batch of thousands must not pile up in memory
        self.failures: list[Failure] = []

    def discard(self) -> None:
        """Give up: remove the files being written (the previous results stay) and the lock."""
        for name, handle in getattr(self, "_handles", {}).items():
            handle.close()
            (self.path / (name + PARTIAL)).unlink(missing_ok=True)
        self._handles = {}
        self._release()

    def _release(self) -> None:
        """Unlock; the lock file stays (removing it would let a scan that opened it just before
        lock a file no later scan sees)."""
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def _open(self, name: str):
        handle = open(
            self.path / (name + PARTIAL), "w", newline="" if name.endswith(".csv") else None, encoding="utf-8"
        )
        self._handles[name] = handle
        return handle

    def _csv(self, name: str, columns: tuple[str, ...]):
        handle = self._open(name)
        writer = csv.writer(handle)
        writer.writerow(columns)
        return handle, writer

    def add(self, result: ProgrammeResult) -> None:
        (_, vw), (_, ew) = self._verdicts, self._evidence
        meta = [result.programme.metadata.get(c, "") for c in METADATA_COLUMNS]
        self._programmes[1].writerow(
            neutralise_row(
                [result.programme.document, *(result.programme.metadata.get(c, "") for c in PROGRAMME_FILE_COLUMNS[1:])]
            )
        )
        files = result.programme.files
        labels = printed_labels(files[0]) if len(files) == 1 and files[0].lower().endswith(".pdf") else {}
        for v in result.verdicts:
            first = v.evidence[0] if v.evidence else None
            vw.writerow(
                neutralise_row(
                    [
                        v.document,
                        v.item_id,
                        v.theme_id,
                        v.verdict,
                        f"{v.score:.4f}",
                        first.page if first else "",
                        first.quote if first else "",
                        *meta,
                        *review_cells(v.tool_verdict, v.review),
                    ]
                )
            )
            for rank, e in enumerate(v.evidence, start=1):
                ew.writerow(
                    neutralise_row(
                        [
                            v.document,
                            v.item_id,
                            rank,
                            e.page,
                            e.section,
                            e.quote,
                            f"{e.score:.4f}",
                            ";".join(e.signals),
                            labels.get(e.page, ""),
                        ]
                    )
                )
        for p in result.paragraphs:
            self._paragraphs.write(
                json.dumps(
                    {
                        "document": p.document,
                        "page": p.page,
                        "section": p.section,
                        "text": p.text,
                        "kind": p.kind,
                        "ocr": p.ocr,
                        "matchable": p.matchable,
                    },
                    ensure_ascii=False,
                )
                + "\n"
            )
        self.programmes += 1

    def fail(self, failure: Failure) -> None:
        """Record a failure, on one line and in valid UTF-8 whatever the file's name (see one_line)."""
        failure = replace(failure, document=one_line(failure.document), message=one_line(failure.message))
        self._failures[1].writerow(neutralise_row([failure.document, failure.message]))
        self.failures.append(failure)

    def close(self, provenance: dict) -> None:
        """Finish the files and put them in place; run.json last, as the sign of a finished run."""
        for name, handle in self._handles.items():
            handle.flush()
            os.fsync(handle.fileno())
            handle.close()
            os.replace(self.path / (name + PARTIAL), self.path / name)
        run = {
            "tool": "programmacheck",
            "version": __version__,
            "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            **provenance,
            "programmes": self.programmes,
            "failures": [asdict(f) for f in self.failures],
        }
        partial = self.path / ("run.json" + PARTIAL)
        partial.write_text(json.dumps(run, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        os.replace(partial, self.path / "run.json")
        self._release()


@contextmanager
def folder_lock(folder: str | Path) -> Iterator[None]:
    """Hold an output folder's lock (as a scan does) while changing its files in place."""
    handle = _lock(Path(folder))
    try:
        yield
    finally:
        handle.close()


def rewrite_reviews(folder: str | Path, review_of: Callable[[str, str], Review | None]) -> int:
    """Show the reviews in force in ``folder/verdicts.csv`` at once, without a rescan: every row's
    ``verdict`` and review columns are made again from the tool's verdict (``verdict_tool``, or
    ``verdict`` in a file written before reviews) and ``review_of(document, item_id)``, exactly as
    a scan writes them; every other cell stays as it was, and so do the other files.  Call it
    holding :func:`folder_lock`.  Returns the number of reviewed rows."""
    path = Path(folder) / "verdicts.csv"
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    reviewed = 0
    for row in rows:  # all of them before a byte is written: a bad row leaves the file as it was
        tool = cast("Verdict", restore(row.get("verdict_tool") or row["verdict"]))
        if tool not in VERDICTS:
            raise OutputError(f"{path}: {row['document']} item {row['item_id']}: unknown verdict {tool!r}")
        review = review_of(restore(row["document"]), restore(row["item_id"]))
        applied = AppliedReview(review, tool) if review else None
        reviewed += applied is not None
        row["verdict"] = applied.verdict if applied else tool
        row.update(zip(REVIEW_COLUMNS, neutralise_row(review_cells(tool, applied))))
    partial = path.with_name(path.name + PARTIAL)
    with open(partial, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, VERDICT_COLUMNS, restval="", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, path)
    return reviewed


def _lock(folder: Path):
    """Hold the folder's lock file (an advisory ``flock``, released by the kernel when the holder
    dies, so a killed scan never leaves a stale lock); refuse when another scan holds it."""
    try:
        handle = open(folder / LOCK, "a+", encoding="utf-8")
    except OSError as exc:
        raise OutputError(f"{folder}: cannot write into the output folder: {exc.strerror or exc}") from None
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.seek(0)
        holder = handle.read().strip() or "unknown"
        handle.close()
        raise OutputError(
            f"another scan is writing to {folder} (pid {holder}); wait for it or choose another --out"
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    return handle


def coverage_table(result: ProgrammeResult, checklist: Checklist) -> str:
    """The per-theme coverage table of one programme, as plain text for a terminal."""
    by_item = {v.item_id: v for v in result.verdicts}
    lines = [f"{result.programme.document}"]
    for theme in checklist.themes:
        items = [i for i in checklist.items if i.theme == theme.id]
        counts = Counter(by_item[i.id].verdict for i in items)
        summary = f"{counts['addressed']} of {len(items)} addressed, {counts['partial']} partial"
        if counts["contrary"]:
            summary += f", {counts['contrary']} contrary"
        lines.append(f"  {theme.id}. {theme.title}: {summary}")
        for item in items:
            v = by_item[item.id]
            where = f" (p. {v.evidence[0].page})" if v.evidence else ""
            text = item.text if len(item.text) <= 70 else item.text[:67] + "..."
            lines.append(f"     {VERDICT_SYMBOLS[v.verdict]} {item.id:<6} {v.verdict:<9} {v.score:.2f}{where}  {text}")
    lines.append(f"  total: {_totals(result)}")
    return "\n".join(lines)


def coverage_line(result: ProgrammeResult) -> str:
    """One programme in one line, for a batch: its name and verdict counts."""
    return f"{result.programme.document}: {_totals(result)}"


def _totals(result: ProgrammeResult) -> str:
    total = Counter(v.verdict for v in result.verdicts)
    return (
        f"{total['addressed']} addressed, {total['partial']} partial, {total['contrary']} contrary, "
        f"{total['absent']} absent of {len(result.verdicts)} items"
    )

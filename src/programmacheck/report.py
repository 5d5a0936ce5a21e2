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
import json
import os
from collections import Counter
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .checklist import Checklist
from .page_labels import printed_labels
from .programmes import DETAIL_COLUMNS, METADATA_COLUMNS

if TYPE_CHECKING:
    from .pipeline import Failure, ProgrammeResult

VERDICT_COLUMNS = ("document", "item_id", "theme_id", "verdict", "score", "evidence_page", "evidence_quote", *METADATA_COLUMNS)
EVIDENCE_COLUMNS = ("document", "item_id", "rank", "page", "section", "quote", "score", "signals", "page_label")
FAILURE_COLUMNS = ("document", "message")
PROGRAMME_FILE_COLUMNS = ("document", *METADATA_COLUMNS, *DETAIL_COLUMNS)


#: Suffix of the files being written; they replace the real ones on ``close``.
PARTIAL = ".partial"


class OutputFolder:
    """Writes results into an output folder as they arrive, visible all at once on ``close``."""

    def __init__(self, out_dir: str | Path):
        self.path = Path(out_dir)
        self.path.mkdir(parents=True, exist_ok=True)
        self._handles = {}
        self._verdicts = self._csv("verdicts.csv", VERDICT_COLUMNS)
        self._evidence = self._csv("evidence.csv", EVIDENCE_COLUMNS)
        self._failures = self._csv("failures.csv", FAILURE_COLUMNS)
        self._programmes = self._csv("programmes.csv", PROGRAMME_FILE_COLUMNS)
        self._paragraphs = self._open("paragraphs.jsonl")
        self.programmes = 0  # a count, not the results: a batch of thousands must not pile up in memory
        self.failures: list[Failure] = []

    def _open(self, name: str):
        handle = open(self.path / (name + PARTIAL), "w", newline="" if name.endswith(".csv") else None, encoding="utf-8")
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
        self._programmes[1].writerow([result.programme.document,
                                      *(result.programme.metadata.get(c, "") for c in PROGRAMME_FILE_COLUMNS[1:])])
        files = result.programme.files
        labels = printed_labels(files[0]) if len(files) == 1 and files[0].lower().endswith(".pdf") else {}
        for v in result.verdicts:
            first = v.evidence[0] if v.evidence else None
            vw.writerow([v.document, v.item_id, v.theme_id, v.verdict, f"{v.score:.4f}",
                         first.page if first else "", first.quote if first else "", *meta])
            for rank, e in enumerate(v.evidence, start=1):
                ew.writerow([v.document, v.item_id, rank, e.page, e.section, e.quote, f"{e.score:.4f}", ";".join(e.signals),
                             labels.get(e.page, "")])
        for p in result.paragraphs:
            self._paragraphs.write(json.dumps({"document": p.document, "page": p.page, "section": p.section,
                                               "text": p.text, "kind": p.kind, "ocr": p.ocr,
                                               "matchable": p.matchable}, ensure_ascii=False) + "\n")
        self.programmes += 1

    def fail(self, failure: Failure) -> None:
        self._failures[1].writerow([failure.document, failure.message])
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
            "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            **provenance,
            "programmes": self.programmes,
            "failures": [asdict(f) for f in self.failures],
        }
        partial = self.path / ("run.json" + PARTIAL)
        partial.write_text(json.dumps(run, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        os.replace(partial, self.path / "run.json")


def coverage_table(result: ProgrammeResult, checklist: Checklist) -> str:
    """The per-theme coverage table of one programme, as plain text for a terminal."""
    by_item = {v.item_id: v for v in result.verdicts}
    symbol = {"addressed": "●", "partial": "◐", "contrary": "✗", "absent": "·"}
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
            lines.append(f"     {symbol[v.verdict]} {item.id:<6} {v.verdict:<9} {v.score:.2f}{where}  {text}")
    total = Counter(v.verdict for v in result.verdicts)
    lines.append(f"  total: {total['addressed']} addressed, {total['partial']} partial, "
                 f"{total['contrary']} contrary, {total['absent']} absent of {len(result.verdicts)} items")
    return "\n".join(lines)

"""Stage 4, report: the output folder and the per-theme coverage table.

The output folder is the public interface (see README, "Outputs"):
``verdicts.csv``, ``evidence.csv``, ``paragraphs.jsonl``, ``failures.csv`` and ``run.json``.
Rows are appended and flushed as each programme finishes, so an interrupted batch keeps every
programme it completed.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections import Counter
from dataclasses import asdict
from pathlib import Path

from . import __version__
from .checklist import Checklist
from .pipeline import Failure, ProgrammeResult
from .programmes import METADATA_COLUMNS

VERDICT_COLUMNS = ("document", "item_id", "theme_id", "verdict", "score", "evidence_page", "evidence_quote", *METADATA_COLUMNS)
EVIDENCE_COLUMNS = ("document", "item_id", "rank", "page", "section", "quote", "score", "signals")
FAILURE_COLUMNS = ("document", "message")


class OutputFolder:
    """Writes results into an output folder as they arrive."""

    def __init__(self, out_dir: str | Path):
        self.path = Path(out_dir)
        self.path.mkdir(parents=True, exist_ok=True)
        self._verdicts = self._csv("verdicts.csv", VERDICT_COLUMNS)
        self._evidence = self._csv("evidence.csv", EVIDENCE_COLUMNS)
        self._failures = self._csv("failures.csv", FAILURE_COLUMNS)
        self._paragraphs = open(self.path / "paragraphs.jsonl", "w", encoding="utf-8")
        self.results: list[ProgrammeResult] = []
        self.failures: list[Failure] = []

    def _csv(self, name: str, columns: tuple[str, ...]):
        handle = open(self.path / name, "w", newline="", encoding="utf-8")
        writer = csv.writer(handle)
        writer.writerow(columns)
        handle.flush()
        return handle, writer

    def add(self, result: ProgrammeResult) -> None:
        (vh, vw), (eh, ew) = self._verdicts, self._evidence
        meta = [result.programme.metadata.get(c, "") for c in METADATA_COLUMNS]
        for v in result.verdicts:
            first = v.evidence[0] if v.evidence else None
            vw.writerow([v.document, v.item_id, v.theme_id, v.verdict, f"{v.score:.4f}",
                         first.page if first else "", first.quote if first else "", *meta])
            for rank, e in enumerate(v.evidence, start=1):
                ew.writerow([v.document, v.item_id, rank, e.page, e.section, e.quote, f"{e.score:.4f}", ";".join(e.signals)])
        for p in result.paragraphs:
            self._paragraphs.write(json.dumps({"document": p.document, "page": p.page, "section": p.section,
                                               "text": p.text, "kind": p.kind, "ocr": p.ocr,
                                               "matchable": p.matchable}, ensure_ascii=False) + "\n")
        for handle in (vh, eh, self._paragraphs):
            handle.flush()
        self.results.append(result)

    def fail(self, failure: Failure) -> None:
        handle, writer = self._failures
        writer.writerow([failure.document, failure.message])
        handle.flush()
        self.failures.append(failure)

    def close(self, provenance: dict) -> None:
        for handle in (self._verdicts[0], self._evidence[0], self._failures[0], self._paragraphs):
            handle.close()
        run = {
            "tool": "programmacheck",
            "version": __version__,
            "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            **provenance,
            "programmes": len(self.results),
            "failures": [asdict(f) for f in self.failures],
        }
        (self.path / "run.json").write_text(json.dumps(run, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


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

"""What the pages show, read from the output folder through ``load_results``: the cells of the
heatmap, a programme's themes, one cell's quotes, and the review queue.

The folder is read again only when its ``verdicts.csv`` or ``run.json`` changed (a scan or a
review rewrote it), so pages stay quick on a batch of hundreds of programmes.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..results import Results, group_label, load_results
from ..reviews import CHANGED_SINCE_REVIEW, NOT_REVIEWED
from ..verdict import SCORE_PARTIAL_WEIGHT

#: Scores where the verdict model tips from one verdict to the next when only two of its classes
#: are in play: absent ↔ partial at ½·w, partial ↔ addressed at (1 + w)/2, for the score
#: P(addressed) + w·P(partial).  The queue puts the scores nearest them first.
SCORE_BOUNDARIES = (SCORE_PARTIAL_WEIGHT / 2, (1 + SCORE_PARTIAL_WEIGHT) / 2)
#: A score this close to a boundary is called "near a boundary" on the queue.
NEAR = 0.1
FILTERS = ("all", "unreviewed", "changed")


@dataclass(frozen=True)
class Cell:
    """One programme × item as the pages show it."""

    document: str
    item_id: str
    theme_id: str
    verdict: str
    verdict_tool: str
    score: float
    review_status: str
    reviewed_by: str
    review_note: str
    reviewed_at: str
    ocr: bool

    @property
    def key(self) -> tuple[str, str]:
        return self.document, self.item_id

    @property
    def boundary_distance(self) -> float:
        """How far the score is from the nearest verdict boundary (1.0 for a cell without a score)."""
        return 1.0 if math.isnan(self.score) else min(abs(self.score - b) for b in SCORE_BOUNDARIES)

    def reasons(self) -> list[str]:
        """Why the queue puts this cell early (keys of the pages' strings)."""
        found = []
        if self.verdict_tool == "contrary":
            found.append("reason_contrary")
        if self.ocr:
            found.append("reason_ocr")
        if self.boundary_distance <= NEAR:
            found.append("reason_boundary")
        return found

    def shown(self, cell_filter: str) -> bool:
        if cell_filter == "unreviewed":
            return self.review_status == NOT_REVIEWED
        if cell_filter == "changed":
            return self.review_status == CHANGED_SINCE_REVIEW
        return True


def need_order(cells: list[Cell]) -> list[Cell]:
    """The review queue: contrary verdicts first, then programmes read by OCR, then by how near
    the score is to a verdict boundary (see SCORE_BOUNDARIES)."""
    return sorted(cells, key=lambda c: (c.verdict_tool != "contrary", not c.ocr, c.boundary_distance))


@dataclass(frozen=True)
class Group:
    election: str
    municipality: str

    @property
    def label(self) -> str:
        return group_label(self.election, self.municipality)


class Folder:
    """An output folder's results, read once per change."""

    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()
        self._stamp: tuple[int, ...] | None = None
        self._results: Results | None = None
        self._cells: list[Cell] = []
        self._evidence: dict[tuple[str, str], list[dict]] = {}

    def _current_stamp(self) -> tuple[int, ...] | None:
        try:
            return tuple((self.path / name).stat().st_mtime_ns for name in ("verdicts.csv", "run.json"))
        except OSError:
            return None

    def results(self) -> Results | None:
        """The folder's results, or None before its first scan."""
        stamp = self._current_stamp()
        with self._lock:
            if stamp is None:
                return None
            if stamp != self._stamp:
                results = load_results(self.path)
                self._results, self._cells, self._stamp = results, _cells(results), stamp
                self._evidence = _evidence_by_cell(results)
            return self._results

    def cells(self) -> list[Cell]:
        self.results()
        return self._cells

    def cell(self, document: str, item_id: str) -> Cell | None:
        return next((c for c in self.cells() if c.key == (document, item_id)), None)

    def evidence(self, document: str, item_id: str) -> list[dict]:
        """A cell's quotes, best first: rank, page, page_label, section, quote, score."""
        self.results()
        return self._evidence.get((document, item_id), [])


def _cells(results: Results) -> list[Cell]:
    paragraphs = results.paragraphs
    ocr = (
        set(paragraphs.loc[paragraphs["ocr"].astype(bool), "document"])
        if "ocr" in paragraphs.columns and len(paragraphs)
        else set()
    )
    order = {item: n for n, item in enumerate(results.items["item_id"])}
    programmes = {d: n for n, d in enumerate(results.programmes["document"])}
    rows = results.verdicts.sort_values(
        ["document", "item_id"], key=lambda s: s.map(programmes if s.name == "document" else order)
    )
    return [
        Cell(
            r.document,
            r.item_id,
            r.theme_id,
            r.verdict,
            r.verdict_tool or r.verdict,
            float(r.score),
            r.review_status,
            r.reviewed_by,
            r.review_note,
            r.reviewed_at,
            r.document in ocr,
        )
        for r in rows.itertuples(index=False)
    ]


def groups(results: Results) -> list[Group]:
    return [Group(election, municipality) for election, municipality in results.groups()]


def group_programmes(results: Results, group: Group) -> pd.DataFrame:
    """The programmes of a group, in the order the report shows them."""
    programmes = results.programmes
    keep = (programmes["election"] == group.election) & (programmes["municipality"] == group.municipality)
    return programmes[keep].reset_index(drop=True)


def _evidence_by_cell(results: Results) -> dict[tuple[str, str], list[dict]]:
    """Every cell's quotes, grouped once: a programme page asks for 35 cells' quotes."""
    grouped: dict[tuple[str, str], list[dict]] = {}
    for row in results.evidence.sort_values(["document", "item_id", "rank"]).to_dict("records"):
        grouped.setdefault((row["document"], row["item_id"]), []).append(row)
    return grouped


def programme_row(results: Results, document: str) -> dict | None:
    rows = results.programmes[results.programmes["document"] == document]
    return rows.iloc[0].to_dict() if len(rows) else None


def items_by_theme(results: Results) -> list[tuple[dict, list[dict]]]:
    """The checklist's themes in order, each with its items: the rows of the heatmap."""
    items = results.items.to_dict("records")
    return [
        (theme, [item for item in items if item["theme_id"] == theme["theme_id"]])
        for theme in results.themes.to_dict("records")
    ]

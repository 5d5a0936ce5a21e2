"""Stored scan results as pandas tables, and the views people ask of them.

A scan writes an output folder (``verdicts.csv``, ``evidence.csv``, ``programmes.csv``,
``paragraphs.jsonl``, ``failures.csv``, ``run.json``; see ``docs/data-dictionary.md``).
Everything downstream — exports, the HTML report, plots, notebooks — reads such folders through
:func:`load_results`, so reports never rescan and never load a model.  Several folders load as
one set of tables: a programme's ``document`` name does not depend on where a scan ran.

The views:

* :func:`verdict_matrix` — programme × item (verdict or score);
* :func:`theme_coverage` — programme × theme counts and shares;
* :func:`item_parties` — per municipality and item, which parties address it;
* :func:`gaps` — items no programme of a municipality addresses (and whether any mentions them);
* :func:`item_shares` — share of programmes addressing each item, per election and municipality.

Ids stay strings throughout ("1.1" must never become the float 1.1), and items and themes are
ordered as in the checklist the run used.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .checklist import Checklist, ChecklistError, load_checklist
from .programmes import DETAIL_COLUMNS, METADATA_COLUMNS
from .records import VERDICTS
from .reviews import REVIEW_COLUMNS
from .spreadsheet import restore

log = logging.getLogger(__name__)

# One palette for every output (HTML, XLSX, PNG), so a colour means the same everywhere.
VERDICT_COLOURS = {"addressed": "#1a9850", "partial": "#fee08b", "contrary": "#d73027", "absent": "#e8e8e8"}
PROGRAMME_COLUMNS = ("document", *METADATA_COLUMNS)
GROUP_COLUMNS = ("election", "municipality")

_TEXT_COLUMNS = (
    "document",
    "item_id",
    "theme_id",
    "verdict",
    "evidence_quote",
    "municipality",
    "party",
    "election",
    "section",
    "quote",
    "signals",
    "message",
    "page_label",
    *DETAIL_COLUMNS,
    *REVIEW_COLUMNS,
)


@dataclass
class Results:
    """The tables of one output folder, with the checklist they were scored against.

    ``items`` has one row per checklist item in checklist order (``item_id, theme_id, theme,
    text, parent``); ``themes`` one row per theme (``theme_id, theme``).  ``details`` has one
    row per programme with ``document`` and ``DETAIL_COLUMNS`` (status, date, url, where the
    party name came from, content hash, path), empty for output folders older than it.
    ``paragraphs`` is read on first use because it is by far the largest file and most views
    never need it.  ``paths`` are the output folders read; ``run`` is the first one's run.json.
    """

    path: Path
    verdicts: pd.DataFrame
    evidence: pd.DataFrame
    failures: pd.DataFrame
    run: dict
    items: pd.DataFrame
    themes: pd.DataFrame
    details: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["document", *DETAIL_COLUMNS]))
    paths: tuple[Path, ...] = ()
    _paragraphs: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def paragraphs(self) -> pd.DataFrame:
        if self._paragraphs is None:
            frames = [_read_paragraphs(path / "paragraphs.jsonl") for path in self.paths or (self.path,)]
            paragraphs = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
            self._paragraphs = paragraphs.drop_duplicates(ignore_index=True) if len(frames) > 1 else paragraphs
        return self._paragraphs

    @property
    def programmes(self) -> pd.DataFrame:
        """One row per programme: ``document``, metadata and detail columns and a display ``label``.

        The label is the party's name; two programmes of one party in one election and
        municipality (a concept and a final version, a PDF and a web version) get what tells
        them apart after it, so a report never shows two identical headers.
        """
        rows = self.verdicts.loc[:, list(PROGRAMME_COLUMNS)].drop_duplicates("document").reset_index(drop=True)
        rows = rows.merge(self.details.drop_duplicates("document"), on="document", how="left")
        rows[list(DETAIL_COLUMNS)] = rows[list(DETAIL_COLUMNS)].fillna("").astype(str)
        rows["label"] = [party or Path(doc).stem for party, doc in zip(rows["party"], rows["document"], strict=True)]
        for _, same in rows.groupby([*GROUP_COLUMNS, "label"]):
            if len(same) > 1:
                rows.loc[same.index, "label"] = [
                    f"{label} ({_distinction(row, same)})"
                    for label, row in zip(same["label"], same.itertuples(index=False), strict=True)
                ]
        return rows

    def changes(self) -> pd.DataFrame:
        """What changed per party between elections and between versions (``compare.changes``)."""
        from .compare import changes

        return changes(self)

    def groups(self) -> list[tuple[str, str]]:
        """The (election, municipality) pairs present, sorted; a national election has municipality ''."""
        pairs = self.verdicts.loc[:, list(GROUP_COLUMNS)].drop_duplicates()
        return sorted(map(tuple, pairs.itertuples(index=False)))

    def subset(self, election: str, municipality: str) -> Results:
        """The results of one election in one municipality (all tables filtered alike)."""
        keep = (self.verdicts["election"] == election) & (self.verdicts["municipality"] == municipality)
        documents = set(self.verdicts.loc[keep, "document"])
        return Results(
            self.path,
            self.verdicts[keep].reset_index(drop=True),
            self.evidence[self.evidence["document"].isin(documents)].reset_index(drop=True),
            self.failures,
            self.run,
            self.items,
            self.themes,
            self.details[self.details["document"].isin(documents)].reset_index(drop=True),
            self.paths,
        )


def _distinction(row, same: pd.DataFrame) -> str:
    """What tells one programme apart from others with the same label: its status, else its file name."""
    statuses = same["status"]
    if statuses.nunique() == len(same) and statuses.ne("").all():
        return row.status
    return Path(row.document).name


def group_label(election: str, municipality: str) -> str:
    """How a group is named in reports: 'Lindewaard (GR2026)', or 'TK2025' for a national election."""
    return f"{municipality} ({election.upper()})" if municipality else election.upper()


def load_results(out_dirs: str | Path | Sequence[str | Path], checklist: str | Path | None = None) -> Results:
    """Read one or several output folders written by ``programmacheck scan`` as one set of tables.

    The checklist gives item texts, theme titles and order: ``checklist`` if given, else the file
    named in the first ``run.json`` (if it still exists), else the bundled default.  Items found
    in the verdicts but not in that checklist are kept, with empty text, so nothing silently
    disappears.  Folders scored against different checklists cannot be loaded as one; a
    programme found in several folders is kept once if its verdicts agree, and is an error if
    they do not (load those folders apart to compare them).
    """
    folders = [Path(out_dirs)] if isinstance(out_dirs, str | Path) else [Path(d) for d in out_dirs]
    if not folders:
        raise ValueError("load_results needs at least one output folder")
    loaded = [_load_folder(folder) for folder in folders]
    first = loaded[0]
    checklists = {(r.run.get("checklist") or {}).get("sha256") for r in loaded} - {None, ""}
    if len(checklists) > 1:
        raise ValueError(f"{', '.join(map(str, folders))}: scored against different checklists; load them apart")
    verdicts, evidence, details = _merge(
        [r.verdicts for r in loaded], [r.evidence for r in loaded], [r.details for r in loaded], folders
    )
    failures = pd.concat([r.failures for r in loaded], ignore_index=True).drop_duplicates(ignore_index=True)
    items, themes = _checklist_tables(_find_checklist(first.run, checklist), verdicts)
    return Results(first.path, verdicts, evidence, failures, first.run, items, themes, details, tuple(folders))


def _merge(
    verdicts: list[pd.DataFrame], evidence: list[pd.DataFrame], details: list[pd.DataFrame], folders: list[Path]
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The tables of several folders as one; a programme in more than one is kept from the first."""
    if len(folders) == 1:
        return verdicts[0], evidence[0], details[0]
    seen: dict[str, tuple[Path, pd.DataFrame]] = {}
    keep_verdicts, keep_evidence, keep_details = [], [], []
    for folder, v, e, d in zip(folders, verdicts, evidence, details, strict=True):
        cells = {
            doc: frame[["item_id", "verdict"]].sort_values("item_id").reset_index(drop=True)
            for doc, frame in v.groupby("document")
        }
        for document, frame in cells.items():
            if document in seen and not seen[document][1].equals(frame):
                raise ValueError(
                    f"{document}: in {seen[document][0]} and {folder} with different verdicts; load those folders apart"
                )
        new = [doc for doc in cells if doc not in seen]
        seen.update({doc: (folder, cells[doc]) for doc in new})
        keep_verdicts.append(v[v["document"].isin(new)])
        keep_evidence.append(e[e["document"].isin(new)])
        keep_details.append(d[d["document"].isin(new)])
    return tuple(pd.concat(frames, ignore_index=True) for frames in (keep_verdicts, keep_evidence, keep_details))


def _load_folder(path: Path) -> Results:
    """The tables of one output folder, without the checklist tables."""
    if not (path / "verdicts.csv").is_file():
        raise FileNotFoundError(f"{path}: no verdicts.csv here; is this a programmacheck output folder?")
    run_file = path / "run.json"
    run = json.loads(run_file.read_text(encoding="utf-8")) if run_file.is_file() else {}
    verdicts = _read_csv(path / "verdicts.csv")
    for column in REVIEW_COLUMNS:
        if column not in verdicts.columns:  # written before reviews: every verdict is the tool's, unreviewed
            verdicts[column] = verdicts["verdict"] if column == "verdict_tool" else ""
    verdicts["score"] = pd.to_numeric(verdicts["score"], errors="coerce")
    verdicts["evidence_page"] = pd.to_numeric(verdicts["evidence_page"], errors="coerce").astype("Int64")
    verdicts["year"] = pd.to_numeric(verdicts["year"], errors="coerce").astype("Int64")
    evidence = _read_csv(path / "evidence.csv")
    if "page_label" not in evidence.columns:  # written before printed page labels were
        evidence["page_label"] = ""
    for column in ("rank", "page"):
        evidence[column] = pd.to_numeric(evidence[column], errors="coerce").astype("Int64")
    evidence["score"] = pd.to_numeric(evidence["score"], errors="coerce")
    failures_file = path / "failures.csv"
    failures = _read_csv(failures_file) if failures_file.is_file() else pd.DataFrame(columns=["document", "message"])
    details_file = path / "programmes.csv"
    details = _read_csv(details_file) if details_file.is_file() else pd.DataFrame(columns=["document"])
    details = details.reindex(columns=["document", *DETAIL_COLUMNS], fill_value="")
    empty = pd.DataFrame()
    return Results(path, verdicts, evidence, failures, run, empty, empty, details, (path,))


def _read_csv(file: Path) -> pd.DataFrame:
    """A CSV with every text column as str and empty cells as '' (not NaN), so ids stay ids."""
    frame = pd.read_csv(file, dtype=str, keep_default_na=False).map(restore)  # see spreadsheet.py
    return frame.astype({c: str for c in frame.columns if c in _TEXT_COLUMNS})


def _read_paragraphs(file: Path) -> pd.DataFrame:
    columns = ["document", "page", "section", "text", "kind", "ocr", "matchable"]
    if not file.is_file() or file.stat().st_size == 0:
        return pd.DataFrame(columns=columns)
    return pd.read_json(file, lines=True, dtype={"document": str, "section": str, "text": str})


def _find_checklist(run: dict, given: str | Path | None) -> Checklist | None:
    candidates = [given] if given is not None else [(run.get("checklist") or {}).get("path"), None]
    for candidate in candidates:
        if candidate is not None and not Path(candidate).is_file():
            continue
        try:
            return load_checklist(candidate).checklist
        except ChecklistError as exc:
            log.warning("cannot read checklist: %s", exc)
    return None


def _checklist_tables(checklist: Checklist | None, verdicts: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Items and themes in checklist order, plus any item or theme only the verdicts know."""
    items = (
        [
            {
                "item_id": i.id,
                "theme_id": i.theme,
                "theme": checklist.theme_title(i.theme),
                "text": i.text,
                "parent": i.parent or "",
            }
            for i in checklist.items
        ]
        if checklist
        else []
    )
    known = {i["item_id"] for i in items}
    titles = {t.id: t.title for t in checklist.themes} if checklist else {}
    for item_id, theme_id in verdicts[["item_id", "theme_id"]].drop_duplicates().itertuples(index=False):
        if item_id not in known:
            known.add(item_id)
            items.append(
                {
                    "item_id": item_id,
                    "theme_id": theme_id,
                    "theme": titles.get(theme_id, theme_id),
                    "text": "",
                    "parent": "",
                }
            )
    items_frame = pd.DataFrame(items, columns=["item_id", "theme_id", "theme", "text", "parent"])
    themes_frame = items_frame[["theme_id", "theme"]].drop_duplicates("theme_id").reset_index(drop=True)
    return items_frame, themes_frame


def item_order(results: Results) -> list[str]:
    return list(results.items["item_id"])


def verdict_matrix(results: Results, value: str = "verdict") -> pd.DataFrame:
    """Programme × item: index ``document``, one column per item id (checklist order).

    ``value`` is ``"verdict"`` (the label) or ``"score"`` (P(addressed) + ½·P(partial)).
    """
    if value not in ("verdict", "score"):
        raise ValueError(f"value must be 'verdict' or 'score', not {value!r}")
    documents = list(results.programmes["document"])
    matrix = results.verdicts.pivot(index="document", columns="item_id", values=value)
    columns = [i for i in item_order(results) if i in matrix.columns]
    return matrix.reindex(index=documents, columns=columns).rename_axis(columns=None)


def theme_coverage(results: Results) -> pd.DataFrame:
    """Programme × theme, one row each: item count, count per verdict, shares addressed and partial."""
    frame = results.verdicts.merge(results.themes, on="theme_id", how="left")
    counts = pd.crosstab([frame["document"], frame["theme_id"]], frame["verdict"])
    counts = counts.reindex(columns=list(VERDICTS), fill_value=0)
    counts["items"] = counts.sum(axis=1)
    counts = counts.reset_index()
    counts["share_addressed"] = counts["addressed"] / counts["items"]
    counts["share_partial"] = counts["partial"] / counts["items"]
    table = results.programmes.merge(counts, on="document").merge(results.themes, on="theme_id")
    order = {t: n for n, t in enumerate(results.themes["theme_id"])}
    programme_order = {d: n for n, d in enumerate(results.programmes["document"])}
    table = table.sort_values(
        ["document", "theme_id"], key=lambda s: s.map(programme_order if s.name == "document" else order)
    )
    columns = [*PROGRAMME_COLUMNS, "label", "theme_id", "theme", "items", *VERDICTS, "share_addressed", "share_partial"]
    return table.loc[:, columns].reset_index(drop=True)


def item_parties(results: Results) -> pd.DataFrame:
    """Per (election, municipality) and item: programmes, and which parties address it or partly do.

    Party lists are in programme order, joined by '; ' so the table stays flat for CSV and Excel.
    """
    labelled = results.verdicts.merge(results.programmes[["document", "label"]], on="document")
    rows = []
    for (election, municipality), group in labelled.groupby(list(GROUP_COLUMNS), sort=True):
        for item_id in item_order(results):
            item_rows = group[group["item_id"] == item_id]
            if item_rows.empty:
                continue
            by_verdict = {v: "; ".join(item_rows.loc[item_rows["verdict"] == v, "label"]) for v in VERDICTS[:3]}
            rows.append(
                {
                    "election": election,
                    "municipality": municipality,
                    "item_id": item_id,
                    "programmes": len(item_rows),
                    "addressed": int((item_rows["verdict"] == "addressed").sum()),
                    "addressed_by": by_verdict["addressed"],
                    "partial_by": by_verdict["partial"],
                    "contrary_by": by_verdict["contrary"],
                }
            )
    table = pd.DataFrame(
        rows,
        columns=[
            "election",
            "municipality",
            "item_id",
            "programmes",
            "addressed",
            "addressed_by",
            "partial_by",
            "contrary_by",
        ],
    )
    return table.merge(results.items[["item_id", "theme_id", "theme", "text"]], on="item_id", how="left")


def gaps(results: Results) -> pd.DataFrame:
    """Items that no programme of a municipality (in an election) addresses.

    A gap is an item no party addresses, whatever partial or contrary mentions it has.
    ``mentioned`` is False for the starker gaps no party mentions at all, and ``partial_by`` and
    ``contrary_by`` say who does touch on the others: a gap nobody mentions is a different message
    to take to candidates than one several parties half-cover.
    """
    table = item_parties(results)
    table = table[table["addressed"] == 0].drop(columns=["addressed", "addressed_by"]).reset_index(drop=True)
    table.insert(
        table.columns.get_loc("partial_by"), "mentioned", (table["partial_by"] != "") | (table["contrary_by"] != "")
    )
    return table


def item_shares(results: Results, by: tuple[str, ...] = GROUP_COLUMNS) -> pd.DataFrame:
    """Share of programmes addressing each item, per group (default: election × municipality).

    ``share_mentioned`` counts every verdict but ``absent``. Pass ``by=("election",)`` to pool
    municipalities, or ``by=()`` for one share over all programmes.
    """
    frame = results.verdicts.assign(
        addressed=results.verdicts["verdict"].eq("addressed"), mentioned=results.verdicts["verdict"].ne("absent")
    )
    keys = [*by, "item_id"]
    table = (
        frame.groupby(keys, sort=False)
        .agg(programmes=("document", "nunique"), addressed=("addressed", "sum"), mentioned=("mentioned", "sum"))
        .reset_index()
    )
    table["share_addressed"] = table["addressed"] / table["programmes"]
    table["share_mentioned"] = table["mentioned"] / table["programmes"]
    order = {i: n for n, i in enumerate(item_order(results))}
    table = table.sort_values([*by, "item_id"], key=lambda s: s.map(order) if s.name == "item_id" else s)
    return table.merge(results.items[["item_id", "theme_id", "theme"]], on="item_id", how="left").reset_index(drop=True)


def tidy_verdicts(results: Results) -> pd.DataFrame:
    """One row per programme × item with item text and theme title: the table for pandas and R."""
    table = results.verdicts.merge(
        results.items[["item_id", "theme", "text"]].rename(columns={"text": "item_text"}), on="item_id", how="left"
    )
    columns = [
        *PROGRAMME_COLUMNS,
        "item_id",
        "theme_id",
        "theme",
        "item_text",
        "verdict",
        "score",
        "evidence_page",
        "evidence_quote",
        *REVIEW_COLUMNS,
    ]
    return table.loc[:, columns]


def tidy_evidence(results: Results) -> pd.DataFrame:
    """One row per evidence quote, with the programme's metadata and the cell's verdict."""
    keys = results.verdicts[[*PROGRAMME_COLUMNS, "item_id", "verdict"]]
    table = results.evidence.merge(keys, on=["document", "item_id"], how="left")
    columns = [
        *PROGRAMME_COLUMNS,
        "item_id",
        "verdict",
        "rank",
        "page",
        "page_label",
        "section",
        "quote",
        "score",
        "signals",
    ]
    return table.loc[:, columns]

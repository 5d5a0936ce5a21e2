"""What changed between two programmes of one party: across elections, or between versions.

Researchers put GR2022 next to GR2026 (or TK2021, TK2023 and TK2025 side by side); advocacy staff
want to know whether a final programme kept what the concept promised.  Both are the same
question: per municipality (or nationally) and party, which checklist items did the later
programme gain, lose, strengthen or weaken, with the quotes of both.

* :func:`programme_pairs` — which programmes to compare: each party's programmes of consecutive
  elections of one kind (``gr`` with ``gr``, ``tk`` with ``tk``; the final version where there is
  one), and within an election every concept with the final version;
* :func:`changes` — one row per pair and item whose verdict changed, with both verdicts, scores,
  pages and first quotes;
* :func:`change_counts` — per pair, how many items were gained, lost, strengthened, weakened.

Parties are matched by name, compared without case and punctuation.  Nationally, parties that
merged or were renamed continue under their successor's name (``NATIONAL_SUCCESSORS``); locally
they are not, since a merger in The Hague is not one in every town hall.
"""

from __future__ import annotations

import re

import pandas as pd

from .programmes import CONCEPT
from .results import Results

#: How strongly a verdict supports an item; a change between two is a strengthening or a weakening.
STRENGTH = {"contrary": -1, "absent": 0, "partial": 1, "addressed": 2}
CHANGES = ("gained", "lost", "strengthened", "weakened")
#: National parties that continue under another name (keys as :func:`party_key` writes them).
NATIONAL_SUCCESSORS = {
    "groenlinks": "groenlinks-pvda",
    "pvda": "groenlinks-pvda",
    "gl-pvda": "groenlinks-pvda",
    "cu": "christenunie",
}
PAIR_COLUMNS = (
    "kind",
    "municipality",
    "party",
    "before_election",
    "after_election",
    "before_document",
    "after_document",
    "before_label",
    "after_label",
)
_SIDE_COLUMNS = ("verdict", "score", "page", "page_label", "quote", "section")


def party_key(party: str, municipality: str) -> str:
    """The name a party is matched by across elections: lower case, words joined by '-'."""
    key = re.sub(r"[^0-9a-z]+", "-", party.casefold()).strip("-")
    return NATIONAL_SUCCESSORS.get(key, key) if not municipality else key


def _election_kind(election: str) -> str:
    return re.sub(r"\d+", "", election)


def programme_pairs(results: Results) -> pd.DataFrame:
    """The pairs of programmes to compare (``PAIR_COLUMNS``), earlier first.

    ``kind`` is ``election`` (the same party in consecutive elections) or ``version`` (a concept
    and the final programme of one election).  ``party`` is the later programme's label.
    """
    programmes = results.programmes.assign(
        key=lambda f: [
            party_key(p or label, m) for p, label, m in zip(f["party"], f["label"], f["municipality"], strict=True)
        ],
        kind=lambda f: f["election"].map(_election_kind),
        concept=lambda f: f["status"] == CONCEPT,
    )
    programmes = programmes[programmes["election"] != ""]
    pairs = []
    for _, party in programmes.groupby(["municipality", "kind", "key"], sort=True):
        elections = sorted(
            party["election"].unique(), key=lambda e: (party.loc[party["election"] == e, "year"].min(), e)
        )
        chosen = {}
        for election in elections:
            same = party[party["election"] == election]
            finals, concepts = same[~same["concept"]], same[same["concept"]]
            chosen[election] = (finals if not finals.empty else concepts).iloc[0]
            if not finals.empty:
                pairs += [("version", c, finals.iloc[0]) for _, c in concepts.iterrows()]
        pairs += [("election", chosen[a], chosen[b]) for a, b in zip(elections, elections[1:])]
    rows = [
        {
            "kind": kind,
            "municipality": after["municipality"],
            "party": after["label"],
            "before_election": before["election"],
            "after_election": after["election"],
            "before_document": before["document"],
            "after_document": after["document"],
            "before_label": before["label"],
            "after_label": after["label"],
        }
        for kind, before, after in pairs
    ]
    return pd.DataFrame(rows, columns=list(PAIR_COLUMNS))


def change(before: str, after: str) -> str:
    """'gained' (absent → mentioned in support), 'lost' (the reverse), else 'strengthened' or
    'weakened' by :data:`STRENGTH` (so absent → contrary is a weakening); '' when equal."""
    if before == after:
        return ""
    if before == "absent" and STRENGTH[after] > 0:
        return "gained"
    if after == "absent" and STRENGTH[before] > 0:
        return "lost"
    return "strengthened" if STRENGTH[after] > STRENGTH[before] else "weakened"


def changes(results: Results, pairs: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per compared pair and item whose verdict changed: the pair (``PAIR_COLUMNS``), the
    item (``item_id, theme_id, text``), ``change``, and ``before_``/``after_`` verdict, score, page,
    printed page label, quote and section (the first evidence quote of each)."""
    pairs = programme_pairs(results) if pairs is None else pairs
    first = results.evidence[results.evidence["rank"] == 1][
        ["document", "item_id", "page", "page_label", "section", "quote"]
    ]
    cells = results.verdicts[["document", "item_id", "verdict", "score"]].merge(
        first, on=["document", "item_id"], how="left"
    )
    sides = {
        side: cells.rename(columns={"document": f"{side}_document", **{c: f"{side}_{c}" for c in _SIDE_COLUMNS}})
        for side in ("before", "after")
    }
    table = pairs.merge(sides["before"], on="before_document").merge(sides["after"], on=["after_document", "item_id"])
    table["change"] = [change(b, a) for b, a in zip(table["before_verdict"], table["after_verdict"], strict=True)]
    table = table[table["change"] != ""]
    table = table.merge(results.items[["item_id", "theme_id", "text"]], on="item_id", how="left")
    order = {item: n for n, item in enumerate(results.items["item_id"])}
    table = table.sort_values(
        ["municipality", "party", "after_election", "before_election", "item_id"],
        key=lambda s: s.map(order) if s.name == "item_id" else s,
        kind="stable",
    )
    side_columns = [f"{side}_{c}" for c in _SIDE_COLUMNS for side in ("before", "after")]
    for column in (f"{side}_{c}" for side in ("before", "after") for c in ("page_label", "section", "quote")):
        table[column] = table[column].fillna("")
    return table.loc[:, [*PAIR_COLUMNS, "item_id", "theme_id", "text", "change", *side_columns]].reset_index(drop=True)


def change_counts(results: Results, pairs: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per compared pair (``PAIR_COLUMNS``): how many items were gained, lost, strengthened, weakened,
    and ``before_mentioned``/``after_mentioned``, how many items each programme mentions at all.

    A programme that mentions nothing is more likely unread (a scan, a broken text layer) than
    silent on everything; reports warn, since all its 'lost' items would then be no change at all.
    """
    pairs = programme_pairs(results) if pairs is None else pairs
    found = changes(results, pairs)
    tally = found.groupby(["before_document", "after_document", "change"]).size().unstack(fill_value=0)
    tally = tally.reindex(columns=list(CHANGES), fill_value=0).reset_index()
    table = pairs.merge(tally, on=["before_document", "after_document"], how="left")
    table[list(CHANGES)] = table[list(CHANGES)].fillna(0).astype(int)
    mentioned = results.verdicts["verdict"].ne("absent").groupby(results.verdicts["document"]).sum()
    for side in ("before", "after"):
        table[f"{side}_mentioned"] = table[f"{side}_document"].map(mentioned).fillna(0).astype(int)
    return table

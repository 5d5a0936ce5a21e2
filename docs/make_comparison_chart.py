"""Draw the README's chart of how parties' programmes changed across TK2021, TK2023 and TK2025.

    python docs/make_comparison_chart.py OUT_DIR   # an output folder of a scan of the three elections

writes docs/comparison-tk.png: one row per party present in more than one of the elections, one
panel per pair of consecutive elections it was in, and per row the number of checklist items its
later programme gained and strengthened (right of zero) and lost and weakened (left of zero).
Made with ``programmacheck.compare.programme_pairs`` and ``change_counts``, so it reads only the
verdicts and their changes: no programme text or quote is drawn, and the chart may be committed
even for real programmes.  Parties are matched as the comparison matches them (GroenLinks and the
PvdA continue as GroenLinks-PvdA).
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.patches import Patch

from programmacheck.compare import CHANGES, change_counts, party_key, programme_pairs
from programmacheck.results import Results, load_results

REPO = Path(__file__).resolve().parent.parent
CHART = REPO / "docs" / "comparison-tk.png"
TK_ELECTIONS = ("tk2021", "tk2023", "tk2025")
#: Okabe-Ito colours (told apart with colour blindness) and a hatch each, so no change relies on colour.
STYLE = {
    "gained": ("#0072B2", ""),
    "strengthened": ("#56B4E9", "///"),
    "lost": ("#D55E00", ""),
    "weakened": ("#E69F00", "\\\\\\"),
}
SIDE = {"gained": 1, "strengthened": 1, "lost": -1, "weakened": -1}
WIDTH_PX, DPI = 1400, 140
TOP_IN, BOTTOM_IN, ROW_IN = 0.85, 1.15, 0.3  # margins for titles, for axis label, legend and note; per party


def keep_elections(results: Results, elections: tuple[str, ...]) -> Results:
    """The results of the programmes of these elections only (all tables filtered alike)."""
    keep = results.verdicts["election"].isin(elections)
    documents = set(results.verdicts.loc[keep, "document"])
    return replace(
        results,
        verdicts=results.verdicts[keep].reset_index(drop=True),
        evidence=results.evidence[results.evidence["document"].isin(documents)].reset_index(drop=True),
        details=results.details[results.details["document"].isin(documents)].reset_index(drop=True),
    )


def comparison_counts(results: Results, elections: tuple[str, ...] = TK_ELECTIONS) -> pd.DataFrame:
    """``change_counts`` of each party's programmes in consecutive ones of ``elections`` (no concept
    versus final pairs), with ``row``: the party's name in its latest programme (after its
    municipality, if local), the same for all its pairs."""
    kept = keep_elections(results, elections)
    pairs = programme_pairs(kept)
    pairs = pairs[pairs["kind"] == "election"].reset_index(drop=True)
    counts = change_counts(kept, pairs)
    programmes = kept.programmes.set_index("document")
    names = [(programmes.at[doc, "party"] or programmes.at[doc, "label"]) for doc in counts["after_document"]]
    counts["key"] = [f"{m}/{party_key(n, m)}" for n, m in zip(names, counts["municipality"], strict=True)]
    latest = counts.assign(name=names).sort_values("after_election", key=lambda s: s.map(elections.index))
    row = {
        key: (f"{m}: {n}" if m else n)
        for key, m, n in zip(latest["key"], latest["municipality"], latest["name"], strict=True)
    }
    counts["row"] = counts["key"].map(row)
    return counts.drop(columns="key")


def draw_comparison(
    results: Results, png: str | Path = CHART, elections: tuple[str, ...] = TK_ELECTIONS
) -> pd.DataFrame:
    """Draw the chart of ``comparison_counts`` into ``png``; return the counts as drawn (``row,
    before_election, after_election`` and one column per change), read back from the bars."""
    counts = comparison_counts(results, elections)
    if counts.empty:
        raise SystemExit(f"no party has programmes in more than one of {', '.join(e.upper() for e in elections)}")
    order = {e: n for n, e in enumerate(elections)}
    transitions = sorted(
        {(b, a) for b, a in zip(counts["before_election"], counts["after_election"], strict=True)},
        key=lambda t: (order[t[1]] - order[t[0]], order[t[0]]),
    )
    rows = sorted(counts["row"].unique(), key=str.casefold)
    present = {row: set(same["before_election"]) | set(same["after_election"]) for row, same in counts.groupby("row")}
    reach = max(
        1,
        int(max(counts[["gained", "strengthened"]].sum(axis=1).max(), counts[["lost", "weakened"]].sum(axis=1).max())),
    )
    width, height = WIDTH_PX / DPI, TOP_IN + BOTTOM_IN + ROW_IN * max(len(rows), 3)
    figure, axes = plt.subplots(1, len(transitions), figsize=(width, height), sharey=True, squeeze=False)
    figure.subplots_adjust(
        left=(0.25 + 0.062 * max(map(len, rows))) / width,
        right=0.985,
        top=1 - TOP_IN / height,
        bottom=BOTTOM_IN / height,
        wspace=0.06,
    )
    drawn = []
    for ax, (before, after) in zip(axes[0], transitions, strict=True):
        shown = counts[(counts["before_election"] == before) & (counts["after_election"] == after)].set_index("row")
        for y, row in enumerate(rows):
            if row not in shown.index:  # compared through the elections between, or not in both
                between = [e.upper() for e in elections[order[before] + 1 : order[after]] if e in present[row]]
                ax.text(
                    0,
                    y,
                    f"via {', '.join(between)}"
                    if before in present[row] and after in present[row] and between
                    else "not in both",
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="#666666",
                    style="italic",
                    bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none"},
                )
                continue
            pair = shown.loc[row]
            start = {1: 0, -1: 0}
            for name in ("gained", "strengthened", "lost", "weakened"):
                side, n = SIDE[name], int(pair[name])
                colour, hatch = STYLE[name]
                bar = ax.barh(
                    y,
                    side * n,
                    left=start[side],
                    height=0.7,
                    color=colour,
                    hatch=hatch,
                    edgecolor="white",
                    linewidth=0.5,
                    label=name,
                    gid=f"{row}|{before}|{after}|{name}",
                )
                drawn.append(
                    {
                        "row": row,
                        "before_election": before,
                        "after_election": after,
                        "change": name,
                        "count": abs(bar.patches[0].get_width()),
                    }
                )
                if n:
                    ax.text(
                        start[side] + side * n / 2,
                        y,
                        str(n),
                        ha="center",
                        va="center",
                        fontsize=7,
                        bbox={"boxstyle": "round,pad=0.12", "facecolor": "white", "edgecolor": "none", "alpha": 0.85},
                    )
                start[side] += side * n
            if not (pair["before_mentioned"] and pair["after_mentioned"]):
                ax.text(reach + 0.5, y, "!", ha="left", va="center", fontsize=8, weight="bold")
        ax.axvline(0, color="#333333", linewidth=0.8)
        ax.set_xlim(-reach - 1, reach + 1.5)
        ax.set_title(f"{before.upper()} → {after.upper()}", fontsize=10)
        ax.set_xlabel("← lost, weakened · gained, strengthened →", fontsize=8)
        ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda x, _: f"{abs(int(x))}"))
        ax.tick_params(labelsize=8)
        ax.grid(axis="x", color="#dddddd", linewidth=0.5)
        ax.set_axisbelow(True)
    axes[0][0].set_yticks(range(len(rows)), rows, fontsize=8)
    axes[0][0].set_ylim(len(rows) - 0.5, -0.5)
    figure.suptitle(
        f"Checklist items each party's programme gained, lost, strengthened or weakened "
        f"({' → '.join(e.upper() for e in elections)})",
        fontsize=11,
        y=1 - 0.12 / height,
    )
    legend = ("weakened", "lost", "gained", "strengthened")  # as the bars lie, left to right
    figure.legend(
        handles=[Patch(facecolor=STYLE[c][0], hatch=STYLE[c][1], edgecolor="white", label=c) for c in legend],
        loc="center",
        bbox_to_anchor=(0.5, 0.42 / height),
        ncol=len(legend),
        fontsize=8,
        frameon=False,
    )
    note = f"Counts of the {len(results.items)} checklist items whose verdict changed; parties in more than one election only."
    if any(~(counts["before_mentioned"].astype(bool) & counts["after_mentioned"].astype(bool))):
        note += "  ! = one programme mentions no item (likely unread), so its changes are suspect."
    figure.text(0.5, 0.14 / height, note, ha="center", va="center", fontsize=7, color="#555555")
    figure.savefig(png, dpi=DPI)
    plt.close(figure)
    table = pd.DataFrame(drawn)
    return (
        table.pivot_table(index=["row", "before_election", "after_election"], columns="change", values="count")
        .reindex(columns=list(CHANGES))
        .astype(int)
        .reset_index()
        .rename_axis(columns=None)
    )


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage:", __doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    drawn = draw_comparison(load_results(argv[0]))
    print(f"{CHART}: {drawn['row'].nunique()} parties, {len(drawn)} pairs of programmes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""A PNG heatmap of verdicts (items × programmes) for slides and papers.

Uses matplotlib's Agg backend, so it runs on servers and in CI without a display.  Colours are
the palette every report shares (:data:`programmacheck.results.VERDICT_COLOURS`); horizontal
rules separate the checklist's themes.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402 - the backend must be chosen before pyplot loads
from matplotlib.colors import ListedColormap  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from .html_report import group_file, ui_strings  # noqa: E402
from .records import VERDICTS  # noqa: E402
from .results import VERDICT_COLOURS, Results, group_label, verdict_matrix  # noqa: E402


def heatmap_figure(results: Results, title: str, lang: str = "nl") -> plt.Figure:
    """Items (rows, checklist order) × programmes (columns), one colour per verdict."""
    text = ui_strings(lang)
    matrix = verdict_matrix(results).T
    codes = matrix.apply(lambda column: column.map({v: n for n, v in enumerate(VERDICTS)})).to_numpy(dtype=float)
    labels = results.programmes.set_index("document").loc[matrix.columns, "label"]
    width = 3.5 + 0.55 * len(labels)
    height = 1.8 + 0.22 * len(matrix.index)
    figure, axes = plt.subplots(figsize=(width, height), dpi=150, layout="constrained")
    axes.imshow(
        codes,
        cmap=ListedColormap([VERDICT_COLOURS[v] for v in VERDICTS]),
        vmin=-0.5,
        vmax=len(VERDICTS) - 0.5,
        aspect="auto",
        interpolation="nearest",
    )
    axes.set_xticks(range(len(labels)), labels=list(labels), rotation=45, ha="left", fontsize=8)
    axes.xaxis.tick_top()
    axes.set_yticks(range(len(matrix.index)), labels=list(matrix.index), fontsize=7)
    themes = results.items.set_index("item_id").loc[matrix.index, "theme_id"].tolist()
    for row in range(1, len(themes)):
        if themes[row] != themes[row - 1]:
            axes.axhline(row - 0.5, color="black", linewidth=0.8)
    axes.set_xticks([x - 0.5 for x in range(1, len(labels))], minor=True)
    axes.grid(which="minor", axis="x", color="white", linewidth=1)
    axes.tick_params(which="minor", length=0)
    axes.set_title(title, fontsize=10, pad=8)
    figure.legend(
        handles=[Patch(color=VERDICT_COLOURS[v], label=text[v]) for v in VERDICTS],
        loc="outside lower center",
        ncols=len(VERDICTS),
        fontsize=8,
        frameon=False,
    )
    return figure


def write_png(results: Results, out: Path, lang: str = "nl") -> list[Path]:
    """One heatmap PNG per (election, municipality), named like its HTML report."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for election, municipality in results.groups():
        figure = heatmap_figure(results.subset(election, municipality), group_label(election, municipality), lang)
        file = out / group_file(election, municipality).replace(".html", ".png")
        figure.savefig(file)
        plt.close(figure)
        written.append(file)
    return written

"""Self-contained HTML reports: one per municipality (and election), plus an overview.

Each file inlines its CSS and JavaScript (``templates/report.css``, ``templates/report.js``) and
loads nothing from the network, so it can be mailed around and opened offline.  A report shows

* a heatmap of checklist items (grouped by theme) × parties; clicking a cell shows that cell's
  evidence quotes with their page and a link to the source page;
* per-theme bars (share of items addressed and partially addressed per party);
* the gap list: items no party addresses.

The overview shows, per item, how many programmes address it in each municipality, and links
to the municipality reports.  Every piece of text from a programme, checklist or file name goes
through :func:`html.escape`.
"""

from __future__ import annotations

import os
import re
from html import escape
from importlib.resources import files
from pathlib import Path
from urllib.parse import quote

import pandas as pd

from .results import VERDICT_COLOURS, VERDICTS, Results, gaps, group_label, item_shares, theme_coverage

OVERVIEW_FILE = "index.html"
SYMBOLS = {"addressed": "●", "partial": "◐", "contrary": "✗", "absent": "·"}

UI_STRINGS = {
    "nl": {
        "title": "Programmacheck", "overview": "Overzicht", "back": "← Overzicht",
        "matrix": "Per punt en partij", "matrix_hint": "Klik op een vakje om de citaten uit het programma te zien.",
        "item": "Punt", "themes": "Per thema", "themes_hint": "Aandeel punten behandeld (donker) en gedeeltelijk (licht).",
        "gaps": "Gaten", "gaps_hint": "Punten die geen enkele partij behandelt.",
        "no_gaps": "Geen: elk punt wordt door ten minste één partij behandeld.",
        "partial_by": "gedeeltelijk", "contrary_by": "strijdig", "nobody": "door niemand genoemd",
        "legend": "Legenda", "addressed": "behandeld", "partial": "gedeeltelijk", "contrary": "strijdig",
        "absent": "afwezig", "score": "score", "page": "p.", "no_evidence": "Geen passage gevonden.",
        "programmes": "programma's", "municipalities": "Gemeenten en verkiezingen",
        "shares": "Aandeel programma's dat elk punt behandelt", "failures": "Niet gelezen",
        "checklist": "Checklist", "generated": "Resultaten van", "select_hint": "Kies een vakje in de tabel.",
        "gap_count": "gaten",
    },
    "en": {
        "title": "Programmacheck", "overview": "Overview", "back": "← Overview",
        "matrix": "By item and party", "matrix_hint": "Click a cell to see the quotes from the programme.",
        "item": "Item", "themes": "By theme", "themes_hint": "Share of items addressed (dark) and partially addressed (light).",
        "gaps": "Gaps", "gaps_hint": "Items no party addresses.",
        "no_gaps": "None: every item is addressed by at least one party.",
        "partial_by": "partial", "contrary_by": "contrary", "nobody": "mentioned by nobody",
        "legend": "Legend", "addressed": "addressed", "partial": "partial", "contrary": "contrary",
        "absent": "absent", "score": "score", "page": "p.", "no_evidence": "No passage found.",
        "programmes": "programmes", "municipalities": "Municipalities and elections",
        "shares": "Share of programmes addressing each item", "failures": "Not read",
        "checklist": "Checklist", "generated": "Results of", "select_hint": "Pick a cell in the table.",
        "gap_count": "gaps",
    },
}


def ui_strings(lang: str) -> dict[str, str]:
    """The UI strings of a language ('nl' or 'en')."""
    if lang not in UI_STRINGS:
        raise ValueError(f"unknown report language {lang!r}; choose from {', '.join(UI_STRINGS)}")
    return UI_STRINGS[lang]


def group_file(election: str, municipality: str) -> str:
    """File name of a group's report, e.g. 'gr2026-lindewaard.html'."""
    slug = re.sub(r"[^a-z0-9]+", "-", f"{election} {municipality}".lower()).strip("-")
    return f"{slug or 'programmes'}.html"


class SourceLinks:
    """Builds the link from a quote to the page of the source document.

    With ``pdf_base`` (a folder path or URL), a document's link is the base joined with its path
    below the folder all documents share (so a single folder's files link as ``<base>/<file>``).
    Without it, the link is the relative path from the report folder to the document as the scan
    named it (relative to the current folder when the scan ran here).
    """

    def __init__(self, documents: list[str], report_dir: Path, pdf_base: str | None = None):
        self.report_dir = report_dir
        self.pdf_base = pdf_base.rstrip("/") if pdf_base else None
        parents = [os.path.dirname(os.path.normpath(d)) for d in documents]
        same_kind = len({os.path.isabs(p) for p in parents}) == 1
        self.root = os.path.commonpath(parents) if parents and same_kind else ""

    def href(self, document: str, page: int | None) -> str:
        if self.pdf_base:
            below = os.path.relpath(os.path.normpath(document), self.root or ".")
            target = f"{self.pdf_base}/{quote(Path(below).as_posix())}"
        else:
            target = quote(Path(os.path.relpath(Path(document).resolve(), self.report_dir.resolve())).as_posix())
        if page is not None and document.lower().endswith(".pdf"):
            target += f"#page={page}"
        return target


def _template(name: str) -> str:
    return files("programmacheck").joinpath("templates", name).read_text(encoding="utf-8")


def _page(title: str, lang: str, body: str) -> str:
    palette = "".join(f"--{v}:{c};" for v, c in VERDICT_COLOURS.items())
    return (f'<!doctype html>\n<html lang="{escape(lang)}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>{escape(title)}</title>\n'
            f"<style>:root{{{palette}}}\n{_template('report.css')}</style>\n</head>\n<body>\n{body}\n"
            f"<script>\n{_template('report.js')}</script>\n</body>\n</html>\n")


def _header(results: Results, heading: str, text: dict[str, str], back: bool) -> str:
    checklist = (results.run.get("checklist") or {}).get("name", "")
    date = str(results.run.get("date", ""))[:10]
    parts = (f"{text['checklist']}: {checklist}" if checklist else "", f"{text['generated']} {date}" if date else "",
             f"programmacheck {results.run.get('version', '')}".strip())
    meta = " · ".join(escape(part) for part in parts if part)
    nav = f'<nav><a href="{OVERVIEW_FILE}">{escape(text["back"])}</a></nav>' if back else ""
    return f"<header>{nav}<h1>{escape(heading)}</h1><p class=\"meta\">{meta}</p></header>"


def _legend(text: dict[str, str]) -> str:
    entries = "".join(f'<li><span class="swatch v-{v}">{SYMBOLS[v]}</span> {escape(text[v])}</li>' for v in VERDICTS)
    return f'<ul class="legend" aria-label="{escape(text["legend"])}">{entries}</ul>'


def _evidence_panel(cell_id: str, party: str, item: dict, verdict: dict, quotes: pd.DataFrame,
                    links: SourceLinks, text: dict[str, str]) -> str:
    """The hidden block shown when a cell is clicked: verdict, item and the quotes with page links."""
    items = []
    for q in quotes.itertuples(index=False):
        page = None if pd.isna(q.page) else int(q.page)
        where = f'{text["page"]} {page}' if page is not None else escape(Path(q.document).name)
        section = f' <span class="section">{escape(q.section)}</span>' if q.section else ""
        items.append(f'<li><blockquote>{escape(q.quote)}</blockquote><a class="source" '
                     f'href="{escape(links.href(q.document, page))}" target="_blank" rel="noopener">{where}</a>{section}</li>')
    body = f'<ol class="quotes">{"".join(items)}</ol>' if items else f'<p class="none">{escape(text["no_evidence"])}</p>'
    label = text[verdict["verdict"]]
    return (f'<div class="evidence" id="{cell_id}" hidden><h3>{escape(party)} — {escape(item["item_id"])}</h3>'
            f'<p class="item-text">{escape(item["text"])}</p><p><span class="badge v-{escape(verdict["verdict"])}">'
            f'{escape(label)}</span> {escape(text["score"])} {verdict["score"]:.2f}</p>{body}</div>')


def _matrix(results: Results, links: SourceLinks, text: dict[str, str]) -> tuple[str, str]:
    """The heatmap table and the evidence blocks of its cells."""
    programmes = results.programmes
    by_cell = {(v["document"], v["item_id"]): v for v in results.verdicts.to_dict("records")}
    quotes = {key: frame.sort_values("rank") for key, frame in results.evidence.groupby(["document", "item_id"])}
    empty = results.evidence.iloc[0:0]
    head = "".join(f'<th scope="col" class="party"><span>{escape(p)}</span></th>' for p in programmes["label"])
    rows, panels = [], []
    for theme in results.themes.itertuples(index=False):
        rows.append(f'<tr class="theme"><th colspan="{len(programmes) + 1}" scope="rowgroup">'
                    f'{escape(theme.theme_id)}. {escape(theme.theme)}</th></tr>')
        for item in results.items[results.items["theme_id"] == theme.theme_id].to_dict("records"):
            cells = []
            for n, programme in enumerate(programmes.itertuples(index=False)):
                verdict = by_cell.get((programme.document, item["item_id"]))
                if verdict is None:
                    cells.append('<td class="missing"></td>')
                    continue
                cell_id = f"e-{n}-{re.sub(r'[^A-Za-z0-9]', '_', item['item_id'])}"
                name = f'{programme.label} · {item["item_id"]} · {text[verdict["verdict"]]}'
                cells.append(f'<td class="cell v-{escape(verdict["verdict"])}"><button type="button" '
                             f'data-detail="{cell_id}" title="{escape(name)}" aria-label="{escape(name)}">'
                             f'{SYMBOLS[verdict["verdict"]]}</button></td>')
                panels.append(_evidence_panel(cell_id, programme.label, item, verdict,
                                              quotes.get((programme.document, item["item_id"]), empty), links, text))
            rows.append(f'<tr id="item-{escape(item["item_id"])}"><th scope="row" class="item"><span class="id">'
                        f'{escape(item["item_id"])}</span> {escape(item["text"])}</th>{"".join(cells)}</tr>')
    table = (f'<div class="scroll"><table class="heatmap"><thead><tr><th scope="col">{escape(text["item"])}</th>'
             f'{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>')
    return table, "".join(panels)


def _theme_bars(results: Results, text: dict[str, str]) -> str:
    coverage = theme_coverage(results)
    labels = list(results.programmes["label"])
    head = "".join(f'<th scope="col">{escape(p)}</th>' for p in labels)
    rows = []
    for theme in results.themes.itertuples(index=False):
        cells = []
        for row in coverage[coverage["theme_id"] == theme.theme_id].itertuples(index=False):
            addressed, partial = 100 * row.share_addressed, 100 * row.share_partial
            cells.append(f'<td><div class="bar" title="{row.addressed}/{row.items} {escape(text["addressed"])}, '
                         f'{row.partial}/{row.items} {escape(text["partial"])}"><span class="a" style="width:{addressed:.1f}%">'
                         f'</span><span class="p" style="width:{partial:.1f}%"></span></div>'
                         f'<span class="count">{row.addressed}/{row.items}</span></td>')
        rows.append(f'<tr><th scope="row">{escape(theme.theme_id)}. {escape(theme.theme)}</th>{"".join(cells)}</tr>')
    return (f'<div class="scroll"><table class="themes"><thead><tr><th></th>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></div>')


def _gap_list(results: Results, text: dict[str, str]) -> str:
    table = gaps(results)
    if table.empty:
        return f'<p class="no-gaps">{escape(text["no_gaps"])}</p>'
    entries = []
    for gap in table.itertuples(index=False):
        notes = [f'{escape(text[key])}: {escape(getattr(gap, key))}' for key in ("partial_by", "contrary_by")
                 if getattr(gap, key)]
        note = "; ".join(notes) or escape(text["nobody"])
        entries.append(f'<li><a href="#item-{escape(gap.item_id)}" class="id">{escape(gap.item_id)}</a> '
                       f'{escape(gap.text)} <span class="theme-name">({escape(gap.theme)})</span>'
                       f'<span class="note">{note}</span></li>')
    return f'<ul class="gaps">{"".join(entries)}</ul>'


def render_group(results: Results, links: SourceLinks, lang: str = "nl") -> str:
    """The report of one municipality in one election (``results`` already subset to it)."""
    text = ui_strings(lang)
    (election, municipality), = results.groups()
    heading = f"{text['title']}: {group_label(election, municipality)}"
    table, panels = _matrix(results, links, text)
    body = (f"{_header(results, heading, text, back=True)}<main>"
            f'<section class="matrix"><h2>{escape(text["matrix"])}</h2><p class="hint">{escape(text["matrix_hint"])}</p>'
            f'{_legend(text)}<div class="matrix-layout">{table}<aside id="detail" aria-live="polite">'
            f'<p class="placeholder">{escape(text["select_hint"])}</p>{panels}</aside></div></section>'
            f'<section><h2>{escape(text["themes"])}</h2><p class="hint">{escape(text["themes_hint"])}</p>'
            f'{_theme_bars(results, text)}</section>'
            f'<section id="gaps"><h2>{escape(text["gaps"])}</h2><p class="hint">{escape(text["gaps_hint"])}</p>'
            f'{_gap_list(results, text)}</section></main>')
    return _page(heading, lang, body)


def render_overview(results: Results, lang: str = "nl") -> str:
    """Across municipalities and elections: programmes, gaps and per-item shares, linking to each report."""
    text = ui_strings(lang)
    groups = results.groups()
    shares = item_shares(results).set_index(["election", "municipality", "item_id"])
    gap_counts = gaps(results).groupby(["election", "municipality"]).size()
    programme_counts = results.programmes.groupby(["election", "municipality"]).size()
    summary = "".join(
        f'<li><a href="{escape(group_file(*g))}">{escape(group_label(*g))}</a>: {programme_counts[g]} '
        f'{escape(text["programmes"])}, {gap_counts.get(g, 0)} {escape(text["gap_count"])}</li>' for g in groups)
    head = "".join(f'<th scope="col" class="party"><a href="{escape(group_file(*g))}"><span>{escape(group_label(*g))}'
                   f"</span></a></th>" for g in groups)
    rows = []
    for theme in results.themes.itertuples(index=False):
        rows.append(f'<tr class="theme"><th colspan="{len(groups) + 1}" scope="rowgroup">'
                    f'{escape(theme.theme_id)}. {escape(theme.theme)}</th></tr>')
        for item in results.items[results.items["theme_id"] == theme.theme_id].itertuples(index=False):
            cells = []
            for g in groups:
                key = (*g, item.item_id)
                if key not in shares.index:
                    cells.append('<td class="missing"></td>')
                    continue
                row = shares.loc[key]
                cells.append(f'<td class="share" style="--share:{row.share_addressed:.3f}">'
                             f'<a href="{escape(group_file(*g))}#item-{escape(item.item_id)}">'
                             f'{int(row.addressed)}/{int(row.programmes)}</a></td>')
            rows.append(f'<tr><th scope="row" class="item"><span class="id">{escape(item.item_id)}</span> '
                        f'{escape(item.text)}</th>{"".join(cells)}</tr>')
    failures = ""
    if not results.failures.empty:
        entries = "".join(f"<li>{escape(m)}</li>" for m in results.failures["message"])
        failures = f'<section class="failures"><h2>{escape(text["failures"])}</h2><ul>{entries}</ul></section>'
    heading = f"{text['title']}: {text['overview']}"
    body = (f"{_header(results, heading, text, back=False)}<main>"
            f'<section><h2>{escape(text["municipalities"])}</h2><ul class="groups">{summary}</ul></section>'
            f'<section><h2>{escape(text["shares"])}</h2><div class="scroll"><table class="heatmap overview">'
            f'<thead><tr><th scope="col">{escape(text["item"])}</th>{head}</tr></thead><tbody>{"".join(rows)}</tbody>'
            f"</table></div></section>{failures}</main>")
    return _page(heading, lang, body)


def write_html(results: Results, out: Path, lang: str = "nl", pdf_base: str | None = None) -> list[Path]:
    """Write the overview (``index.html``) and one report per (election, municipality) into ``out``."""
    ui_strings(lang)
    out.mkdir(parents=True, exist_ok=True)
    links = SourceLinks(list(results.programmes["document"]), out, pdf_base)
    overview = out / OVERVIEW_FILE
    overview.write_text(render_overview(results, lang), encoding="utf-8")
    written = [overview]
    for election, municipality in results.groups():
        file = out / group_file(election, municipality)
        file.write_text(render_group(results.subset(election, municipality), links, lang), encoding="utf-8")
        written.append(file)
    return written

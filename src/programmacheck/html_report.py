"""Self-contained HTML reports: one per municipality (and election), plus an overview.

Each file inlines its CSS and JavaScript (``templates/report.css``, ``templates/report.js``) and
loads nothing from the network, so it can be mailed around and opened offline.  A report shows

* a heatmap of checklist items (grouped by theme) × parties, whose header stays in view while
  scrolling; clicking a cell shows that cell's evidence quotes with their page and a link to the
  source page (see ``links.py``), and printed (or saved as PDF) every cell shows its quotes under it;
* the programmes with status (a concept is marked as such), date and source;
* per-theme bars (share of items addressed and partially addressed per party);
* the gaps: items no party addresses, those no party even mentions apart;
* what changed since each party's previous programme (previous election, or its concept),
  item by item with the quotes of both (``compare.py``).

The overview shows, per item, how many programmes address it in each municipality, and links
to the municipality reports.  Every piece of text from a programme, checklist or file name goes
through :func:`html.escape`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape
from importlib.resources import files
from pathlib import Path

import pandas as pd

from .compare import CHANGES, change_counts, changes, programme_pairs
from .links import SourceLinks, is_paged, source_file
from .programmes import FINAL_STATUSES, PARTY_FROM_FILE_NAME
from .records import VERDICT_SYMBOLS, VERDICTS
from .results import VERDICT_COLOURS, Results, gaps, group_label, item_shares, theme_coverage
from .reviews import CHANGED_SINCE_REVIEW, REVIEW_SYMBOLS, REVIEWED

OVERVIEW_FILE = "index.html"

UI_STRINGS = {
    "nl": {
        "title": "Programmacheck",
        "overview": "Overzicht",
        "back": "← Overzicht",
        "matrix": "Per punt en partij",
        "matrix_hint": "Klik op een vakje om de citaten uit het programma te zien.",
        "print_hint": "Onder elk vakje staan de citaten uit het programma, met de pagina.",
        "score_hint": "De score (0–1) is de kans op ‘behandeld’ plus de helft van de kans op ‘gedeeltelijk’ "
        "volgens het verdictmodel. Bij ‘strijdig’ zegt ze hoe sterk het programma over het punt "
        "spreekt, niet dat het dat steunt.",
        "item": "Punt",
        "themes": "Per thema",
        "themes_hint": "Aandeel punten behandeld (donker) en gedeeltelijk (licht).",
        "gaps": "Gaten",
        "gaps_hint": "Punten die geen enkele partij behandelt; hoogstens noemen partijen ze gedeeltelijk of strijdig.",
        "gaps_silent": "Door geen enkele partij genoemd",
        "gaps_touched": "Genoemd, maar door geen partij behandeld",
        "no_gaps": "Geen: elk punt wordt door ten minste één partij behandeld.",
        "partial_by": "gedeeltelijk",
        "contrary_by": "strijdig",
        "legend": "Legenda",
        "addressed": "behandeld",
        "partial": "gedeeltelijk",
        "contrary": "strijdig",
        "absent": "afwezig",
        "score": "score",
        "page": "p.",
        "printed_page": "gedrukt",
        "no_evidence": "Geen passage gevonden.",
        "programme": "programma",
        "programmes": "programma's",
        "municipalities": "Gemeenten en verkiezingen",
        "shares": "Aandeel programma's dat elk punt behandelt",
        "failures": "Niet gelezen",
        "checklist": "Checklist",
        "generated": "Resultaten van",
        "select_hint": "Kies een vakje in de tabel.",
        "gap_count": "gaten",
        "no_group": "Zonder verkiezing en gemeente",
        "sources": "Programma's",
        "party": "Partij",
        "status": "Status",
        "date": "Datum",
        "source": "Bron",
        "names_from_files": "Let op: de partijnamen van {names} komen uit bestandsnamen, niet uit een manifest; "
        "ze kunnen afwijken van hoe de partij heet.",
        "changes": "Veranderd ten opzichte van eerder",
        "changes_hint": "Per partij de punten waarvan het oordeel veranderde ten opzichte van haar vorige programma "
        "(de vorige verkiezing, of het concept): gewonnen (eerst afwezig, nu behandeld of "
        "gedeeltelijk), verloren (andersom), sterker of zwakker (afwezig → strijdig is zwakker).",
        "gained": "gewonnen",
        "lost": "verloren",
        "strengthened": "sterker",
        "weakened": "zwakker",
        "no_changes": "Geen verschillen.",
        "comparisons": "Vergelijkingen",
        "nothing_found": "Let op: in {programme} is geen enkel punt gevonden. Is de tekst goed gelezen? Zo niet, "
        "dan zijn de verschillen hier geen echte veranderingen.",
        "reviewed": "beoordeeld door {reviewer} op {date}",
        "tool_said": "programmacheck: {verdict}",
        "changed_since_review": "het oordeel van programmacheck is sinds de beoordeling veranderd",
        "review_legend": "door een mens beoordeeld",
        "changed_legend": "beoordeeld, maar programmacheck oordeelt nu anders",
    },
    "en": {
        "title": "Programmacheck",
        "overview": "Overview",
        "back": "← Overview",
        "matrix": "By item and party",
        "matrix_hint": "Click a cell to see the quotes from the programme.",
        "print_hint": "Under each cell are the quotes from the programme, with their page.",
        "score_hint": "The score (0–1) is the probability of ‘addressed’ plus half that of ‘partial’ under the "
        "verdict model. For ‘contrary’ it says how strongly the programme speaks about the item, "
        "not that it supports it.",
        "item": "Item",
        "themes": "By theme",
        "themes_hint": "Share of items addressed (dark) and partially addressed (light).",
        "gaps": "Gaps",
        "gaps_hint": "Items no party addresses; at most parties mention them partially or contrarily.",
        "gaps_silent": "Mentioned by no party",
        "gaps_touched": "Mentioned, but addressed by no party",
        "no_gaps": "None: every item is addressed by at least one party.",
        "partial_by": "partial",
        "contrary_by": "contrary",
        "legend": "Legend",
        "addressed": "addressed",
        "partial": "partial",
        "contrary": "contrary",
        "absent": "absent",
        "score": "score",
        "page": "p.",
        "printed_page": "printed",
        "no_evidence": "No passage found.",
        "programme": "programme",
        "programmes": "programmes",
        "municipalities": "Municipalities and elections",
        "shares": "Share of programmes addressing each item",
        "failures": "Not read",
        "checklist": "Checklist",
        "generated": "Results of",
        "select_hint": "Pick a cell in the table.",
        "gap_count": "gaps",
        "no_group": "No election or municipality",
        "sources": "Programmes",
        "party": "Party",
        "status": "Status",
        "date": "Date",
        "source": "Source",
        "names_from_files": "Note: the party names of {names} are file names, not from a manifest; they may differ "
        "from what the party is called.",
        "changes": "Changed since before",
        "changes_hint": "Per party the items whose verdict changed since its previous programme (the previous "
        "election, or the concept): gained (absent before, now addressed or partial), lost (the "
        "reverse), strengthened or weakened (absent → contrary is a weakening).",
        "gained": "gained",
        "lost": "lost",
        "strengthened": "strengthened",
        "weakened": "weakened",
        "no_changes": "No differences.",
        "comparisons": "Comparisons",
        "nothing_found": "Note: no item at all was found in {programme}. Was its text read well? If not, the "
        "differences here are no real changes.",
        "reviewed": "reviewed by {reviewer} on {date}",
        "tool_said": "programmacheck: {verdict}",
        "changed_since_review": "programmacheck's verdict has changed since the review",
        "review_legend": "reviewed by a person",
        "changed_legend": "reviewed, but programmacheck now decides otherwise",
    },
}
#: The mark a reviewed cell shows beside its verdict's symbol, per ``review_status``, with its
#: legend's string.
REVIEW_MARKS = {
    REVIEWED: (REVIEW_SYMBOLS[REVIEWED], "review_legend"),
    CHANGED_SINCE_REVIEW: (REVIEW_SYMBOLS[CHANGED_SINCE_REVIEW], "changed_legend"),
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


def _template(name: str) -> str:
    return files("programmacheck").joinpath("templates", name).read_text(encoding="utf-8")


def _page(title: str, lang: str, body: str) -> str:
    palette = "".join(f"--{v}:{c};" for v, c in VERDICT_COLOURS.items())
    return (
        f'<!doctype html>\n<html lang="{escape(lang)}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>{escape(title)}</title>\n'
        f"<style>:root{{{palette}}}\n{_template('report.css')}</style>\n</head>\n<body>\n{body}\n"
        f"<script>\n{_template('report.js')}</script>\n</body>\n</html>\n"
    )


def group_name(election: str, municipality: str, text: dict[str, str]) -> str:
    """A group's name in a report; programmes without election and municipality still get one."""
    return group_label(election, municipality) or text["no_group"]


def _header(results: Results, heading: str, text: dict[str, str], back: bool) -> str:
    checklist = (results.run.get("checklist") or {}).get("name", "")
    date = str(results.run.get("date", ""))[:10]
    parts = (
        f"{text['checklist']}: {checklist}" if checklist else "",
        f"{text['generated']} {date}" if date else "",
        f"programmacheck {results.run.get('version', '')}".strip(),
    )
    meta = " · ".join(escape(part) for part in parts if part)
    nav = f'<nav><a href="{OVERVIEW_FILE}">{escape(text["back"])}</a></nav>' if back else ""
    return f'<header>{nav}<h1>{escape(heading)}</h1><p class="meta">{meta}</p>{_name_warning(results, text)}</header>'


def _name_warning(results: Results, text: dict[str, str]) -> str:
    """A warning when party names are file names: 'Verkiezingsprogramma De Vonk 2026' is no party name."""
    programmes = results.programmes
    guessed = programmes.loc[programmes["party_from"] == PARTY_FROM_FILE_NAME, "label"]
    if guessed.empty:
        return ""
    names = ", ".join(guessed[:5]) + (", …" if len(guessed) > 5 else "")
    return f'<p class="warning" role="note">{escape(text["names_from_files"].format(names=names))}</p>'


def _legend(text: dict[str, str]) -> str:
    entries = "".join(
        f'<li><span class="swatch v-{v}">{VERDICT_SYMBOLS[v]}</span> {escape(text[v])}</li>' for v in VERDICTS
    ) + "".join(
        f'<li><span class="swatch review-{_status_class(status)}">{mark}</span> {escape(text[legend])}</li>'
        for status, (mark, legend) in REVIEW_MARKS.items()
    )
    return (
        f'<ul class="legend" aria-label="{escape(text["legend"])}">{entries}</ul>'
        f'<p class="hint score-hint">{escape(text["score_hint"])}</p>'
    )


def _status(programme, text: dict[str, str]) -> str:
    """The marks under a party's name: a status other than final (a concept; a reader needs no mark
    for the default), and the date."""
    marks = []
    if programme.status not in FINAL_STATUSES:
        marks.append(f'<small class="status s-{escape(programme.status)}">{escape(programme.status)}</small>')
    if programme.date:
        marks.append(f'<small class="date">{escape(programme.date)}</small>')
    return "".join(marks)


def _where(document: str, page: int | None, page_label: str, section: str, text: dict[str, str]) -> str:
    """Where a quote stands: 'p. 15 (gedrukt 13)' in a PDF whose printed numbers differ, else the file's name."""
    if page is None:
        return source_file(document, section) or Path(document).name
    printed = f" ({text['printed_page']} {page_label})" if page_label else ""
    return f"{text['page']} {page}{printed}"


def _status_class(review_status: str) -> str:
    return re.sub(r"[^a-z]+", "-", review_status)


@dataclass(frozen=True)
class ReviewShown:
    """How a reviewed cell shows its review: a class for its outline, a mark beside the symbol,
    and a sentence (who, when, the note, what the tool said) for its tooltip and its panel."""

    css_class: str
    mark: str
    sentence: str


def review_shown(verdict: dict, text: dict[str, str]) -> ReviewShown | None:
    """A cell's review as the report shows it; None for a cell nobody reviewed (or a folder
    written before reviews)."""
    status = verdict.get("review_status") or ""
    if status not in REVIEW_MARKS:
        return None
    who = text["reviewed"].format(reviewer=verdict["reviewed_by"], date=str(verdict["reviewed_at"])[:10])
    note = f": {verdict['review_note']}" if verdict["review_note"] else ""
    tool = text["tool_said"].format(verdict=text.get(verdict["verdict_tool"], verdict["verdict_tool"]))
    changed = f"; {text['changed_since_review']}" if status == CHANGED_SINCE_REVIEW else ""
    return ReviewShown(f"review-{_status_class(status)}", REVIEW_MARKS[status][0], f"{who}{note} ({tool}){changed}")


def _evidence_panel(
    cell_id: str,
    party: str,
    item: dict,
    verdict: dict,
    quotes: pd.DataFrame,
    links: SourceLinks,
    text: dict[str, str],
    review: ReviewShown | None,
) -> str:
    """A cell's evidence: shown in the side panel when the cell is clicked, and under the cell in print."""
    items = []
    for q in quotes.itertuples(index=False):
        page = None if pd.isna(q.page) or not is_paged(q.document) else int(q.page)
        where = _where(q.document, page, q.page_label, q.section, text)
        section = f' <span class="section">{escape(q.section)}</span>' if q.section else ""
        items.append(
            f'<li><blockquote>{escape(q.quote)}</blockquote><a class="source" '
            f'href="{escape(links.href(q.document, page, q.section))}" target="_blank" rel="noopener">'
            f"{escape(where)}</a>{section}</li>"
        )
    body = (
        f'<ol class="quotes">{"".join(items)}</ol>' if items else f'<p class="none">{escape(text["no_evidence"])}</p>'
    )
    label = text[verdict["verdict"]]
    reviewed = (
        f'<p class="review {review.css_class}"><span class="review-mark">{review.mark}</span> '
        f"{escape(review.sentence)}</p>"
        if review
        else ""
    )
    return (
        f'<div class="evidence" id="{cell_id}" hidden><h3>{escape(party)} — {escape(item["item_id"])}</h3>'
        f'<p class="item-text">{escape(item["text"])}</p><p class="verdict-line"><span class="badge '
        f'v-{escape(verdict["verdict"])}">{escape(label)}</span> {escape(text["score"])} {verdict["score"]:.2f}</p>'
        f"{reviewed}{body}</div>"
    )


def _matrix(results: Results, links: SourceLinks, text: dict[str, str]) -> str:
    """The heatmap table; each cell holds its evidence block (shown by a click, and in print)."""
    programmes = results.programmes
    by_cell = {(v["document"], v["item_id"]): v for v in results.verdicts.to_dict("records")}
    quotes = {key: frame.sort_values("rank") for key, frame in results.evidence.groupby(["document", "item_id"])}
    empty = results.evidence.iloc[0:0]
    head = "".join(
        f'<th scope="col" class="party"><span>{escape(p.label)}</span>{_status(p, text)}</th>'
        for p in programmes.itertuples(index=False)
    )
    rows = []
    for theme in results.themes.itertuples(index=False):
        rows.append(
            f'<tr class="theme"><th colspan="{len(programmes) + 1}" scope="rowgroup">'
            f"{escape(theme.theme_id)}. {escape(theme.theme)}</th></tr>"
        )
        for item in results.items[results.items["theme_id"] == theme.theme_id].to_dict("records"):
            cells = []
            for n, programme in enumerate(programmes.itertuples(index=False)):
                verdict = by_cell.get((programme.document, item["item_id"]))
                if verdict is None:
                    cells.append('<td class="missing"></td>')
                    continue
                cell_id = f"e-{n}-{re.sub(r'[^A-Za-z0-9]', '_', item['item_id'])}"
                review = review_shown(verdict, text)
                name = f"{programme.label} · {item['item_id']} · {text[verdict['verdict']]}"
                if review:
                    name += f" · {review.sentence}"
                panel = _evidence_panel(
                    cell_id,
                    programme.label,
                    item,
                    verdict,
                    quotes.get((programme.document, item["item_id"]), empty),
                    links,
                    text,
                    review,
                )
                mark = f'<span class="review-mark" aria-hidden="true">{review.mark}</span>' if review else ""
                cells.append(
                    f'<td class="cell v-{escape(verdict["verdict"])}{" " + review.css_class if review else ""}">'
                    f'<button type="button" data-detail="{cell_id}" title="{escape(name)}" aria-label="{escape(name)}">'
                    f"{VERDICT_SYMBOLS[verdict['verdict']]}{mark}</button>{panel}</td>"
                )
            rows.append(
                f'<tr id="item-{escape(item["item_id"])}"><th scope="row" class="item"><span class="id">'
                f"{escape(item['item_id'])}</span> {escape(item['text'])}</th>{''.join(cells)}</tr>"
            )
    return (
        f'<div class="scroll sticky-head"><table class="heatmap"><thead><tr><th scope="col">{escape(text["item"])}'
        f"</th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


def _theme_bars(results: Results, text: dict[str, str]) -> str:
    coverage = theme_coverage(results)
    labels = list(results.programmes["label"])
    head = "".join(f'<th scope="col">{escape(p)}</th>' for p in labels)
    rows = []
    for theme in results.themes.itertuples(index=False):
        cells = []
        for row in coverage[coverage["theme_id"] == theme.theme_id].itertuples(index=False):
            addressed, partial = 100 * row.share_addressed, 100 * row.share_partial
            cells.append(
                f'<td><div class="bar" title="{row.addressed}/{row.items} {escape(text["addressed"])}, '
                f'{row.partial}/{row.items} {escape(text["partial"])}"><span class="a" style="width:{addressed:.1f}%">'
                f'</span><span class="p" style="width:{partial:.1f}%"></span></div>'
                f'<span class="count">{row.addressed}/{row.items}</span></td>'
            )
        rows.append(f'<tr><th scope="row">{escape(theme.theme_id)}. {escape(theme.theme)}</th>{"".join(cells)}</tr>')
    return (
        f'<div class="scroll"><table class="themes"><thead><tr><th></th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _gap_list(results: Results, text: dict[str, str]) -> str:
    """The gaps in two lists: items no party mentions at all, then those only touched on."""
    table = gaps(results)
    if table.empty:
        return f'<p class="no-gaps">{escape(text["no_gaps"])}</p>'
    lists = []
    for mentioned, heading in ((False, "gaps_silent"), (True, "gaps_touched")):
        entries = []
        for gap in table[table["mentioned"] == mentioned].itertuples(index=False):
            notes = "; ".join(
                f"{escape(text[key])}: {escape(getattr(gap, key))}"
                for key in ("partial_by", "contrary_by")
                if getattr(gap, key)
            )
            note = f'<span class="note">{notes}</span>' if notes else ""
            entries.append(
                f'<li><a href="#item-{escape(gap.item_id)}" class="id">{escape(gap.item_id)}</a> '
                f'{escape(gap.text)} <span class="theme-name">({escape(gap.theme)})</span>{note}</li>'
            )
        if entries:
            kind = "touched" if mentioned else "silent"
            lists.append(
                f'<h3>{escape(text[heading])} ({len(entries)})</h3><ul class="gaps {kind}">{"".join(entries)}</ul>'
            )
    return "".join(lists)


def _pair_heading(pair) -> str:
    return f"{pair.before_label} ({pair.before_election.upper()}) → {pair.after_label} ({pair.after_election.upper()})"


def _side(row, side: str, links: SourceLinks, text: dict[str, str]) -> str:
    """One programme's side (``before`` or ``after``) of a change: its verdict and first quote with a link to the page."""
    verdict, score, page, page_label, quote, section, document = (
        getattr(row, f"{side}_{c}") for c in ("verdict", "score", "page", "page_label", "quote", "section", "document")
    )
    page = None if pd.isna(page) or not is_paged(document) else int(page)
    cite = ""
    if quote:
        where = _where(document, page, page_label, section, text)
        cite = (
            f'<blockquote>{escape(quote)}</blockquote><a class="source" href="{escape(links.href(document, page, section))}"'
            f' target="_blank" rel="noopener">{escape(where)}</a>'
        )
    return (
        f'<td><span class="badge v-{escape(verdict)}">{escape(text[verdict])}</span> '
        f'<span class="score">{escape(text["score"])} {score:.2f}</span>{cite}</td>'
    )


def _changes(counts: pd.DataFrame, found: pd.DataFrame, links: SourceLinks, text: dict[str, str]) -> str:
    """Per compared pair whose later programme is in this report: the items that changed, both quotes."""
    if counts.empty:
        return ""
    blocks = []
    for pair in counts.itertuples(index=False):
        tally = " · ".join(f"{getattr(pair, c)} {escape(text[c])}" for c in CHANGES)
        rows = found[
            (found["before_document"] == pair.before_document) & (found["after_document"] == pair.after_document)
        ]
        body = "".join(
            f'<tr><th scope="row" class="item"><span class="id">{escape(r.item_id)}</span> {escape(r.text)}'
            f'<span class="change c-{escape(r.change)}">{escape(text[r.change])}</span></th>'
            f"{_side(r, 'before', links, text)}{_side(r, 'after', links, text)}"
            f"</tr>"
            for r in rows.itertuples(index=False)
        )
        table = (
            f'<table class="changes"><thead><tr><th scope="col">{escape(text["item"])}</th><th scope="col">'
            f'{escape(pair.before_election.upper())}: {escape(pair.before_label)}</th><th scope="col">'
            f"{escape(pair.after_election.upper())}: {escape(pair.after_label)}</th></tr></thead>"
            f"<tbody>{body}</tbody></table>"
            if body
            else f'<p class="none">{escape(text["no_changes"])}</p>'
        )
        unread = [
            f"{label} ({election.upper()})"
            for label, election, mentioned in (
                (pair.before_label, pair.before_election, pair.before_mentioned),
                (pair.after_label, pair.after_election, pair.after_mentioned),
            )
            if mentioned == 0
        ]
        warning = "".join(
            f'<p class="warning" role="note">{escape(text["nothing_found"].format(programme=u))}</p>' for u in unread
        )
        blocks.append(f'<h3>{escape(_pair_heading(pair))}</h3><p class="counts">{tally}</p>{warning}{table}')
    return (
        f'<section id="changes"><h2>{escape(text["changes"])}</h2><p class="hint">{escape(text["changes_hint"])}'
        f"</p>{''.join(blocks)}</section>"
    )


def _sources(results: Results, links: SourceLinks, text: dict[str, str]) -> str:
    """Every programme of the report with its status, date and a link to its source."""
    rows = []
    for p in results.programmes.itertuples(index=False):
        href = links.href(p.document, 1 if is_paged(p.document) else None)
        rows.append(
            f'<tr><th scope="row">{escape(p.label)}</th><td>{escape(p.status)}</td><td>{escape(p.date)}</td>'
            f'<td><a href="{escape(href)}" target="_blank" rel="noopener">{escape(p.document)}</a></td></tr>'
        )
    return (
        f'<table class="sources"><thead><tr><th scope="col">{escape(text["party"])}</th><th scope="col">'
        f'{escape(text["status"])}</th><th scope="col">{escape(text["date"])}</th><th scope="col">'
        f"{escape(text['source'])}</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _in_group(table: pd.DataFrame, election: str, municipality: str) -> pd.DataFrame:
    """The comparisons whose later programme belongs to a group's report."""
    return table[(table["after_election"] == election) & (table["municipality"] == municipality)]


def render_group(
    results: Results,
    links: SourceLinks,
    lang: str = "nl",
    counts: pd.DataFrame | None = None,
    found: pd.DataFrame | None = None,
) -> str:
    """The report of one municipality in one election (``results`` already subset to it).

    ``counts`` and ``found`` are :func:`compare.change_counts` and :func:`compare.changes` of all
    results (a comparison reaches into other elections); the group's own are shown.
    """
    text = ui_strings(lang)
    ((election, municipality),) = results.groups()
    heading = f"{text['title']}: {group_name(election, municipality, text)}"
    body = (
        f"{_header(results, heading, text, back=True)}<main>"
        f'<section class="matrix"><h2>{escape(text["matrix"])}</h2><p class="hint screen-only">'
        f'{escape(text["matrix_hint"])}</p><p class="hint print-only">{escape(text["print_hint"])}</p>'
        f'{_legend(text)}<div class="matrix-layout">{_matrix(results, links, text)}<aside id="detail" '
        f'aria-live="polite"><p class="placeholder">{escape(text["select_hint"])}</p></aside></div></section>'
        f'<section id="sources"><h2>{escape(text["sources"])}</h2>{_sources(results, links, text)}</section>'
        f'<section><h2>{escape(text["themes"])}</h2><p class="hint">{escape(text["themes_hint"])}</p>'
        f"{_theme_bars(results, text)}</section>"
        f'<section id="gaps"><h2>{escape(text["gaps"])}</h2><p class="hint">{escape(text["gaps_hint"])}</p>'
        f"{_gap_list(results, text)}</section>"
        f"{_changes(_in_group(counts, election, municipality), found, links, text) if counts is not None else ''}"
        f"</main>"
    )
    return _page(heading, lang, body)


def _comparison_list(counts: pd.DataFrame, text: dict[str, str]) -> str:
    entries = "".join(
        f'<li><a href="{escape(group_file(pair.after_election, pair.municipality))}#changes">'
        f"{escape(pair.municipality + ': ' if pair.municipality else '')}{escape(_pair_heading(pair))}</a>: "
        + " · ".join(f"{getattr(pair, c)} {escape(text[c])}" for c in CHANGES)
        + "</li>"
        for pair in counts.itertuples(index=False)
    )
    return (
        f'<section><h2>{escape(text["comparisons"])}</h2><ul class="comparisons">{entries}</ul></section>'
        if entries
        else ""
    )


def render_overview(results: Results, lang: str = "nl", counts: pd.DataFrame | None = None) -> str:
    """Across municipalities and elections: programmes, gaps, per-item shares and the comparisons,
    linking to each report."""
    text = ui_strings(lang)
    groups = results.groups()
    shares = item_shares(results).set_index(["election", "municipality", "item_id"])
    gap_counts = gaps(results).groupby(["election", "municipality"]).size()
    programme_counts = results.programmes.groupby(["election", "municipality"]).size()
    summary = "".join(
        f'<li><a href="{escape(group_file(*g))}">{escape(group_name(*g, text))}</a>: {programme_counts[g]} '
        f"{escape(text['programme' if programme_counts[g] == 1 else 'programmes'])}, {gap_counts.get(g, 0)} "
        f"{escape(text['gap_count'])}</li>"
        for g in groups
    )
    head = "".join(
        f'<th scope="col" class="party"><a href="{escape(group_file(*g))}"><span>'
        f"{escape(group_name(*g, text))}</span></a></th>"
        for g in groups
    )
    rows = []
    for theme in results.themes.itertuples(index=False):
        rows.append(
            f'<tr class="theme"><th colspan="{len(groups) + 1}" scope="rowgroup">'
            f"{escape(theme.theme_id)}. {escape(theme.theme)}</th></tr>"
        )
        for item in results.items[results.items["theme_id"] == theme.theme_id].itertuples(index=False):
            cells = []
            for g in groups:
                key = (*g, item.item_id)
                if key not in shares.index:
                    cells.append('<td class="missing"></td>')
                    continue
                row = shares.loc[key]
                cells.append(
                    f'<td class="share" style="--share:{row.share_addressed:.3f}">'
                    f'<a href="{escape(group_file(*g))}#item-{escape(item.item_id)}">'
                    f"{int(row.addressed)}/{int(row.programmes)}</a></td>"
                )
            rows.append(
                f'<tr><th scope="row" class="item"><span class="id">{escape(item.item_id)}</span> '
                f"{escape(item.text)}</th>{''.join(cells)}</tr>"
            )
    failures = ""
    if not results.failures.empty:
        entries = "".join(f"<li>{escape(m)}</li>" for m in results.failures["message"])
        failures = f'<section class="failures"><h2>{escape(text["failures"])}</h2><ul>{entries}</ul></section>'
    heading = f"{text['title']}: {text['overview']}"
    body = (
        f"{_header(results, heading, text, back=False)}<main>"
        f'<section><h2>{escape(text["municipalities"])}</h2><ul class="groups">{summary}</ul></section>'
        f"{_comparison_list(counts, text) if counts is not None else ''}"
        f'<section><h2>{escape(text["shares"])}</h2><div class="scroll sticky-head"><table class="heatmap overview">'
        f'<thead><tr><th scope="col">{escape(text["item"])}</th>{head}</tr></thead><tbody>{"".join(rows)}</tbody>'
        f"</table></div></section>{failures}</main>"
    )
    return _page(heading, lang, body)


def write_html(results: Results, out: Path, lang: str = "nl", pdf_base: str | None = None) -> list[Path]:
    """Write the overview (``index.html``) and one report per (election, municipality) into ``out``."""
    ui_strings(lang)
    out.mkdir(parents=True, exist_ok=True)
    links = SourceLinks(results.programmes, out, pdf_base)
    pairs = programme_pairs(results)
    counts, found = change_counts(results, pairs), changes(results, pairs)
    overview = out / OVERVIEW_FILE
    overview.write_text(render_overview(results, lang, counts), encoding="utf-8")
    written = [overview]
    for election, municipality in results.groups():
        file = out / group_file(election, municipality)
        file.write_text(
            render_group(results.subset(election, municipality), links, lang, counts, found), encoding="utf-8"
        )
        written.append(file)
    return written

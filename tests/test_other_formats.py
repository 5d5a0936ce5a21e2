"""Word and HTML backends on files the tests write, and boilerplate removal on saved web text."""

from __future__ import annotations

import re
from pathlib import Path

import docx
import pytest

from conftest import require
from programmacheck.extract import ExtractionError
from programmacheck.extract.boilerplate import drop_boilerplate, web_paragraphs
from programmacheck.extract.docx_backend import DocxExtractor
from programmacheck.extract.html_backend import HtmlExtractor
from programmacheck.records import ExtractedDocument

HOUSING = "Wij bouwen meer sociale huurwoningen, zodat niemand op straat hoeft te slapen."
DEBT = "De gemeente helpt inwoners met schulden snel en zonder wachtlijst."
CARE = "Wie zorg nodig heeft, krijgt die dichtbij huis van een vaste hulpverlener."
LIST_ITEMS = (
    "Gratis schuldhulpverlening voor iedereen.",
    "Bijzondere bijstand zonder ingewikkelde formulieren.",
)


def _lines(document: ExtractedDocument) -> list[tuple[str, int | None]]:
    (page,) = document.pages
    assert page.number == 1
    assert all(line.break_before for line in page.lines)
    return [(line.text, line.heading_level) for line in page.lines]


# --- Word ---------------------------------------------------------------------------------------


def _word_file(path: Path) -> Path:
    document = docx.Document()
    document.add_heading("Verkiezingsprogramma 2026", level=1)
    document.add_paragraph(HOUSING)
    document.add_heading("Armoede en schulden", level=2)
    document.add_paragraph(DEBT)
    for item in LIST_ITEMS:
        document.add_paragraph(item, style="List Bullet")
    document.add_paragraph("")  # empty paragraphs are spacing, not text
    table = document.add_table(rows=2, cols=2)
    for row, cells in zip(table.rows, (("Thema", "Wat wij willen"), ("Zorg", CARE)), strict=True):
        for cell, text in zip(row.cells, cells, strict=True):
            cell.text = text
    document.add_heading("Tot slot", level=3)
    document.sections[0].footer.paragraphs[0].text = "Testpartij pagina"
    document.save(str(path))
    return path


def test_docx_reads_headings_lists_and_tables_in_order(tmp_path: Path) -> None:
    lines = _lines(DocxExtractor().extract(_word_file(tmp_path / "programma.docx")))
    assert lines == [
        ("Verkiezingsprogramma 2026", 1),
        (HOUSING, None),
        ("Armoede en schulden", 2),
        (DEBT, None),
        (f"• {LIST_ITEMS[0]}", None),
        (f"• {LIST_ITEMS[1]}", None),
        ("Thema | Wat wij willen", None),
        (f"Zorg | {CARE}", None),
        ("Tot slot", 3),
    ]


def test_docx_heading_level_follows_a_custom_style_based_on_a_heading(
    tmp_path: Path,
) -> None:
    document = docx.Document()
    custom = document.styles.add_style("Partijkop", 1)  # 1: paragraph style
    custom.base_style = document.styles["Heading 2"]
    document.add_paragraph("Wonen", style="Partijkop")
    document.add_paragraph(HOUSING)
    path = tmp_path / "eigen-stijl.docx"
    document.save(str(path))
    assert _lines(DocxExtractor().extract(path)) == [("Wonen", 2), (HOUSING, None)]


def test_docx_bad_and_empty_files_raise_one_line(tmp_path: Path) -> None:
    broken = tmp_path / "kapot.docx"
    broken.write_bytes(b"dit is geen zip")
    empty = tmp_path / "leeg.docx"
    docx.Document().save(str(empty))
    for path, problem in ((broken, "not a readable Word"), (empty, "empty file")):
        with pytest.raises(ExtractionError) as error:
            DocxExtractor().extract(path)
        assert str(path) in str(error.value) and problem in str(error.value)
        assert "\n" not in str(error.value)


# --- HTML ---------------------------------------------------------------------------------------

MENU = ("Home", "Nieuws", "Standpunten", "Contact")
COOKIE = "Wij gebruiken cookies om je de beste ervaring op onze website te bieden."
FOOTER = "Volg ons op Facebook en Instagram"

PAGE = f"""<!DOCTYPE html>
<html lang="nl"><head><meta charset="utf-8"><title>Ons programma | Testpartij</title></head><body>
<header><nav><ul>{"".join(f'<li><a href="/{item.lower()}">{item}</a></li>' for item in MENU)}</ul></nav></header>
<div id="cookie-banner" class="cookie-consent"><p>{COOKIE} Door verder te gaan ga je akkoord.</p>
<button>Accepteren</button><button>Cookie-instellingen</button></div>
<main><article>
<h1>Verkiezingsprogramma 2026</h1>
<p>{HOUSING} Daarom pakken wij dakloosheid samen met de zorg en de corporaties aan.</p>
<h2>Armoede en schulden</h2>
<p>{DEBT}</p>
<ul>{"".join(f"<li>{item}</li>" for item in LIST_ITEMS)}</ul>
<h3>Zorg</h3>
<p>{CARE}</p>
</article></main>
<aside><h3>Laatste nieuws</h3><ul><li><a href="/n1">Lees meer</a></li></ul></aside>
<footer><p>© 2026 Testpartij · Privacyverklaring · {FOOTER}</p></footer>
</body></html>"""


def test_html_keeps_the_article_with_its_structure_and_drops_the_chrome(
    tmp_path: Path,
) -> None:
    path = tmp_path / "programma.html"
    path.write_text(PAGE, encoding="utf-8")
    lines = _lines(HtmlExtractor().extract(path))
    assert [line for line in lines if line[1] is not None] == [
        ("Verkiezingsprogramma 2026", 1),
        ("Armoede en schulden", 2),
        ("Zorg", 3),
    ]
    texts = [text for text, _ in lines]
    assert texts[1].startswith(HOUSING)
    assert [f"• {item}" for item in LIST_ITEMS] == texts[4:6]
    assert texts[-1] == CARE
    everything = " ".join(texts)
    for chrome in (
        *MENU,
        "cookies",
        "Cookie-instellingen",
        "Accepteren",
        "Lees meer",
        FOOTER,
        "Privacyverklaring",
    ):
        assert not re.search(rf"\b{re.escape(chrome)}\b", everything), chrome


def test_html_without_main_text_raises(tmp_path: Path) -> None:
    path = tmp_path / "leeg.html"
    path.write_text("<html><body><nav><a href='/'>Home</a></nav></body></html>", encoding="utf-8")
    with pytest.raises(ExtractionError, match="no main text"):
        HtmlExtractor().extract(path)


# --- boilerplate in saved web text --------------------------------------------------------------


def test_boilerplate_joins_cut_sentences_and_drops_menus_banners_and_teasers() -> None:
    lines = [
        "Home", "Nieuws", "Standpunten", "Contact",
        "Onze plannen",
        "• Een", "sterk en vitaal centrum", ", met ruimte voor winkels en een markt.",
        "• Meer sociale huur op gemeentelijke grond",
        "Wij gebruiken cookies om je de beste ervaring op onze website te bieden.",
        "Accepteren", "Cookie-instellingen",
        "Lees meer", "02 februari 2026", "arrowRight", "Deel dit artikel", "facebook",
        "De gemeente helpt inwoners met schulden snel en", "zonder wachtlijst.",
    ]  # fmt: skip
    assert drop_boilerplate(lines) == [
        "Onze plannen",
        "• Een sterk en vitaal centrum, met ruimte voor winkels en een markt.",
        "• Meer sociale huur op gemeentelijke grond",
        f"{DEBT}",
    ]


def test_boilerplate_drops_chrome_repeated_on_every_page_but_keeps_one_copy_of_a_teased_text() -> None:
    footer = "Doe mee met ons en word vandaag nog lid van de partij, het kan al vanaf twee euro."
    pages = [[f"Pagina {number} over wonen", HOUSING if number < 2 else DEBT, footer, ""] for number in range(3)]
    kept = drop_boilerplate([line for page in pages for line in page])
    assert footer not in kept
    assert kept.count(HOUSING) == 1 and DEBT in kept


HEILOO_CHROME = (
    "Lees meer", "Lees verder", "Meer nieuws", "arrowDown", "chevronLeft", "Accepteren", "Weigeren",
    "Beheer toestemming", "Voorkeuren opslaan", "Sluit zoekvenster", "Lees voor", "Naar inhoud", "Naar footer",
    "Deel dit artikel", "Kopier link", "Kandidaat raadslid", "Kandidaat-raadslid", "Delen", "Share",
)  # fmt: skip
_CHROME_LONG = re.compile(r"cookie|technische opslag|technical storage", re.IGNORECASE)


@pytest.mark.slow
def test_boilerplate_on_saved_party_websites(corpus_dir: Path) -> None:
    files = sorted((corpus_dir / "gr2026" / "heiloo").glob("*.txt"))
    require(len(files) >= 3, "the Heiloo web texts are absent")
    for path in files:
        lines = path.read_text(encoding="utf-8").splitlines()
        kept = drop_boilerplate(lines)
        kept_set = set(kept)
        for chrome in HEILOO_CHROME:
            assert chrome not in kept_set, (path.name, chrome)
        assert not [paragraph for paragraph in kept if _CHROME_LONG.search(paragraph)], path.name
        # Programme text: long paragraphs that are no banner and no site-wide repeat.
        paragraphs = web_paragraphs(lines)
        long = {
            p for p in paragraphs if len(p.split()) >= 20 and not _CHROME_LONG.search(p) and paragraphs.count(p) < 3
        }
        assert len(long & kept_set) >= 0.9 * len(long), path.name
        assert len(kept) < 0.5 * len(paragraphs), path.name  # most saved lines are chrome

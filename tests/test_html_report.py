"""The HTML report: self-contained, escaped, complete, and working in a real (headless) browser."""

from __future__ import annotations

import html
import io
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from conftest import require_command
from programmacheck.html_report import OVERVIEW_FILE, group_file, ui_strings, write_html
from programmacheck.links import SourceLinks
from programmacheck.results import load_results
from report_fixtures import ALL_ADDRESS, GAP_ITEM, HOSTILE, HOSTILE_QUOTE, headless_chromium, report_out  # noqa: F401

LINDEWAARD = group_file("gr2026", "Lindewaard")
PARTIES = 3
ITEMS = 35


@pytest.fixture(scope="module")
def report_dir(report_out: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("html")
    write_html(load_results(report_out), out)
    return out


def test_one_file_per_group_and_an_overview(report_dir: Path) -> None:
    assert sorted(p.name for p in report_dir.iterdir()) == sorted(
        [OVERVIEW_FILE, "gr2022-lindewaard.html", LINDEWAARD, "gr2026-oosterbroek.html"]
    )
    overview = (report_dir / OVERVIEW_FILE).read_text()
    for name in ("gr2022-lindewaard.html", LINDEWAARD, "gr2026-oosterbroek.html"):
        assert f'href="{name}"' in overview
    assert "scan-zonder-tekst.pdf" in overview  # the failure is listed


def test_self_contained(report_dir: Path) -> None:
    for file in report_dir.iterdir():
        page = file.read_text()
        assert not re.search(r"<link\b|<script\s[^>]*src=|@import|url\(|<img\b|<iframe\b", page), file.name
        assert "<style>" in page and "<script>" in page


def test_text_is_escaped(report_dir: Path) -> None:
    page = (report_dir / LINDEWAARD).read_text()
    assert HOSTILE_QUOTE not in page and "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "Orde &amp; Eigen Kracht" in page


def test_one_cell_per_party_and_item(report_dir: Path) -> None:
    page = (report_dir / LINDEWAARD).read_text()
    assert len(re.findall(r'<td class="cell v-', page)) == PARTIES * ITEMS
    assert len(re.findall(r'<div class="evidence" id=', page)) == PARTIES * ITEMS


def test_gap_list(report_dir: Path) -> None:
    gaps = (report_dir / LINDEWAARD).read_text().split('id="gaps"', 1)[1]
    assert f'href="#item-{GAP_ITEM}"' in gaps and f'href="#item-{ALL_ADDRESS}"' not in gaps


def test_labels_follow_the_language(report_out: Path, tmp_path: Path) -> None:
    write_html(load_results(report_out), tmp_path, lang="en")
    english = (tmp_path / LINDEWAARD).read_text()
    assert '<html lang="en">' in english and "By item and party" in english and "Per punt" not in english
    with pytest.raises(ValueError, match="unknown report language"):
        ui_strings("fr")


def test_source_links_join_the_base_with_the_name_below_the_corpus_root(tmp_path: Path) -> None:
    programmes = pd.DataFrame(
        {
            "document": ["gr2026/a/x.pdf", "gr2026/b/y y.pdf", "gr2026/b/z.md", "gr2026/c/web"],
            "url": ["", "https://party.example/y.pdf", "", ""],
            "path": [
                str(tmp_path / "corpus" / d)
                for d in ("gr2026/a/x.pdf", "gr2026/b/y y.pdf", "gr2026/b/z.md", "gr2026/c/web")
            ],
        }
    )
    by_base = SourceLinks(programmes, tmp_path, "https://example.org/progs/")
    assert by_base.href("gr2026/b/y y.pdf", 7) == "https://example.org/progs/gr2026/b/y%20y.pdf#page=7"
    assert by_base.href("gr2026/b/z.md", 1) == "https://example.org/progs/gr2026/b/z.md"
    assert by_base.href("gr2026/c/web", 1, "wonen.md › Wonen") == "https://example.org/progs/gr2026/c/web/wonen.md"
    own = SourceLinks(programmes, tmp_path / "report")
    assert own.href("gr2026/b/y y.pdf", 3) == "https://party.example/y.pdf#page=3"  # the manifest's url
    target = own.href("gr2026/a/x.pdf", 2)
    assert target.endswith("#page=2")
    assert (tmp_path / "report" / target.split("#")[0]).resolve() == tmp_path / "corpus" / "gr2026" / "a" / "x.pdf"
    assert own.href("gr2026/c/web", 1, "wonen.md") == "../corpus/gr2026/c/web/wonen.md"


def test_a_folder_without_manifest_or_layout_gets_a_title_and_a_warning_about_party_names(
    report_out: Path, tmp_path: Path
) -> None:
    out = shutil.copytree(report_out, tmp_path / "out")
    verdicts = pd.read_csv(out / "verdicts.csv", dtype=str, keep_default_na=False)
    verdicts = verdicts[verdicts["municipality"] == "Oosterbroek"].assign(election="", municipality="", year="")
    verdicts.to_csv(out / "verdicts.csv", index=False)
    details = pd.read_csv(out / "programmes.csv", dtype=str, keep_default_na=False).assign(party_from="file name")
    details.to_csv(out / "programmes.csv", index=False)
    written = write_html(load_results(out), tmp_path / "report")
    assert [p.name for p in written] == [OVERVIEW_FILE, "programmes.html"]
    page = written[1].read_text()
    assert "<h1>Programmacheck: Zonder verkiezing en gemeente</h1>" in page
    assert "komen uit bestandsnamen" in page and "Groen Oosterbroek" in page.split('class="warning"', 1)[1]
    assert "2 programma&#x27;s" in written[0].read_text()  # html-escaped apostrophe
    verdicts[verdicts["party"] == "Dorpsbelang"].to_csv(out / "verdicts.csv", index=False)
    alone = write_html(load_results(out), tmp_path / "alone")[0].read_text()
    assert "1 programma," in alone


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory):
    chromium, chromedriver = require_command("chromium"), require_command("chromedriver")
    driver = headless_chromium(chromium, chromedriver, tmp_path_factory.mktemp("chromium-profile"))
    yield driver
    driver.quit()


@pytest.mark.slow
def test_report_in_a_browser(browser, report_out: Path, tmp_path: Path) -> None:
    from PIL import Image
    from selenium.webdriver.common.by import By

    write_html(load_results(report_out), tmp_path, pdf_base="https://example.org/pdf")
    browser.get((tmp_path / OVERVIEW_FILE).as_uri())
    browser.find_element(By.LINK_TEXT, "Lindewaard (GR2026)").click()
    assert browser.current_url == (tmp_path / LINDEWAARD).as_uri()
    cells = browser.find_elements(By.CSS_SELECTOR, "td.cell")
    assert len(cells) == PARTIES * ITEMS
    panel = browser.find_element(By.ID, "detail")
    assert not panel.find_elements(By.CSS_SELECTOR, ".evidence:not([hidden])")

    row = browser.find_element(By.ID, f"item-{HOSTILE[1]}")
    row.find_elements(By.CSS_SELECTOR, "td.cell button")[2].click()  # the third party: Orde & Eigen Kracht
    shown = panel.find_elements(By.CSS_SELECTOR, ".evidence:not([hidden])")
    assert len(shown) == 1 and shown[0].is_displayed()
    assert shown[0].find_element(By.TAG_NAME, "blockquote").text == HOSTILE_QUOTE
    link = shown[0].find_element(By.CSS_SELECTOR, "a.source")
    assert link.get_attribute("href") == "https://example.org/pdf/gr2026/lindewaard/orde-en-eigen-kracht.pdf#page=2"
    assert link.text == "p. 2"

    row.find_elements(By.CSS_SELECTOR, "td.cell button")[0].click()  # another cell replaces it
    shown = panel.find_elements(By.CSS_SELECTOR, ".evidence:not([hidden])")
    assert len(shown) == 1 and HOSTILE_QUOTE not in shown[0].text
    assert not browser.find_elements(By.CSS_SELECTOR, "td.cell .evidence:not([hidden])")  # on screen: in the panel only

    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == []
    image = Image.open(io.BytesIO(browser.get_screenshot_as_png())).convert("RGB")
    assert len(image.getcolors(maxcolors=1 << 24)) > 50


@pytest.mark.slow
def test_party_header_stays_in_view_while_scrolling_the_table(browser, report_out: Path, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    write_html(load_results(report_out), tmp_path)
    browser.get((tmp_path / LINDEWAARD).as_uri())
    box = browser.find_element(By.CSS_SELECTOR, ".matrix .sticky-head")
    header = browser.find_elements(By.CSS_SELECTOR, "th.party")[0]
    browser.execute_script("arguments[0].scrollIntoView(); arguments[0].scrollTop = 1500;", box)
    assert browser.execute_script("return arguments[0].scrollTop", box) > 1000  # the table did scroll
    box_top = browser.execute_script("return arguments[0].getBoundingClientRect().top", box)
    rect = browser.execute_script("return arguments[0].getBoundingClientRect()", header)
    assert abs(rect["top"] - box_top) < 2
    on_top = browser.execute_script(
        "return document.elementFromPoint(arguments[0], arguments[1]).closest('th')",
        rect["left"] + rect["width"] / 2,
        rect["top"] + rect["height"] / 2,
    )
    assert on_top == header


def without_spaces(text: str) -> str:
    """Text as a PDF holds it, without the line breaks a narrow cell puts in (even between '")' and '</')."""
    return re.sub(r"\s+", "", text)


@pytest.mark.slow
def test_the_pdf_holds_every_quote_of_the_screen_version(report_out: Path, tmp_path: Path) -> None:
    import pypdfium2

    from programmacheck.pdf_report import write_pdf

    require_command("chromium")
    results = load_results(report_out)
    written = write_pdf(results, tmp_path / "pdf")
    assert sorted(p.name for p in written) == sorted(
        Path(name).with_suffix(".pdf").name
        for name in (OVERVIEW_FILE, "gr2022-lindewaard.html", LINDEWAARD, "gr2026-oosterbroek.html")
    )
    screen = tmp_path / "html"
    write_html(results, screen)
    for pdf_file in written[1:]:
        quotes = {
            html.unescape(q)
            for q in re.findall(
                r"<blockquote>(.*?)</blockquote>", (screen / pdf_file.with_suffix(".html").name).read_text()
            )
        }
        document = pypdfium2.PdfDocument(pdf_file)
        printed = without_spaces(" ".join(page.get_textpage().get_text_range() for page in document))
        assert len(document) > 1 and len(quotes) > 20
        missing = [q for q in quotes if without_spaces(q) not in printed]
        assert missing == [], f"{pdf_file.name}: {len(missing)} of {len(quotes)} quotes missing"
        assert "Klikopeenvakje" not in printed and "Onderelkvakje" in printed
        document.close()


@pytest.mark.slow
def test_dalfsen_shows_the_pdf_and_the_web_version_of_one_party_apart(corpus_dir: Path, tmp_path: Path) -> None:
    """The VVD's PDF and its web pages: two columns told apart, web quotes linked to their page file."""
    from programmacheck.cli import main

    out = tmp_path / "out"
    assert (
        main(
            [
                "scan",
                str(corpus_dir / "gr2026" / "dalfsen"),
                "--manifest",
                str(corpus_dir / "manifest.csv"),
                "--out",
                str(out),
                "-q",
            ]
        )
        == 0
    )
    results = load_results(out)
    assert sorted(results.programmes["label"]) == ["VVD (vvd-web)", "VVD (vvd.pdf)"]
    page = write_html(results, tmp_path / "report")[1].read_text()
    web = results.evidence[results.evidence["document"] == "gr2026/dalfsen/vvd-web"]
    assert not web.empty
    for quote in web.itertuples(index=False):
        name = quote.section.split(" › ")[0]
        assert name.endswith(".md") and (corpus_dir / "gr2026" / "dalfsen" / "vvd-web" / name).is_file()
        assert f'vvd-web/{name}" target="_blank" rel="noopener">{name}</a>' in page

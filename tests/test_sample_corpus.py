"""The sample corpus (corpus/samples) stays consistent with its script, its labels and the checklist.

The samples feed the README demo and other tests, and ``expected.json`` is used to score the tool,
so a label whose quote no longer occurs in its programme, or a PDF that no longer matches its
source, would silently make those results meaningless.  All checks here are fast (two small files
through pdfplumber, one PDF rebuilt in memory).
"""

from __future__ import annotations

import csv
import importlib.util
import json
import re
import sys
from functools import cache
from pathlib import Path

import pdfplumber
import pytest

from conftest import REPO_ROOT, require

SAMPLES = REPO_ROOT / "corpus" / "samples"
SAMPLE_PDF = SAMPLES / "gr2026" / "lindewaard" / "samen-lindewaard.pdf"
SCRIPT = REPO_ROOT / "scripts" / "make_sample_pdf.py"
LABELS = {"addressed", "partial", "contrary", "absent"}
DOCUMENT_SUFFIXES = {".pdf", ".txt", ".md"}

MM = 72 / 25.4  # PDF points per millimetre
# Body area of a content page of the sample PDF: below the running header, above the page number
# (see scripts/make_sample_pdf.py).  Reading it column by column gives the text in reading order.
BODY_TOP_PT = 24 * MM
BODY_BOTTOM_MARGIN_PT = 17 * MM

# A hyphen at a line end between letters, the next line starting in lower case: a word split by
# the typesetter ("schuldhulp-" / "verlening").  "zorg- en" keeps its hyphen because it is
# followed by a space on the same line.
LINE_END_HYPHEN = re.compile(r"(?<=[^\W\d_])-\n(?=[a-zà-ÿ])")


def normalise(text: str) -> str:
    """Join typesetter hyphenation and collapse whitespace, as a reader copying a quote would."""
    return re.sub(r"\s+", " ", LINE_END_HYPHEN.sub("", text)).strip()


def column_text(page: pdfplumber.page.Page) -> str:
    """The body of one two-column page: the left column, then the right one."""
    top, bottom, middle = BODY_TOP_PT, page.height - BODY_BOTTOM_MARGIN_PT, page.width / 2
    left = page.crop((0, top, middle, bottom)).extract_text() or ""
    right = page.crop((middle, top, page.width, bottom)).extract_text() or ""
    return f"{left}\n{right}"


@cache
def read_pdf(path: Path) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Per page: pdfplumber's plain ``extract_text()``, and the raw column-by-column body text.

    Cached because pdfplumber needs a good part of a second per page.
    """
    with pdfplumber.open(path) as pdf:
        plain = tuple(page.extract_text() or "" for page in pdf.pages)
        columns = tuple(column_text(page) for page in pdf.pages)
    return plain, columns


def plain_pages(path: Path) -> tuple[str, ...]:
    """Page texts exactly as pdfplumber's default ``extract_text()`` gives them."""
    return read_pdf(path)[0]


def pdf_body_pages(path: Path) -> tuple[str, ...]:
    """Normalised body text of each page (index 0 is page 1)."""
    return tuple(normalise(text) for text in read_pdf(path)[1])


def document_pages(document: str) -> tuple[str, ...]:
    """Normalised text per page; a text or Markdown file is a single page 1."""
    path = SAMPLES / document
    if path.suffix == ".pdf":
        return pdf_body_pages(path)
    return (normalise(path.read_text(encoding="utf-8")),)


@cache
def expected() -> dict:
    return json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8"))


def programmes() -> list[dict]:
    return expected()["programmes"]


def programme(name: str) -> dict:
    (found,) = [p for p in programmes() if Path(p["document"]).stem == name]
    return found


def checklist_ids() -> list[str]:
    """Ids of the default checklist; the shared items.csv is the fallback if the YAML is unusable."""
    try:
        from programmacheck.checklist import load_checklist

        return [item.id for item in load_checklist().checklist.items]
    except Exception:  # the bundled checklist is being written by someone else; fall back
        shared_items = REPO_ROOT.parent / "shared" / "eval" / "items.csv"
        require(shared_items.is_file(), "neither the default checklist nor ../shared/eval/items.csv is usable")
        with shared_items.open(encoding="utf-8") as f:
            return [row["id"] for row in csv.DictReader(f)]


def load_pdf_script():
    """Import scripts/make_sample_pdf.py (scripts/ is not a package)."""
    try:
        import fpdf  # noqa: F401  (dev dependency; the script needs it)
    except ImportError:
        require(False, "fpdf2 is not installed (pip install -e '.[dev]')")
    spec = importlib.util.spec_from_file_location("make_sample_pdf", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is created
    spec.loader.exec_module(module)
    return module


def test_regenerated_pdf_has_the_committed_text(tmp_path: Path) -> None:
    script = load_pdf_script()
    rebuilt = tmp_path / "samen-lindewaard.pdf"
    script.main(["--output", str(rebuilt)])
    assert plain_pages(rebuilt) == plain_pages(SAMPLE_PDF), (
        "the committed sample PDF is out of date: run python scripts/make_sample_pdf.py"
    )


def test_sample_pdf_keeps_its_layout_traps() -> None:
    """The features the PDF exists for: page count, size, running header, hyphenation."""
    assert SAMPLE_PDF.stat().st_size < 200_000
    pages = plain_pages(SAMPLE_PDF)
    assert 6 <= len(pages) <= 9
    for number, text in enumerate(pages[1:], start=2):
        assert text.splitlines()[0].startswith("Samen Lindewaard · Verkiezingsprogramma"), number
        assert text.splitlines()[-1].strip() == str(number)
    raw_columns = "\n".join(read_pdf(SAMPLE_PDF)[1])
    assert LINE_END_HYPHEN.search(raw_columns), "no word is hyphenated at a line end any more"
    assert "zorg- en welzijnsinstellingen" in " ".join(pdf_body_pages(SAMPLE_PDF))


def test_manifest_lists_exactly_the_sample_documents() -> None:
    with (SAMPLES / "manifest.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    on_disk = {
        p.relative_to(SAMPLES).as_posix()
        for p in SAMPLES.rglob("*")
        if p.suffix in DOCUMENT_SUFFIXES and p.parent != SAMPLES / "src"
    }
    assert {row["path"] for row in rows} == on_disk
    assert {p["document"] for p in programmes()} == on_disk
    for row in rows:
        election, municipality, _ = row["path"].split("/")
        assert (row["election"], row["municipality"].lower(), row["format"]) == (
            election,
            municipality,
            Path(row["path"]).suffix[1:],
        )
    pdf_row = next(row for row in rows if row["format"] == "pdf")
    assert int(pdf_row["pages"]) == len(plain_pages(SAMPLE_PDF))


@pytest.mark.parametrize("index", range(3))
def test_expected_labels_cover_every_checklist_item_once(index: int) -> None:
    labels = programmes()[index]["labels"]
    assert [entry["id"] for entry in labels] == checklist_ids()
    for entry in labels:
        assert entry["label"] in LABELS, entry["id"]
        assert entry["note"], entry["id"]
        assert bool(entry["evidence"]) == (entry["label"] != "absent"), entry["id"]


def test_every_evidence_quote_is_verbatim_on_its_page() -> None:
    missing = []
    for prog in programmes():
        pages = document_pages(prog["document"])
        for entry in prog["labels"]:
            for evidence in entry["evidence"]:
                quote, page = evidence["quote"], evidence["page"]
                assert len(quote.split()) <= 40, (prog["document"], entry["id"])
                if not (1 <= page <= len(pages) and normalise(quote) in pages[page - 1]):
                    missing.append((prog["document"], entry["id"], page, quote))
    assert not missing


def test_the_rejecting_party_has_contrary_labels() -> None:
    labels = {e["id"]: e["label"] for e in programme("orde-en-eigen-kracht")["labels"]}
    assert sum(label == "contrary" for label in labels.values()) >= 5


def test_near_misses_of_the_rejecting_party_are_absent() -> None:
    """Its text mentions drugshandel, kinderopvang and municipal debt; none of those is an item."""
    text = document_pages("gr2026/lindewaard/orde-en-eigen-kracht.txt")[0]
    for near_miss in ("drugshandel", "kinderopvang", "schulden van de gemeente", "opvang van zwerfkatten"):
        assert near_miss in text
    labels = {e["id"]: e["label"] for e in programme("orde-en-eigen-kracht")["labels"]}
    assert labels["3.4"] == labels["8.2"] == labels["5.2"] == "absent"

"""Scanned PDFs: detecting pages without a usable text layer, OCR with ocrmypdf, and its absence."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from wordfreq import zipf_frequency

from conftest import require_command
from programmacheck.extract.ocr import (
    INSTALL_HINT,
    OcrUnavailable,
    dithered_pages,
    needs_ocr,
    ocr_command,
    ocr_pdf,
    page_text_quality,
    unavailable_message,
)

NORMAL_PAGE = (
    "Wonen en armoede\n"
    "Wij willen dat iedereen in onze gemeente een betaalbaar huis heeft. Daarom bouwen wij de komende\n"
    "vier jaar tweeduizend sociale huurwoningen en pakken wij dakloosheid samen met de zorg aan.\n"
    "De gemeente helpt inwoners met schulden snel en zonder wachtlijst (zie ook www.example.nl).\n"
    "• 40% betaalbaar bij nieuwbouw, 12 flexwoningen per jaar\n"
)
GARBAGE_PAGE = "n\ng\n#\nff>\n[\nE\n.7\n<:\"I\nt\n4\nEff>\ne:\n=5\n0a\nC') ..eff>\ns\n#·ff> r o ~ :ii;- 5· gs tr ge\n"
_WORD = re.compile(r"[^\W\d_]{2,}")


def _page_texts(path: Path) -> list[str]:
    document = pdfium.PdfDocument(path)
    try:
        return [document[index].get_textpage().get_text_range() for index in range(len(document))]
    finally:
        document.close()


def _image_colour_spaces(path: Path) -> list[int]:
    document = pdfium.PdfDocument(path)
    try:
        return [
            image.get_metadata().colorspace
            for page in document
            for image in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE])
        ]
    finally:
        document.close()


def test_quality_separates_dutch_text_from_garbage() -> None:
    assert page_text_quality(NORMAL_PAGE) > 0.85
    assert page_text_quality(GARBAGE_PAGE) < 0.2
    assert page_text_quality("") == 0.0


def test_needs_ocr_flags_empty_and_garbage_pages_only() -> None:
    divider = "Hoofdstuk 3\nZorg en welzijn voor iedereen in onze gemeente"  # a short page of real words
    assert needs_ocr([NORMAL_PAGE, "", GARBAGE_PAGE, divider, "12"]) == [2, 3, 5]


def test_missing_ocrmypdf_gives_one_line_naming_pages_and_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no ocrmypdf, no tesseract
    with pytest.raises(OcrUnavailable) as error:
        ocr_pdf(tmp_path / "scan.pdf", [1, 3])
    message = unavailable_message(Path("scan.pdf"), [3, 1], error.value)
    assert (
        message
        == f"scan.pdf: pages 1, 3 have no usable text layer and were skipped: ocrmypdf is not installed (install with: {INSTALL_HINT})"
    )


def test_missing_dutch_language_data_is_reported(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name, script in (
        ("ocrmypdf", "exit 0"),
        ("tesseract", 'echo "List of available languages (1):"; echo eng'),
    ):
        fake = tmp_path / name
        fake.write_text(f"#!/bin/sh\n{script}\n")
        fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(OcrUnavailable, match="no Dutch language data .*tesseract-ocr-nld"):
        ocr_command()


@pytest.mark.slow
def test_garbage_ocr_layer_is_detected(corpus_dir: Path) -> None:
    assert needs_ocr(_page_texts(corpus_dir / "edge" / "scanned-1971-garbage-ocr-layer.pdf")) == [1, 2, 3, 4]


@pytest.mark.slow
def test_real_programme_pages_are_not_sent_to_ocr(corpus_dir: Path) -> None:
    texts = _page_texts(corpus_dir / "edge" / "landing-page-print-partij-voor-morgen.pdf")
    assert needs_ocr(texts) == []  # its last page is only a browser's print footer: still not a scan


def test_dithered_scans_are_told_from_crisp_ones(tmp_path: Path) -> None:
    """A 1-bit scan of grey type is dithered into loose dots, which OCR must see blurred; black
    type scanned to 1-bit stays solid strokes."""
    from PIL import Image, ImageDraw

    def scan(ink: int) -> Image.Image:
        page = Image.new("L", (1240, 1754), 255)
        draw = ImageDraw.Draw(page)
        for row in range(20):
            for column in range(30):  # letter-sized strokes, 24 × 40 px
                left, top = 60 + column * 38, 80 + row * 80
                draw.rectangle((left, top, left + 24, top + 40), fill=ink)
        return page.convert("1")  # Floyd–Steinberg dithering, as a 1-bit scanner does

    pdf = tmp_path / "scans.pdf"
    crisp, grey = scan(0), scan(150)
    crisp.save(pdf, save_all=True, append_images=[grey, crisp.convert("L")], resolution=150)
    assert dithered_pages(pdf, [1, 2, 3]) == [2]


@pytest.mark.slow
def test_scanned_pages_read_as_dutch_after_ocr(corpus_dir: Path, tmp_path: Path) -> None:
    require_command("ocrmypdf")
    scan = corpus_dir / "edge" / "scanned-1948-no-text-layer.pdf"
    pages = needs_ocr(_page_texts(scan))
    assert pages == [1, 2, 3]
    assert dithered_pages(scan, pages) == [1, 2, 3]  # a dithered stencil: blurred before OCR
    started = time.perf_counter()
    output = ocr_pdf(scan, pages, tmp_path / "ocr.pdf")
    seconds = time.perf_counter() - started
    words = _WORD.findall(" ".join(_page_texts(output)))
    dutch = sum(zipf_frequency(word.lower(), "nl") > 1 for word in words)
    print(f"OCR: {seconds / len(pages):.1f} s/page, {len(words)} words, {dutch / len(words):.0%} Dutch")
    # Unblurred, Tesseract reads ~250 words of the three pages; blurred, ~600 after the plugin
    # has dropped the words it is unsure of, 80 % and more of them Dutch.
    assert len(words) >= 450
    assert dutch / len(words) >= 0.8


@pytest.mark.slow
def test_extract_file_ocrs_a_scanned_programme_and_marks_its_paragraphs(corpus_dir: Path) -> None:
    require_command("ocrmypdf")
    from programmacheck.extract import extract_file
    from programmacheck.segment import paragraphs

    scan = corpus_dir / "edge" / "scanned-1948-no-text-layer.pdf"
    document = extract_file(scan)
    assert all(page.ocr for page in document.pages)
    assert any("read by OCR" in warning for warning in document.warnings)
    found = paragraphs("scan", document)
    assert found and all(p.ocr for p in found)
    assert sum(len(p.text.split()) for p in found) >= 200


@pytest.mark.slow
def test_a_coarse_scan_under_a_garbage_layer_is_rerendered_and_reads_as_dutch(corpus_dir: Path, tmp_path: Path) -> None:
    """The 1971 scan (100 dpi images under an old OCR layer) is OCR'd from a 200 dpi grayscale
    rendering instead of ocrmypdf's 400 dpi raster, which ocrmypdf and Tesseract read as grey: the
    old layer is gone, the new one is Dutch."""
    require_command("ocrmypdf")
    scan = corpus_dir / "edge" / "scanned-1971-garbage-ocr-layer.pdf"
    output = ocr_pdf(scan, [1, 2, 3, 4], tmp_path / "ocr.pdf")
    rendered = tmp_path / "rendered-ocr.pdf"
    assert rendered.exists() and _page_texts(rendered) == ["", "", "", ""]
    assert _image_colour_spaces(rendered) == [pdfium_c.FPDF_COLORSPACE_DEVICEGRAY] * 4  # not colour to ocrmypdf
    texts = _page_texts(output)
    assert all(page_text_quality(text) >= 0.85 for text in texts)
    # The new layer follows the scan's slight skew; the extractor keeps those lines all the same.
    from programmacheck.extract.pdfium_backend import PdfiumExtractor

    kept = sum(len(line.text.split()) for page in PdfiumExtractor().extract(output).pages for line in page.lines)
    assert kept >= 0.95 * sum(len(text.split()) for text in texts)


def test_the_ocrmypdf_plugin_drops_uncertain_words_and_blurs_only_the_pages_named() -> None:
    """Run in ocrmypdf's own Python, as ocrmypdf loads it."""
    import shutil
    import subprocess

    require_command("ocrmypdf")
    from programmacheck.extract.ocr import PLUGIN

    python = Path(shutil.which("ocrmypdf")).read_text(errors="replace").splitlines()[0].removeprefix("#!").split()
    check = f"""
import runpy
from types import SimpleNamespace
from PIL import Image
plugin = runpy.run_path({str(PLUGIN)!r})
word = "<span class='ocrx_word' id='w{{0}}' title='bbox 1 2 3 4; x_wconf {{1}}'>{{2}}</span>"
line = " ".join(word.format(i, conf, text) for i, (conf, text) in enumerate([(91, "wonen"), (12, "oorlogegevaer"), (50, "eerst")]))
print(plugin["drop_uncertain_words"](line).count("ocrx_word"))
page = lambda number, listed: SimpleNamespace(pageno=number - 1, options=SimpleNamespace(dedither_pages=listed))
image = Image.new("1", (60, 40), 1)
print(plugin["filter_ocr_image"](page(2, "1,3"), image), plugin["filter_ocr_image"](page(1, ""), image))
print(plugin["filter_ocr_image"](page(3, "1,3"), image).mode)
"""
    done = subprocess.run([*python, "-c", check], capture_output=True, text=True, check=False, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["2", "None", "None", "L"]


def test_a_lane_waiting_for_ocrmypdf_lets_the_other_lanes_read(monkeypatch):
    from programmacheck.extract import ocr
    from programmacheck.turns import Turns

    TEXT_WORK = Turns()  # as an engine's text_work
    turn_free_meanwhile = []

    def fake_run(*args, **kwargs):
        free = TEXT_WORK._lock.acquire(blocking=False)
        if free:
            TEXT_WORK._lock.release()
        turn_free_meanwhile.append(free)

    monkeypatch.setattr(ocr.subprocess, "run", fake_run)
    with TEXT_WORK:
        ocr._run_ocr(["ocrmypdf"], pages=1, step_aside=TEXT_WORK.paused)
        assert TEXT_WORK._lock.locked()  # taken back after
    assert turn_free_meanwhile == [True]


def test_extraction_steps_aside_while_ocr_runs(monkeypatch, tmp_path: Path) -> None:
    """``extract_file(step_aside=...)`` enters it around the OCR subprocess, and only there."""
    from contextlib import contextmanager

    from fpdf import FPDF
    from PIL import Image

    from programmacheck.extract import extract_file, ocr

    picture = tmp_path / "scan.png"
    Image.new("RGB", (200, 280), "white").save(picture)
    scan = FPDF()
    scan.add_page()
    scan.image(str(picture), x=10, y=10, w=190)
    scan.output(str(tmp_path / "scan.pdf"))

    aside = []
    active_during_ocr = []

    @contextmanager
    def step_aside():
        aside.append(True)
        try:
            yield
        finally:
            aside.pop()

    def fake_ocrmypdf(arguments, **kwargs):
        active_during_ocr.append(bool(aside))
        read = FPDF()
        read.add_page()
        read.set_font("helvetica", size=12)
        read.multi_cell(0, 8, NORMAL_PAGE.replace("•", "-").replace("\n", " "))
        read.output(arguments[-1])

    monkeypatch.setattr(ocr, "ocr_command", lambda: "ocrmypdf")
    monkeypatch.setattr(ocr.subprocess, "run", fake_ocrmypdf)
    document = extract_file(tmp_path / "scan.pdf", step_aside=step_aside)
    assert active_during_ocr == [True] and not aside
    assert document.pages[0].ocr and "betaalbaar huis" in " ".join(line.text for line in document.pages[0].lines)

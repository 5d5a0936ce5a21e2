"""The HTML report as PDF files, printed by headless Chromium (``report --format pdf``).

Why Chromium: the report's print stylesheet (every quote under its cell, colours kept, the
header row repeated on each page) is what the PDF should show, and a browser is what renders
that stylesheet faithfully; Chromium is maintained, offline, and prints with one command.  The
PDF is exactly what a user gets from "print → save as PDF" in the browser.

The browser is the first of ``BROWSERS`` on the PATH, or the program named by the
``PROGRAMMACHECK_BROWSER`` environment variable.  Each report page (the overview and one per
municipality and election) becomes one PDF beside where its HTML would be.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from .html_report import write_html
from .results import Results

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
BROWSER_SETTING = "PROGRAMMACHECK_BROWSER"
#: Seconds one page may take to print; the largest municipal report prints in a few.
PRINT_TIMEOUT = 180
_FLAGS = (
    "--headless",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-pdf-header-footer",
)


class PdfError(RuntimeError):
    """No browser to print with, or printing failed; ``str()`` is one line saying which."""


def find_browser() -> str:
    """The Chromium (or Chrome) to print with."""
    given = os.environ.get(BROWSER_SETTING)
    if given:
        found = shutil.which(given)
        if not found:
            raise PdfError(f"{BROWSER_SETTING}={given}: no such program")
        return found
    for name in BROWSERS:
        if found := shutil.which(name):
            return found
    raise PdfError(
        f"--format pdf needs Chromium or Chrome ({', '.join(BROWSERS)}) on the PATH, or {BROWSER_SETTING} naming one"
    )


def print_to_pdf(html: Path, pdf: Path, browser: str) -> None:
    """Print one HTML file to PDF with the browser's print stylesheet."""
    with tempfile.TemporaryDirectory(prefix="programmacheck-browser-") as profile:
        flags = [*_FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={pdf.resolve()}"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            flags.append("--no-sandbox")  # Chromium refuses to run as root inside its sandbox
        try:
            done = subprocess.run(
                [browser, *flags, html.resolve().as_uri()],
                capture_output=True,
                text=True,
                timeout=PRINT_TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise PdfError(f"{html}: {browser} did not print it within {PRINT_TIMEOUT} s") from exc
    if done.returncode != 0 or not pdf.is_file() or pdf.stat().st_size == 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise PdfError(f"{html}: {browser} could not print it to PDF (exit {done.returncode}: {last})")


def write_pdf(results: Results, out: Path, lang: str = "nl", pdf_base: str | None = None) -> list[Path]:
    """Write one PDF per report page (``index.pdf`` and one per municipality and election) into ``out``."""
    browser = find_browser()
    out.mkdir(parents=True, exist_ok=True)
    written = []
    # The HTML is printed from a folder inside ``out``, so its relative source links still resolve.
    with tempfile.TemporaryDirectory(prefix=".html-", dir=out) as folder:
        for html in write_html(results, Path(folder), lang, pdf_base):
            pdf = out / html.with_suffix(".pdf").name
            print_to_pdf(html, pdf, browser)
            written.append(pdf)
    return written

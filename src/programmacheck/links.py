"""Links from a quote to the page of its source, shared by the HTML report and the workbook.

A report is mailed, printed and opened on other machines, so a link should survive that.  In
order of preference a quote links to:

1. ``--pdf-base`` joined with the programme's ``document`` name (its path below the corpus
   root, so ``https://example.org/pdfs`` + ``gr2026/amsterdam/cda.pdf``): the user asked for it;
2. the party's own copy, the manifest's ``url`` column;
3. the file where the scan read it, relative to the report folder (works on the machine that
   made the report, and in a folder mailed together with the programmes).

PDF links open the quote's page (``#page=N``, the PDF page index, as every viewer counts).  A
programme read from several files (a saved website) links to the file the quote comes from,
which its section names (``<file> › <heading>``, see ``engine.join_files``).
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote, urlsplit

import pandas as pd

from .extract import SUPPORTED_SUFFIXES
from .records import SECTION_SEPARATOR


def is_paged(document: str) -> bool:
    """Whether a document's page numbers mean something to a reader (only PDFs have pages)."""
    return document.lower().endswith(".pdf")


def source_file(document: str, section: str) -> str:
    """The file below ``document`` a quote comes from: '' for a programme of one file."""
    if Path(document).suffix.lower() in SUPPORTED_SUFFIXES:
        return ""
    return (section or "").split(SECTION_SEPARATOR, 1)[0]


class SourceLinks:
    """Builds the link from a quote to the page of its source document (see the module docstring).

    ``programmes`` is ``Results.programmes`` (``document``, ``url``, ``path``).
    """

    def __init__(self, programmes: pd.DataFrame, report_dir: Path, pdf_base: str | None = None):
        self.report_dir = report_dir
        self.pdf_base = pdf_base.rstrip("/") if pdf_base else None
        columns = [c for c in ("url", "path") if c in programmes.columns]
        self.sources = {row["document"]: row for row in programmes[["document", *columns]].to_dict("records")}

    def href(self, document: str, page: int | None, section: str = "") -> str:
        source = self.sources.get(document, {})
        below = source_file(document, section)
        named = "/".join(part for part in (document, below) if part)
        url = source.get("url") or ""
        if self.pdf_base:
            target = f"{self.pdf_base}/{quote(Path(named).as_posix())}"
        elif url:
            target = url
            named = urlsplit(url).path
        else:
            on_disk = Path(source.get("path") or document, below)
            target = quote(Path(os.path.relpath(on_disk.resolve(), self.report_dir.resolve())).as_posix())
        if page is not None and is_paged(named):
            target += f"#page={page}"
        return target

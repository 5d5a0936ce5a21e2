"""``programmacheck report``: render stored results in other formats, without rescanning.

Only reads an output folder, so it imports nothing heavy (no torch, no embedding model); the
format modules are imported when their format is asked for.  ``write_reports`` is also what
``scan ... --report FORMAT`` calls after a scan.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from pathlib import Path

FORMATS = ("html", "pdf", "xlsx", "csv", "json", "parquet", "png")
LANGUAGES = ("nl", "en")
REPORT_DIR = "report"


def _write(fmt: str, results, out: Path, lang: str, pdf_base: str | None) -> list[Path]:
    """Write one format; its module is imported only now, so ``report --format csv`` stays light."""
    if fmt == "html":
        from .html_report import write_html

        return write_html(results, out, lang, pdf_base)
    if fmt == "pdf":
        from .pdf_report import write_pdf

        return write_pdf(results, out, lang, pdf_base)
    if fmt == "png":
        from .plots import write_png

        return write_png(results, out, lang)
    from . import exports

    if fmt == "xlsx":
        return exports.write_xlsx(results, out, lang, pdf_base)
    writers = {"csv": exports.write_csv, "json": exports.write_json, "parquet": exports.write_parquet}
    if fmt not in writers:
        raise ValueError(f"unknown report format {fmt!r}; choose from {', '.join(FORMATS)}")
    return writers[fmt](results, out)


def write_reports(
    out_dir: str | Path | list[str | Path],
    formats: Iterable[str],
    lang: str = "nl",
    pdf_base: str | None = None,
    dest: str | Path | None = None,
) -> list[Path]:
    """Render the results in ``out_dir`` (one output folder, or several read as one) in each format
    into ``dest`` (default ``<first out_dir>/report``)."""
    from .results import load_results

    results = load_results(out_dir)
    target = Path(dest) if dest is not None else results.path / REPORT_DIR
    written: list[Path] = []
    for fmt in dict.fromkeys(formats):
        written.extend(_write(fmt, results, target, lang, pdf_base))
    return written


def cmd_report(args: argparse.Namespace) -> int:
    try:
        written = write_reports(args.out_dir, args.format, args.lang, args.pdf_base, args.out)
    except (OSError, ValueError, RuntimeError) as exc:  # a wrong folder, no browser for pdf, ...
        print(f"programmacheck: {exc}", file=sys.stderr)
        return 2
    for file in written:
        print(file)
    return 0


def add_report_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``report`` on the main parser's subcommands."""
    report = subparsers.add_parser(
        "report",
        help="render stored results as HTML, PDF, Excel, CSV, JSON, Parquet or PNG",
        description="Render the results of earlier scans (one or more output folders, read as one) without "
        "rescanning. html: an overview (index.html) and one self-contained report per municipality and "
        "election; pdf: the same pages printed to PDF by headless Chromium, every quote under its cell; "
        "xlsx: a workbook with a coloured overview, themes, evidence and gaps; csv/parquet: tidy tables "
        "(one row per programme x item, one per evidence quote); json: everything nested; "
        "png: a heatmap per municipality and election.",
    )
    report.add_argument(
        "out_dir",
        metavar="OUT_DIR",
        nargs="+",
        help="output folder(s) of 'programmacheck scan'; several are read as one",
    )
    report.add_argument("--format", action="append", choices=FORMATS, required=True, help="output format (repeatable)")
    report.add_argument("--out", metavar="DIR", help=f"folder to write into (default: the first OUT_DIR/{REPORT_DIR})")
    report.add_argument("--lang", choices=LANGUAGES, default="nl", help="language of labels (default: nl)")
    report.add_argument(
        "--pdf-base",
        metavar="BASE",
        help="folder path or URL the source links start with: BASE/<document>#page=N, the document "
        "named by its path below the corpus root (default: the manifest's url column, else "
        "the relative path from the report to each file)",
    )
    report.set_defaults(run=cmd_report)
    return report

"""Benchmark the PDF backends on the shared corpus: speed, paragraph sizes, gold quote recall.

    python benchmarks/extraction.py [--backend pypdfium2|pdfplumber|all] [--shared ../shared]

Gold quote recall is the share of evidence quotes in the gold files that stand whole inside ONE
extracted paragraph of their document, both sides normalised by :func:`search_key` (so
hyphenation, spacing and punctuation differences do not count, broken paragraphs do).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from programmacheck.extract import DEFAULT_PDF_BACKEND, PDF_BACKENDS, ExtractionError, extract_file
from programmacheck.records import Paragraph
from programmacheck.segment import paragraphs

REPO_ROOT = Path(__file__).resolve().parent.parent
GOLD_FOLDERS = ("eval/gold", "eval/gold-national")
LONG_PARAGRAPH_WORDS = 250


def search_key(text: str) -> str:
    """NFKC, lower case, letters and digits only (soft hyphens and PDFium markers dropped)."""
    text = unicodedata.normalize("NFKC", text).replace("\xad", "").replace("\x02", "").replace("\ufffe", "")
    return "".join(char for char in text.lower() if char.isalnum())


def gold_quotes(gold_file: Path) -> tuple[str, list[tuple[int, str]]]:
    """The document a gold file is about and its distinct (page, quote) evidence pairs."""
    gold = json.loads(gold_file.read_text(encoding="utf-8"))
    quotes = {(e["page"], e["quote"]) for label in gold["labels"] for e in label.get("evidence", [])}
    return gold["document"], sorted(quotes)


@dataclass(frozen=True)
class QuoteScore:
    found: int  # inside one paragraph
    on_page: int  # ... and that paragraph starts on the gold page or the one before
    total: int
    missed: tuple[str, ...]


def score_quotes(quotes: Sequence[tuple[int, str]], found_in: Sequence[Paragraph]) -> QuoteScore:
    keys = [(p.page, search_key(p.text)) for p in found_in]
    found = on_page = 0
    missed = []
    for page, quote in quotes:
        quote_key = search_key(quote)
        pages = [p for p, key in keys if quote_key in key]
        found += bool(pages)
        on_page += any(page - 1 <= p <= page for p in pages)
        if not pages:
            missed.append(f"p{page}: {quote}")
    return QuoteScore(found, on_page, len(quotes), tuple(missed))


@dataclass(frozen=True)
class DocumentRun:
    path: str
    pages: int
    extract_seconds: float  # wall clock
    extract_cpu: float  # process time: what the extractor costs on a busy machine
    segment_seconds: float
    word_counts: tuple[int, ...]
    quotes: QuoteScore | None
    error: str = ""
    ocr_pages: int = 0  # pages read by OCR: timed apart, they cost seconds each


def run_document(path: Path, corpus: Path, backend: str, gold: dict[str, list[tuple[int, str]]]) -> DocumentRun:
    name = path.relative_to(corpus).as_posix()
    start, start_cpu = time.perf_counter(), time.process_time()
    try:
        extracted = extract_file(path, pdf_backend=backend)
    except ExtractionError as error:
        return DocumentRun(
            name, 0, time.perf_counter() - start, time.process_time() - start_cpu, 0.0, (), None, str(error)
        )
    middle, middle_cpu = time.perf_counter(), time.process_time()
    found = paragraphs(name, extracted)
    end = time.perf_counter()
    counts = tuple(len(p.text.split()) for p in found if p.kind != "heading")
    quotes = score_quotes(gold[name], found) if name in gold else None
    return DocumentRun(name, len(extracted.pages), middle - start, middle_cpu - start_cpu, end - middle, counts, quotes,
                       ocr_pages=sum(page.ocr for page in extracted.pages))


def load_gold(shared: Path) -> dict[str, dict[str, list[tuple[int, str]]]]:
    """Gold quotes by folder, then by document."""
    return {folder: dict(gold_quotes(f) for f in sorted((shared / folder).glob("*.json"))) for folder in GOLD_FOLDERS}


def report(backend: str, runs: Sequence[DocumentRun], gold: dict[str, dict[str, list]], show_missed: bool) -> None:
    print(f"\n## {backend}\n")
    print(f"{'document':45} {'pages':>5} {'p/s':>7} {'paras':>6} {'med.w':>5} {'>250':>5} {'recall':>9}")
    for run in runs:
        if run.error:
            print(f"{run.path:45} {'':>5} {'':>7} error: {run.error.split(': ', 1)[-1]}")
            continue
        recall = f"{run.quotes.found}/{run.quotes.total}" if run.quotes else ""
        print(
            f"{run.path:45} {run.pages:5d} {run.pages / run.extract_seconds:7.1f} {len(run.word_counts):6d}"
            f" {_median(run.word_counts):5.0f} {_long(run.word_counts):5d} {recall:>9}"
        )
        if show_missed and run.quotes:
            for missed in run.quotes.missed:
                print(f"    missed {missed}")
    read = [run for run in runs if not run.error]
    ok = [run for run in read if not run.ocr_pages]  # the speed of text-layer extraction
    ocred = [run for run in read if run.ocr_pages]
    pages = sum(run.pages for run in ok)
    extract_time = sum(run.extract_seconds for run in ok)
    extract_cpu = sum(run.extract_cpu for run in ok)
    segment_time = sum(run.segment_seconds for run in ok)
    counts = [n for run in read for n in run.word_counts]
    if ok:
        print(
            f"\ntotal with a text layer: {len(ok)} PDFs, {pages} pages; extract {pages / extract_time:.1f} pages/s"
            f" ({pages / extract_cpu:.1f} per CPU second),"
            f" extract+segment {pages / (extract_time + segment_time):.1f} pages/s"
        )
    if ocred:
        ocr_pages, ocr_time = sum(run.ocr_pages for run in ocred), sum(run.extract_seconds for run in ocred)
        print(f"read by OCR: {len(ocred)} PDFs, {ocr_pages} pages; {ocr_time / ocr_pages:.1f} s per page")
    print(
        f"paragraphs (non-heading): {len(counts)}, median {_median(counts):.0f} words,"
        f" {100 * _long(counts) / max(1, len(counts)):.2f} % > {LONG_PARAGRAPH_WORDS} words"
    )
    for folder, documents in gold.items():
        scored = [run.quotes for run in read if run.quotes and run.path in documents]
        if scored:
            total = sum(q.total for q in scored)
            print(
                f"gold quote recall ({folder}): {sum(q.found for q in scored) / total:.3f}"
                f" ({sum(q.found for q in scored)}/{total}); on the right page:"
                f" {sum(q.on_page for q in scored) / total:.3f}"
            )


def _median(values: Sequence[int]) -> float:
    return statistics.median(values) if values else 0.0


def _long(values: Iterable[int]) -> int:
    return sum(1 for n in values if n > LONG_PARAGRAPH_WORDS)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default=DEFAULT_PDF_BACKEND, choices=[*PDF_BACKENDS, "all"])
    parser.add_argument("--shared", type=Path, default=REPO_ROOT.parent / "shared")
    parser.add_argument("--missed", action="store_true", help="list the gold quotes not found")
    parser.add_argument("--only", default="", help="only PDFs whose path contains this")
    args = parser.parse_args(argv)
    corpus = args.shared / "corpus"
    gold = load_gold(args.shared)
    all_quotes = {name: quotes for documents in gold.values() for name, quotes in documents.items()}
    pdfs = [p for p in sorted(corpus.rglob("*.pdf")) if args.only in p.as_posix()]
    for backend in PDF_BACKENDS if args.backend == "all" else (args.backend,):
        report(backend, [run_document(pdf, corpus, backend, all_quotes) for pdf in pdfs], gold, args.missed)
    return 0


if __name__ == "__main__":
    sys.exit(main())

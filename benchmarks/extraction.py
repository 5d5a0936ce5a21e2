"""Benchmark the PDF backends on the shared corpus: speed, paragraph sizes, gold quote recall.

    python benchmarks/extraction.py [--backend pypdfium2|pdfplumber|all] [--shared ../shared] [FOLDER ...]
    python benchmarks/extraction.py --checks-only [FOLDER ...]

Gold quote recall is the share of evidence quotes in the gold files that stand whole inside ONE
extracted paragraph of their document, both sides normalised by :func:`search_key` (so
hyphenation, spacing and punctuation differences do not count, broken paragraphs do).

The gold-free checks run over every programme of the corpus (or the folders given), one row per
programme, outliers first: the share of paragraphs marked unmatchable (and of those, the prose
that no real cover or contents page holds), the share of paragraphs cut mid-sentence, and word
recall against poppler's ``pdftotext`` of the same PDF.  They need no labels, so they guard
programmes nobody here has read; ``tests/test_extraction_checks.py`` holds the targets.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from difflib import SequenceMatcher
from pathlib import Path

from programmacheck.extract import DEFAULT_PDF_BACKEND, PDF_BACKENDS, ExtractionError, extract_file
from programmacheck.programmes import programmes
from programmacheck.records import Paragraph, Programme
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
    return DocumentRun(
        name,
        len(extracted.pages),
        middle - start,
        middle_cpu - start_cpu,
        end - middle,
        counts,
        quotes,
        ocr_pages=sum(page.ocr for page in extracted.pages),
    )


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


# --- gold-free checks --------------------------------------------------------------------------
# These need no labels, so they guard every programme a user will ever scan.

#: Targets for every programme with a text layer.
MAX_SKIPPED_PROSE = 0.05
MAX_CUT = 0.01
MIN_WORD_RECALL = 0.99
#: A paragraph of at least this many words that ends a sentence is prose, not a cover or contents line.
PROSE_WORDS = 12
#: What closes a paragraph: sentence punctuation or a closing quote or bracket.
_CLOSED = re.compile(r"[.!?:;'\"”’»)\]]$")
_SENTENCE_CLOSED = re.compile(r"[.!?]['\"”’»)\]]*$")
_WEB_ADDRESS = re.compile(r"(?:https?://|www\.)", re.IGNORECASE)
_REFERENCE_WORD = re.compile(r"[^\W\d_]+")
_DIGITS = re.compile(r"\d+")
#: A reference page's words are looked for in the paragraphs filed on it and on the pages before
#: it (a paragraph is filed under the page it starts on).
PAGES_BACK = 2
#: Poppler's two readings: with its layout analysis, which joins the lines of two columns that
#: share a baseline into one; and raw, in content-stream order, which runs words together where
#: the PDF positions them without a space character.
POPPLER_MODES: tuple[tuple[str, ...], ...] = ((), ("-raw",))


def is_cut(previous: Paragraph, paragraph: Paragraph) -> bool:
    """A paragraph that begins in lower case after one that stopped without closing punctuation.

    Two kinds begin in lower case by nature and are no cut: a web address (a list of sources,
    "• https://…"), and the next item of a list (a bullet after a bullet: "• een rem op …"),
    which opens at its own marker.
    """
    text = paragraph.text
    if not text[:1].islower() or _WEB_ADDRESS.match(text) or previous.kind == paragraph.kind == "bullet":
        return False
    return _CLOSED.search(previous.text.rstrip()) is None


def cut_share(found: Sequence[Paragraph]) -> float:
    """Share of non-heading paragraphs cut from the body paragraph before them."""
    body = [p for p in found if p.kind != "heading"]
    cut = sum(is_cut(previous, paragraph) for previous, paragraph in zip(body, body[1:]))
    return cut / len(body) if body else 0.0


def is_prose(text: str) -> bool:
    """A sentence-shaped paragraph: what a cover or a table of contents holds next to none of."""
    return len(text.split()) >= PROSE_WORDS and _SENTENCE_CLOSED.search(text.rstrip()) is not None


def unmatchable_share(found: Sequence[Paragraph], prose_only: bool = False) -> float:
    """Share of non-heading paragraphs marked unmatchable; with ``prose_only``, counting only the
    prose ones among them, i.e. the skipped text that is not a real cover or contents page."""
    body = [p for p in found if p.kind != "heading"]
    skipped = [p for p in body if not p.matchable and (is_prose(p.text) or not prose_only)]
    return len(skipped) / len(body) if body else 0.0


def words(text: str) -> list[str]:
    """Letter words, case folded; hyphens (hard and soft) vanish, so split and joined forms agree."""
    text = unicodedata.normalize("NFKC", text).replace("-", "").replace("\xad", "")
    return [word.casefold() for word in _REFERENCE_WORD.findall(text)]


def reference_pages(pdftotext_output: str) -> list[list[list[str]]]:
    """The body text of each page of poppler's text, as lines of words.

    Lines repeated on many pages (running headers and footers, which the extractor drops on
    purpose) are left out.  A word broken at a line end is joined onto its first line.  Lines,
    not poppler's blocks, are the unit: where columns or pull quotes meet, poppler's blocks mix
    lines of both, while its lines stay whole.
    """
    pages = [page.split("\n") for page in pdftotext_output.split("\f")]
    counts = Counter(key for page in pages for key in {_line_key(line) for line in page if line.strip()})
    floor = 3 if len(pages) >= 6 else 2
    result = []
    for page in pages:
        kept = [line.strip() for line in page if line.strip() and counts[_line_key(line)] < floor]
        lines = []
        for index, line in enumerate(kept):
            if lines and lines[-1][1]:  # the previous line ended in a broken word: its rest is taken
                line = line.split(maxsplit=1)[1] if len(line.split(maxsplit=1)) > 1 else ""
            broken = line.endswith(("-", "\xad")) and line[-2:-1].isalpha() and index + 1 < len(kept)
            if broken:
                line = line[:-1] + kept[index + 1].split(maxsplit=1)[0]
            lines.append((words(line), broken))
        result.append([line_words for line_words, _ in lines if line_words])
    return result


def _line_key(line: str) -> str:
    return _DIGITS.sub("#", line.casefold()).strip()


def pdftotext(path: Path, options: Sequence[str] = ()) -> str:
    """Poppler's reading of a PDF (``apt-get install poppler-utils``)."""
    done = subprocess.run(["pdftotext", *options, "-enc", "UTF-8", str(path), "-"], capture_output=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{path}: pdftotext failed: {done.stderr.decode(errors='replace').strip()}")
    return done.stdout.decode("utf-8", errors="replace")


def poppler_readings(path: Path) -> list[list[list[list[str]]]]:
    """The PDF's reference pages as poppler reads them in each of :data:`POPPLER_MODES`."""
    return [reference_pages(pdftotext(path, options)) for options in POPPLER_MODES]


def word_recall(readings: Sequence[Sequence[Sequence[Sequence[str]]]], found: Sequence[Paragraph]) -> float:
    """Share of the reference's words found, in order within each line, in the paragraphs.

    Each line of reference page n is aligned (longest matching blocks, in order) with the words
    of the paragraphs filed on pages n - PAGES_BACK … n.  Lines may come in any order: poppler's
    column order is no authority; a line lost, a word dropped or a line scrambled is.  A page
    counts by the reading (of ``readings``, one per poppler mode) that finds the most of it, so
    that a fault of one poppler mode is not counted as ours, while a word we lost is missing in all.
    """
    by_page: dict[int, list[str]] = {}
    for paragraph in found:
        by_page.setdefault(paragraph.page, []).extend(words(paragraph.text))
    total = matched = 0
    matcher = SequenceMatcher(autojunk=False)
    for number in range(1, max((len(reading) for reading in readings), default=0) + 1):
        matcher.set_seq2([w for page in range(number - PAGES_BACK, number + 1) for w in by_page.get(page, [])])
        best = (0, 0)
        for reading in readings:
            lines = reading[number - 1] if number <= len(reading) else []
            page_matched = page_total = 0
            for line in lines:
                matcher.set_seq1(list(line))
                page_matched += sum(match.size for match in matcher.get_matching_blocks())
                page_total += len(line)
            if page_total and (not best[1] or page_matched / page_total > best[0] / best[1]):
                best = (page_matched, page_total)
        matched, total = matched + best[0], total + best[1]
    return matched / total if total else 1.0


@dataclass(frozen=True)
class Checks:
    """The gold-free checks of one programme."""

    programme: str
    paragraphs: int  # non-heading
    unmatchable: float
    skipped_prose: float
    cut: float
    word_recall: float | None  # None: no PDF, or read by OCR (then poppler has nothing to compare)
    seconds: float
    error: str = ""

    def failures(self) -> tuple[str, ...]:
        """The targets this programme misses (only programmes with a text layer have targets)."""
        if self.error or self.word_recall is None:
            return ()
        failed = []
        if self.skipped_prose > MAX_SKIPPED_PROSE:
            failed.append("unmatchable")
        if self.cut > MAX_CUT:
            failed.append("cut")
        if self.word_recall < MIN_WORD_RECALL:
            failed.append("recall")
        return tuple(failed)


def check_programme(programme: Programme, backend: str = DEFAULT_PDF_BACKEND) -> Checks:
    """Read one programme (every file, as a scan does) and compute its checks.

    Word recall is computed for a programme that is one PDF with a text layer: poppler reads no
    other format, and an OCR'd page has no text of its own to compare with.
    """
    start = time.perf_counter()
    found: list[Paragraph] = []
    ocr = False
    try:
        for file in programme.files:
            extracted = extract_file(file, pdf_backend=backend)
            ocr = ocr or any(page.ocr for page in extracted.pages)
            found.extend(paragraphs(programme.document, extracted))
    except ExtractionError as error:
        return Checks(programme.document, 0, 0.0, 0.0, 0.0, None, time.perf_counter() - start, str(error))
    seconds = time.perf_counter() - start
    recall = None
    if len(programme.files) == 1 and programme.files[0].lower().endswith(".pdf") and not ocr:
        recall = word_recall(poppler_readings(Path(programme.files[0])), found)
    return Checks(
        programme.document,
        sum(p.kind != "heading" for p in found),
        unmatchable_share(found),
        unmatchable_share(found, prose_only=True),
        cut_share(found),
        recall,
        seconds,
    )


def report_checks(rows: Sequence[Checks]) -> None:
    """One row per programme, outliers (most targets missed, then lowest recall) first; then totals."""
    print(
        f"\n## gold-free checks (targets: unmatchable prose <= {MAX_SKIPPED_PROSE:.0%}, cut <= {MAX_CUT:.0%},"
        f" word recall >= {MIN_WORD_RECALL})\n"
    )
    print(f"{'programme':45} {'paras':>6} {'unmatch':>8} {'prose':>6} {'cut':>6} {'recall':>7} {'sec':>5}  failing")
    order = sorted(rows, key=lambda r: (-len(r.failures()), r.word_recall if r.word_recall is not None else 2, -r.cut))
    for row in order:
        if row.error:
            print(f"{row.programme:45} error: {row.error}")
            continue
        recall = f"{row.word_recall:7.4f}" if row.word_recall is not None else f"{'':7}"
        print(
            f"{row.programme:45} {row.paragraphs:6d} {row.unmatchable:8.1%} {row.skipped_prose:6.1%} {row.cut:6.1%}"
            f" {recall} {row.seconds:5.1f}  {' '.join(row.failures())}"
        )
    read = [row for row in rows if not row.error]
    targeted = [row for row in read if row.word_recall is not None]
    recalls = [row.word_recall for row in targeted if row.word_recall is not None]
    total = sum(row.paragraphs for row in read)
    print(
        f"\nprogrammes read: {len(read)} ({len(targeted)} PDFs with a text layer); extraction {sum(r.seconds for r in read):.1f} s"
    )
    for target in ("unmatchable", "cut", "recall"):
        print(f"  failing {target}: {sum(target in row.failures() for row in targeted)}")
    print(
        f"corpus-wide cut share: {sum(r.cut * r.paragraphs for r in read) / max(1, total):.2%}"
        f" (text-layer PDFs: {sum(r.cut * r.paragraphs for r in targeted) / max(1, sum(r.paragraphs for r in targeted)):.2%})"
    )
    if recalls:
        print(f"word recall: mean {statistics.mean(recalls):.4f}, min {min(recalls):.4f}")


def _median(values: Sequence[int]) -> float:
    return statistics.median(values) if values else 0.0


def _long(values: Iterable[int]) -> int:
    return sum(1 for n in values if n > LONG_PARAGRAPH_WORDS)


def _named_below(programme: Programme, corpus: Path) -> Programme:
    """A programme of the shared corpus named by its path inside it, as the manifest does."""
    path = Path(programme.document)
    return (
        replace(programme, document=path.relative_to(corpus).as_posix()) if path.is_relative_to(corpus) else programme
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default=DEFAULT_PDF_BACKEND, choices=[*PDF_BACKENDS, "all"])
    parser.add_argument("--shared", type=Path, default=REPO_ROOT.parent / "shared")
    parser.add_argument("--missed", action="store_true", help="list the gold quotes not found")
    parser.add_argument("--only", default="", help="only PDFs whose path contains this")
    parser.add_argument("--checks-only", action="store_true", help="only the gold-free checks")
    parser.add_argument("folders", nargs="*", type=Path, help="programmes to check (default: the shared corpus)")
    args = parser.parse_args(argv)
    corpus = args.shared / "corpus"
    backends = PDF_BACKENDS if args.backend == "all" else (args.backend,)
    if not args.checks_only:
        gold = load_gold(args.shared)
        all_quotes = {name: quotes for documents in gold.values() for name, quotes in documents.items()}
        pdfs = [p for p in sorted(corpus.rglob("*.pdf")) if args.only in p.as_posix()]
        for backend in backends:
            report(backend, [run_document(pdf, corpus, backend, all_quotes) for pdf in pdfs], gold, args.missed)
    manifest = corpus / "manifest.csv"
    found, _missing = programmes([str(f) for f in args.folders or [corpus]], manifest if manifest.is_file() else None)
    chosen = [_named_below(programme, corpus) for programme in found if args.only in programme.document]
    for backend in backends:
        print(f"\n# {backend}")
        report_checks([check_programme(programme, backend) for programme in chosen])
    return 0


if __name__ == "__main__":
    sys.exit(main())

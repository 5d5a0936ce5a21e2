"""Whole-corpus benchmark: cold and warm scans against two raw baselines, in one run.

    python benchmarks/corpus.py [--shared ../shared] [--workers N] [--without-ocr] [--keep OUT]

Over every programme in ``../shared/corpus`` it measures

- a cold scan (a new output folder, so an empty store) and a warm rescan (nothing
  changed): wall time, pages/s, passages embedded, peak memory summed over all processes;
- raw extraction: plain text of every PDF page with the fastest extractor (pypdfium2);
- raw embedding: the distinct passages the cold scan embedded (read back from its store), with
  the default model, no cache and no pipeline around it;

and reports the pipeline's cost as a ratio: cold time / (raw extraction + raw embedding).  It
also reports the CPU seconds of the cold scan (all its processes, OCR included) and of the raw
embedding: the cold CPU time spread perfectly over every core is the lowest wall time, and so the
lowest ratio, that better scheduling alone could reach.

Then, in this process and without embedding, where the rest of the time goes: reading
(extraction with layout, OCR, segmentation; OCR'd programmes apart) and matching (tokenising,
lemmas, keyword rules, BM25, the first stage) of every programme.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium


def children_cpu() -> float:
    """CPU seconds of this process's finished children and their own descendants."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def scan(corpus: Path, out: Path, workers: int) -> tuple[float, float, dict]:
    """One scan: wall and CPU seconds (all its processes) and its run.json.  A new output folder
    means a new store, so nothing is cached."""
    command = [
        sys.executable,
        "-m",
        "programmacheck.cli",
        "scan",
        str(corpus),
        "--manifest",
        str(corpus / "manifest.csv"),
        "--out",
        str(out),
        "--workers",
        str(workers),
        "--quiet",
    ]
    started, cpu = time.perf_counter(), children_cpu()
    subprocess.run(command, check=False, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    return seconds, children_cpu() - cpu, json.loads((out / "run.json").read_text(encoding="utf-8"))


def raw_extraction(pdfs: list[Path]) -> tuple[float, int]:
    started, pages = time.perf_counter(), 0
    for path in pdfs:
        document = pdfium.PdfDocument(path)
        for index in range(len(document)):
            document[index].get_textpage().get_text_range()
            pages += 1
        document.close()
    return time.perf_counter() - started, pages


def needs_ocr(pdf: Path) -> bool:
    """Whether reading ``pdf`` would OCR it (the same test the extractor applies)."""
    from programmacheck.extract.ocr import OCR_DOCUMENT_SHARE
    from programmacheck.extract.ocr import needs_ocr as pages_needing_ocr

    try:
        document = pdfium.PdfDocument(pdf)
    except pdfium.PdfiumError:  # unreadable: the scan reports it, and there is nothing to OCR
        return False
    try:
        texts = [document[i].get_textpage().get_text_range() for i in range(len(document))]
    finally:
        document.close()
    return len(pages_needing_ocr(texts)) >= OCR_DOCUMENT_SHARE * len(texts)


def without_ocr(corpus: Path, copy: Path) -> Path:
    """The corpus without the documents that would be OCR'd: symbolic links in ``copy``."""
    for path in sorted(corpus.rglob("*")):
        target = copy / path.relative_to(corpus)
        if path.is_file() and not (path.suffix.lower() == ".pdf" and needs_ocr(path)):
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(path.resolve())
    return copy


def embedded_passages(out: Path) -> list[str]:
    """The passages the scan embedded: those whose vector the store holds."""
    from programmacheck.batch.keys import sha256

    with sqlite3.connect(out / "store.sqlite") as db:
        embedded = {sha for (sha,) in db.execute("SELECT text_sha256 FROM vectors WHERE role = 'passage'")}
        texts = {text for (rows,) in db.execute("SELECT passages FROM passages") for _, text in json.loads(rows)}
    return sorted(text for text in texts if sha256(text) in embedded)


def raw_embedding(texts: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds to embed ``texts`` with the default model, uncached, in one call."""
    from programmacheck.embed import get_embedder

    embedder = get_embedder()
    embedder.embed(texts[:8], role="passage")  # model load and warm-up are not embedding time
    started, cpu = time.perf_counter(), time.process_time()
    embedder.embed(texts, role="passage")
    return time.perf_counter() - started, time.process_time() - cpu


class NoEmbedder:
    """Zero vectors at no cost: matching timed without the transformer."""

    identity = "none"
    dim = 8

    def embed(self, texts: list[str], role: str) -> np.ndarray:
        return np.zeros((len(texts), self.dim), dtype=np.float32)


def stage_seconds(corpus: Path) -> dict[str, float]:
    """Seconds spent reading (OCR'd programmes apart) and matching, over the whole corpus."""
    from programmacheck.engine import Engine, ScanSettings
    from programmacheck.extract import ExtractionError
    from programmacheck.programmes import programmes

    found, _ = programmes([str(corpus)], corpus / "manifest.csv")
    engine = Engine()
    scoring = engine.scoring(ScanSettings(), embedder=NoEmbedder())
    engine.lexical_matcher(scoring.checklist.checklist)  # loaded before timing (with the keyword matcher)
    seconds = {"reading (no OCR)": 0.0, "reading (with OCR)": 0.0, "matching (no embedding)": 0.0}
    for programme in found:
        started = time.perf_counter()
        try:
            text = engine.read(programme)
        except ExtractionError:
            continue
        read = time.perf_counter() - started
        seconds["reading (with OCR)" if any("read by OCR" in w for w in text.warnings) else "reading (no OCR)"] += read
        started = time.perf_counter()
        engine.matches(text, engine.first_stage(text, scoring), scoring)
        seconds["matching (no embedding)"] += time.perf_counter() - started
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default=str(Path(__file__).resolve().parents[2] / "shared"))
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument(
        "--keep",
        metavar="OUT",
        help="write the scans' output folder here (a new folder) instead of a temporary one, "
        "e.g. to compare verdicts.csv between two versions",
    )
    parser.add_argument(
        "--without-ocr",
        action="store_true",
        help="leave out the documents that would be OCR'd (the raw baselines do no OCR)",
    )
    args = parser.parse_args()
    corpus = Path(args.shared) / "corpus"
    with tempfile.TemporaryDirectory() as work:
        if args.without_ocr:
            corpus = without_ocr(corpus, Path(work) / "corpus")
        pdfs = sorted(corpus.rglob("*.pdf"))
        out = Path(args.keep) if args.keep else Path(work) / "out"
        if args.keep and out.exists():
            parser.error(f"{out} exists: --keep takes a new folder (a scan into an old store is no cold scan)")
        cold, cold_cpu, cold_run = scan(corpus, out, args.workers)
        warm, _, warm_run = scan(corpus, out, args.workers)
        extraction, pages = raw_extraction(pdfs)
        passages = embedded_passages(out)
        embedded = len(passages)
        embedding, embedding_cpu = raw_embedding(passages)
        stages = stage_seconds(corpus)
    print(
        f"corpus: {len(pdfs)} PDFs, {pages} PDF pages, {cold_run['programmes']} programmes, "
        f"{len(cold_run['failures'])} failed (edge cases)"
    )
    print(f"{'run':<16} {'wall s':>8} {'pages/s':>9} {'passages embedded':>18} {'peak MB (all processes)':>24}")
    for name, seconds, run in (("cold scan", cold, cold_run), ("warm rescan", warm, warm_run)):
        b = run["batch"]
        print(
            f"{name:<16} {seconds:>8.1f} {pages / seconds:>9.1f} {b['passages_embedded']:>18} {b['peak_memory_mb']:>24.0f}"
        )
    print(f"{'raw extraction':<16} {extraction:>8.1f} {pages / extraction:>9.1f}")
    print(f"{'raw embedding':<16} {embedding:>8.1f} {'':>9} {embedded:>18}")
    print(f"pipeline cost ratio: cold / (raw extraction + raw embedding) = {cold / (extraction + embedding):.2f}")
    cores = len(os.sched_getaffinity(0))
    print(
        f"CPU seconds: cold scan {cold_cpu:.1f} (all processes, OCR included; {cold_cpu / cold:.2f} cores busy on "
        f"average), raw embedding {embedding_cpu:.1f}; the cold CPU time spread perfectly over {cores} cores would take "
        f"{cold_cpu / cores:.1f} s, a ratio of {cold_cpu / cores / (extraction + embedding):.2f}"
    )
    print(
        "where the rest goes (in-process, no embedding): "
        + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in stages.items())
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Watching a batch: progress per stage, and peak memory over all its processes.

On a terminal: tqdm bars for files, pages and paragraphs, with rate and ETA.  Elsewhere (a log
file, CI, a cluster job) bars would print escape codes, so each finished programme is one plain
line instead.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import psutil

from ..extract import one_line

#: How often the memory sampler looks (seconds).
SAMPLE_EVERY = 0.5


def file_pages(path: str) -> int:
    """Pages of a file, for the pages bar's total (a text file counts as one)."""
    if Path(path).suffix.lower() != ".pdf":
        return 1
    import pypdfium2

    try:
        pdf = pypdfium2.PdfDocument(path)
    except Exception:  # noqa: BLE001 - the extractor reports unreadable files properly
        return 1
    try:
        return len(pdf)
    finally:
        pdf.close()


def own_peak_rss() -> int:
    """This process's peak resident memory in bytes, as the kernel counts it.

    On Linux the high-water mark of this process's own memory (``VmHWM``), not ``ru_maxrss``:
    the kernel carries a parent's peak across fork and exec into ``ru_maxrss``, so a worker
    started by a large process would be charged with its parent's memory.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            return next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmHWM:"))
    except (OSError, StopIteration, ValueError):  # not Linux
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024  # bytes on macOS, KiB elsewhere


@dataclass(frozen=True)
class Advance:
    """Where a batch stands after one more programme, for a listener that shows it elsewhere (a
    web page polls it): ``document`` None for one that failed (its failure is reported apart)."""

    document: str | None
    done: int
    files: int
    pages_done: int
    pages: int
    items_done: int  # item verdicts computed so far


class Progress:
    """Counts finished programmes, pages and paragraphs against what the batch has to do."""

    def __init__(
        self,
        files: int,
        pages: int,
        stream: TextIO | None = None,
        bars: bool | None = None,
        listener: Callable[[Advance], None] | None = None,
    ):
        stream = stream or sys.stderr  # the stream of now, not of import time (which may be closed since)
        self.stream = stream
        self.files_total = files
        self.pages_total = pages
        self.done = 0
        self.pages_done = 0
        self.items_done = 0
        self._listener = listener
        self._bars = []
        if bars if bars is not None else stream.isatty():
            from tqdm import tqdm

            self._bars = [
                tqdm(total=total, desc=desc, unit=unit, file=stream, position=i, dynamic_ncols=True, smoothing=0.1)
                for i, (desc, total, unit) in enumerate(
                    (("files", files, "file"), ("pages", pages, "page"), ("paragraphs", None, "para"))
                )
            ]

    def advance(
        self, document: str | None, files: int, pages: int, paragraphs: int, detail: str, items: int = 0
    ) -> None:
        """One more programme done, with ``items`` verdicts computed; ``document`` None for one
        whose failure was reported already."""
        self.done += 1
        self.pages_done += pages
        self.items_done += items
        if self._listener is not None:
            self._listener(
                Advance(document, self.done, self.files_total, self.pages_done, self.pages_total, self.items_done)
            )
        if self._bars:
            for bar, n in zip(self._bars, (files, pages, paragraphs)):
                bar.update(n)
            return
        named = f"{one_line(document)}: " if document is not None else ""
        print(f"[{self.done}/{self.files_total}] {named}{detail}", file=self.stream, flush=True)

    def close(self) -> None:
        for bar in self._bars:
            bar.close()


class PeakMemory:
    """The peak resident memory of this process and all its descendants, summed.

    Summed over the tree because local workers and a LocalCluster's workers are child processes;
    one process's own peak would hide most of what the batch used.  This process's peak is the
    kernel's exact figure, to which what its descendants hold at each sample is added; a child's
    brief peak between two samples can be missed.  Sampling is slow enough not to take CPU from
    the batch (listing descendants reads all of /proc).
    """

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="peak-memory", daemon=True)
        self._thread.start()

    def sample(self) -> int:
        total = own_peak_rss()
        for process in psutil.Process().children(recursive=True):
            try:
                total += process.memory_info().rss
            except psutil.Error:  # ended between listing and reading
                pass
        self.peak = max(self.peak, total)
        return total

    def _run(self) -> None:
        while not self._stop.wait(SAMPLE_EVERY):
            self.sample()

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        self.sample()
        return self.peak

"""Peak memory of any command and all its descendants, measured from outside.

    python benchmarks/peak_memory.py [--every 0.1] [--runs N] -- COMMAND [ARG ...]

For comparing two versions of the tool on the same job (the version under test is whatever
``COMMAND`` imports, e.g. chosen with ``PYTHONPATH``), where the batch's own figure does not
serve: that adds the main process's all-time peak to what its children hold at one sample, so two
runs of the same code can differ by hundreds of MB, depending on whether an OCR child happens to
run when the main process is at its largest.  Here both figures are taken by a watcher that is
not part of the job and is the same for every version:

- **simultaneous**: the largest sum, at one sampling moment, of the resident memory of the
  command's process and every descendant alive then: what the machine had to hold at once;
- **largest process**: the largest high-water mark (``VmHWM``, exact, not sampled) of any one
  process of the tree, read from each process while it lives.

A brief peak between two samples can be missed by the first figure, never by the second.  Each
run's figures are printed, then the median over ``--runs``.  Linux only (reads ``/proc``).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

import psutil


def high_water_mb(pid: int) -> float:
    """The kernel's peak resident memory of one process, in MB (0 once it has ended)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def watch(command: list[str], every: float) -> tuple[float, float, float, int]:
    """Run ``command`` to its end; return its wall seconds, simultaneous and largest-process peaks
    in MB, and its exit status."""
    started = time.perf_counter()
    child = subprocess.Popen(command)
    root = psutil.Process(child.pid)
    simultaneous, largest = 0.0, 0.0
    while child.poll() is None:
        try:
            tree = [root, *root.children(recursive=True)]
        except psutil.Error:  # the command ended between poll and listing
            break
        total = 0.0
        for process in tree:
            try:
                total += process.memory_info().rss / 2**20
            except psutil.Error:  # ended between listing and reading
                continue
            largest = max(largest, high_water_mb(process.pid))
        simultaneous = max(simultaneous, total)
        time.sleep(every)
    status = child.wait()
    return time.perf_counter() - started, simultaneous, largest, status


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--every", type=float, default=0.1, help="seconds between samples (default 0.1)")
    parser.add_argument("--runs", type=int, default=1, help="run the command this many times (default 1)")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="the command, after --")
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command to watch after --")
    runs = []
    print(f"{'run':>4} {'wall s':>8} {'simultaneous MB':>16} {'largest process MB':>19} {'exit':>5}")
    for number in range(1, args.runs + 1):
        seconds, simultaneous, largest, status = watch(command, args.every)
        runs.append((seconds, simultaneous, largest))
        print(f"{number:>4} {seconds:>8.1f} {simultaneous:>16.0f} {largest:>19.0f} {status:>5}", flush=True)
        if status != 0:
            return status
    if len(runs) > 1:
        medians = [statistics.median(column) for column in zip(*runs)]
        print(f"{'med':>4} {medians[0]:>8.1f} {medians[1]:>16.0f} {medians[2]:>19.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

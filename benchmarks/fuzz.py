"""Bad-input campaign: mutated PDFs and misuse, read by the CLI in watched child processes.

    python benchmarks/fuzz.py [--count 1000] [--batch 50] [--seed 17] [--no-ocr] [--keep DIR]

Inputs are generated from the repository's own sample corpus (``corpus/samples``), never from
the shared one: ``--count`` mutants of the sample PDF (truncations, byte flips, overwritten
regions, broken xref, page-tree cycles, a page count of 10⁶, deep nesting, JavaScript actions,
stream bombs, encryption, renamed ZIP/PNG/HTML files, huge pages, and stacks of two or three of
these), plus the misuse classes of issue 17 (text in every Unicode encoding, binary .txt, a text
over the size bound, a FIFO, ``/dev/zero``, names with a newline or not UTF-8, broken and
hostile Word files, broken HTML, a tiny PDF with a 46,000 px image, a broken page-tree node).

Each batch of files goes to one ``programmacheck extract`` child process with a time limit and a
memory ceiling; its peak memory comes from ``wait4``.  A batch that crashes or hangs is rerun file
by file to name the culprit.  Printed at the end, each of which must be 0:

- crashes: a child that ended by a signal, with an exit status other than 0/1, or with a traceback;
- hangs: a file whose child passed the time limit;
- unaccounted: a file with neither paragraphs on stdout nor an ``error: FILE: …`` line;
- not one line: a stderr line that is not ``error: FILE: …`` naming a file of the batch;

and the peak memory of any child (a batch's peak bounds each of its inputs).  The CLI misuse
cases (bad ``--out``, ``--manifest``, ``--checklist``, a held lock, a damaged store, a closed
pipe) run last, each checked for its exit status and a one-line message.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SEED_PDF = REPO_ROOT / "corpus" / "samples" / "gr2026" / "lindewaard" / "samen-lindewaard.pdf"
SEED_TEXT = REPO_ROOT / "corpus" / "samples" / "gr2026" / "lindewaard" / "orde-en-eigen-kracht.txt"
SECONDS_PER_FILE = 60  # a batch may take this per file (OCR of a few pages included) before it hangs
MEMORY_CEILING = 4 << 30  # bytes of address space a child may take: a runaway input fails, the machine stays
MEMORY_BOUND_MB = 2560  # the bound for any single input
ERROR_LINE = re.compile(r"^error: (.+?): ")

#: Python that writes, when its process ends, the peak memory in MB of that process and of any
#: one of its children (OCR) to the file named by $FUZZ_PEAK_FILE.  Its own peak is the kernel's
#: VmHWM, not ``ru_maxrss``: that carries a parent's peak across fork and exec, so a child of a
#: large process (a test run) would be charged with its parent's memory.
REPORT_PEAK = """
import atexit, os, resource
def _report_peak():
    with open("/proc/self/status") as status:
        own = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    with open(os.environ["FUZZ_PEAK_FILE"], "w") as out:
        out.write(str(max(own, children) // 1024))
atexit.register(_report_peak)
"""

#: A child: ``programmacheck extract`` on its arguments, optionally with OCR switched off.
CHILD = (
    REPORT_PEAK
    + """
import sys
if sys.argv[1] == "no-ocr":
    from programmacheck.extract import ocr
    def _unavailable():
        raise ocr.OcrUnavailable("OCR switched off by the fuzz run")
    ocr.ocr_command = _unavailable
from programmacheck.cli import main
sys.exit(main(["extract", *sys.argv[2:]]))
"""
)


# --- PDF mutations --------------------------------------------------------------------------------


def _truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(1, len(data))]


def _flip(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 64)):
        out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def _overwrite(data: bytes, rng: random.Random) -> bytes:
    start, size = rng.randrange(len(data)), rng.randint(16, 2048)
    return data[:start] + rng.randbytes(size) + data[start + size :]


def _broken_xref(data: bytes, rng: random.Random) -> bytes:
    choice = rng.randrange(3)
    if choice == 0:  # startxref points anywhere
        return re.sub(rb"startxref\s+\d+", b"startxref\n%d" % rng.randrange(len(data) * 2), data)
    if choice == 1:  # the table's offsets shuffled
        entries = re.findall(rb"\d{10} \d{5} n", data)
        shuffled = entries[:]
        rng.shuffle(shuffled)
        for old, new in zip(entries, shuffled):
            data = data.replace(old, new.replace(b" n", b" N"), 1)
        return data.replace(b" N", b" n")
    return data.replace(b"xref", b"xerf", 1)  # no table at all


def _cycle(data: bytes, rng: random.Random) -> bytes:
    """The page tree refers back to itself: a kid is the Pages node, or a page is its own parent."""
    if rng.random() < 0.5:
        return data.replace(b"/Kids [", b"/Kids [1 0 R ", 1)
    return data.replace(b"/Parent 1 0 R", b"/Parent 3 0 R", 2)


def _page_count(data: bytes, rng: random.Random) -> bytes:
    return re.sub(rb"/Count \d+", b"/Count %d" % rng.choice([10**6, 2**31 - 1, -1, 0]), data, count=1)


def _nesting(data: bytes, rng: random.Random) -> bytes:
    depth = rng.choice([1_000, 100_000])
    return data.replace(b"/Type /Catalog", b"/Type /Catalog /Deep " + b"[" * depth + b"]" * depth, 1)


def _javascript(data: bytes, rng: random.Random) -> bytes:
    action = (
        b'/OpenAction << /S /JavaScript /JS (app.launchURL\\("http://example.invalid/"\\); '
        b'this.exportDataObject\\({cName: "x", nLaunch: 2}\\);) >> '
        b"/AA << /WC << /S /Launch /F (calc.exe) >> >>"
    )
    return re.sub(rb"/OpenAction \[[^\]]*\]", action, data, count=1)


def _bomb(data: bytes, rng: random.Random) -> bytes:
    """Page 1's content becomes a Flate stream that inflates ~1,000-fold (to 64–256 MB)."""
    size = rng.choice([64, 128, 256]) << 20
    compressor = zlib.compressobj(9)
    chunk = b"0 0 m 1 1 l S\n" * 4096
    stream = b"".join(compressor.compress(chunk) for _ in range(size // len(chunk))) + compressor.flush()
    bomb = (
        b"999 0 obj\n<< /Filter /FlateDecode /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream\nendobj\n"
    )
    data = data.replace(b"/Contents 4 0 R", b"/Contents 999 0 R", 1)
    at = data.rindex(b"xref")
    return data[:at] + bomb + data[at:]


def _encrypted(data: bytes, rng: random.Random) -> bytes:
    encrypt = b"/Encrypt << /Filter /Standard /V 1 /R 2 /O <%s> /U <%s> /P -44 >>" % (
        rng.randbytes(32).hex().encode(),
        rng.randbytes(32).hex().encode(),
    )
    return data.replace(b"trailer\n<<", b"trailer\n<< " + encrypt, 1)


def _renamed(data: bytes, rng: random.Random) -> bytes:
    kind = rng.randrange(3)
    if kind == 0:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("programma.txt", "Wonen Eerst voor iedereen.")
        return buffer.getvalue()
    if kind == 1:
        from PIL import Image

        buffer = io.BytesIO()
        Image.new("L", (64, 64), 255).save(buffer, format="PNG")
        return buffer.getvalue()
    return b"<!DOCTYPE html><html><body><script>alert(1)</script><img src=x onerror=alert(1)></body></html>"


def _huge_page(data: bytes, rng: random.Random) -> bytes:
    return re.sub(rb"/MediaBox \[[^\]]*\]", b"/MediaBox [0 0 14400 14400]", data, count=1)


MUTATIONS: dict[str, Callable[[bytes, random.Random], bytes]] = {
    "truncate": _truncate,
    "flip": _flip,
    "overwrite": _overwrite,
    "xref": _broken_xref,
    "cycle": _cycle,
    "page-count": _page_count,
    "nesting": _nesting,
    "javascript": _javascript,
    "bomb": _bomb,
    "encrypted": _encrypted,
    "renamed": _renamed,
    "huge-page": _huge_page,
}
#: Expensive mutations are drawn less often, so that 1,000 files fit in minutes.
WEIGHTS = {"bomb": 0.2, "nesting": 0.5}
STACK = "stack"  # two or three mutations, one after the other


def mutants(seed_pdf: bytes, count: int, rng: random.Random) -> list[tuple[str, bytes]]:
    """``count`` (kind, bytes) mutants of the seed, every kind present."""
    kinds = [*MUTATIONS, STACK]
    weights = [WEIGHTS.get(kind, 1.0) for kind in kinds]
    drawn = kinds[: min(count, len(kinds))] + rng.choices(kinds, weights, k=max(0, count - len(kinds)))
    out = []
    for kind in drawn:
        if kind == STACK:
            data = seed_pdf
            steps = rng.sample([k for k in MUTATIONS if k not in ("bomb", "renamed")], rng.randint(2, 3))
            for step in steps:
                data = MUTATIONS[step](data, rng)
            out.append(("+".join(steps), data))
        else:
            out.append((kind, MUTATIONS[kind](seed_pdf, rng)))
    return out


# --- misuse classes -------------------------------------------------------------------------------


def giant_image_pdf(side: int) -> bytes:
    """A tiny PDF whose one page is a white 1-bit image of ``side`` px a side."""
    row = b"\x00" + b"\xff" * ((side + 7) // 8)
    compressor = zlib.compressobj(9)
    stream = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /I 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length 31 >>\nstream\nq 595 0 0 842 0 0 cm /I Do Q\nendstream",
        b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 1 "
        b"/Filter /FlateDecode /DecodeParms << /Predictor 15 /Colors 1 /BitsPerComponent 1 /Columns %d >> "
        b"/Length %d >>\nstream\n" % (side, side, side, len(stream)) + stream + b"\nendstream",
    ]
    body, offsets = b"%PDF-1.7\n", []
    for number, content in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj\n" % number + content + b"\nendobj\n"
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    body += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    return body + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)


def _docx(document_xml: bytes) -> bytes:
    import docx

    blank = io.BytesIO()
    docx.Document().save(blank)
    out = io.BytesIO()
    with zipfile.ZipFile(blank) as source, zipfile.ZipFile(out, "w") as target:
        for entry in source.infolist():
            target.writestr(entry, document_xml if entry.filename == "word/document.xml" else source.read(entry))
    return out.getvalue()


W = b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def misuse_files(folder: Path, seed_pdf: bytes) -> list[tuple[str, Path]]:
    """The file classes of issue 17, written into ``folder``: (class, path)."""
    text = SEED_TEXT.read_text(encoding="utf-8")
    files: list[tuple[str, Path]] = []

    def add(kind: str, name: str | bytes, data: bytes) -> None:
        path = Path(os.fsdecode(os.path.join(os.fsencode(folder), os.fsencode(name))))
        path.write_bytes(data)
        files.append((kind, path))

    for encoding in ("utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-8-sig", "cp1252"):
        add(f"text-{encoding}", f"tekst-{encoding}.txt", text.encode(encoding, errors="replace"))
    add("text-one-line-cookie", "een-regel.txt", ("Wij weren tracking cookies. " + text.replace("\n", " ")).encode())
    add("binary-as-txt", "foto.txt", _renamed(b"", random.Random(1)) + bytes(range(256)))
    add("empty", "leeg.pdf", b"")
    add("name-with-newline", "twee\nregels.txt", text.encode())
    add("name-not-utf8", b"partij-\xff.txt", text.encode())
    add("docx-broken-xml", "kapot.docx", _docx(b"<w:document " + W + b"><w:body><w:p>"))
    add(
        "docx-xxe",
        "xxe.docx",
        _docx(
            b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b"<w:document " + W + b"><w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>"
        ),
    )
    entities = b'<!ENTITY a0 "wonen wonen wonen wonen wonen">' + b"".join(
        b'<!ENTITY a%d "' % n + b"&a%d;" % (n - 1) * 10 + b'">' for n in range(1, 10)
    )
    add(
        "docx-entity-bomb",
        "bom.docx",
        _docx(
            b'<?xml version="1.0"?><!DOCTYPE d ['
            + entities
            + b"]><w:document "
            + W
            + b"><w:body><w:p><w:r><w:t>&a9;</w:t></w:r></w:p></w:body></w:document>"
        ),
    )
    add("docx-not-zip", "tekst.docx", text.encode())
    add("html-garbage", "pagina.html", bytes(range(256)) * 64)
    add("html-script", "script.html", b"<html><body><script>" + b"x" * 100_000 + b"</script></body></html>")
    add("giant-image-pdf", "reus.pdf", giant_image_pdf(46_000))
    add("broken-page-node", "gebroken.pdf", seed_pdf.replace(b"/Kids [3 0 R\n5 0 R", b"/Kids [3 0 R\n4 0 R", 1))
    big = folder / "groot.txt"
    with open(big, "wb") as handle:
        handle.truncate(50 << 20)  # sparse: refused by its size, never read
    files.append(("text-50MB", big))
    fifo = folder / "pijp.txt"
    os.mkfifo(fifo)
    files.append(("fifo", fifo))
    files.append(("device", Path("/dev/zero")))
    return files


# --- running --------------------------------------------------------------------------------------


@dataclass
class Tally:
    files: int = 0
    crashes: list[str] = field(default_factory=list)
    hangs: list[str] = field(default_factory=list)
    unaccounted: list[str] = field(default_factory=list)
    not_one_line: list[str] = field(default_factory=list)
    peak_mb: float = 0.0
    read: int = 0
    refused: Counter = field(default_factory=Counter)  # first words of the reasons


def _shown(path: Path) -> str:
    from programmacheck.extract import one_line

    return one_line(str(path))


def run_child(files: list[Path], ocr: bool, timeout: float) -> tuple[int | None, str, str, float]:
    """(exit status or None if killed for time, stdout, stderr, peak MB) of one extract child.

    A child killed for time reports no peak (0): it is counted as a hang instead."""
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.NamedTemporaryFile(mode="r", suffix=".peak") as peak,
    ):

        def limit() -> None:
            import resource

            resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CEILING, MEMORY_CEILING))
            os.setsid()

        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, "ocr" if ocr else "no-ocr", *map(str, files)],
            stdout=out,
            stderr=err,
            preexec_fn=limit,
            env={**os.environ, "FUZZ_PEAK_FILE": peak.name},
        )
        deadline = time.monotonic() + timeout
        status = None
        while True:
            pid, wait_status, _ = os.wait4(child.pid, os.WNOHANG)
            if pid:
                status = os.waitstatus_to_exitcode(wait_status)
                break
            if time.monotonic() > deadline:
                os.killpg(child.pid, signal.SIGKILL)
                os.wait4(child.pid, 0)
                break
            time.sleep(0.05)
        child.returncode = status if status is not None else -9  # reaped above: keep Popen from waiting again
        out.seek(0)
        err.seek(0)
        reported = peak.read().strip()
        return (
            status,
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
            float(reported or 0),
        )


def check_batch(files: list[Path], ocr: bool, tally: Tally, labels: dict[Path, str]) -> None:
    status, stdout, stderr, peak = run_child(files, ocr, SECONDS_PER_FILE * len(files))
    tally.peak_mb = max(tally.peak_mb, peak)
    bad = status is None or status not in (0, 1) or "Traceback" in stderr
    if bad and len(files) > 1:  # name the culprit(s)
        for file in files:
            check_batch([file], ocr, tally, labels)
        return
    tally.files += len(files)
    if status is None:
        tally.hangs += [f"{labels[f]}: {f}" for f in files]
        return
    if bad:
        tally.crashes.append(f"{labels[files[0]]}: {files[0]}: exit {status}: {stderr.strip().splitlines()[-1:]}")
        return
    documents = {json.loads(line)["document"] for line in stdout.splitlines() if line.startswith("{")}
    names = {_shown(f): f for f in files}
    failed = set()
    for line in stderr.splitlines():
        if not line.strip():
            continue
        named = ERROR_LINE.match(line)
        if named and named.group(1) in names:
            failed.add(named.group(1))
            reason = line[named.end() :].split(" (")[0]
            tally.refused[reason if len(reason) < 60 else reason[:57] + "..."] += 1
        else:
            tally.not_one_line.append(line[:200])
    for shown, file in names.items():
        if str(file) in documents:
            tally.read += 1
        elif shown not in failed:
            tally.unaccounted.append(f"{labels[file]}: {file}")


def misuse_commands(work: Path, broken: Path) -> list[tuple[str, list[str], int, str]]:
    """CLI misuse: (name, arguments, expected exit status, words the one-line message holds)."""
    work.mkdir(parents=True, exist_ok=True)
    a_file = work / "a-file"
    a_file.write_text("x", encoding="utf-8")
    (work / "verdicts-is-folder" / "verdicts.csv").mkdir(parents=True)
    (work / "store-folder").mkdir()
    latin = work / "latin.csv"
    latin.write_bytes("path,party\nx.pdf,vóór\n".encode("cp1252"))
    wide = work / "wide.csv"
    wide.write_text('path,party\nx.pdf,"' + "a" * 200_000 + '"\n', encoding="utf-8")
    nested = work / "nested.yaml"
    nested.write_text("a: " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    bad_term = work / "bad-term.yaml"
    import yaml

    from programmacheck.checklist import default_checklist_path

    checklist = yaml.safe_load(default_checklist_path().read_text(encoding="utf-8"))
    checklist["items"][0]["keywords"]["measure"].append("**")
    bad_term.write_text(yaml.safe_dump(checklist, allow_unicode=True), encoding="utf-8")
    damaged = work / "damaged"
    damaged.mkdir()
    (damaged / "store.sqlite").write_bytes(b"this is no database" + bytes(4096))
    wrong_schema = work / "wrong-schema"
    wrong_schema.mkdir()
    with sqlite3.connect(wrong_schema / "store.sqlite") as db:
        db.execute("CREATE TABLE files (name TEXT)")
    scan = ["scan", str(broken)]
    return [
        ("out-is-a-file", [*scan, "--out", str(a_file)], 2, "is a file"),
        ("out-under-proc", [*scan, "--out", "/proc/programmacheck"], 2, "cannot create"),
        ("verdicts-csv-is-a-folder", [*scan, "--out", str(work / "verdicts-is-folder")], 2, "is a folder"),
        ("store-is-a-folder", [*scan, "--out", str(work / "o1"), "--store", str(work / "store-folder")], 2, "folder"),
        ("manifest-missing", [*scan, "--out", str(work / "o2"), "--manifest", str(work / "absent.csv")], 2, "manifest"),
        ("manifest-folder", [*scan, "--out", str(work / "o2"), "--manifest", str(work)], 2, "manifest"),
        ("manifest-not-utf8", [*scan, "--out", str(work / "o2"), "--manifest", str(latin)], 2, "not UTF-8"),
        ("manifest-binary", [*scan, "--out", str(work / "o2"), "--manifest", str(broken)], 2, "manifest"),
        ("manifest-wide-field", [*scan, "--out", str(work / "o2"), "--manifest", str(wide)], 2, "field"),
        ("checklist-nested", [*scan, "--out", str(work / "o3"), "--checklist", str(nested)], 2, "nested"),
        ("checklist-bad-term", [*scan, "--out", str(work / "o3"), "--checklist", str(bad_term)], 2, "unusable term"),
        ("store-garbage-header", [*scan, "--out", str(damaged)], 2, "--rebuild-store"),
        ("store-wrong-schema", [*scan, "--out", str(wrong_schema)], 2, "--rebuild-store"),
        ("store-rebuilt", [*scan, "--out", str(damaged), "--rebuild-store"], 1, str(broken)),
        ("empty-folder", ["scan", str(work / "store-folder"), "--out", str(work / "o4")], 2, ".docx"),
    ]


def run_misuse(work: Path, broken: Path) -> list[str]:
    """The CLI misuse cases; returns what went wrong (nothing, if all is well)."""
    problems = []
    for name, arguments, expected, words in misuse_commands(work, broken):
        result = subprocess.run(
            [sys.executable, "-m", "programmacheck.cli", *arguments], capture_output=True, text=True, timeout=300
        )
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        if result.returncode != expected or "Traceback" in result.stderr or not lines or words not in result.stderr:
            problems.append(f"{name}: exit {result.returncode} (expected {expected}): {lines[-3:]}")
    held = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import time; from programmacheck.report import OutputFolder; "
            f"f = OutputFolder({str(work / 'locked')!r}); print('locked', flush=True); time.sleep(120)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        held.stdout.readline()
        result = subprocess.run(
            [sys.executable, "-m", "programmacheck.cli", "scan", str(broken), "--out", str(work / "locked")],
            capture_output=True,
            text=True,
            timeout=300,
        )
        if result.returncode != 2 or f"(pid {held.pid})" not in result.stderr:
            problems.append(f"lock: exit {result.returncode}: {result.stderr.strip()[-300:]}")
    finally:
        held.kill()
        held.wait()
    piped = subprocess.run(
        f"{sys.executable} -m programmacheck.cli extract {SEED_PDF} | head -n 1",
        shell=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if "Error" in piped.stderr or "Traceback" in piped.stderr:
        problems.append(f"closed pipe: {piped.stderr.strip()[-300:]}")
    return problems


def campaign(
    count: int, batch: int, seed: int, ocr: bool, keep: Path | None = None, classes: bool = True, commands: bool = True
) -> tuple[Tally, list[str]]:
    """Generate the inputs, read them in watched children, run the CLI misuse cases."""
    rng = random.Random(seed)
    seed_pdf = SEED_PDF.read_bytes()
    work = Path(tempfile.mkdtemp(prefix="programmacheck-fuzz-")) if keep is None else keep
    work.mkdir(parents=True, exist_ok=True)
    try:
        labels: dict[Path, str] = {}
        for number, (kind, data) in enumerate(mutants(seed_pdf, count, rng)):
            path = work / f"mutant-{number:05}.pdf"
            path.write_bytes(data)
            labels[path] = kind
        folder = work / "classes"
        folder.mkdir(exist_ok=True)
        if classes:
            for kind, path in misuse_files(folder, seed_pdf):
                labels[path] = kind
        tally = Tally()
        files = list(labels)
        started = time.monotonic()
        for start in range(0, len(files), batch):
            check_batch(files[start : start + batch], ocr, tally, labels)
            print(
                f"  {min(start + batch, len(files))}/{len(files)} files, {time.monotonic() - started:.0f} s, "
                f"peak {tally.peak_mb:.0f} MB",
                file=sys.stderr,
                flush=True,
            )
        broken = work / "mutant-broken.pdf"
        broken.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 4)
        problems = run_misuse(work / "misuse", broken) if commands else []
        return tally, problems
    finally:
        if keep is None:
            shutil.rmtree(work, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000, help="mutated PDFs (default 1000)")
    parser.add_argument("--batch", type=int, default=50, help="files per child process (default 50)")
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--no-ocr", action="store_true", help="children do not OCR (faster; OCR is then 'unavailable')")
    parser.add_argument("--no-misuse", action="store_true", help="mutated PDFs only")
    parser.add_argument("--keep", type=Path, help="write the inputs here and keep them")
    args = parser.parse_args()
    started = time.monotonic()
    tally, problems = campaign(
        args.count, args.batch, args.seed, not args.no_ocr, args.keep, not args.no_misuse, not args.no_misuse
    )
    print(
        f"{tally.files} files ({args.count} mutated PDFs + misuse classes) in {time.monotonic() - started:.0f} s, "
        f"OCR {'off' if args.no_ocr else 'on'}"
    )
    print(f"  read: {tally.read}; refused with a one-line reason: {sum(tally.refused.values())}")
    for reason, n in tally.refused.most_common(12):
        print(f"    {n:5} {reason}")
    print(
        f"  crashes: {len(tally.crashes)}; hangs: {len(tally.hangs)}; unaccounted: {len(tally.unaccounted)}; "
        f"not one line: {len(tally.not_one_line)}"
    )
    for name, found in (
        ("crash", tally.crashes),
        ("hang", tally.hangs),
        ("unaccounted", tally.unaccounted),
        ("not one line", tally.not_one_line),
    ):
        for entry in found[:10]:
            print(f"    {name}: {entry}")
    print(
        f"  peak memory of any child (bounds each of its inputs): {tally.peak_mb:.0f} MB (bound {MEMORY_BOUND_MB} MB)"
    )
    print(f"  CLI misuse cases failing: {len(problems)}")
    for problem in problems:
        print(f"    {problem}")
    clean = not (tally.crashes or tally.hangs or tally.unaccounted or tally.not_one_line or problems)
    return 0 if clean and tally.peak_mb <= MEMORY_BOUND_MB else 1


if __name__ == "__main__":
    sys.exit(main())

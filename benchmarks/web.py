"""Timings of the review workbench (``programmacheck serve``) on this machine, not a timed test.

    python benchmarks/web.py [--pdf FILE] [--programmes 50]

- **first verdicts**: a 40-page PDF (default: the first PDF of 36–44 pages in
  ``../shared/corpus/gr2026``) uploaded through the app with the model already loaded by the
  server: seconds from the upload until the heatmap shows its verdicts (target ≤ 30 s);
- **page image**: a cell's page and the cell's page image, the first time each page is asked
  for (target ≤ 0.5 s for the image);
- **heatmap**: the heatmap of one municipality with ``--programmes`` programmes (target ≤ 1 s),
  the first request after the folder changed (read again) and the next.  The folder is the
  first one's rows repeated under other names: the page's size is what counts here.

Everything is written into a temporary folder; nothing of a real programme is kept.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pypdfium2
from fastapi.testclient import TestClient

from programmacheck.web import create_app

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
TARGETS = {"first verdicts": 30.0, "page image": 0.5, "heatmap": 1.0}


def default_pdf() -> Path:
    for pdf in sorted((SHARED / "corpus" / "gr2026").rglob("*.pdf")):
        document = pypdfium2.PdfDocument(str(pdf))
        pages = len(document)
        document.close()
        if 36 <= pages <= 44:
            return pdf
    raise SystemExit(f"no PDF of 36-44 pages in {SHARED / 'corpus' / 'gr2026'}; give --pdf")


def form_token(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found
    return found.group(1)


def first_verdicts(client: TestClient, pdf: Path) -> float:
    """Seconds from the upload's POST until the heatmap shows the programme."""
    token = form_token(client.get("/upload").text)
    started = time.perf_counter()
    pending = client.post("/upload", data={"csrf": token}, files=[("files", (pdf.name, pdf.read_bytes()))]).text
    batch = re.findall(r'name="batch" value="([0-9a-f]+)"', pending)[0]
    name = re.search(rf'name="{batch}-name" value="([^"]+)"', pending)
    assert name
    fields = {
        "csrf": token,
        "batch": batch,
        f"{batch}-name": name.group(1),
        f"{batch}-municipality": "Benchmark",
        f"{batch}-party": "Partij",
        f"{batch}-election": "gr2026",
    }
    client.post("/upload/confirm", data=fields)
    while 'table class="heatmap"' not in client.get("/").text:
        if client.get("/scan/progress").json()["error"]:
            raise SystemExit(client.get("/scan/progress").json()["error"])
        time.sleep(0.2)
    return time.perf_counter() - started


def page_images(client: TestClient, out: Path) -> tuple[list[float], list[float]]:
    """(cell page seconds, page image seconds) of every cell with a quote on a page not asked before."""
    cells, images, seen = [], [], set()
    with open(out / "verdicts.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if not row["evidence_page"] or row["evidence_page"] in seen:
                continue
            seen.add(row["evidence_page"])
            started = time.perf_counter()
            cell = client.get("/cell", params={"document": row["document"], "item": row["item_id"]})
            cells.append(time.perf_counter() - started)
            assert 'class="highlight"' in cell.text or "niet op de pagina" in cell.text
            started = time.perf_counter()
            image = client.get("/page.png", params={"document": row["document"], "page": row["evidence_page"]})
            images.append(time.perf_counter() - started)
            assert image.headers["content-type"] == "image/png"
    return cells, images


def repeated(out: Path, target: Path, copies: int) -> Path:
    """An output folder with ``out``'s one programme repeated ``copies`` times under other names."""
    target.mkdir()
    for name in ("verdicts.csv", "evidence.csv", "programmes.csv"):
        with open(out / name, newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            rows = list(reader)
        with open(target / name, "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, reader.fieldnames or [])
            writer.writeheader()
            for n in range(copies):
                for row in rows:
                    copy = {**row, "document": f"gr2026/benchmark/partij-{n:02d}.pdf"}
                    if "party" in copy:
                        copy["party"] = f"Partij {n:02d}"
                    writer.writerow(copy)
    lines = (out / "paragraphs.jsonl").read_text(encoding="utf-8").splitlines()
    with open(target / "paragraphs.jsonl", "w", encoding="utf-8") as handle:
        for n in range(copies):
            for line in lines:
                handle.write(
                    json.dumps({**json.loads(line), "document": f"gr2026/benchmark/partij-{n:02d}.pdf"}) + "\n"
                )
    (target / "failures.csv").write_text("document,message\n", encoding="utf-8")
    (target / "run.json").write_text((out / "run.json").read_text(encoding="utf-8"), encoding="utf-8")
    return target


def heatmap(folder: Path, copies: int) -> tuple[float, list[float]]:
    """(first request, the next ones) in seconds."""
    client = TestClient(create_app(folder))
    timings = []
    for _ in range(6):
        started = time.perf_counter()
        page = client.get("/", params={"election": "gr2026", "municipality": "Benchmark"})
        timings.append(time.perf_counter() - started)
        assert page.status_code == 200 and page.text.count('class="party"') == copies
    return timings[0], timings[1:]


def line(name: str, seconds: float, detail: str = "") -> None:
    verdict = "ok" if seconds <= TARGETS[name] else "OVER"
    print(f"{name:<16} {seconds:7.3f} s  (target {TARGETS[name]:.1f} s: {verdict}) {detail}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pdf", type=Path, help="a programme of about 40 pages")
    parser.add_argument("--programmes", type=int, default=50, help="programmes in the heatmap (default 50)")
    args = parser.parse_args(argv)
    pdf = args.pdf or default_pdf()
    with tempfile.TemporaryDirectory() as work:
        out = Path(work) / "out"
        app = create_app(out)
        started = time.perf_counter()
        app.state.job.warm_up().join()
        print(f"warmed up (the server's small scan at start) in {time.perf_counter() - started:.1f} s")
        client = TestClient(app)
        document = pypdfium2.PdfDocument(str(pdf))
        pages = len(document)
        document.close()
        line("first verdicts", first_verdicts(client, pdf), f"({pdf.name}, {pages} pages)")
        cells, images = page_images(client, out)
        line("page image", max(images), f"(slowest of {len(images)}; median {statistics.median(images):.3f} s)")
        print(f"{'cell page':<16} {max(cells):7.3f} s  (slowest; median {statistics.median(cells):.3f} s)")
        first, next_ones = heatmap(repeated(out, Path(work) / "many", args.programmes), args.programmes)
        line("heatmap", max(next_ones), f"({args.programmes} programmes; first after a change {first:.3f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

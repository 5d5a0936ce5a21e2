"""Scans started from the browser: one at a time, in a background thread, watched by polling.

The thread calls the same :func:`programmacheck.batch.scanning.scan_into` as ``programmacheck
scan``; its batch scores through this process's one engine (``engine.process_engine``), which
the server warms up at start (:meth:`ScanJob.warm_up`) and keeps for every scan.  What a scan reads: every programme the
output folder already holds (from the paths its ``programmes.csv`` records) and everything under
``OUT/uploads``, so a rescan keeps what was there and adds what was uploaded.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import logging
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..batch import BatchSettings
from ..batch.progress import Advance
from ..batch.scanning import ScanError, scan_into
from ..checklist import checklist_problems, load_checklist
from ..embed import Embedder
from ..extract import one_line
from ..programmes import ManifestError, programmes, read_manifest
from ..records import Failure
from .uploads import MANIFEST, MANIFEST_COLUMNS, UPLOADS

log = logging.getLogger(__name__)

#: The manifest a scan reads: the uploads' rows and those of the manifest the folder was scanned
#: with before, if any (rewritten before each scan).
SCAN_MANIFEST = ".scan-manifest.csv"


@dataclass
class ScanState:
    """What the progress page shows; replaced as a whole (never changed in place) so a reader in
    another thread sees one consistent state."""

    running: bool = False
    started: float = 0.0
    finished: float = 0.0
    files: int = 0  # programmes to compute (those answered from the store are not counted)
    done: int = 0
    pages: int = 0
    pages_done: int = 0
    items_done: int = 0  # item verdicts computed (those answered from the store are not counted)
    current: str = ""
    scanned: int = 0  # programmes in the output folder afterwards
    failures: tuple[tuple[str, str], ...] = ()
    error: str = ""  # the scan could not run at all

    def as_json(self) -> dict:
        return dataclasses.asdict(self)


@dataclass
class ScanJob:
    """The server's scanner; :meth:`start` refuses a second scan while one runs."""

    out: Path
    settings: BatchSettings
    embedder: Embedder | None = None
    state: ScanState = field(default_factory=ScanState)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _thread: threading.Thread | None = None
    _warming: threading.Thread | None = None  # a scan waits for it: the two would share the engine's lanes

    def start(self) -> bool:
        """Start a scan in the background; False if one is running."""
        with self._lock:
            if self.state.running:
                return False
            self.state = ScanState(running=True, started=time.time())
            self._thread = threading.Thread(target=self._run, name="programmacheck-scan", daemon=True)
            self._thread.start()
            return True

    def warm_up(self) -> threading.Thread:
        """Scan a small programme now, in the background (the thread returned), so the first
        upload's verdicts come without the wait for the model, the language pipeline and
        everything else a first scan loads (that was ~45 s of a 40-page PDF's 55 s here).  The
        programme is the checklist's own item texts, scanned into a temporary folder and store.
        A part that cannot load is reported by the real scan, with its reason."""

        def load() -> None:
            try:
                with tempfile.TemporaryDirectory(prefix="programmacheck-warm-up-") as work:
                    text = Path(work) / "warm-up.txt"
                    items = load_checklist(self.settings.scan.checklist).checklist.items
                    text.write_text("\n\n".join(item.text for item in items), encoding="utf-8")
                    manifest = Path(work) / "manifest.csv"  # a party name, so no warning about file names
                    manifest.write_text("path,party\nwarm-up.txt,warm-up\n", encoding="utf-8")
                    found, refused = programmes([str(text)], manifest)
                    settings = dataclasses.replace(self.settings, store=str(Path(work) / "store.sqlite"))
                    scan_into(Path(work) / "out", found, refused, settings, lambda _: None, {}, embedder=self.embedder)
            except Exception:  # noqa: BLE001 - the first real scan reports it, with its file and reason
                log.debug("warming up the engine failed", exc_info=True)

        self._warming = threading.Thread(target=load, name="programmacheck-warm-up", daemon=True)
        self._warming.start()
        return self._warming

    def wait(self, timeout: float | None = None) -> None:
        """Until the running scan ends (for a caller that must wait for its results, as tests do)."""
        if self._thread is not None:
            self._thread.join(timeout)

    def _update(self, **changes) -> None:
        with self._lock:
            self.state = dataclasses.replace(self.state, **changes)

    def _advance(self, advance: Advance) -> None:
        self._update(
            files=advance.files,
            done=advance.done,
            pages=advance.pages,
            pages_done=advance.pages_done,
            items_done=advance.items_done,
            current=advance.document or "",
        )

    def _fail(self, failure: Failure) -> None:
        self._update(failures=(*self.state.failures, (failure.document, one_line(failure.message))))

    def _run(self) -> None:
        try:
            self._scan()
        except Exception as exc:  # noqa: BLE001 - the page must say why instead of a thread dying unheard
            self._update(error=one_line(f"{type(exc).__name__}: {exc}"))
        finally:
            self._update(running=False, finished=time.time())

    def _scan(self) -> None:
        if self._warming is not None:
            self._warming.join()
        problems = checklist_problems(self.settings.scan.checklist)
        if problems:
            self._update(error=problems[0])
            return
        inputs, manifest = scan_inputs(self.out)
        if not inputs:
            self._update(error="nothing to scan: add programmes first")
            return
        try:
            found, refused = programmes([str(i) for i in inputs], manifest)
        except ManifestError as exc:
            self._update(error=str(exc))
            return
        try:
            scanned = scan_into(
                self.out,
                found,
                refused,
                self.settings,
                on_failure=self._fail,
                given={"manifest": str(manifest) if manifest else None, "inputs": [str(i) for i in inputs]},
                on_advance=self._advance,
                embedder=self.embedder,
            )
        except ScanError as exc:
            self._update(error=str(exc))
            return
        self._update(scanned=scanned.programmes)


def scan_inputs(out: Path) -> tuple[list[Path], Path | None]:
    """What a scan of ``out`` reads (see the module docstring), and the manifest it reads them with."""
    uploads = (out / UPLOADS).resolve()
    inputs: list[Path] = []
    listed = out / "programmes.csv"
    if listed.is_file():
        with open(listed, newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                path = Path(row.get("path") or "")
                if path.is_absolute() and path.exists() and not path.resolve().is_relative_to(uploads):
                    inputs.append(path)
    if uploads.is_dir():
        inputs.append(uploads)
    rows = read_manifest(uploads / MANIFEST) if (uploads / MANIFEST).is_file() else []
    earlier = _earlier_manifest(out)
    if earlier is not None:  # the uploads' own rows first: they are what the user confirmed last
        rows = list({row.get("path", ""): row for row in [*read_manifest(earlier), *rows]}.values())
    if not rows:
        return sorted(set(inputs)), None
    manifest = uploads / SCAN_MANIFEST
    manifest.parent.mkdir(parents=True, exist_ok=True)
    columns = list(dict.fromkeys([*MANIFEST_COLUMNS, *(c for r in rows for c in r)]))
    with open(manifest, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, columns, restval="")
        writer.writeheader()
        writer.writerows(rows)
    return sorted(set(inputs)), manifest


def _earlier_manifest(out: Path) -> Path | None:
    """The manifest the folder's last scan read (after a scan from here, the workbench's own,
    which holds the rows of the one before)."""
    try:
        given = json.loads((out / "run.json").read_text(encoding="utf-8"))["settings"].get("manifest")
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    if not given or not Path(given).is_file():
        return None
    return Path(given)

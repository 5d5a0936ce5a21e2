"""A whole scan into an output folder: open it, run the batch, record the refused inputs, close it
with the batch's provenance.

Why here and not in the command line: ``programmacheck scan`` and the web app's scans must
write the same folder the same way, and give up the same way (the folder discarded, the
previous results kept, one line saying why).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..checklist import ChecklistError, LoadedChecklist
from ..embed import Embedder
from ..records import Failure, Programme, ProgrammeResult
from ..report import OutputError, OutputFolder
from .coordinator import Batch, BatchSettings, BatchStats
from .progress import Advance
from .store import damaged


class ScanError(ValueError):
    """A scan that could not run at all (the output folder, the store, the checklist or the
    calibration); the message is one line.  The folder keeps its previous results."""


@dataclass(frozen=True)
class Scanned:
    """What a finished scan wrote."""

    out: Path
    programmes: int
    failures: tuple[Failure, ...]
    stats: BatchStats
    checklist: LoadedChecklist


def scan_into(
    out: str | Path,
    found: Sequence[Programme],
    refused: Sequence[tuple[str, str]],
    settings: BatchSettings,
    on_failure: Callable[[Failure], None],
    given: dict,
    on_result: Callable[[ProgrammeResult], None] | None = None,
    on_advance: Callable[[Advance], None] | None = None,
    embedder: Embedder | None = None,
) -> Scanned:
    """Scan ``found`` into ``out``; ``refused`` are inputs already known unreadable (as given,
    message); ``given`` (inputs, manifest) is recorded in run.json's settings."""
    try:
        folder = OutputFolder(out)
    except OutputError as exc:
        raise ScanError(str(exc)) from None
    try:
        batch = Batch(settings, folder, embedder=embedder, on_result=on_result, on_advance=on_advance)
    except (ChecklistError, ValueError, OSError) as exc:  # StoreError is a ValueError
        folder.discard()
        raise ScanError(str(exc)) from None
    for document, message in refused:
        failure = Failure(document, message)
        folder.fail(failure)
        on_failure(failure)
    try:
        stats = batch.run(found, on_failure=on_failure)
    except sqlite3.DatabaseError as exc:  # damage the open did not see
        folder.discard()
        raise ScanError(str(damaged(batch.store.path, exc))) from None
    except (ValueError, OSError) as exc:  # a StoreError, or e.g. a calibration file the workers cannot use
        folder.discard()
        raise ScanError(str(exc)) from None
    finally:
        batch.close()
    provenance = batch.provenance()
    provenance["settings"].update(given)
    folder.close(provenance)
    return Scanned(folder.path, folder.programmes, tuple(folder.failures), stats, batch.checklist)

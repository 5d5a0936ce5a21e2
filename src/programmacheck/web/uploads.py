"""Programmes added through the browser: where they are kept, what they are called, and the
manifest that gives the scan their municipality, party and election.

Files land in ``OUT/uploads/<election>/<municipality>/<name>``, the folder layout a scan reads
anyway, with names reduced to safe characters; ``OUT/uploads/manifest.csv`` holds the metadata the
user confirmed (a party is not its file name), so the scan is an ordinary ``programmes()`` call
with a manifest.  An upload is first kept apart (``OUT/.pending-uploads``) so the user can
correct the metadata read from its file name before anything is scanned.  As in any manifest,
files of one party, municipality and election in one folder are read as one programme.
"""

from __future__ import annotations

import csv
import filecmp
import re
import secrets
import shutil
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ..extract import MAX_BYTES, SUPPORTED_SUFFIXES
from ..programmes import METADATA_COLUMNS, metadata_from_layout, read_manifest

UPLOADS = "uploads"
#: Beside ``uploads``, not in it: a scan reads everything under ``uploads``.
PENDING = ".pending-uploads"
MANIFEST = "manifest.csv"
MANIFEST_COLUMNS = ("path", *METADATA_COLUMNS)
#: The longest file name kept (before the suffix); a real one is a few words.
MAX_NAME = 80
#: "gr2026", "tk2025": the election a file name may start or end with (as the folder layout names it).
ELECTION = re.compile(r"^(gr|tk|ps|ws|eu)(\d{4})$", re.IGNORECASE)
#: Where a file goes without a municipality or election.
NONE = "zonder"


class UploadError(ValueError):
    """An upload that is refused; one line naming the file."""


@dataclass(frozen=True)
class Pending:
    """A file waiting for the user to confirm its metadata."""

    batch: str  # the pending folder's name
    name: str  # the sanitised file name
    municipality: str
    party: str
    election: str


def slug(text: str) -> str:
    """Lower-case ASCII letters, digits and single dashes: safe in any file system and URL."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def safe_name(filename: str) -> str:
    """The file name a browser sent, reduced to a safe one with its (allowed) suffix; else an
    :class:`UploadError`."""
    base = Path(filename.replace("\\", "/")).name
    suffix = Path(base).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise UploadError(f"{base}: not a programme file; allowed are {', '.join(SUPPORTED_SUFFIXES)}")
    stem = slug(Path(base).stem)[:MAX_NAME].strip("-") or "programma"
    return stem + suffix


def guess(name: str, municipalities: list[str], default_election: str) -> tuple[str, str, str]:
    """(municipality, party, election) read from a file's name as the browser sent it: from a
    chosen folder in the corpus layout (``gr2026/lindewaard/partij.pdf``) as a scan reads it,
    else an election word ("gr2026") anywhere in the name and a known municipality's name; the
    rest of the name is the party's."""
    layout = metadata_from_layout(name.replace("\\", "/"))
    words = [w for w in re.split(r"[-_ .]+", Path(name.replace("\\", "/")).stem) if w]
    election = layout["election"] or next((w.lower() for w in words if ELECTION.match(w)), default_election)
    words = [w for w in words if not ELECTION.match(w)]
    stem = "-".join(w.lower() for w in words)
    municipality = layout["municipality"] or next((m for m in municipalities if slug(m) and slug(m) in stem), "")
    party = " ".join(w.capitalize() if w.islower() else w for w in words)
    return municipality, party, election


def receive(out: Path, filename: str, source: BinaryIO, size: int) -> tuple[str, str]:
    """Keep an uploaded file (``size`` bytes, read from ``source``) in a new pending folder;
    returns (pending folder, safe name)."""
    name = safe_name(filename)
    limit = MAX_BYTES[Path(name).suffix]
    if size > limit:
        raise UploadError(f"{name}: too large ({size / 2**20:.1f} MB; at most {limit / 2**20:.0f} MB for this type)")
    if not size:
        raise UploadError(f"{name}: the file is empty")
    batch = secrets.token_hex(8)
    folder = out / PENDING / batch
    folder.mkdir(parents=True)
    with open(folder / name, "wb") as target:
        shutil.copyfileobj(source, target)
    return batch, name


def pending_file(out: Path, batch: str, name: str) -> Path:
    """A pending file by its folder and name, as a form names them: both must be what
    :func:`receive` made (no other path can be named)."""
    if not re.fullmatch(r"[0-9a-f]{16}", batch) or safe_name(name) != name:
        raise UploadError(f"{name}: no such upload")
    file = out / PENDING / batch / name
    if not file.is_file():
        raise UploadError(f"{name}: no such upload (already added?)")
    return file


def place(out: Path, batch: str, name: str, municipality: str, party: str, election: str) -> str:
    """Move a pending file into the uploads layout and record its metadata in the manifest;
    returns its path below ``OUT/uploads``."""
    file = pending_file(out, batch, name)
    election = election.strip().lower()
    if election and not ELECTION.match(election):
        raise UploadError(f"{name}: election {election!r} is not like 'gr2026' or 'tk2025'")
    relative = Path(election or NONE, slug(municipality) or NONE, name)
    target = out / UPLOADS / relative
    if target.exists() and not filecmp.cmp(target, file, shallow=False):
        stem = target.stem
        number = 2
        while target.exists():
            target = target.with_name(f"{stem}-{number}{target.suffix}")
            number += 1
        relative = target.relative_to(out / UPLOADS)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(file, target)
    file.parent.rmdir()
    row = {
        "path": relative.as_posix(),
        "municipality": municipality.strip(),
        "party": party.strip(),
        "election": election,
        "year": election[-4:] if election else "",
    }
    rows = [r for r in manifest_rows(out) if r["path"] != row["path"]] + [row]
    with open(out / UPLOADS / MANIFEST, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, MANIFEST_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return relative.as_posix()


def manifest_rows(out: Path) -> list[dict[str, str]]:
    manifest = out / UPLOADS / MANIFEST
    return read_manifest(manifest) if manifest.is_file() else []

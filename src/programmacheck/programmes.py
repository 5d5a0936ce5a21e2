"""Which programmes a scan reads, and what is known about each (municipality, party, election).

Inputs are files and folders as given on the command line.  A file's ``document`` name is the
path as given; a file found inside a folder is named by that folder argument joined with the
path below it, so results stay traceable to what the user typed.  Metadata comes from a
manifest (the format of the shared corpus' ``manifest.csv``) or else from the folder layout
``<election>/<municipality>/<party>.<ext>`` (national: ``<election>/<party>.<ext>``).
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterable
from pathlib import Path

from .extract import SUPPORTED_SUFFIXES
from .records import Programme

METADATA_COLUMNS = ("municipality", "party", "election", "year")
_ELECTION = re.compile(r"^([a-z]+)(\d{4})$", re.IGNORECASE)


def discover(inputs: Iterable[str]) -> tuple[list[str], list[str]]:
    """Expand files and folders into document names; also return inputs that do not exist."""
    documents, missing = [], []
    for given in inputs:
        path = Path(given)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES)
            documents.extend(os.path.join(given, str(p.relative_to(path))) for p in found)
        elif path.exists():
            documents.append(given)
        else:
            missing.append(given)
    return documents, missing


def read_manifest(path: str | Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(handle)]


def metadata_from_manifest(document: str, manifest: list[dict[str, str]]) -> dict[str, str] | None:
    """The manifest row whose ``path`` the document ends with (longest match wins)."""
    normalised = Path(os.path.normpath(document)).as_posix()
    rows = [r for r in manifest if r.get("path") and (normalised == r["path"] or normalised.endswith("/" + r["path"]))]
    if not rows:
        return None
    row = max(rows, key=lambda r: len(r["path"]))
    return {column: row.get(column, "") for column in METADATA_COLUMNS}


def metadata_from_layout(document: str) -> dict[str, str]:
    """Read ``<election>/<municipality>/<party>.<ext>`` (or ``<election>/<party>.<ext>``)."""
    parts = Path(os.path.normpath(document)).parts
    party = Path(parts[-1]).stem
    folders = list(parts[:-1])
    election_at = next((i for i in range(len(folders) - 1, -1, -1) if _ELECTION.match(folders[i])), None)
    if election_at is None:
        return {"municipality": "", "party": party, "election": "", "year": ""}
    election = folders[election_at].lower()
    below = folders[election_at + 1:]
    return {
        "municipality": below[0].replace("-", " ").title() if below else "",
        "party": party,
        "election": election,
        "year": _ELECTION.match(election).group(2),
    }


def programmes(inputs: Iterable[str], manifest: str | Path | None = None) -> tuple[list[Programme], list[str]]:
    """Programmes to scan (one per file) with metadata, and the inputs that were not found."""
    documents, missing = discover(inputs)
    rows = read_manifest(manifest) if manifest else []
    result = []
    for document in documents:
        metadata = (metadata_from_manifest(document, rows) if rows else None) or metadata_from_layout(document)
        result.append(Programme(document=document, files=(document,), metadata=metadata))
    return result, missing

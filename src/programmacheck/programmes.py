"""Which programmes a scan reads, and what is known about each (municipality, party, election).

Inputs are files and folders as given on the command line.  A file's ``document`` name is the
path as given; a file found inside a folder is named by that folder argument joined with the
path below it, so results stay traceable to what the user typed.  Metadata comes from a
manifest (the format of the shared corpus' ``manifest.csv``) or else from the folder layout
``<election>/<municipality>/<party>.<ext>`` (national: ``<election>/<party>.<ext>``).

One programme may be several files (a party website saved page by page).  Such files are read
as one programme, named by their folder, when the manifest gives them the same election,
municipality and party within one folder, or when their folder holds an ``_index.md`` (the
section index of a saved website, read first).
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
            found = sorted(p for p in path.rglob("*")
                           if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES and not _is_documentation(p))
            documents.extend(os.path.join(given, str(p.relative_to(path))) for p in found)
        elif path.exists():
            documents.append(given)
        else:
            missing.append(given)
    return documents, missing


def _is_documentation(path: Path) -> bool:
    """A corpus folder's own README describes the corpus; it is no programme."""
    return path.stem.lower() == "readme"


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


WEBSITE_INDEX = "_index.md"


def _group_key(document: str, metadata: dict[str, str], from_manifest: bool) -> tuple:
    """Files with the same key form one programme; a file alone keeps a key of its own."""
    folder = os.path.dirname(document)
    if os.path.isfile(os.path.join(folder, WEBSITE_INDEX)):
        return ("folder", folder)
    if from_manifest and metadata.get("party"):
        return ("manifest", folder, metadata.get("election"), metadata.get("municipality"), metadata["party"])
    return ("file", document)


def _reading_order(document: str) -> tuple[bool, str]:
    return (os.path.basename(document) != WEBSITE_INDEX, document)


def programmes(inputs: Iterable[str], manifest: str | Path | None = None) -> tuple[list[Programme], list[str]]:
    """Programmes to scan with metadata, and the inputs that were not found."""
    documents, missing = discover(inputs)
    rows = read_manifest(manifest) if manifest else []
    groups: dict[tuple, list[tuple[str, dict[str, str]]]] = {}
    for document in documents:
        from_manifest = metadata_from_manifest(document, rows) if rows else None
        metadata = from_manifest or metadata_from_layout(document)
        groups.setdefault(_group_key(document, metadata, from_manifest is not None), []).append((document, metadata))
    result = []
    for members in groups.values():
        files = tuple(sorted((d for d, _ in members), key=_reading_order))
        if len(files) == 1:
            result.append(Programme(document=files[0], files=files, metadata=members[0][1]))
            continue
        folder = os.path.dirname(files[0])
        metadata = dict(members[0][1])
        if not rows:  # the layout rule read the folder as the party: it is <party>/<page>.md
            metadata.update(metadata_from_layout(folder))
        result.append(Programme(document=folder, files=files, metadata=metadata))
    return result, missing

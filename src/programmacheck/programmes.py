"""Which programmes a scan reads, and what is known about each (municipality, party, election).

Inputs are files and folders as given on the command line.  A programme's ``document`` name
never depends on the folder the command ran in, so results of scans made from different places,
or into different output folders, can be put side by side:

* with a manifest, it is the path the manifest names the file by (below the corpus root);
* else, in the layout ``<election>/<municipality>/<party>.<ext>`` (national:
  ``<election>/<party>.<ext>``), it is the path from the election folder on;
* else it is the path below the folder argument, after that folder's own name (a file given
  alone: its name), with as many parent folders in front as it takes to tell files apart.

Metadata comes from the manifest (``municipality, party, election, year``, and the optional
``status`` such as ``concept``, ``date`` and ``url`` of the party's own copy) or else from the
folder layout; there a file name ending in ``-concept`` marks a concept version.  Where party
names come from file names, ``party_from`` says so and a warning is logged: they are often not
what a reader calls the party.  ``sha256`` identifies the file by its content.

One programme may be several files (a party website saved page by page).  Such files are read
as one programme, named by their folder, when the manifest gives them the same election,
municipality and party within one folder, or when their folder holds an ``_index.md`` (the
section index of a saved website, read first).
"""

from __future__ import annotations

import csv
import hashlib
import logging
import os
import re
from collections.abc import Iterable
from pathlib import Path

from .extract import SUPPORTED_SUFFIXES
from .records import Programme

log = logging.getLogger(__name__)

METADATA_COLUMNS = ("municipality", "party", "election", "year")
#: What else is known of a programme; written to ``programmes.csv`` beside the verdicts.
DETAIL_COLUMNS = ("status", "date", "url", "party_from", "sha256", "path")
#: ``party_from`` values: the party name is the manifest's, or a file (or folder) name.
PARTY_FROM_MANIFEST, PARTY_FROM_FILE_NAME = "manifest", "file name"
#: ``status`` of a programme that is not final (the manifest's word, and the file-name suffix).
CONCEPT = "concept"
_CONCEPT_SUFFIX = "-" + CONCEPT
_ELECTION = re.compile(r"^([a-z]+)(\d{4})$", re.IGNORECASE)


def discover(inputs: Iterable[str]) -> tuple[list[tuple[str, str]], list[str]]:
    """Expand files and folders into (path to read, fallback name) pairs; also return inputs that do not exist.

    The fallback name is the path below a folder argument after that folder's own name, or a
    lone file's name: what a document is called when neither manifest nor layout names it.
    """
    documents, missing = [], []
    for given in inputs:
        path = Path(given)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*")
                           if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES and not _is_documentation(p))
            folder = path.resolve().name
            documents.extend((os.path.join(given, str(p.relative_to(path))),
                              Path(folder, p.relative_to(path)).as_posix()) for p in found)
        elif path.exists():
            documents.append((given, path.name))
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
    """The manifest row whose ``path`` the document ends with (longest match wins).

    Besides the metadata columns it gives ``name``, the manifest's own path of the file.
    """
    normalised = Path(os.path.normpath(document)).as_posix()
    rows = [r for r in manifest if r.get("path") and (normalised == r["path"] or normalised.endswith("/" + r["path"]))]
    if not rows:
        return None
    row = max(rows, key=lambda r: len(r["path"]))
    found = {column: row.get(column) or "" for column in (*METADATA_COLUMNS, "status", "date", "url")}
    return {**found, "party_from": PARTY_FROM_MANIFEST, "name": row["path"]}


def metadata_from_layout(document: str) -> dict[str, str]:
    """Read ``<election>/<municipality>/<party>.<ext>`` (or ``<election>/<party>.<ext>``).

    Besides the metadata columns it gives ``name``: the path from the election folder on, or ''
    when there is no election folder.  ``<party>-concept.<ext>`` is the concept version.
    """
    parts = Path(os.path.normpath(document)).parts
    party, status = Path(parts[-1]).stem, ""
    if party.lower().endswith(_CONCEPT_SUFFIX):
        party, status = party[: -len(_CONCEPT_SUFFIX)], CONCEPT
    folders = list(parts[:-1])
    election_at = next((i for i in range(len(folders) - 1, -1, -1) if _ELECTION.match(folders[i])), None)
    found = {"municipality": "", "party": party, "election": "", "year": "", "status": status,
             "party_from": PARTY_FROM_FILE_NAME, "name": ""}
    if election_at is None:
        return found
    election = folders[election_at].lower()
    below = folders[election_at + 1:]
    return {**found, "municipality": below[0].replace("-", " ").title() if below else "", "election": election,
            "year": _ELECTION.match(election).group(2), "name": Path(*parts[election_at:]).as_posix()}


WEBSITE_INDEX = "_index.md"


def _group_key(path: str, metadata: dict[str, str]) -> tuple:
    """Files with the same key form one programme; a file alone keeps a key of its own."""
    folder = os.path.dirname(path)
    if os.path.isfile(os.path.join(folder, WEBSITE_INDEX)):
        return ("folder", folder)
    if metadata["party_from"] == PARTY_FROM_MANIFEST and metadata.get("party"):
        return ("manifest", folder, metadata.get("election"), metadata.get("municipality"), metadata["party"])
    return ("file", path)


def _reading_order(path: str) -> tuple[bool, str]:
    return (os.path.basename(path) != WEBSITE_INDEX, path)


def content_sha256(files: Iterable[str]) -> str:
    """A programme's identity by content: its file's sha256, or for several files one over their names and hashes."""
    digests = []
    for file in files:
        with open(file, "rb") as handle:
            digests.append((os.path.basename(file), hashlib.file_digest(handle, "sha256").hexdigest()))
    if len(digests) == 1:
        return digests[0][1]
    return hashlib.sha256("".join(f"{name}\0{digest}\n" for name, digest in digests).encode()).hexdigest()


def _with_unique_names(found: list[Programme]) -> list[Programme]:
    """Programmes whose names clash get as many of their parent folders in front as it takes."""
    by_name: dict[str, list[Programme]] = {}
    for programme in found:
        by_name.setdefault(programme.document, []).append(programme)
    renamed = {}
    for name, clashing in by_name.items():
        if len(clashing) < 2:
            continue
        length, paths = len(Path(name).parts), [Path(p.metadata["path"]).parts for p in clashing]
        for extra in range(1, max(map(len, paths)) + 1):
            names = [Path(*parts[-(length + extra):]).as_posix() for parts in paths]
            if len(set(names)) == len(names):
                break
        renamed.update({id(p): n for p, n in zip(clashing, names, strict=True)})
    return [Programme(renamed.get(id(p), p.document), p.files, p.metadata) for p in found]


def programmes(inputs: Iterable[str], manifest: str | Path | None = None) -> tuple[list[Programme], list[str]]:
    """Programmes to scan with metadata and details (``DETAIL_COLUMNS``), and the inputs that were not found."""
    documents, missing = discover(inputs)
    rows = read_manifest(manifest) if manifest else []
    groups: dict[tuple, list[tuple[str, str, dict[str, str]]]] = {}
    seen = set()
    for path, fallback in documents:
        if (resolved := os.path.realpath(path)) in seen:  # the same file reached through two inputs
            continue
        seen.add(resolved)
        absolute = os.path.abspath(path)  # "." inside a municipality's folder is still in the layout
        metadata = (metadata_from_manifest(absolute, rows) if rows else None) or metadata_from_layout(absolute)
        name = metadata.pop("name") or fallback
        groups.setdefault(_group_key(path, metadata), []).append((path, name, metadata))
    result = []
    for members in groups.values():
        members.sort(key=lambda member: _reading_order(member[0]))
        files = tuple(path for path, _, _ in members)
        path, name, metadata = members[0]
        if len(files) > 1:
            path, name = os.path.dirname(path), os.path.dirname(name)
            if metadata["party_from"] != PARTY_FROM_MANIFEST:  # the layout read the folder as the party
                layout = metadata_from_layout(os.path.abspath(path))
                layout.pop("name")
                metadata = {**metadata, **layout}
        details = {"sha256": content_sha256(files), "path": os.path.abspath(path)}
        result.append(Programme(document=name, files=files, metadata={"date": "", "url": "", **metadata, **details}))
    result = _with_unique_names(result)
    from_file_names = [p.document for p in result if p.metadata["party_from"] == PARTY_FROM_FILE_NAME]
    if from_file_names:
        log.warning("party names of %d programme(s) are file names (%s%s); a --manifest with a party column "
                    "names them properly", len(from_file_names), ", ".join(from_file_names[:3]),
                    ", ..." if len(from_file_names) > 3 else "")
    return result, missing

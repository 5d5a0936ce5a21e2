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
import io
import os
import re
from collections.abc import Iterable
from pathlib import Path

from .extract import SUPPORTED_SUFFIXES, input_problem
from .records import Programme

METADATA_COLUMNS = ("municipality", "party", "election", "year")
_ELECTION = re.compile(r"^([a-z]+)(\d{4})$", re.IGNORECASE)
#: Manifest separators: a comma, or what a Dutch Excel writes (";") or a tab.
MANIFEST_DELIMITERS = ",;\t"
#: The longest manifest field read (csv's own limit is 128 KiB; a real field is a few words).
MANIFEST_FIELD_LIMIT = 4096


class ManifestError(ValueError):
    """A manifest that cannot be used; the message is one line naming the file and the problem."""


#: An input that is not scanned, with the one-line reason: (as given, message).
Refused = tuple[str, str]


def discover(inputs: Iterable[str]) -> tuple[list[str], list[Refused]]:
    """Expand files and folders into document names; also return the inputs that cannot be read.

    A file reached twice (given beside the folder that holds it, or a folder given twice) is read
    once, under the name it was first reached by.  Names that are not valid UTF-8 are refused one
    by one: no output file could name them.
    """
    documents, refused, seen = [], [], set()
    for given in inputs:
        path = Path(given)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*")
                           if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES and not _is_documentation(p))
            candidates = [os.path.join(given, str(p.relative_to(path))) for p in found]
        elif path.exists() or path.is_symlink():
            candidates = [given]
        else:
            refused.append((given, f"{given}: no such file or folder"))
            continue
        for document in candidates:
            real = os.path.realpath(document)
            if real in seen:
                continue
            seen.add(real)
            problem = name_problem(document) or input_problem(document)
            if problem:
                refused.append((document, problem))
            else:
                documents.append(document)
    return documents, refused


def name_problem(document: str) -> str | None:
    """Why a file name cannot be used in the outputs (one that is not valid UTF-8), or None."""
    try:
        document.encode("utf-8")
    except UnicodeEncodeError:
        return f"{document}: the file name is not valid UTF-8; rename the file"
    return None


def _is_documentation(path: Path) -> bool:
    """A corpus folder's own README describes the corpus; it is no programme."""
    return path.stem.lower() == "readme"


def read_manifest(path: str | Path) -> list[dict[str, str]]:
    """The rows of a manifest, as saved by a script or by Excel: UTF-8 with or without BOM,
    separated by commas, semicolons or tabs.

    Why so strict about the header: a manifest read with the wrong separator or a BOM glued to
    ``path`` matched no document, and every programme silently got folder-layout metadata.
    """
    try:
        with open(path, "rb") as handle:
            data = handle.read(MANIFEST_FIELD_LIMIT * 1024 + 1)
    except OSError as exc:
        raise ManifestError(f"{path}: cannot read manifest: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ManifestError(f"{path}: manifest is not UTF-8 text (save it as 'CSV UTF-8')") from None
    if "\x00" in text:
        raise ManifestError(f"{path}: manifest is binary data, not CSV text")
    if len(data) > MANIFEST_FIELD_LIMIT * 1024:
        raise ManifestError(f"{path}: manifest is larger than {MANIFEST_FIELD_LIMIT} KiB; is it the right file?")
    header = text.split("\n", 1)[0]
    delimiter = max(MANIFEST_DELIMITERS, key=header.count)
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise ManifestError(f"{path}: not a readable CSV manifest (line {reader.line_num}: {exc})") from None
    columns = [c.strip().lower() for c in reader.fieldnames or []]
    if "path" not in columns:
        raise ManifestError(f"{path}: manifest has no 'path' column (columns: {', '.join(columns) or 'none'})")
    for number, row in enumerate(rows, start=2):
        if any(len(v or "") > MANIFEST_FIELD_LIMIT for v in row.values() if isinstance(v, str)):
            raise ManifestError(f"{path}: line {number}: a field longer than {MANIFEST_FIELD_LIMIT} characters")
    return [{k.strip().lower(): (v or "").strip() for k, v in row.items() if isinstance(k, str) and isinstance(v, str)}
            for row in rows]


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


def programmes(inputs: Iterable[str], manifest: str | Path | None = None) -> tuple[list[Programme], list[Refused]]:
    """Programmes to scan with metadata, and the inputs that cannot be read (see :func:`discover`).

    Raises :class:`ManifestError` for a manifest that cannot be used.
    """
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

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
import io
import logging
import os
import re
from collections.abc import Iterable
from pathlib import Path

from .extract import SUPPORTED_SUFFIXES, input_problem, one_line
from .records import Programme

log = logging.getLogger(__name__)

METADATA_COLUMNS = ("municipality", "party", "election", "year")
#: What else is known of a programme; written to ``programmes.csv`` beside the verdicts.
DETAIL_COLUMNS = ("status", "date", "url", "party_from", "sha256", "path")
#: ``party_from`` values: the party name is the manifest's, or a file (or folder) name.
PARTY_FROM_MANIFEST, PARTY_FROM_FILE_NAME = "manifest", "file name"
#: ``status`` of a programme that is not final (the manifest's word, and the file-name suffix).
CONCEPT = "concept"
#: Statuses of a final programme (the default: no status).
FINAL_STATUSES = ("", "definitief", "final")
_CONCEPT_SUFFIX = "-" + CONCEPT
_ELECTION = re.compile(r"^([a-z]+)(\d{4})$", re.IGNORECASE)
#: Manifest separators: a comma, or what a Dutch Excel writes (";") or a tab.
MANIFEST_DELIMITERS = ",;\t"
#: The longest manifest field read (csv's own limit is 128 KiB; a real field is a few words).
MANIFEST_FIELD_LIMIT = 4096


class ManifestError(ValueError):
    """A manifest that cannot be used; the message is one line naming the file and the problem."""


#: An input that is not scanned, with the one-line reason: (as given, message).
Refused = tuple[str, str]


def discover(inputs: Iterable[str]) -> tuple[list[tuple[str, str]], list[Refused]]:
    """Expand files and folders into (path to read, fallback name) pairs; also return the inputs
    that cannot be read.

    The fallback name is the path below a folder argument after that folder's own name, or a
    lone file's name: what a document is called when neither manifest nor layout names it.  A
    file reached twice (given beside the folder that holds it, or a folder given twice) is read
    once, under the name it was first reached by.  Names that are not valid UTF-8 are refused one
    by one: no output file could name them.
    """
    documents, refused, seen = [], [], set()
    for given in inputs:
        path = Path(given)
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES and not _is_documentation(p)
            )
            folder = path.resolve().name
            candidates = [
                (os.path.join(given, str(p.relative_to(path))), Path(folder, p.relative_to(path)).as_posix())
                for p in found
            ]
        elif path.exists() or path.is_symlink():
            candidates = [(given, path.name)]
        else:
            refused.append((given, f"{given}: no such file or folder"))
            continue
        for document, fallback in candidates:
            real = os.path.realpath(document)
            if real in seen:
                continue
            seen.add(real)
            problem = name_problem(document) or input_problem(document)
            if problem:
                refused.append((document, problem))
            else:
                documents.append((document, fallback))
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
    return [
        {k.strip().lower(): (v or "").strip() for k, v in row.items() if isinstance(k, str) and isinstance(v, str)}
        for row in rows
    ]


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
    found = {
        "municipality": "",
        "party": party,
        "election": "",
        "year": "",
        "status": status,
        "party_from": PARTY_FROM_FILE_NAME,
        "name": "",
    }
    if election_at is None:
        return found
    election = folders[election_at].lower()
    below = folders[election_at + 1 :]
    matched = _ELECTION.match(election)
    assert matched is not None  # the folder was chosen because it matches
    return {
        **found,
        "municipality": below[0].replace("-", " ").title() if below else "",
        "election": election,
        "year": matched.group(2),
        "name": Path(*parts[election_at:]).as_posix(),
    }


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
            names = [Path(*parts[-(length + extra) :]).as_posix() for parts in paths]
            if len(set(names)) == len(names):
                break
        renamed.update({id(p): n for p, n in zip(clashing, names, strict=True)})
    return [Programme(renamed.get(id(p), p.document), p.files, p.metadata) for p in found]


def programmes(inputs: Iterable[str], manifest: str | Path | None = None) -> tuple[list[Programme], list[Refused]]:
    """Programmes to scan with metadata and details (``DETAIL_COLUMNS``), and the inputs that cannot
    be read (see :func:`discover`).

    Raises :class:`ManifestError` for a manifest that cannot be used.
    """
    rows = read_manifest(manifest) if manifest else []
    documents, refused = discover(inputs)
    groups: dict[tuple, list[tuple[str, str, dict[str, str]]]] = {}
    for path, fallback in documents:
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
        log.warning(
            "party names of %d programme(s) are file names (%s%s); a --manifest with a party column "
            "names them properly",
            len(from_file_names),
            ", ".join(one_line(name) for name in from_file_names[:3]),  # a name may hold a newline
            ", ..." if len(from_file_names) > 3 else "",
        )
    return result, refused

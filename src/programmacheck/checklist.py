"""The checklist as data: a YAML file, validated on load.

The schema is documented for users in ``checklist/README.md``.  Validation happens here, once,
so that every later stage can trust the items: a wrong file is reported with the file, the item
and the field (``ChecklistError``), never as a traceback from deep inside matching.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator

from .resources import bundled_path

if TYPE_CHECKING:
    from pydantic_core import ErrorDetails

DEFAULT_CHECKLIST = "leger-des-heils-gr2026.yaml"

#: The longest term, item text, description or example.  Why: each is parsed by spaCy, which
#: refuses texts over a million characters (E088), and a real one is a sentence or a paragraph.
MAX_TEXT_CHARS = 5000
MAX_FILE_BYTES = 5 * 1024 * 1024
Term = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=MAX_TEXT_CHARS)]
Example = Annotated[str, StringConstraints(max_length=MAX_TEXT_CHARS)]


class ChecklistError(ValueError):
    """A checklist file that cannot be used; the message names the file, item and field."""


class Keywords(BaseModel):
    """Keyword rules of one item (see checklist/README.md for the term syntax).

    ``measure`` terms name the item's own measure, ``subject`` terms its subject or group
    without the measure, ``group`` terms (optional) the people the measure must be for.
    """

    model_config = ConfigDict(extra="forbid")

    measure: list[Term] = Field(default_factory=list)
    subject: list[Term] = Field(default_factory=list)
    group: list[Term] = Field(default_factory=list)


class Theme(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    title: str


class Item(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    theme: str
    text: str = Field(min_length=5, max_length=MAX_TEXT_CHARS)
    description: str = Field(min_length=5, max_length=MAX_TEXT_CHARS)
    parent: str | None = None
    keywords: Keywords
    exclude: list[Term] = Field(default_factory=list)
    contrary: list[Term] = Field(default_factory=list)
    examples: list[Example] = Field(min_length=1)

    @model_validator(mode="after")
    def _has_some_keyword(self) -> Item:
        if not (self.keywords.measure or self.keywords.subject):
            raise ValueError("keywords: give at least one 'measure' or 'subject' term")
        return self


class Checklist(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    language: str = "nl"
    source: str | None = None
    themes: list[Theme] = Field(min_length=1)
    items: list[Item] = Field(min_length=1)

    @model_validator(mode="after")
    def _references_resolve(self) -> Checklist:
        theme_ids = {t.id for t in self.themes}
        item_ids = [i.id for i in self.items]
        duplicates = {i for i in item_ids if item_ids.count(i) > 1}
        if duplicates:
            raise ValueError(f"items: duplicate id(s) {sorted(duplicates)}")
        for item in self.items:
            if item.theme not in theme_ids:
                raise ValueError(f"item {item.id}: field 'theme': unknown theme {item.theme!r}")
            if item.parent is not None and item.parent not in item_ids:
                raise ValueError(f"item {item.id}: field 'parent': unknown item {item.parent!r}")
        return self

    def theme_title(self, theme_id: str) -> str:
        return next(t.title for t in self.themes if t.id == theme_id)

    def children(self, item_id: str) -> list[Item]:
        return [i for i in self.items if i.parent == item_id]


class LoadedChecklist(BaseModel):
    """A validated checklist with the file it came from and that file's hash (for provenance)."""

    path: str
    sha256: str
    checklist: Checklist


def default_checklist_path() -> Path:
    return bundled_path("checklist", DEFAULT_CHECKLIST)


def _describe(error: ErrorDetails, raw: dict) -> str:
    """Turn one pydantic error into 'item 1.1: field keywords.measure: ...'."""
    loc = list(error["loc"])
    where = ""
    if len(loc) >= 2 and loc[0] == "items" and isinstance(loc[1], int):
        items = raw.get("items") or []
        item_id = (
            items[loc[1]].get("id", f"#{loc[1] + 1}")
            if loc[1] < len(items) and isinstance(items[loc[1]], dict)
            else f"#{loc[1] + 1}"
        )
        where = f"item {item_id}: "
        loc = loc[2:]
    field_name = ".".join(str(p) for p in loc)
    return f"{where}field {field_name!r}: {error['msg']}" if field_name else f"{where}{error['msg']}"


def load_checklist(path: str | Path | None = None) -> LoadedChecklist:
    """Read and validate a checklist YAML file (the bundled default when ``path`` is None)."""
    file = Path(path) if path is not None else default_checklist_path()
    if file.exists() and not file.is_file():
        raise ChecklistError(f"{file}: not a checklist file (a folder or a device)")
    if file.is_file() and file.stat().st_size > MAX_FILE_BYTES:
        raise ChecklistError(
            f"{file}: too large for a checklist ({file.stat().st_size // 1024} KiB; at most {MAX_FILE_BYTES // 1024} KiB)"
        )
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise ChecklistError(f"{file}: cannot read checklist: {exc.strerror or exc}") from None
    try:
        raw = yaml.safe_load(data)
    except yaml.YAMLError as exc:
        raise ChecklistError(f"{file}: not valid YAML: {str(exc).splitlines()[0]}") from None
    except RecursionError:
        raise ChecklistError(f"{file}: not a checklist: nested too deeply") from None
    if not isinstance(raw, dict):
        raise ChecklistError(f"{file}: a checklist is a YAML mapping with 'name', 'themes' and 'items'")
    try:
        checklist = Checklist.model_validate(raw)
    except RecursionError:
        raise ChecklistError(f"{file}: not a checklist: nested too deeply") from None
    except ValidationError as exc:
        problems = "; ".join(_describe(e, raw) for e in exc.errors()[:5])
        raise ChecklistError(f"{file}: {problems}") from None
    return LoadedChecklist(path=str(file), sha256=hashlib.sha256(data).hexdigest(), checklist=checklist)


#: The contrary entry ``{rejection}``: a passage where a rejecting phrase governs one of the
#: item's measure words takes a position against it (:mod:`programmacheck.match.rejection`).
#: Opt-in per item, because for some items the rejecting word is the measure itself
#: ("afschaffen van de kostendelersnorm").
REJECTION = "{rejection}"
_TERM_CHARS = re.compile(r"^[\w\-*&' .]+$")


def invalid_terms(item: Item) -> list[str]:
    """Terms the matcher cannot use: characters it does not know, or no word at all (reported by
    ``checklist validate`` and before a scan)."""
    terms = [*item.keywords.measure, *item.keywords.subject, *item.keywords.group, *item.exclude, *item.contrary]
    return [t for t in terms if t != REJECTION and not (_TERM_CHARS.match(t) and t.replace("&", " ").strip("* "))]


def checklist_problems(path: str | Path | None) -> list[str]:
    """Why a checklist cannot be used, one message per problem (none: usable).  ``checklist
    validate``, ``scan`` and the web app's checklist upload ask the same question, so a scan never
    runs on a checklist that validation rejects."""
    try:
        loaded = load_checklist(path)
    except ChecklistError as exc:
        return [str(exc)]
    return [
        f"{loaded.path}: item {item.id}: unusable term {term!r} (unknown characters, or no word)"
        for item in loaded.checklist.items
        for term in invalid_terms(item)
    ]

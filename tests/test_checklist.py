"""The bundled checklists: they load, match the canonical items, and hold no copied text.

The default checklist must equal ``items.csv`` exactly, because verdicts are scored against gold
labels keyed by those ids.  Examples and keywords must be our own words: the keyword rules are
judged on unseen programmes, so terms fitted to the development quotes would only flatter the
scores (and copy party text into the repository).
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from programmacheck.checklist import (
    ChecklistError,
    default_checklist_path,
    load_checklist,
)

REPO_ROOT = Path(__file__).resolve().parent.parent
CYCLING_CHECKLIST = REPO_ROOT / "checklist" / "fietsvriendelijke-gemeente.yaml"
COPY_LIMIT = 8  # this many consecutive words shared with a gold quote counts as copied


def _words(text: str) -> list[str]:
    """Lowercase words of letters/digits only, so punctuation and case cannot hide a copy."""
    return re.sub(r"[^\w\s]|_", " ", text.lower()).split()


def _ngrams(text: str, n: int = COPY_LIMIT) -> set[tuple[str, ...]]:
    words = _words(text)
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def _all_terms(item) -> list[str]:
    return [*item.keywords.measure, *item.keywords.subject, *item.keywords.group, *item.exclude, *item.contrary]


def _keyword_phrases(item) -> list[str]:
    """Every phrase a checklist author wrote for an item, split at '&' (parts are separate phrases)."""
    return [part for term in _all_terms(item) for part in term.split("&")]


# --------------------------------------------------------------------------- default checklist


@pytest.fixture(scope="module")
def default_checklist():
    return load_checklist().checklist


@pytest.fixture(scope="module")
def canonical_items(shared_dir: Path) -> list[dict[str, str]]:
    with (shared_dir / "eval" / "items.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_default_checklist_is_the_bundled_leger_des_heils_file():
    assert default_checklist_path().name == "leger-des-heils-gr2026.yaml"
    assert load_checklist().sha256 == load_checklist(default_checklist_path()).sha256


def test_items_equal_items_csv(default_checklist, canonical_items):
    ours = [(i.id, i.theme, i.text) for i in default_checklist.items]
    canonical = [(row["id"], row["theme_id"], row["item"]) for row in canonical_items]
    assert ours == canonical


def test_themes_equal_items_csv(default_checklist, canonical_items):
    canonical = {row["theme_id"]: row["theme"] for row in canonical_items}
    assert {t.id: t.title for t in default_checklist.themes} == canonical


def test_sub_items_of_1_1_have_parent_1_1(default_checklist):
    parents = {i.id: i.parent for i in default_checklist.items}
    assert [k for k, v in parents.items() if v == "1.1"] == [f"1.1.{c}" for c in "abcde"]
    assert all(v is None for k, v in parents.items() if not k.startswith("1.1."))


@pytest.mark.parametrize("path", [default_checklist_path(), CYCLING_CHECKLIST], ids=lambda p: p.name)
def test_every_item_has_three_to_six_examples(path):
    for item in load_checklist(path).checklist.items:
        assert 3 <= len(item.examples) <= 6, item.id


@pytest.mark.parametrize("path", [default_checklist_path(), CYCLING_CHECKLIST], ids=lambda p: p.name)
def test_terms_are_lowercase_and_and_parts_are_not_empty(path):
    """The matcher compares lowercase tokens, so an uppercase letter would make a term dead."""
    for item in load_checklist(path).checklist.items:
        for term in _all_terms(item):
            assert term == term.lower(), (item.id, term)
            assert all(part.strip() for part in term.split("&")), (item.id, term)


def test_cycling_checklist_loads():
    checklist = load_checklist(CYCLING_CHECKLIST).checklist
    assert 3 <= len(checklist.items) <= 5
    assert {i.theme for i in checklist.items} <= {t.id for t in checklist.themes}


# --------------------------------------------------------------------------- no copied text


def test_ngram_helper_detects_a_shared_run_despite_case_and_punctuation():
    quote = "Wij willen dat ieder kind, in elke wijk, veilig naar school kan fietsen."
    copied = "Zo zorgen we ervoor dat ieder kind in elke wijk veilig naar school kan gaan"
    reworded = "Kinderen fietsen veilig naar school, in elke wijk van de stad."
    assert _ngrams(copied) & _ngrams(quote)
    assert not _ngrams(reworded) & _ngrams(quote)
    assert not _ngrams("te kort") and _words("Eén, twee-drie!") == ["eén", "twee", "drie"]


@pytest.mark.parametrize("path", [default_checklist_path(), CYCLING_CHECKLIST], ids=lambda p: p.name)
def test_no_example_or_keyword_copies_a_gold_quote(path, gold_dir: Path):
    quote_ngrams: set[tuple[str, ...]] = set()
    # The national gold is development material too: copying from it would flatter scores just as much.
    gold_files = sorted(gold_dir.glob("*.json")) + sorted((gold_dir.parent / "gold-national").glob("*.json"))
    for gold_file in gold_files:
        for label in json.loads(gold_file.read_text(encoding="utf-8"))["labels"]:
            for evidence in label.get("evidence", []):
                quote_ngrams |= _ngrams(evidence["quote"])
    assert quote_ngrams, "no gold quotes found: the check would pass vacuously"

    copies = [
        (item.id, text)
        for item in load_checklist(path).checklist.items
        for text in [*item.examples, item.description, *_keyword_phrases(item)]
        if _ngrams(text) & quote_ngrams
    ]
    assert copies == []


# --------------------------------------------------------------------------- errors name file, item, field

GOOD_ITEM = """\
  - id: "1.1"
    theme: "1"
    text: "Housing First uitbreiden"
    description: "Behandeld als Housing First wordt uitgebreid."
    keywords:
      measure: ["housing first*"]
    examples: ["We breiden Housing First uit."]
"""
HEADER = """\
name: test
themes:
  - {id: "1", title: "Wonen"}
items:
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bad-checklist.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_small_file_loads(tmp_path):
    assert load_checklist(_write(tmp_path, HEADER + GOOD_ITEM)).checklist.items[0].id == "1.1"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (('examples: ["We breiden Housing First uit."]', "examples: []"), "examples"),
        (('theme: "1"', 'theme: "9"'), "theme"),
        (("keywords:", "keywrods:"), "keywrods"),
        (('measure: ["housing first*"]', "measure: []"), "keywords"),
        (('measure: ["housing first*"]', 'measure: ["x"]'), "keywords.measure.0"),
    ],
    ids=["empty-examples", "unknown-theme", "misspelled-key", "no-terms", "too-short-term"],
)
def test_wrong_item_names_file_item_and_field(tmp_path, change, field):
    path = _write(tmp_path, HEADER + GOOD_ITEM.replace(*change))
    with pytest.raises(ChecklistError) as error:
        load_checklist(path)
    message = str(error.value)
    assert str(path) in message
    assert "1.1" in message
    assert field in message


def test_unknown_parent_is_reported(tmp_path):
    path = _write(tmp_path, HEADER + GOOD_ITEM.replace('theme: "1"', 'theme: "1"\n    parent: "0.9"'))
    with pytest.raises(ChecklistError, match=r"item 1\.1: field 'parent'"):
        load_checklist(path)


def test_not_yaml_is_reported_with_the_file(tmp_path):
    path = _write(tmp_path, "name: [unclosed\nitems: {")
    with pytest.raises(ChecklistError, match="not valid YAML") as error:
        load_checklist(path)
    assert str(path) in str(error.value)


def test_a_yaml_list_instead_of_a_mapping_is_reported(tmp_path):
    with pytest.raises(ChecklistError, match="mapping"):
        load_checklist(_write(tmp_path, "- just\n- a list\n"))


def test_missing_file_is_reported_with_the_file(tmp_path):
    path = tmp_path / "does-not-exist.yaml"
    with pytest.raises(ChecklistError, match="cannot read") as error:
        load_checklist(path)
    assert str(path) in str(error.value)

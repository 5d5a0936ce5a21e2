"""Keyword rules on Dutch sentences written for these tests."""

from __future__ import annotations

import pytest

from programmacheck.checklist import Checklist
from programmacheck.match.keyword import KeywordMatcher, PatternIndex, Token, WordPattern
from programmacheck.nlp import load_pipeline


def checklist(**item_fields) -> Checklist:
    item = {"id": "x", "theme": "t", "text": "Een testitem", "description": "Wat telt.", "examples": ["Voorbeeld."]}
    item.update(item_fields)
    return Checklist.model_validate({"name": "test", "themes": [{"id": "t", "title": "T"}], "items": [item]})


def hit(text: str, **item_fields):
    matcher = KeywordMatcher(checklist(**item_fields), load_pipeline())
    return matcher.match([text])[0].get("x")


def term_matches(term: str, text: str) -> bool:
    found = hit(text, keywords={"measure": [term]})
    return found is not None and found.measure == (term,)


@pytest.mark.parametrize(
    "term, text",
    [
        ("dakloze", "Daklozen krijgen een eigen plek."),  # lemma of a plural
        ("flexwoning*", "We bouwen flexwoningen bij het station."),  # prefix wildcard
        ("*schuldhulp*", "Toegang tot gemeentelijke schuldhulpverlening."),  # infix wildcard
        ("housing first", "Meer Housing First-trajecten in de regio."),  # hyphen part of a compound
        ("bouwen", "De gemeente bouwt sneller."),  # verb lemma
        ("*woning", "Er komen meer sociale huurwoningen."),  # suffix wildcard
        ("schuldhulp* & dakloz*", "Daklozen houden recht op schuldhulp."),  # conjunction, any order
    ],
)
def test_terms_match(term, text):
    assert term_matches(term, text)


@pytest.mark.parametrize(
    "term, text",
    [
        ("housing first", "First we bouwen housing."),  # words must follow each other
        ("flexwoning*", "Woningen voor starters."),
        ("schuldhulp* & dakloz*", "Iedereen krijgt schuldhulp."),  # one part missing
    ],
)
def test_terms_do_not_match(term, text):
    assert not term_matches(term, text)


def test_measure_for_the_items_group_is_level_two():
    h = hit(
        "We bieden dak- en thuislozen toegang tot schuldhulpverlening.",
        keywords={"measure": ["schuldhulp*"], "subject": ["*schuld*"], "group": ["*thuisloz*", "dakloz*"]},
    )
    assert h.level == 2 and h.measure == ("schuldhulp*",)


def test_measure_for_another_group_is_level_one():
    h = hit(
        "Studenten krijgen toegang tot schuldhulpverlening.",
        keywords={"measure": ["schuldhulp*"], "group": ["*thuisloz*", "dakloz*"]},
    )
    assert h.level == 1 and h.measure_other_group == ("schuldhulp*",)


def test_exclusion_vetoes_a_hit():
    h = hit("We pakken drugshandel in de wijk hard aan.", keywords={"measure": ["*handel"]}, exclude=["drugshandel"])
    assert h.level == 0 and h.signals == ()


def test_item_specific_contrary_phrase():
    h = hit(
        "Geen opvang voor EU-burgers die hier niet werken.",
        keywords={"subject": ["eu-burger*"]},
        contrary=["geen opvang"],
    )
    assert "geen opvang" in h.contrary


def test_no_hit_without_terms():
    assert hit("Meer bomen in het park.", keywords={"measure": ["buurthui*"]}) is None


def test_rejection_of_the_measure_is_contrary_when_the_item_opts_in():
    text = "De subsidies voor de buurthuizen stoppen we volledig."
    assert hit(text, keywords={"measure": ["buurthui*"]}, contrary=["{rejection}"]).contrary == ("{rejection}:stoppen",)
    assert hit(text, keywords={"measure": ["buurthui*"]}).contrary == ()


def test_rejection_cue_next_to_a_subject_only_is_not_contrary():
    h = hit(
        "We stoppen de eenzaamheid in de wijk.",
        keywords={"measure": ["buurthui*"], "subject": ["eenzaam*"]},
        contrary=["{rejection}"],
    )
    assert h.contrary == ()


def test_pattern_index_agrees_with_the_plain_definition_of_each_pattern():
    """The index looks forms up by prefix, suffix and substring; it must say what a one-by-one
    comparison of every pattern with every form says."""
    words = ["dakloze", "woon*", "*woning", "*schuld*", "opvang", "*opvang*", "bouwen", "first", "*ing"]
    index = PatternIndex()
    patterns = {index.add(WordPattern.parse(w)): WordPattern.parse(w) for w in words}

    def plain(pattern: WordPattern, form: str) -> bool:
        if pattern.mode == "exact":
            return form in (pattern.stem, pattern.lemma)
        return {"prefix": form.startswith, "suffix": form.endswith, "infix": form.__contains__}[pattern.mode](
            pattern.stem
        )

    forms = [
        "daklozen",
        "dakloze",
        "woonwijk",
        "wonen",
        "huurwoning",
        "woningen",
        "schuldhulp",
        "schulden",
        "noodopvang",
        "opvang",
        "bouwt",
        "bouwen",
        "first",
        "ing",
        "woning",
        "x",
    ]
    for form in forms:
        expected = {pid for pid, pattern in patterns.items() if plain(pattern, form)}
        assert index.matches(Token(frozenset({form}), form, form)) == expected, form


def test_a_term_without_a_word_is_reported_as_unusable():
    from programmacheck.checklist import invalid_terms

    item = checklist(keywords={"measure": ["schuldhulp*", "& &", "**"]}).items[0]
    assert invalid_terms(item) == ["& &", "**"]


# ---- rejections: a contrary hit needs the rejecting words to govern the measure ----------------

REJECTABLE = {
    "keywords": {"measure": ["housing first", "schuldhulp* & dakloz*", "jeugdzorg*", "*opvang* & eu-burger*"]},
    "contrary": ["{rejection}"],
}


def rejection(text: str) -> tuple[str, ...]:
    found = hit(text, **REJECTABLE)
    assert found is not None and found.measure, f"the measure must be found in {text!r}"
    return found.contrary


@pytest.mark.parametrize(
    "text",
    [
        "Wij schaffen Housing First af.",  # separable verb around its object
        "Housing First wordt afgeschaft.",  # passive, measure before the verb
        "We willen stoppen met Housing First.",
        "De gemeente bezuinigt op de jeugdzorg.",
        "Er gaat geen geld naar de opvang van EU-burgers.",
        "Wij zijn tegen Housing First, dat is te duur.",
        "Housing First is overbodig in onze stad.",
    ],
)
def test_a_rejection_that_governs_the_measure_is_contrary(text):
    assert rejection(text)


@pytest.mark.parametrize(
    "text",
    [
        # stopping evictions is the measure's spirit; "stoppen" governs "op straat zetten", not schuldhulp
        "We stoppen met het op straat zetten van mensen en bieden daklozen schuldhulp.",
        # "niet" inside a hyphenated word is not a negation, and nothing rejects the opvang
        "Ook niet-rechthebbende EU-burgers krijgen opvang als het vriest.",
        # the market is rejected, not youth care: the measure sits in another noun's phrase
        "De marktwerking in de jeugdzorg wordt afgebouwd.",
        # a negated rejection is support
        "We bezuinigen niet op de jeugdzorg.",
        "Housing First schaffen we nooit af.",
        # the rejecting word stands in another clause
        "We stoppen met de hondenbelasting, en Housing First breiden we uit.",
        # "schaffen" alone means to create
        "We schaffen ruimte voor Housing First.",
    ],
)
def test_a_rejection_that_only_stands_near_the_measure_is_not_contrary(text):
    assert rejection(text) == ()


def test_clause_punctuation_stops_a_multi_word_term():
    assert not term_matches("housing first", "Housing, first of all, costs money.")


@pytest.mark.parametrize(
    "text",
    [
        "Een nachtopvang voor EU-burgers die hier geen werk hebben, komt er niet.",
        "De opvang voor EU-burgers, waarvoor andere partijen pleiten, komt er met ons niet.",
        "Er komt geen opvang voor EU-burgers.",
        "De gemeente doet mee aan Housing First. Daar stoppen wij mee.",
    ],
)
def test_a_rejection_of_the_sentences_subject_or_of_the_sentence_before_is_contrary(text):
    assert rejection(text)


@pytest.mark.parametrize(
    "text",
    [
        "Housing First komt er, en een nieuwe parkeergarage komt er niet.",  # another clause's subject
        "Housing First komt er en de parkeergarage komt er niet.",
        "Er komt geen parkeergarage maar wel Housing First.",
    ],
)
def test_what_will_not_come_must_be_the_measure(text):
    assert rejection(text) == ()


def test_a_pointing_sentence_about_something_else_is_not_contrary():
    assert rejection("Wij breiden Housing First uit. De parkeergarage komt er, daar stoppen wij niet mee.") == ()

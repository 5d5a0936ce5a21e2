"""The rejection detector: a passage is contrary only when the rejecting words govern the measure.

Adds to the rejection cases of tests/test_keyword.py: the word-order rules on hand-built words
(no language pipeline needed), and more Dutch sentences, written for these tests, through the
keyword matcher the way a scan reads them.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from programmacheck.checklist import Checklist
from programmacheck.match.rejection import MAX_GAP, governing_rejections

# ---- governing_rejections on hand-built words ------------------------------------------------


@dataclass(frozen=True)
class Word:
    surface: str
    lemma: str


def words(text: str, lemmas: dict[str, str] | None = None) -> list[Word]:
    """One word per space-separated token, its lemma itself (or from ``lemmas``); "," and "."
    are breaks, as the keyword matcher makes them."""
    return [Word(t, "") if t in {",", "."} else Word(t, (lemmas or {}).get(t, t)) for t in text.split()]


def rejections(text: str, measure: str, lemmas: dict[str, str] | None = None) -> tuple[str, ...]:
    found = words(text, lemmas)
    return governing_rejections(found, [i for i, w in enumerate(found) if w.surface == measure])


def test_at_most_max_gap_function_words_may_stand_between_the_rejecting_word_and_the_measure():
    assert MAX_GAP == 3
    assert rejections("wij stoppen met al de gebruiksruimte", "gebruiksruimte") == ("stoppen",)
    assert rejections("wij stoppen met ook al de gebruiksruimte", "gebruiksruimte") == ()


def test_a_word_that_is_not_a_function_word_between_them_breaks_the_relation():
    assert rejections("wij stoppen met de wachtlijst gebruiksruimte", "gebruiksruimte") == ()


def test_a_clause_break_between_them_breaks_the_relation():
    assert rejections("wij stoppen , de gebruiksruimte blijft", "gebruiksruimte") == ()


def test_a_negation_in_another_clause_does_not_cancel_a_rejection():
    assert rejections("wij stoppen met de gebruiksruimte , niet met de opvang", "gebruiksruimte") == ("stoppen",)


def test_a_measure_before_the_rejecting_word_is_its_object():
    assert rejections("de gebruiksruimte wordt geschrapt", "gebruiksruimte", {"geschrapt": "schrappen"}) == (
        "schrappen",
    )


def test_without_a_measure_word_nothing_is_rejected():
    assert governing_rejections(words("wij stoppen met de gebruiksruimte"), []) == ()


def test_each_rejecting_phrase_is_reported_once():
    assert rejections(
        "wij stoppen met de gebruiksruimte en stoppen met de gebruiksruimte . de gebruiksruimte wordt geschrapt",
        "gebruiksruimte",
        {"geschrapt": "schrappen"},
    ) == ("stoppen", "schrappen")


# ---- Dutch sentences through the keyword matcher ---------------------------------------------

ITEM = {
    "id": "x",
    "theme": "t",
    "text": "Een testitem",
    "description": "Wat telt.",
    "examples": ["Voorbeeld."],
    "keywords": {"measure": ["gebruiksruimte*", "*opvang", "schuldhulp*"]},
    "contrary": ["{rejection}"],
}


def matcher_for(**item_fields):
    pytest.importorskip("spacy")
    from programmacheck.match.keyword import KeywordMatcher
    from programmacheck.nlp import load_pipeline

    checklist = Checklist.model_validate(
        {"name": "test", "themes": [{"id": "t", "title": "T"}], "items": [{**ITEM, **item_fields}]}
    )
    return KeywordMatcher(checklist, load_pipeline())


@pytest.fixture(scope="module")
def matcher():
    return matcher_for()


def contrary(matcher, text: str) -> tuple[str, ...]:
    hit = matcher.match([text])[0].get("x")
    assert hit is not None and hit.measure, f"the measure must be found in {text!r}"
    return hit.contrary


@pytest.mark.parametrize(
    "text, cue",
    [
        ("Wij zijn tegen een gebruiksruimte.", "zijn tegen"),
        ("Wij zijn tegenstander van een gebruiksruimte.", "tegenstander*"),  # a prefix cue
        ("Geen gemeentegeld voor een gebruiksruimte.", "geen gemeentegeld"),
        # the measure sits in a phrase of its own funding: stopping the money stops the measure
        ("De subsidie voor de gebruiksruimte wordt geschrapt.", "schrappen"),
        # the negation is part of the rejecting phrase, so it does not cancel it
        ("Een gebruiksruimte is niet nodig.", "niet nodig"),
        ("We heffen de gebruiksruimte op.", "opheffen"),  # separable verb around its object
        ("De gebruiksruimte komt er niet.", "komt er niet"),
        ("De gemeente opent een gebruiksruimte. Dat schaffen we af.", "afschaffen"),  # points back
    ],
)
def test_a_rejection_that_governs_the_measure_is_contrary(matcher, text, cue):
    assert f"{{rejection}}:{cue}" in contrary(matcher, text)


@pytest.mark.parametrize(
    "text",
    [
        "Wij zijn niet tegen een gebruiksruimte.",
        "We heffen de gebruiksruimte niet op.",
        "Wij willen niet stoppen met de opvang.",
        "De gemeente opent een gebruiksruimte. Daar stoppen wij niet mee.",
    ],
)
def test_a_negated_rejection_is_not_contrary(matcher, text):
    assert contrary(matcher, text) == ()


@pytest.mark.parametrize(
    "text",
    [
        # the waiting list is stopped, not debt counselling
        "De gemeente stopt met de wachtlijst voor schuldhulp.",
        # stopping a cut in the measure supports it
        "Wij stoppen de bezuiniging op schuldhulp.",
        # the measure sits in a phrase of another noun, not of its funding
        "De wachtlijst voor de gebruiksruimte wordt geschrapt.",
        "Een gebruiksruimte is nodig.",
        "De gebruiksruimte komt er zeker.",  # it will come
        # the pointing sentence points at the car park before it, not at the measure after it
        "De gemeente bouwt een parkeergarage. Daar stoppen wij mee. Wij openen een gebruiksruimte.",
    ],
)
def test_a_rejection_of_something_else_is_not_contrary(matcher, text):
    assert contrary(matcher, text) == ()


def test_a_rejection_of_the_measure_for_another_group_is_not_contrary():
    for_families = matcher_for(keywords={"measure": ["gebruiksruimte*"], "group": ["gezin*"]})
    hit = for_families.match(["Wij zijn tegen een gebruiksruimte."])[0]["x"]
    assert hit.measure_other_group and hit.contrary == ()


@pytest.mark.parametrize(
    "text",
    [
        "Er komt geen extra opvang.",
        "We schaffen de dure gebruiksruimte af.",
        "Wij zijn tegen nieuwe opvang.",
        "We stoppen met dure opvang in de wijk.",
    ],
)
def test_a_rejection_of_the_measure_with_an_adjective_before_it_is_contrary(matcher, text):
    assert contrary(matcher, text)


@pytest.mark.parametrize(
    "text",
    [
        "Er komt geen parkeergarage naast de opvang.",  # the garage will not come, the shelter stays
        "We schaffen de wachtlijst voor de opvang af.",  # the waiting list goes
        "Er komt geen lange wachtlijst opvang meer.",  # two words: a noun of their own, not modifiers
        "We stoppen niet met extra opvang.",  # negated
    ],
)
def test_a_rejection_of_a_noun_before_the_measure_is_not_contrary(matcher, text):
    assert contrary(matcher, text) == ()

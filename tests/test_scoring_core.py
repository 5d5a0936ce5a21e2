"""The scoring core on small hand-built inputs: per-item signals, the contrary rule, sub-items
counting for their parents, and the choice of evidence quotes.

Every input is built here by hand, so the expected numbers can be worked out on paper; the
end-to-end tests (tests/test_pipeline.py, tests/test_engine.py) show that the parts fit together, these show what each
part does.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from programmacheck.checklist import Checklist
from programmacheck.match.hybrid import (
    CANDIDATES,
    FEATURES,
    Candidate,
    ItemSignals,
    ProgrammeMatches,
    item_signals,
)
from programmacheck.match.keyword import KeywordHit
from programmacheck.match.passage_scorer import (
    PASSAGE_FEATURES,
    PassageScorer,
    probability,
)
from programmacheck.records import Evidence, ItemVerdict, Paragraph, Passage, ProgrammeText
from programmacheck.verdict import MAX_EVIDENCE, apply_parents, is_contrary, select_evidence

# ---- item_signals ----------------------------------------------------------------------------

#: A passage scorer that reads its features as they are (mean 0, scale 1): logit =
#: 4·dense + 2·measure + 0.5·subject − 1; lexical, neighbours and heading weigh nothing.
WEIGHTS = {"dense": 4.0, "measure": 2.0, "subject": 0.5}
SCORER = PassageScorer(
    mean=(0.0,) * len(PASSAGE_FEATURES),
    scale=(1.0,) * len(PASSAGE_FEATURES),
    coef=tuple(WEIGHTS.get(name, 0.0) for name in PASSAGE_FEATURES),
    intercept=-1.0,
)

MEASURE = KeywordHit(measure=("gebruiksruimte*",))
SUBJECT = KeywordHit(subject=("verslav*",))
REJECTED = KeywordHit(measure=("gebruiksruimte*",), contrary=("{rejection}:stoppen",))


def four_passages(hits_a=(MEASURE, None, SUBJECT, REJECTED), heading_levels=None) -> ProgrammeMatches:
    """Four passages, two items.  Item "a": similarities 0.25, 0.625, 0.625, 0.5 (mean 0.5, so
    above the baseline −0.25, 0.125, 0.125, 0); passage 0 names its measure, 1 nothing, 2 its
    subject, 3 rejects its measure.  Item "b": similarities 0.125, 0.125, 0.25, 0 (mean 0.125) and no
    keyword anywhere.  (Values a float32 holds exactly, so the sums below are exact.)"""
    similarities = np.array([[0.25, 0.125], [0.625, 0.125], [0.625, 0.25], [0.5, 0.0]], dtype=np.float32)
    lexical = np.array([[1.0, 0.0], [0.0, 0.0], [0.5, 0.0], [-0.5, 0.0]], dtype=np.float32)
    hits = tuple({"a": h} if h else {} for h in hits_a)
    levels = np.zeros((4, 2), dtype=np.float32) if heading_levels is None else heading_levels
    return ProgrammeMatches(("a", "b"), similarities, hits, lexical, levels)


def signals_of(matches: ProgrammeMatches, scorer: PassageScorer = SCORER) -> dict[str, ItemSignals]:
    return {s.item_id: s for s in item_signals(matches, scorer)}


def feature(signals: ItemSignals, name: str) -> float:
    return signals.features[FEATURES.index(name)]


def test_the_programme_level_features_of_an_item_are_those_worked_out_by_hand():
    a = signals_of(four_passages())["a"]
    # logits: p0 = 4·(−0.25) + 2 + 0.5 − 1 = 0.5; p1 = 4·0.125 − 1 = −0.5; p2 = 4·0.125 + 0.5 − 1 = 0;
    # p3 = 0 + 2 + 0.5 − 1 = 1.5
    assert a.features == pytest.approx(
        (
            0.125,  # dense_top: passages 1 and 2, above the baseline 0.5
            0.0,  # dense_measure: the better of passages 0 (−0.25) and 3 (0), which name the measure
            0.125,  # dense_subject: passage 2, which names only the subject, counts too
            math.log1p(2),  # measure_passages
            math.log1p(3),  # subject_passages
            1.0,  # lexical_top
            1.5,  # passage_top: passage 3's logit
        )
    )


def test_candidates_are_ordered_by_the_passage_scorer_with_the_score_as_a_probability():
    a = signals_of(four_passages())["a"]
    assert [c.passage for c in a.candidates] == [3, 0, 2, 1]
    assert [c.score for c in a.candidates] == pytest.approx([probability(x) for x in (1.5, 0.5, 0.0, -0.5)])
    assert [c.level for c in a.candidates] == [2, 2, 1, 0]
    best = a.candidates[0]
    assert best.signals == ("dense:0.500", "measure:gebruiksruimte*", "contrary:{rejection}:stoppen")


def test_naming_the_measure_ranks_a_passage_above_a_more_similar_one_that_names_nothing():
    a = signals_of(four_passages())["a"]
    ranks = {c.passage: k for k, c in enumerate(a.candidates)}
    assert ranks[0] < ranks[1]  # passage 1 is more similar, passage 0 names the measure


def test_a_keyword_raises_the_items_signals():
    without = signals_of(four_passages(hits_a=(None, None, None, None)))["a"]
    with_measure = signals_of(four_passages(hits_a=(None, MEASURE, None, None)))["a"]
    # the best passages (1 and 2, logit −0.5); passage 1 now also names the measure: −0.5 + 2 + 0.5
    assert feature(without, "passage_top") == pytest.approx(-0.5)
    assert feature(with_measure, "passage_top") == pytest.approx(2.0)
    assert feature(without, "measure_passages") == 0.0
    assert feature(with_measure, "measure_passages") == pytest.approx(math.log1p(1))
    assert feature(with_measure, "dense_measure") == pytest.approx(0.125)
    assert feature(with_measure, "dense_subject") == pytest.approx(0.125)  # naming the measure names the subject


def test_an_item_no_passage_names_and_that_is_barely_similar_has_low_signals():
    b = signals_of(four_passages())["b"]
    # above the baseline 0.125: 0, 0, 0.125, −0.125; logits 4·x − 1
    assert b.features == pytest.approx((0.125, 0.0, 0.0, 0.0, 0.0, 0.0, -0.5))
    assert [c.passage for c in b.candidates] == [2, 0, 1, 3]  # ties keep passage order
    assert all(c.level == 0 and not c.contrary for c in b.candidates)
    assert max(c.score for c in b.candidates) == pytest.approx(probability(-0.5))
    assert b.contrary_evidence == () and b.approving_measures == 0


def test_similarity_counts_above_the_programmes_baseline_for_the_item():
    matches = four_passages()
    shifted = ProgrammeMatches(
        matches.item_ids,
        matches.similarities + np.float32(0.125),
        matches.keyword_hits,
        matches.lexical,
        matches.heading_levels,
    )
    assert signals_of(shifted)["a"].features == signals_of(matches)["a"].features


def test_a_rejection_of_the_measure_is_collected_as_contrary_evidence():
    a = signals_of(four_passages())["a"]
    assert [c.passage for c in a.contrary_evidence] == [3]
    assert a.approving_measures == 1  # passage 0 names the measure without rejecting it


def test_an_excluded_passage_neither_counts_nor_rejects():
    excluded = KeywordHit(measure=("gebruiksruimte*",), contrary=("{rejection}:stoppen",), excluded=("hond*",))
    a = signals_of(four_passages(hits_a=(MEASURE, None, SUBJECT, excluded)))["a"]
    assert a.contrary_evidence == ()
    assert feature(a, "measure_passages") == pytest.approx(math.log1p(1))
    third = next(c for c in a.candidates if c.passage == 3)
    assert (third.level, third.contrary, third.signals) == (0, False, ("dense:0.500",))


def test_a_contrary_passage_is_kept_as_a_candidate_even_below_the_best_eight():
    n = CANDIDATES + 4
    similarities = np.linspace(1.0, 0.0, n, dtype=np.float32).reshape(n, 1)  # passage 0 most similar
    hits = tuple({"a": REJECTED} if i == n - 1 else {"a": MEASURE} for i in range(n))
    # without the measure weight every passage would tie on it: score by similarity alone
    scorer = PassageScorer(
        SCORER.mean, SCORER.scale, tuple(4.0 if p == "dense" else 0.0 for p in PASSAGE_FEATURES), 0.0
    )
    matches = ProgrammeMatches(("a",), similarities, hits, np.zeros((n, 1), np.float32), np.zeros((n, 1), np.float32))
    a = signals_of(matches, scorer)["a"]
    assert [c.passage for c in a.candidates] == [*range(CANDIDATES), n - 1]
    assert [c.passage for c in a.contrary_evidence] == [n - 1]
    assert a.approving_measures == n - 1


def test_the_heading_path_raises_a_passage_only_through_the_scorers_weight():
    heading = np.zeros((4, 2), dtype=np.float32)
    heading[2, 0] = 2  # passage 2 sits under a heading that names item a's measure
    weighted = PassageScorer(
        SCORER.mean,
        SCORER.scale,
        tuple(3.0 if p == "heading_keyword" else c for p, c in zip(PASSAGE_FEATURES, SCORER.coef)),
        SCORER.intercept,
    )
    a = signals_of(four_passages(heading_levels=heading), weighted)["a"]
    assert a.candidates[0].passage == 2  # logit 0 + 3·2 = 6
    assert feature(a, "passage_top") == pytest.approx(6.0)


def test_a_programme_without_passages_has_zero_signals_and_no_candidates():
    empty = ProgrammeMatches(
        ("a", "b"), np.zeros((0, 2), np.float32), (), np.zeros((0, 2), np.float32), np.zeros((0, 2), np.float32)
    )
    for s in item_signals(empty, SCORER):
        assert s.features == (0.0,) * len(FEATURES) and s.candidates == ()


# ---- is_contrary -----------------------------------------------------------------------------


def candidate(passage: int, level: int, contrary: bool = False, score: float = 0.5) -> Candidate:
    return Candidate(passage, score, level, contrary, ())


def item(*candidates: Candidate, approving: int = 0) -> ItemSignals:
    return ItemSignals("a", (0.0,) * len(FEATURES), candidates, approving)


def test_passages_that_name_the_measure_and_all_reject_it_are_contrary():
    # the rejection need not be the best-scored passage: keyword level decides
    assert is_contrary(item(candidate(0, 1), candidate(1, 0), candidate(2, 2, contrary=True)))


def test_one_passage_that_approves_the_measure_outweighs_its_rejections():
    assert not is_contrary(item(candidate(0, 2, contrary=True), approving=1))


def test_where_only_the_subject_is_named_the_best_scored_of_those_passages_decides():
    assert is_contrary(item(candidate(0, 0), candidate(1, 1, contrary=True), candidate(2, 1)))
    assert not is_contrary(item(candidate(0, 0), candidate(1, 1), candidate(2, 1, contrary=True)))


def test_a_rejection_in_a_passage_without_keywords_is_not_contrary():
    assert not is_contrary(item(candidate(0, 0, contrary=True)))
    assert not is_contrary(item())


# ---- apply_parents ---------------------------------------------------------------------------


def family() -> Checklist:
    """Item p with sub-items c1 and c2; item q stands alone."""

    def entry(item_id: str, parent: str | None = None) -> dict:
        return {
            "id": item_id,
            "theme": "t",
            "text": f"Item {item_id} tekst",
            "description": "Wat telt hier.",
            "parent": parent,
            "keywords": {"measure": [f"maatregel{item_id}"]},
            "examples": ["Voorbeeld."],
        }

    return Checklist.model_validate(
        {
            "name": "test",
            "themes": [{"id": "t", "title": "T"}],
            "items": [entry("p"), entry("c1", "p"), entry("c2", "p"), entry("q")],
        }
    )


def quote(text: str) -> tuple[Evidence, ...]:
    return (Evidence(page=1, section="Zorg", quote=text, score=0.9),)


def verdict(item_id: str, label: str, score: float, evidence: str | None = None) -> ItemVerdict:
    return ItemVerdict("partij", item_id, "t", label, score, quote(evidence) if evidence else ())


def by_id(verdicts: list[ItemVerdict]) -> dict[str, ItemVerdict]:
    return {v.item_id: v for v in verdicts}


def test_an_addressed_sub_item_lifts_its_parent_with_the_best_childs_evidence():
    verdicts = [
        verdict("p", "partial", 0.4, "ouder"),
        verdict("c1", "addressed", 0.7, "kind 1"),
        verdict("c2", "addressed", 0.9, "kind 2"),
        verdict("q", "absent", 0.1),
    ]
    lifted = by_id(apply_parents(verdicts, family()))["p"]
    assert lifted == ItemVerdict("partij", "p", "t", "addressed", 0.9, quote("kind 2"))


def test_a_lifted_parent_keeps_its_own_score_when_that_is_higher():
    verdicts = [verdict("p", "partial", 0.8, "ouder"), verdict("c1", "addressed", 0.6, "kind 1")]
    lifted = by_id(apply_parents(verdicts, family()))["p"]
    assert (lifted.verdict, lifted.score, lifted.evidence) == ("addressed", 0.8, quote("kind 1"))


@pytest.mark.parametrize("child", ["partial", "contrary", "absent"])
def test_a_sub_item_that_is_not_addressed_leaves_its_parent_alone(child):
    verdicts = [verdict("p", "absent", 0.1), verdict("c1", child, 0.95, "kind 1")]
    assert apply_parents(verdicts, family()) == verdicts


def test_a_parent_already_addressed_is_unchanged():
    verdicts = [verdict("p", "addressed", 0.6, "ouder"), verdict("c1", "addressed", 0.9, "kind 1")]
    assert apply_parents(verdicts, family()) == verdicts


def test_the_verdicts_keep_their_order_and_the_sub_items_are_unchanged():
    verdicts = [
        verdict("q", "absent", 0.1),
        verdict("c2", "addressed", 0.7, "kind 2"),
        verdict("p", "absent", 0.2),
        verdict("c1", "partial", 0.5, "kind 1"),
    ]
    result = apply_parents(verdicts, family())
    assert [v.item_id for v in result] == ["q", "c2", "p", "c1"]
    assert [result[0], result[1], result[3]] == [verdicts[0], verdicts[1], verdicts[3]]
    assert result[2].verdict == "addressed"


def test_sub_items_without_their_parent_in_the_list_are_returned_as_they_are():
    verdicts = [verdict("c1", "addressed", 0.7, "kind 1"), verdict("q", "absent", 0.1)]
    assert apply_parents(verdicts, family()) == verdicts


# ---- select_evidence -------------------------------------------------------------------------


def programme_text() -> ProgrammeText:
    """Four paragraphs on pages 3, 5, 8 and 9; paragraph 0 has two passages (0 and 1)."""
    paragraphs = [
        Paragraph("partij", page, section, f"alinea {page}")
        for page, section in ((3, "Zorg"), (5, "Zorg › Verslaving"), (8, "Wonen"), (9, "Werk"))
    ]
    passages = [
        Passage(0, "passage 0"),
        Passage(0, "passage 1"),
        Passage(1, "passage 2"),
        Passage(2, "passage 3"),
        Passage(3, "passage 4"),
    ]
    return ProgrammeText(paragraphs, passages)


def quoted(evidence: tuple[Evidence, ...]) -> list[str]:
    return [e.quote for e in evidence]


def test_evidence_quotes_one_passage_per_paragraph():
    signals = item(candidate(1, 2, score=0.9), candidate(0, 2, score=0.8), candidate(2, 1, score=0.7))
    assert quoted(select_evidence(programme_text(), signals, contrary_first=False)) == ["passage 1", "passage 2"]


def test_evidence_quotes_only_passages_with_keywords_when_there_are_any():
    signals = item(
        candidate(3, 0, score=0.95), candidate(2, 1, score=0.6), candidate(4, 0, score=0.5), candidate(0, 2, score=0.4)
    )
    assert quoted(select_evidence(programme_text(), signals, contrary_first=False)) == ["passage 2", "passage 0"]


def test_evidence_falls_back_to_the_best_candidates_when_none_has_a_keyword():
    signals = item(candidate(3, 0, score=0.95), candidate(2, 0, score=0.6))
    assert quoted(select_evidence(programme_text(), signals, contrary_first=False)) == ["passage 3", "passage 2"]


def test_contrary_evidence_comes_first_only_for_a_contrary_verdict():
    signals = item(candidate(2, 2, score=0.9), candidate(3, 1, score=0.5), candidate(4, 2, contrary=True, score=0.3))
    text = programme_text()
    assert quoted(select_evidence(text, signals, contrary_first=True)) == ["passage 4", "passage 2", "passage 3"]
    assert quoted(select_evidence(text, signals, contrary_first=False)) == ["passage 2", "passage 3", "passage 4"]


def test_evidence_has_at_most_max_evidence_quotes():
    signals = item(*(candidate(p, 2, score=1 - p / 10) for p in range(5)))
    evidence = select_evidence(programme_text(), signals, contrary_first=False)
    assert len(evidence) == MAX_EVIDENCE == 3
    assert quoted(evidence) == ["passage 0", "passage 2", "passage 3"]


def test_a_quote_carries_its_paragraphs_page_and_section_and_its_candidates_score_and_signals():
    signals = item(Candidate(2, 0.123456, 2, False, ("dense:0.600", "measure:gebruiksruimte*")))
    assert select_evidence(programme_text(), signals, contrary_first=False) == (
        Evidence(
            page=5,
            section="Zorg › Verslaving",
            quote="passage 2",
            score=0.1235,
            signals=("dense:0.600", "measure:gebruiksruimte*"),
        ),
    )

"""The lexical first stage and masked dense similarity."""

from __future__ import annotations

import numpy as np

from fakes import CountingEmbedder
from programmacheck.checklist import load_checklist
from programmacheck.match.dense import DenseMatcher
from programmacheck.match.keyword import KeywordHit
from programmacheck.match.prefilter import passages_worth_embedding


def test_each_item_keeps_its_keyword_hits_and_its_top_bm25_passages():
    hits = [{}, {"1.1": KeywordHit(subject=("dakloz*",))}, {}, {}]
    lexical = np.array([[0.1, 2.0], [0.0, 0.0], [3.0, -1.0], [-0.5, -0.2]], dtype=np.float32)
    keep = passages_worth_embedding(["1.1", "3.3"], hits, lexical, top_k=1)
    assert keep.tolist() == [[False, True], [True, False], [True, False], [False, False]]


def test_only_kept_passages_are_embedded_and_the_rest_get_the_mean():
    checklist = load_checklist().checklist
    embedder = CountingEmbedder()
    dense = DenseMatcher(checklist, embedder)
    embedder.seen.clear()
    texts = ["Housing First voor daklozen.", "Meer parkeerplaatsen.", "Buurthuizen in elke wijk."]
    keep = np.zeros((3, len(checklist.items)), dtype=bool)
    keep[0, 0] = keep[2, 0] = True  # item 0 keeps passages 0 and 2
    keep[2, 1] = True  # item 1 keeps passage 2 only
    masked = dense.similarities(texts, keep)
    assert embedder.seen == [("passage", texts[0]), ("passage", texts[2])]  # passage 1 is kept for no item
    full = dense.similarities(texts)
    np.testing.assert_allclose(masked[[0, 2], 0], full[[0, 2], 0], rtol=1e-6)
    np.testing.assert_allclose(masked[1, 0], full[[0, 2], 0].mean(), rtol=1e-6)
    np.testing.assert_allclose(masked[[0, 1], 1], full[2, 1], rtol=1e-6)  # the rest get the kept mean

"""The lexical first stage and masked dense similarity."""

from __future__ import annotations

import numpy as np

from programmacheck.checklist import load_checklist
from programmacheck.match.dense import DenseMatcher
from programmacheck.match.keyword import KeywordHit
from programmacheck.match.prefilter import passages_worth_embedding


class CountingEmbedder:
    """Deterministic fake vectors; remembers which texts reached the model."""

    identity = "counting-fake"

    def __init__(self):
        self.seen: list[str] = []

    def embed(self, texts, role):
        self.seen.extend(texts)
        vectors = np.array([[hash((t, role)) % 97 + 1, len(t) % 13 + 1, 1.0] for t in texts], dtype=np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_keyword_hits_and_top_bm25_passages_are_kept():
    hits = [{}, {"1.1": KeywordHit(subject=("dakloz*",))}, {}, {}]
    lexical = np.array([[0.1, 2.0], [0.0, 0.0], [3.0, -1.0], [-0.5, -0.2]], dtype=np.float32)
    assert passages_worth_embedding(hits, lexical, top_k=1).tolist() == [True, True, True, False]


def test_only_kept_passages_are_embedded_and_the_rest_get_the_mean():
    checklist = load_checklist().checklist
    embedder = CountingEmbedder()
    dense = DenseMatcher(checklist, embedder)
    embedder.seen.clear()
    texts = ["Housing First voor daklozen.", "Meer parkeerplaatsen.", "Buurthuizen in elke wijk."]
    keep = np.array([True, False, True])
    masked = dense.similarities(texts, keep)
    assert embedder.seen == [texts[0], texts[2]]
    full = dense.similarities(texts)
    np.testing.assert_allclose(masked[[0, 2]], full[[0, 2]], rtol=1e-6)
    np.testing.assert_allclose(masked[1], full[[0, 2]].mean(axis=0), rtol=1e-6)

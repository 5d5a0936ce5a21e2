"""Lexical retrieval: BM25 over lemmas between each checklist item and a programme's passages.

BM25 rewards the rare words an item shares with a passage (Skaeve Huse, kostendelersnorm,
ESF) where dense similarity blurs them, and needs no term lists, so it also catches wording
the checklist's keyword rules did not foresee.  An item's query is the lemmas of its text,
description and examples; the index is one programme's passages, so scores are relative to
that programme and are standardised before they become a feature.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import bm25s
import numpy as np
from spacy.lang.nl.stop_words import STOP_WORDS

from ..checklist import Checklist
from .keyword import KeywordMatcher, Token

logging.getLogger("bm25s").setLevel(logging.WARNING)  # it sets DEBUG on itself: a line per index


def content_lemmas(tokens: Sequence[Token]) -> list[str]:
    """Lemmas that carry meaning: no stop words, numbers or one-letter tokens."""
    return [t.lemma for t in tokens if len(t.lemma) > 1 and t.lemma not in STOP_WORDS and not t.lemma.isdigit()]


class LexicalMatcher:
    """BM25 scores of passages (already tokenised) against every item."""

    def __init__(self, checklist: Checklist, keywords: KeywordMatcher):
        texts = [" ".join((item.text, item.description, *item.examples)) for item in checklist.items]
        self.queries = [sorted(set(content_lemmas(tokens))) for tokens in keywords.tokenize_all(texts)]

    def scores(self, passages: Sequence[Sequence[Token]]) -> np.ndarray:
        """Matrix (passages × items) of BM25 scores, standardised per item within the programme."""
        result = np.zeros((len(passages), len(self.queries)), dtype=np.float32)
        corpus = [content_lemmas(p) or ["_"] for p in passages]
        if not corpus:
            return result
        index = bm25s.BM25()
        index.index(corpus, show_progress=False)
        for column, query in enumerate(self.queries):
            raw = index.get_scores(query)
            spread = raw.std()
            result[:, column] = (raw - raw.mean()) / spread if spread > 0 else 0.0
        return result

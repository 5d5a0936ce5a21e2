"""Dutch language processing: one spaCy pipeline for sentences, tokens and lemmas.

``nl_core_news_md`` is not on PyPI, so the tool must work well without it.  When a pipeline of
that name (a setting: ``PROGRAMMACHECK_SPACY_MODEL``) is installed it is used; otherwise a blank
Dutch pipeline gets a rule-based sentencizer and a lemmatizer built on ``simplemma``, which gets
the common inflections of programme language right (bouwt → bouwen, mensen → mens) where
spaCy's own lookup table leaves them unchanged.
"""

from __future__ import annotations

import os
from functools import lru_cache

import simplemma
import spacy
from spacy.language import Language
from spacy.tokens import Doc

DEFAULT_PIPELINE = "nl_core_news_md"
PIPELINE_SETTING = "PROGRAMMACHECK_SPACY_MODEL"


@Language.component("simplemma_lemmatizer")
def simplemma_lemmatizer(doc: Doc) -> Doc:
    """Set ``token.lemma_`` from simplemma (Dutch), lower-cased."""
    for token in doc:
        if token.is_alpha:
            token.lemma_ = simplemma.lemmatize(token.lower_, lang="nl")
        else:
            token.lemma_ = token.lower_
    return doc


def pipeline_name() -> str:
    return os.environ.get(PIPELINE_SETTING, DEFAULT_PIPELINE)


@lru_cache(maxsize=4)
def load_pipeline(name: str | None = None) -> Language:
    """The installed pipeline ``name`` when it is installed, else the blank fallback.

    Only the components matching needs are kept enabled: sentence boundaries and lemmas.
    """
    name = name or pipeline_name()
    if spacy.util.is_package(name):
        nlp = spacy.load(name, exclude=["ner"])
        if not (nlp.has_pipe("parser") or nlp.has_pipe("senter") or nlp.has_pipe("sentencizer")):
            nlp.add_pipe("sentencizer", first=True)
        return nlp
    nlp = spacy.blank("nl")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("simplemma_lemmatizer")
    return nlp


def describe_pipeline(nlp: Language) -> str:
    """For provenance: which pipeline produced sentences and lemmas."""
    meta = nlp.meta
    return f"{meta.get('lang', 'nl')}_{meta.get('name', 'pipeline')}-{meta.get('version', '0')}: {','.join(nlp.pipe_names)}"


def sentences(text: str, nlp: Language | None = None) -> list[str]:
    """Split Dutch text into sentences (abbreviations such as o.a., art., ca. stay whole)."""
    doc = (nlp or load_pipeline())(text)
    return [s.text.strip() for s in doc.sents if s.text.strip()]

"""Dutch language processing: one spaCy pipeline for sentences, tokens and lemmas.

``nl_core_news_md`` is not on PyPI, so the tool must work well without it.  When a pipeline of
that name (a setting: ``PROGRAMMACHECK_SPACY_MODEL``) is installed it is used; otherwise a blank
Dutch pipeline gets a rule-based sentencizer and a lemmatizer built on ``simplemma``, which gets
the common inflections of programme language right (bouwt → bouwen, mensen → mens) where
spaCy's own lookup table leaves them unchanged.

simplemma has no part-of-speech information and a finite dictionary, so a few systematic gaps
are repaired here (see :func:`word_lemma` and :class:`SimplemmaLemmatizer`): infinitives it
reads as noun plurals (zorgen → zorg), separable verbs (breiden → uit_breiden), substantivised
adjectives (jongeren → jong), adjectival present participles (passende → passen) and compounds
missing from its dictionary (flexwoningen).  Every lemma is lower-case, because the keyword
matcher compares ``token.lemma_`` with lemmatised keywords.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache

import numpy
import simplemma
import spacy
from spacy.attrs import LEMMA, LOWER
from spacy.language import Language
from spacy.tokens import Doc

DEFAULT_PIPELINE = "nl_core_news_md"
PIPELINE_SETTING = "PROGRAMMACHECK_SPACY_MODEL"
LANG = "nl"

# Shortest parts of a compound worth splitting off: shorter "heads" are mostly suffixes (-en, -ing).
MIN_COMPOUND_MODIFIER = 3
MIN_COMPOUND_HEAD = 4

# Singular endings that take the plural -s (sekswerker-s, regel-s, hofje-s); elsewhere a final
# -s is no plural (minstens, doorgaans).
S_PLURAL_ENDINGS = ("el", "em", "en", "er", "je", "aar", "eur", "ier")
# Linking sounds between the parts of a compound (raad-s-lid, dakloze-n-opvang).
LINKS = ("", "s", "e", "en", "n")

# Words after which an -en form that is both a noun plural and an infinitive is read as the
# verb ("we zorgen", "te stellen", "willen delen", "die zorgen voor"); elsewhere it stays the noun
# simplemma gives ("de wijken", "kosten").
VERB_CUES_BEFORE = frozenset(
    "te we wij ze zij jullie die wil wilt willen moet moeten kan kunt kunnen ga gaat gaan zal "
    "zult zullen mag mogen blijft blijven laat laten zou zouden hoeft hoeven".split()
)
# Subject pronouns after the verb: "daarom zorgen we".
VERB_CUES_AFTER = frozenset("we wij ze zij jullie".split())

# List markers that start a sentence: bullets anywhere (PDF text often runs bullet items together
# on one line); dashes, asterisks and item numbers ("1.", "2)", "a.") only at the start of a line.
LIST_MARKER = re.compile(
    r"^[ \t]*(?P<line>[-–—*·✓]|\d{1,2}[.)]|[a-z][.)])(?=[ \t])|(?P<bullet>[•●▪■◦‣►➢])",
    re.MULTILINE,
)


def _lemmatize(form: str) -> str:
    return simplemma.lemmatize(form, lang=LANG).lower()


def _known(form: str) -> bool:
    return simplemma.is_known(form, lang=LANG)


def is_plural_of(plural: str, singular: str) -> bool:
    """Whether ``plural`` is a regular Dutch plural of ``singular``.

    Covers -en with consonant doubling (plek → plekken), vowel undoubling and voicing
    (straat → straten, huis → huizen), -eren (kind → kinderen), -n after -e and -s after the
    endings that take it.  Used to accept only plural-shaped reductions.
    """
    stem = re.sub(r"([aeou])\1([^aeiou])$", r"\1\2", singular)
    voiced = stem[:-1] + {"f": "v", "s": "z"}.get(stem[-1:], stem[-1:])
    candidates = {singular + "en", singular + singular[-1:] + "en", stem + "en", voiced + "en"}
    candidates.add(singular + "eren")
    if singular.endswith("e"):
        candidates.add(singular + "n")
    if singular.endswith(S_PLURAL_ENDINGS):
        candidates.add(singular + "s")
    if singular[-1:] in "aiouy":
        candidates.add(singular + "'s")
    return plural in candidates


def _split_lemma(form: str, lemma: str) -> str:
    """Join simplemma's decomposed lemmas (gemeente_raad_verkiezing, op_nemen, uit_breiden).

    The modifier keeps its surface shape with its linking sound and the head is lemmatised:
    raadsleden → raadslid, opgenomen → opnemen.  A bare separable-verb stem (breiden, in
    "we breiden ... uit") is the verb alone, like its other forms (breidt → breiden).
    """
    *modifiers, head = lemma.split("_")
    joined = "".join(modifiers)
    if form.startswith(joined):
        rest = form[len(joined) :]
        link = next((linker for linker in LINKS if rest.startswith(linker + head[:1])), "")
        return joined + link + head
    if len(modifiers) == 1 and head.endswith("en"):
        return head
    return _compound_lemma(form) or form


def _compound_lemma(form: str) -> str | None:
    """Lemmatise a compound simplemma does not know through its head (flexwoningen → flexwoning).

    The head is the longest known final part.  Only a plural head is reduced; verb forms and
    derivations (ongedocumenteerden, whose longest known tail is the verb form documenteerden)
    are left alone rather than mangled.  Without part-of-speech a verb compound whose head is
    also a plural (autodelen) is read as the plural: noun compounds are far more common.
    """
    for start in range(MIN_COMPOUND_MODIFIER, len(form) - MIN_COMPOUND_HEAD + 1):
        head = form[start:]
        if head.startswith("-") or not _known(head):
            continue
        head_lemma = _lemmatize(head)
        if "_" not in head_lemma and is_plural_of(head, head_lemma):
            return form[:start] + head_lemma
        return None
    return None


def _substantivised_adjective(form: str, lemma: str) -> str | None:
    """Plural of an adjective used as a noun keeps its -e: jongeren → jongere, armen → arme.

    simplemma gives the adjective (jong).  The guard that the lemma is a gradable adjective
    (jonger → jong) keeps nouns such as wegen (→ weg, not wege) out.
    """
    singular = form[:-1]
    if (
        form.endswith("en")
        and lemma != form
        and _known(singular)
        and singular.startswith(lemma)
        and _lemmatize(singular) == lemma
        and _lemmatize(lemma + "er") == lemma
    ):
        return singular
    return None


@lru_cache(maxsize=200_000)
def word_lemma(form: str) -> str:
    """The lower-case lemma of one lower-case word, without context.

    Cached: programme text repeats its vocabulary, so this keeps the pipeline fast.
    """
    lemma = _lemmatize(form)
    if "_" in lemma:
        return _split_lemma(form, lemma)
    if not _known(form):
        return _compound_lemma(form) or lemma
    if form == lemma + "de" and lemma.endswith("en"):  # participle adjective: passende → passend
        return form[:-1]
    return _substantivised_adjective(form, lemma) or lemma


def _present_stems(infinitive: str) -> list[str]:
    """Candidate present-tense stems of an infinitive: pakken → pak, leren → leer, leven → leef."""
    stem = infinitive[:-2]
    if len(stem) < 2:
        return []
    if stem[-1] == stem[-2] and stem[-1] not in "aeiou":
        return [stem[:-1]]
    devoiced = stem[:-1] + {"v": "f", "z": "s"}.get(stem[-1], stem[-1])
    candidates = [devoiced]
    if re.search(r"[^aeiou][aeiou][^aeiouj]$", devoiced):  # open syllable: leren → leer
        candidates.append(devoiced[:-1] + devoiced[-2] + devoiced[-1])
    return candidates


@lru_cache(maxsize=50_000)
def is_verb_homograph(form: str) -> bool:
    """Whether an -en form that simplemma reads as a noun plural is also an infinitive.

    simplemma prefers the noun for zorgen, stellen, zetten, delen, vragen...; the form is an
    infinitive when simplemma maps its third-person form (zorgt, stelt, deelt) back onto it.
    """
    noun = word_lemma(form)
    if not form.endswith("en") or noun == form or not is_plural_of(form, noun):
        return False
    return any(word_lemma(stem + "t") == form or word_lemma(stem) == form for stem in _present_stems(form))


@lru_cache(maxsize=200_000)
def _lemma_entry(form: str) -> tuple[str, bool]:
    """(context-free lemma, whether context decides it) for one lower-case token text."""
    if not any(char.isalpha() for char in form):
        return form, False
    return word_lemma(form), is_verb_homograph(form)


class SimplemmaLemmatizer:
    """Sets ``token.lemma_`` (lower-case) from simplemma plus the repairs in this module.

    It reads and writes the Doc's arrays instead of visiting Token objects: making a Python
    Token per word cost more than the lemmatising itself.  Only verb/noun homographs look at
    their neighbours: te, a subject pronoun or a modal before ("we zorgen", "te stellen",
    "willen delen"), or a subject pronoun after, make them verbs.  The neighbour is read without
    sentence boundaries, so that matching may skip sentence splitting: a boundary comes with a
    full stop, a line break or a list marker, none of which is a cue.
    """

    def __init__(self, strings) -> None:
        self.strings = strings
        self._by_form: dict[int, tuple[int, bool]] = {}  # lower-case hash → (lemma hash, homograph)

    def _entry(self, form_hash: int) -> tuple[int, bool]:
        entry = self._by_form.get(form_hash)
        if entry is None:
            lemma, homograph = _lemma_entry(self.strings[form_hash])
            entry = self._by_form[form_hash] = (self.strings.add(lemma), homograph)
        return entry

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        forms = doc.to_array(LOWER).tolist()
        lemmas = []
        for i, form in enumerate(forms):
            lemma, homograph = self._entry(form)
            if homograph:
                before = self.strings[forms[i - 1]] if i > 0 else ""
                after = self.strings[forms[i + 1]] if i + 1 < len(forms) else ""
                if before in VERB_CUES_BEFORE or after in VERB_CUES_AFTER:
                    lemma = form
            lemmas.append(lemma)
        # thinc types the array Ints2d, narrower than the uint64 arrays Doc.to_array itself returns
        doc.from_array([LEMMA], numpy.array(lemmas, dtype=numpy.uint64).reshape(-1, 1))  # type: ignore[arg-type]
        return doc


@Language.factory("simplemma_lemmatizer")
def make_simplemma_lemmatizer(nlp: Language, name: str) -> SimplemmaLemmatizer:
    return SimplemmaLemmatizer(nlp.vocab.strings)


@Language.component("lowercase_lemmas")
def lowercase_lemmas(doc: Doc) -> Doc:
    """An installed pipeline's lemmatizer keeps capitals (EU, Nederland); the matcher needs none."""
    for token in doc:
        token.lemma_ = token.lemma_.lower()
    return doc


@Language.component("list_item_boundaries")
def list_item_boundaries(doc: Doc) -> Doc:
    """Start a sentence at every bulleted or numbered list item, and keep the marker with it.

    Programmes list their promises; an item without a full stop would otherwise run into the
    next one, and the sentencizer would cut "1." off from its item.  The markers are found in
    the text with one regular expression, which is much faster than visiting every token.
    """
    for match in LIST_MARKER.finditer(doc.text):
        group = match.lastgroup or "line"
        marker = doc.char_span(match.start(group), match.end(group), alignment_mode="expand")
        if marker is None:
            continue
        if marker.start > 0:
            doc[marker.start].is_sent_start = True
        for inside in doc[marker.start + 1 : marker.end + 1]:
            inside.is_sent_start = False
    return doc


def pipeline_name() -> str:
    """The installed pipeline to prefer, from the setting ``PROGRAMMACHECK_SPACY_MODEL``."""
    return os.environ.get(PIPELINE_SETTING, DEFAULT_PIPELINE)


def _complete_installed(nlp: Language) -> Language:
    """Give an installed pipeline what matching needs: sentences, list items, lower-case lemmas."""
    if nlp.has_pipe("parser"):
        nlp.add_pipe("list_item_boundaries", before="parser")
    else:
        if not (nlp.has_pipe("senter") or nlp.has_pipe("sentencizer")):
            nlp.add_pipe("sentencizer", first=True)
        nlp.add_pipe("list_item_boundaries")
    if nlp.has_pipe("lemmatizer") or nlp.has_pipe("trainable_lemmatizer"):
        nlp.add_pipe("lowercase_lemmas", last=True)
    else:
        nlp.add_pipe("simplemma_lemmatizer", last=True)
    return nlp


@lru_cache(maxsize=4)
def load_pipeline(name: str | None = None) -> Language:
    """The installed pipeline ``name`` when it is installed, else the blank fallback.

    Only the components matching needs are kept enabled: sentence boundaries and lemmas.
    """
    name = name or pipeline_name()
    if spacy.util.is_package(name):
        return _complete_installed(spacy.load(name, exclude=["ner"]))
    nlp = spacy.blank(LANG)
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("list_item_boundaries")
    nlp.add_pipe("simplemma_lemmatizer")
    return nlp


def lemmatizers(nlp: Language) -> list[str]:
    """The components that only set lemmas: splitting text into sentences can skip them."""
    names = ("lemmatizer", "trainable_lemmatizer", "simplemma_lemmatizer", "lowercase_lemmas")
    return [name for name in nlp.pipe_names if name in names]


def sentence_splitters(nlp: Language) -> list[str]:
    """The components that only mark sentences: lemmatising a passage can skip them (over a third
    of the blank pipeline's time once the words' lemmas are cached; an installed parser, more)."""
    names = ("sentencizer", "senter", "parser", "list_item_boundaries")
    return [name for name in nlp.pipe_names if name in names]


def describe_pipeline(nlp: Language) -> str:
    """For provenance: which pipeline produced sentences and lemmas."""
    meta = nlp.meta
    return f"{meta.get('lang', 'nl')}_{meta.get('name', 'pipeline')}-{meta.get('version', '0')}: {','.join(nlp.pipe_names)}"


def sentences(text: str, nlp: Language | None = None) -> list[str]:
    """Split Dutch text into sentences (abbreviations such as o.a., art., ca. stay whole)."""
    doc = (nlp or load_pipeline())(text)
    return [s.text.strip() for s in doc.sents if s.text.strip()]


def lemmas(text: str, nlp: Language | None = None) -> list[str]:
    """Lower-case lemmas of the words in ``text`` (for lemmatising keywords the same way)."""
    doc = (nlp or load_pipeline())(text)
    return [token.lemma_ for token in doc if not (token.is_punct or token.is_space)]

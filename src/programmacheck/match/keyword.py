"""Keyword rules: which checklist terms occur in a passage.

The term syntax is documented for checklist authors in ``checklist/README.md``:

- a plain word matches a token whose lower-case form or lemma equals it (or the word's lemma);
- ``woon*`` / ``*woning`` / ``*schuld*`` match a token that starts with / ends with / contains
  the stem, which is how Dutch compounds are caught (flexwoningen, schuldhulpverlening);
- words of a term must follow each other; a hyphenated token (``Housing First-trajecten``)
  also offers its parts, so ``housing first`` matches it;
- ``a & b`` needs every part somewhere in the same passage.

Per item and passage the matcher reports a :class:`KeywordHit`: the item's own measure (for
its group, where the item names one), only its subject, an exclusion veto, or one of the
item's phrases that reject it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from spacy.language import Language

from ..checklist import Checklist, Item
from ..nlp import word_lemma

#: The contrary entry ``{rejection}``: a passage naming the item's measure *and* one of these
#: rejecting phrases takes a position against it.  Opt-in per item, because for some items the
#: rejecting word is the measure itself ("afschaffen van de kostendelersnorm").
REJECTION = "{rejection}"
REJECTION_CUES = (
    "stoppen", "afschaffen", "schaffen", "schrappen", "opheffen", "afbouwen", "wegbezuinigen",
    "bezuinigen", "geen gemeentegeld", "geen geld", "geen subsidie", "geen euro", "geen cent",
    "niet subsidiëren", "niet financieren", "niet betalen", "komt & niet", "komen & niet",
    "zijn tegen", "tegenstander*", "niet nodig", "overbodig", "terugsturen", "terug te sturen",
)


@dataclass(frozen=True)
class Token:
    """The forms a term word may match (lower-case surface, lemma, hyphen parts), and the lemma."""

    forms: frozenset[str]
    lemma: str


@dataclass(frozen=True)
class WordPattern:
    """One word of a term: exact (surface or lemma), or a stem with '*' wildcards."""

    stem: str
    mode: str  # exact | prefix ('woon*') | suffix ('*woning') | infix ('*schuld*')
    lemma: str

    @classmethod
    def parse(cls, word: str) -> WordPattern:
        starts, ends = word.startswith("*"), word.endswith("*")
        stem = word.strip("*")
        mode = {(False, False): "exact", (False, True): "prefix", (True, False): "suffix", (True, True): "infix"}[(starts, ends)]
        return cls(stem=stem, mode=mode, lemma=word_lemma(stem) if mode == "exact" else stem)

    def matches(self, token: Token) -> bool:
        if self.mode == "exact":
            return self.stem in token.forms or self.lemma in token.forms
        if self.mode == "prefix":
            return any(f.startswith(self.stem) for f in token.forms)
        if self.mode == "suffix":
            return any(f.endswith(self.stem) for f in token.forms)
        return any(self.stem in f for f in token.forms)


@dataclass(frozen=True)
class Term:
    """One checklist term: alternatives joined by '&', each a sequence of word patterns."""

    text: str
    parts: tuple[tuple[WordPattern, ...], ...]

    @classmethod
    def parse(cls, text: str) -> Term:
        parts = tuple(tuple(WordPattern.parse(w) for w in part.split()) for part in text.lower().split("&") if part.strip())
        return cls(text=text, parts=parts)

    def positions(self, tokens: Sequence[Token]) -> list[int] | None:
        """Token positions where each part starts, or None when some part is missing."""
        found = []
        for seq in self.parts:
            start = next((i for i in range(len(tokens) - len(seq) + 1)
                          if all(p.matches(tokens[i + k]) for k, p in enumerate(seq))), None)
            if start is None:
                return None
            found.append(start)
        return found


@dataclass(frozen=True)
class KeywordHit:
    """What the keyword rules say about one item in one passage."""

    measure: tuple[str, ...] = ()  # measure terms found (for the item's group, where it names one)
    measure_other_group: tuple[str, ...] = ()  # measure terms found, but the group is missing
    subject: tuple[str, ...] = ()
    contrary: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()

    @property
    def level(self) -> int:
        """2: the item's measure; 1: its subject (or the measure for another group); 0: nothing."""
        if self.excluded:
            return 0
        if self.measure:
            return 2
        return 1 if (self.subject or self.measure_other_group) else 0

    @property
    def signals(self) -> tuple[str, ...]:
        named = (("measure", self.measure), ("measure-other-group", self.measure_other_group),
                 ("subject", self.subject), ("contrary", self.contrary))
        return tuple(f"{kind}:{term}" for kind, terms in named for term in terms) if not self.excluded else ()


@dataclass(frozen=True)
class CompiledItem:
    item_id: str
    measure: tuple[Term, ...]
    subject: tuple[Term, ...]
    group: tuple[Term, ...]
    exclude: tuple[Term, ...]
    contrary: tuple[Term, ...]
    rejection: bool  # whether REJECTION_CUES next to a measure term count as contrary

    @classmethod
    def from_item(cls, item: Item) -> CompiledItem:
        def compile_all(terms: Iterable[str]) -> tuple[Term, ...]:
            return tuple(Term.parse(t) for t in terms)

        phrases = [t for t in item.contrary if t != REJECTION]
        return cls(item.id, compile_all(item.keywords.measure), compile_all(item.keywords.subject),
                   compile_all(item.keywords.group), compile_all(item.exclude), compile_all(phrases),
                   rejection=REJECTION in item.contrary)


_REJECTION_TERMS = tuple(Term.parse(cue) for cue in REJECTION_CUES)


def tokenize(doc: Iterable) -> list[Token]:
    """spaCy tokens → match tokens (surface, lemma, hyphen parts), punctuation dropped."""
    tokens = []
    for tok in doc:
        if tok.is_punct or tok.is_space:
            continue
        surface, lemma = tok.lower_, tok.lemma_.lower()
        forms = {surface, lemma}
        if "-" in surface.strip("-"):
            forms.update(p for p in surface.split("-") if p)
        tokens.append(Token(frozenset(forms), lemma))
    return tokens


class KeywordMatcher:
    """Applies every item's keyword rules to passages."""

    def __init__(self, checklist: Checklist, nlp: Language):
        self.items = [CompiledItem.from_item(i) for i in checklist.items]
        self.nlp = nlp

    def tokenize_all(self, texts: Sequence[str]) -> list[list[Token]]:
        return [tokenize(doc) for doc in self.nlp.pipe(texts, batch_size=256)]

    def match(self, texts: Sequence[str]) -> list[dict[str, KeywordHit]]:
        """For every passage text, the non-empty hits by item id."""
        return [self.match_tokens(tokens) for tokens in self.tokenize_all(texts)]

    def match_tokens(self, tokens: Sequence[Token]) -> dict[str, KeywordHit]:
        hits: dict[str, KeywordHit] = {}
        for item in self.items:
            hit = self._match_item(item, tokens)
            if hit is not None:
                hits[item.item_id] = hit
        return hits

    @staticmethod
    def _found(terms: Sequence[Term], tokens: Sequence[Token]) -> dict[str, list[int]]:
        found = {}
        for term in terms:
            positions = term.positions(tokens)
            if positions is not None:
                found[term.text] = positions
        return found

    def _match_item(self, item: CompiledItem, tokens: Sequence[Token]) -> KeywordHit | None:
        measure = self._found(item.measure, tokens)
        subject = self._found(item.subject, tokens)
        if not (measure or subject):
            return None
        excluded = tuple(self._found(item.exclude, tokens))
        group_ok = not item.group or bool(self._found(item.group, tokens))
        # Whether a rejecting word is for or against an item depends on the item ("afschaffen
        # van de kostendelersnorm" is what 3.2 asks), so contrary phrases are the checklist's.
        contrary = tuple(self._found(item.contrary, tokens))
        if measure and group_ok and item.rejection:
            contrary += tuple(f"{REJECTION}:{cue}" for cue in self._found(_REJECTION_TERMS, tokens))
        return KeywordHit(
            measure=tuple(measure) if group_ok else (),
            measure_other_group=() if group_ok else tuple(measure),
            subject=tuple(subject),
            contrary=contrary,
            excluded=excluded,
        )


_TERM_CHARS = re.compile(r"^[\w\-*&' .]+$")


def invalid_terms(item: Item) -> list[str]:
    """Terms with characters the matcher cannot use (reported by ``checklist validate``)."""
    terms = [*item.keywords.measure, *item.keywords.subject, *item.keywords.group, *item.exclude, *item.contrary]
    return [t for t in terms if t != REJECTION and not _TERM_CHARS.match(t)]

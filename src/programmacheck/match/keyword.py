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

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from spacy.attrs import IS_PUNCT, IS_SPACE, LEMMA, LOWER
from spacy.language import Language
from spacy.tokens import Doc

from ..checklist import REJECTION, Checklist, Item
from ..nlp import sentence_splitters, word_lemma
from .rejection import governing_rejections

#: Punctuation that ends a clause or sentence: no term runs across it, and a rejection governs
#: only its clause (:mod:`.rejection`).
CLAUSE_PUNCTUATION = frozenset(",;:.!?()[]")


@dataclass(frozen=True)
class Token:
    """The forms a term word may match (lower-case surface, lemma, hyphen parts), the lemma and
    the surface.  A break (:func:`break_token`) stands for the punctuation that ends a clause or
    sentence: it has no form or lemma, and that punctuation as its surface."""

    forms: frozenset[str]
    lemma: str
    surface: str


def break_token(punctuation: str) -> Token:
    return Token(frozenset(), "", punctuation)


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
        mode = {(False, False): "exact", (False, True): "prefix", (True, False): "suffix", (True, True): "infix"}[
            (starts, ends)
        ]
        return cls(stem=stem, mode=mode, lemma=word_lemma(stem) if mode == "exact" else stem)


_NOTHING: frozenset[int] = frozenset()


class PatternIndex:
    """Every word pattern of a checklist, and which of them each token matches.

    Matching is the hot loop of a scan (tens of thousands of passages × hundreds of terms), so a
    token is never compared with the patterns one by one: each distinct form is looked up once
    (its prefixes, suffixes and substrings in hash tables) and the answer is remembered for the
    rest of the batch.  A corpus has far fewer distinct forms than tokens.
    """

    def __init__(self) -> None:
        self._ids: dict[WordPattern, int] = {}
        self._tables: dict[str, dict[str, set[int]]] = {"exact": {}, "prefix": {}, "suffix": {}, "infix": {}}
        self._infix_lengths: set[int] = set()
        self._by_form: dict[str, frozenset[int]] = {}
        self._by_token: dict[frozenset[str], frozenset[int]] = {}

    def add(self, pattern: WordPattern) -> int:
        if pattern not in self._ids:
            pattern_id = self._ids[pattern] = len(self._ids)
            keys = {pattern.stem, pattern.lemma} if pattern.mode == "exact" else {pattern.stem}
            for key in keys:
                self._tables[pattern.mode].setdefault(key, set()).add(pattern_id)
            if pattern.mode == "infix":
                self._infix_lengths.add(len(pattern.stem))
            self._by_form.clear()
            self._by_token.clear()
        return self._ids[pattern]

    def _form_matches(self, form: str) -> frozenset[int]:
        found = self._by_form.get(form)
        if found is None:
            exact, prefix, suffix, infix = (self._tables[m] for m in ("exact", "prefix", "suffix", "infix"))
            ids = set(exact.get(form, ()))
            for end in range(1, len(form) + 1):
                ids.update(prefix.get(form[:end], ()))
                ids.update(suffix.get(form[-end:], ()))
            for length in self._infix_lengths:
                for start in range(len(form) - length + 1):
                    ids.update(infix.get(form[start : start + length], ()))
            found = self._by_form[form] = frozenset(ids) if ids else _NOTHING
        return found

    def matches(self, token: Token) -> frozenset[int]:
        """Ids of the patterns that match any form of the token."""
        found = self._by_token.get(token.forms)
        if found is None:
            found = self._by_token[token.forms] = frozenset().union(*map(self._form_matches, token.forms))
        return found


@dataclass(frozen=True)
class Term:
    """One checklist term: alternatives joined by '&', each a sequence of word pattern ids."""

    text: str
    parts: tuple[tuple[int, ...], ...]

    @classmethod
    def parse(cls, text: str, index: PatternIndex) -> Term:
        parts = tuple(
            tuple(index.add(WordPattern.parse(w)) for w in part.split())
            for part in text.lower().split("&")
            if part.strip()
        )
        return cls(text=text, parts=parts)

    def occurs(self, passage: MatchedPassage) -> bool:
        """Whether every part occurs, its words following each other."""
        return all(passage.has_sequence(part) for part in self.parts)


@dataclass(frozen=True)
class MatchedPassage:
    """A passage's tokens as the pattern ids each one matches."""

    tokens: tuple[frozenset[int], ...]
    present: frozenset[int]
    words: tuple[Token, ...]

    @classmethod
    def of(cls, tokens: Sequence[Token], index: PatternIndex) -> MatchedPassage:
        matched = tuple(index.matches(t) for t in tokens)
        return cls(matched, frozenset().union(*matched), tuple(tokens))

    def positions(self, terms: Iterable[Term]) -> list[int]:
        """Where a word of any of ``terms`` stands."""
        ids = {pattern for term in terms for part in term.parts for pattern in part}
        return [i for i, matched in enumerate(self.tokens) if not ids.isdisjoint(matched)]

    def has_sequence(self, pattern_ids: Sequence[int]) -> bool:
        if not self.present.issuperset(pattern_ids):
            return False
        first, rest = pattern_ids[0], pattern_ids[1:]
        last_start = len(self.tokens) - len(pattern_ids)
        return any(
            first in self.tokens[i] and all(p in self.tokens[i + 1 + k] for k, p in enumerate(rest))
            for i in range(last_start + 1)
        )


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
        named = (
            ("measure", self.measure),
            ("measure-other-group", self.measure_other_group),
            ("subject", self.subject),
            ("contrary", self.contrary),
        )
        return tuple(f"{kind}:{term}" for kind, terms in named for term in terms) if not self.excluded else ()


@dataclass(frozen=True)
class CompiledItem:
    item_id: str
    measure: tuple[Term, ...]
    subject: tuple[Term, ...]
    group: tuple[Term, ...]
    exclude: tuple[Term, ...]
    contrary: tuple[Term, ...]
    rejection: bool  # whether a rejecting phrase governing a measure word counts as contrary
    triggers: frozenset[int]  # a passage without any of these patterns cannot hit the item

    @classmethod
    def from_item(cls, item: Item, index: PatternIndex) -> CompiledItem:
        def compile_all(terms: Iterable[str]) -> tuple[Term, ...]:
            return tuple(Term.parse(t, index) for t in terms)

        measure, subject = compile_all(item.keywords.measure), compile_all(item.keywords.subject)
        phrases = [t for t in item.contrary if t != REJECTION]
        return cls(
            item.id,
            measure,
            subject,
            compile_all(item.keywords.group),
            compile_all(item.exclude),
            compile_all(phrases),
            rejection=REJECTION in item.contrary,
            triggers=frozenset(term.parts[0][0] for term in (*measure, *subject) if term.parts),
        )


def make_token(surface: str, lemma: str) -> Token:
    """The forms a token offers: surface, lemma, and the parts of a hyphenated word."""
    forms = {surface, lemma}
    if "-" in surface.strip("-"):
        forms.update(p for p in surface.split("-") if p)
    return Token(frozenset(forms), lemma, surface)


_TOKEN_ATTRS = [LOWER, LEMMA, IS_PUNCT, IS_SPACE]


class KeywordMatcher:
    """Applies every item's keyword rules to passages."""

    def __init__(self, checklist: Checklist, nlp: Language):
        self.index = PatternIndex()
        self.items = [CompiledItem.from_item(i, self.index) for i in checklist.items]
        self.nlp = nlp
        self._tokens: dict[tuple[int, int], Token] = {}  # (form hash, lemma hash) → its Token
        self._breaks: dict[str, Token] = {}

    def tokenize_all(self, texts: Sequence[str]) -> list[list[Token]]:
        docs = self.nlp.pipe(texts, batch_size=256, disable=sentence_splitters(self.nlp))
        return [self.tokenize(doc) for doc in docs]

    def tokenize(self, doc: Doc) -> list[Token]:
        """spaCy tokens → match tokens, punctuation dropped except where it ends a clause or
        sentence (a :func:`break_token`, one for a run of such marks).

        Reads the Doc's arrays rather than its Token objects (much cheaper), and makes one
        :class:`Token` per distinct form and lemma, so that the pattern index remembers it."""
        strings = doc.vocab.strings
        tokens: list[Token] = []
        for form, lemma, punct, space in doc.to_array(_TOKEN_ATTRS).tolist():
            if punct or space:
                mark = strings[form]
                if punct and mark in CLAUSE_PUNCTUATION and tokens and tokens[-1].lemma:
                    tokens.append(self._breaks.setdefault(mark, break_token(mark)))
                continue
            token = self._tokens.get((form, lemma))
            if token is None:
                token = self._tokens[(form, lemma)] = make_token(strings[form], strings[lemma].lower())
            tokens.append(token)
        return tokens

    def match(self, texts: Sequence[str]) -> list[dict[str, KeywordHit]]:
        """For every passage text, the non-empty hits by item id."""
        return [self.match_tokens(tokens) for tokens in self.tokenize_all(texts)]

    def match_tokens(self, tokens: Sequence[Token]) -> dict[str, KeywordHit]:
        passage = MatchedPassage.of(tokens, self.index)
        hits: dict[str, KeywordHit] = {}
        for item in self.items:
            if item.triggers.isdisjoint(passage.present):
                continue
            hit = self._match_item(item, passage)
            if hit is not None:
                hits[item.item_id] = hit
        return hits

    @staticmethod
    def _found(terms: Sequence[Term], passage: MatchedPassage) -> tuple[str, ...]:
        return tuple(term.text for term in terms if term.occurs(passage))

    def _match_item(self, item: CompiledItem, passage: MatchedPassage) -> KeywordHit | None:
        measure = self._found(item.measure, passage)
        subject = self._found(item.subject, passage)
        if not (measure or subject):
            return None
        excluded = self._found(item.exclude, passage)
        group_ok = not item.group or bool(self._found(item.group, passage))
        # Whether a rejecting word is for or against an item depends on the item ("afschaffen
        # van de kostendelersnorm" is what 3.2 asks), so contrary phrases are the checklist's.
        contrary = self._found(item.contrary, passage)
        if measure and group_ok and item.rejection:
            found = [t for t in item.measure if t.text in measure]
            contrary += tuple(
                f"{REJECTION}:{cue}" for cue in governing_rejections(passage.words, passage.positions(found))
            )
        return KeywordHit(
            measure=measure if group_ok else (),
            measure_other_group=() if group_ok else measure,
            subject=subject,
            contrary=contrary,
            excluded=excluded,
        )

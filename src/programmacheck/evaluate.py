"""Scoring verdicts against gold labels (format: ``../shared/eval/GUIDE.md``).

Agreement is Cohen's κ over the four labels, F1 for `addressed`, and F1 for "mentioned" (any
label but `absent`), each with a bootstrap interval over programme × item pairs.  A gold file
is matched to the verdict rows whose ``document`` ends with the gold file's ``document``; no
match or two matches is an error, never a silent `absent`.
"""

from __future__ import annotations

import csv
import glob
import json
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .records import VERDICTS
from .reviews import NOT_REVIEWED
from .spreadsheet import restore


class GoldMatchError(ValueError):
    pass


@dataclass(frozen=True)
class GoldFile:
    path: str
    document: str
    labels: dict[str, str]  # item id → label
    evidence: dict[str, list[dict]]  # item id → [{"page", "quote"}]


def load_gold(gold_dir: str | Path) -> list[GoldFile]:
    files = sorted(glob.glob(os.path.join(gold_dir, "*.json")))
    if not files:
        raise GoldMatchError(f"{gold_dir}: no gold *.json files")
    result = []
    for f in files:
        data = json.loads(Path(f).read_text(encoding="utf-8"))
        result.append(
            GoldFile(
                f,
                data["document"],
                {lab["id"]: lab["label"] for lab in data["labels"]},
                {lab["id"]: lab.get("evidence", []) for lab in data["labels"]},
            )
        )
    return result


@dataclass(frozen=True)
class Predicted:
    verdict: str
    page: str = ""
    quote: str = ""


def _verdict_rows(path: str | Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return [
            {key: restore(value) for key, value in raw.items()} for raw in csv.DictReader(handle)
        ]  # see spreadsheet.py


def _tool_verdict(row: dict[str, str]) -> Predicted:
    """The tool's verdict of a verdicts.csv row with its first quote.  The tool is evaluated, not
    its reviewers: a reviewed cell counts with the tool's verdict (``verdict_tool``)."""
    verdict = row.get("verdict_tool") or row["verdict"]
    return Predicted(verdict.strip().lower(), row.get("evidence_page", ""), row.get("evidence_quote", ""))


def read_verdicts(path: str | Path) -> dict[str, dict[str, Predicted]]:
    """document → item id → the tool's verdict with its first evidence quote, from a verdicts.csv."""
    table: dict[str, dict[str, Predicted]] = {}
    for row in _verdict_rows(path):
        table.setdefault(os.path.normpath(row["document"]), {})[row["item_id"]] = _tool_verdict(row)
    return table


def match_gold(gold: GoldFile, documents: Sequence[str]) -> str:
    """The one verdict document that belongs to a gold file."""
    target = os.path.normpath(gold.document)
    matches = [d for d in documents if d == target or d.endswith(os.sep + target)]
    if len(matches) != 1:
        found = "no verdict rows" if not matches else f"{len(matches)} documents ({', '.join(matches)})"
        raise GoldMatchError(f"{gold.path}: gold document {gold.document!r} matches {found}")
    return matches[0]


@dataclass(frozen=True)
class Pair:
    document: str
    item_id: str
    gold: str
    predicted: str
    tool_evidence: str = ""  # "p. N: quote" of the tool's first quote
    gold_evidence: str = ""  # "p. N: quote" of the gold's first quote


def _cite(page, quote: str) -> str:
    return f"p. {page}: {quote}" if quote else ""


def pair_up(golds: Sequence[GoldFile], verdicts: dict[str, dict[str, Predicted]]) -> list[Pair]:
    pairs = []
    for gold in golds:
        document = match_gold(gold, list(verdicts))
        predicted = verdicts[document]
        for item_id, label in gold.labels.items():
            if item_id not in predicted:
                raise GoldMatchError(f"{gold.path}: no verdict for item {item_id} in {document}")
            p = predicted[item_id]
            first_gold = (gold.evidence.get(item_id) or [{}])[0]
            pairs.append(
                Pair(
                    document,
                    item_id,
                    label,
                    p.verdict,
                    _cite(p.page, p.quote),
                    _cite(first_gold.get("page"), first_gold.get("quote", "")),
                )
            )
    return pairs


def review_pairs(path: str | Path) -> list[Pair]:
    """The reviewed cells of a verdicts.csv as gold: the verdict the review stands for (the file's
    ``verdict``) against the tool's (``verdict_tool``), whatever the tool decided since the
    review.  A file written before reviews has none."""
    pairs = []
    for row in _verdict_rows(path):
        if (row.get("review_status") or NOT_REVIEWED) == NOT_REVIEWED:
            continue
        tool = _tool_verdict(row)
        note = f"{row['reviewed_by']}: {row['review_note']}" if row["review_note"] else row["reviewed_by"]
        pairs.append(
            Pair(row["document"], row["item_id"], row["verdict"], tool.verdict, _cite(tool.page, tool.quote), note)
        )
    return pairs


def kappa(gold: Sequence[str], predicted: Sequence[str]) -> float:
    n = len(gold)
    if n == 0:
        return float("nan")
    observed = sum(a == b for a, b in zip(gold, predicted)) / n
    ca, cb = Counter(gold), Counter(predicted)
    expected = sum(ca[k] * cb[k] for k in set(ca) | set(cb)) / (n * n)
    return (observed - expected) / (1 - expected) if expected < 1 else 0.0


def f1(gold: Sequence[bool], predicted: Sequence[bool]) -> float:
    tp = sum(a and b for a, b in zip(gold, predicted))
    fp = sum(b and not a for a, b in zip(gold, predicted))
    fn = sum(a and not b for a, b in zip(gold, predicted))
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def _addressed(label: str) -> bool:
    return label == "addressed"


def _mentioned(label: str) -> bool:
    return label != "absent"


METRICS: dict[str, Callable[[Sequence[Pair]], float]] = {
    "kappa": lambda ps: kappa([p.gold for p in ps], [p.predicted for p in ps]),
    "f1_addressed": lambda ps: f1([_addressed(p.gold) for p in ps], [_addressed(p.predicted) for p in ps]),
    "f1_mentioned": lambda ps: f1([_mentioned(p.gold) for p in ps], [_mentioned(p.predicted) for p in ps]),
}


@dataclass(frozen=True)
class Score:
    value: float
    low: float
    high: float

    def __str__(self) -> str:
        return f"{self.value:.3f} [{self.low:.3f}, {self.high:.3f}]"


def scores(pairs: Sequence[Pair], bootstrap: int = 1000, seed: int = 0) -> dict[str, Score]:
    """Each metric with a 95 % percentile bootstrap interval over programme × item pairs."""
    rng = np.random.default_rng(seed)
    result = {}
    samples = [rng.integers(0, len(pairs), len(pairs)) for _ in range(bootstrap)] if pairs else []
    for name, metric in METRICS.items():
        values = [metric([pairs[i] for i in idx]) for idx in samples]
        low, high = np.nanpercentile(values, [2.5, 97.5]) if values else (float("nan"), float("nan"))
        result[name] = Score(metric(pairs), float(low), float(high))
    return result


def kappa_difference(first: Sequence[Pair], second: Sequence[Pair], bootstrap: int = 1000, seed: int = 0) -> Score:
    """κ(second) − κ(first) on the same programme × item pairs, with a paired 95 % bootstrap
    interval: both systems are scored on the same resampled pairs, so shared luck cancels.  The
    pairs may come in any order (each fold of a cross-validation scores its own programmes)."""
    first, second = (sorted(pairs, key=lambda p: (p.document, p.item_id)) for pairs in (first, second))
    keys = [(p.document, p.item_id, p.gold) for p in first]
    if keys != [(p.document, p.item_id, p.gold) for p in second]:
        raise ValueError("the two systems were not scored on the same programme × item pairs")
    gold = [p.gold for p in first]
    a, b = [p.predicted for p in first], [p.predicted for p in second]

    def difference(idx: Sequence[int] | np.ndarray) -> float:
        return kappa([gold[i] for i in idx], [b[i] for i in idx]) - kappa([gold[i] for i in idx], [a[i] for i in idx])

    rng = np.random.default_rng(seed)
    values = [difference(rng.integers(0, len(keys), len(keys))) for _ in range(bootstrap)]
    low, high = np.nanpercentile(values, [2.5, 97.5])
    return Score(difference(range(len(keys))), float(low), float(high))


def per_item(pairs: Sequence[Pair]) -> list[dict]:
    """Per item: precision, recall and F1 for `addressed` and for "mentioned"."""
    rows = []
    for item_id in dict.fromkeys(p.item_id for p in pairs):
        ps = [p for p in pairs if p.item_id == item_id]
        row: dict = {"item_id": item_id}
        for name, test in (("addressed", _addressed), ("mentioned", _mentioned)):
            tp = sum(test(p.gold) and test(p.predicted) for p in ps)
            fp = sum(test(p.predicted) and not test(p.gold) for p in ps)
            fn = sum(test(p.gold) and not test(p.predicted) for p in ps)
            row[f"{name}_p"] = tp / (tp + fp) if tp + fp else float("nan")
            row[f"{name}_r"] = tp / (tp + fn) if tp + fn else float("nan")
            row[f"{name}_f1"] = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else float("nan")
            row[f"{name}_support"] = tp + fn
        rows.append(row)
    return rows


def confusion(pairs: Sequence[Pair]) -> list[list[int]]:
    """Rows: gold label, columns: predicted label, in the order of ``VERDICTS``."""
    counts = Counter((p.gold, p.predicted) for p in pairs)
    return [[counts[(g, q)] for q in VERDICTS] for g in VERDICTS]


def format_report(pairs: Sequence[Pair], show_items: bool = True) -> str:
    lines = [f"{len(pairs)} programme × item pairs, {len({p.document for p in pairs})} programmes"]
    for name, score in scores(pairs).items():
        lines.append(f"  {name:<13} {score}")
    lines.append("  confusion (rows gold, columns predicted): " + " ".join(f"{v[:4]:>5}" for v in VERDICTS))
    for label, row in zip(VERDICTS, confusion(pairs)):
        lines.append(f"    {label:<9} " + " ".join(f"{n:>5}" for n in row))
    if show_items:
        lines.append("  per item: addressed P/R/F1 (support) | mentioned P/R/F1 (support)")
        for r in per_item(pairs):
            lines.append(
                f"    {r['item_id']:<6} {r['addressed_p']:.2f}/{r['addressed_r']:.2f}/{r['addressed_f1']:.2f} ({r['addressed_support']})"
                f" | {r['mentioned_p']:.2f}/{r['mentioned_r']:.2f}/{r['mentioned_f1']:.2f} ({r['mentioned_support']})"
            )
    return "\n".join(lines)


def normalise_quote(text: str) -> str:
    """As the extraction benchmark: NFKC, no soft hyphens or pdfium marks, lower case,
    letters and digits only (words kept apart by single spaces)."""
    text = unicodedata.normalize("NFKC", text).replace("\u00ad", "").replace("\x02", "").replace("\ufffe", "")
    return " ".join(re.findall(r"[^\W_]+", text.lower()))


def quote_matches(tool_quote: str, gold_quote: str, share: float = 0.6) -> bool:
    """The tool's quote contains the gold quote, or shares at least ``share`` of its words with it."""
    tool, gold = normalise_quote(tool_quote), normalise_quote(gold_quote)
    if not tool or not gold:
        return False
    if f" {gold} " in f" {tool} " or f" {tool} " in f" {gold} ":  # whole words: "wonen" is not in "bewonen"
        return True
    tool_words, gold_words = set(tool.split()), set(gold.split())
    return len(tool_words & gold_words) / len(tool_words) >= share


@dataclass(frozen=True)
class EvidenceCheck:
    document: str
    item_id: str
    tool_quote: str
    matched: bool


def evidence_agreement(golds: Sequence[GoldFile], first_quotes: dict[tuple[str, str], str]) -> list[EvidenceCheck]:
    """For items that gold and tool both call `addressed`: does the tool's first quote match a
    gold evidence quote?  ``first_quotes`` maps (verdict document, item id) to the tool's quote
    for the items the tool called `addressed`."""
    checks = []
    documents = sorted({d for d, _ in first_quotes})
    for gold in golds:
        matching = [
            d
            for d in documents
            if d == os.path.normpath(gold.document) or d.endswith(os.sep + os.path.normpath(gold.document))
        ]
        if len(matching) != 1:
            continue
        for item_id, label in gold.labels.items():
            quote = first_quotes.get((matching[0], item_id))
            if label == "addressed" and quote is not None:
                ok = any(quote_matches(quote, e["quote"]) for e in gold.evidence.get(item_id, []))
                checks.append(EvidenceCheck(matching[0], item_id, quote, ok))
    return checks


def error_report(pairs: Sequence[Pair]) -> str:
    """Per item, the disagreements with the passage that caused them: for a false positive the
    tool's first quote, for a false negative the gold's."""
    lines = []
    for item_id in dict.fromkeys(p.item_id for p in pairs):
        wrong = [p for p in pairs if p.item_id == item_id and p.gold != p.predicted]
        if not wrong:
            continue
        lines.append(f"item {item_id}: {len(wrong)} disagreement(s)")
        for p in wrong:
            rank = ("absent", "partial", "contrary", "addressed")
            kind = "false positive" if rank.index(p.predicted) > rank.index(p.gold) else "false negative"
            cause = p.tool_evidence if kind == "false positive" else p.gold_evidence
            lines.append(f"  {kind}: {p.document}: gold {p.gold}, tool {p.predicted}")
            if cause:
                lines.append(f"    {'tool' if kind == 'false positive' else 'gold'} {cause[:300]}")
    return "\n".join(lines) if lines else "no disagreements"


def fitted_on(verdicts_path: str | Path) -> list[str]:
    """The programmes the verdict model behind a verdicts.csv was fitted on: from the run.json
    beside it, else (no run.json) the bundled model's provenance."""
    from .resources import bundled_path

    run = Path(verdicts_path).with_name("run.json")
    try:
        provenance = json.loads(run.read_text(encoding="utf-8")).get("calibration", {}).get("provenance")
    except (OSError, ValueError, AttributeError):
        provenance = json.loads(bundled_path("models", "calibration.json").read_text(encoding="utf-8")).get(
            "provenance"
        )
    return list((provenance or {}).get("fitted_on") or [])


def fitted_note(pairs: Sequence[Pair], verdicts_path: str | Path) -> str:
    """A warning beside the figures when some scored programmes trained the verdict model: their
    agreement is optimistic, and the figure alone does not say so."""
    fitted = [os.path.normpath(f) for f in fitted_on(verdicts_path)]
    documents = sorted({p.document for p in pairs})
    seen = [d for d in documents if any(d == f or d.endswith(os.sep + f) for f in fitted)]
    if not seen:
        return ""
    return (
        f"note: {len(seen)} of these {len(documents)} programmes ({', '.join(seen)}) are among those the verdict "
        "model was fitted on, so these figures are optimistic; `eval --corpus` gives leave-one-programme-out ones"
    )

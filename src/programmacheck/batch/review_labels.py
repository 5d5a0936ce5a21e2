"""Reviews as labels: the reviewed programmes of an output folder as labelled examples for
calibration (``programmacheck calibrate --reviews OUT``).

Apart from :mod:`.reviewing` because it needs the scoring side (the engine, calibration's
examples, the segmenter's passages), which setting, listing or applying reviews never does: a warm
rescan, which applies reviews, must not load spaCy or torch.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from ..calibrate import GoldProgramme, labelled
from ..engine import Engine, Scoring
from ..evaluate import GoldFile
from ..records import Paragraph, Programme, ProgrammeText
from ..reviews import ReviewError, in_force, reviewed_verdict
from ..segment import passages
from . import keys
from .reviewing import STORE_NAME, reviewed_folder
from .store import Store


def _paragraphs(out: Path) -> dict[str, list[Paragraph]]:
    """The paragraphs of each programme of an output folder, as its scan read them."""
    found: dict[str, list[Paragraph]] = {}
    try:
        with open(out / "paragraphs.jsonl", encoding="utf-8") as handle:
            for line in handle:
                row = json.loads(line)
                found.setdefault(row["document"], []).append(Paragraph(**row))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, TypeError) as exc:
        raise ReviewError(f"{out / 'paragraphs.jsonl'}: cannot read the programmes' text: {exc}") from None
    return found


def reviewed_programmes(
    out: str | Path, store: Store, engine: Engine, scoring: Scoring, gold: Sequence[GoldProgramme] = ()
) -> tuple[list[GoldProgramme], list[str]]:
    """The reviewed programmes of ``out`` as labelled examples for calibration, and why any
    reviewed programme was left out.

    A programme's labels are the verdicts its reviews in force stand for (the reviewer's, or the
    tool's verdict she confirmed), for the items of ``scoring``'s checklist whose definition the
    review was made on.  Its text is the scan's (``paragraphs.jsonl``), checked against the key
    the reviews are keyed by, so no programme file is read again and a review never labels a text
    it was not made on.  A programme text reviewed under two names counts once; an item a gold
    example of the same text labels keeps the gold label (it comes with its evidence).
    """
    folder = reviewed_folder(out)
    run = json.loads((folder.path / "run.json").read_text(encoding="utf-8"))
    extractor = run.get("settings", {}).get("extractor", "")
    reviews = in_force(store.reviews())
    definitions = {item.id: keys.item_definition(item) for item in scoring.checklist.checklist.items}
    gold_labels = {keys.text_key(g.text.paragraphs, extractor): set(g.gold.labels) for g in gold}
    texts = _paragraphs(folder.path)
    examples: list[GoldProgramme] = []
    left_out: list[str] = []
    seen: set[str] = set()
    for document, text_key in folder.text_keys.items():
        labels = {
            item_id: reviewed_verdict(reviews[(text_key, definition)])
            for item_id, definition in definitions.items()
            if (text_key, definition) in reviews and item_id not in gold_labels.get(text_key, ())
        }
        if not labels or text_key in seen:
            continue
        seen.add(text_key)
        paragraphs = texts.get(document, [])
        if not paragraphs or keys.text_key(paragraphs, extractor) != text_key:
            left_out.append(f"{document}: its text in {folder.path / 'paragraphs.jsonl'} is not the one reviewed")
            continue
        text = ProgrammeText(paragraphs, list(store.passages(text_key) or passages(paragraphs)))
        label_file = GoldFile(str(folder.path / STORE_NAME), document, dict(labels), {})
        examples.append(labelled(engine, scoring, label_file, Programme(document, ()), text))
    return examples, left_out

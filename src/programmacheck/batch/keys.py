"""Content keys of the batch store: each names exactly what decides the value it keys.

A key changes when, and only when, something its value depends on changes, so a rescan
recomputes exactly what an edit affects:

- a file's text: its bytes, the PDF extractor, and the versions of the code and libraries that
  read and segment text (``text_identity``);
- a programme's passages: its paragraphs (``text_key``, which includes ``text_identity``);
- a vector: the embedder's identity (model, version, precision, prompts), role and text;
- an item verdict: the programme's paragraphs, the embedder's identity, the item's own
  definition, the calibration file, the scoring settings, the scoring revision and the tool version
  (``item_key``).  Matching features are computed per item column
  (:func:`programmacheck.match.hybrid.item_signals`), so the other items of the checklist do not
  enter an item's key.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import asdict
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from .. import __version__
from ..checklist import Item
from ..engine import ScanSettings
from ..records import Paragraph

#: Raised whenever a change to programmacheck's reading (extraction, OCR, segmentation) gives the
#: same bytes other paragraphs, so that stored texts made before it are read again.
#: 2 since OCR blurs dithered scans and drops uncertain words, and slightly clockwise text is kept.
#: 3 since margin line numbers are dropped, icon-font bullets read as bullets, a line's font is read
#: at its first letter and a run-in bold lead is no heading, and interrupted paragraphs resume.
#: 4 since PDFium's word gaps without a space get one, a page-top number or a cover's end no longer
#: cuts a paragraph, and bold lines that go on as a sentence are one body paragraph.
READING_REVISION = 4
#: Raised whenever a change alters what decides a verdict (keyword matching, rejection rules,
#: features, the passage scorer, verdict rules), so that stored verdicts made by older scoring code
#: are computed again; ``__version__`` alone does not move between such changes.
#: 2 since a rejecting phrase counts only where it governs a measure word ('X komt er niet', 'er komt
#: geen X', a pointing sentence) and keyword matching lemmatises passages without sentence splitting.
#: 3 since one adjective may stand between a rejecting phrase and the measure ('geen extra opvang').
SCORING_REVISION = 3
#: Libraries whose version can change extracted text, sentences, lemmas or BM25 scores.
TEXT_LIBRARIES = ("pypdfium2", "pdfplumber", "python-docx", "beautifulsoup4", "spacy", "simplemma", "wordfreq", "bm25s")
#: The environment setting that picks the spaCy pipeline (``programmacheck.nlp.PIPELINE_SETTING``;
#: not imported from there because that module imports spaCy, which a warm rescan never needs).
SPACY_PIPELINE_SETTING = "PROGRAMMACHECK_SPACY_MODEL"


def sha256(data: str | bytes) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def _installed(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "-"


@lru_cache(maxsize=8)
def text_identity(extractor: str) -> str:
    """Everything besides a file's bytes that decides its paragraphs and passages."""
    libraries = ",".join(f"{name}=={_installed(name)}" for name in TEXT_LIBRARIES)
    pipeline = os.environ.get(SPACY_PIPELINE_SETTING, "")
    return (
        f"programmacheck=={__version__};reading={READING_REVISION};pdf={extractor};{libraries};"
        f"spacy-pipeline={pipeline}"
    )


def file_key(path: str | Path, extractor: str) -> str:
    return sha256(text_identity(extractor).encode("utf-8") + b"\0" + Path(path).read_bytes())


def text_key(paragraphs: Sequence[Paragraph], extractor: str) -> str:
    """A programme's text by content; the programme's name is left out, so a copy shares it."""
    rows = [p.content() for p in paragraphs]
    return sha256(text_identity(extractor) + json.dumps(rows, ensure_ascii=False))


def item_definition(item: Item) -> str:
    return sha256(item.model_dump_json())


#: Settings other keys already stand for (by content), or that do not decide a verdict.
SETTINGS_KEYED_ELSEWHERE = frozenset({"checklist", "calibration", "model", "extractor", "cache_dir"})


def scoring_settings(settings: ScanSettings) -> str:
    """The scan settings that decide verdicts beyond the other keys; a setting added to
    ``ScanSettings`` enters every item key unless it is listed in SETTINGS_KEYED_ELSEWHERE."""
    chosen = {k: v for k, v in sorted(asdict(settings).items()) if k not in SETTINGS_KEYED_ELSEWHERE}
    return json.dumps(chosen, sort_keys=True, default=str)


def item_key(text: str, model_identity: str, definition: str, calibration_sha256: str, settings: str) -> str:
    return sha256(
        json.dumps([text, model_identity, definition, calibration_sha256, settings, SCORING_REVISION, __version__])
    )

"""The passage scorer's context: neighbouring passages and the heading path above a passage."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from programmacheck.engine import Engine, ScanSettings
from programmacheck.match.passage_scorer import PASSAGE_FEATURES, passage_features
from programmacheck.programmes import programmes

PROGRAMME = """# Programma De Brug

## Dakloosheid

Niemand hoort op straat te slapen. Wie zijn huis kwijtraakt, krijgt snel een eigen plek met begeleiding.

## Verkeer

We leggen een nieuw fietspad aan langs de rivier.
"""


def test_the_heading_path_above_a_passage_is_matched_against_the_items(tmp_path: Path):
    (tmp_path / "de-brug.md").write_text(PROGRAMME, encoding="utf-8")
    [programme], _ = programmes([str(tmp_path / "de-brug.md")])
    engine = Engine()
    text = engine.read(programme)
    levels = engine.first_stage(text, engine.scoring(ScanSettings())).heading_levels
    under = {
        text.paragraphs[p.paragraph].section.split(" › ")[-1]: row for p, row in zip(text.passages, levels, strict=True)
    }
    assert under["Dakloosheid"].max() >= 1  # the homelessness items see their subject in the heading
    assert under["Verkeer"].max() == 0


def test_neighbour_features_take_the_better_neighbour():
    above_baseline = np.array([0.1, 0.0, 0.3, 0.0], dtype=np.float32)
    levels = np.array([0, 2, 0, 1], dtype=np.int8)
    features = passage_features(above_baseline, levels, np.zeros(4, np.float32), np.zeros(4, np.float32))
    column = {name: features[:, i] for i, name in enumerate(PASSAGE_FEATURES)}
    np.testing.assert_allclose(column["neighbour_dense"], [0.0, 0.3, 0.0, 0.3])
    np.testing.assert_allclose(column["neighbour_keyword"], [2, 0, 2, 0])
    np.testing.assert_allclose(column["measure"], [0, 1, 0, 0])
    np.testing.assert_allclose(column["subject"], [0, 1, 0, 1])

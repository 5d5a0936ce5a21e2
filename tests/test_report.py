"""The terminal coverage table says, per item, what the other reports say."""

from __future__ import annotations

from programmacheck.checklist import load_checklist
from programmacheck.records import VERDICT_SYMBOLS, VERDICTS, ItemVerdict, Programme, ProgrammeResult
from programmacheck.report import coverage_table


def test_the_coverage_table_marks_each_item_with_the_symbol_of_its_verdict() -> None:
    checklist = load_checklist().checklist
    chosen = {item.id: VERDICTS[n % len(VERDICTS)] for n, item in enumerate(checklist.items)}
    verdicts = [
        ItemVerdict(document="p.md", item_id=item.id, theme_id=item.theme, verdict=chosen[item.id], score=0.5)
        for item in checklist.items
    ]
    table = coverage_table(ProgrammeResult(Programme("p.md", ("p.md",)), [], verdicts), checklist)
    for item_id, verdict in chosen.items():
        assert f"{VERDICT_SYMBOLS[verdict]} {item_id:<6} {verdict:<9}" in table

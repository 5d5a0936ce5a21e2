"""Text cells that a spreadsheet would run as formulas, made inert in CSV files.

Why: programme text is untrusted.  A quote that begins with ``=``, ``+``, ``-`` or ``@`` (or a
tab or carriage return before one) is a formula when a colleague opens ``verdicts.csv`` in Excel
or LibreOffice: ``=HYPERLINK("http://…/leak", …)`` sends data away, ``-2+3+cmd|' /C calc'!A0``
starts a program.  Such a cell is written with a leading apostrophe, the OWASP
recommendation that spreadsheets show as text; programmacheck's own readers take it off again
(:func:`restore`), so reports and evaluation see the text as it was.  A text that itself begins
with an apostrophe gets one more, so that the round trip is exact.

XLSX cells are typed; there the writer only has to store such text as a string, not a formula
(see ``exports.write_xlsx``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import overload

#: First characters that make a spreadsheet read a cell as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"


def neutralise(value: object) -> object:
    """The value as a CSV cell that no spreadsheet runs; non-text values unchanged."""
    if isinstance(value, str) and value.startswith((*FORMULA_START, ESCAPE)):
        return ESCAPE + value
    return value


def neutralise_row(values: Iterable[object]) -> list[object]:
    return [neutralise(value) for value in values]


@overload
def restore(value: str) -> str: ...


@overload
def restore(value: object) -> object: ...


def restore(value: object) -> object:
    """The text :func:`neutralise` was given."""
    if isinstance(value, str) and value.startswith(ESCAPE) and value[1:].startswith((*FORMULA_START, ESCAPE)):
        return value[1:]
    return value

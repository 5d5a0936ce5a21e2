"""Where the bundled data files live: in the wheel, or in the checkout.

The top-level ``checklist/`` and ``models/`` folders of the repository are the source of truth.
A built wheel copies them into ``programmacheck/_bundled/`` (see ``pyproject.toml``) so that an
installed package works outside the checkout; an editable install reads them in place.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent
_CHECKOUT_ROOT = _PACKAGE_DIR.parent.parent


def bundled_path(*parts: str) -> Path:
    """Path of a bundled file, e.g. ``bundled_path("checklist", "x.yaml")``."""
    in_wheel = _PACKAGE_DIR.joinpath("_bundled", *parts)
    if in_wheel.exists():
        return in_wheel
    return _CHECKOUT_ROOT.joinpath(*parts)

"""programmacheck: which points of an advocacy checklist does a party programme address?"""

from __future__ import annotations

__version__ = "0.1.0"

#: Names offered at the top level, and the module that defines each.  They are imported on first
#: use (module ``__getattr__``), so ``import programmacheck`` — which every CLI start and worker
#: process does — does not load pandas.
_LAZY = {"load_results": "programmacheck.results"}


def __getattr__(name: str):
    """Called only for names the module does not hold: imports the lazy ones on first use."""
    if name not in _LAZY:
        raise AttributeError(f"module 'programmacheck' has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(_LAZY[name]), name)


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])

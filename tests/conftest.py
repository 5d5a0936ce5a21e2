"""Shared fixtures.

Tests that need the real material in ``../shared`` (or a system package) skip when it is absent
on a developer's machine, but fail in CI (``CI=true``), where a missing dependency is a broken
set-up, not a reason to test less.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED = REPO_ROOT.parent / "shared"
#: The project's own sample programmes of one municipality (written for the project, not copied).
SAMPLE_PROGRAMMES = REPO_ROOT / "corpus" / "samples" / "gr2026" / "lindewaard"
IN_CI = os.environ.get("CI", "").lower() == "true"


def require(condition: bool, reason: str) -> None:
    """Skip (locally) or fail (in CI) when a test's outside requirement is missing."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    require(SHARED.is_dir(), f"{SHARED} is absent")
    return SHARED


@pytest.fixture(scope="session")
def corpus_dir(shared_dir: Path) -> Path:
    path = shared_dir / "corpus"
    require(path.is_dir(), f"{path} is absent")
    return path


@pytest.fixture(scope="session")
def gold_dir(shared_dir: Path) -> Path:
    path = shared_dir / "eval" / "gold"
    require(path.is_dir(), f"{path} is absent")
    return path


def require_command(name: str) -> str:
    """The path of a system command, or skip/fail as :func:`require` does."""
    found = shutil.which(name)
    require(found is not None, f"system command {name!r} is not installed")
    return found  # type: ignore[return-value]


def extraction_benchmark():
    """``benchmarks/extraction.py`` as a module: its checks are the tests' too."""
    spec = importlib.util.spec_from_file_location("extraction_benchmark", REPO_ROOT / "benchmarks" / "extraction.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module

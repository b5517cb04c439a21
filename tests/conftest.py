"""Shared fixtures: the bundled sample, the resources, built tables, the shared corpora."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipeline import io

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data" / "raw"
PROCESSED = ROOT / "data" / "processed"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = Path(os.environ.get("GOVLENS_SHARED", ROOT.parent / "shared")) / "corpus"
OUTPUT = ROOT / "test-output"


def seed(prefix: str) -> str:
    """The text of the bundled seed file whose name starts with `prefix` (e.g. "001")."""
    return next(RAW.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


@pytest.fixture(scope="session", autouse=True)
def build_cache_in_tmp(tmp_path_factory):
    """Command-line builds keep their cache under XDG_CACHE_HOME: a temporary folder in tests,
    not the user's ~/.cache (subprocesses inherit it)."""
    previous = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))
    yield
    if previous is None:
        os.environ.pop("XDG_CACHE_HOME")
    else:
        os.environ["XDG_CACHE_HOME"] = previous


@pytest.fixture(scope="session")
def resources():
    return io.load_resources()


@pytest.fixture(scope="session")
def built_sample(tmp_path_factory):
    """The sample built once by the CLI into a temporary folder: (folder, exit code)."""
    from pipeline.cli import main

    out = tmp_path_factory.mktemp("built") / "tables"
    code = main(["build", str(RAW), "--out", str(out), "--quiet"])
    return out, code


@pytest.fixture(scope="session")
def shared_corpus():
    if not SHARED.is_dir():
        pytest.skip(f"shared corpora not found at {SHARED}")
    return SHARED


@pytest.fixture
def output_dir(request) -> Path:
    """A per-test folder under test-output/ for screenshots and files worth keeping."""
    folder = OUTPUT / request.node.name
    folder.mkdir(parents=True, exist_ok=True)
    return folder

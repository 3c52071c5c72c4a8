"""Shared fixtures: the seeds, the shared corpus (skipped when absent), and stores built
from them in temporary directories."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest_neo4j import neo4j_driver, neo4j_server  # noqa: F401  (Neo4j fixtures)

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
CORPUS = ROOT.parent / "shared" / "corpus"
SCORER = ROOT.parent / "shared" / "eval" / "score.py"


def kg(
    *args: str, env: dict | None = None, timeout: float = 300, cwd: Path | None = None
) -> subprocess.CompletedProcess:
    """Run the `kg` command as a user would: a real process, output captured as text."""
    return subprocess.run(
        [sys.executable, "-m", "kg.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd or ROOT,
        env=env,
    )


@pytest.fixture(scope="session")
def seed_files() -> list[Path]:
    return sorted(SEEDS.glob("*.txt"))


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"{CORPUS} is absent")
    return CORPUS


@pytest.fixture(scope="session")
def seed_reports(seed_files):
    from loaders.pipeline import extract

    return {p.name[:3]: extract(p) for p in seed_files}


@pytest.fixture()
def seed_store(tmp_path, seed_reports):
    from kg.store import Store

    store = Store(tmp_path / "store")
    for report in seed_reports.values():
        store.add(report)
    yield store
    store.close()

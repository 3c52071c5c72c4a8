"""Extraction quality on ../shared/corpus, scored by ../shared/eval/score.py (skipped when
the corpus is absent). The floors are the issue's targets where reached, else the level
reached: they only go up."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from loaders.jsonl import report_to_line
from loaders.pipeline import extract
from tests.conftest import SCORER

FLOORS = {
    "LegalInstrument": 0.95,
    "DocumentNumber": 0.97,
    "Agency": 0.90,
    "Program": 0.80,
    "Outcome": 0.95,
    "MediaOutlet": 0.90,
}
ATTRIBUTE_FLOORS = {
    "instrument kind": 0.90,
    "agency canonical": 0.85,
    "outcome qualifier": 0.95,
    "year": 0.90,
    "publisher": 0.90,
}


@pytest.fixture(scope="module")
def scores(corpus_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("quality") / "corpus.jsonl"
    with out.open("w", encoding="utf-8") as f:
        for path in sorted(corpus_dir.glob("*.txt")):
            f.write(report_to_line(extract(path)) + "\n")
    done = subprocess.run(
        [sys.executable, str(SCORER), str(corpus_dir), str(out), "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


@pytest.mark.corpus
@pytest.mark.parametrize(("kind", "floor"), sorted(FLOORS.items()))
def test_quality_f1_floor(scores, kind, floor):
    assert scores["types"][kind]["f1"] >= floor, scores["types"][kind]


@pytest.mark.corpus
@pytest.mark.parametrize(("name", "floor"), sorted(ATTRIBUTE_FLOORS.items()))
def test_quality_attribute_floor(scores, name, floor):
    assert scores["attributes"][name] >= floor


@pytest.mark.corpus
def test_quality_no_media_typed_as_instrument(scores):
    assert scores["attributes"]["media typed as LegalInstrument"] == 0


@pytest.mark.corpus
def test_quality_mean_f1(scores):
    assert scores["mean_f1"] >= 0.93

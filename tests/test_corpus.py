"""The benchmark corpus generator writes valid, reproducible case logs."""

from __future__ import annotations

import importlib.util

from conftest import REPO

from caselog.repository import load_log


def _make_corpus():
    spec = importlib.util.spec_from_file_location("make_corpus", REPO / "scripts" / "make_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_corpus_validates_clean_and_is_reproducible(tmp_path):
    corpus = _make_corpus()
    corpus.write_corpus(tmp_path / "a", 400, seed=7)
    log = load_log(tmp_path / "a")
    assert len(log.cases) == 400
    assert [str(p) for p in log.problems if p.severity == "error"] == []
    statuses = {case.events[-1].type for case in log.cases}
    assert {"closed", "assigned"} <= statuses
    assert list(corpus.generate_cases(50, seed=7)) == list(corpus.generate_cases(50, seed=7))
    assert list(corpus.generate_cases(50, seed=7)) != list(corpus.generate_cases(50, seed=8))

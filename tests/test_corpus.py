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


def test_history_adds_sampled_cases_one_commit_per_event(tmp_path):
    import subprocess

    from caselog.history import load_history

    corpus = _make_corpus()
    out = tmp_path / "h"
    corpus.write_corpus(out, 200, seed=3, history=5)
    status = subprocess.run(["git", "status", "--porcelain"], cwd=out, capture_output=True, text=True,
                            check=True).stdout
    assert status == ""  # the files on disk are the last commit's
    history = load_history(out)
    sampled = {path: commits for path, commits in history.items() if len(commits) > 1}
    assert len(sampled) == 5
    for path, commits in sampled.items():
        case = next(c for c in load_log(out).cases if path.endswith(f"{c.id}.yaml"))
        assert len(commits) == len(case.events)  # one commit per event, newest first
        assert commits[-1].subject == f"{case.id}: accepted"
        assert [c.date for c in commits] == sorted((c.date for c in commits), reverse=True)
    assert len(history) == 200

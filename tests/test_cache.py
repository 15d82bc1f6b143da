"""The load cache: the same log, problems and states as parsing every file, and no stale entry."""

from __future__ import annotations

import dataclasses
import os
from datetime import date

import pytest
from conftest import CASE_TEXT, write_case

from caselog import repository
from caselog.derive import derive_all
from caselog.repository import load_log

AS_OFS = (date(2025, 6, 30), date(2026, 3, 10), date(2026, 11, 23), date(2027, 2, 1))


@pytest.fixture
def cached(monkeypatch):
    """Every log goes through the cache, however small."""
    monkeypatch.setattr(repository, "CACHE_MIN_FILES", 0)


def _age(root, seconds=60):
    """Date every case file back, as files are when a later run finds them."""
    for path in (root / "cases").rglob("*.yaml"):
        stamp = path.stat().st_mtime - seconds
        os.utime(path, (stamp, stamp))


def _plain(log):
    return [(f.path, f.case, f.problems, f.digest, f.refs) for f in log.files], log.problems


def test_cached_log_is_the_parsed_log(demo_root, monkeypatch):
    _age(demo_root)
    parsed = load_log(demo_root)
    monkeypatch.setattr(repository, "CACHE_MIN_FILES", 0)
    first = load_log(demo_root)  # fills the cache
    again = load_log(demo_root)  # reads it
    assert (demo_root / ".caselog" / "cache").is_dir()
    assert _plain(first) == _plain(parsed) == _plain(again)
    assert all(f.facts is not None for f in again.files)
    rules, calendar = parsed.registry.rules, parsed.registry.calendar
    for as_of in AS_OFS:
        assert again.states(as_of) == derive_all(parsed.cases, as_of, rules, calendar)


def test_validation_only_load_has_the_same_problems(log_root, cached):
    broken = CASE_TEXT.replace("20260302-K7Q2MD", "20260302-K7Q2MF").replace("unit: yueyanglou-housing",
                                                                             "unit: yueyanglou-housng")
    write_case(log_root, "20260302-K7Q2MF", broken + "related: [20260302-ZZZZZZ]\n")
    _age(log_root)
    full = load_log(log_root)
    light = load_log(log_root, need="problems")
    assert light.problems == full.problems
    assert [str(p) for p in light.problems] == [
        "cases/2026/03/20260302-K7Q2MF.yaml:19: events[1].unit: unknown unit 'yueyanglou-housng' "
        "(did you mean 'yueyanglou-housing'?)",
        "cases/2026/03/20260302-K7Q2MF.yaml:21: related[0]: no case with id 20260302-ZZZZZZ",
    ]
    assert light.cases == []


def test_a_changed_file_is_parsed_again(log_root, cached):
    _age(log_root)
    assert load_log(log_root).cases[0].area == "岳阳楼区建湘社区"
    path = write_case(log_root, "20260302-K7Q2MD", CASE_TEXT.replace("岳阳楼区建湘社区", "岳阳楼区金鹗社区"))
    assert load_log(log_root).cases[0].area == "岳阳楼区金鹗社区"  # just written: not trusted yet
    stamp = path.stat().st_mtime - 30
    os.utime(path, (stamp, stamp))
    assert load_log(log_root).cases[0].area == "岳阳楼区金鹗社区"
    assert load_log(log_root).cases[0].area == "岳阳楼区金鹗社区"
    path.unlink()
    assert load_log(log_root).files == []


def test_a_registry_change_starts_a_new_cache(log_root, cached):
    _age(log_root)
    assert load_log(log_root).problems == []
    units = log_root / "cases" / "registry" / "units.yaml"
    units.write_text(units.read_text(encoding="utf-8").replace("yueyanglou-housing:", "yueyanglou-homes:"),
                     encoding="utf-8")
    problems = [p.message for p in load_log(log_root).problems]
    assert "unknown unit 'yueyanglou-housing' (did you mean 'yueyanglou-homes'?)" in problems
    assert len(list((log_root / ".caselog" / "cache").iterdir())) == 1


def test_both_cores_fill_the_same_cache(demo_root, monkeypatch):
    _age(demo_root)
    parsed = load_log(demo_root)
    monkeypatch.setattr(repository, "CACHE_MIN_FILES", 0)
    monkeypatch.setattr(repository, "PARALLEL_THRESHOLD", 0)
    assert _plain(load_log(demo_root, jobs=2)) == _plain(parsed)
    assert _plain(load_log(demo_root, jobs=2)) == _plain(parsed)


def _without_case(states):
    return [dataclasses.replace(s, case=None) for s in states]


def test_facts_only_load_gives_the_same_states(demo_root, cached):
    _age(demo_root)
    parsed = load_log(demo_root)
    rules, calendar = parsed.registry.rules, parsed.registry.calendar
    for _run in range(2):  # filling the facts shards, then reading them
        light = load_log(demo_root, need="facts")
        assert light.cases == []
        assert light.problems == parsed.problems
        for as_of in AS_OFS:  # before some cases' last event too: those are read again
            assert _without_case(light.states(as_of)) == _without_case(
                derive_all(parsed.cases, as_of, rules, calendar))


def test_a_validation_run_leaves_no_stale_facts(log_root, cached):
    _age(log_root)
    before = load_log(log_root, need="facts").states(date(2026, 11, 23))
    assert before[0].title != "改过的标题"
    path = write_case(log_root, "20260302-K7Q2MD", CASE_TEXT.replace("title: ", "title: 改过的标题", 1))
    stamp = path.stat().st_mtime - 30
    os.utime(path, (stamp, stamp))
    load_log(log_root, need="problems")  # sees the change, caches problems only
    after = load_log(log_root, need="facts").states(date(2026, 11, 23))
    assert after[0].title.startswith("改过的标题")
    assert load_log(log_root).cases[0].title.startswith("改过的标题")


def test_a_fresh_checkout_with_the_cache_restored_reads_but_does_not_parse(demo_root, cached, monkeypatch):
    """New times on unchanged files (a clone, a checkout, CI restoring .caselog/): the text is
    compared by digest, not parsed again; a file whose text changed at the same size is parsed."""
    _age(demo_root, 600)
    first = load_log(demo_root)
    _age(demo_root, -300)  # every file gets a new time, as a fresh checkout gives it
    path = sorted((demo_root / "cases").glob("*/*/*.yaml"))[-1]
    text = path.read_text(encoding="utf-8")
    changed = text.replace("alias: ", "alias: X", 1)[:-1]  # one character more, one less: the same size
    assert len(changed.encode()) == len(text.encode()) and changed != text
    path.write_text(changed, encoding="utf-8")
    _age(demo_root, 60)
    parsed = []
    real = repository.load_case_file
    monkeypatch.setattr(repository, "load_case_file",
                        lambda root, rel, registry: parsed.append(rel) or real(root, rel, registry))
    again = load_log(demo_root, jobs=1)
    assert parsed == [path.relative_to(demo_root).as_posix()]
    assert len(again.files) == len(first.files) and again.problems == first.problems
    parsed.clear()
    assert _plain(load_log(demo_root, jobs=1)) == _plain(again) and parsed == []  # the new times now kept


def test_each_language_has_its_own_cache_side_by_side(log_root, cached):
    from caselog import i18n

    _age(log_root)
    (log_root / "cases/2026/03/20260302-K7Q2MD.yaml").write_text(
        CASE_TEXT.replace("category: help", "category: hlep"), encoding="utf-8")
    _age(log_root)
    messages = {}
    for language in ("zh", "en", "zh"):
        with i18n.speaking(language):
            messages.setdefault(language, []).append([p.message for p in load_log(log_root).problems])
    assert messages["zh"][0] == messages["zh"][1] == [
        "未知的值“hlep”（可选：help, complaint, inquiry, suggestion）（您是否要输入“help”？）"]
    assert messages["en"][0] == ["unknown value 'hlep' (one of help, complaint, inquiry, suggestion) "
                                 "(did you mean 'help'?)"]
    names = sorted(p.name.rsplit("-", 1)[1] for p in (log_root / ".caselog" / "cache").iterdir())
    assert names == ["en", "zh"]

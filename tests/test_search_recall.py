"""The public search, searched as a reader's browser does (the built site's search-engine.js, in
Node): it finds every published case holding the words searched and only those, filters without
losing any, and shows the words found in the message or replies. A changed case rewrites only
the search shard of its period.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import sys
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO

from caselog.cli import main_group

sys.path.insert(0, str(REPO / "scripts"))
import search_recall

AS_OF = "2026-11-23"
SETTINGS = REPO / "pelicanconf.py"


def build(root: Path, out: Path) -> str:
    result = CliRunner().invoke(main_group, ["-C", str(root), "build", "--output", str(out), "--as-of", AS_OF,
                                             "--settings", str(SETTINGS)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory):
    if shutil.which("node") is None:
        pytest.fail("Node.js is needed to search the built site as a browser does (scripts/setup.sh installs it)")
    root = tmp_path_factory.mktemp("recall")
    shutil.copytree(REPO / "cases", root / "cases")
    build(root, root / "site")
    return root, root / "site"


@pytest.fixture(scope="module")
def recall(demo_site):
    return search_recall.measure(demo_site[0], demo_site[1], date.fromisoformat(AS_OF), count=150)


def test_every_case_holding_a_word_is_found(recall):
    kinds = recall["kinds"]
    assert set(kinds) == {"jieba words", "title starts", "places", "unit names", "topic names", "case numbers"}
    for kind, figures in kinds.items():
        assert figures.queries >= 5, kind
        assert figures.expected >= figures.queries, kind  # the words were drawn from the public texts
        for share, query, found, expected in figures.worst:
            assert share >= 0.95, f"{kind} {query}: {found} of {expected} cases found"


def test_the_first_results_hold_the_words(recall):
    for kind, figures in recall["kinds"].items():
        assert figures.top_ok >= 0.95 * figures.queries, f"{kind}: {figures.top_bad}"


def test_filters_narrow_without_losing_a_case(recall):
    assert recall["filter_queries"] >= 20
    assert recall["filter_lost"] == 0
    assert recall["filter_outside"] == 0


def search(out: Path, *queries: str) -> list[dict]:
    return search_recall.search(out, [{"q": q} for q in queries])


def test_titles_are_found_by_their_first_words(demo_site):
    root, out = demo_site
    cases = search_recall.public_cases(root, date.fromisoformat(AS_OF))
    holding = {c.id for c in cases if search_recall.shows(c, "县政府")}  # texts, or a unit's name
    assert len({c.id for c in cases if "县政府" in c.text}) >= 5
    (answer,) = search(out, "县政府")
    assert set(answer["ids"]) == holding


def test_results_hold_the_query_and_are_newest_first(demo_site):
    root, out = demo_site
    cases = {c.id: c for c in search_recall.public_cases(root, date.fromisoformat(AS_OF))}
    (pair, phrase, two, lone, unit) = search(out, "维修", "维修资金", "维修 物业", "梯", "住房和城乡建设局")
    for answer in (pair, phrase, two, unit):
        assert answer["ids"], answer["q"]
        # newest first: the cases whose text holds the words, then those whose page names them
        in_text = [i for i in answer["ids"] if all(t in cases[i].text for t in answer["q"].split())]
        assert answer["ids"] == [*sorted(in_text, key=lambda i: (cases[i].received, i), reverse=True),
                                 *sorted(set(answer["ids"]) - set(in_text),
                                         key=lambda i: (cases[i].received, i), reverse=True)]
        for case_id in answer["ids"]:
            assert all(term in search_recall.PublicCase.everything(cases[case_id]) for term in answer["q"].split())
    assert pair["exact"] and not phrase["exact"] and two["exact"]
    assert set(phrase["ids"]) < set(pair["ids"])
    assert set(two["ids"]) == {i for i in pair["ids"] if "物业" in search_recall.PublicCase.everything(cases[i])}
    assert lone["tooShort"] and lone["ids"] == []
    # a unit's name finds the cases its page names it on (as the unit, or one that replied)
    assert set(unit["ids"]) == {i for i, c in cases.items() if search_recall.shows(c, "住房和城乡建设局")} != set()


def test_excerpts_show_the_words_found_in_the_message_or_replies(demo_site):
    root, out = demo_site
    cases = {c.id: c for c in search_recall.public_cases(root, date.fromisoformat(AS_OF))}
    answers = search(out, "电梯", "维修资金", "农民工")
    for answer in answers:
        assert answer["excerpts"], answer["q"]
        for case_id, excerpt in zip(answer["ids"], answer["excerpts"], strict=False):
            assert f"<mark>{answer['q']}</mark>" in excerpt
            body = "".join(cases[case_id].text.split("\n", 1)[1].split())  # message and replies
            for piece in re.split(r"</?mark>|…", excerpt):  # the text between spaces, unchanged
                assert "".join(html.unescape(piece).split()) in body
            assert not re.search("[\u00b6\u203f\u2040]", excerpt)  # no index marks


def test_a_case_number_finds_its_case_first(demo_site):
    (answer,) = search(demo_site[1], "20251013-QJQ5PJ")
    assert answer["ids"][0] == "20251013-QJQ5PJ"


def _files(shard: Path) -> dict[str, float]:
    return {p.relative_to(shard).as_posix(): p.stat().st_mtime_ns for p in shard.rglob("*") if p.is_file()}


def _index(out: Path) -> Path:
    return out / "search-index"


def test_a_changed_case_rewrites_only_its_periods_shard(demo_site, tmp_path):
    root = tmp_path / "log"
    shutil.copytree(demo_site[0] / "cases", root / "cases")
    out = tmp_path / "site"
    build(root, out)
    before = {year: _files(_index(out) / year) for year in ("2025", "2026")}
    path = root / "cases" / "2025" / "11" / "20251106-4CHD3H.yaml"
    text = path.read_text(encoding="utf-8")
    assert "建新小区电梯停了两个多月了" in text
    path.write_text(text.replace("建新小区电梯停了两个多月了", "建新小区电梯停了两个多月了，扶梯也停了"),
                    encoding="utf-8")
    build(root, out)
    assert _files(_index(out) / "2026") == before["2026"]
    assert _files(_index(out) / "2025") != before["2025"]
    (found,) = search(out, "扶梯")
    assert found["ids"] == ["20251106-4CHD3H"]
    # the same as a clean build of the same log, byte for byte
    clean = tmp_path / "clean"
    build(root, clean)
    assert {rel: (_index(out) / rel).read_bytes() for rel in _files(_index(out))} == {
        rel: (_index(clean) / rel).read_bytes() for rel in _files(_index(clean))}


def test_a_build_with_nothing_changed_writes_no_shard(demo_site, tmp_path):
    out = tmp_path / "site"
    shutil.copytree(demo_site[1], out)
    before = _files(_index(out))
    output = build(demo_site[0], out)
    assert _files(_index(out)) == before
    assert "搜索索引：2 个时段中重写了 0 个" in output


def test_every_record_is_checked_for_leaks_before_it_is_written(demo_site, tmp_path):
    # in a bucket a title is cut into pairs, where the scan after the build could not see it
    from caselog.site.model import load_site_data
    from caselog.site.scan import Leak
    from caselog.site.search_index import write_search_index

    data = load_site_data(demo_site[0], date.fromisoformat(AS_OF), with_history=False)
    secret = "建新小区电梯停了两个多月，到底谁来管？"
    report = write_search_index(
        data, tmp_path, {}, lambda rel, text: [Leak(rel, "title")] if secret in text else [])
    assert report.written == ["2026", "2025"]
    leaking = {rel: leaks for rel, leaks in report.checked.items() if leaks}
    ((rel, leaks),) = leaking.items()
    assert re.fullmatch(r"search-index/2025/f/\d+\.json", rel) and leaks == [Leak(rel, "title")]
    assert secret in json.loads((tmp_path / rel).read_text(encoding="utf-8"))["title"]
    assert sum(1 for rel in report.checked if "/f/" in rel) == len(data.published)
    assert all((tmp_path / rel).is_file() for rel in report.checked)


def test_periods_and_their_setting(demo_site, tmp_path):
    from caselog.site.model import load_site_data
    from caselog.site.search_index import SearchIndexError, shard_of, write_search_index

    data = load_site_data(demo_site[0], date.fromisoformat(AS_OF), with_history=False)
    assert set(shard_of(data).values()) == {"2025", "2026"}  # a small log: a shard a year
    months = set(shard_of(data, "month").values())
    assert "2026-03" in months and all(re.fullmatch(r"20\d\d-\d\d", m) for m in months)
    assert {q for q in shard_of(data, "quarter").values()} >= {"2026-q1", "2025-q4"}
    with pytest.raises(SearchIndexError) as caught:
        write_search_index(data, tmp_path, {}, lambda rel, text: [], "week")
    assert str(caught.value) == "CASELOG_SEARCH_PERIOD must be one of auto, year, quarter, month, not 'week'"


def test_index_words_are_pairs_and_whole_words():
    from caselog.site.search_records import normal, words

    assert words(normal("县政府为何不管？G107国道 3栋，20260302-K7Q2MD。")) == {
        "县政", "政府", "府为", "为何", "何不", "不管", "县政府", "政府为", "府为何", "为何不", "何不管",
        "g107", "国道", "3", "20260302-k7q2md", "20260302", "k7q2md"}
    assert words(normal("１３８ＡＢ")) == {"138ab"}  # full-width, as a reader reads it
    assert words("电") == set()  # a lone character is no word


def test_a_shard_made_again_from_its_cache_is_the_same_byte_for_byte(demo_site, tmp_path):
    # the benchmark's build with the cache filled: the output emptied, .caselog/ kept
    import pickle

    from caselog.site.model import load_site_data
    from caselog.site.search_index import write_search_index

    data = load_site_data(demo_site[0], date.fromisoformat(AS_OF), with_history=False)
    cache = tmp_path / "cache"

    def written(out: Path) -> dict[str, bytes]:
        write_search_index(data, out, {}, lambda rel, text: [], cache_dir=cache)
        return {rel: (_index(out) / rel).read_bytes() for rel in _files(_index(out))}

    clean = written(tmp_path / "clean")
    assert written(tmp_path / "again") == clean
    # the buckets written again were the ones kept: a shard's words were not gone through again
    kept = pickle.loads((cache / "2025.pickle").read_bytes())
    kept["buckets"][0] = b"kept"
    (cache / "2025.pickle").write_bytes(pickle.dumps(kept))
    assert written(tmp_path / "kept")["2025/b/0.bin"] == b"kept"
    # a case of the shard changed: its buckets are made again, not taken from the cache
    kept["records"][next(iter(kept["records"]))] = ("another fingerprint", b"", b"{}", ())
    (cache / "2025.pickle").write_bytes(pickle.dumps(kept))
    assert written(tmp_path / "made") == clean

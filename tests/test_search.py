"""Staff search on the demo case log: the analyzer, the index, queries, filters, similar cases."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date

import pytest
from conftest import REPO

from caselog.repository import load_log
from caselog.search.analyzer import index_terms, query_words
from caselog.search.index import case_body, index_dir, update_index
from caselog.search.query import CaseSearcher, Filters, SearchError
from caselog.search.similar import similar_to_text

ELEVATOR_TITLE = "建新小区多部电梯停运，维修资金迟迟无法启动"
PARAPHRASE = ("青溪街道建新小区好几部电梯都停了，物业说维修要动用维修资金，可是业主签字凑不齐，一直拖着。"
              "家里老人八十多岁，下楼看病都成问题，希望政府出面协调。")


@pytest.fixture(scope="module")
def indexed(tmp_path_factory):
    """A copy of the demo case log with its search index built (shared: tests only read it)."""
    root = tmp_path_factory.mktemp("demo-indexed")
    shutil.copytree(REPO / "cases", root / "cases")
    update_index(root)
    return root


@pytest.fixture(scope="module")
def demo_cases(indexed):
    """The demo's cases by id."""
    return load_log(indexed).by_id()


def _id_of(cases, title):
    return next(case_id for case_id, case in cases.items() if case.title == title)


def test_analyzer_cuts_words_and_drops_stop_words_and_single_characters():
    assert query_words("您好，我们小区的电梯坏了") == ["小区", "电梯"]
    assert index_terms("您好，我们小区的电梯坏了") == ("小区 电梯", "")


def test_analyzer_indexes_the_parts_of_long_words_apart_from_the_words():
    words, parts = index_terms("中华人民共和国成立")
    assert words == "中华人民共和国 成立"
    assert parts.split() == ["中华", "华人", "人民", "共和", "共和国"]
    assert query_words("中华人民共和国成立") == ["中华人民共和国", "成立"]


def test_analyzer_folds_fullwidth_letters_and_case_and_cuts_joined_letters_as_jieba_does():
    assert query_words("ＧＢ５０ Ｗｉｆｉ") == ["gb50", "wifi"]
    assert query_words("见 elevator-jianxin 号") == ["elevator", "jianxin"]


def test_searching_a_chinese_word_finds_every_case_that_mentions_it(indexed, demo_cases):
    with CaseSearcher(indexed) as searcher:
        found = {hit.id for hit in searcher.search("电梯", limit=100).hits}
    expected = {case_id for case_id, case in demo_cases.items()
                if "电梯" in case.title or "电梯" in case_body(case)}
    assert _id_of(demo_cases, ELEVATOR_TITLE) in found
    assert found == expected


def test_words_are_anded_and_snippets_mark_the_hits(indexed, demo_cases):
    with CaseSearcher(indexed) as searcher:
        results = searcher.search("电梯 维修资金")
    assert results.hits and not results.loose
    for hit in results.hits:
        text = demo_cases[hit.id].title + case_body(demo_cases[hit.id])
        assert "电梯" in text and "资金" in text
    assert "【" in results.hits[0].snippet


def test_fielded_query_searches_one_field(indexed, demo_cases):
    with CaseSearcher(indexed) as searcher:
        hits = searcher.search("title:电梯", limit=100).hits
        housing = searcher.search("电梯 unit:housing-bureau", limit=100).hits
    assert hits and all("电梯" in demo_cases[hit.id].title for hit in hits)
    assert housing and all(hit.unit == "housing-bureau" for hit in housing)
    assert len(housing) < len(searcher_ids(indexed, "电梯"))


def searcher_ids(root, text):
    with CaseSearcher(root) as searcher:
        return [hit.id for hit in searcher.search(text, limit=100).hits]


def test_phrase_needs_the_words_next_to_each_other(indexed, demo_cases):
    assert _id_of(demo_cases, ELEVATOR_TITLE) in searcher_ids(indexed, '"电梯 停运"')
    phrase = searcher_ids(indexed, '"物业 公司"')
    assert phrase and len(phrase) < len(searcher_ids(indexed, "物业 公司"))
    for case_id in phrase:
        assert "物业公司" in demo_cases[case_id].title + case_body(demo_cases[case_id])
    assert searcher_ids(indexed, '"养老 保险"') == searcher_ids(indexed, "养老保险")


def test_filters_by_status_unit_topic_and_received_date(indexed, demo_cases):
    with CaseSearcher(indexed) as searcher:
        closed = searcher.search("小区", Filters(status="closed"), limit=100).hits
        housing = searcher.search("小区", Filters(topic="housing"), limit=100).hits
        autumn = searcher.search("小区", Filters(since=date(2026, 9, 1), until=date(2026, 10, 31)),
                                 limit=100).hits
    assert closed and all(hit.status == "closed" for hit in closed)
    assert housing and all("housing" in demo_cases[hit.id].topics for hit in housing)
    assert autumn and all("2026-09-01" <= hit.received[:10] <= "2026-10-31" for hit in autumn)


def test_a_query_of_stop_words_only_says_why_nothing_is_searched(indexed):
    with CaseSearcher(indexed) as searcher, pytest.raises(SearchError, match="stop words"):
        searcher.search("的 了 我们")


def test_search_command_prints_json_rows(indexed, cli, demo_cases):
    result = cli(indexed, "search", "电梯", "--topic", "housing", "--format", "json", "--no-update")
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert _id_of(demo_cases, ELEVATOR_TITLE) in [row["id"] for row in rows]
    assert {"id", "title", "score", "unit", "status", "received", "snippet"} <= set(rows[0])
    assert all("housing" in row["topics"] for row in rows)


def test_search_command_text_output_and_unknown_unit(indexed, cli, demo_cases):
    case_id = _id_of(demo_cases, ELEVATOR_TITLE)
    result = cli(indexed, "search", '"电梯 停运"', "--no-update")
    assert result.exit_code == 0
    assert f"{case_id}  {ELEVATOR_TITLE}\n    Closed · 县住建局 · 2025-10-13 09:14 · score " in result.stdout
    wrong = cli(indexed, "search", "电梯", "--unit", "housing-burea")
    assert wrong.exit_code == 1
    assert wrong.stderr == "error: unknown unit 'housing-burea' (did you mean 县住建局?)\n"
    by_name = cli(indexed, "search", '"电梯 停运"', "--unit", "县住建局", "--no-update", lang="zh")
    assert f"{case_id}  {ELEVATOR_TITLE}\n    办结 · 县住建局 · 2025-10-13 09:14 · 得分 " in by_name.stdout


def test_index_updates_only_what_changed(demo_root):
    first = update_index(demo_root)
    assert first.rebuilt and first.indexed == first.documents > 80
    path = next((demo_root / "cases").glob("20*/*/*.yaml"))
    path.write_text(path.read_text(encoding="utf-8")
                    + "  - {date: 2026-11-23, type: corrected, text: 补充说明：蓝鲸测试词}\n", encoding="utf-8")
    second = update_index(demo_root)
    assert (second.rebuilt, second.indexed, second.removed) == (False, 1, 0)
    assert searcher_ids(demo_root, "蓝鲸") == [path.stem]
    path.unlink()
    third = update_index(demo_root)
    assert (third.indexed, third.removed, third.documents) == (0, 1, first.documents - 1)
    assert searcher_ids(demo_root, "蓝鲸") == []
    assert index_dir(demo_root) == demo_root / ".caselog" / "index"


def test_index_command_reports(demo_root, cli):
    built = cli(demo_root, "index")
    assert built.exit_code == 0 and built.stdout.startswith("index built: ")
    again = cli(demo_root, "index")
    assert re.match(r"index updated: 0 case\(s\) indexed, 0 removed, \d+ unchanged", again.stdout)


def test_similar_text_finds_the_elevator_case(indexed, cli, demo_cases):
    result = cli(indexed, "similar", "--text", PARAPHRASE, "--format", "json", "--no-update")
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert rows[0]["id"] == _id_of(demo_cases, ELEVATOR_TITLE)
    assert {"电梯", "维修", "签字"} <= set(rows[0]["terms"])


def test_similar_case_lists_only_earlier_cases(indexed, cli, demo_cases):
    repeat = next(c for c in demo_cases.values() if any(getattr(e, "duplicate_of", None) for e in c.events)
                  and "电梯" in c.title)
    result = cli(indexed, "similar", repeat.id, "--format", "json", "--no-update")
    rows = json.loads(result.stdout)
    assert rows[0]["id"] == _id_of(demo_cases, ELEVATOR_TITLE)
    assert repeat.id not in [row["id"] for row in rows]
    assert all(row["received"] <= f"{repeat.received:%Y-%m-%d %H:%M}" for row in rows)


def _new(cli, root, title, message):
    return cli(root, "new", "--title", title, "--channel", "weibo", "--category", "complaint",
               "--topic", "housing", "--message", message, "--received", "2026-11-23 08:30",
               "--accepted", "2026-11-23", "--priority", "normal", "--alias", "建新小区业主",
               "--anonymous", "--no-contact-on-file", "--area", "青溪街道建新社区")


def test_new_warns_about_a_possible_repeat(demo_root, cli):
    update_index(demo_root)
    original = _id_of(load_log(demo_root).by_id(), ELEVATOR_TITLE)
    result = _new(cli, demo_root, "建新小区电梯坏了好久没人修", PARAPHRASE)
    assert result.exit_code == 0
    assert f"warning: possible repeat of {original} {ELEVATOR_TITLE} (shared terms: " in result.stderr
    created = result.stdout.split()[-1]
    assert searcher_ids(demo_root, "八十多岁 看病")[:1] != [] and created.endswith(".yaml")
    unrelated = _new(cli, demo_root, "小区门口修路不设围挡", "我们小区门口修路，挖开的坑不设围挡，晚上看不见，已经有人摔倒了。")
    assert unrelated.exit_code == 0 and "possible repeat" not in unrelated.stderr


def test_new_without_an_index_is_silent_and_builds_nothing(demo_root, cli):
    result = _new(cli, demo_root, "建新小区电梯坏了好久没人修", PARAPHRASE)
    assert result.exit_code == 0 and result.stderr == ""
    assert not (demo_root / ".caselog").exists()


def test_plain_words_fall_back_to_any_word_but_fielded_queries_do_not(indexed):
    with CaseSearcher(indexed) as searcher:
        loose = searcher.search("建新 火车站")
        fielded = searcher.search("public:false 火车站")
        private = searcher.search("public:false 孩子", limit=100)
    assert loose.loose and loose.hits
    assert (fielded.loose, fielded.hits) == (False, [])
    assert private.hits and not any(hit.public for hit in private.hits)


QUERIES = ["电梯", "维修资金", "小区 电梯", '"小区 电梯"', "拖欠*", "title:电梯", "积水 NOT 小区",
           "(路灯 OR 信号) 晚上", "status:closed 工资", "received:2026-03 路灯", "public:false 孩子", "蓝鲸"]


def _answers(root):
    """Every answer the index gives to a fixed set of searches and similar-case lookups, and the
    scores apart (tantivy's statistics count a replaced case until its segment is merged away:
    scores may differ a little, never the cases, their order or what is shown of them)."""
    answers, scores = {}, {}
    with CaseSearcher(root) as searcher:
        for text in QUERIES:
            hits = searcher.search(text, limit=100).hits
            answers[text] = [(hit.id, hit.title, hit.status, hit.unit, hit.topics, hit.snippet) for hit in hits]
            scores[text] = [hit.score for hit in hits]
        answers["filtered"] = [hit.id for hit in searcher.search(
            "小区", Filters(topic="housing", since=date(2025, 1, 1)), limit=100).hits]
        answers["similar"] = [(hit.id, hit.terms, round(hit.overlap, 6))
                              for hit in similar_to_text(searcher, PARAPHRASE, 10)]
    return answers, scores


def test_an_index_updated_case_by_case_equals_one_built_from_scratch(demo_root, cli):
    update_index(demo_root)
    paths = sorted((demo_root / "cases").glob("20*/*/*.yaml"))
    for path in paths[10:13]:  # a reply note with a word no case had
        path.write_text(path.read_text(encoding="utf-8")
                        + "  - {date: 2026-11-23, type: corrected, text: 补充说明：蓝鲸小区电梯维修资金}\n",
                        encoding="utf-8")
    paths[40].unlink()
    added = _new(cli, demo_root, "建新小区电梯坏了好久没人修", PARAPHRASE)  # indexed by `new` itself
    assert added.exit_code == 0
    updated = update_index(demo_root)
    assert (updated.rebuilt, updated.indexed, updated.removed) == (False, 3, 1)
    clean = demo_root.parent / "clean"
    shutil.copytree(demo_root / "cases", clean / "cases")
    assert update_index(clean).rebuilt
    (incremental, scores), (scratch, clean_scores) = _answers(demo_root), _answers(clean)
    assert len(incremental["蓝鲸"]) == 3 and incremental["similar"][0][2] == 1.0
    assert incremental == scratch
    for text in QUERIES:
        assert scores[text] == pytest.approx(clean_scores[text], rel=0.05)


def test_a_damaged_or_stale_index_is_rebuilt_never_trusted(demo_root, cli):
    first = update_index(demo_root)
    folder = index_dir(demo_root)
    (folder / "meta.json").write_text("{not json", encoding="utf-8")
    refused = cli(demo_root, "search", "电梯", "--no-update")
    assert refused.exit_code == 1
    assert refused.stderr == (f"error: no search index at {folder} (or it is out of date); "
                              "run 'caselog index' first\n")
    again = update_index(demo_root)
    assert again.rebuilt and again.documents == first.documents
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"].popitem()  # the manifest and the index disagree on what is indexed
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert update_index(demo_root).rebuilt
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["version"] = "made by another version of caselog"
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert update_index(demo_root).rebuilt
    assert searcher_ids(demo_root, "电梯")


def test_hits_of_equal_score_come_in_case_id_order(indexed):
    with CaseSearcher(indexed) as searcher:
        every = searcher.search("received:[2025-01 TO 2026-12]", limit=1000)
        first = searcher.search("received:[2025-01 TO 2026-12]", limit=3)
    ids = [hit.id for hit in every.hits]
    assert len(ids) == every.total > 50 and ids == sorted(ids)
    assert [hit.id for hit in first.hits] == ids[:3] and first.total == every.total


def test_query_language_reads_dates_fields_groups_and_text_with_colons(indexed, demo_cases):
    with CaseSearcher(indexed) as searcher:
        spring = searcher.search("received:[2026-01 TO 2026-03]", limit=100).hits
        march = searcher.search("received:2026-03", limit=100).hits
        grouped = searcher.search("title:(供暖 OR 暖气)", limit=100).hits
        either = searcher.search("title:供暖 OR title:暖气", limit=100).hits
        with pytest.raises(SearchError) as bad_date:
            searcher.search("received:2026-13 路灯")
        with pytest.raises(SearchError) as bad_flag:
            searcher.search("public:maybe 路灯")
        colon = searcher.search("见面:电梯", limit=100).hits
    assert spring and all("2026-01-01" <= hit.received[:10] <= "2026-03-31" for hit in spring)
    assert march and {hit.id for hit in march} <= {hit.id for hit in spring}
    assert grouped and [hit.id for hit in grouped] == [hit.id for hit in either]
    assert str(bad_date.value) == ("received: takes a year, month or day (2026, 2026-03, 2026-03-05), "
                                   "not '2026-13'")
    assert str(bad_flag.value) == "public: takes true or false, not 'maybe'"
    assert colon and all("电梯" in demo_cases[hit.id].title + case_body(demo_cases[hit.id]) for hit in colon)

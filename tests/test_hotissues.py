"""Hot issues on a hand-made log where the right groups are known.

  H1 H2 H3  金桂苑小区 heating not warm, three authors (H3 not public)   -> group 1
  W1 W2     柏树村 tap water cut, two authors                              -> group 2
  V1        望湖小区 heating not warm: the same problem in another place   -> alone
  R1 R2     建新社区 lift stopped, one author writing twice (a repeat)     -> no group
  P1        金桂苑小区 parking: the same place, another problem            -> alone
  XEARY0    金桂苑小区 heating, received before the period                -> outside
"""

from __future__ import annotations

import pickle
import shutil
from datetime import date

import pytest
from conftest import write_case

from caselog.hotissues import hot_issues, place_parts, same_place, vocabulary
from caselog.repository import load_log
from caselog.stats import parse_period

CASES = {
    "20260505-H1AAAA": ("金桂苑小区暖气不热，室内温度只有十二度", "湖滨街道金桂苑小区", "金桂苑住户",
                        "金桂苑小区今年供暖以来暖气一直不热，室内温度只有十二度，老人孩子受不了。"
                        "多次打热力公司电话，说是管网压力不够，一直没人上门检修。"),
    "20260507-H2BBBB": ("金桂苑3栋供暖温度不达标，热力公司不上门", "湖滨街道金桂苑小区3栋", "三栋业主",
                        "我家在金桂苑小区3栋，暖气片摸着是凉的，室内温度十三度，供暖不达标。"
                        "给热力公司打了好几次电话，说管网压力不够，检修人员一直没上门。"),
    "20260512-H3CCCC": ("金桂苑暖气冰凉，要求热力公司检修管网", "湖滨街道金桂苑小区", "冬天怕冷",
                        "金桂苑小区暖气不热，室内温度十二三度，热力公司说管网压力不够，"
                        "请督促热力公司尽快上门检修，保证供暖温度。"),
    "20260506-W1DDDD": ("柏树村停水三天，自来水公司没有通知", "石桥镇柏树村", "柏树村村民",
                        "柏树村从周一开始停水，已经三天了，自来水公司事先没有通知，"
                        "村里老人只能去井里挑水，请尽快恢复供水。"),
    "20260509-W2EEEE": ("柏树村又停水了，什么时候恢复供水", "石桥镇柏树村", "石桥人",
                        "柏树村停水好几天了，自来水公司没有任何通知，问了也说不清楚什么时候恢复供水，"
                        "家里做饭洗衣都成问题。"),
    "20260510-V1FFFF": ("望湖小区暖气不热，室内温度只有十三度", "湖滨街道望湖小区", "望湖居民",
                        "望湖小区供暖后暖气不热，室内温度只有十三度，热力公司说管网压力不够，"
                        "一直没人上门检修。"),
    "20260511-R1GGGG": ("建新社区电梯停运一个月", "青溪街道建新社区", "建新老住户",
                        "建新社区5栋电梯停运一个月，物业说维修资金批不下来，老人上下楼困难。"),
    "20260520-R2HHHH": ("建新社区电梯还是停运，维修资金何时批", "青溪街道建新社区", "建新老住户",
                        "上次反映的建新社区5栋电梯停运问题，物业还是说维修资金没批下来，电梯到现在没修。"),
    "20260513-P1JJJJ": ("金桂苑小区门口乱停车，消防通道被堵", "湖滨街道金桂苑小区", "金桂苑车主",
                        "金桂苑小区门口每天晚上乱停车，消防通道被堵死，救护车进不来。"),
    "20260420-XEARY0": ("金桂苑小区暖气不热", "湖滨街道金桂苑小区", "早来的住户",
                        "金桂苑小区暖气不热，室内温度只有十二度，热力公司说管网压力不够，没人上门检修。"),
}


def case_text(case_id, title, area, alias, message, public=True):
    return f"""\
id: {case_id}
title: {title}
received: {case_id[:4]}-{case_id[4:6]}-{case_id[6:8]} 09:00
channel: people-leaders-board
category: complaint
topics: [housing]
area: {area}
author:
  alias: {alias}
public: {'true' if public else 'false'}
message: |
  {message}
"""


@pytest.fixture
def hot_log(log_root):
    for case_id, (title, area, alias, message) in CASES.items():
        write_case(log_root, case_id, case_text(case_id, title, area, alias, message,
                                                public=case_id != "20260512-H3CCCC"))
    log = load_log(log_root)
    assert log.problems == []
    return log


def test_groups_are_the_known_ones(hot_log):
    period = parse_period("2026-05")
    states = [s for s in hot_log.states(date(2026, 5, 31)) if s.received_day in period]
    issues = hot_issues(states, vocabulary(hot_log.cases, period.start, period.end))
    assert [[m.id for m in h.members] for h in issues] == [
        ["20260505-H1AAAA", "20260507-H2BBBB", "20260512-H3CCCC"],
        ["20260506-W1DDDD", "20260509-W2EEEE"],
    ]
    heating, water = issues
    assert (heating.place, heating.size, heating.authors, heating.span_days) == ("湖滨街道金桂苑小区", 3, 3, 8)
    assert (water.place, water.size, water.authors, water.span_days) == ("石桥镇柏树村", 2, 2, 4)
    assert "热力公司" in heating.terms and "停水" in water.terms
    # what a page may show of the heating group: its public members' place and terms only
    public = {"20260505-H1AAAA", "20260507-H2BBBB"}
    assert heating.label_of(public) == ("湖滨街道金桂苑小区", heating.label_of(public)[1])
    assert heating.label_of({"20260507-H2BBBB"})[0] == "湖滨街道金桂苑小区3栋"


def test_a_longer_period_takes_in_the_earlier_message(hot_log):
    states = hot_log.states(date(2026, 5, 31))
    issues = hot_issues(states, vocabulary(hot_log.cases, date(2026, 4, 1), date(2026, 5, 31)))
    assert [m.id for m in issues[0].members] == ["20260420-XEARY0", "20260505-H1AAAA", "20260507-H2BBBB",
                                                 "20260512-H3CCCC"]
    assert issues[0].span_days == 23



def test_groups_are_the_chains_of_all_linked_pairs(hot_log):
    """Grouping looks at each pair once and only within one place: the same groups as linking
    every pair of messages the rules link (the definition), here over two months."""
    from caselog.hotissues import _linked, _places, key_terms

    states = sorted(hot_log.states(date(2026, 5, 31)), key=lambda s: (s.received_day, s.id))
    words = vocabulary(hot_log.cases, date(2026, 4, 1), date(2026, 5, 31))
    terms = {s.id: key_terms(words.words_of_case(s.case), words.document_frequency, words.documents,
                             s.case.area or "") for s in states}
    places = _places(states)
    groups = [{s.id} for s in states]
    for a in states:
        for b in states:
            if a.id != b.id and same_place(places[a.id], places[b.id]) and _linked(terms[a.id], terms[b.id]):
                joined = next(g for g in groups if a.id in g) | next(g for g in groups if b.id in g)
                groups = [g for g in groups if not g & joined] + [joined]
    expected = sorted(sorted(g) for g in groups if len(g) > 1)
    found = hot_issues(states, words)
    assert sorted(sorted(m.id for m in h.members) for h in found) == [
        g for g in expected if len({s.case.author.alias for s in states if s.id in g}) > 1]
    assert len(found) == 2


@pytest.mark.parametrize(("area", "parts"), [
    ("湖滨街道金桂苑小区3栋", ("湖滨街道", "金桂苑小区", "3栋")),
    ("青溪县石桥镇柏树村", ("石桥镇", "柏树村")),
    ("湖滨新城某住宅项目工地", ("湖滨新城", "某住宅项目工地")),
    ("县人民医院周边", ("县人民医院",)),
    ("青溪县", ()),
    (None, ()),
])
def test_place_parts(area, parts):
    assert place_parts(area) == parts


def test_same_place_is_one_within_the_other():
    assert same_place(("湖滨街道", "金桂苑小区"), ("湖滨街道", "金桂苑小区", "3栋"))
    assert same_place(("湖滨街道",), ("湖滨街道", "望湖小区"))
    assert not same_place(("湖滨街道", "金桂苑小区"), ("湖滨街道", "望湖小区"))
    assert not same_place((), ())


CLOSING = """\
events:
  - {{date: {day}, type: accepted}}
  - {{date: {day}, type: assigned, unit: yueyanglou-housing, mode: assign}}
  - date: {day}
    type: replied
    unit: yueyanglou-housing
    final: true
    text: 已安排检修。
  - {{date: {day}, type: closed, outcome: resolved}}
"""


def test_portal_page_shows_published_cases_only(log_root, cli, tmp_path):
    """H1 and W1, W2 are published; H2 is public but open; H3 is closed but not public."""
    from conftest import REPO

    (log_root / "cases" / "2026" / "03" / "20260302-K7Q2MD.yaml").unlink()
    published = {"20260505-H1AAAA", "20260506-W1DDDD", "20260509-W2EEEE"}
    for case_id, (title, area, alias, message) in CASES.items():
        text = case_text(case_id, title, area, alias, message, public=case_id != "20260512-H3CCCC")
        if case_id in published or case_id == "20260512-H3CCCC":
            text += CLOSING.format(day="2026-05-20")
        write_case(log_root, case_id, text)
    out = tmp_path / "site"
    result = cli(log_root, "build", "--output", str(out), "--as-of", "2026-05-31", "--no-search",
                 "--settings", str(REPO / "pelicanconf.py"))
    assert result.exit_code == 0, result.output
    page = (out / "hot" / "index.html").read_text(encoding="utf-8")
    assert "<h1>热点问题</h1>" in page
    assert "3 人反映，共 3 件留言，跨度 8 天（2026-05-05 至 2026-05-12）。" in page
    assert "其中 2 件未公开（仍在办理或不予公开）。" in page
    assert "2 人反映，共 2 件留言，跨度 4 天（2026-05-06 至 2026-05-09）。" in page
    assert '<h3>石桥镇柏树村 · ' in page and '<h3>湖滨街道金桂苑小区 · ' in page
    for case_id, (title, *_rest) in CASES.items():
        linked = f'href="/cases/{case_id}/"' in page
        assert linked == (case_id in published), case_id
        assert (f">{title}</a>" in page) == (case_id in published), case_id
    assert "区住建局" not in page and "岳阳楼区住房和城乡建设局" not in page  # no unit is named
    reports = (out / "reports" / "index.html").read_text(encoding="utf-8")
    assert 'href="/hot/">热点问题：多人反映的同一地点的同一问题</a>' in reports


def test_cached_words_give_the_same_groups(hot_log, log_root):
    """The words cache (.caselog/) is an optimisation only: groups with it, on a second run from it,
    and after a message changes, equal groups without it."""
    period = parse_period("2026-05")
    states = [s for s in hot_log.states(date(2026, 5, 31)) if s.received_day in period]

    def groups(root):
        words = vocabulary(hot_log.cases, period.start, period.end, root)
        return [([m.id for m in h.members], h.place, h.terms) for h in hot_issues(states, words)]

    plain = groups(None)
    assert groups(log_root) == plain  # filling the cache
    assert list((log_root / ".caselog" / "cache").glob("*/2026-05.words"))
    assert groups(log_root) == plain  # read from it
    assert vocabulary(hot_log.cases, period.start, period.end, log_root).words == vocabulary(hot_log.cases, period.start, period.end).words
    _title, area, alias, _message = CASES["20260507-H2BBBB"]
    write_case(log_root, "20260507-H2BBBB", case_text("20260507-H2BBBB", "金桂苑3栋楼道灯坏了", area, alias,
                                                      "金桂苑小区3栋楼道灯坏了一个月，晚上上下楼看不见。"))
    log = load_log(log_root)
    changed = [s for s in log.states(date(2026, 5, 31)) if s.received_day in period]
    words = vocabulary(log.cases, period.start, period.end, log_root)
    again = [[m.id for m in h.members] for h in hot_issues(changed, words)]
    assert again == [[m.id for m in h.members] for h in hot_issues(changed, vocabulary(log.cases, period.start, period.end))]
    assert again[0] == ["20260505-H1AAAA", "20260512-H3CCCC"]


def _portal_log(log_root):
    """The hand-made log as the portal test writes it: H1, W1, W2 published, H2 open, H3 not public."""
    (log_root / "cases" / "2026" / "03" / "20260302-K7Q2MD.yaml").unlink()
    for case_id, (title, area, alias, message) in CASES.items():
        text = case_text(case_id, title, area, alias, message, public=case_id != "20260512-H3CCCC")
        if case_id in {"20260505-H1AAAA", "20260506-W1DDDD", "20260509-W2EEEE", "20260512-H3CCCC"}:
            text += CLOSING.format(day="2026-05-20")
        write_case(log_root, case_id, text)


def test_kept_groups_give_the_page_of_a_clean_build(log_root, cli, tmp_path):
    """The hot page's groups kept under .caselog/hot/ are an optimisation only: after a reply
    changes (kept groups used) and after a title changes (its month grouped anew), the page is
    byte for byte the page of a build without them."""
    from conftest import REPO

    _portal_log(log_root)
    kept = log_root / ".caselog" / "hot" / "2026-05-01.hot"

    def build(name):
        out = tmp_path / name
        result = cli(log_root, "build", "--output", str(out), "--as-of", "2026-05-31", "--no-search",
                     "--settings", str(REPO / "pelicanconf.py"))
        assert result.exit_code == 0, result.output
        return (out / "hot" / "index.html").read_bytes()

    def clean_build(name):
        shutil.rmtree(log_root / ".caselog" / "hot")
        return build(name)

    first = build("first")
    assert "金桂苑小区".encode() in first and kept.is_file()
    made = kept.stat().st_ino  # a file grouped anew is a new file (written beside, then renamed)
    title, area, alias, message = CASES["20260505-H1AAAA"]
    write_case(log_root, "20260505-H1AAAA", case_text("20260505-H1AAAA", title, area, alias, message)
               + CLOSING.format(day="2026-05-20").replace("已安排检修。", "已安排检修，暖气已恢复正常。"))
    assert build("reply") == first
    assert kept.stat().st_ino == made  # the reply is not read: the kept groups were used
    assert clean_build("reply-clean") == first

    for title, area in (("柏树村停水多日", "石桥镇柏树村"), ("柏树村停水多日", "石桥镇桃园村")):
        made = kept.stat().st_ino  # first the title alone changes, then the area alone
        _title, _area, alias, message = CASES["20260509-W2EEEE"]
        write_case(log_root, "20260509-W2EEEE", case_text("20260509-W2EEEE", title, area, alias, message)
                   + CLOSING.format(day="2026-05-20"))
        changed = build(f"{area}-{title}")
        assert kept.stat().st_ino != made  # grouped anew
        assert clean_build(f"{area}-{title}-clean") == changed
    assert "石桥镇柏树村".encode() not in changed  # W1 and W2 are in different places now


def test_public_changes_and_damaged_files_are_followed(log_root):
    """What the page shows of a kept group follows who is published now (a case made public
    is shown, without grouping anew), and a damaged or foreign file is grouped anew."""
    from caselog.site.hot import hot_context
    from caselog.site.model import load_site_data

    _portal_log(log_root)
    folder = log_root / ".caselog" / "hot"

    def context():
        return hot_context(load_site_data(log_root, date(2026, 5, 31), with_history=False))

    def clean():
        shutil.rmtree(folder)
        return context()

    context()
    kept = {path.name: path.stat().st_ino for path in folder.iterdir()}
    assert sorted(kept) == ["2026-03-01.hot", "2026-04-01.hot", "2026-05-01.hot"]
    (folder / "2026-02-01.hot").write_bytes(b"")  # a month no longer shown is forgotten
    context()
    assert sorted(path.name for path in folder.iterdir()) == sorted(kept)
    title, area, alias, message = CASES["20260507-H2BBBB"]  # public, now closed: published
    write_case(log_root, "20260507-H2BBBB", case_text("20260507-H2BBBB", title, area, alias, message)
               + CLOSING.format(day="2026-05-21"))
    shown = context()
    assert {path.name: path.stat().st_ino for path in folder.iterdir()} == kept
    heating = shown["months"][0]["issues"][0]
    assert [link.id for link in heating.cases] == ["20260505-H1AAAA", "20260507-H2BBBB"]
    assert heating.unpublished == 1
    assert clean() == shown

    kept = {path.name: path.stat().st_ino for path in folder.iterdir()}
    _title, area, alias, message = CASES["20260420-XEARY0"]  # in the windows of April and May
    write_case(log_root, "20260420-XEARY0", case_text("20260420-XEARY0", "金桂苑暖气", area, alias, message))
    shown = context()
    anew = {path.name for path in folder.iterdir() if path.stat().st_ino != kept[path.name]}
    assert anew == {"2026-04-01.hot", "2026-05-01.hot"}
    assert clean() == shown

    path = folder / "2026-05-01.hot"
    key = pickle.loads(path.read_bytes())["key"]
    unknown = (("20990101-NOPE00",), "", (), 2, ({},), ((),))  # a member no longer in the period
    for damage in (b"", b"not a pickle", pickle.dumps(["a list"]), pickle.dumps({"key": "another", "issues": []}),
                   pickle.dumps({"key": key}), pickle.dumps({"key": key, "issues": [("short",)]}),
                   pickle.dumps({"key": key, "issues": [unknown]})):
        path.write_bytes(damage)
        assert context() == shown
        assert pickle.loads(path.read_bytes())["key"] == key  # grouped anew and kept again

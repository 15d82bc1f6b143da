"""Statistics on a small hand-built case log, with every expected figure worked out by hand.

The log (as of 2026-04-30; the fixture's open case 20260302-K7Q2MD is case A):

  A 20260302-K7Q2MD  housing  open, never replied: both deadlines missed, severe
  B 20260105-B0T1ME  transport  interim 01-07, final 01-16 (due 01-12 / 01-26): on time, satisfied
  C 20260209-C1ATE0  housing   first 02-24 (due 02-14), final 03-13 (due 03-06): late, basically satisfied
  D 20260303-D0P11C  (no unit)  closed as duplicate without reply: not answerable
  E 20260310-E2WDRN  qingxi     interim reply, then withdrawn: not answerable
  F 20260316-F3RPEN  transport  final 03-20, dissatisfied, reopened 03-25, new final 04-10
                                (new due 04-16); visit and closing on 05-06 are after as-of
  G 20260402-G4VRGT  qingxi     urgent: final reply 04-03 on its first deadline; unreachable
  H 20260420-H5PR1V  housing    public: false; on time, satisfied
  I 20260112-J6REFD  transport  closed as referred without any reply: both deadlines missed
  J 20260428-K7NEW0  (no unit)  new, first deadline 05-08 after Labour Day: warning
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from conftest import REPO, write_case
from rich.cells import cell_len

from caselog.derive import derive, derive_all
from caselog.repository import load_log, load_one
from caselog.stats import (
    Figures,
    PeriodError,
    Rate,
    Report,
    Tally,
    build_report,
    parse_period,
    quantile,
    rank_units,
    wilson,
)

AS_OF = date(2026, 4, 30)

HEAD = """\
id: {id}
title: {title}
received: {received}
channel: {channel}
category: {category}
topics: [{topics}]
{extra}author:
  alias: 测试网友
  real_name: false
  contact_on_file: false
public: {public}
message: |
  测试留言内容。
events:
"""

CASES = {
    "20260105-B0T1ME": dict(title="公交站台遮雨棚破损", received="2026-01-05 10:00", channel="rednet-wenzheng",
                            category="complaint", topics="transport", events="""\
  - {date: 2026-01-05, type: accepted}
  - {date: 2026-01-05, type: assigned, unit: transport-bureau, mode: assign}
  - {date: 2026-01-07, type: replied, unit: transport-bureau, final: false, text: 已安排现场查看。}
  - {date: 2026-01-16, type: replied, unit: transport-bureau, final: true, text: 已更换遮雨棚。}
  - {date: 2026-01-20, type: visited, method: phone, satisfaction: satisfied}
  - {date: 2026-01-20, type: closed, outcome: resolved}
"""),
    "20260209-C1ATE0": dict(title="公租房申请进度咨询", received="2026-02-09 09:00", channel="mayor-mailbox",
                            category="inquiry", topics="housing, labour", events="""\
  - {date: 2026-02-09, type: accepted}
  - {date: 2026-02-10, type: assigned, unit: yueyanglou-housing, mode: assign}
  - {date: 2026-02-24, type: replied, unit: yueyanglou-housing, final: false, text: 正在审核。}
  - {date: 2026-03-13, type: replied, unit: yueyanglou-housing, final: true, text: 已通过审核。}
  - {date: 2026-03-16, type: visited, method: phone, satisfaction: basically-satisfied}
  - {date: 2026-03-16, type: closed, outcome: explained}
"""),
    "20260303-D0P11C": dict(title="电梯停运问题再次反映", received="2026-03-03 08:00",
                            channel="people-leaders-board", category="help", topics="housing", events="""\
  - {date: 2026-03-03, type: accepted}
  - {date: 2026-03-04, type: closed, outcome: duplicate, duplicate_of: 20260302-K7Q2MD}
"""),
    "20260310-E2WDRN": dict(title="工资发放问题", received="2026-03-10 14:00", channel="rednet-wenzheng",
                            category="help", topics="labour", events="""\
  - {date: 2026-03-10, type: accepted}
  - {date: 2026-03-10, type: assigned, unit: qingxi-town, mode: assign}
  - {date: 2026-03-11, type: replied, unit: qingxi-town, final: false, text: 正在核实。}
  - {date: 2026-03-12, type: closed, outcome: withdrawn}
"""),
    "20260316-F3RPEN": dict(title="路口红绿灯时长过短", received="2026-03-16 11:00", channel="rednet-wenzheng",
                            category="suggestion", topics="transport", events="""\
  - {date: 2026-03-16, type: accepted}
  - {date: 2026-03-16, type: assigned, unit: transport-bureau, mode: assign}
  - {date: 2026-03-20, type: replied, unit: transport-bureau, final: true, text: 已调整。}
  - {date: 2026-03-25, type: visited, method: phone, satisfaction: dissatisfied, note: 并未调整。}
  - {date: 2026-03-25, type: reopened, reason: 回访不满意}
  - {date: 2026-04-10, type: replied, unit: transport-bureau, final: true, text: 已延长绿灯时间。}
  - {date: 2026-05-06, type: visited, method: phone, satisfaction: satisfied}
  - {date: 2026-05-06, type: closed, outcome: resolved}
"""),
    "20260402-G4VRGT": dict(title="道路塌陷需紧急处理", received="2026-04-02 07:30", channel="mayor-mailbox",
                            category="suggestion", topics="transport", extra="priority: urgent\n", events="""\
  - {date: 2026-04-02, type: accepted}
  - {date: 2026-04-02, type: assigned, unit: qingxi-town, mode: assign}
  - {date: 2026-04-03, type: replied, unit: qingxi-town, final: true, text: 已修复。}
  - {date: 2026-04-07, type: visited, method: phone, satisfaction: unreachable}
  - {date: 2026-04-07, type: closed, outcome: resolved}
"""),
    "20260420-H5PR1V": dict(title="家庭住房困难涉及个人隐私", received="2026-04-20 09:00",
                            channel="people-leaders-board", category="complaint", topics="housing",
                            public="false", events="""\
  - {date: 2026-04-20, type: accepted}
  - {date: 2026-04-20, type: assigned, unit: yueyanglou-housing, mode: assign}
  - {date: 2026-04-24, type: replied, unit: yueyanglou-housing, final: true, text: 已解决。}
  - {date: 2026-04-27, type: visited, method: in-person, satisfaction: satisfied}
  - {date: 2026-04-27, type: closed, outcome: resolved}
"""),
    "20260112-J6REFD": dict(title="邻里纠纷请求调解", received="2026-01-12 16:00", channel="mayor-mailbox",
                            category="help", topics="transport", events="""\
  - {date: 2026-01-12, type: accepted}
  - {date: 2026-01-13, type: assigned, unit: transport-bureau, mode: assign}
  - {date: 2026-01-14, type: closed, outcome: referred, referred_to: 县信访局}
"""),
    "20260428-K7NEW0": dict(title="农民工工资拖欠", received="2026-04-28 20:00", channel="people-leaders-board",
                            category="help", topics="labour", events="""\
  - {date: 2026-04-28, type: accepted}
"""),
}


def case_text(case_id: str, spec: dict) -> str:
    """One case file from a spec of CASES."""
    fields = {"extra": "", "public": "true", **spec, "id": case_id}
    return HEAD.format(**fields) + fields["events"]


@pytest.fixture
def stats_root(log_root):
    """The fixture's open case plus the nine hand-built cases above."""
    for case_id, spec in CASES.items():
        write_case(log_root, case_id, case_text(case_id, spec))
    return log_root


def report_for(root, period="all", as_of=AS_OF, min_cases=None) -> Report:
    log = load_log(root)
    assert log.errors == []
    rules = log.registry.rules
    states = derive_all(log.cases, as_of, rules, log.registry.calendar)
    return build_report(states, parse_period(period), min_cases or rules.min_cases_for_ranking, as_of)


def rate(k, n):
    low_high = wilson(k, n)
    return {"k": k, "n": n, "value": None if n == 0 else round(k / n, 4),
            "low": None if low_high is None else round(low_high[0], 4),
            "high": None if low_high is None else round(low_high[1], 4)}


OVERALL = {
    "received": 10, "answerable": 8, "replied": 5, "closed": 7, "open": 3, "overdue": 1, "reopened": 1,
    "unclassified": 0, "reply_rate": rate(5, 8),
    # decided: A, B, C, F, G, H, I (J's deadline 05-08 is still ahead); on time: B, F, G, H
    "first_reply_on_time": rate(4, 7),
    "final_reply_on_time": rate(4, 7),
    # latest visits: B satisfied, C basically, F dissatisfied (05-06 is after as-of), H satisfied; G unreachable
    "satisfaction": rate(3, 4), "unreachable": 1,
    # first replies: B 2, C 6, F 4, G 1, H 4 -> [1, 2, 4, 4, 6]
    "first_reply_days_median": 4, "first_reply_days_p90": 6,
    # final replies: B 9, C 20, F 18 (from 03-16 to 04-10), G 1, H 4 -> [1, 4, 9, 18, 20]
    "final_reply_days_median": 9, "final_reply_days_p90": 20,
    "enough": False,
}


def test_overall_figures_field_by_field(stats_root):
    report = report_for(stats_root)
    assert report.as_of == AS_OF
    assert report.period.label == "all"
    assert set(Figures.__dataclass_fields__) == {*OVERALL, "final_reply_days"}
    assert report.overall.as_dict() == OVERALL
    assert report.overall.final_reply_days == (1, 4, 9, 18, 20)
    assert report.overall.reply_rate == Rate(5, 8)


def test_groups_by_current_unit_topic_channel_category_month(stats_root):
    report = report_for(stats_root)
    # D and J were never assigned: they count overall and in no unit
    assert {k: f.received for k, f in report.by_unit.items()} == {
        "qingxi-town": 2, "transport-bureau": 3, "yueyanglou-housing": 3}
    housing = report.by_unit["yueyanglou-housing"]  # A (open, missed), C (late), H (non-public, on time)
    assert (housing.answerable, housing.replied, housing.closed, housing.open, housing.overdue) == (3, 2, 2, 1, 1)
    assert housing.final_reply_on_time == Rate(1, 3)
    assert housing.first_reply_on_time == Rate(1, 3)
    assert housing.satisfaction == Rate(2, 2)
    qingxi = report.by_unit["qingxi-town"]  # E withdrawn (not answerable), G on time but unreachable
    assert (qingxi.received, qingxi.answerable, qingxi.replied, qingxi.unreachable) == (2, 1, 1, 1)
    assert qingxi.satisfaction == Rate(0, 0)
    assert qingxi.satisfaction.value is None and qingxi.satisfaction.interval is None
    transport = report.by_unit["transport-bureau"]  # B on time, F on time after reopening, I closed unanswered
    assert transport.final_reply_on_time == Rate(2, 3)
    assert transport.reply_rate == Rate(2, 3)
    assert transport.reopened == 1
    # C is in housing and labour: a case counts once in each of its topics
    assert {k: f.received for k, f in report.by_topic.items()} == {"housing": 4, "labour": 3, "transport": 4}
    assert sum(f.received for f in report.by_topic.values()) == 11
    assert {k: f.received for k, f in report.by_channel.items()} == {
        "mayor-mailbox": 3, "people-leaders-board": 4, "rednet-wenzheng": 3}
    assert {k: f.received for k, f in report.by_category.items()} == {
        "complaint": 2, "help": 5, "inquiry": 1, "suggestion": 2}
    assert {k: f.received for k, f in report.by_month.items()} == {
        "2026-01": 2, "2026-02": 1, "2026-03": 4, "2026-04": 3}


def test_period_selects_by_received_date(stats_root):
    q1 = report_for(stats_root, "2026-Q1")
    assert q1.overall.received == 7  # A B C D E F I
    assert q1.overall.answerable == 5  # A B C F I
    assert list(q1.by_month) == ["2026-01", "2026-02", "2026-03"]
    march = report_for(stats_root, "2026-03")
    assert march.overall.received == 4  # A D E F
    assert report_for(stats_root, "2025").overall.received == 0


def test_events_after_as_of_are_ignored(stats_root):
    before = report_for(stats_root, as_of=date(2026, 4, 30)).by_unit["transport-bureau"]
    after = report_for(stats_root, as_of=date(2026, 5, 6)).by_unit["transport-bureau"]
    assert (before.closed, before.satisfaction) == (2, Rate(1, 2))  # B satisfied; F still dissatisfied
    assert (after.closed, after.satisfaction) == (3, Rate(2, 2))
    # before any case was received there is nothing, and the report keeps its day
    empty = report_for(stats_root, as_of=date(2025, 12, 31))
    assert empty.overall.received == 0 and empty.as_of == date(2025, 12, 31)


def test_a_deadline_counts_only_once_its_day_is_over(stats_root):
    # J: first-reply deadline 05-08 (after Labour Day), never replied
    on_the_day = report_for(stats_root, "2026-04", as_of=date(2026, 5, 8))
    after = report_for(stats_root, "2026-04", as_of=date(2026, 5, 11))
    assert on_the_day.overall.first_reply_on_time == Rate(2, 2)  # G, H; J not yet decided
    assert after.overall.first_reply_on_time == Rate(2, 3)


def test_closed_without_a_reply_is_not_excused(stats_root):
    # I was closed as referred with no reply: it is answerable, unreplied, and missed both deadlines
    jan = report_for(stats_root, "2026-01")
    assert (jan.overall.answerable, jan.overall.replied, jan.overall.closed) == (2, 1, 2)
    assert jan.overall.first_reply_on_time == Rate(1, 2)
    assert jan.overall.final_reply_on_time == Rate(1, 2)
    # before its deadline had passed it was not yet decided
    early = report_for(stats_root, "2026-01", as_of=date(2026, 1, 16))
    assert early.overall.first_reply_on_time == Rate(1, 1)


def test_non_public_cases_count_like_any_other(stats_root):
    with_h = report_for(stats_root, "2026-04")
    (stats_root / "cases" / "2026" / "04" / "20260420-H5PR1V.yaml").unlink()
    without_h = report_for(stats_root, "2026-04")
    assert with_h.overall.received - without_h.overall.received == 1
    assert with_h.overall.satisfaction == Rate(1, 1)
    assert without_h.overall.satisfaction == Rate(0, 0)


# --- Wilson intervals, quantiles, periods --------------------------------------------------------


def test_wilson_against_known_values():
    low, high = wilson(8, 10)
    assert (round(low, 4), round(high, 4)) == (0.4902, 0.9433)
    low, high = wilson(5, 10)
    assert (round(low, 4), round(high, 4)) == (0.2366, 0.7634)
    z2 = 1.959964 ** 2
    # closed forms at the edges: k = 0 gives [0, z²/(n+z²)], k = n gives [n/(n+z²), 1]
    assert wilson(0, 10) == (0.0, pytest.approx(z2 / (10 + z2)))
    assert wilson(10, 10) == (pytest.approx(10 / (10 + z2)), pytest.approx(1.0))
    assert wilson(1, 1)[0] == pytest.approx(1 / (1 + z2))
    assert wilson(0, 0) is None
    assert Rate(8, 10).as_dict() == {"k": 8, "n": 10, "value": 0.8, "low": 0.4902, "high": 0.9433}
    assert Rate(0, 0).as_dict() == {"k": 0, "n": 0, "value": None, "low": None, "high": None}


def test_nearest_rank_quantiles():
    assert quantile([], 0.5) is None
    assert quantile([7], 0.5) == 7 and quantile([7], 0.9) == 7
    assert quantile([1, 2, 3, 4], 0.5) == 2  # rank ceil(2.0) = 2
    assert quantile([1, 2, 3, 4, 5], 0.5) == 3
    assert quantile(list(range(1, 11)), 0.9) == 9  # rank 9 of 10
    assert quantile(list(range(1, 12)), 0.9) == 10  # rank ceil(9.9) = 10 of 11
    assert quantile([1, 2], 0.0) == 1


@pytest.mark.parametrize(("text", "label", "start", "end", "kind"), [
    ("2026", "2026", date(2026, 1, 1), date(2026, 12, 31), "year"),
    ("2026-Q1", "2026-Q1", date(2026, 1, 1), date(2026, 3, 31), "quarter"),
    ("2026-q4", "2026-Q4", date(2026, 10, 1), date(2026, 12, 31), "quarter"),
    ("2026-03", "2026-03", date(2026, 3, 1), date(2026, 3, 31), "month"),
    ("2026-02", "2026-02", date(2026, 2, 1), date(2026, 2, 28), "month"),
    ("2024-02", "2024-02", date(2024, 2, 1), date(2024, 2, 29), "month"),
    ("2026-12", "2026-12", date(2026, 12, 1), date(2026, 12, 31), "month"),
    (" 2026 ", "2026", date(2026, 1, 1), date(2026, 12, 31), "year"),
    ("all", "all", None, None, "all"),
    ("ALL", "all", None, None, "all"),
    (None, "all", None, None, "all"),
])
def test_parse_period(text, label, start, end, kind):
    period = parse_period(text)
    assert (period.label, period.start, period.end, period.kind) == (label, start, end, kind)


def test_period_bounds_are_inclusive():
    q1 = parse_period("2026-Q1")
    assert date(2026, 1, 1) in q1 and date(2026, 3, 31) in q1
    assert date(2025, 12, 31) not in q1 and date(2026, 4, 1) not in q1
    assert date(1999, 1, 1) in parse_period("all")


def test_week_periods_are_iso_weeks():
    week = parse_period("2026-w48")
    assert (week.label, week.kind, week.start, week.end) == ("2026-W48", "week", date(2026, 11, 23),
                                                              date(2026, 11, 29))
    assert parse_period("2026-W53").start == date(2026, 12, 28)  # 2026 has 53 ISO weeks
    assert parse_period("2027-W01").start == date(2027, 1, 4)


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "2026-Q5", "2026-Q0", "26", "2026-3", "march", "", "2026/03",
                                  "2026-W00", "2027-W53", "2026-W5"])
def test_parse_period_errors(text):
    with pytest.raises(PeriodError) as info:
        parse_period(text)
    assert str(info.value) == f"'{text}' is not a period (use 2026, 2026-Q1, 2026-03, 2026-W48 or all)"


# --- ranking ---------------------------------------------------------------------------------------


def _figures(answerable, on_time, decided, satisfied=0, visited=0, min_cases=5) -> Figures:
    return Tally(received=answerable, answerable=answerable, final_met_on_time=on_time, final_decided=decided,
                 satisfied=satisfied, visited=visited).figures(min_cases)


def test_rank_units_by_lower_bound_and_marks_small_units():
    units = {
        "lucky": _figures(3, 3, 3),  # 100% but only 3 cases: not ranked
        "big": _figures(50, 45, 50),  # 90%, lower bound 0.786
        "perfect-small": _figures(6, 6, 6),  # 100%, lower bound 0.610
        "tie-a": _figures(10, 8, 10, satisfied=5, visited=10),
        "tie-b": _figures(10, 8, 10, satisfied=9, visited=10),  # same on-time bound, better satisfaction
        "nothing-due": _figures(7, 0, 0),  # enough cases but no decided deadline: bound 0
        "empty": _figures(0, 0, 0),
    }
    report = Report(parse_period("2026"), AS_OF, units["big"], units, {}, {}, {}, {})
    ranked, unranked = rank_units(report)
    assert [k for k, _ in ranked] == ["big", "perfect-small", "tie-b", "tie-a", "nothing-due"]
    assert [k for k, _ in unranked] == ["empty", "lucky"]
    assert all(not f.enough for _, f in unranked) and all(f.enough for _, f in ranked)


def test_rank_units_on_the_case_log(stats_root):
    report = report_for(stats_root, min_cases=2)
    ranked, unranked = rank_units(report)
    # transport 2/3 on time ranks above housing 1/3; qingxi has one answerable case (E withdrew)
    assert [k for k, _ in ranked] == ["transport-bureau", "yueyanglou-housing"]
    assert [k for k, _ in unranked] == ["qingxi-town"]


# --- the command line ------------------------------------------------------------------------------


def test_stats_json_exact(stats_root, cli):
    result = cli(stats_root, "stats", "--as-of", "2026-04-30", "--format", "json")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    data = json.loads(result.stdout)
    assert list(data) == ["period", "as_of", "overall", "by_unit", "by_topic", "by_channel",
                          "by_category", "by_month"]
    assert (data["period"], data["as_of"]) == ("all", "2026-04-30")
    assert data["overall"] == OVERALL
    assert list(data["by_unit"]) == ["qingxi-town", "transport-bureau", "yueyanglou-housing"]
    assert data["by_unit"]["qingxi-town"] == {
        "received": 2, "answerable": 1, "replied": 1, "closed": 2, "open": 0, "overdue": 0, "reopened": 0,
        "unclassified": 0, "reply_rate": rate(1, 1), "first_reply_on_time": rate(1, 1), "final_reply_on_time": rate(1, 1),
        "satisfaction": rate(0, 0), "unreachable": 1,
        "first_reply_days_median": 1, "first_reply_days_p90": 1,
        "final_reply_days_median": 1, "final_reply_days_p90": 1, "enough": False}
    assert data["by_topic"]["labour"]["received"] == 3
    assert data["by_month"]["2026-03"]["answerable"] == 2


def test_stats_json_for_a_period(stats_root, cli):
    result = cli(stats_root, "stats", "--as-of", "2026-04-30", "--period", "2026-q1", "--format", "json")
    data = json.loads(result.stdout)
    assert data["period"] == "2026-Q1"
    assert data["overall"]["received"] == 7


def test_stats_bad_period(stats_root, cli):
    result = cli(stats_root, "stats", "--period", "2026-13")
    assert result.exit_code == 2
    assert "Error: Invalid value for --period: '2026-13' is not a period (use 2026, 2026-Q1, 2026-03, 2026-W48 or all)" \
        in result.stderr


def test_stats_text_has_the_summary_and_tables(stats_root, cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    result = cli(stats_root, "stats", "--as-of", "2026-04-30", lang="zh")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert max(cell_len(line) for line in lines) <= 80
    assert "\n".join(line.rstrip() for line in lines[:15]) == """\
统计：全部，截至 2026-04-30
收到 10 件，应答复 8 件，已答复 5 件，已办结 7 件
未办结 3 件，逾期 1 件，重新办理 1 件
答复率 62% (5/8, 31%-86%)
按期率：首次答复 57% (4/7, 25%-84%)；最终答复 57% (4/7, 25%-84%)
首次答复用时（工作日，中位数/P90）4 / 6；最终答复用时 9 / 20
满意率 75% (3/4, 30%-95%)（未能联系上：1）

按承办单位
                                              用时
            收到  已答复  答复率  按期率  中位/P90  满意率  未办结  逾期
────────────────────────────────────────────────────────────────────────
区住建局 *     3       2     67%     33%    4 / 20    100%       1     1
县交通局 *     3       2     67%     67%    9 / 18     50%       1     0
青溪镇 *       2       1    100%    100%     1 / 1       -       0     0"""
    # units, topics and channels in the registry's order, categories in the contract's
    assert [line.split()[0] for line in lines if line.startswith(("人民网", "红网", "县长信箱"))] == [
        "人民网领导留言板", "红网问政", "县长信箱"]
    assert [line.split()[0] for line in lines if line.startswith(("求助", "投诉", "咨询", "建议"))] == [
        "求助", "投诉", "咨询", "建议"]
    assert lines[-2:] == ["* 应答复案件少于 10 件：数量太少，不参与排名。比率：数值（k/n，Wilson 95% ",
                          "置信区间），终端较窄时从简。详见 docs/statistics.md。"]


def test_stats_tables_use_the_terminal_width(stats_root, cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    narrow = cli(stats_root, "stats", "--as-of", "2026-04-30").stdout.splitlines()
    assert max(cell_len(line) for line in narrow) <= 80
    assert [line.rstrip() for line in narrow[9:13]] == [
        "                               reply    final     days  satis-",
        "            received  replied   rate  on time  med/p90    fied  open  overdue",
        "─────────────────────────────────────────────────────────────────────────────",
        "区住建局 *         3        2    67%      33%   4 / 20    100%     1        1"]
    monkeypatch.setenv("COLUMNS", "150")
    wide = cli(stats_root, "stats", "--as-of", "2026-04-30").stdout.splitlines()
    rows = [line.split("  ") for line in wide if line.startswith("区住建局")]
    assert [cell.strip() for cell in rows[0] if cell.strip()] == [
        "区住建局 *", "3", "2", "67% (2/3, 21%-94%)", "33% (1/3, 6%-79%)", "4 / 20", "100% (2/2, 34%-100%)",
        "1", "1"]


def test_overdue_json_rows(stats_root, cli):
    result = cli(stats_root, "overdue", "--as-of", "2026-04-30", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"as_of": "2026-04-30", "cases": [
        {"id": "20260302-K7Q2MD", "title": "建湘社区多部电梯停运，维修资金迟迟无法启动",
         "unit": "yueyanglou-housing", "unit_name": "岳阳楼区住房和城乡建设局", "level": "severe",
         "status": "in-progress", "first_reply_due": "2026-03-09", "first_reply_met": False,
         "final_reply_due": "2026-03-23", "provisional": False},
        {"id": "20260428-K7NEW0", "title": "农民工工资拖欠", "unit": None, "unit_name": None,
         "level": "warning", "status": "new", "first_reply_due": "2026-05-08", "first_reply_met": False,
         "final_reply_due": "2026-05-21", "provisional": False},
    ]}


def test_overdue_markdown(stats_root, cli):
    result = cli(stats_root, "overdue", "--as-of", "2026-04-30", "--format", "markdown", lang="zh")
    assert result.exit_code == 0
    assert result.stdout == """\
## 逾期预警（截至 2026-04-30）

### 区住建局（1 件）

| 级别 | 编号 | 标题 | 待办期限 |
| --- | --- | --- | --- |
| 严重逾期 | `20260302-K7Q2MD` | 建湘社区多部电梯停运，维修资金迟迟无法启动 | 首次答复 2026-03-09 到期；最终答复 2026-03-23 到期 |

### （未交办）（1 件）

| 级别 | 编号 | 标题 | 待办期限 |
| --- | --- | --- | --- |
| 临近期限 | `20260428-K7NEW0` | 农民工工资拖欠 | 首次答复 2026-05-08 到期；最终答复 2026-05-21 到期 |

"""


def test_overdue_text_in_both_languages(stats_root, cli):
    result = cli(stats_root, "overdue", "--as-of", "2026-04-30", lang="zh")
    assert result.stdout == """\
截至 2026-04-30，有 2 件案件需要关注：

区住建局：1 件
  严重逾期  20260302-K7Q2MD  建湘社区多部电梯停运，维修资金迟迟无法启动
            首次答复 2026-03-09 到期；最终答复 2026-03-23 到期

（未交办）：1 件
  临近期限  20260428-K7NEW0  农民工工资拖欠
            首次答复 2026-05-08 到期；最终答复 2026-05-21 到期
"""
    result = cli(stats_root, "overdue", "--as-of", "2026-04-30")
    assert result.stdout == """\
2 case(s) need attention as of 2026-04-30:

区住建局: 1 case(s)
  severely overdue  20260302-K7Q2MD  建湘社区多部电梯停运，维修资金迟迟无法启动
                    first reply due 2026-03-09; final reply due 2026-03-23

(unassigned): 1 case(s)
  due soon          20260428-K7NEW0  农民工工资拖欠
                    first reply due 2026-05-08; final reply due 2026-05-21
"""


def test_overdue_when_nothing_needs_attention(stats_root, cli):
    result = cli(stats_root, "overdue", "--as-of", "2026-01-05", "--format", "markdown", lang="zh")
    assert result.stdout == "## 逾期预警（截至 2026-01-05）\n\n没有需要关注的未办结案件。\n"


# --- deadlines and levels around the 2026 holidays ------------------------------------------------
#
# 2026 official schedule: Spring Festival off Sun 02-15 .. Mon 02-23, make-up Sat 02-14 and Sat 02-28;
# Qingming off 04-04 .. 04-06; Labour Day off 05-01 .. 05-05, make-up Sat 05-09; Mid-Autumn off
# Fri 09-25 (with the weekend); National Day off 10-01 .. 10-07, make-up Sun 09-20 and Sat 10-10.
# Rules: normal 5 / 15 working days, warning 3, severe after 10.

LEVEL_CASE = """\
id: {id}
title: 节假日期限测试
received: {day}
channel: mayor-mailbox
category: help
topics: [labour]
author:
  alias: 测试网友
  real_name: false
  contact_on_file: false
public: true
message: 测试。
events:
  - {{date: {day}, type: accepted}}
  - {{date: {day}, type: assigned, unit: qingxi-town, mode: assign}}
{more}"""


def _state(root, case_id, day, as_of, more=""):
    write_case(root, case_id, LEVEL_CASE.format(id=case_id, day=day, more=more))
    registry = load_log(root).registry
    return derive(load_one(root, case_id, registry).case, as_of, registry.rules, registry.calendar)


# accepted Thu 02-12: first reply 02-13(1) 02-14 Sat make-up(2) 02-24(3) 02-25(4) 02-26(5);
# final reply 02-27(6) 02-28 Sat make-up(7) 03-02(8) .. 03-06(12) 03-09(13) 03-10(14) 03-11(15)
SPRING = "20260212-SPR1NG"
# no reply at all: the worse of the two deadlines; late working days counted in (02-26, T]
SPRING_LEVELS = [
    ("2026-02-12", "ok"),
    ("2026-02-13", "ok"),  # 4 working days to 02-26: 02-14, 02-24, 02-25, 02-26
    ("2026-02-14", "warning"),  # the make-up Saturday: 3 to go
    ("2026-02-15", "warning"),
    ("2026-02-20", "warning"),  # mid-holiday: still 3 working days away
    ("2026-02-23", "warning"),
    ("2026-02-24", "warning"),
    ("2026-02-25", "warning"),
    ("2026-02-26", "due"),
    ("2026-02-27", "overdue"),
    ("2026-03-01", "overdue"),  # Sunday: 2 working days late (02-27, 02-28)
    ("2026-03-11", "overdue"),  # 10 working days late (the final deadline is due the same day)
    ("2026-03-12", "severe"),  # 11
]


@pytest.mark.parametrize(("as_of", "level"), SPRING_LEVELS)
def test_levels_around_spring_festival(log_root, as_of, level):
    state = _state(log_root, SPRING, "2026-02-12", date.fromisoformat(as_of))
    assert (state.first_reply.due, state.final_reply.due) == (date(2026, 2, 26), date(2026, 3, 11))
    assert state.level == level


# first reply given on time: only the final deadline (03-11) is pending; late days counted in (03-11, T]
SPRING_FINAL_LEVELS = [
    ("2026-03-05", "ok"),  # 4 to go: 03-06, 03-09, 03-10, 03-11
    ("2026-03-06", "warning"),
    ("2026-03-07", "warning"),
    ("2026-03-11", "due"),
    ("2026-03-12", "overdue"),
    ("2026-03-25", "overdue"),  # 03-12 13 16 17 18 19 20 23 24 25: 10 late
    ("2026-03-26", "severe"),
]


@pytest.mark.parametrize(("as_of", "level"), SPRING_FINAL_LEVELS)
def test_final_deadline_levels_after_spring_festival(log_root, as_of, level):
    reply = "  - {date: 2026-02-24, type: replied, unit: qingxi-town, final: false, text: 正在办理。}\n"
    state = _state(log_root, SPRING, "2026-02-12", date.fromisoformat(as_of), reply)
    assert state.first_reply.on_time is True
    assert state.workdays_to_first_reply == 3  # 02-13, 02-14, 02-24
    assert state.level == level


# accepted Thu 09-24: 09-25 Mid-Autumn and the weekend off; first reply 09-28(1) 09-29(2) 09-30(3),
# National Day 10-01..07 off, 10-08(4) 10-09(5); final 10-10 Sat make-up(6) 10-12..16(7-11)
# 10-19..22(12-15)
NATIONAL = "20260924-NAT10N"
NATIONAL_LEVELS = [
    ("2026-09-28", "ok"),  # 4 to go: 09-29, 09-30, 10-08, 10-09
    ("2026-09-29", "warning"),
    ("2026-10-01", "warning"),
    ("2026-10-07", "warning"),
    ("2026-10-08", "warning"),
    ("2026-10-09", "due"),
    ("2026-10-10", "overdue"),  # the make-up Saturday is the first late working day
    ("2026-10-11", "overdue"),
    ("2026-10-22", "overdue"),  # 10 late; the final deadline is due the same day
    ("2026-10-23", "severe"),
]


@pytest.mark.parametrize(("as_of", "level"), NATIONAL_LEVELS)
def test_levels_around_national_day(log_root, as_of, level):
    state = _state(log_root, NATIONAL, "2026-09-24", date.fromisoformat(as_of))
    assert (state.first_reply.due, state.final_reply.due) == (date(2026, 10, 9), date(2026, 10, 22))
    assert state.level == level


def test_make_up_sunday_before_national_day(log_root):
    # accepted Fri 09-18: Sun 09-20 is a working day; first reply 09-20(1) 21 22 23 24(5)
    state = _state(log_root, "20260918-MAKE4P", "2026-09-18", date(2026, 9, 18))
    assert state.first_reply.due == date(2026, 9, 24)
    # final: 09-28(6) 29 30 10-08 10-09(10) 10-10(11) 10-12 13 14 15(15)
    assert state.final_reply.due == date(2026, 10, 15)


def test_labour_day_and_its_make_up_saturday(log_root):
    # accepted Wed 04-29: 04-30(1), 05-01..05 off, 05-06(2) 07(3) 08(4), Sat 05-09 make-up(5)
    state = _state(log_root, "20260429-MAY0R1", "2026-04-29", date(2026, 5, 6))
    assert (state.first_reply.due, state.final_reply.due) == (date(2026, 5, 9), date(2026, 5, 22))
    assert state.level == "warning"  # 05-07, 05-08, 05-09 to go
    assert _state(log_root, "20260429-MAY0R1", "2026-04-29", date(2026, 5, 5)).level == "ok"  # 4 to go
    assert _state(log_root, "20260429-MAY0R1", "2026-04-29", date(2026, 5, 9)).level == "due"
    # Sunday after a Saturday deadline: no working day has passed yet, but the deadline has
    assert _state(log_root, "20260429-MAY0R1", "2026-04-29", date(2026, 5, 10)).level == "overdue"


def test_extension_and_supervision_move_the_final_deadline(log_root):
    more = """\
  - {date: 2026-09-30, type: replied, unit: qingxi-town, final: false, text: 正在办理。}
  - {date: 2026-10-12, type: extended, approved_by: 县委督查室, reason: 需要现场勘测, days: 5}
"""
    # 10-22 + 5 working days: 10-23, 26, 27, 28, 29
    state = _state(log_root, NATIONAL, "2026-09-24", date(2026, 10, 26), more)
    assert state.final_reply.due == date(2026, 10, 29)
    assert state.extension_days == 5
    assert state.level == "warning"
    more += "  - {date: 2026-10-20, type: supervised, ref: 督办〔2026〕7号, due: 2026-10-23}\n"
    state = _state(log_root, NATIONAL, "2026-09-24", date(2026, 10, 26), more)
    assert state.final_reply.due == date(2026, 10, 23)
    assert state.level == "overdue"


def test_reports_merged_from_month_tallies_equal_reports_counted_directly():
    """The portal merges each period's report from month tallies; it must equal counting the period's cases."""
    from caselog.stats import Tally, parse_period, report_from_months, tally_months

    log = load_log(REPO)
    as_of = date(2026, 11, 23)
    states = derive_all(log.cases, as_of, log.registry.rules, log.registry.calendar)
    months = tally_months(states)
    periods = ["all", "2026", "2025", "2026-Q1", "2026-Q4", "2026-03", "2026-11", "2024-02"]
    for label in periods:
        period = parse_period(label)
        direct, by_unit = Tally(), {}
        for s in states:
            if s.received_day in period:
                direct.add(s)
                if s.unit:
                    by_unit.setdefault(s.unit, Tally()).add(s)
        merged = report_from_months(months, period, 3, as_of)
        assert merged.overall == direct.figures(3), label
        assert merged.by_unit == {k: t.figures(3) for k, t in sorted(by_unit.items())}, label
    assert report_from_months(months, parse_period("2026"), 3, as_of).overall.received > 0

"""Importing an office's archive: replies, classification, repeats and the quirks of real XLSX exports."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.styles import Font

from caselog.edit import _PLAIN_WORD
from caselog.errors import InvalidCase
from caselog.exportsheet import clean_line, clean_text, parse_moment
from caselog.importer import import_file
from caselog.importmap import load_mapping
from caselog.registry import load_registry
from caselog.repository import load_log
from caselog.site.markup import plain_text, render_text

TODAY = date(2026, 11, 23)
HEADER = ["留言编号", "留言标题", "留言时间", "留言详情", "留言用户", "一级分类", "答复意见", "答复时间",
          "答复单位", "满意度", "点赞数", "反对数"]
LONG = "楼下餐馆油烟直排，家里窗户都不敢开。" * 500  # 9,000 characters
ROWS = [
    # a real date cell with seconds; _x000D_ line ends; a paragraph indented with a newline and a tab
    ["WZ-1", "南湖村道路积水", datetime(2019, 4, 29, 9, 30, 15),
     "\n\t南湖村一下雨就积水。_x000D_\n\t预算约******万元，_x_ 一直没有落实。", "南湖村民", "城乡建设",
     "网友您好！_x000D_\n已安排排水改造。", "2019-05-20 16:45:10", "青溪县住房和城乡建设局", "满意", 12, 3],
    # a text date without seconds; U+3000 indentation and U+00A0; one label that is two topics
    ["WZ-2", "工地拖欠工资", "2019/5/7 8:05", "\u3000\u3000工地拖欠工资半年。\u00a0请帮忙。", "上班族",
     "劳动和社会保障", "已责成施工单位支付。", datetime(2019, 5, 9, 10, 0), "城东街道办事处", "很好", None, None],
    # a label the mapping does not know; a 9,000-character text
    ["WZ-3", "油烟扰民", "2019-05-08 20:15", LONG, "热心市民", "商贸旅游", None, None, None, None, "7", "x"],
    # the same message again, under a second label (exports list a message once per label)
    ["WZ-3", "油烟扰民", "2019-05-08 20:15", LONG, "热心市民", "环境保护", None, None, None, None, "7", "x"],
    # the same user posts the same text again 76 s later, under a new number
    ["WZ-4", "工地拖欠工资", "2019/5/7 8:06", "\u3000\u3000工地拖欠工资半年。\u00a0请帮忙。", "上班族",
     "劳动和社会保障", None, None, None, None, None, None],
    # no label at all
    ["WZ-5", "路灯不亮", "2019年5月10日 19时02分", "中街路灯坏了一个月。", "夜归人", None, None, None, None,
     None, None, None],
]
MAPPING = """\
columns:
  source_ref: 留言编号
  title: 留言标题
  received: 留言时间
  message: 留言详情
  alias: 留言用户
  topics: 一级分类
  reply_text: 答复意见
  reply_time: 答复时间
  reply_unit: 答复单位
  satisfaction: 满意度
  likes: 点赞数
  dislikes: 反对数
channel: rednet-wenzheng
category: inquiry
topics: [urban-construction]
when_unknown: classify
reply_unit: county-office
close_on_final_reply: explained
values:
  topics:
    城乡建设: urban-construction
    环境保护: environment
    劳动和社会保障: [labour, social-security]
  satisfaction:
    满意: satisfied
    基本满意: basically-satisfied
    不满意: dissatisfied
"""


def write_export(path, rows, empty_rows=0):
    """An XLSX export as Excel writes it: shared strings, date cells, formatted empty rows at the end."""
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    for number in range(len(rows) + 2, len(rows) + 2 + empty_rows):
        sheet.cell(row=number, column=1).font = Font(name="宋体")
    book.save(path)
    return path


@pytest.fixture(scope="module")
def export_file(tmp_path_factory):
    return write_export(tmp_path_factory.mktemp("export") / "导出.xlsx", ROWS, empty_rows=30_000)


@pytest.fixture
def archive(demo_root, tmp_path, export_file):
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    return demo_root, export_file, mapping


def _import(root, source, mapping, **options):
    registry = load_registry(root)
    return import_file(root, source, load_mapping(mapping, registry), registry, today=TODAY, **options)


def _case_files(root):
    return {p: p.read_text(encoding="utf-8") for p in (root / "cases").glob("20*/*/*.yaml")}


def test_an_export_with_replies_imports_whole_and_every_default_is_said(archive):
    root, source, mapping = archive
    report = _import(root, source, mapping)
    assert [(r.row, r.outcome) for r in report.rows] == [
        (2, "created"), (3, "created"), (4, "created"), (5, "skipped"), (6, "created"), (7, "created")]
    ids = [r.case_id for r in report.rows]
    assert "\n".join(str(r) for r in report.rows) == f"""\
导出.xlsx:2: created {ids[0]} (cases/2019/04/{ids[0]}.yaml)
导出.xlsx:3: created {ids[1]} (cases/2019/05/{ids[1]}.yaml)
导出.xlsx:3:   答复单位: unknown value '城东街道办事处' (one of {', '.join(load_registry(root).units)}): \
replied as county-office
导出.xlsx:3:   满意度: unknown value '很好' (one of 满意, 基本满意, 不满意): dropped
导出.xlsx:4: created {ids[2]} (cases/2019/05/{ids[2]}.yaml)
导出.xlsx:4:   一级分类: unknown value '商贸旅游': awaiting classification (topics held by urban-construction \
until then)
导出.xlsx:4:   反对数: 'x' is not a count: dropped
导出.xlsx:4:   topics environment added from row 5 (the same message)
导出.xlsx:5: skipped: same message as row 4 (reference WZ-3)
导出.xlsx:5:   反对数: 'x' is not a count: dropped
导出.xlsx:5:   its topics environment added to the case of row 4
导出.xlsx:6: created {ids[4]} (cases/2019/05/{ids[4]}.yaml)
导出.xlsx:6: warning: same text as row 3
导出.xlsx:7: created {ids[5]} (cases/2019/05/{ids[5]}.yaml)
导出.xlsx:7:   一级分类: empty: awaiting classification (topics held by urban-construction)"""
    log = load_log(root)
    assert log.errors == []
    assert (root / f"cases/2019/04/{ids[0]}.yaml").read_text(encoding="utf-8") == f"""\
id: {ids[0]}
title: 南湖村道路积水
received: 2019-04-29 09:30
channel: rednet-wenzheng
source_ref: WZ-1
source_digest: {report.cases[0].source_digest}
category: inquiry
topics: [urban-construction]
unclassified: [category]
priority: normal
author:
  alias: 南湖村民
  real_name: false
  contact_on_file: false
public: true
text_format: plain
message: |
  南湖村一下雨就积水。
  预算约******万元，_x_ 一直没有落实。
platform_counts: {{likes: 12, dislikes: 3}}
events:
  - {{date: 2019-04-29, type: accepted}}
  - {{date: 2019-04-29, type: assigned, unit: housing-bureau, mode: assign}}
  - date: 2019-05-20 16:45
    type: replied
    unit: housing-bureau
    final: true
    text: |-
      网友您好！
      已安排排水改造。
  - date: 2019-05-20 16:45
    type: visited
    method: online
    satisfaction: satisfied
  - {{date: 2019-05-20 16:45, type: closed, outcome: explained}}
"""
    cases = log.by_id()
    assert cases[ids[1]].topics == ("labour", "social-security")
    assert cases[ids[1]].message == "工地拖欠工资半年。请帮忙。\n"
    assert [e.unit for e in cases[ids[1]].events if e.type == "replied"] == ["county-office"]
    assert (cases[ids[2]].topics, cases[ids[2]].unclassified) == (("environment",), ("category",))
    assert cases[ids[2]].message == LONG + "\n"
    assert (cases[ids[5]].received, cases[ids[5]].unclassified) == (datetime(2019, 5, 10, 19, 2),
                                                                    ("category", "topics"))


def test_a_rerun_is_a_no_op_and_a_dry_run_says_what_the_real_run_does(archive):
    root, source, mapping = archive
    before = _case_files(root)
    dry = _import(root, source, mapping, dry_run=True)
    assert _case_files(root) == before
    real = _import(root, source, mapping)
    assert [str(r).replace("would create", "created") for r in dry.rows] == [str(r) for r in real.rows]
    after = _case_files(root)
    again = _import(root, source, mapping)
    assert [r.outcome for r in again.rows] == ["skipped"] * 6
    assert str(again.rows[0]) == f"导出.xlsx:2: skipped: already imported as {real.rows[0].case_id}"
    assert _case_files(root) == after


def test_a_reference_reused_for_another_message_and_a_repeated_text_are_imported_and_pointed_out(archive, tmp_path):
    root, source, mapping = archive
    first = _import(root, source, mapping)
    second = write_export(tmp_path / "第二批.xlsx", [
        ["WZ-1", "北站公交太少", "2019-06-03 07:40", "早高峰等车要四十分钟。", "上班族", "交通运输",
         None, None, None, None, None, None],
        ["LY-77", "南湖村积水", "2019-06-04 10:00", "南湖村一下雨就积水。\n预算约******万元，_x_ 一直没有落实。",
         "南湖村民", "城乡建设", None, None, None, None, None, None]])
    report = _import(root, second, mapping)
    assert [r.outcome for r in report.rows] == ["created", "created"]
    assert report.rows[0].warnings == (f"reference WZ-1 is also case {first.rows[0].case_id} 南湖村道路积水, "
                                       "a different message: imported as a case of its own",)
    assert report.rows[1].warnings == (f"same text as case {first.rows[0].case_id} 南湖村道路积水",)
    assert [r.outcome for r in _import(root, second, mapping).rows] == ["skipped", "skipped"]


def test_a_run_that_cannot_write_every_case_writes_none(archive, cli):
    root, source, mapping = archive
    (root / "cases" / "2019").mkdir()
    (root / "cases" / "2019" / "05").write_text("not a folder\n", encoding="utf-8")
    before = _case_files(root)
    result = cli(root, "import", str(source), "--mapping", str(mapping))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == ("error: cannot write cases/2019/05: File exists; none of the 5 new case(s) "
                             "were written\n")
    assert _case_files(root) == before
    assert not (root / "cases" / "2019" / "04").exists() or not any((root / "cases" / "2019" / "04").iterdir())


def test_cases_awaiting_classification_are_listed_and_counted(archive, cli):
    root, source, mapping = archive
    report = _import(root, source, mapping)
    result = cli(root, "unclassified")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == ("5 case(s) await classification (set their category or topics and take those fields "
                        "off their unclassified list):")
    assert lines[1] == f"  {report.rows[0].case_id}  2019-04-29  category          南湖村道路积水"
    assert lines[-1] == f"  {report.rows[5].case_id}  2019-05-10  category, topics  路灯不亮"
    stats = json.loads(cli(root, "stats", "--period", "2019", "--format", "json").stdout)
    assert (stats["overall"]["unclassified"], stats["overall"]["replied"]) == (5, 2)
    assert stats["by_category"]["unclassified"]["received"] == 5
    assert stats["by_topic"]["unclassified"]["received"] == 1


def test_a_mapping_that_classifies_later_needs_a_placeholder(demo_root, tmp_path):
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(MAPPING.replace("topics: [urban-construction]\n", "").replace("reply_unit: county-office\n",
                                                                          "reply_unit: county-ofice\n"),
                       encoding="utf-8")
    with pytest.raises(InvalidCase) as caught:
        load_mapping(mapping, load_registry(demo_root))
    assert [str(p) for p in caught.value.problems] == [
        f"{mapping}:17: reply_unit: unknown unit 'county-ofice' (did you mean 'county-office'?)",
        f"{mapping}:16: when_unknown: classify needs a topics to hold the place of an unknown one "
        "(give a fixed topics)"]


def test_the_portal_of_an_archive_shows_the_archive_s_months(archive):
    from caselog.site.contexts import home, monthly_series
    from caselog.site.model import load_site_data

    root, source, mapping = archive
    for path in (root / "cases").glob("202*"):  # the demo's own cases: leave the archive alone
        import shutil
        shutil.rmtree(path)
    _import(root, source, mapping)
    data = load_site_data(root, TODAY, with_history=False)
    page = home(data)
    assert (page["month_label"], page["year_label"], page["archive"]) == ("2019-05", "2019", True)
    assert page["month_report"].overall.received == 4
    series = monthly_series(data)
    assert [row["month"] for row in series] == ["2019-04", "2019-05"]
    assert series[0] == {"month": "2019-04", "received": 1, "replied": 1, "closed": 1}


def test_excel_artefacts_are_cleaned():
    assert clean_text("\n\t第一段_x000D_\n\t第二段\r\n\r\n\r\n\u3000\u3000第三段\u00a0完\u200b") == (
        "第一段\n第二段\n\n第三段完")
    assert clean_text("Room\u00a0101\u3000号\u00a0A\t栋") == "Room 101 号 A 栋"
    assert clean_line(" 城乡建设\u3000") == "城乡建设"
    assert clean_line("a_x005F_b") == "a_b"


@pytest.mark.parametrize(("cell", "expected"), [
    (datetime(2019, 5, 6, 9, 30, 15), datetime(2019, 5, 6, 9, 30)),
    ("2019-05-06 09:30:15", datetime(2019, 5, 6, 9, 30)),
    ("2019/5/6 9:30", datetime(2019, 5, 6, 9, 30)),
    ("2019-05-06T09:30:15.250", datetime(2019, 5, 6, 9, 30)),
    ("43591.5", datetime(2019, 5, 6, 12, 0)),  # an Excel serial number in a cell formatted as text
    ("43591", date(2019, 5, 6)),
    ("\u00a02019年5月6日\u3000", date(2019, 5, 6)),
])
def test_export_dates_with_and_without_seconds(cell, expected):
    assert parse_moment(cell) == expected


def test_plain_text_is_shown_literally():
    text = "预算约******万元，_x_ 与 *y*。\n<script>alert(1)</script>\n\n  # 不是标题\n1. 不是列表"
    assert render_text(text, "plain") == (
        "<p>预算约******万元，_x_ 与 *y*。<br>\n&lt;script&gt;alert(1)&lt;/script&gt;</p>\n"
        "<p># 不是标题<br>\n1. 不是列表</p>\n")
    masked = "预算约******万元，支付******万元"
    assert render_text(masked, "plain") == f"<p>{masked}</p>\n"
    assert render_text(masked, "markdown") == render_text(masked, "plain")  # masks are literal in Markdown too
    assert plain_text(text, 20, "plain") == "预算约******万元，_x_ 与 *…"


def test_official_documents_keep_plain_text_literal():
    from caselog.documents.forms import plain

    masked = "预算约******万元，支付******万元"
    assert plain(masked, "plain") == masked
    assert plain(masked) == "预算约万元，支付万元"  # as Markdown, the asterisks are markup


@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=12))
def test_a_word_written_without_quotes_reads_back_as_the_same_text(text):
    if _PLAIN_WORD.fullmatch(text) and not text.isascii():
        assert yaml.load(f"k: {text}\n", Loader=yaml.SafeLoader) == {"k": text}


def test_interim_and_final_replies_closings_and_visits_follow_the_mapping(demo_root, tmp_path):
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(MAPPING.replace("  likes: 点赞数\n", "  reply_final: 答复类型\n  outcome: 办理结果\n"
                                       "  closed: 办结时间\n  visited: 评价时间\n")
                       .replace("  dislikes: 反对数\n", "")
                       .replace("values:\n", "values:\n  reply_final:\n    阶段性答复: interim\n"
                                "    最终答复: final\n  outcome:\n    已解决: resolved\n"), encoding="utf-8")
    header = ["留言编号", "留言标题", "留言时间", "留言详情", "留言用户", "一级分类", "答复意见", "答复时间",
              "答复单位", "满意度", "答复类型", "办理结果", "办结时间", "评价时间"]
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    sheet.append(["R-1", "路灯不亮", "2020-03-02 09:00", "路灯坏了。", "夜归人", "城乡建设", "正在维修。",
                  "2020-03-04 10:00", "县住建局", None, "阶段性答复", None, None, None])
    sheet.append(["R-2", "道路积水", "2020-03-02 09:30", "一下雨就积水。", "望湖居民", "城乡建设", "已疏通。",
                  "2020-03-05 11:00", "县住建局", "基本满意", "最终答复", "已解决", "2020-03-06", "2020-03-09 08:00"])
    sheet.append(["R-3", "噪音", "2020-03-03 22:00", "夜里施工。", "失眠者", "城乡建设", "已处理。",
                  "2020-03-01 10:00", "县住建局", None, None, None, None, None])
    source = tmp_path / "答复.xlsx"
    book.save(source)
    report = _import(demo_root, source, mapping)
    assert [r.outcome for r in report.rows] == ["created", "created", "error"]
    assert str(report.rows[2]) == ("答复.xlsx:4: 答复时间: 2020-03-01 10:00 is before the message was "
                                   "received (2020-03-03 22:00)")
    cases = load_log(demo_root).by_id()
    interim, final = cases[report.rows[0].case_id], cases[report.rows[1].case_id]
    assert [(e.type, getattr(e, "final", None)) for e in interim.events] == [
        ("accepted", None), ("assigned", None), ("replied", False)]
    assert [(e.type, str(e.date)) for e in final.events] == [
        ("accepted", "2020-03-02"), ("assigned", "2020-03-02"), ("replied", "2020-03-05 11:00:00"),
        ("closed", "2020-03-06"), ("visited", "2020-03-09 08:00:00")]
    assert (final.events[3].outcome, final.events[4].satisfaction) == ("resolved", "basically-satisfied")

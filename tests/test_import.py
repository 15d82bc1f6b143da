"""Importing platform exports (CSV and XLSX): each message once, bad rows reported, data masked."""

from __future__ import annotations

import csv
from datetime import date, datetime

import pytest
from conftest import REPO
from openpyxl import Workbook

from caselog.errors import InvalidCase
from caselog.exportsheet import decode_export, parse_moment
from caselog.importer import import_file
from caselog.importmap import load_mapping
from caselog.registry import load_registry
from caselog.repository import load_log

MAPPING = REPO / "docs" / "import-mapping.example.yaml"
HEADER = ["留言编号", "标题", "留言时间", "留言内容", "留言人", "类别", "领域", "渠道", "链接"]
ROWS = [
    ["LY-1001", "建新小区电梯又停了", "2026/11/18 8:30",
     "5栋电梯又停了，物业经理电话13812345678一直打不通，邮箱wang.li@example.com也不回。", "湖畔居民",
     "投诉", "住房保障", "红网问政", ""],
    ["LY-1002", "石桥镇中街路灯不亮", "2026年11月19日 20时15分", "中街路灯坏了一个月，晚上很黑。", "夜归人",
     "求助", "城乡建设、市容管理", "县长信箱", "https://example.org/t/1002"],
    ["LY-1003", "表扬环卫工人", "2026-11-20 10:00", "感谢环卫工人。", "路人", "表扬", "市容管理", "县长信箱", ""],
    ["LY-1004", "学区划分咨询", "2026-11-21 09:05", "孩子明年上小学，想问学区怎么划。", "一位家长",
     "咨询", "教育", "门户网站", ""],
]


def _write_csv(path, rows, encoding="gb18030"):
    with open(path, "w", encoding=encoding, newline="") as handle:
        csv.writer(handle).writerows([HEADER, *rows])
    return path


def _import(root, source, mapping=MAPPING, **options):
    registry = load_registry(root)
    return import_file(root, source, load_mapping(mapping, registry), registry, today=date(2026, 11, 23),
                       **options)


def _case_files(root):
    return sorted(p for p in (root / "cases").glob("20*/*/*.yaml"))


def test_importing_a_csv_twice_creates_each_case_once(demo_root, tmp_path):
    source = _write_csv(tmp_path / "export.csv", ROWS)
    before = len(_case_files(demo_root))
    first = _import(demo_root, source)
    assert [(r.row, r.outcome) for r in first.rows] == [(2, "created"), (3, "created"), (4, "error"),
                                                        (5, "created")]
    assert str(first.rows[2]) == "export.csv:4: 类别: unknown value '表扬' (one of 求助, 投诉, 咨询, 建议)"
    assert len(_case_files(demo_root)) == before + 3
    second = _import(demo_root, source)
    assert [r.outcome for r in second.rows] == ["skipped", "skipped", "error", "skipped"]
    assert str(second.rows[0]) == f"export.csv:2: skipped: already imported as {first.rows[0].case_id}"
    assert len(_case_files(demo_root)) == before + 3
    log = load_log(demo_root)
    assert log.errors == []
    case = log.by_id()[first.rows[1].case_id]
    assert (case.source_ref, case.topics, case.channel) == ("LY-1002", ("urban-construction",
                                                                      "city-management"), "mayor-mailbox")
    assert case.source_url == "https://example.org/t/1002"
    assert case.received == datetime(2026, 11, 19, 20, 15)


def test_personal_data_in_an_imported_message_is_masked(demo_root, tmp_path):
    report = _import(demo_root, _write_csv(tmp_path / "export.csv", ROWS[:1]))
    text = (demo_root / report.rows[0].path).read_text(encoding="utf-8")
    assert "13812345678" not in text and "138****5678" in text
    assert "wang.li@example.com" not in text and "w****@example.com" in text
    assert "source_ref: LY-1001" in text


def test_importing_an_xlsx_twice_creates_each_case_once(demo_root, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(["LY-2001", "望湖路积水", datetime(2026, 11, 10, 7, 45, 12), "望湖路一下雨就积水，车都开不过去。",
                  "望湖居民", "投诉", "城乡建设", "政务微博", None])
    sheet.append([2002, "公交末班车太早", "2026-11-12 18:20", "末班车六点半就收了，下晚班回不了家。", "上班族",
                  "建议", "交通出行", "政务微博", None])
    sheet.append([2003, "没有时间", None, "这一行没有留言时间。", "某网友", "咨询", "教育", "政务微博", None])
    source = tmp_path / "export.xlsx"
    book.save(source)
    first = _import(demo_root, source)
    assert [r.outcome for r in first.rows] == ["created", "created", "error"]
    assert str(first.rows[2]) == "export.xlsx:4: 留言时间: is empty"
    second = _import(demo_root, source)
    assert [r.outcome for r in second.rows] == ["skipped", "skipped", "error"]
    case = load_log(demo_root).by_id()[first.rows[0].case_id]
    assert case.received == datetime(2026, 11, 10, 7, 45)
    assert case.source_ref == "LY-2001" and case.category == "complaint"
    assert load_log(demo_root).by_id()[first.rows[1].case_id].source_ref == "2002"


def test_a_real_name_is_never_stored(demo_root, tmp_path):
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(MAPPING.read_text(encoding="utf-8").replace("alias_is_real_name: false",
                                                                    "alias_is_real_name: true"),
                       encoding="utf-8")
    rows = [[*ROWS[3][:4], "张三丰", *ROWS[3][5:]]]
    report = _import(demo_root, _write_csv(tmp_path / "export.csv", rows), mapping)
    text = (demo_root / report.rows[0].path).read_text(encoding="utf-8")
    assert "张三丰" not in text
    assert "  alias: 网民\n  real_name: true\n" in text


def test_dry_run_writes_nothing_and_reports_repeats_within_the_file(demo_root, tmp_path):
    source = _write_csv(tmp_path / "export.csv", [ROWS[0], ROWS[1], ROWS[0]], encoding="utf-8-sig")
    before = _case_files(demo_root)
    report = _import(demo_root, source, dry_run=True)
    assert [r.outcome for r in report.rows] == ["would-create", "would-create", "skipped"]
    assert str(report.rows[2]) == "export.csv:4: skipped: same message as row 2 (reference LY-1001)"
    assert _case_files(demo_root) == before


def test_import_command_reports_every_row_and_exits_1_on_a_bad_row(demo_root, tmp_path, cli):
    source = _write_csv(tmp_path / "export.csv", ROWS)
    result = cli(demo_root, "import", str(source), "--mapping", str(MAPPING))
    lines = result.stdout.splitlines()
    assert result.exit_code == 1
    assert [line.split(" ")[0] for line in lines] == [
        "export.csv:2:", "export.csv:3:", "export.csv:4:", "export.csv:5:"]
    assert lines[0].startswith("export.csv:2: created ")
    assert result.stderr == "export.csv: created 3, skipped 0, 1 error(s), 0 possible repeat(s)\n"


def test_a_mapping_with_an_unknown_key_names_its_line(demo_root, tmp_path):
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("columns: {title: 标题, received: 留言时间, message: 留言内容, source_ref: 留言编号}\n"
                       "channel: weibo\ncategory: complaint\n"
                       "values:\n  topics:\n    住房保障: housng\n", encoding="utf-8")
    with pytest.raises(InvalidCase) as caught:
        load_mapping(mapping, load_registry(demo_root))
    assert [str(p) for p in caught.value.problems] == [
        f"{mapping}:6: values.topics.住房保障: unknown topics 'housng' (did you mean 'housing'?)",
        f"{mapping}:1: columns: no topics: name a column (columns.topics) or give a fixed topics"]


def test_exports_in_gb18030_and_utf8_with_bom_are_read():
    text = "留言编号,标题\n1,路灯不亮\n"
    assert decode_export(text.encode("gb18030")) == text
    assert decode_export(text.encode("utf-8-sig")) == text


@pytest.mark.parametrize(("cell", "expected"), [
    ("2026-03-02 09:14", datetime(2026, 3, 2, 9, 14)),
    ("2026/3/2 9:14:59", datetime(2026, 3, 2, 9, 14)),
    ("2026年3月2日 9时14分", datetime(2026, 3, 2, 9, 14)),
    ("2026.03.02", date(2026, 3, 2)),
])
def test_received_times_in_the_usual_export_formats(cell, expected):
    assert parse_moment(cell) == expected


def test_an_imported_repeat_is_pointed_out_when_there_is_an_index(demo_root, tmp_path, cli):
    from caselog.search.index import update_index

    update_index(demo_root)
    message = ("青溪街道建新小区好几部电梯都停了，物业说维修要动用维修资金，可是业主签字凑不齐，一直拖着。"
               "家里老人八十多岁，下楼看病都成问题，希望政府出面协调。")
    source = _write_csv(tmp_path / "export.csv", [["LY-3001", "建新小区电梯停了两个月", "2026-11-22 10:00",
                                                   message, "建新老住户", "投诉", "住房保障", "红网问政", ""]])
    dry = cli(demo_root, "import", str(source), "--mapping", str(MAPPING), "--dry-run")
    result = cli(demo_root, "import", str(source), "--mapping", str(MAPPING))
    original = next(c.id for c in load_log(demo_root).cases if c.title.startswith("建新小区多部电梯停运"))
    assert result.exit_code == 0
    assert "export.csv:2: warning: " in result.stderr and f" may repeat {original} " in result.stderr
    assert dry.stdout.replace("would create", "created") == result.stdout  # the dry run tells it all
    assert dry.stderr.replace("would create", "created") == result.stderr


def test_a_blank_spreadsheet_date_is_a_row_error_not_a_case(demo_root, tmp_path):
    row = ["LY-1005", "路灯不亮", "1900-01-01", "路灯坏了。", "夜归人", "求助", "市容管理", "县长信箱", ""]
    report = _import(demo_root, _write_csv(tmp_path / "export.csv", [row]))
    assert [str(r) for r in report.rows] == [
        "export.csv:2: 留言时间: 1900-01-01 is before 2000, where the working-day calendar starts: check "
        "the date (an empty spreadsheet date reads as 1900-01-01)"]
    assert not (demo_root / "cases" / "1900").exists()


def test_an_imported_row_with_a_script_address_is_refused(demo_root, tmp_path):
    row = [*ROWS[1][:8], "javascript:alert(1)"]
    before = _case_files(demo_root)
    result = _import(demo_root, _write_csv(tmp_path / "export.csv", [row]))
    assert [str(r) for r in result.rows] == [
        "export.csv:2: 链接: must be a web address starting with http:// or https://, not 'javascript:alert(1)'"]
    assert _case_files(demo_root) == before

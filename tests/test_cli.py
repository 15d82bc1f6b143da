"""The staff command line, run as staff run it: exact output and exit codes on real files."""

from __future__ import annotations

import json

from conftest import CASE_TEXT, write_case

CASE = "cases/2026/03/20260302-K7Q2MD.yaml"

SPRING = CASE_TEXT.replace("20260302-K7Q2MD", "20260212-AB12CD").replace(
    "2026-03-02 09:14", "2026-02-12 16:40").replace("2026-03-02", "2026-02-12").replace(
    "2026-03-03", "2026-02-13")


def test_show_explains_deadlines_across_spring_festival(log_root, cli):
    write_case(log_root, "20260212-AB12CD", SPRING)
    result = cli(log_root, "show", "20260212-AB12CD", "--as-of", "2026-02-26")
    assert result.exit_code == 0
    assert result.stdout == """\
20260212-AB12CD  建湘社区多部电梯停运，维修资金迟迟无法启动
file:      cases/2026/02/20260212-AB12CD.yaml
status:    in-progress (办理中)   level: due today   as of 2026-02-26
unit:      区住建局 (yueyanglou-housing)
received:  2026-02-12 16:40 via 人民网领导留言板; accepted 2026-02-12; priority normal; public
first reply: due 2026-02-26, not yet met
    2026-02-12  受理后 5 个工作日 -> 2026-02-26
    holidays skipped: 02-16 春节, 02-17 春节, 02-18 春节, 02-19 春节, 02-20 调休, 02-23 调休
    make-up working days counted: 02-14 调休上班
final reply: due 2026-03-11, not yet met
    2026-02-12  受理后 15 个工作日 -> 2026-03-11
    holidays skipped: 02-16 春节, 02-17 春节, 02-18 春节, 02-19 春节, 02-20 调休, 02-23 调休
    make-up working days counted: 02-14 调休上班, 02-28 调休上班
events:
    2026-02-12  accepted
    2026-02-13  assigned   unit=yueyanglou-housing mode=assign
"""


def test_show_json_for_tools(log_root, cli):
    result = cli(log_root, "show", "20260302-k7q2md", "--as-of", "2026-03-16", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert {k: data[k] for k in ("id", "status", "first_reply_due", "final_reply_due", "level")} == {
        "id": "20260302-K7Q2MD", "status": "in-progress", "first_reply_due": "2026-03-09",
        "final_reply_due": "2026-03-23", "level": "overdue"}


def test_reply_appends_and_keeps_comments_and_layout(log_root, cli):
    path = log_root / CASE
    original = path.read_text(encoding="utf-8").replace(
        "events:\n", "# 办理记录（手工维护）\nevents:\n") + "  # 等待住建局答复\n\nrelated: []\n"
    path.write_text(original, encoding="utf-8")
    result = cli(log_root, "reply", "20260302-K7Q2MD", "--unit", "yueyanglou-housing", "--final",
                 "--date", "2026-03-10", "--text-file", "-", input="您好！已拨付维修资金。\n\n电梯已恢复。\n")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"{CASE}: added replied (final) unit=yueyanglou-housing\n"
    # the new event goes right after the last one; comments and later keys stay where they were
    assert path.read_text(encoding="utf-8") == original.replace("  # 等待住建局答复\n", """\
  - date: 2026-03-10
    type: replied
    unit: yueyanglou-housing
    final: true
    text: |
      您好！已拨付维修资金。

      电梯已恢复。
  # 等待住建局答复
""")


def test_event_with_a_typo_is_refused_and_nothing_is_written(log_root, cli):
    before = (log_root / CASE).read_bytes()
    result = cli(log_root, "assign", "20260302-K7Q2MD", "--unit", "transport-burea", "--mode", "transfer",
                 "--date", "2026-03-04")
    assert result.exit_code == 1
    assert result.stderr == (
        f"{CASE}:23: events[2].unit: unknown unit 'transport-burea' (did you mean 'transport-bureau'?)\n"
        "nothing was written: 1 problem(s)\n")
    assert (log_root / CASE).read_bytes() == before


def test_event_before_the_last_one_is_refused(log_root, cli):
    result = cli(log_root, "instruct", "20260302-K7Q2MD", "--by", "县长", "--text", "请尽快办理。",
                 "--date", "2026-03-01")
    assert result.exit_code == 1
    assert "events[2].date: 2026-03-01 is before the event before (2026-03-03)" in result.stderr


def test_close_as_duplicate_needs_the_earlier_case(log_root, cli):
    result = cli(log_root, "close", "20260302-K7Q2MD", "--outcome", "duplicate", "--date", "2026-03-05")
    assert result.exit_code == 1
    assert "events[2].duplicate_of: outcome duplicate needs duplicate_of: <earlier case id>" in result.stderr


def test_unknown_case_id(log_root, cli):
    result = cli(log_root, "reply", "20260302-XXXXXX", "--unit", "qingxi-town", "--text", "x")
    assert result.exit_code == 1
    assert result.stderr == ("error: no case 20260302-XXXXXX "
                             "(looked for cases/2026/03/20260302-XXXXXX.yaml)\n")


def test_new_registers_a_case_with_a_fresh_id(log_root, cli):
    result = cli(log_root, "new", "--title", "青溪镇老街路灯不亮", "--channel", "mayor-mailbox",
                 "--category", "complaint", "--topic", "transport", "--message", "老街路灯坏了半个月。",
                 "--alias", "老街居民", "--received", "2026-11-20 08:30", "--accepted", "2026-11-20",
                 "--anonymous", "--no-contact-on-file", "--no-similar")
    assert result.exit_code == 0, result.stderr
    line = result.stdout.strip()
    assert line.startswith("created cases/2026/11/20261120-") and line.endswith(".yaml")
    rel = line.removeprefix("created ")
    case_id = rel.rsplit("/", 1)[1].removesuffix(".yaml")
    assert (log_root / rel).read_text(encoding="utf-8") == f"""\
id: {case_id}
title: 青溪镇老街路灯不亮
received: 2026-11-20 08:30
channel: mayor-mailbox
category: complaint
topics: [transport]
priority: normal
author:
  alias: 老街居民
  real_name: false
  contact_on_file: false
public: true
message: |
  老街路灯坏了半个月。
events:
  - {{date: 2026-11-20, type: accepted}}
"""
    assert cli(log_root, "validate").exit_code == 0


def test_new_without_a_terminal_names_what_is_missing(log_root, cli):
    result = cli(log_root, "new", "--title", "路灯不亮")
    assert result.exit_code == 2
    assert result.stderr.endswith(
        "Error: missing --channel, --category, --topic, --message, --alias (or run in a terminal to be asked)\n")


def test_command_typo_suggests_the_command(log_root, cli):
    result = cli(log_root, "valdiate")
    assert result.exit_code == 2
    assert "Error: no command 'valdiate'. Did you mean 'validate'?" in result.stderr


def test_dash_c_points_at_a_case_log(tmp_path, cli):
    result = cli(tmp_path, "validate")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: no case log found at ")


def test_mask_then_validate(log_root, cli):
    path = log_root / CASE
    path.write_text(path.read_text(encoding="utf-8").replace(
        "没有批下来。", "没有批下来。联系电话13812345678，邮箱 lin.hu@example.com"), encoding="utf-8")
    result = cli(log_root, "validate")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{CASE}:14: message: unmasked 手机号码 (mobile) '13812345678'; run 'caselog mask 20260302-K7Q2MD' to mask it",
        f"{CASE}:14: message: unmasked 电子邮箱 (email) 'lin.hu@example.com'; run 'caselog mask 20260302-K7Q2MD' "
        "to mask it",
    ]
    result = cli(log_root, "mask", "20260302-K7Q2MD")
    assert result.exit_code == 0
    assert result.stdout == (f"{CASE}: masked mobile: 13812345678 -> 138****5678\n"
                             f"{CASE}: masked email: lin.hu@example.com -> l****@example.com\n")
    assert cli(log_root, "validate").exit_code == 0
    assert "联系电话138****5678" in path.read_text(encoding="utf-8")


def test_validate_formats(log_root, cli):
    (log_root / CASE).write_text(CASE_TEXT.replace("category: help", "category: hlep"), encoding="utf-8")
    github = cli(log_root, "validate", "--format", "github")
    assert github.exit_code == 1
    assert github.stdout == (
        f"::error file={CASE},line=5,title=category::unknown value 'hlep' "
        "(one of help, complaint, inquiry, suggestion) (did you mean 'help'?)\n")
    data = json.loads(cli(log_root, "validate", "--format", "json").stdout)
    assert data == [{"path": CASE, "line": 5, "field": "category", "severity": "error",
                     "message": "unknown value 'hlep' (one of help, complaint, inquiry, suggestion) "
                                "(did you mean 'help'?)"}]


def test_validate_named_paths_only(log_root, cli):
    write_case(log_root, "20260303-AAAAAA", CASE_TEXT.replace("20260302-K7Q2MD", "20260303-AAAAAA")
               .replace("2026-03-02 09:14", "2026-03-03 10:00").replace("category: help", "category: x"))
    assert cli(log_root, "validate", str(log_root / CASE)).exit_code == 0
    assert cli(log_root, "validate", str(log_root / "cases/2026/03")).exit_code == 1


def test_overdue_json_rows(log_root, cli):
    result = cli(log_root, "overdue", "--as-of", "2026-03-16", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"as_of": "2026-03-16", "cases": [{
        "id": "20260302-K7Q2MD", "title": "建湘社区多部电梯停运，维修资金迟迟无法启动",
        "unit": "yueyanglou-housing", "unit_name": "岳阳楼区住房和城乡建设局", "level": "overdue",
        "status": "in-progress", "first_reply_due": "2026-03-09", "first_reply_met": False,
        "final_reply_due": "2026-03-23", "provisional": False}]}


def test_provisional_deadlines_name_the_year(log_root, cli):
    text = CASE_TEXT.replace("20260302-K7Q2MD", "20261228-AAAAAA").replace(
        "2026-03-02 09:14", "2026-12-28 09:00").replace("2026-03-02", "2026-12-28").replace(
        "2026-03-03", "2026-12-29")
    write_case(log_root, "20261228-AAAAAA", text)
    result = cli(log_root, "show", "20261228-AAAAAA", "--as-of", "2026-12-30")
    assert result.exit_code == 0
    assert result.stderr == (
        "warning: holidays for 2027 are not confirmed (rules.yaml calendar_confirmed_through: 2026); "
        "deadlines in those years count weekends and the statutory holidays known in advance "
        "(not the make-up working days) and are provisional\n")
    # 元旦 is known in advance: the fifth working day after 2026-12-28 is 2027-01-05, not 01-04
    assert "first reply: due 2027-01-05, not yet met  [provisional]\n" in result.stdout
    assert "final reply: due 2027-01-19, not yet met  [provisional]\n" in result.stdout
    assert ("    holidays assumed (statutory days of an unconfirmed year; make-up days not yet known): "
            "01-01 元旦\n") in result.stdout


def test_an_unexpected_failure_is_one_line_not_a_traceback(log_root, cli, tmp_path):
    # a settings file Pelican cannot use: its own error, shown as one line
    settings = tmp_path / "bad.py"
    settings.write_text("PATH = None\nTHEME = 42\n", encoding="utf-8")
    result = cli(log_root, "build", "--no-search", "--settings", str(settings), "-o", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith("error: ")
    assert "Traceback" not in result.stderr

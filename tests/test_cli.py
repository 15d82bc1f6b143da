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
    result = cli(log_root, "show", "20260212-AB12CD", "--as-of", "2026-02-26", lang="zh")
    assert result.exit_code == 0
    assert result.stdout == """\
20260212-AB12CD  建湘社区多部电梯停运，维修资金迟迟无法启动
文件      cases/2026/02/20260212-AB12CD.yaml
状态      办理中；今日到期（截至 2026-02-26）
承办单位  区住建局
收到      2026-02-12 16:40，来自人民网领导留言板
受理      2026-02-12
留言类别  求助
领域      住房保障
优先级    一般；办结后公开
首次答复  2026-02-26 到期，尚未答复
            2026-02-12  受理后 5 个工作日 -> 2026-02-26
            跳过的节假日：02-16 春节、02-17 春节、02-18 春节、02-19 春节、02-20 调休、02-23 调休
            计入的调休上班日：02-14 调休上班
最终答复  2026-03-11 到期，尚未答复
            2026-02-12  受理后 15 个工作日 -> 2026-03-11
            跳过的节假日：02-16 春节、02-17 春节、02-18 春节、02-19 春节、02-20 调休、02-23 调休
            计入的调休上班日：02-14 调休上班、02-28 调休上班
办理记录
            2026-02-12  受理登记
            2026-02-13  交办至区住建局
"""


def test_show_in_english(log_root, cli):
    write_case(log_root, "20260212-AB12CD", SPRING)
    result = cli(log_root, "show", "20260212-AB12CD", "--as-of", "2026-02-26")
    assert result.exit_code == 0
    assert result.stdout == """\
20260212-AB12CD  建湘社区多部电梯停运，维修资金迟迟无法启动
File         cases/2026/02/20260212-AB12CD.yaml
Status       In progress; due today (as of 2026-02-26)
Unit         区住建局
Received     2026-02-12 16:40 via 人民网领导留言板
Accepted     2026-02-12
Category     Request for help
Topics       住房保障
Priority     Normal; public once closed
First reply  due 2026-02-26, not yet met
               2026-02-12  5 working days after acceptance -> 2026-02-26
               holidays skipped: 02-16 春节, 02-17 春节, 02-18 春节, 02-19 春节, 02-20 调休, 02-23 调休
               make-up working days counted: 02-14 调休上班
Final reply  due 2026-03-11, not yet met
               2026-02-12  15 working days after acceptance -> 2026-03-11
               holidays skipped: 02-16 春节, 02-17 春节, 02-18 春节, 02-19 春节, 02-20 调休, 02-23 调休
               make-up working days counted: 02-14 调休上班, 02-28 调休上班
Events
               2026-02-12  registered and accepted
               2026-02-13  assigned to 区住建局
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
    result = cli(log_root, "reply", "20260302-K7Q2MD", "--unit", "区住建局", "--final",
                 "--date", "2026-03-10", "--text-file", "-", input="您好！已拨付维修资金。\n\n电梯已恢复。\n",
                 lang="zh")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"已记录：20260302-K7Q2MD 区住建局作出最终答复（{CASE}）\n"
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
    assert result.stderr == "error: unknown unit 'transport-burea' (did you mean 县交通局?)\n"
    assert (log_root / CASE).read_bytes() == before
    result = cli(log_root, "assign", "20260302-K7Q2MD", "--unit", "交通局", "--date", "2026-03-04", lang="zh")
    assert result.stderr == "错误：未知的承办单位“交通局”（您是否要找：县交通局？）\n"
    assert (log_root / CASE).read_bytes() == before


def test_units_channels_and_topics_by_key_full_or_short_name(log_root, cli):
    for unit in ("transport-bureau", "县交通运输局", "县交通局"):
        before = (log_root / CASE).read_text(encoding="utf-8")
        result = cli(log_root, "assign", "20260302-K7Q2MD", "--unit", unit, "--mode", "transfer",
                     "--date", "2026-03-04", lang="zh")
        assert result.stdout == f"已记录：20260302-K7Q2MD 转办至县交通局（{CASE}）\n"
        added = (log_root / CASE).read_text(encoding="utf-8").removeprefix(before)
        assert added == ("  - date: 2026-03-04\n    type: assigned\n    unit: transport-bureau\n"
                         "    mode: transfer\n")
        (log_root / CASE).write_text(before, encoding="utf-8")
    result = cli(log_root, "new", "--title", "路灯不亮", "--channel", "县长信箱", "--category", "complaint",
                 "--topic", "交通出行，住房保障", "--message", "路灯坏了。", "--alias", "居民", "--no-similar",
                 lang="zh")
    assert result.exit_code == 0, result.stderr
    rel = result.stdout.strip().rsplit("文件 ", 1)[1]
    text = (log_root / rel).read_text(encoding="utf-8")
    assert "channel: mayor-mailbox\n" in text and "topics: [transport, housing]\n" in text
    result = cli(log_root, "new", "--title", "路灯不亮", "--channel", "市长信箱", lang="zh")
    assert result.stderr == "错误：未知的留言渠道“市长信箱”（您是否要找：县长信箱？）\n"


def test_event_problems_name_the_option_typed_not_a_line_past_the_end(log_root, cli):
    result = cli(log_root, "instruct", "20260302-K7Q2MD", "--by", "县长", "--text", "请尽快办理。",
                 "--date", "2026-03-01")
    assert result.exit_code == 1
    assert result.stderr == ("--date: 2026-03-01 is before the event before (2026-03-03): events are in date order\n"
                             "nothing was written: 1 problem(s)\n")
    result = cli(log_root, "instruct", "20260302-K7Q2MD", "--by", "县长", "--text", "请尽快办理。",
                 "--date", "2026-03-01", lang="zh")
    assert result.stderr == ("--date: 2026-03-01 早于上一条记录（2026-03-03）：办理记录须按日期排列\n"
                             "未写入任何内容：1 个问题\n")


def test_close_as_duplicate_needs_the_earlier_case(log_root, cli):
    result = cli(log_root, "close", "20260302-K7Q2MD", "--outcome", "duplicate", "--date", "2026-03-05")
    assert result.exit_code == 1
    assert result.stderr == ("--duplicate-of: outcome duplicate needs --duplicate-of <earlier case id>\n"
                             "nothing was written: 1 problem(s)\n")
    result = cli(log_root, "close", "20260302-K7Q2MD", "--outcome", "duplicate", "--duplicate-of", "2026",
                 "--date", "2026-03-05", lang="zh")
    assert result.stderr == "--duplicate-of: “2026”不是案件编号\n未写入任何内容：1 个问题\n"


def test_reply_says_which_reply_it_is(log_root, cli):
    before = (log_root / CASE).read_bytes()
    result = cli(log_root, "reply", "20260302-K7Q2MD", "--unit", "区住建局", "--text", "已办理。", lang="zh")
    assert result.exit_code == 2
    assert result.stderr.endswith("错误：请说明这是哪种答复：--final（最终答复）或 --interim（阶段性答复）\n")
    assert (log_root / CASE).read_bytes() == before
    result = cli(log_root, "reply", "20260302-K7Q2MD", "--unit", "区住建局", "--interim", "--text", "正在协调。",
                 "--date", "2026-03-05", lang="zh")
    assert result.stdout == f"已记录：20260302-K7Q2MD 区住建局作出阶段性答复（{CASE}）\n"


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
    assert line.startswith("registered 20261120-") and line.endswith(".yaml")
    rel = line.rsplit(" in ", 1)[1]
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
    assert "First reply  due 2027-01-05, not yet met  [provisional: holidays not yet confirmed]\n" in result.stdout
    assert "Final reply  due 2027-01-19, not yet met  [provisional: holidays not yet confirmed]\n" in result.stdout
    assert ("               holidays assumed (statutory days of an unconfirmed year; make-up days not yet known): "
            "01-01 元旦\n") in result.stdout


def test_text_is_asked_for_at_a_terminal_ending_on_an_empty_line(log_root, cli, monkeypatch):
    monkeypatch.setattr("caselog.cli.base.interactive", lambda: True)
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)
    result = cli(log_root, "reply", "20260302-K7Q2MD", "--unit", "区住建局", "--interim", "--date", "2026-03-05",
                 input="已联系维保单位，\n本周内检修。\n\n", lang="zh")
    assert result.exit_code == 0, result.output
    assert result.stderr == "请输入阶段性答复内容（以空行结束）：\n"
    assert "    text: |\n      已联系维保单位，\n      本周内检修。\n" in (log_root / CASE).read_text(encoding="utf-8")
    empty = cli(log_root, "correct", "20260302-K7Q2MD", input="\n", lang="zh")
    assert empty.exit_code == 2
    assert empty.stderr.endswith("错误：没有填写更正说明内容，未写入任何内容\n")


def test_text_is_written_in_the_clerks_editor_when_one_is_set(log_root, cli, monkeypatch, tmp_path):
    monkeypatch.setattr("caselog.cli.base.interactive", lambda: True)
    editor = tmp_path / "editor.sh"
    editor.write_text('#!/bin/sh\nprintf "请区住建局尽快办理。\\n# 说明行\\n" > "$1"\n', encoding="utf-8")
    editor.chmod(0o755)
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", str(editor))
    result = cli(log_root, "instruct", "20260302-K7Q2MD", "--by", "县长", "--date", "2026-03-05", lang="zh")
    assert result.exit_code == 0, result.output
    assert "    text: |\n      请区住建局尽快办理。\n" in (log_root / CASE).read_text(encoding="utf-8")


def test_new_asks_a_clerk_in_chinese_names(log_root, cli, monkeypatch):
    monkeypatch.setattr("caselog.cli.base.interactive", lambda: True)
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)
    answers = ["县长信箱", "2", "交通出行、劳动就业", "老街路灯坏了半个月。", "", "老街居民", "", "n", "y"]
    result = cli(log_root, "new", "--title", "老街路灯不亮", "--received", "2026-11-20 08:30",
                 "--accepted", "2026-11-20", "--no-similar", input="\n".join(answers) + "\n", lang="zh")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(
        "留言渠道：人民网领导留言板、红网问政、县长信箱\n留言渠道：县长信箱\n"
        "  1. 求助 (help)\n  2. 投诉 (complaint)\n  3. 咨询 (inquiry)\n  4. 建议 (suggestion)\n留言类别：2\n"
        "领域：住房保障、交通出行、劳动就业\n")
    rel = result.stdout.strip().rsplit("文件 ", 1)[1]
    text = (log_root / rel).read_text(encoding="utf-8")
    for line in ("channel: mayor-mailbox\n", "category: complaint\n", "topics: [transport, labour]\n",
                 "  alias: 老街居民\n", "  real_name: false\n", "  contact_on_file: true\n", "priority: normal\n",
                 "message: |\n  老街路灯坏了半个月。\n"):
        assert line in text


def test_coded_values_by_key_or_chinese_name(log_root, cli):
    result = cli(log_root, "visit", "20260302-K7Q2MD", "--method", "电话", "--satisfaction", "满足",
                 "--date", "2026-03-05", lang="zh")
    assert result.exit_code == 2
    assert result.stderr.endswith(
        "错误：'--satisfaction' 的值无效：“满足”不是可选的值：满意 (satisfied)、基本满意 (basically-satisfied)、"
        "不满意 (dissatisfied)、未能联系上 (unreachable)\n")
    result = cli(log_root, "assign", "20260302-K7Q2MD", "--unit", "县交通局", "--mode", "转办",
                 "--date", "2026-03-05", lang="zh")
    assert result.stdout == f"已记录：20260302-K7Q2MD 转办至县交通局（{CASE}）\n"
    result = cli(log_root, "close", "20260302-K7Q2MD", "--outcome", "已解决", "--date", "2026-03-06", lang="zh")
    assert result.exit_code == 0, result.stderr
    assert (log_root / CASE).read_text(encoding="utf-8").endswith(
        "    mode: transfer\n  - {date: 2026-03-06, type: closed, outcome: resolved}\n")


def test_an_unexpected_failure_is_one_line_not_a_traceback(log_root, cli, tmp_path):
    # a settings file Pelican cannot use: its own error, shown as one line
    settings = tmp_path / "bad.py"
    settings.write_text("PATH = None\nTHEME = 42\n", encoding="utf-8")
    result = cli(log_root, "build", "--no-search", "--settings", str(settings), "-o", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith("error: ")
    assert "Traceback" not in result.stderr

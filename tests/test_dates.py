"""Dates validation refuses because no later stage could count with them (more in
tests/broken/: a supervision date a century on or before its notice, an extension that
ends before the day it was granted, resolved after a reopening without a new reply)."""

from __future__ import annotations

from datetime import timedelta

from conftest import CASE_TEXT, write_case

from caselog.errors import CaselogError
from caselog.registry import load_registry
from caselog.workdays import CalendarError

CASE = "cases/2026/03/20260302-K7Q2MD.yaml"
ID = "20260302-K7Q2MD"
FIX_FIRST = "1 problem(s) to fix first ('caselog validate' lists every problem of the log)\n"


def with_events(*lines: str) -> str:
    return CASE_TEXT + "".join(f"  - {line}\n" for line in lines)


def test_a_closing_after_a_new_final_reply_is_accepted(log_root, cli):
    write_case(log_root, ID, with_events(
        "{date: 2026-03-10, type: replied, unit: yueyanglou-housing, final: true, text: 已修复。}",
        "{date: 2026-03-12, type: reopened, reason: 群众不满意}",
        "{date: 2026-03-16, type: replied, unit: yueyanglou-housing, final: true, text: 已全部修复。}",
        "{date: 2026-03-17, type: closed, outcome: resolved}"))
    assert cli(log_root, "validate").exit_code == 0


def test_a_case_the_calendar_cannot_count_is_left_out_not_a_traceback(log_root, cli):
    write_case(log_root, ID, with_events("{date: 2026-03-06, type: supervised, ref: 督办12号, due: 2126-11-30}"))
    problem = (f"{CASE}:21: events[2].due: 2126-11-30 is more than a year after the notice (2026-03-06): "
               "check the year\n")
    result = cli(log_root, "show", ID)
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", problem + FIX_FIRST)
    result = cli(log_root, "stats", "--format", "json")
    assert result.exit_code == 0
    assert '"received": 0' in result.stdout


def test_a_blank_spreadsheet_date_is_refused(log_root, cli):
    text = CASE_TEXT.replace("20260302-K7Q2MD", "19000101-K7Q2MD").replace("2026-03-02 09:14", "1900-01-01")
    text = text.replace("2026-03-02", "1900-01-01").replace("2026-03-03", "1900-01-02")
    write_case(log_root, "19000101-K7Q2MD", text)
    result = cli(log_root, "validate")
    assert result.stdout == (
        "cases/1900/01/19000101-K7Q2MD.yaml:3: received: 1900-01-01 is before 2000, where the working-day "
        "calendar starts: check the date (an empty spreadsheet date reads as 1900-01-01)\n")
    assert cli(log_root, "overdue").exit_code == 0


def test_events_in_the_future_are_refused(log_root, cli):
    today = load_registry(log_root).rules.today()
    soon, later = today + timedelta(days=1), today + timedelta(days=40)
    write_case(log_root, ID, with_events(f"{{date: {soon}, type: instructed, by: 区长, text: 请尽快办理。}}"))
    assert cli(log_root, "validate").exit_code == 0  # a day ahead: another clock, or a time zone
    write_case(log_root, ID, with_events(f"{{date: {later}, type: instructed, by: 区长, text: 请尽快办理。}}"))
    result = cli(log_root, "validate")
    assert result.stdout == (
        f"{CASE}:21: events[2].date: {later} is in the future (today is {today}): a case records what "
        "has happened; check the year, or record the event on the day it happens\n")
    write_case(log_root, ID, CASE_TEXT)
    result = cli(log_root, "reply", ID, "--unit", "yueyanglou-housing", "--interim", "--text", "答复。",
                 "--date", str(later))
    assert result.stderr == (
        f"--date: {later} is in the future (today is {today}): a case records what "
        "has happened; check the year, or record the event on the day it happens\n"
        "nothing was written: 1 problem(s)\n")
    assert (log_root / CASE).read_text(encoding="utf-8") == CASE_TEXT


def test_new_received_in_the_year_9999_is_refused(log_root, cli):
    result = cli(log_root, "new", "--title", "路灯不亮", "--channel", "mayor-mailbox", "--category", "help",
                 "--topic", "housing", "--message", "路灯坏了。", "--alias", "居民",
                 "--received", "9999-01-01", "--accepted", "2026-03-05", "--no-similar")
    assert result.exit_code == 1
    # named by the options typed, without lines of a file that was never written
    assert result.stderr == (
        "--accepted: 2026-03-05 is before received (9999-01-01): events are in date order\n"
        f"--received: 9999-01-01 is in the future (today is {load_registry(log_root).rules.today()}): "
        "a case records what has happened; check the year, or record the event on the day it happens\n"
        "nothing was written: 2 problem(s)\n")
    assert not (log_root / "cases/9999").exists()


def test_a_misspelt_time_zone_is_refused_with_a_suggestion(log_root, cli):
    rules = log_root / "cases/registry/rules.yaml"
    text = rules.read_text(encoding="utf-8")
    assert text.startswith("timezone: Asia/Shanghai\n")
    rules.write_text(text.replace("Asia/Shanghai", "Asia/Shangai", 1), encoding="utf-8")
    result = cli(log_root, "validate")
    assert (result.exit_code, result.stdout) == (
        1, "cases/registry/rules.yaml:1: timezone: unknown time zone 'Asia/Shangai' (did you mean "
           "'Asia/Shanghai'?)\n")
    result = cli(log_root, "overdue")
    assert result.exit_code == 1
    assert result.stderr.endswith(FIX_FIRST)


def test_calendar_errors_are_caselog_errors():
    assert issubclass(CalendarError, CaselogError)


def test_a_broken_file_does_not_make_links_to_it_dangle(log_root, cli):
    write_case(log_root, ID, CASE_TEXT.replace("events:\n", "related: [20260305-AAAAAA]\nevents:\n"))
    write_case(log_root, "20260305-AAAAAA", "title: [unclosed\n")
    result = cli(log_root, "validate")
    assert result.stdout == ("cases/2026/03/20260305-AAAAAA.yaml:2: invalid YAML: did not find expected ',' "
                             "or ']' (while parsing a flow sequence that starts at line 1)\n")


def test_show_as_of_marks_the_events_after_that_day(log_root, cli):
    result = cli(log_root, "show", ID, "--as-of", "2026-03-02")
    assert result.stdout.endswith(
        "Events\n               2026-03-02  registered and accepted\n"
        "               2026-03-03  assigned to 区住建局  [after 2026-03-02: not counted]\n")


def test_show_on_an_invalid_file_does_not_say_nothing_was_written(log_root, cli):
    write_case(log_root, ID, CASE_TEXT.replace("channel: people-leaders-board", "channel: 42\nchannel: x"))
    result = cli(log_root, "show", ID)
    assert result.exit_code == 1
    assert "nothing was written" not in result.stderr
    assert result.stderr.endswith(FIX_FIRST)

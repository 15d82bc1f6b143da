"""`caselog validate --base REF`: the published record is append-only (real Git repositories)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from conftest import CASE_TEXT, write_case

from caselog.audit import append_only_problems, compare
from caselog.errors import RepositoryError
from caselog.yamlsafe import parse

CASE = "cases/2026/03/20260302-K7Q2MD.yaml"
REPLY = """\
  - date: 2026-03-10
    type: replied
    unit: yueyanglou-housing
    final: false
    text: |
      已联系维保单位检修，维修资金申请已受理。
"""
FINAL = """\
  - date: 2026-03-20
    type: replied
    unit: yueyanglou-housing
    final: true
    text: 电梯已全部恢复运行。
"""
CORRECTED = """\
  - date: 2026-03-21
    type: corrected
    text: 更正 3 月 10 日答复中的维保单位名称。
"""


def git(root: Path, *args: str) -> str:
    """Run git in `root` as a fixed test user; return stdout."""
    done = subprocess.run(["git", "-c", "user.name=Test Clerk", "-c", "user.email=clerk@example.org",
                           "-c", "commit.gpgsign=false", *args],
                          cwd=root, capture_output=True, text=True, check=True)
    return done.stdout


@pytest.fixture
def repo(log_root: Path) -> Path:
    """The test case log as a Git repository whose `main` holds the case with one published reply."""
    write_case(log_root, "20260302-K7Q2MD", CASE_TEXT + REPLY)
    git(log_root, "init", "-q", "-b", "main")
    git(log_root, "add", "cases")
    git(log_root, "commit", "-q", "-m", "case 20260302-K7Q2MD: replied (interim)")
    git(log_root, "switch", "-q", "-c", "clerk/update")
    return log_root


def edit(root: Path, old: str, new: str) -> None:
    path = root / CASE
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_rewriting_a_published_reply_fails_with_the_exact_message(repo, cli):
    edit(repo, "已联系维保单位检修", "已督促物业公司检修")
    git(repo, "commit", "-qam", "reword the reply")
    result = cli(repo, "validate", "--base", "main")
    assert result.stdout == (
        f"{CASE}:25: events[2]: a published event was changed (text); published events are "
        "append-only: add a 'corrected' event that says what was corrected\n")
    assert result.stderr == "checked 1 case file(s) and the registry: 1 problem(s) in 1 file(s)\n"
    assert result.exit_code == 1


def test_uncommitted_edits_count_too(repo, cli):
    edit(repo, "final: false", "final: true")
    result = cli(repo, "validate", "--base", "main", "--format", "github")
    assert result.stdout == (
        f"::error file={CASE},line=24,title=events[2]::a published event was changed (final); "
        "published events are append-only: add a 'corrected' event that says what was corrected\n")
    assert result.exit_code == 1


def test_appending_a_reply_passes(repo, cli):
    (repo / CASE).write_text(CASE_TEXT + REPLY + FINAL, encoding="utf-8")
    git(repo, "commit", "-qam", "case 20260302-K7Q2MD: replied (final)")
    result = cli(repo, "validate", "--base", "main")
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == "checked 1 case file(s) and the registry: no problems\n"


def test_reformatting_is_not_an_edit(repo, cli):
    text = (CASE_TEXT + REPLY).replace("  - {date: 2026-03-02, type: accepted}",
                                       "  - date: '2026-03-02'\n    type: \"accepted\"")
    text = text.replace("final: false", "final: False")
    (repo / CASE).write_text(text, encoding="utf-8")
    assert append_only_problems(repo, "main", None) == []


def test_an_edit_with_an_appended_correction_passes(repo, cli):
    edit(repo, "已联系维保单位检修", "已联系岳阳电梯维保公司检修")
    (repo / CASE).write_text((repo / CASE).read_text(encoding="utf-8") + CORRECTED, encoding="utf-8")
    result = cli(repo, "validate", "--base", "main")
    assert (result.exit_code, result.stdout) == (0, "")


def test_a_removed_event_fails(repo):
    (repo / CASE).write_text(CASE_TEXT, encoding="utf-8")
    [problem] = append_only_problems(repo, "main", None)
    assert str(problem) == (
        f"{CASE}:15: events[2]: a published event was removed (replied of 2026-03-10); published "
        "events are append-only: add a 'corrected' event that says what was corrected")


def test_an_inserted_event_is_named_once(repo):
    instructed = "  - date: 2026-03-04\n    type: instructed\n    by: 区委书记\n    text: 请限期解决。\n"
    (repo / CASE).write_text(CASE_TEXT + instructed + REPLY, encoding="utf-8")
    [problem] = append_only_problems(repo, "main", None)
    assert str(problem) == (
        f"{CASE}:21: events[2]: an event was inserted before published events; published events "
        "are append-only: append new events at the end, or to fill in a missed event add a "
        "'corrected' event that says what was corrected")


def test_changing_received_fails(repo, cli):
    edit(repo, "received: 2026-03-02 09:14", "received: 2026-03-02 10:14")
    git(repo, "commit", "-qam", "fix time")
    result = cli(repo, "validate", "--base", "main")
    assert result.stdout == (
        f"{CASE}:3: received: 'received' was changed (it is '2026-03-02 09:14' at main); a published "
        "case keeps its received: add a 'corrected' event that says what was corrected\n")
    assert result.exit_code == 1


def test_deleting_a_case_fails(repo, cli):
    git(repo, "rm", "-q", CASE)
    git(repo, "commit", "-qm", "drop the case")
    result = cli(repo, "validate", "--base", "main")
    assert result.stdout == (
        f"{CASE}: a published case file was deleted (it exists at main); case files are never "
        "deleted: to take a case off the site set 'public: false' and add a 'corrected' event "
        "that says why\n")
    assert result.exit_code == 1


@pytest.mark.parametrize("stage", [True, False], ids=["git-mv", "plain-mv"])
def test_moving_a_case_fails(repo, stage):
    target = repo / "cases" / "2026" / "04" / "20260302-K7Q2MD.yaml"
    target.parent.mkdir(parents=True)
    if stage:
        git(repo, "mv", CASE, str(target))
    else:
        (repo / CASE).rename(target)
    problems = append_only_problems(repo, "main", None)
    assert [str(p) for p in problems] == [
        "cases/2026/04/20260302-K7Q2MD.yaml:1: the case file was moved (it is "
        f"{CASE} at main); case files never move: restore it, or add a 'corrected' event that "
        "says what was corrected"]


def test_new_cases_are_free(repo, cli):
    other = CASE_TEXT.replace("20260302-K7Q2MD", "20260302-ABCDEF")
    write_case(repo, "20260302-ABCDEF", other)  # untracked
    assert append_only_problems(repo, "main", None) == []
    git(repo, "add", "cases")
    assert append_only_problems(repo, "main", None) == []


def test_only_limits_the_files_checked(repo):
    edit(repo, "已联系维保单位检修", "改写")
    assert append_only_problems(repo, "main", ["cases/2026/03/20260302-ABCDEF.yaml"]) == []
    assert len(append_only_problems(repo, "main", [CASE])) == 1


def test_an_edited_title_is_a_warning(repo, cli):
    edit(repo, "title: 建湘社区多部电梯停运", "title: 建湘社区三部电梯停运")
    result = cli(repo, "validate", "--base", "main")
    assert result.stdout == (
        f"{CASE}:2: title: warning: the published title was changed; if this corrects it, add a "
        "'corrected' event that says what was corrected\n")
    assert result.exit_code == 0


def test_a_bad_ref_is_a_clear_error(repo, cli):
    result = cli(repo, "validate", "--base", "origin/nope")
    assert result.stderr == (
        "error: unknown base 'origin/nope': not a branch, tag or commit in this repository (in a "
        "shallow CI checkout, fetch it first, e.g. git fetch origin main)\n")
    assert result.exit_code == 1


def test_outside_git_is_a_clear_error(log_root):
    with pytest.raises(RepositoryError, match="is not in a Git repository, so there is nothing"):
        append_only_problems(log_root, "main", None)


def test_compare_works_on_parsed_documents():
    old = parse(CASE_TEXT + REPLY, "a.yaml")
    new = parse(CASE_TEXT + REPLY.replace("final: false", "final: true") + CORRECTED, "a.yaml")
    assert compare(old, new, "main") == []


def test_a_priority_rewrite_needs_a_correction(repo, cli):
    edit(repo, "area: 岳阳楼区建湘社区\n", "area: 岳阳楼区建湘社区\npriority: urgent\n")
    result = cli(repo, "validate", "--base", "main")
    assert (result.exit_code, result.stdout) == (1, (
        f"{CASE}:8: priority: 'priority' was changed (it is 'normal' at main); a published case keeps "
        "its priority: add a 'corrected' event that says what was corrected\n"))
    path = repo / CASE
    path.write_text(path.read_text(encoding="utf-8") + CORRECTED.replace(
        "更正 3 月 10 日答复中的维保单位名称。", "更正优先级：该件为紧急件。"), encoding="utf-8")
    assert cli(repo, "validate", "--base", "main").exit_code == 0


def test_a_change_of_the_rules_is_reported(repo, cli):
    rules = repo / "cases/registry/rules.yaml"
    rules.write_text(rules.read_text(encoding="utf-8").replace("warning_days: 3", "warning_days: 2"),
                     encoding="utf-8")
    result = cli(repo, "validate", "--base", "main")
    assert (result.exit_code, result.stdout) == (0, (
        "cases/registry/rules.yaml: warning_days: warning: changed since main: the deadlines and "
        "verdicts of published cases may change with it; say why in the pull request\n"))


def test_a_case_file_committed_as_a_symlink_is_seen(repo, cli, tmp_path):
    target = tmp_path / "elsewhere.yaml"
    target.write_text((repo / CASE).read_text(encoding="utf-8"), encoding="utf-8")
    (repo / CASE).unlink()
    (repo / CASE).symlink_to(target)
    git(repo, "commit", "-qam", "link the case elsewhere")
    target.write_text(target.read_text(encoding="utf-8").replace("已联系维保单位检修", "已督促物业公司检修"),
                      encoding="utf-8")
    result = cli(repo, "validate", "--base", "main")
    assert result.exit_code == 1
    assert result.stdout == (f"{CASE}: is a symbolic link; case log files must be regular files (replace "
                             "the link with the file itself: a link can point anywhere on the machine)\n")

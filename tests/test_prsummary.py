"""`caselog pr-summary` and `--commit` on `caselog new` and the event verbs (real Git repositories)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from caselog.errors import RepositoryError
from caselog.prsummary import summarize

K7 = "20260302-K7Q2MD"


def git(root: Path, *args: str) -> str:
    """Run git in `root`; return stdout."""
    done = subprocess.run(["git", "-c", "commit.gpgsign=false", *args], cwd=root,
                          capture_output=True, text=True, check=True)
    return done.stdout


@pytest.fixture
def repo(log_root: Path) -> Path:
    """The test case log committed on `main`, with a clerk's branch checked out."""
    git(log_root, "init", "-q", "-b", "main")
    git(log_root, "config", "user.name", "Test Clerk")
    git(log_root, "config", "user.email", "clerk@example.org")
    git(log_root, "add", "cases")
    git(log_root, "commit", "-q", "-m", "start")
    git(log_root, "switch", "-q", "-c", "clerk/2026-03-20")
    return log_root


def staff_day(cli, root: Path) -> str:
    """A clerk's day: register one message, extend and answer another, each committed."""
    result = cli(root, "new", "--title", "青溪镇建设街路灯不亮", "--channel", "mayor-mailbox",
                 "--category", "help", "--topic", "transport", "--message", "路灯坏了一个月。",
                 "--received", "2026-03-19 08:00", "--accepted", "2026-03-19", "--alias", "夜归人",
                 "--anonymous", "--no-contact-on-file", "--no-similar", "--commit")
    assert result.exit_code == 0, result.output
    new_id = result.stdout.split("/")[-1].split(".yaml")[0]
    for args in (["extend", K7, "--date", "2026-03-18", "--days", "10",
                  "--approved-by", "区委督查室", "--reason", "需召开业主大会表决"],
                 ["reply", K7, "--date", "2026-03-20", "--unit", "yueyanglou-housing", "--interim",
                  "--text", "维保单位已进场检修。"]):
        result = cli(root, *args, "--commit")
        assert result.exit_code == 0, result.output
    return new_id


def test_new_and_event_verbs_commit_with_structured_messages(repo, cli):
    new_id = staff_day(cli, repo)
    log = git(repo, "log", "--format=%s|%(trailers:key=Case-Id,valueonly)%(trailers:key=Event,valueonly)",
              "main..HEAD")
    assert log.split("\n\n") == [
        f"{K7} 区住建局作出阶段性答复|{K7}\nreplied",
        f"{K7} 经区委督查室批准，最终答复期限延长 10 个工作日|{K7}\nextended",
        f"{new_id} 受理登记|{new_id}\naccepted",
        "",
    ]
    assert git(repo, "status", "--porcelain") == ""


def test_markdown_summary_of_a_small_change(repo, cli):
    new_id = staff_day(cli, repo)
    result = cli(repo, "pr-summary", "--base", "main")
    assert result.exit_code == 0
    assert result.stdout == f"""\
## 案件变更摘要（对比 main）

2 件案件有变更：新受理 1 件，阶段性答复 1 件，延期 1 件。

| 编号 | 标题 | 变更 | 最终答复期限 |
| --- | --- | --- | --- |
| `{new_id}` | 青溪镇建设街路灯不亮 | 新受理 | 2026-04-10 |
| `{K7}` | 建湘社区多部电梯停运，维修资金迟迟无法启动 | 延期 10 个工作日；阶段性答复（区住建局） | 2026-04-07 |

### 期限变化

| 编号 | 原最终答复期限 | 新最终答复期限 | 依据 |
| --- | --- | --- | --- |
| `{K7}` | 2026-03-23 | 2026-04-07 | 延期 10 个工作日（区委督查室批准） |
"""


def test_json_summary(repo, cli):
    cli(repo, "close", K7, "--date", "2026-03-20", "--outcome", "resolved")
    result = cli(repo, "pr-summary", "--base", "main", "--format", "json")
    data = json.loads(result.stdout)
    assert data["counts"] == {"closed": 1}
    [case] = data["cases"]
    assert case["change"] == "updated"
    assert case["events"] == [{"date": "2026-03-20", "type": "closed", "outcome": "resolved"}]
    assert case["final_reply_due"] == {"before": "2026-03-23", "after": "2026-03-23", "moved": False,
                                       "reason": "受理后 15 个工作日"}


def test_no_change(repo, cli):
    result = cli(repo, "pr-summary", "--base", "main")
    assert result.stdout == "## 案件变更摘要（对比 main）\n\n本次变更没有改动案件。\n"


def test_a_deleted_case_and_a_correction_are_listed(repo):
    path = repo / "cases" / "2026" / "03" / f"{K7}.yaml"
    text = path.read_text(encoding="utf-8").replace("mode: assign", "mode: transfer")
    path.write_text(text + "  - {date: 2026-03-05, type: corrected, text: 交办方式应为转办。}\n",
                    encoding="utf-8")
    [change] = summarize(repo, "main").changes
    assert (change.change, change.edited, change.activities) == ("updated", True, ["corrected"])
    path.unlink()
    [change] = summarize(repo, "main").changes
    assert (change.change, change.case_id, change.activities) == ("deleted", K7, ["deleted"])


def test_a_bad_base(repo, cli):
    result = cli(repo, "pr-summary", "--base", "v9")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: unknown base 'v9': not a branch, tag or commit")
    with pytest.raises(RepositoryError):
        summarize(repo, "--all")


def test_a_priority_rewrite_and_a_rules_change_are_described(repo, cli):
    path = repo / "cases/2026/03" / f"{K7}.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("area: 岳阳楼区建湘社区\n",
                                                             "area: 岳阳楼区建湘社区\npriority: urgent\n"),
                    encoding="utf-8")
    rules = repo / "cases/registry/rules.yaml"
    rules.write_text(rules.read_text(encoding="utf-8").replace("warning_days: 3", "warning_days: 2"),
                     encoding="utf-8")
    result = cli(repo, "pr-summary", "--base", "main")
    assert result.stdout == (
        "## 案件变更摘要（对比 main）\n\n"
        "**登记表变更**：`cases/registry/rules.yaml` 已修改（warning_days）；已发布案件的期限和按期结论可能随之变化。\n\n"
        "1 件案件有变更：修改 1 件。\n\n"
        "| 编号 | 标题 | 变更 | 最终答复期限 |\n| --- | --- | --- | --- |\n"
        f"| `{K7}` | 建湘社区多部电梯停运，维修资金迟迟无法启动 | 修改优先级（normal → urgent） | 2026-03-09 |\n\n"
        "### 需要处理\n\n"
        f"- `{K7}`：已合并的办理记录和收到时间、紧急程度只能追加、不能改动，校验不会通过。请撤销这处修改；"
        "如确需更正，在办理过程末尾追加一条“更正说明”（corrected），写明更正了什么。\n\n"
        "### 期限变化\n\n| 编号 | 原最终答复期限 | 新最终答复期限 | 依据 |\n| --- | --- | --- | --- |\n"
        f"| `{K7}` | 2026-03-23 | 2026-03-09 | 受理后 5 个工作日 |\n")


def test_a_layout_only_change_says_so(repo, cli):
    path = repo / "cases/2026/03" / f"{K7}.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("topics: [housing]", "topics:\n  - housing"),
                    encoding="utf-8")
    result = cli(repo, "pr-summary", "--base", "main")
    assert "1 件案件有变更。\n" in result.stdout
    assert f"| `{K7}` | 建湘社区多部电梯停运，维修资金迟迟无法启动 | 仅调整格式，内容未变 | 2026-03-23 |\n" in result.stdout


def test_an_edited_event_tells_the_clerk_what_to_do_instead(repo, cli):
    path = repo / "cases/2026/03" / f"{K7}.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("mode: assign", "mode: transfer"), encoding="utf-8")
    result = cli(repo, "pr-summary", "--base", "main")
    assert result.stdout.endswith(
        "### 需要处理\n\n"
        f"- `{K7}`：已合并的办理记录和收到时间、紧急程度只能追加、不能改动，校验不会通过。请撤销这处修改；"
        "如确需更正，在办理过程末尾追加一条“更正说明”（corrected），写明更正了什么。\n")
    path.write_text(path.read_text(encoding="utf-8") + "  - {date: 2026-03-05, type: corrected, text: 交办方式应为转办。}\n",
                    encoding="utf-8")
    assert "需要处理" not in cli(repo, "pr-summary", "--base", "main").stdout

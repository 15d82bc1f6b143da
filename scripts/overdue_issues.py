"""Keep one GitHub issue per unit with overdue cases: open, update, reopen or close them.

Run daily by .github/workflows/overdue.yml:

    python scripts/overdue_issues.py [--as-of DATE] [--dry-run]

Needs GITHUB_TOKEN (issues: write) and GITHUB_REPOSITORY (owner/name); GITHUB_API_URL for
GitHub Enterprise Server. A unit gets an issue while it has a case at `overdue` or
`severe`; the issue lists all its cases that need attention and is found again by the
`overdue` label and a marker in its body, so reruns never open a duplicate.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import urllib.request
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

LABEL = "overdue"
MARKER = "<!-- caselog:overdue unit={unit} -->"
MARKER_RE = re.compile(r"<!-- caselog:overdue unit=(\S+) -->")
LATE = ("overdue", "severe")
UNASSIGNED = "unassigned"


@dataclass(frozen=True)
class Issue:
    """An issue as GitHub returns it (the fields the plan needs)."""

    number: int
    title: str
    body: str
    state: str  # "open" or "closed"

    @property
    def unit(self) -> str | None:
        """The unit key of the marker in the body, if any."""
        found = MARKER_RE.search(self.body or "")
        return found.group(1) if found else None


@dataclass(frozen=True)
class Wanted:
    """The issue a unit with overdue cases should have."""

    unit: str
    title: str
    body: str


@dataclass(frozen=True)
class Action:
    """One change to make on GitHub: open, update, reopen or close an issue."""

    kind: str
    unit: str
    number: int | None = None
    title: str | None = None
    body: str | None = None
    comment: str | None = None


def plan(wanted: list[Wanted], issues: list[Issue], as_of: date) -> list[Action]:
    """The actions that make the issues match `wanted`: one open issue per unit in it, none for
    other units; an existing issue (open, else the latest closed) is reused, extra open ones closed."""
    by_unit: dict[str, list[Issue]] = {}
    for issue in sorted(issues, key=lambda i: i.number):
        if issue.unit is not None:
            by_unit.setdefault(issue.unit, []).append(issue)
    actions: list[Action] = []
    wanted_units = {w.unit for w in wanted}
    for item in wanted:
        mine = by_unit.get(item.unit, [])
        open_ones = [i for i in mine if i.state == "open"]
        if open_ones:
            keep = open_ones[0]
            if (keep.title, keep.body) != (item.title, item.body):
                actions.append(Action("update", item.unit, keep.number, item.title, item.body))
            actions += [Action("close", item.unit, extra.number,
                               comment=f"与 #{keep.number} 重复，关闭。") for extra in open_ones[1:]]
        elif mine:
            actions.append(Action("reopen", item.unit, mine[-1].number, item.title, item.body))
        else:
            actions.append(Action("open", item.unit, None, item.title, item.body))
    for unit, mine in sorted(by_unit.items()):
        if unit in wanted_units:
            continue
        actions += [Action("close", unit, issue.number,
                           comment=f"截至 {as_of}，本单位已没有逾期案件，自动关闭。")
                    for issue in mine if issue.state == "open"]
    return actions


def wanted_issues(root: Path, as_of: date | None = None) -> tuple[date, list[Wanted]]:
    """The day judged and the issue each unit with overdue cases should have, from the case log."""
    from caselog.cli.render import overdue_row
    from caselog.derive import derive_all
    from caselog.overdue import overdue_by_unit
    from caselog.repository import load_log

    log = load_log(root)
    registry = log.registry
    as_of = as_of or datetime.now(ZoneInfo(registry.rules.timezone)).date()
    states = derive_all(log.cases, as_of, registry.rules, registry.calendar)
    wanted = []
    for group in overdue_by_unit(states):
        rows = [overdue_row(s, registry) for s in group.states]
        late = [r for r in rows if r["level"] in LATE]
        if not late:
            continue
        key = group.unit or UNASSIGNED
        unit = registry.units.get(group.unit) if group.unit else None
        name = unit.name if unit else ("未交办" if group.unit is None else group.unit)
        wanted.append(Wanted(key, f"逾期案件：{name}（{len(late)} 件）", issue_body(key, name, rows, as_of)))
    return as_of, wanted


def issue_body(unit: str, name: str, rows: list[dict], as_of: date) -> str:
    """The Markdown body of a unit's issue."""
    lines = [MARKER.format(unit=unit), "",
             f"截至 {as_of}，{name}有 {len(rows)} 件案件需要关注（由 `caselog overdue` 每日更新）。", "",
             "| 级别 | 编号 | 标题 | 首次答复期限 | 最终答复期限 |", "| --- | --- | --- | --- | --- |"]
    for row in rows:
        first = "已答复" if row["first_reply_met"] else row["first_reply_due"]
        title = row["title"].replace("|", "\\|")
        lines.append(f"| {row['level']} | `{row['id']}` | {title} | {first} | {row['final_reply_due']} |")
    lines += ["", "办结、答复或经批准延期后，请在案件仓库中记录；本议题会在没有逾期案件时自动关闭。"]
    return "\n".join(lines) + "\n"


class GitHub:
    """The few REST calls the plan needs, over urllib."""

    def __init__(self, repository: str, token: str, api: str = "https://api.github.com"):
        self.base = f"{api.rstrip('/')}/repos/{repository}"
        self.token = token

    def call(self, method: str, path: str, payload: dict | None = None):
        """One request; the decoded JSON answer."""
        data = json.dumps(payload).encode() if payload is not None else None
        request = urllib.request.Request(f"{self.base}{path}", data=data, method=method, headers={
            "Authorization": f"Bearer {self.token}", "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28", "User-Agent": "caselog-overdue-issues"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read() or b"null")

    def issues(self) -> list[Issue]:
        """Every issue (open or closed, not pull requests) with the overdue label."""
        found, page = [], 1
        while True:
            batch = self.call("GET", f"/issues?labels={LABEL}&state=all&per_page=100&page={page}")
            found += [Issue(i["number"], i["title"], i.get("body") or "", i["state"])
                      for i in batch if "pull_request" not in i]
            if len(batch) < 100:
                return found
            page += 1

    def apply(self, action: Action) -> None:
        """Carry out one action."""
        if action.kind == "open":
            self.call("POST", "/issues", {"title": action.title, "body": action.body,
                                          "labels": [LABEL, f"unit:{action.unit}"]})
            return
        if action.comment:
            self.call("POST", f"/issues/{action.number}/comments", {"body": action.comment})
        change = {"state": "closed"} if action.kind == "close" else {
            "title": action.title, "body": action.body, "state": "open"}
        self.call("PATCH", f"/issues/{action.number}", change)


def main(argv: list[str] | None = None) -> int:
    """Plan from the case log and the repository's issues, then apply (or print, with --dry-run)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-C", dest="root", type=Path, default=Path("."), help="the case log (default: .)")
    parser.add_argument("--as-of", type=date.fromisoformat, help="judge deadlines on this day")
    parser.add_argument("--dry-run", action="store_true", help="print the plan, change nothing")
    args = parser.parse_args(argv)
    as_of, wanted = wanted_issues(args.root, args.as_of)
    repository, token = os.environ.get("GITHUB_REPOSITORY"), os.environ.get("GITHUB_TOKEN")
    if not (repository and token):
        if not args.dry_run:
            print("error: set GITHUB_REPOSITORY and GITHUB_TOKEN (or use --dry-run)", file=sys.stderr)
            return 2
        actions = plan(wanted, [], as_of)
    else:
        github = GitHub(repository, token, os.environ.get("GITHUB_API_URL", "https://api.github.com"))
        actions = plan(wanted, github.issues(), as_of)
        if not args.dry_run:
            for action in actions:
                github.apply(action)
    for action in actions:
        target = f"#{action.number}" if action.number else "new issue"
        print(f"{action.kind} {target} for {action.unit}: {action.title or action.comment}")
    if not actions:
        print(f"overdue issues are up to date as of {as_of}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""scripts/overdue_issues.py: one issue per unit with overdue cases, planned without the network."""

from __future__ import annotations

import importlib.util
import json
import sys
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import ClassVar

import pytest
from conftest import REPO

spec = importlib.util.spec_from_file_location("overdue_issues", REPO / "scripts" / "overdue_issues.py")
overdue_issues = importlib.util.module_from_spec(spec)
sys.modules["overdue_issues"] = overdue_issues  # dataclasses look their module up
spec.loader.exec_module(overdue_issues)
Action, Issue, Wanted, plan = (overdue_issues.Action, overdue_issues.Issue, overdue_issues.Wanted,
                               overdue_issues.plan)

DAY = date(2026, 4, 20)


def marked(unit: str, text: str = "") -> str:
    return f"<!-- caselog:overdue unit={unit} -->\n{text}"


def test_opens_an_issue_for_a_unit_without_one():
    wanted = [Wanted("qingxi-town", "逾期案件：青溪镇人民政府（1 件）", marked("qingxi-town", "a"))]
    assert plan(wanted, [], DAY) == [Action("open", "qingxi-town", None, wanted[0].title, wanted[0].body)]


def test_updates_only_what_changed_and_never_duplicates():
    same = Wanted("qingxi-town", "t1", marked("qingxi-town", "same"))
    changed = Wanted("transport-bureau", "t2 new", marked("transport-bureau", "new"))
    issues = [Issue(3, "t1", same.body, "open"),
              Issue(5, "t2", marked("transport-bureau", "old"), "open"),
              Issue(9, "t2", marked("transport-bureau", "old"), "open"),  # a duplicate from an earlier race
              Issue(7, "unrelated", "no marker", "open")]
    assert plan([same, changed], issues, DAY) == [
        Action("update", "transport-bureau", 5, "t2 new", changed.body),
        Action("close", "transport-bureau", 9, comment="与 #5 重复，关闭。"),
    ]


def test_closes_issues_of_units_no_longer_overdue_and_reopens_old_ones():
    wanted = [Wanted("qingxi-town", "t", marked("qingxi-town", "x"))]
    issues = [Issue(2, "old", marked("qingxi-town"), "closed"),
              Issue(4, "older", marked("qingxi-town"), "closed"),
              Issue(6, "t", marked("yueyanglou-housing"), "open"),
              Issue(8, "t", marked("transport-bureau"), "closed")]
    assert plan(wanted, issues, DAY) == [
        Action("reopen", "qingxi-town", 4, "t", wanted[0].body),
        Action("close", "yueyanglou-housing", 6, comment="截至 2026-04-20，本单位已没有逾期案件，自动关闭。"),
    ]


def test_wanted_issues_come_from_the_case_log(log_root):
    as_of, wanted = overdue_issues.wanted_issues(log_root, DAY)
    assert as_of == DAY
    assert wanted == [Wanted("yueyanglou-housing", "逾期案件：岳阳楼区住房和城乡建设局（1 件）", """\
<!-- caselog:overdue unit=yueyanglou-housing -->

截至 2026-04-20，岳阳楼区住房和城乡建设局有 1 件案件需要关注（由 `caselog overdue` 每日更新）。

| 级别 | 编号 | 标题 | 首次答复期限 | 最终答复期限 |
| --- | --- | --- | --- | --- |
| severe | `20260302-K7Q2MD` | 建湘社区多部电梯停运，维修资金迟迟无法启动 | 2026-03-09 | 2026-03-23 |

办结、答复或经批准延期后，请在案件仓库中记录；本议题会在没有逾期案件时自动关闭。
""")]
    assert overdue_issues.wanted_issues(log_root, date(2026, 3, 6))[1] == []  # only a warning then


class FakeGitHub(BaseHTTPRequestHandler):
    """A local stand-in for the REST API that records what it is asked."""

    calls: ClassVar[list] = []
    stored: ClassVar[list] = [{"number": 6, "title": "t", "state": "open",
               "body": "<!-- caselog:overdue unit=transport-bureau -->"},
              {"number": 7, "title": "a pull request", "state": "open", "body": "", "pull_request": {}}]

    def _answer(self, payload):
        body = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _record(self):
        length = int(self.headers.get("Content-Length") or 0)
        data = json.loads(self.rfile.read(length)) if length else None
        self.calls.append((self.command, self.path, data, self.headers["Authorization"]))

    def do_GET(self):
        self._record()
        self._answer(self.stored)

    def do_POST(self):
        self._record()
        self._answer({})

    do_PATCH = do_POST

    def log_message(self, *args):
        pass


@pytest.fixture
def api():
    server = HTTPServer(("127.0.0.1", 0), FakeGitHub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeGitHub.calls = []
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_main_applies_the_plan_over_http(api, log_root, monkeypatch, capsys):
    monkeypatch.setenv("GITHUB_REPOSITORY", "office/caselog")
    monkeypatch.setenv("GITHUB_TOKEN", "t0ken")
    monkeypatch.setenv("GITHUB_API_URL", api)
    assert overdue_issues.main(["-C", str(log_root), "--as-of", "2026-04-20"]) == 0
    calls = [(method, path, data and sorted(data)) for method, path, data, _ in FakeGitHub.calls]
    assert calls == [
        ("GET", "/repos/office/caselog/issues?labels=overdue&state=all&per_page=100&page=1", None),
        ("POST", "/repos/office/caselog/issues", ["body", "labels", "title"]),
        ("POST", "/repos/office/caselog/issues/6/comments", ["body"]),
        ("PATCH", "/repos/office/caselog/issues/6", ["state"]),
    ]
    assert {auth for *_, auth in FakeGitHub.calls} == {"Bearer t0ken"}
    assert FakeGitHub.calls[1][2]["labels"] == ["overdue", "unit:yueyanglou-housing"]
    assert capsys.readouterr().out == (
        "open new issue for yueyanglou-housing: 逾期案件：岳阳楼区住房和城乡建设局（1 件）\n"
        "close #6 for transport-bureau: 截至 2026-04-20，本单位已没有逾期案件，自动关闭。\n")


def test_main_without_credentials(log_root, monkeypatch, capsys):
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    assert overdue_issues.main(["-C", str(log_root), "--as-of", "2026-04-20"]) == 2
    assert "set GITHUB_REPOSITORY and GITHUB_TOKEN" in capsys.readouterr().err
    assert overdue_issues.main(["-C", str(log_root), "--as-of", "2026-04-20", "--dry-run"]) == 0
    assert capsys.readouterr().out.startswith("open new issue for yueyanglou-housing")

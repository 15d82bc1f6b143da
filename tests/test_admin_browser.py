"""The editing interface as a clerk uses it: Decap CMS in headless Chromium, the local git
backend (`caselog admin`'s server) over a real repository, every save a commit.

A case is registered through the form, assigned, given a final reply, visited and closed;
each commit validates (append-only included) and the portal built from the repository shows
the case. Editing a published reply is then refused by the audit with its message.
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from conftest import REPO, find_chromium, serve_directory

from caselog.cli import main_group
from caselog.cmslocal import start_local_admin
from caselog.registry import load_registry

playwright_api = pytest.importorskip("playwright.sync_api")
sync_playwright, expect = playwright_api.sync_playwright, playwright_api.expect

CHROMIUM = find_chromium()
ADMIN = REPO / "admin"
# what every test of the editing interface in a browser needs (the forge tests use them too)
EDITOR_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="no Chromium-family browser installed"),
    pytest.mark.skipif(not (ADMIN / "node_modules" / "decap-cms").is_dir(),
                       reason="the editing interface's npm packages are not installed (scripts/setup.sh)"),
]
pytestmark = [*EDITOR_MARKS, pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
MESSAGE = "青溪大道东段路灯已经坏了一个月。\n晚上走路看不清，\"老人\"摔倒过两次: 请尽快修复！\n\n#12 路灯杆旁边"
REPLY = "经查，青溪大道东段 12 盏路灯线路老化。\n已于 3 月 9 日全部更换，恢复照明。"


def git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", "-c", "commit.gpgsign=false", *args], cwd=root, check=True,
                          capture_output=True, text=True)
    return done.stdout


def caselog(root: Path, *args: str):
    return CliRunner().invoke(main_group, ["--lang", "en", "-C", str(root), *args], catch_exceptions=False)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def demo_repository(tmp_path: Path) -> Path:
    root = tmp_path / "office"
    shutil.copytree(REPO / "cases", root / "cases")
    (root / ".gitignore").write_text("/.caselog/\n/output/\n", encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.name", "Test Clerk")
    git(root, "config", "user.email", "clerk@example.org")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "the demo case log")
    return root


@pytest.fixture
def office(tmp_path):
    """Start the local editing server over the demo case log in a git repository: each save a
    commit on main, or (workflow) a branch cms/... as a pull request would be."""
    servers = []

    def start(workflow: bool):
        root = demo_repository(tmp_path)
        registry = load_registry(root)
        today = datetime.now(ZoneInfo(registry.rules.timezone)).date()
        server = start_local_admin(root, registry, today, port=free_port(), source=ADMIN,
                                   workflow=workflow)
        servers.append(server)
        return root, server.url, today

    yield start
    for server in servers:
        server.stop()


class Clerk:
    """A clerk at the editing interface; records every request the page makes."""

    def __init__(self, page, url: str):
        self.page = page
        self.url = url
        self.requests: list[str] = []
        self.errors: list[str] = []
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("console", self.console)
        self.dialogs: list[str] = []
        page.on("dialog", self.confirm)

    def hosts(self) -> set[str]:
        """Every origin (scheme, host, port) the page has sent a request to."""
        return {re.sub(r"^(\w+://[^/]+).*$", r"\1", request) for request in self.requests}

    def console(self, message) -> None:
        # the workflow asks the proxy for a case's review branch; "none yet" is its 404
        expected = message.text.endswith("404 (Not Found)") and message.location["url"].endswith("/api/v1")
        if message.type == "error" and not expected:
            self.errors.append(f"{message.text} ({message.location['url']})")

    def confirm(self, dialog) -> None:
        """Say yes to Decap's "publish this?" question."""
        self.dialogs.append(dialog.message)
        dialog.accept()

    def open(self, fragment: str) -> None:
        self.page.goto(self.url + fragment)
        self.page.reload()  # the list and entries are read again from the repository
        login = self.page.get_by_role("button", name="登录")
        title = self.page.locator('[id^="title-field-"]')
        title.or_(login).first.wait_for()
        if login.is_visible():
            login.click()
        title.wait_for()

    def fill(self, name: str, value: str) -> None:
        self.page.locator(f'[id^="{name}-field-"]').last.fill(value)

    def choose(self, name: str, text: str) -> None:
        box = self.page.locator(f'input[id^="{name}-field-"]').last
        box.click()
        box.fill(text)
        self.page.keyboard.press("Enter")

    def register_example(self) -> None:
        """Fill the new-case form with the message every editing test registers (a street light
        out on 青溪大道, received 2026-03-02) and its acceptance."""
        self.fill("title", "青溪大道东段路灯不亮")
        self.fill("received", "2026-03-02T09:14")
        self.choose("channel", "县长信箱")
        self.choose("category", "求助")
        self.choose("topics", "城乡建设")
        self.fill("alias", "夜归人")
        self.fill("message", MESSAGE)
        self.add_event("受理", "2026-03-02")

    def add_event(self, label: str, date: str) -> None:
        self.page.get_by_role("button", name="新增办理记录").click()
        self.page.get_by_text(label, exact=True).last.click()
        self.fill("date", date)

    def publish(self, root: Path) -> str:
        """Save (publish now); return the commit it made."""
        before = git(root, "rev-parse", "HEAD")
        self.page.get_by_role("button", name="发布", exact=True).click()
        self.page.get_by_text("立即发布").click()
        for _ in range(100):
            self.page.wait_for_timeout(200)
            after = git(root, "rev-parse", "HEAD")
            if after != before:
                return after.strip()
        pytest.fail("the save made no commit")


def changed_file(root: Path) -> str:
    return git(root, "show", "--name-only", "--format=", "HEAD").strip()


def test_a_case_from_registration_to_closing_in_the_browser(office, tmp_path):
    root, url, today = office(workflow=False)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 1600}, locale="zh-CN",
                                      timezone_id="Asia/Shanghai")
        clerk = Clerk(context.new_page(), url)

        # register the message
        clerk.open(f"#/collections/cases-{today:%Y-%m}/new")  # this month's list: 新建留言
        assert clerk.page.get_by_text("（保存时自动生成）").count() == 1
        clerk.register_example()
        clerk.publish(root)
        path = changed_file(root)
        match = re.fullmatch(r"cases/2026/03/(20260302-[0-9A-HJKMNP-TV-Z]{6})\.yaml", path)
        assert match, path
        case_id = match.group(1)
        assert git(root, "log", "-1", "--format=%s").strip() == f"登记留言 {case_id}"
        # the form shows the case just saved, not Decap's empty form at its lowercased slug
        clerk.page.wait_for_url(re.compile(rf".*#/collections/cases-2026(-03/entries/|/entries/03/){case_id}$"))
        expect(clerk.page.locator('[id^="title-field-"]')).to_have_value("青溪大道东段路灯不亮")
        text = (root / path).read_text(encoding="utf-8")
        assert text.startswith(f"id: {case_id}\ntitle: 青溪大道东段路灯不亮\nreceived: 2026-03-02 09:14\n"
                               "channel: mayor-mailbox\ncategory: help\n")
        assert "author:\n  alias: 夜归人\n  real_name: false\n  contact_on_file: false\n" in text
        result = caselog(root, "validate")
        assert result.exit_code == 0, result.output

        # assign it, then the final reply, the visit and the closing: one commit each
        slug = f"#/collections/cases-2026/entries/03/{case_id}"  # from the year's list
        clerk.open(slug)
        clerk.add_event("交办", "2026-03-03")
        clerk.choose("unit", "县住建局")
        clerk.fill("note", "请核实处理")
        clerk.fill("note", "")  # cleared: Decap would write note: "" (the page drops it)
        clerk.publish(root)
        clerk.open(slug)
        clerk.add_event("答复", "2026-03-10")
        clerk.choose("unit", "县住建局")
        clerk.page.locator('[id^="final-field-"]').last.click()
        clerk.fill("text", REPLY)
        clerk.publish(root)
        clerk.open(slug)
        clerk.add_event("回访", "2026-03-12")
        clerk.choose("method", "电话")
        clerk.choose("satisfaction", "满意")
        clerk.publish(root)
        clerk.open(slug)
        clerk.add_event("办结", "2026-03-12")
        clerk.choose("outcome", "已解决")
        clerk.publish(root)
        clerk.page.screenshot(path=str(tmp_path / "closed.png"), full_page=True)

        commits = git(root, "log", "--format=%s", "main").splitlines()
        assert commits[:5] == [f"更新留言 {case_id}"] * 4 + [f"登记留言 {case_id}"]
        for back in range(1, 5):  # every save appended only
            result = caselog(root, "validate", "--base", f"HEAD~{back}")
            assert result.exit_code == 0, result.output
        text = (root / path).read_text(encoding="utf-8")
        assert text.endswith(
            "events:\n"
            "  - date: 2026-03-02\n    type: accepted\n"
            "  - date: 2026-03-03\n    type: assigned\n    unit: housing-bureau\n    mode: assign\n"
            "  - date: 2026-03-10\n    type: replied\n    unit: housing-bureau\n    final: true\n"
            f"    text: |-\n      {REPLY.splitlines()[0]}\n      {REPLY.splitlines()[1]}\n"
            "  - date: 2026-03-12\n    type: visited\n    method: phone\n    satisfaction: satisfied\n"
            "  - date: 2026-03-12\n    type: closed\n    outcome: resolved\n")

        # the portal built from the repository shows the case
        out = tmp_path / "site"
        result = caselog(root, "build", "--output", str(out), "--as-of", "2026-03-20", "--no-search",
                         "--settings", str(REPO / "pelicanconf.py"))
        assert result.exit_code == 0, result.output
        pages = [p for p in out.rglob("*.html") if case_id in p.name or case_id in str(p.parent.name)]
        assert pages, f"no page for {case_id}"
        page_text = pages[0].read_text(encoding="utf-8")
        assert "青溪大道东段路灯不亮" in page_text and "全部更换，恢复照明" in page_text

        # a clerk edits the published reply: the save is made, the audit refuses it
        clerk.open(slug)
        reply = clerk.page.locator('div[class*="ListItem"]', has_text="2026-03-10 答复")
        reply.locator("button").first.click()  # published events show collapsed: open the reply
        clerk.page.locator('textarea[id^="text-field-"]').first.fill("已全部更换。")
        clerk.publish(root)
        result = caselog(root, "validate", "--base", "HEAD~1")
        assert result.exit_code == 1
        lines = (root / path).read_text(encoding="utf-8").splitlines()
        replied = lines.index("    type: replied")
        line = next(n for n in range(replied, len(lines)) if lines[n].startswith("    text:")) + 1
        assert result.output.splitlines()[0] == (
            f"{path}:{line}: events[2]: a published event was changed (text); published events "
            "are append-only: add a 'corrected' event that says what was corrected")

        assert clerk.errors == []
        hosts = clerk.hosts()
        assert hosts == {url.removesuffix("/admin/")}, hosts
        browser.close()


def test_with_the_workflow_each_save_is_a_branch_that_validates(office, tmp_path):
    root, url, today = office(workflow=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 1600}, locale="zh-CN",
                                      timezone_id="Asia/Shanghai")
        clerk = Clerk(context.new_page(), url)
        clerk.open(f"#/collections/cases-{today:%Y-%m}/new")
        clerk.register_example()
        clerk.page.get_by_role("button", name="保存").click()
        clerk.page.get_by_role("button", name="状态: 草稿").wait_for()

        # the save is a branch off main, as a pull request is; it is checked as CI checks one
        [branch] = [b.strip() for b in git(root, "branch", "--format=%(refname:short)").splitlines()
                    if b.startswith("cms/")]
        assert re.fullmatch(rf"cms/cases-{today:%Y-%m}/20260302-[0-9a-hjkmnp-tv-z]{{6}}", branch)
        [path] = git(root, "diff", "--name-only", "main", branch).split()
        case_id = re.fullmatch(r"cases/2026/03/(20260302-[0-9A-HJKMNP-TV-Z]{6})\.yaml", path).group(1)
        assert git(root, "log", "-1", "--format=%s", branch).strip() == f"登记留言 {case_id}"
        review = tmp_path / "review"
        git(root, "worktree", "add", "-q", str(review), branch)
        result = caselog(review, "validate", "--base", "main")
        assert result.exit_code == 0, result.output
        summary = caselog(review, "pr-summary", "--base", "main")
        assert f"| `{case_id}` | 青溪大道东段路灯不亮 |" in summary.output
        git(root, "worktree", "remove", "--force", str(review))

        # ready, then published: merged into main
        clerk.page.get_by_role("button", name="状态: 草稿").click()
        clerk.page.get_by_text("就绪", exact=True).click()
        clerk.page.get_by_role("button", name="状态: 就绪").wait_for()
        clerk.publish(root)
        assert clerk.dialogs == ["你确定要发布此内容吗？"]
        clerk.page.wait_for_url(re.compile(rf".*#/collections/cases-2026(-03/entries/|/entries/03/){case_id}$"))
        expect(clerk.page.locator('[id^="title-field-"]')).to_have_value("青溪大道东段路灯不亮")
        assert (root / path).is_file()
        assert not [b for b in git(root, "branch").split() if b.startswith("cms/")]
        result = caselog(root, "validate", "--base", "HEAD~1")
        assert result.exit_code == 0, result.output
        assert clerk.errors == []
        browser.close()


def test_a_busy_port_is_reported(tmp_path):
    from caselog.cmslocal import LocalAdminError

    root = demo_repository(tmp_path)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(LocalAdminError) as error:
            start_local_admin(root, load_registry(root), datetime(2026, 3, 2).date(), port=port,
                              source=ADMIN)
    assert str(error.value).startswith("the local editing server did not start: ")
    assert f"EADDRINUSE: address already in use 127.0.0.1:{port}" in str(error.value)


@pytest.mark.parametrize(("backend", "button"), [("github", "使用 GitHub 登录"), ("gitlab", "使用 GitLab 登录"),
                                                 ("gitea", "使用 Gitea 登录"), ("forgejo", "使用 Forgejo 登录")])
def test_the_published_page_offers_the_forges_sign_in(tmp_path, backend, button):
    from caselog.cms import Backend, admin_config, case_periods, write_admin_site

    root = demo_repository(tmp_path)
    registry = load_registry(root)
    config = admin_config(registry, Backend(backend, "qingxi/caselog", "main", app_id="app",
                                            base_url="https://git.example.org"),
                          case_periods(root, datetime(2026, 11, 23).date()))
    site = tmp_path / "site"
    write_admin_site(ADMIN, site / "admin", config)

    with serve_directory(site) as base:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            clerk = Clerk(browser.new_page(locale="zh-CN"), base + "/admin/")
            clerk.page.goto(clerk.url)
            clerk.page.get_by_role("button", name=button).wait_for()
            assert clerk.errors == []
            assert {re.sub(r"^(\w+://[^/]+).*$", r"\1", r) for r in clerk.requests} == {base}
            browser.close()

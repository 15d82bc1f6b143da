"""The editing interface against GitHub, as a clerk uses it: Decap CMS in headless Chromium with
the configuration `caselog admin-config --backend github` makes, talking to a stand-in of
GitHub's REST API (tests/forge_github.py) over a real bare git repository.

Every save is a branch cms/... and a pull request; what .github/workflows/pr.yml runs is run on
a checkout of each pull request's head; publishing merges it (squash) into main. The stand-in
protects main and requires the `check` status, as office-setup.md tells offices to: a pull
request that fails the checks cannot be published from the interface.
"""

from __future__ import annotations

import json
import re
import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from conftest import serve_directory
from forge_ci import run_checks
from forge_git import BareRepository
from forge_github import TOKEN, USER, GitHubStandIn
from test_admin_browser import (
    ADMIN,
    ARGS,
    CHROMIUM,
    EDITOR_MARKS,
    REPLY,
    Clerk,
    caselog,
    demo_repository,
)

from caselog.cms import config_text, write_admin_site
from caselog.registry import load_registry

playwright_api = pytest.importorskip("playwright.sync_api")
sync_playwright, expect = playwright_api.sync_playwright, playwright_api.expect

pytestmark = EDITOR_MARKS
REPOSITORY = "qingxi/caselog"
MERGED = "Automatically generated. Merged on Decap CMS."  # Decap's squash commit body
NOT_MERGED = ("合并请求未能合并：检查未通过或尚未完成，或者还没有审核通过。"
              "请在合并请求中查看检查结果和“案件变更摘要”，按其中“需要处理”的说明修改后再发布。")
APPEND_ONLY = "已公开的办理记录只能追加：请添加一条更正说明（corrected）记录，说明更正了什么"


class GitHubClerk(Clerk):
    """A clerk signed in to GitHub (Decap keeps the signed-in user in localStorage)."""

    def __init__(self, page, url: str, forge):
        super().__init__(page, url)
        self.forge = forge

    def console(self, message) -> None:
        # Decap's GitHub backend logs a 404 as an error when it lists a month folder no case is in
        if message.type == "error" and not message.text.endswith("404 (Not Found)"):
            self.errors.append(f"{message.text} ({message.location['url']})")

    def open(self, fragment: str) -> None:
        self.page.goto(self.url + fragment)
        self.page.reload()  # the list and entries are read again from the forge
        # signed in from the stored user; the entry is read from the forge again: on a loaded
        # 2-core runner that took over the default 30 s once (a Gitea run beside a 100k build)
        self.page.locator('[id^="title-field-"]').wait_for(timeout=90_000)

    def wait(self, condition, what: str, seconds: float = 20):
        for _ in range(int(seconds * 5)):
            found = condition()
            if found:
                return found
            self.page.wait_for_timeout(200)
        pytest.fail(f"timed out waiting for {what}")

    def save(self) -> PullRequestView:
        """Save: a draft pull request (a new one, or the entry's open one updated)."""
        known = set(self.forge.pulls)
        self.page.get_by_role("button", name="保存").click()
        self.page.get_by_role("button", name="状态: 草稿").wait_for()
        new = self.wait(lambda: [n for n in self.forge.pulls if n not in known], "a new pull request")
        return PullRequestView(self.forge, new[0])

    def ready(self, pr: PullRequestView) -> None:
        self.page.get_by_role("button", name="状态: 草稿").click()
        self.page.get_by_text("就绪", exact=True).click()
        self.page.get_by_role("button", name="状态: 就绪").wait_for()
        self.wait(lambda: pr.labels == ["caselog/pending_publish"], "the label of a pull request ready")

    def press_publish(self) -> None:
        self.page.get_by_role("button", name="发布", exact=True).click()
        self.page.get_by_text("立即发布").click()


class PullRequestView:
    """A pull request of the stand-in, as the test reads it."""

    def __init__(self, forge: GitHubStandIn, number: int):
        self.forge, self.number = forge, number

    @property
    def pr(self):
        return self.forge.pulls[self.number]

    def __getattr__(self, name):
        return getattr(self.pr, name)

    def changed_files(self) -> list[str]:
        return self.forge.git.git("diff", "--name-only", f"{self.base}...{self.head}").split()


@pytest.fixture
def office(tmp_path):
    """The demo case log on a GitHub stand-in, and the admin page made by `caselog admin-config
    --backend github --api-root <stand-in>` served from another origin, as a site is."""
    root = demo_repository(tmp_path)
    forge = GitHubStandIn(BareRepository.clone(root, tmp_path / "forge" / "caselog.git"), REPOSITORY).start()
    forge.required_checks = {"check"}  # branch protection: pr.yml's `check` job must pass
    printed = caselog(root, "admin-config", "--backend", "github", "--repo", REPOSITORY,
                      "--api-root", forge.api)
    assert printed.exit_code == 0, printed.output
    config = yaml.safe_load(printed.output)
    assert config["backend"] == {
        "name": "caselog-github", "repo": REPOSITORY, "branch": "main",
        "commit_messages": config["backend"]["commit_messages"], "squash_merges": True,
        "cms_label_prefix": "caselog/", "api_root": forge.api}
    assert config["publish_mode"] == "editorial_workflow"
    site = tmp_path / "site"
    write_admin_site(ADMIN, site / "admin", config)
    assert (site / "admin" / "config.yml").read_text(encoding="utf-8") == config_text(config) == printed.output
    registry = load_registry(root)
    today = datetime.now(ZoneInfo(registry.rules.timezone)).date()
    with serve_directory(site) as base:
        yield forge, base + "/admin/", today
    forge.stop()


def signed_in(browser, backend: str = "caselog-github"):
    """A browser context where the clerk has signed in to the forge (what Decap stores after OAuth)."""
    context = browser.new_context(viewport={"width": 1280, "height": 1600}, locale="zh-CN",
                                  timezone_id="Asia/Shanghai")
    user = {"token": TOKEN, "backendName": backend, "login": USER["login"], "name": USER["name"]}
    context.add_init_script(f"window.localStorage.setItem('decap-cms-user', {json.dumps(json.dumps(user))});")
    return context


def checked(forge: GitHubStandIn, pr: PullRequestView, tmp_path: Path, name: str):
    """Run pr.yml on the pull request and report the `check` status to the forge, as CI does."""
    run = run_checks(forge.git.path, pr.head, pr.base, tmp_path / name)
    head = forge.git.ref(f"refs/heads/{pr.head}")
    forge.set_status(head, "check", "success" if run.validate_code == 0 else "failure")
    shutil.rmtree(tmp_path / name)
    return run


def main_validates(forge, tmp_path: Path) -> bool:
    """`caselog validate` on a fresh checkout of main."""
    run = run_checks(forge.git.path, "main", "main", tmp_path / "main")
    shutil.rmtree(tmp_path / "main")
    return run.plain_validate_code == 0 and run.validate_code == 0


def test_on_github_every_change_is_a_pull_request_that_ci_checks(office, tmp_path):
    forge, url, today = office
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        clerk = GitHubClerk(signed_in(browser).new_page(), url, forge)

        # register a message: a branch and a draft pull request
        clerk.open(f"#/collections/cases-{today:%Y-%m}/new")
        clerk.register_example()
        pr = clerk.save()
        assert re.fullmatch(rf"cms/cases-{today:%Y-%m}/20260302-[0-9a-hjkmnp-tv-z]{{6}}", pr.head), pr.head
        [path] = pr.changed_files()
        case_id = re.fullmatch(r"cases/2026/03/(20260302-[0-9A-HJKMNP-TV-Z]{6})\.yaml", path).group(1)
        assert (pr.title, pr.base, pr.labels, pr.state) == (f"登记留言 {case_id}", "main", ["caselog/draft"], "open")
        run = checked(forge, pr, tmp_path, "pr-register")
        assert (run.validate_code, run.plain_validate_code, run.validate_output) == (0, 0, "")
        assert run.summary == (  # the job summary, and the comment the `comment` job posts
            "## 案件变更摘要（对比 origin/main）\n\n1 件案件有变更：新受理 1 件。\n\n"
            "| 编号 | 标题 | 变更 | 最终答复期限 |\n| --- | --- | --- | --- |\n"
            f"| `{case_id}` | 青溪大道东段路灯不亮 | 新受理 | 2026-03-23 |\n")

        # ready, then published: squash-merged into main, the branch deleted
        before = forge.git.ref("refs/heads/main")
        clerk.ready(pr)
        clerk.press_publish()
        clerk.wait(lambda: pr.merged, "the pull request merged")
        assert clerk.dialogs == ["你确定要发布此内容吗？"]
        main = forge.git.commit_info("refs/heads/main")
        assert main["parents"] == [before]
        assert main["message"] == f"登记留言 {case_id} (#{pr.number})\n\n{MERGED}"
        assert forge.git.ref(f"refs/heads/{pr.head}") is None
        clerk.page.wait_for_url(re.compile(rf".*#/collections/cases-2026(-03/entries/|/entries/03/){case_id}$"))
        expect(clerk.page.locator('[id^="title-field-"]')).to_have_value("青溪大道东段路灯不亮")
        assert main_validates(forge, tmp_path)

        # assign it, reply, close: a pull request each, checked and merged
        slug = f"#/collections/cases-2026/entries/03/{case_id}"
        steps = [
            ("交办", "2026-03-03", lambda: (clerk.choose("unit", "县住建局"),), "交办县住建局"),
            ("答复", "2026-03-10", lambda: (clerk.choose("unit", "县住建局"),
                                          clerk.page.locator('[id^="final-field-"]').last.click(),
                                          clerk.fill("text", REPLY)), "最终答复（县住建局）"),
            ("办结", "2026-03-12", lambda: (clerk.choose("outcome", "已解决"),), "办结（已解决）"),
        ]
        for label, date, fill_in, described in steps:
            clerk.open(slug)
            clerk.add_event(label, date)
            fill_in()
            pr = clerk.save()
            assert pr.head == f"cms/cases-2026/03/{case_id}" and pr.title == f"更新留言 {case_id}"
            assert pr.changed_files() == [path]
            run = checked(forge, pr, tmp_path, f"pr-{pr.number}")
            assert (run.validate_code, run.plain_validate_code, run.validate_output) == (0, 0, ""), label
            assert f"| `{case_id}` | 青溪大道东段路灯不亮 | {described} | " in run.summary, run.summary
            clerk.ready(pr)
            clerk.press_publish()
            clerk.wait(lambda pr=pr: pr.merged, f"the pull request of {label} merged")
        history = forge.git.git("log", "--format=%s", "-4", "main").splitlines()
        assert history == [f"更新留言 {case_id} (#{n})" for n in (4, 3, 2)] + [f"登记留言 {case_id} (#1)"]
        assert main_validates(forge, tmp_path)
        text = forge.git.blob(forge.git.resolve(f"main:{path}", "blob")).decode("utf-8")
        assert text.endswith(
            "events:\n"
            "  - date: 2026-03-02\n    type: accepted\n"
            "  - date: 2026-03-03\n    type: assigned\n    unit: housing-bureau\n    mode: assign\n"
            "  - date: 2026-03-10\n    type: replied\n    unit: housing-bureau\n    final: true\n"
            f"    text: |-\n      {REPLY.splitlines()[0]}\n      {REPLY.splitlines()[1]}\n"
            "  - date: 2026-03-12\n    type: closed\n    outcome: resolved\n")

        # an edit of the published reply: the pull request fails the checks and cannot be published
        clerk.open(slug)
        reply = clerk.page.locator('div[class*="ListItem"]', has_text="2026-03-10 答复")
        reply.locator("button").first.click()
        clerk.page.locator('textarea[id^="text-field-"]').first.fill("已全部更换。")
        pr = clerk.save()
        run = checked(forge, pr, tmp_path, "pr-edit")
        assert run.validate_code == 1
        lines = forge.git.blob(forge.git.resolve(f"{pr.head}:{path}", "blob")).decode("utf-8").splitlines()
        line = lines.index("    text: 已全部更换。") + 1
        assert run.validate_output.splitlines()[0] == (
            f"::error file={path},line={line},title=events[2]::改动了已公开的办理记录（text）；{APPEND_ONLY}")
        assert run.summary.endswith(
            "### 需要处理\n\n"
            f"- `{case_id}`：已合并的办理记录和收到时间、紧急程度只能追加、不能改动，校验不会通过。请撤销这处修改；"
            "如确需更正，在办理过程末尾追加一条“更正说明”（corrected），写明更正了什么。\n")
        before = forge.git.ref("refs/heads/main")
        clerk.ready(pr)
        clerk.press_publish()
        refused = clerk.page.get_by_text(f"发布失败: {NOT_MERGED}")
        refused.wait_for()
        assert forge.server.requests("PUT", rf"/repos/{REPOSITORY}/pulls/{pr.number}/merge")
        # Decap's own fallback would now write the change into main directly; caselog's page does not
        assert forge.server.requests("PATCH", rf"/repos/{REPOSITORY}/git/refs/heads/main") == []
        assert forge.git.ref("refs/heads/main") == before and pr.state == "open" and not pr.merged
        clerk.errors.remove(f"Failed to load resource: the server responded with a status of 405 (Method Not Allowed) "
                            f"({forge.api}/repos/{REPOSITORY}/pulls/{pr.number}/merge)")
        assert forge.server.failures == []
        hosts = clerk.hosts()
        assert hosts == {url.removesuffix("/admin/"), forge.server.url}, hosts
        assert clerk.errors == [], clerk.errors
        browser.close()


def test_on_github_enterprise_the_page_asks_no_status_page(office):
    forge, url, today = office
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = signed_in(browser)
        context.clock.install()
        clerk = GitHubClerk(context.new_page(), url, forge)
        clerk.page.goto(url + f"#/collections/cases-{today:%Y-%m}")
        clerk.page.get_by_text("新建留言").or_(clerk.page.get_by_role("link", name="留言")).first.wait_for()
        signed = len(forge.server.requests("GET", "/user"))
        clerk.page.clock.fast_forward("05:01")  # Decap checks the backend every five minutes
        clerk.wait(lambda: len(forge.server.requests("GET", "/user")) > signed, "the check of the signed-in user")
        hosts = clerk.hosts()
        assert hosts == {url.removesuffix("/admin/"), forge.server.url}, hosts
        assert clerk.errors == [], clerk.errors
        browser.close()

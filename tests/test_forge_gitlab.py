"""The editing interface against GitLab (gitlab.com or self-managed), as a clerk uses it: Decap CMS
in headless Chromium with the configuration `caselog admin-config --backend gitlab` makes, talking
to a stand-in of GitLab's REST API v4 (tests/forge_gitlab.py) over a real bare repository.

Every save is a branch cms/... and a merge request; what the pull-request workflow runs is run
on its head; publishing squash-merges it into main under the merge request's title.
"""

from __future__ import annotations

import json
import re
import shutil
from datetime import datetime
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
import yaml
from conftest import serve_directory
from forge_ci import run_checks
from forge_git import BareRepository
from forge_gitlab import TOKEN, GitLabStandIn
from test_admin_browser import ADMIN, ARGS, CHROMIUM, EDITOR_MARKS, caselog, demo_repository
from test_forge_github import APPEND_ONLY, NOT_MERGED, GitHubClerk

from caselog.cms import write_admin_site
from caselog.registry import load_registry

playwright_api = pytest.importorskip("playwright.sync_api")
sync_playwright, expect = playwright_api.sync_playwright, playwright_api.expect

pytestmark = EDITOR_MARKS
PROJECT = "qingxi/caselog"


class GitLabClerk(GitHubClerk):
    def save(self):
        known = set(self.forge.merge_requests)
        self.page.get_by_role("button", name="保存").click()
        self.page.get_by_role("button", name="状态: 草稿").wait_for()
        [iid] = self.wait(lambda: [n for n in self.forge.merge_requests if n not in known], "a new merge request")
        return self.forge.merge_requests[iid]

    def ready(self, mr) -> None:
        self.page.get_by_role("button", name="状态: 草稿").click()
        self.page.get_by_text("就绪", exact=True).click()
        self.page.get_by_role("button", name="状态: 就绪").wait_for()
        self.wait(lambda: mr.labels == ["caselog/pending_publish"], "the label of a merge request ready")


def test_on_gitlab_every_change_is_a_merge_request_that_ci_checks(tmp_path):
    root = demo_repository(tmp_path)
    bare = BareRepository.clone(root, tmp_path / "forge" / "caselog.git")
    forge = GitLabStandIn(bare, PROJECT).start()
    forge.require_pipeline = True  # Settings -> Merge requests: pipelines must succeed
    printed = caselog(root, "admin-config", "--backend", "gitlab", "--repo", PROJECT, "--base-url",
                      forge.server.url, "--api-root", forge.api, "--app-id", "caselog-app")
    assert printed.exit_code == 0, printed.output
    config = yaml.safe_load(printed.output)
    assert config["backend"] == {
        "name": "caselog-gitlab", "repo": PROJECT, "branch": "main",
        "commit_messages": config["backend"]["commit_messages"], "squash_merges": True,
        "cms_label_prefix": "caselog/", "auth_type": "pkce", "app_id": "caselog-app",
        "base_url": forge.server.url, "api_root": forge.api}
    write_admin_site(ADMIN, tmp_path / "site" / "admin", config)
    today = datetime.now(ZoneInfo(load_registry(root).rules.timezone)).date()

    with serve_directory(tmp_path / "site") as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 1600}, locale="zh-CN",
                                      timezone_id="Asia/Shanghai")
        user = {"token": TOKEN, "backendName": "caselog-gitlab", "login": "qingxi-clerk", "name": "县信访办办事员"}
        context.add_init_script(f"window.localStorage.setItem('decap-cms-user', {json.dumps(json.dumps(user))});")
        clerk = GitLabClerk(context.new_page(), base + "/admin/", forge)

        def publish(mr) -> None:
            head = bare.ref(f"refs/heads/{mr.source}")
            run = run_checks(bare.path, mr.source, mr.target, tmp_path / f"mr-{mr.iid}")
            shutil.rmtree(tmp_path / f"mr-{mr.iid}")
            forge.pipelines[head] = "success" if run.validate_code == 0 else "failed"
            clerk.ready(mr)
            clerk.page.get_by_role("button", name="发布", exact=True).click()
            clerk.page.get_by_text("立即发布").click()
            clerk.wait(lambda: mr.state == "merged", f"merge request !{mr.iid} merged")
            return run

        # register a message: a branch and a merge request, checked, then published
        clerk.open(f"#/collections/cases-{today:%Y-%m}/new")
        clerk.register_example()
        mr = clerk.save()
        assert re.fullmatch(rf"cms/cases-{today:%Y-%m}/20260302-[0-9a-hjkmnp-tv-z]{{6}}", mr.source), mr.source
        [path] = bare.git("diff", "--name-only", f"main...{mr.source}").split()
        case_id = re.fullmatch(r"cases/2026/03/(20260302-[0-9A-HJKMNP-TV-Z]{6})\.yaml", path).group(1)
        assert (mr.title, mr.target, mr.labels, mr.squash) == (f"登记留言 {case_id}", "main", ["caselog/draft"], True)
        main = bare.ref("refs/heads/main")
        run = publish(mr)
        assert (run.validate_code, run.plain_validate_code, run.validate_output) == (0, 0, "")
        assert f"| `{case_id}` | 青溪大道东段路灯不亮 | 新受理 | " in run.summary
        merged = bare.commit_info("refs/heads/main")
        assert merged["parents"] == [main] and merged["message"] == f"登记留言 {case_id}"
        assert bare.ref(f"refs/heads/{mr.source}") is None  # the source branch removed
        clerk.page.wait_for_url(re.compile(rf".*#/collections/cases-2026(-03/entries/|/entries/03/){case_id}$"))
        expect(clerk.page.locator('[id^="title-field-"]')).to_have_value("青溪大道东段路灯不亮")

        # assign it: a second merge request, checked and published
        clerk.open(f"#/collections/cases-2026/entries/03/{case_id}")
        clerk.add_event("交办", "2026-03-03")
        clerk.choose("unit", "县住建局")
        mr = clerk.save()
        assert (mr.source, mr.title) == (f"cms/cases-2026/03/{case_id}", f"更新留言 {case_id}")
        run = publish(mr)
        assert (run.validate_code, run.plain_validate_code, run.validate_output) == (0, 0, "")
        assert f"| `{case_id}` | 青溪大道东段路灯不亮 | 交办县住建局 | " in run.summary
        assert bare.git("log", "--format=%s", "-2", "main").splitlines() == [
            f"更新留言 {case_id}", f"登记留言 {case_id}"]

        # an edit of the published assignment: the pipeline fails, the merge request cannot be published
        clerk.open(f"#/collections/cases-2026/entries/03/{case_id}")
        assigned = clerk.page.locator('div[class*="ListItem"]', has_text="2026-03-03 交办")
        assigned.locator("button").first.click()
        clerk.page.locator('textarea[id^="note-field-"]:visible').fill("请核实处理")
        mr = clerk.save()
        main = bare.ref("refs/heads/main")
        run = run_checks(bare.path, mr.source, mr.target, tmp_path / "mr-edit")
        lines = (tmp_path / "mr-edit" / path).read_text(encoding="utf-8").splitlines()
        assert run.validate_code == 1 and run.validate_output.splitlines()[0] == (
            f"::error file={path},line={lines.index('    note: 请核实处理') + 1},title=events[1]::"
            f"改动了已公开的办理记录（note）；{APPEND_ONLY}")
        assert "### 需要处理" in run.summary
        forge.pipelines[bare.ref(f"refs/heads/{mr.source}")] = "failed"
        clerk.ready(mr)
        clerk.page.get_by_role("button", name="发布", exact=True).click()
        clerk.page.get_by_text("立即发布").click()
        clerk.page.get_by_text(f"发布失败: {NOT_MERGED}").wait_for()
        assert bare.ref("refs/heads/main") == main and mr.state == "opened"
        title = quote(mr.title)
        clerk.errors.remove(  # GitLab's refusal, which the page tells the clerk in Chinese
            "Failed to load resource: the server responded with a status of 405 (Method Not Allowed) "
            f"({forge.api}/projects/qingxi%2Fcaselog/merge_requests/{mr.iid}/merge?merge_commit_message={title}"
            f"&squash_commit_message={title}&squash=true&should_remove_source_branch=true)")

        assert forge.server.failures == []
        hosts = clerk.hosts()
        assert hosts == {base, forge.server.url}, hosts
        assert clerk.errors == [], clerk.errors
        browser.close()
    forge.stop()

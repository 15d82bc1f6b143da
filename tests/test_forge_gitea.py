"""The editing interface against Gitea (and Forgejo, whose API is the same), as a clerk uses it:
Decap CMS in headless Chromium with the configuration `caselog admin-config --backend gitea`
makes, talking to a stand-in of Gitea's API (tests/forge_gitea.py) over a real bare repository.

Decap has no editorial workflow for Gitea, so each save is a commit on the branch caselog-edits;
the office's job keeps one pull request from it open (docs/office-setup.md), which pr.yml checks
and the office merges with a merge commit, after which caselog-edits is brought up to main.
"""

from __future__ import annotations

import json
import re
import shutil
import urllib.request
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import yaml
from conftest import serve_directory
from forge_ci import run_checks
from forge_git import BareRepository
from forge_gitea import GiteaStandIn
from forge_github import TOKEN
from test_admin_browser import ADMIN, ARGS, CHROMIUM, EDITOR_MARKS, caselog, demo_repository
from test_forge_github import GitHubClerk, signed_in

from caselog.cms import EDITS_BRANCH, write_admin_site
from caselog.registry import load_registry

playwright_api = pytest.importorskip("playwright.sync_api")
sync_playwright, expect = playwright_api.sync_playwright, playwright_api.expect

pytestmark = EDITOR_MARKS
REPOSITORY = "qingxi/caselog"


def gitea(forge: GiteaStandIn, method: str, path: str, body: dict) -> dict | None:
    """A call to the forge's API with the office job's token."""
    request = urllib.request.Request(f"{forge.api}/repos/{REPOSITORY}{path}", method=method,
                                     data=json.dumps(body).encode("utf-8"),
                                     headers={"Authorization": f"token {TOKEN}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request) as answer:
        text = answer.read()
    return json.loads(text) if text else None


def test_on_gitea_saves_go_to_the_edits_branch_and_its_pull_request_is_checked(tmp_path):
    root = demo_repository(tmp_path)
    bare = BareRepository.clone(root, tmp_path / "forge" / "caselog.git")
    bare.update_ref(f"refs/heads/{EDITS_BRANCH}", bare.ref("refs/heads/main"), "")  # made once, from main
    forge = GiteaStandIn(bare, REPOSITORY).start()
    printed = caselog(root, "admin-config", "--backend", "gitea", "--repo", REPOSITORY,
                      "--base-url", forge.server.url, "--app-id", "caselog-app")
    assert printed.exit_code == 0, printed.output
    config = yaml.safe_load(printed.output)
    assert config["backend"] == {
        "name": "caselog-gitea", "repo": REPOSITORY, "branch": EDITS_BRANCH,
        "commit_messages": config["backend"]["commit_messages"], "auth_type": "pkce", "app_id": "caselog-app",
        "base_url": forge.server.url, "api_root": forge.api}  # <base-url>/api/v1 when --api-root is not given
    assert config["publish_mode"] == "simple"
    write_admin_site(ADMIN, tmp_path / "site" / "admin", config)
    main = bare.ref("refs/heads/main")

    with serve_directory(tmp_path / "site") as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        url = base + "/admin/"
        clerk = GitHubClerk(signed_in(browser, "caselog-gitea").new_page(), url, forge)

        def save() -> str:
            before = bare.ref(f"refs/heads/{EDITS_BRANCH}")
            clerk.page.get_by_role("button", name="发布", exact=True).click()
            clerk.page.get_by_text("立即发布").click()
            return clerk.wait(lambda: bare.ref(f"refs/heads/{EDITS_BRANCH}") != before
                              and bare.ref(f"refs/heads/{EDITS_BRANCH}"), "a commit on the edits branch")

        # register a message: a commit on caselog-edits, main untouched
        today = datetime.now(ZoneInfo(load_registry(root).rules.timezone)).date()
        clerk.open(f"#/collections/cases-{today:%Y-%m}/new")
        clerk.register_example()
        head = save()
        [path] = bare.git("diff", "--name-only", main, head).split()
        case_id = re.fullmatch(r"cases/2026/03/(20260302-[0-9A-HJKMNP-TV-Z]{6})\.yaml", path).group(1)
        assert bare.commit_info(head)["message"] == f"登记留言 {case_id}"
        assert bare.commit_info(head)["parents"] == [main] and bare.ref("refs/heads/main") == main
        clerk.page.wait_for_url(re.compile(rf".*#/collections/cases-2026(-03/entries/|/entries/03/){case_id}$"))
        expect(clerk.page.locator('[id^="title-field-"]')).to_have_value("青溪大道东段路灯不亮")

        # assign it: a second commit on the same branch
        clerk.open(f"#/collections/cases-2026/entries/03/{case_id}")
        clerk.add_event("交办", "2026-03-03")
        clerk.choose("unit", "县住建局")
        head = save()
        assert bare.commit_info(head)["message"] == f"更新留言 {case_id}"
        assert bare.git("diff", "--name-only", f"{head}~1", head).split() == [path]

        # the office's job opens the standing pull request; pr.yml checks it; the office merges it
        pr = gitea(forge, "POST", "/pulls", {"head": EDITS_BRANCH, "base": "main", "title": "网页编辑的留言更新"})
        run = run_checks(bare.path, EDITS_BRANCH, "main", tmp_path / "check-1")
        assert (run.validate_code, run.plain_validate_code, run.validate_output) == (0, 0, "")
        assert f"| `{case_id}` | 青溪大道东段路灯不亮 | 新受理；交办县住建局 | " in run.summary, run.summary
        shutil.rmtree(tmp_path / "check-1")
        gitea(forge, "POST", f"/pulls/{pr['number']}/merge", {"Do": "merge"})
        merged = bare.commit_info("refs/heads/main")
        assert merged["parents"] == [main, head]  # a merge commit: main has all of caselog-edits' history
        # then the job brings caselog-edits up to main (a fast-forward), so the editor shows main
        bare.update_ref(f"refs/heads/{EDITS_BRANCH}", merged["sha"], head)

        # the next save goes into a new pull request from the same branch, with only that save
        clerk.open(f"#/collections/cases-2026/entries/03/{case_id}")
        clerk.add_event("办结", "2026-03-12")
        clerk.choose("outcome", "网民撤回")
        save()
        pr = gitea(forge, "POST", "/pulls", {"head": EDITS_BRANCH, "base": "main", "title": "网页编辑的留言更新"})
        assert pr["number"] == 2 and forge.git.git("diff", "--name-only", "main...caselog-edits").split() == [path]
        run = run_checks(bare.path, EDITS_BRANCH, "main", tmp_path / "check-2")
        assert (run.validate_code, run.plain_validate_code, run.validate_output) == (0, 0, "")
        assert f"| `{case_id}` | 青溪大道东段路灯不亮 | 办结（撤回） | " in run.summary, run.summary

        assert forge.server.failures == []
        hosts = clerk.hosts()
        assert hosts == {base, forge.server.url}, hosts
        assert clerk.errors == [], clerk.errors
        browser.close()
    forge.stop()

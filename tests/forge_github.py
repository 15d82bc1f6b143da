"""A stand-in for GitHub's REST API v3, as much of it as Decap CMS 3.16's GitHub backend calls
(REST, not GraphQL, with the editorial workflow), over a real bare git repository.

Read from admin/node_modules/decap-cms-backend-github/src/{API.ts,implementation.tsx}: the user
and the repository's permissions at sign-in; trees (`<ref>:<folder>`), blobs and the commits of a
file to list and read cases; blobs, trees, commits and refs to save; branches, compare, pull
requests and their labels (the workflow's status), the merge (squash), and the issue search of
Decap's notes. Pull requests live in memory; everything else is git.

Run by hand: `python tests/forge_github.py DIR` serves a bare copy of the git repository DIR.
"""

from __future__ import annotations

import base64
import itertools
import re
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from forge_git import BareRepository, GitFailed
from forge_http import Answer, ApiError, ForgeServer, Request, StandIn, route

TOKEN = "stand-in-token"  # the token the test puts where Decap keeps the signed-in user
USER = {"login": "qingxi-clerk", "id": 1001, "name": "县信访办办事员", "email": "clerk@example.org",
        "avatar_url": "", "type": "User"}


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class PullRequest:
    """A pull request as the stand-in keeps it."""

    number: int
    title: str
    body: str
    head: str  # branch name
    base: str
    labels: list[str] = field(default_factory=list)
    state: str = "open"
    merged: bool = False
    merge_commit: str | None = None
    head_sha: str | None = None  # the head's commit when it was merged or closed
    created_at: str = field(default_factory=now)
    updated_at: str = field(default_factory=now)
    statuses: list[dict] = field(default_factory=list)


class GitHubStandIn(StandIn):
    """GitHub for one repository `owner/name`, at `<url>/api/v3` (a GitHub Enterprise address)."""

    API_ROOT = "/api/v3"

    def __init__(self, repository: BareRepository, full_name: str = "qingxi/caselog",
                 default_branch: str = "main"):
        self.git = repository
        self.full_name = full_name
        self.owner = full_name.split("/")[0]
        self.default_branch = default_branch
        self.pulls: dict[int, PullRequest] = {}
        self.issues: dict[int, dict] = {}
        self.numbers = itertools.count(1)  # pull requests and issues share their numbers
        self.protected = {default_branch}  # changed only by merging a pull request
        self.required_checks: set[str] = set()  # contexts that must be "success" to merge
        self.statuses: dict[str, list[dict]] = {}  # commit sha -> statuses, newest first
        prefix = f"/repos/{full_name}"
        self.server = ForgeServer(self.API_ROOT, self.routes("REPO", re.escape(prefix)), TOKEN,
                                  lambda headers: headers.get("authorization", "").removeprefix("token "))

    # -- helpers

    def commit_json(self, sha: str) -> dict:
        info = self.git.commit_info(sha)
        return {"sha": sha, "node_id": sha, "url": f"{self.api}/repos/{self.full_name}/git/commits/{sha}",
                "html_url": f"{self.server.url}/{self.full_name}/commit/{sha}",
                "author": info["author"], "committer": info["committer"], "message": info["message"],
                "tree": {"sha": info["tree"]}, "parents": [{"sha": p} for p in info["parents"]]}

    def repo_commit_json(self, sha: str) -> dict:
        """A commit as /commits and /compare list it."""
        commit = self.commit_json(sha)
        return {"sha": sha, "commit": {key: commit[key] for key in ("author", "committer", "message", "tree")},
                "parents": commit["parents"], "author": {"login": USER["login"]},
                "committer": {"login": USER["login"]}}

    def ref_json(self, name: str, sha: str) -> dict:
        return {"ref": name, "url": f"{self.api}/repos/{self.full_name}/git/{name}",
                "object": {"sha": sha, "type": "commit"}}

    def pull_json(self, pr: PullRequest) -> dict:
        head_sha = self.git.ref(f"refs/heads/{pr.head}") or pr.head_sha
        repo = {"full_name": self.full_name, "fork": False, "name": self.full_name.split("/")[1],
                "owner": {"login": self.owner}}
        return {"number": pr.number, "id": pr.number, "title": pr.title, "body": pr.body, "state": pr.state,
                "merged": pr.merged, "merged_at": pr.updated_at if pr.merged else None,
                "merge_commit_sha": pr.merge_commit, "created_at": pr.created_at, "updated_at": pr.updated_at,
                "html_url": f"{self.server.url}/{self.full_name}/pull/{pr.number}", "user": {"login": USER["login"]},
                "labels": [{"name": name, "color": "ededed", "description": ""} for name in pr.labels],
                "head": {"ref": pr.head, "sha": head_sha, "label": f"{self.owner}:{pr.head}", "repo": repo},
                "base": {"ref": pr.base, "sha": self.git.ref(f"refs/heads/{pr.base}"), "repo": repo}}

    def pull(self, number: str) -> PullRequest:
        pr = self.pulls.get(int(number))
        if not pr:
            raise ApiError(404, {"message": "Not Found"})
        return pr

    def head_branch(self, head: str) -> str:
        """`owner:branch` or `branch`."""
        return head.split(":", 1)[1] if ":" in head else head

    def open_pulls(self) -> list[PullRequest]:
        """The open pull requests (for the tests)."""
        return [pr for pr in self.pulls.values() if pr.state == "open"]

    def set_status(self, sha: str, context: str, state: str, description: str = "") -> None:
        """What CI does when it has checked a commit (POST /statuses/:sha)."""
        self.statuses.setdefault(sha, []).insert(0, {"context": context, "state": state,
                                                     "description": description, "target_url": None})

    # -- the signed-in user and the repository

    @route("GET", r"/user")
    def user(self, request: Request):
        return USER

    @route("GET", r"/users/(?P<login>[^/]+)")
    def other_user(self, request: Request, login: str):
        if login != USER["login"]:
            raise ApiError(404, {"message": "Not Found"})
        return USER

    @route("GET", r"REPO")
    def repository(self, request: Request):
        return {"full_name": self.full_name, "name": self.full_name.split("/")[1], "private": True,
                "fork": False, "default_branch": self.default_branch, "owner": {"login": self.owner},
                "permissions": {"admin": False, "maintain": False, "push": True, "triage": True, "pull": True}}

    @route("GET", r"REPO/collaborators/(?P<login>[^/]+)/permission")
    def permission(self, request: Request, login: str):
        return {"permission": "write" if login == USER["login"] else "none", "user": {"login": login}}

    # -- reading files

    @route("GET", r"REPO/git/trees/(?P<tree>.+)")
    def tree(self, request: Request, tree: str):
        sha = self.git.resolve(tree, "tree")
        if not sha:
            raise ApiError(404, {"message": "Not Found"})
        entries = self.git.tree_entries(sha, recursive=request.query.get("recursive") == "1")
        return {"sha": sha, "truncated": False,
                "tree": [{"path": e["path"], "mode": e["mode"], "type": e["type"], "sha": e["sha"],
                          **({"size": e["size"]} if e["size"] is not None else {})} for e in entries]}

    @route("GET", r"REPO/git/blobs/(?P<sha>[0-9a-f]{40})")
    def blob(self, request: Request, sha: str):
        try:
            content = self.git.blob(sha)
        except GitFailed:
            raise ApiError(404, {"message": "Not Found"}) from None
        return {"sha": sha, "size": len(content), "encoding": "base64",
                "content": base64.encodebytes(content).decode("ascii")}

    @route("GET", r"REPO/commits")
    def commits(self, request: Request):
        rev = request.query.get("sha", self.default_branch)
        return [self.repo_commit_json(sha) for sha in self.git.log(rev, request.query.get("path"))[:30]]

    @route("GET", r"REPO/commits/(?P<ref>.+)/status")
    def combined_status(self, request: Request | None, ref: str):
        sha = self.git.resolve(ref) or ref
        statuses = self.statuses.get(sha, [])
        latest = {s["context"]: s for s in reversed(statuses)}
        states = {s["state"] for s in latest.values()}
        state = "failure" if states & {"failure", "error"} else "pending" if "pending" in states or not states \
            else "success"
        return {"state": state, "sha": sha, "statuses": list(latest.values())}

    @route("POST", r"REPO/statuses/(?P<sha>[0-9a-f]{40})")
    def create_status(self, request: Request, sha: str):
        self.set_status(sha, request.body.get("context", "default"), request.body["state"],
                        request.body.get("description", ""))
        return Answer(self.statuses[sha][0], 201)

    @route("GET", r"REPO/branches/(?P<branch>.+)")
    def branch(self, request: Request, branch: str):
        sha = self.branch_sha(branch)
        return {"name": branch, "commit": {"sha": sha, "commit": self.commit_json(sha)},
                "protected": branch in self.protected}

    @route("GET", r"REPO/compare/(?P<base>.+?)\.\.\.(?P<head>.+)")
    def compare(self, request: Request, base: str, head: str):
        base_sha = self.git.resolve(self.head_branch(base))
        head_sha = self.git.resolve(self.head_branch(head))
        if not base_sha or not head_sha:
            raise ApiError(404, {"message": "Not Found"})
        merge_base = self.git.merge_base(base_sha, head_sha)
        commits = list(reversed(self.git.log(head_sha, exclude=merge_base)))
        files = [{"sha": c.new_sha, "filename": c.path, "status": c.status, "patch": c.patch,
                  "additions": 1, "deletions": 0, "changes": 1} for c in self.git.changes(merge_base, head_sha)]
        ahead, behind = len(commits), len(self.git.log(base_sha, exclude=merge_base))
        return {"status": "ahead" if not behind else "diverged" if ahead else "behind",
                "ahead_by": ahead, "behind_by": behind, "total_commits": ahead,
                "base_commit": self.repo_commit_json(base_sha),
                "merge_base_commit": self.repo_commit_json(merge_base),
                "commits": [self.repo_commit_json(sha) for sha in commits], "files": files}

    # -- writing: blobs, trees, commits, refs

    @route("POST", r"REPO/git/blobs")
    def create_blob(self, request: Request):
        content = request.body["content"]
        data = base64.b64decode(content) if request.body.get("encoding") == "base64" else content.encode("utf-8")
        return Answer({"sha": self.git.write_blob(data), "url": ""}, 201)

    @route("POST", r"REPO/git/trees")
    def create_tree(self, request: Request):
        base = request.body.get("base_tree")
        base_tree = self.git.resolve(base, "tree") if base else None
        if base and not base_tree:
            raise ApiError(422, {"message": "Invalid tree info"})
        files = [(entry["path"], entry["sha"]) for entry in request.body["tree"]]
        sha = self.git.write_tree(base_tree, files)
        return Answer({"sha": sha, "tree": self.tree(request, sha)["tree"], "truncated": False}, 201)

    @route("POST", r"REPO/git/commits")
    def create_commit(self, request: Request):
        body = request.body
        author = body.get("author") or {"name": USER["name"], "email": USER["email"]}
        sha = self.git.write_commit(body["tree"], body.get("parents") or [], body["message"], author,
                                    body.get("committer"))
        return Answer(self.commit_json(sha), 201)

    @route("GET", r"REPO/git/(?P<name>refs/.+)")
    def get_ref(self, request: Request, name: str):
        sha = self.git.ref(name)
        if sha and self.git.refs(name).get(name):
            return self.ref_json(name, sha)
        matching = [self.ref_json(ref, sha) for ref, sha in self.git.refs(name + "/").items()]
        if matching:
            return matching
        raise ApiError(404, {"message": "Not Found"})

    @route("POST", r"REPO/git/refs")
    def create_ref(self, request: Request):
        name, sha = request.body["ref"], request.body["sha"]
        with self.git.lock:
            if self.git.ref(name):
                raise ApiError(422, {"message": "Reference already exists"})
            try:
                self.git.update_ref(name, sha, "")
            except GitFailed:
                raise ApiError(422, {"message": "Reference update failed"}) from None
        return Answer(self.ref_json(name, sha), 201)

    @route("PATCH", r"REPO/git/(?P<name>refs/heads/.+)")
    def update_ref(self, request: Request, name: str):
        sha, force = request.body["sha"], request.body.get("force", False)
        branch = name.removeprefix("refs/heads/")
        with self.git.lock:
            old = self.git.ref(name)
            if not old:
                raise ApiError(422, {"message": "Reference does not exist"})
            if branch in self.protected:
                raise ApiError(422, {"message": f"Protected branch update failed for {name}."})
            if not force and not self.git.is_ancestor(old, sha):
                raise ApiError(422, {"message": "Update is not a fast forward"})
            self.git.update_ref(name, sha, old)
        return self.ref_json(name, sha)

    @route("DELETE", r"REPO/git/(?P<name>refs/heads/.+)")
    def delete_ref(self, request: Request, name: str):
        with self.git.lock:
            if not self.git.ref(name):
                raise ApiError(422, {"message": "Reference does not exist"})
            if name.removeprefix("refs/heads/") in self.protected:
                raise ApiError(422, {"message": f"Protected branch update failed for {name}."})
            self.git.update_ref(name, None)
        return Answer(None, 204)

    # -- pull requests

    @route("GET", r"REPO/pulls")
    def list_pulls(self, request: Request):
        query = request.query
        state = query.get("state", "open")
        found = [pr for pr in self.pulls.values()
                 if (state == "all" or pr.state == state)
                 and ("head" not in query or pr.head == self.head_branch(query["head"]))
                 and ("base" not in query or pr.base == query["base"])]
        return [self.pull_json(pr) for pr in sorted(found, key=lambda pr: -pr.number)]

    @route("POST", r"REPO/pulls")
    def create_pull(self, request: Request):
        body = request.body
        head, base = self.head_branch(body["head"]), body["base"]
        self.branch_sha(head)
        self.branch_sha(base)
        if any(pr.head == head and pr.base == base and pr.state == "open" for pr in self.pulls.values()):
            raise ApiError(422, {"message": "Validation Failed",
                                 "errors": [{"message": f"A pull request already exists for {body['head']}."}]})
        pr = PullRequest(next(self.numbers), body["title"], body.get("body", ""), head, base)
        self.pulls[pr.number] = pr
        return Answer(self.pull_json(pr), 201)

    @route("GET", r"REPO/pulls/(?P<number>\d+)")
    def get_pull(self, request: Request, number: str):
        return self.pull_json(self.pull(number))

    @route("PATCH", r"REPO/pulls/(?P<number>\d+)")
    def update_pull(self, request: Request, number: str):
        pr = self.pull(number)
        if "state" in request.body and not pr.merged:
            pr.state = request.body["state"]
            pr.head_sha = self.git.ref(f"refs/heads/{pr.head}") or pr.head_sha
        pr.title = request.body.get("title", pr.title)
        pr.updated_at = now()
        return self.pull_json(pr)

    @route("GET", r"REPO/pulls/(?P<number>\d+)/commits")
    def pull_commits(self, request: Request, number: str):
        pr = self.pull(number)
        head = self.branch_sha(pr.head)
        return [self.repo_commit_json(sha) for sha in reversed(self.git.log(head, exclude=pr.base))]

    @route("PUT", r"REPO/pulls/(?P<number>\d+)/merge")
    def merge_pull(self, request: Request, number: str):
        body = request.body or {}
        sha = self.merge(self.pull(number), body.get("merge_method", "merge"), body.get("sha"),
                         body.get("commit_message", ""))
        return {"sha": sha, "merged": True, "message": "Pull Request successfully merged"}

    def merge(self, pr: PullRequest, method: str, expected_head: str | None, body: str) -> str:
        """Merge (or squash) a pull request into its base, as the forge's merge button does."""
        with self.git.lock:
            if pr.state != "open":
                raise ApiError(405, {"message": "Pull Request is not mergeable"})
            head = self.branch_sha(pr.head)
            if expected_head and expected_head != head:
                raise ApiError(409, {"message": "Head branch was modified. Review and try the merge again."})
            statuses = self.combined_status(None, head)["statuses"]
            failing = [context for context in sorted(self.required_checks)
                       if not any(s["context"] == context and s["state"] == "success" for s in statuses)]
            if failing:
                raise ApiError(405, {"message": f"Required status check \"{failing[0]}\" is failing."})
            base = self.branch_sha(pr.base)
            tree = self.git.merged_tree(base, head)
            if tree is None:
                raise ApiError(405, {"message": "Pull Request is not mergeable"})
            author = {"name": USER["name"], "email": USER["email"]}
            if method == "squash":
                message = f"{pr.title} (#{pr.number})\n\n{body}".rstrip()
                sha = self.git.write_commit(tree, [base], message, author)
            else:
                message = f"Merge pull request #{pr.number} from {self.owner}/{pr.head}\n\n{pr.title}"
                sha = self.git.write_commit(tree, [base, head], message, author)
            self.git.update_ref(f"refs/heads/{pr.base}", sha, base)
            pr.state, pr.merged, pr.merge_commit, pr.head_sha = "closed", True, sha, head
            pr.updated_at = now()
        return sha

    @route("PUT", r"REPO/issues/(?P<number>\d+)/labels")
    def set_labels(self, request: Request, number: str):
        pr = self.pull(number)
        pr.labels = list(request.body["labels"])
        pr.updated_at = now()
        return [{"name": name} for name in pr.labels]

    # -- Decap's notes (issues labelled decap-cms-notes): searched on every publish

    @route("GET", r"/search/issues")
    def search_issues(self, request: Request):
        words = request.query.get("q", "")
        items = [issue for issue in self.issues.values()
                 if all(part.strip('"') in issue["body"] for part in words.split()
                        if part.startswith('"'))]
        return {"total_count": len(items), "incomplete_results": False, "items": items}

    @route("POST", r"REPO/issues")
    def create_issue(self, request: Request):
        number = next(self.numbers)
        issue = {"number": number, "id": number, "title": request.body["title"], "body": request.body["body"],
                 "state": "open", "comments": 0, "labels": [{"name": n} for n in request.body.get("labels", [])],
                 "html_url": f"{self.server.url}/{self.full_name}/issues/{number}", "created_at": now(),
                 "updated_at": now(), "user": {"login": USER["login"], "avatar_url": ""}}
        self.issues[number] = issue
        return Answer(issue, 201)

    @route("GET", r"REPO/issues/(?P<number>\d+)/comments")
    def issue_comments(self, request: Request, number: str):
        return []


def main(argv: list[str]) -> None:
    """Serve a bare copy of the repository argv[0] until interrupted (to try the editor by hand)."""
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        forge = GitHubStandIn(BareRepository.clone(Path(argv[0]), Path(scratch) / "repo.git")).start()
        print(f"GitHub stand-in: api_root {forge.api}, token {TOKEN}", flush=True)
        try:
            forge.server.thread.join()
        except KeyboardInterrupt:
            forge.stop()


if __name__ == "__main__":
    main(sys.argv[1:])

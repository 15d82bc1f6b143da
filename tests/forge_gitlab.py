"""A stand-in for GitLab's REST API v4, as much of it as Decap CMS 3.16's GitLab backend calls
(REST, not GraphQL, with the editorial workflow), over a real bare git repository.

Read from admin/node_modules/decap-cms-backend-gitlab/src/{API.ts,implementation.ts,notesApi.ts}:
the user and the project's access level; the repository tree (paged by headers), raw files and
their blob ids (HEAD), the commits of a file; a commit with actions (create, update, move,
delete), on a new branch from `start_branch`; compare; merge requests with labels (the workflow's
status), rebase and merge (squash: one commit on the target with the squash message); branches;
and the issue search of Decap's notes. Merge requests live in memory; everything else is git.
"""

from __future__ import annotations

import base64
import itertools
import re
from dataclasses import dataclass, field
from urllib.parse import quote

from forge_git import BareRepository
from forge_github import USER, now
from forge_http import Answer, ApiError, ForgeServer, Request, StandIn, route

TOKEN = "stand-in-token"


@dataclass
class MergeRequest:
    iid: int
    title: str
    source: str
    target: str
    labels: list[str]
    squash: bool = False
    remove_source: bool = False
    state: str = "opened"
    merge_commit: str | None = None
    sha: str | None = None  # the source's head when merged or closed
    updated_at: str = field(default_factory=now)


class GitLabStandIn(StandIn):
    """GitLab for one project `group/name`, at `<url>/api/v4`."""

    NO_BRANCH = "404 Branch Not Found"

    def __init__(self, repository: BareRepository, path: str = "qingxi/caselog", default_branch: str = "main"):
        self.git = repository
        self.path = path
        self.default_branch = default_branch
        self.merge_requests: dict[int, MergeRequest] = {}
        self.iids = itertools.count(1)
        self.pipelines: dict[str, str] = {}  # commit sha -> success | failed (what CI reported)
        self.require_pipeline = False  # "pipelines must succeed" (Settings -> Merge requests)
        prefix = re.escape(f"/projects/{quote(path, safe='')}")
        self.server = ForgeServer("/api/v4", self.routes("PROJECT", prefix), TOKEN,
                                  lambda headers: headers.get("authorization", "").removeprefix("Bearer "))

    # -- helpers

    def mr_json(self, mr: MergeRequest) -> dict:
        return {"iid": mr.iid, "id": mr.iid, "title": mr.title, "state": mr.state, "labels": mr.labels,
                "source_branch": mr.source, "target_branch": mr.target, "squash": mr.squash,
                "sha": self.git.ref(f"refs/heads/{mr.source}") or mr.sha, "merge_commit_sha": mr.merge_commit,
                "updated_at": mr.updated_at, "author": {"name": USER["name"], "username": USER["login"]},
                "rebase_in_progress": False, "merge_error": None,
                "web_url": f"{self.server.url}/{self.path}/-/merge_requests/{mr.iid}"}

    def merge_request(self, iid: str) -> MergeRequest:
        mr = self.merge_requests.get(int(iid))
        if not mr:
            raise ApiError(404, {"message": "404 Not found"})
        return mr

    def open_merge_requests(self) -> list[MergeRequest]:
        return [mr for mr in self.merge_requests.values() if mr.state == "opened"]

    # -- user and project

    @route("GET", r"/user")
    def user(self, request: Request):
        return {"id": USER["id"], "username": USER["login"], "name": USER["name"], "email": USER["email"],
                "avatar_url": ""}

    @route("GET", r"PROJECT")
    def project(self, request: Request):
        return {"id": 7, "path_with_namespace": self.path, "default_branch": self.default_branch,
                "shared_with_groups": [], "permissions": {"project_access": {"access_level": 30},
                                                          "group_access": None}}

    # -- reading

    @route("GET", r"PROJECT/repository/tree")
    def tree(self, request: Request):
        query = request.query
        folder, ref = query.get("path", "").strip("/"), query.get("ref", self.default_branch)
        tree = self.git.resolve(f"{ref}:{folder}" if folder else ref, "tree")
        if not tree:
            raise ApiError(404, {"message": "404 Tree Not Found"})
        entries = self.git.tree_entries(tree, recursive=query.get("recursive") == "true")
        items = [{"id": e["sha"], "name": e["path"].split("/")[-1], "type": e["type"], "mode": e["mode"],
                  "path": f"{folder}/{e['path']}" if folder else e["path"]} for e in entries]
        pages = {"X-Page": "1", "X-Total-Pages": "1", "X-Per-Page": str(max(len(items), 1)),
                 "X-Total": str(len(items))}
        return Answer(items, 200, pages)

    def file(self, ref: str, path: str) -> tuple[str, bytes]:
        found = self.git.file_at(ref, path)
        if not found:
            raise ApiError(404, {"message": "404 File Not Found"})
        return found

    @route("GET", r"PROJECT/repository/files/(?P<path>[^/]+)/raw")
    def raw(self, request: Request, path: str):
        return Answer(self.file(request.query.get("ref", self.default_branch), path)[1])

    @route("HEAD", r"PROJECT/repository/files/(?P<path>[^/]+)")
    def file_head(self, request: Request, path: str):
        sha, content = self.file(request.query.get("ref", self.default_branch), path)
        return Answer(None, 200, {"X-Gitlab-Blob-Id": sha, "X-Gitlab-Size": str(len(content))})

    def commit_json(self, sha: str) -> dict:
        info = self.git.commit_info(sha)
        return {"id": sha, "short_id": sha[:8], "title": info["message"].splitlines()[0],
                "message": info["message"], "parent_ids": info["parents"],
                "author_name": info["author"]["name"], "author_email": info["author"]["email"],
                "authored_date": info["author"]["date"], "committed_date": info["committer"]["date"]}

    @route("GET", r"PROJECT/repository/commits")
    def commits(self, request: Request):
        rev = request.query.get("ref_name", self.default_branch)
        return [self.commit_json(sha) for sha in self.git.log(rev, request.query.get("path"))[:20]]

    @route("GET", r"PROJECT/repository/commits/(?P<sha>[0-9a-f]{40})/refs")
    def commit_refs(self, request: Request, sha: str):
        return [{"type": "branch", "name": ref.removeprefix("refs/heads/")}
                for ref, head in self.git.refs().items() if self.git.is_ancestor(sha, head)]

    @route("GET", r"PROJECT/repository/commits/(?P<sha>[0-9a-f]{40})/statuses")
    def statuses(self, request: Request, sha: str):
        state = self.pipelines.get(sha)
        return [{"name": "validate", "status": state, "target_url": None}] if state else []

    @route("GET", r"PROJECT/repository/compare")
    def compare(self, request: Request):
        start = self.git.resolve(request.query["from"])
        end = self.git.resolve(request.query["to"])
        if not start or not end:
            raise ApiError(404, {"message": "404 Ref Not Found"})
        base = self.git.merge_base(start, end)
        diffs = [{"old_path": c.path, "new_path": c.path, "new_file": c.status == "added",
                  "deleted_file": c.status == "removed", "renamed_file": False,
                  "diff": c.patch or "Binary files differ"} for c in self.git.changes(base, end)]
        return {"commit": self.commit_json(end), "diffs": diffs, "compare_same_ref": start == end}

    @route("GET", r"PROJECT/repository/branches/(?P<branch>[^/]+)")
    def branch(self, request: Request, branch: str):
        sha = self.branch_sha(branch)
        return {"name": branch, "commit": self.commit_json(sha), "protected": branch == self.default_branch,
                "developers_can_push": False, "developers_can_merge": False}

    @route("DELETE", r"PROJECT/repository/branches/(?P<branch>[^/]+)")
    def delete_branch(self, request: Request, branch: str):
        with self.git.lock:
            self.branch_sha(branch)
            if branch == self.default_branch:
                raise ApiError(403, {"message": "403 Forbidden"})
            self.git.update_ref(f"refs/heads/{branch}", None)
        return Answer(None, 204)

    # -- writing

    @route("POST", r"PROJECT/repository/commits")
    def create_commit(self, request: Request):
        body = request.body
        branch, start = body["branch"], body.get("start_branch")
        with self.git.lock:
            existing = self.git.ref(f"refs/heads/{branch}")
            if start and existing:
                raise ApiError(400, {"message": f"Could not update {branch}. A branch named {branch} already exists."})
            if branch == self.default_branch:
                raise ApiError(403, {"message": "You are not allowed to push into this branch"})
            parent = self.branch_sha(start) if start else self.branch_sha(branch)
            files: list[tuple[str, str | None]] = []
            for action in body["actions"]:
                kind, path = action["action"], action["file_path"]
                exists = self.git.resolve(f"{parent}:{action.get('previous_path') or path}", "blob")
                if kind == "create" and exists:
                    raise ApiError(400, {"message": "A file with this name already exists"})
                if kind in ("update", "move", "delete") and not exists:
                    raise ApiError(400, {"message": "A file with this name doesn't exist"})
                if kind == "move":
                    files.append((action["previous_path"], None))
                if kind == "delete":
                    files.append((path, None))
                    continue
                content = action.get("content", "")
                data = base64.b64decode(content) if action.get("encoding") == "base64" else content.encode("utf-8")
                files.append((path, self.git.write_blob(data) if "content" in action else exists))
            tree = self.git.write_tree(parent, files)
            author = {"name": body.get("author_name") or USER["name"], "email": body.get("author_email") or USER["email"]}
            sha = self.git.write_commit(tree, [parent], body["commit_message"], author)
            self.git.update_ref(f"refs/heads/{branch}", sha, existing if not start else "")
        return Answer(self.commit_json(sha), 201)

    # -- merge requests (Decap sends their fields as query parameters)

    @route("GET", r"PROJECT/merge_requests")
    def list_merge_requests(self, request: Request):
        query = request.query
        found = [mr for mr in self.merge_requests.values()
                 if query.get("state", "all") in ("all", mr.state)
                 and query.get("target_branch", mr.target) == mr.target
                 and query.get("source_branch", mr.source) == mr.source
                 and (query.get("labels") != "None" or not mr.labels)]
        return [self.mr_json(mr) for mr in sorted(found, key=lambda mr: -mr.iid)]

    @route("POST", r"PROJECT/merge_requests")
    def create_merge_request(self, request: Request):
        query = {**request.query, **(request.body or {})}
        self.branch_sha(query["source_branch"])
        if any(mr.source == query["source_branch"] and mr.state == "opened" for mr in self.merge_requests.values()):
            raise ApiError(409, {"message": ["Another open merge request already exists for this source branch"]})
        mr = MergeRequest(next(self.iids), query["title"], query["source_branch"], query["target_branch"],
                          [label for label in query.get("labels", "").split(",") if label],
                          str(query.get("squash")).lower() == "true",
                          str(query.get("remove_source_branch")).lower() == "true")
        self.merge_requests[mr.iid] = mr
        return Answer(self.mr_json(mr), 201)

    @route("GET", r"PROJECT/merge_requests/(?P<iid>\d+)")
    def get_merge_request(self, request: Request, iid: str):
        return self.mr_json(self.merge_request(iid))

    @route("PUT", r"PROJECT/merge_requests/(?P<iid>\d+)")
    def update_merge_request(self, request: Request, iid: str):
        mr = self.merge_request(iid)
        query = {**request.query, **(request.body or {})}
        if "labels" in query:
            mr.labels = [label for label in query["labels"].split(",") if label]
        if query.get("state_event") == "close" and mr.state == "opened":
            mr.state, mr.sha = "closed", self.git.ref(f"refs/heads/{mr.source}")
        mr.updated_at = now()
        return self.mr_json(mr)

    @route("PUT", r"PROJECT/merge_requests/(?P<iid>\d+)/rebase")
    def rebase(self, request: Request, iid: str):
        mr = self.merge_request(iid)
        if not self.git.is_ancestor(self.branch_sha(mr.target), self.branch_sha(mr.source)):
            raise ApiError(409, {"message": "the stand-in rebases only merge requests already up to date"})
        return Answer({"rebase_in_progress": False}, 202)

    @route("PUT", r"PROJECT/merge_requests/(?P<iid>\d+)/merge")
    def merge(self, request: Request, iid: str):
        mr = self.merge_request(iid)
        query = {**request.query, **(request.body or {})}
        with self.git.lock:
            if mr.state != "opened":
                raise ApiError(405, {"message": "405 Method Not Allowed"})
            head, target = self.branch_sha(mr.source), self.branch_sha(mr.target)
            if self.require_pipeline and self.pipelines.get(head) != "success":
                raise ApiError(405, {"message": "405 Method Not Allowed"})  # GitLab says no more than this
            tree = self.git.merged_tree(target, head)
            if tree is None:
                raise ApiError(406, {"message": "Branch cannot be merged"})
            author = {"name": USER["name"], "email": USER["email"]}
            if str(query.get("squash", mr.squash)).lower() == "true":
                message = query.get("squash_commit_message") or mr.title
                sha = self.git.write_commit(tree, [target], message, author)
            else:
                message = query.get("merge_commit_message") or f"Merge branch '{mr.source}' into '{mr.target}'"
                sha = self.git.write_commit(tree, [target, head], message, author)
            self.git.update_ref(f"refs/heads/{mr.target}", sha, target)
            mr.state, mr.merge_commit, mr.sha, mr.updated_at = "merged", sha, head, now()
            if str(query.get("should_remove_source_branch", mr.remove_source)).lower() == "true":
                self.git.update_ref(f"refs/heads/{mr.source}", None)
        return self.mr_json(mr)

    # -- Decap's notes (issues labelled decap-cms-notes): searched on every publish

    @route("GET", r"PROJECT/issues")
    def issues(self, request: Request):
        return Answer([], 200, {"X-Page": "1", "X-Total-Pages": "1", "X-Total": "0"})

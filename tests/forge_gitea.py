"""A stand-in for Gitea's API v1 (and Forgejo's, the same), as much of it as Decap CMS 3.16's Gitea
backend calls, over a real bare git repository; and the pull-request calls an office's job uses
to keep the standing pull request of the `caselog-edits` branch open and to merge it.

Gitea's API follows GitHub's for what Decap reads (the user, the repository and its
permissions, trees as `<ref>:<folder>`, blobs, the commits of a file), so this extends the GitHub
stand-in; Decap writes through one call, POST /repos/:o/:r/contents (Gitea's "change files"),
which makes one commit of all a save's files. Read from
admin/node_modules/decap-cms-backend-gitea/src/{API.ts,implementation.tsx}.
"""

from __future__ import annotations

import base64

from forge_github import USER, GitHubStandIn, PullRequest
from forge_http import Answer, ApiError, Request, route


class GiteaStandIn(GitHubStandIn):
    """Gitea for one repository, at `<url>/api/v1`."""

    API_ROOT = "/api/v1"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.protected = set()  # Gitea's branch protection refuses pushes to main; Decap never pushes there

    @route("GET", r"/user")
    def user(self, request: Request):
        return {"login": USER["login"], "id": USER["id"], "full_name": USER["name"], "email": USER["email"],
                "avatar_url": ""}

    @route("POST", r"REPO/contents")
    def change_files(self, request: Request):
        """One commit on `branch` (or on `new_branch`, made from `branch`) with every operation."""
        body = request.body
        branch = body.get("branch") or self.default_branch
        target = body.get("new_branch") or branch
        with self.git.lock:
            parent = self.branch_sha(branch)
            if body.get("new_branch") and self.git.ref(f"refs/heads/{target}"):
                raise ApiError(422, {"message": f"branch already exists [name: {target}]"})
            files: list[tuple[str, str | None]] = []
            for operation in body["files"]:
                path, kind = operation["path"], operation["operation"]
                current = self.git.resolve(f"{parent}:{operation.get('from_path') or path}", "blob")
                if kind == "create" and current:
                    raise ApiError(422, {"message": f"repository file already exists [path: {path}]"})
                if kind in ("update", "delete"):
                    if not current:
                        raise ApiError(404, {"message": f"file does not exist [path: {path}]"})
                    if operation.get("sha") != current:
                        raise ApiError(409, {"message": f"sha does not match [given: {operation.get('sha')}, "
                                                        f"expected: {current}]"})
                if operation.get("from_path") and operation["from_path"] != path:
                    files.append((operation["from_path"], None))
                if kind == "delete":
                    files.append((path, None))
                else:
                    content = base64.b64decode(operation["content"])
                    files.append((path, self.git.write_blob(content)))
            tree = self.git.write_tree(parent, files)
            author = {"name": USER["name"], "email": USER["email"]}
            sha = self.git.write_commit(tree, [parent], body.get("message") or "Update files", author)
            self.git.update_ref(f"refs/heads/{target}", sha, parent if target == branch else "")
        return Answer({"commit": self.commit_json(sha), "files": [{"path": p} for p, _ in files]}, 201)

    # -- the standing pull request (Gitea's own API, used by the office's job, not by Decap)

    @route("POST", r"REPO/pulls/(?P<number>\d+)/merge")
    def merge_gitea(self, request: Request, number: str):
        body = request.body or {}
        pr: PullRequest = self.pull(number)
        self.merge(pr, {"squash": "squash"}.get(body.get("Do"), "merge"), body.get("head_commit_id"),
                   body.get("MergeMessageField", ""))
        return Answer(None, 200)

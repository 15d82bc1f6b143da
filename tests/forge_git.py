"""A bare git repository driven with plumbing commands, as a forge keeps one: blobs, trees and
commits made from API requests are real git objects, branches are real refs.

Used by the forge stand-ins (tests/forge_github.py, tests/forge_gitea.py, tests/forge_gitlab.py);
a test checks out what the web editor pushed with `git worktree add` on `path`.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

ZERO = "0" * 40


class GitFailed(Exception):
    """A git command failed (the stand-in answers 404 or 422)."""


@dataclass(frozen=True)
class Change:
    """One file changed between two commits."""

    status: str  # added | modified | removed
    path: str
    old_sha: str | None
    new_sha: str | None
    patch: str


class BareRepository:
    """A bare repository made from a working repository's branch."""

    def __init__(self, path: Path):
        self.path = path
        self.lock = threading.RLock()  # one writer at a time, as a forge serialises ref updates

    @classmethod
    def clone(cls, source: Path, dest: Path) -> BareRepository:
        subprocess.run(["git", "clone", "-q", "--bare", str(source), str(dest)], check=True)
        return cls(dest)

    def git(self, *args: str, input: bytes | None = None, env: dict | None = None) -> str:
        done = subprocess.run(["git", "-c", "commit.gpgsign=false", *args], cwd=self.path, input=input,
                              capture_output=True, env={**os.environ, **(env or {})})
        if done.returncode != 0:
            raise GitFailed(done.stderr.decode("utf-8", "replace").strip())
        return done.stdout.decode("utf-8")

    # -- reading

    def resolve(self, rev: str, kind: str = "commit") -> str | None:
        """The object `rev` names, peeled to `kind`; `<rev>:<path>` names a tree or blob as is."""
        spec = rev if ":" in rev else f"{rev}^{{{kind}}}"
        try:
            sha = self.git("rev-parse", "--verify", "--quiet", spec).strip()
            return sha if sha and self.git("cat-file", "-t", sha).strip() == kind else None
        except GitFailed:
            return None

    def ref(self, name: str) -> str | None:
        """The commit a full ref name (refs/heads/main) points to."""
        try:
            return self.git("rev-parse", "--verify", "--quiet", name).strip() or None
        except GitFailed:
            return None

    def refs(self, prefix: str = "refs/heads/") -> dict[str, str]:
        out = self.git("for-each-ref", "--format=%(refname) %(objectname)", prefix)
        return dict(line.split(" ", 1) for line in out.splitlines())

    def blob(self, sha: str) -> bytes:
        done = subprocess.run(["git", "cat-file", "blob", sha], cwd=self.path, capture_output=True)
        if done.returncode != 0:
            raise GitFailed(done.stderr.decode())
        return done.stdout

    def tree_entries(self, tree: str, recursive: bool = False) -> list[dict]:
        """ls-tree of a tree-ish: mode, type, sha, size, path (relative to the tree)."""
        args = ["ls-tree", "-l", "-z"] + (["-r", "-t"] if recursive else []) + [tree]
        entries = []
        for line in self.git(*args).split("\0"):
            if not line:
                continue
            meta, path = line.split("\t", 1)
            mode, kind, sha, size = meta.split()
            entries.append({"mode": mode, "type": kind, "sha": sha, "path": path,
                            "size": None if size == "-" else int(size)})
        return entries

    def file_at(self, rev: str, path: str) -> tuple[str, bytes] | None:
        sha = self.resolve(f"{rev}:{path}", "blob")
        return (sha, self.blob(sha)) if sha else None

    def commit_info(self, sha: str) -> dict:
        fmt = "%H%x00%T%x00%P%x00%an%x00%ae%x00%aI%x00%cn%x00%ce%x00%cI%x00%B"
        fields = self.git("show", "-s", f"--format={fmt}", sha).split("\0")
        return {"sha": fields[0], "tree": fields[1], "parents": fields[2].split(),
                "author": {"name": fields[3], "email": fields[4], "date": fields[5]},
                "committer": {"name": fields[6], "email": fields[7], "date": fields[8]},
                "message": fields[9].rstrip("\n")}

    def log(self, rev: str, path: str | None = None, exclude: str | None = None) -> list[str]:
        """Commits of `rev` (newest first), touching `path`, not reachable from `exclude`."""
        args = ["rev-list", rev] + ([f"^{exclude}"] if exclude else []) + (["--", path] if path else [])
        return self.git(*args).split()

    def merge_base(self, a: str, b: str) -> str | None:
        try:
            return self.git("merge-base", a, b).strip() or None
        except GitFailed:
            return None

    def is_ancestor(self, a: str, b: str) -> bool:
        try:
            self.git("merge-base", "--is-ancestor", a, b)
            return True
        except GitFailed:
            return False

    def changes(self, base: str, head: str) -> list[Change]:
        """What `head` changed since `base` (no rename detection), with each file's patch."""
        out = self.git("diff", "--raw", "-z", "--no-renames", "--no-abbrev", base, head)
        parts = out.split("\0")
        changes = []
        for meta, path in zip(parts[0::2], parts[1::2], strict=False):
            if not meta:
                continue
            _, _, old, new, status = meta.lstrip(":").split()
            patch = self.git("diff", base, head, "--", path)
            kind = {"A": "added", "D": "removed"}.get(status, "modified")
            hunks = patch.find("\n@@")  # a forge shows the hunks only; none for a binary file
            changes.append(Change(kind, path, None if old == ZERO else old, None if new == ZERO else new,
                                  patch[hunks + 1:] if hunks >= 0 else ""))
        return changes

    # -- writing

    def write_blob(self, content: bytes) -> str:
        return self.git("hash-object", "-w", "--stdin", input=content).strip()

    def write_tree(self, base: str | None, files: list[tuple[str, str | None]]) -> str:
        """A tree: `base` (a tree-ish) with each (path, blob sha) set, or removed when sha is None."""
        with tempfile.TemporaryDirectory() as scratch:
            env = {"GIT_INDEX_FILE": str(Path(scratch) / "index")}
            if base:
                self.git("read-tree", base, env=env)
            else:
                self.git("read-tree", "--empty", env=env)
            for path, sha in files:
                if sha is None:
                    self.git("update-index", "--force-remove", "--", path, env=env)
                else:
                    self.git("update-index", "--add", "--cacheinfo", f"100644,{sha},{path}", env=env)
            return self.git("write-tree", env=env).strip()

    def write_commit(self, tree: str, parents: list[str], message: str, author: dict,
                     committer: dict | None = None) -> str:
        committer = committer or author
        env = {"GIT_AUTHOR_NAME": author["name"], "GIT_AUTHOR_EMAIL": author["email"],
               "GIT_COMMITTER_NAME": committer["name"], "GIT_COMMITTER_EMAIL": committer["email"]}
        if author.get("date"):
            env["GIT_AUTHOR_DATE"] = author["date"]
        if committer.get("date"):
            env["GIT_COMMITTER_DATE"] = committer["date"]
        args = ["commit-tree", tree]
        for parent in parents:
            args += ["-p", parent]
        return self.git(*args, input=message.encode("utf-8"), env=env).strip()

    def update_ref(self, name: str, new: str | None, old: str | None = None) -> None:
        """Set (or delete, new=None) a ref; `old` must match ("" = must not exist)."""
        if new is None:
            self.git("update-ref", "-d", name, *([old] if old else []))
        else:
            self.git("update-ref", name, new, *([ZERO if old == "" else old] if old is not None else []))

    def merged_tree(self, base: str, head: str) -> str | None:
        """The tree of merging `head` into `base`, or None on a conflict."""
        if self.is_ancestor(base, head):
            return self.resolve(head, "tree")
        try:
            return self.git("merge-tree", "--write-tree", base, head).split()[0]
        except GitFailed:
            return None

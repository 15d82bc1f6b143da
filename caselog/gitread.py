"""Reading a case log's Git repository: what changed in the case files since a ref, and
their text at that ref. Read-only; every call is one `git` process, whatever the size."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .errors import RepositoryError
from .i18n import _

CASE_FILE_RE = re.compile(r"^cases/\d{4}/\d{2}/[^/]+\.yaml$")


@dataclass(frozen=True)
class FileChange:
    """One case file that differs between a ref and the working tree.

    `status` is "added", "modified", "deleted" or "moved"; a path is None where the
    file does not exist on that side."""

    status: str
    old_path: str | None
    new_path: str | None

    @property
    def path(self) -> str:
        """The path a reader should look at: the new one if there is one."""
        return self.new_path or self.old_path or ""


def is_case_file(rel: str) -> bool:
    """A path of the form cases/YYYY/MM/<name>.yaml."""
    return bool(CASE_FILE_RE.match(rel))


def run_git(root: Path, *args: str, stdin: bytes | None = None) -> bytes:
    """Run `git ARGS` in `root` and return its output; raise RepositoryError on failure."""
    try:
        done = subprocess.run(["git", "-c", "core.quotePath=false", *args], cwd=root,
                              input=stdin, capture_output=True, check=False)
    except FileNotFoundError:
        msg = _("git is not installed (it is needed to compare with a base ref)")
        raise RepositoryError(msg) from None
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
        msg = _("git {value} failed: {value2}").format(
                value=args[0], value2=reason[-1] if reason else 'exit ' + str(done.returncode))
        raise RepositoryError(msg)
    return done.stdout


def resolve_ref(root: Path, ref: str) -> str:
    """The full commit hash `ref` names; a clear RepositoryError if it names none."""
    try:
        run_git(root, "rev-parse", "--is-inside-work-tree")
    except RepositoryError:
        msg = _("{root} is not in a Git repository, so there is nothing to compare with '{ref}'").format(
                root=root, ref=ref)
        raise RepositoryError(msg) from None
    if ref.startswith("-") or not ref.strip():
        msg = _("'{ref}' is not a branch, tag or commit").format(ref=ref)
        raise RepositoryError(msg)
    try:
        out = run_git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}")
    except RepositoryError:
        msg = (_("unknown base '{ref}': not a branch, tag or commit in this repository (in a shallow CI "
                 "checkout, fetch it first, e.g. git fetch origin main)").format(ref=ref))
        raise RepositoryError(msg) from None
    return out.decode().strip()


def changed_case_files(root: Path, commit: str) -> list[FileChange]:
    """Case files that differ between `commit` and the working tree (staged or not, and
    untracked new files), as `git diff --name-status -M` sees them, paths relative to root."""
    out = run_git(root, "diff", "--name-status", "-z", "-M", "--relative", "--no-ext-diff",
                  commit, "--", "cases/")
    fields = out.decode("utf-8", "surrogateescape").split("\0")
    changes: list[FileChange] = []
    i = 0
    while i < len(fields) - 1:
        code = fields[i]
        if code.startswith(("R", "C")):
            old, new = fields[i + 1], fields[i + 2]
            i += 3
            if code.startswith("R"):
                changes.append(FileChange("moved", old, new))
            else:
                changes.append(FileChange("added", None, new))
            continue
        path = fields[i + 1]
        i += 2
        kind = {"A": "added", "D": "deleted"}.get(code[:1], "modified")
        changes.append(FileChange(kind, None if kind == "added" else path,
                                  None if kind == "deleted" else path))
    untracked = run_git(root, "ls-files", "--others", "--exclude-standard", "-z", "--", "cases/")
    for path in untracked.decode("utf-8", "surrogateescape").split("\0"):
        if path:
            changes.append(FileChange("added", None, path))
    changes = [c for c in changes
               if any(p is not None and is_case_file(p) for p in (c.old_path, c.new_path))]
    return _pair_moves(changes)


def _pair_moves(changes: list[FileChange]) -> list[FileChange]:
    """A deleted file and an added file with the same name are one move (git only sees
    renames among files it tracks)."""
    added = {}
    for change in changes:
        if change.status == "added":
            added.setdefault(PurePosixPath(change.new_path).name, change.new_path)
    taken: set[str] = set()
    result = []
    for change in changes:
        target = added.get(PurePosixPath(change.old_path).name) if change.status == "deleted" else None
        if target is not None and target not in taken:
            taken.add(target)
            change = FileChange("moved", change.old_path, target)
        result.append(change)
    return [c for c in result if not (c.status == "added" and c.new_path in taken)]


def read_at(root: Path, commit: str, paths: list[str]) -> dict[str, bytes | None]:
    """The contents of `paths` (relative to root) at `commit`, in one `git cat-file` call;
    None for a path that does not exist there."""
    if not paths:
        return {}
    request = "".join(f"{commit}:./{p}\n" for p in paths).encode("utf-8", "surrogateescape")
    out = run_git(root, "cat-file", "--batch", stdin=request)
    found: dict[str, bytes | None] = {}
    pos = 0
    for path in paths:
        end = out.index(b"\n", pos)
        header = out[pos:end].split()
        pos = end + 1
        if len(header) == 3 and header[1] == b"blob":
            size = int(header[2])
            found[path] = out[pos:pos + size]
            pos += size + 1  # the blob is followed by a newline
        else:
            found[path] = None  # "<name> missing", or not a file
    return found

"""Committing case changes to Git with structured messages."""

from __future__ import annotations

from pathlib import Path

from .errors import RepositoryError
from .i18n import _


def commit_paths(root: Path, paths: list[str], subject: str, trailers: dict[str, str]) -> str:
    """Stage `paths` and commit them with `subject` and trailers; return the short hash."""
    import git  # imported here: only --commit pays for GitPython

    try:
        repo = git.Repo(root)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        msg = _("{root} is not a Git repository; run without --commit or 'git init' first").format(root=root)
        raise RepositoryError(msg) from None
    body = "\n".join(f"{key}: {value}" for key, value in trailers.items())
    top = Path(repo.working_tree_dir)
    absolute = [str((root / p).resolve().relative_to(top)) for p in paths]
    try:
        repo.git.add("--", *absolute)
        # --only: commit just these files, whatever else happens to be staged
        repo.git.commit("--only", "-m", f"{subject}\n\n{body}", "--", *absolute)
    except git.GitCommandError as exc:
        msg = _("git could not commit: {reason}").format(reason=exc.stderr.strip() or exc)
        raise RepositoryError(msg) from None
    return repo.head.commit.hexsha[:8]

"""Committing case changes to Git with structured messages."""

from __future__ import annotations

from pathlib import Path

from .errors import RepositoryError


def commit_paths(root: Path, paths: list[str], subject: str, trailers: dict[str, str]) -> str:
    """Stage `paths` and commit them with `subject` and trailers; return the short hash."""
    import git  # imported here: only --commit pays for GitPython

    try:
        repo = git.Repo(root)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        msg = f"{root} is not a Git repository; run without --commit or 'git init' first"
        raise RepositoryError(msg) from None
    repo.index.add(paths)
    body = "\n".join(f"{key}: {value}" for key, value in trailers.items())
    try:
        commit = repo.index.commit(f"{subject}\n\n{body}\n")
    except ValueError as exc:  # GitPython's wording when user.name/email are unset
        msg = f"git could not commit: {exc}; set git config user.name and user.email"
        raise RepositoryError(msg) from None
    return commit.hexsha[:8]

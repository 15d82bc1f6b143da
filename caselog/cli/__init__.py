"""The `caselog` command line: thin click commands over the library."""

from __future__ import annotations

from . import documents, events, git, intake, reports, search, site, validate  # noqa: F401  (registers the commands)
from .base import Env, main_group


def main(argv=None) -> None:
    """Entry point of the `caselog` command."""
    main_group.main(args=argv, prog_name="caselog")


__all__ = ["Env", "main", "main_group"]

"""The `caselog` command line: thin click commands over the library."""

from __future__ import annotations

import signal

from . import admin, documents, events, git, intake, reports, search, site, validate  # noqa: F401  (registers the commands)
from .base import Env, main_group


def main(argv=None) -> None:
    """Entry point of the `caselog` command."""
    if hasattr(signal, "SIGXFSZ"):  # over a file size limit, a write fails (EFBIG) and is reported
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    main_group.main(args=argv, prog_name="caselog")


__all__ = ["Env", "main", "main_group"]

"""Each case file's Git history, read in one pass of `git log` over cases/.

One `git log --name-only` streams every commit that touched a case file; its output is
parsed line by line, so the cost is one process and one walk of history whatever the
number of cases (not one `git log` per file).
"""

from __future__ import annotations

import subprocess
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from .gitread import is_case_file

RECORD = "\x1e"  # starts each commit's line in the log; never in a path or a subject
FIELD = "\x1f"
# the Event trailers that `caselog` commands write ("Event: assigned"), comma-separated
LOG_FORMAT = f"{RECORD}%H{FIELD}%h{FIELD}%ct{FIELD}%(trailers:key=Event,valueonly,separator=%x2C){FIELD}%s"


@dataclass(frozen=True)
class CommitInfo:
    """A commit that touched a case: full and short hash, its day in the site's time zone,
    its subject line and the event types its Event trailers name."""

    hexsha: str
    short: str
    date: date
    subject: str
    events: tuple[str, ...] = ()


def load_history(root: Path, timezone: str = "Asia/Shanghai") -> dict[str, tuple[CommitInfo, ...]]:
    """Map each case file's path (cases/YYYY/MM/ID.yaml, relative to `root`) to the commits
    that touched it, newest first; {} when `root` is not in a Git repository with commits."""
    zone = ZoneInfo(timezone)
    command = ["git", "-c", "core.quotePath=false", "log", "--name-only", "--relative",
               "--no-renames", f"--format={LOG_FORMAT}", "--", "cases/"]
    try:
        process = subprocess.Popen(command, cwd=root, stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL, encoding="utf-8", errors="replace")
    except (FileNotFoundError, NotADirectoryError):
        return {}  # no git, or no such directory
    touched: dict[str, list[CommitInfo]] = defaultdict(list)
    with process:
        current: CommitInfo | None = None
        for line in process.stdout:
            line = line.rstrip("\n")
            if line.startswith(RECORD):
                current = _commit(line[1:], zone)
            elif line and current is not None and is_case_file(line):
                touched[line].append(current)
    if process.returncode != 0:
        return {}  # not a repository, or one without commits yet
    return {path: tuple(commits) for path, commits in touched.items()}


def _commit(line: str, zone: ZoneInfo) -> CommitInfo:
    hexsha, short, stamp, events, subject = line.split(FIELD, 4)
    day = datetime.fromtimestamp(int(stamp), zone).date()
    return CommitInfo(hexsha, short, day, subject, tuple(e.strip() for e in events.split(",") if e.strip()))


def last_updated(history: dict[str, tuple[CommitInfo, ...]], path: str) -> date | None:
    """The day of the newest commit that touched `path`, if any."""
    commits = history.get(path)
    return commits[0].date if commits else None

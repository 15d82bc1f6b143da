"""The local mode of the editing interface: the admin page and Decap's git proxy, served
from this computer against the checkout, each save a commit on the current branch."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .cms import ADMIN_SOURCE, Backend, ConfigError, admin_config, case_periods, write_admin_site
from .errors import CaselogError
from .registry import Registry

PAGE_DIR = Path(".caselog/admin")  # the generated page: a cache, made again at every start
LOG_FILE = Path(".caselog/admin-server.log")
READY = "listening on "
START_TIMEOUT = 60.0


class LocalAdminError(CaselogError):
    """The local editing server could not start."""


@dataclass
class LocalAdmin:
    """A running local editing server."""

    process: subprocess.Popen
    url: str
    branch: str

    def stop(self) -> None:
        """Stop the server and wait for it."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def current_branch(root: Path) -> str:
    """The checked-out branch, where the local mode commits."""
    result = subprocess.run(["git", "-C", str(root), "symbolic-ref", "--quiet", "--short", "HEAD"],
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        inside = subprocess.run(["git", "-C", str(root), "rev-parse", "--is-inside-work-tree"],
                                capture_output=True, text=True, check=False)
        if inside.returncode != 0:
            msg = (f"{root} is not a git checkout: the editing interface commits each save, "
                   "so run it in a clone of the case log's repository")
        else:
            msg = "the checkout is not on a branch (detached HEAD): check out a branch first"
        raise LocalAdminError(msg)
    return result.stdout.strip()


def start_local_admin(root: Path, registry: Registry, today: date, port: int = 8081,
                      bind: str = "127.0.0.1", source: Path | None = None, workflow: bool = False,
                      env: dict | None = None) -> LocalAdmin:
    """Write the admin page for the local backend and start the server; return once it listens.

    `source` is the admin/ folder where setup installed the npm packages (default: the
    repository's own). With `workflow`, each save goes on its own branch (cms/<list>/<case>),
    as on a forge, and publishing merges it."""
    source = source or root / ADMIN_SOURCE
    node = shutil.which("node")
    if node is None:
        msg = "Node.js is not installed: run 'bash scripts/setup.sh'"
        raise LocalAdminError(msg)
    branch = current_branch(root)
    api = f"http://{bind}:{port}/api/v1"
    config = admin_config(registry, Backend(name="local", branch=branch, local_url=api,
                                                   workflow=workflow),
                          case_periods(root, today))
    try:
        write_admin_site(source, root / PAGE_DIR, config)
    except ConfigError as exc:
        raise LocalAdminError(str(exc)) from None
    process_env = {**os.environ, **(env or {}), "GIT_REPO_DIRECTORY": str(root),
                   "CASELOG_ADMIN_PAGE": str(root / PAGE_DIR), "PORT": str(port), "BIND_HOST": bind}
    log_path = root / LOG_FILE
    # the server's output goes to a log file: a pipe nobody reads would stall it
    with open(log_path, "wb") as log:
        process = subprocess.Popen([node, str(source / "server.js")], cwd=root, env=process_env,
                                   stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    server = LocalAdmin(process, f"http://{bind}:{port}/admin/", branch)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        output = log_path.read_text(encoding="utf-8", errors="replace")
        if READY in output:
            return server
        if process.poll() is not None:
            break
        time.sleep(0.1)
    server.stop()
    output = log_path.read_text(encoding="utf-8", errors="replace")
    reason = "; ".join(line.strip() for line in output.splitlines() if line.strip())[:500] or "no output"
    msg = f"the local editing server did not start: {reason}"
    raise LocalAdminError(msg)

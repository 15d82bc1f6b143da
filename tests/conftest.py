"""Shared fixtures: real case logs in temporary directories, and a CLI runner."""

from __future__ import annotations

import contextlib
import functools
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import settings

from caselog import i18n

# Timing is not what the property tests check: a loaded CI machine must not fail them on time.
settings.register_profile("caselog", deadline=None)
settings.load_profile("caselog")

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"

CASE_TEXT = """\
id: 20260302-K7Q2MD
title: 建湘社区多部电梯停运，维修资金迟迟无法启动
received: 2026-03-02 09:14
channel: people-leaders-board
category: help
topics: [housing]
area: 岳阳楼区建湘社区
author:
  alias: 湖畔居民
  real_name: true
  contact_on_file: true
public: true
message: |
  小区三部电梯停运两个月，维修资金申请一直没有批下来。
events:
  - {date: 2026-03-02, type: accepted}
  - date: 2026-03-03
    type: assigned
    unit: yueyanglou-housing
    mode: assign
"""


@pytest.fixture
def log_root(tmp_path: Path) -> Path:
    """A case log with the test registry and one open case (20260302-K7Q2MD)."""
    shutil.copytree(DATA / "registry", tmp_path / "cases" / "registry")
    write_case(tmp_path, "20260302-K7Q2MD", CASE_TEXT)
    return tmp_path


@pytest.fixture
def demo_root(tmp_path: Path) -> Path:
    """A copy of the project's demo case log."""
    shutil.copytree(REPO / "cases", tmp_path / "cases")
    return tmp_path


DEMO_AS_OF = "2026-11-23"


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory) -> Path:
    """The demo portal as developers build it (as of DEMO_AS_OF, with its search index), built once
    for every module that only reads it: the output directory."""
    from caselog.cli import main_group

    root = tmp_path_factory.mktemp("demo-site")
    shutil.copytree(REPO / "cases", root / "cases")  # the build keeps its manifest under the root
    out = root / "site"
    result = CliRunner().invoke(main_group, [
        "-C", str(root), "build", "--output", str(out), "--as-of", DEMO_AS_OF,
        "--settings", str(REPO / "pelicanconf.py")], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out


class QuietHandler(SimpleHTTPRequestHandler):
    """Serves files without logging each request."""

    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve_directory(directory: Path, handler=QuietHandler) -> Iterator[str]:
    """Serve `directory` on 127.0.0.1 for the block; yield its base URL (search fetches its
    index, so file:// will not do)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def write_case(root: Path, case_id: str, text: str) -> Path:
    """Write a case file where its id says it belongs."""
    path = root / "cases" / case_id[:4] / case_id[4:6] / f"{case_id}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# library messages in English in tests, unless a test asks for Chinese (set_language or the `cli`
# fixture's lang="zh"); each run of the command line chooses its own language and then restores this
i18n.set_language("en")


@pytest.fixture
def cli():
    """Run `caselog --lang LANG -C ROOT ARGS...` (English unless lang="zh"); returns the click
    Result (stdout and stderr separate)."""
    from caselog.cli import main_group

    def run(root: Path, *args: str, input: str | None = None, lang: str = "en"):
        runner = CliRunner()
        return runner.invoke(main_group, ["--lang", lang, "-C", str(root), *args], input=input,
                             catch_exceptions=False)

    return run


def find_chromium() -> str | None:
    """A Chromium-family browser: $CASELOG_CHROMIUM, Debian's chromium, or Chrome."""
    import os
    import shutil

    explicit = os.environ.get("CASELOG_CHROMIUM")
    if explicit:
        return explicit
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None

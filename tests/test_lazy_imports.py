"""Only the commands that need them pay for jieba (rjieba) and tantivy, and for openpyxl."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("rjieba", "tantivy", "openpyxl")

SCRIPT = """
import sys
from caselog.cli import main_group
try:
    main_group.main(args=sys.argv[1:], prog_name="caselog")
except SystemExit as exit:
    code = exit.code
print(code, [name for name in {heavy!r} if name in sys.modules], file=sys.stderr)
"""


def _run(*args: str) -> str:
    done = subprocess.run([sys.executable, "-c", SCRIPT.format(heavy=HEAVY), *args],
                          capture_output=True, text=True, timeout=120)
    return done.stderr.strip().splitlines()[-1]


def test_validate_does_not_import_jieba_or_tantivy(demo_root):
    assert _run("-C", str(demo_root), "validate") == "0 []"


def test_new_without_a_search_index_does_not_import_them(demo_root):
    line = _run("-C", str(demo_root), "new", "--title", "路灯不亮", "--channel", "weibo",
                "--category", "help", "--topic", "urban-construction", "--message", "村口路灯坏了。",
                "--alias", "村民", "--anonymous", "--no-contact-on-file")
    assert line == "0 []"


def test_search_imports_them(demo_root):
    assert _run("-C", str(demo_root), "search", "电梯", "--limit", "1") == "0 ['rjieba', 'tantivy']"

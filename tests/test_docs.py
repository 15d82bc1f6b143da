"""Docs that drift are caught: every command is documented, and the help texts are current."""

from __future__ import annotations

import re
import subprocess
import sys

from conftest import REPO

from caselog.cli import main_group

REFERENCES = ("docs/commands.md", "docs/commands.zh.md")  # English and Chinese


def test_every_command_has_help_and_a_docs_entry():
    for reference in REFERENCES:
        docs = (REPO / reference).read_text(encoding="utf-8")
        documented = set(re.findall(r"^## caselog (\S+)$", docs, flags=re.M))
        assert documented == set(main_group.commands), reference
    for name, command in main_group.commands.items():
        assert command.help or command.callback.__doc__, f"caselog {name} has no help text"


def test_generated_help_in_the_docs_is_current():
    done = subprocess.run([sys.executable, "-m", "cogapp", "--check", *REFERENCES], cwd=REPO,
                          capture_output=True, text=True)
    assert done.returncode == 0, (f"the command reference is stale: run 'cog -r {' '.join(REFERENCES)}'\n"
                                  + done.stdout)


def test_the_chinese_reference_is_in_chinese():
    docs = (REPO / "docs" / "commands.zh.md").read_text(encoding="utf-8")
    assert "## caselog reply\n" in docs
    assert "用法：caselog reply [OPTIONS] ID" in docs
    assert "Usage:" not in docs and "Options:" not in docs and "Show this message" not in docs


def test_readme_gives_the_two_commands_first():
    first_screen = "\n".join((REPO / "README.md").read_text(encoding="utf-8").splitlines()[:30])
    assert "bash scripts/demo.sh" in first_screen
    assert "bash scripts/test.sh" in first_screen
    assert "bash scripts/test.sh" in (REPO / ".ci" / "run").read_text(encoding="utf-8")

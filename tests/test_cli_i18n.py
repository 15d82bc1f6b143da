"""The command line's catalogue: every message translated, placeholders kept; Chinese by default,
English when the locale or --lang asks for it; JSON output stays ASCII keys and values."""

from __future__ import annotations

import json
import re
import string

import pytest
from conftest import REPO

from caselog import i18n
from caselog.i18n_extract import click_messages, interface_messages

CATALOGUE = i18n.CATALOGUE


def read_catalogue():
    from babel.messages.pofile import read_po

    with CATALOGUE.open("rb") as handle:
        return read_po(handle, locale="zh_CN")


@pytest.fixture(scope="module")
def catalogue():
    return read_catalogue()


@pytest.fixture(scope="module")
def messages():
    return interface_messages(REPO)


def _fields(text: str) -> set[str]:
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}
    except ValueError:  # a message that is not a format string (a literal brace)
        return set()


def test_extraction_finds_help_texts_docstrings_and_calls(messages):
    assert "Assign the case to a unit (交办/转办/自办/呈办)." in messages  # event_command's help
    assert "Commit the change to Git." in messages  # help= keyword
    assert any(m.startswith("Show a case with its status") for m in messages)  # a command's docstring
    assert "unknown unit '{name}'" in messages  # _() in the library
    assert ("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)") in messages  # click
    assert messages["Commit the change to Git."][0].startswith("caselog/cli/events.py:")


def test_every_interface_string_has_a_translation(catalogue, messages):
    missing = []
    for message, where in messages.items():
        msgid = message[0] if isinstance(message, tuple) else message
        found = catalogue.get(msgid)
        text = found.string if found is not None else ""
        if not (text[0] if isinstance(text, tuple) else text):
            missing.append(f"{msgid!r} ({', '.join(where)})")
    assert not missing, (
        f"{len(missing)} message(s) without a Chinese translation in {CATALOGUE.relative_to(REPO)}.\n"
        "Add them with: .venv/bin/python scripts/update-cli-catalogue.py, then write each msgstr:\n"
        + "\n".join(missing))


def test_the_catalogue_holds_nothing_the_code_no_longer_says(catalogue, messages):
    ids = {m[0] if isinstance(m, tuple) else m for m in messages}
    assert sorted(m.id if isinstance(m.id, str) else m.id[0] for m in catalogue
                  if m.id and (m.id if isinstance(m.id, str) else m.id[0]) not in ids) == []


def test_translations_keep_their_placeholders_and_are_chinese(catalogue):
    for message in catalogue:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        texts = message.string if isinstance(message.string, tuple) else (message.string,)
        allowed = set().union(*map(_fields, ids))
        for text in texts:
            assert _fields(text) <= allowed, message.id
            if isinstance(message.id, str):
                assert _fields(text) == _fields(message.id), message.id
            assert "%(" not in text or "%(" in ids[0], message.id
        assert not message.fuzzy, message.id
        if re.search("[a-z]{4,}", re.sub(r"\{[^}]*\}", "", ids[0])) and ids[0] != "Choice({choices})":
            assert any("\u4e00" <= ch <= "\u9fff" for ch in texts[0]), f"not Chinese: {message.id}"


def test_click_messages_clean_docstrings_as_click_does():
    source = '''
@main_group.command("x")
def x():
    """First line.

    Second paragraph.
    \\f
    Not shown.
    """
'''
    assert list(click_messages(source)) == [(4, "First line.\n\nSecond paragraph.\n")]


@pytest.mark.parametrize(("environ", "expected"), [
    ({}, "zh"), ({"LANG": "C"}, "zh"), ({"LANG": "POSIX"}, "zh"), ({"LANG": "C.UTF-8"}, "zh"),
    ({"LANG": "zh_CN.UTF-8"}, "zh"), ({"LANG": "en_US.UTF-8"}, "en"), ({"LANG": "en_GB"}, "en"),
    ({"LANG": "zh_CN.UTF-8", "LC_ALL": "en_US.UTF-8"}, "en"),
    ({"LANG": "en_US.UTF-8", "LC_ALL": "zh_CN.UTF-8"}, "zh"),
    ({"LANG": "en_US.UTF-8", "LC_MESSAGES": "C"}, "zh"),
])
def test_chinese_unless_the_locale_asks_for_english(environ, expected):
    assert i18n.language_from_environment(environ) == expected


def test_the_command_line_is_chinese_by_default_and_english_on_request(log_root, monkeypatch):
    from click.testing import CliRunner

    from caselog.cli import main_group

    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C")
    runner = CliRunner()
    chinese = runner.invoke(main_group, ["-C", str(log_root), "reply", "--help"], prog_name="caselog")
    assert chinese.stdout.splitlines()[:4] == [
        "用法：caselog reply [OPTIONS] ID", "",
        "  记录承办单位的答复，须注明 --interim（阶段性答复）或 --final（最终答复）。", ""]
    assert "  --unit TEXT           答复单位：全称、简称或代码均可。  [必填]" in chinese.stdout
    wrong = runner.invoke(main_group, ["-C", str(log_root), "show", "20260302-K7Q2MX"])
    assert wrong.stderr == "错误：没有案件 20260302-K7Q2MX（查找的是 cases/2026/03/20260302-K7Q2MX.yaml）\n"
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    english = runner.invoke(main_group, ["-C", str(log_root), "reply", "--help"], prog_name="caselog")
    assert english.stdout.splitlines()[2] == (
        "  Record a unit's reply, saying --interim (阶段性答复) or --final (最终答复).")
    assert ("  --unit TEXT           The replying unit: its name, short name or key.\n"
            "                        [required]\n") in english.stdout
    forced = runner.invoke(main_group, ["--lang", "zh", "-C", str(log_root), "reply", "--help"],
                           prog_name="caselog")
    assert forced.stdout == chinese.stdout
    assert i18n.language() == "en"  # the run left the test's own language as it was


def test_json_output_keys_and_values_stay_ascii(log_root, cli):
    for args in (["show", "20260302-K7Q2MD", "--as-of", "2026-03-16", "--format", "json"],
                 ["overdue", "--as-of", "2026-03-16", "--format", "json"],
                 ["stats", "--as-of", "2026-03-16", "--format", "json"]):
        english, chinese = (json.loads(cli(log_root, *args, lang=lang).stdout) for lang in ("en", "zh"))
        assert english == chinese

        def codes(value):
            if isinstance(value, dict):
                for key, item in value.items():
                    assert key.isascii(), key
                    if key not in ("title", "unit_name", "reason", "name"):
                        yield from codes(item)
            elif isinstance(value, list):
                for item in value:
                    yield from codes(item)
            elif isinstance(value, str):
                yield value
        assert all(code.isascii() for code in codes(chinese)), args


def test_a_compiled_catalogue_is_used_only_while_it_is_newer_than_the_po(tmp_path, monkeypatch):
    import os
    import shutil

    po = tmp_path / "caselog.po"
    shutil.copy(CATALOGUE, po)
    monkeypatch.setattr(i18n, "CATALOGUE", po)
    text = po.read_text(encoding="utf-8").replace('msgstr "用法："', 'msgstr "用法（旧）："')
    (tmp_path / "old.po").write_text(text, encoding="utf-8")
    monkeypatch.setattr(i18n, "CATALOGUE", tmp_path / "old.po")
    stale = i18n.compile_catalogue()
    monkeypatch.setattr(i18n, "CATALOGUE", po)
    (tmp_path / "caselog.mo").write_bytes(stale)
    with i18n.speaking("zh"):
        for step, (newer, expected) in enumerate((("mo", "用法（旧）："), ("po", "用法："))):
            stamp = 2_000_000_000_000_000_000 + step * 1_000_000_000
            os.utime(tmp_path / f"caselog.{newer}", ns=(stamp, stamp))
            i18n._chinese.cache_clear()
            assert i18n._("Usage: ") == expected
        (tmp_path / "caselog.mo").unlink()
        i18n._chinese.cache_clear()
        assert i18n._("Usage: ") == "用法："
    i18n._chinese.cache_clear()


SHOWN_BY = {"echo", "UsageError", "BadParameter", "prompt", "confirm", "fail", "secho"}


def _english_literal(node) -> bool:
    """A string literal, or an f-string whose literal parts hold English words."""
    import ast

    parts = [node] if isinstance(node, ast.Constant) else getattr(node, "values", [])
    return isinstance(node, ast.Constant | ast.JoinedStr) and any(
        isinstance(p, ast.Constant) and isinstance(p.value, str) and re.search("[A-Za-z]{3,}", p.value)
        for p in parts)


def test_the_command_line_shows_no_unmarked_english():
    """Every message a command prints goes through _(): a plain "..." or f"..." with English
    words in click.echo, UsageError, BadParameter, prompt, confirm or fail is reported."""
    import ast

    unmarked = []
    for path in sorted((REPO / "caselog" / "cli").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            if name in SHOWN_BY and _english_literal(node.args[0]):
                unmarked.append(f"{path.relative_to(REPO)}:{node.lineno}: {ast.unparse(node.args[0])[:80]}")
    assert unmarked == [], "not marked for translation (wrap in _() from caselog.i18n):\n" + "\n".join(unmarked)


def test_validate_json_keeps_english_messages_for_scripts(log_root, cli):
    path = log_root / "cases/2026/03/20260302-K7Q2MD.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("category: help", "category: hlep"), encoding="utf-8")
    [problem] = json.loads(cli(log_root, "validate", "--format", "json", lang="zh").stdout)
    assert problem["message"] == ("unknown value 'hlep' (one of help, complaint, inquiry, suggestion) "
                                  "(did you mean 'help'?)")
    text = cli(log_root, "validate", lang="zh")
    assert text.stdout.endswith("category: 未知的值“hlep”（可选：help, complaint, inquiry, suggestion）（您是否要输入“help”？）\n")

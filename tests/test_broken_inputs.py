"""Every broken input in tests/broken/ gives exactly the lines in its .expected file, and exit 1."""

from __future__ import annotations

from pathlib import Path

import pytest

BROKEN = Path(__file__).parent / "broken"
CASE = "cases/2026/03/20260302-K7Q2MD.yaml"


@pytest.mark.parametrize("name", sorted(p.stem for p in BROKEN.glob("*.yaml")))
def test_broken_input_gives_exact_message(log_root, cli, name):
    (log_root / CASE).write_bytes((BROKEN / f"{name}.yaml").read_bytes())
    result = cli(log_root, "validate")
    assert result.exit_code == 1
    assert result.stdout == (BROKEN / f"{name}.expected").read_text(encoding="utf-8")
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("name", sorted(p.stem for p in BROKEN.glob("*.yaml")))
def test_no_later_stage_fails_on_a_broken_input(log_root, cli, name):
    # what validate refuses, the reports leave out (with a warning) or name: never a traceback
    (log_root / CASE).write_bytes((BROKEN / f"{name}.yaml").read_bytes())
    for command in (["overdue"], ["stats"], ["overdue", "--format", "json"], ["stats", "--period", "2026"]):
        result = cli(log_root, *command)
        assert result.exit_code == 0, (command, result.output)
    result = cli(log_root, "show", "20260302-K7Q2MD")
    assert result.exit_code in (0, 1)
    assert "nothing was written" not in result.stderr


def test_file_that_is_not_utf8(log_root, cli):
    (log_root / CASE).write_bytes("title: 电梯\n".encode("gb18030") + b"\xff\xfe\n")
    result = cli(log_root, "validate")
    assert result.exit_code == 1
    assert result.stdout == f"{CASE}:1: not UTF-8 text (byte 0xb5 at offset 7)\n"


def test_huge_file_is_refused_before_parsing(log_root, cli):
    (log_root / CASE).write_text("message: |\n" + ("  电梯停运。\n" * 40_000), encoding="utf-8")
    result = cli(log_root, "validate")
    assert result.exit_code == 1
    assert result.stdout == (f"{CASE}: file is 720,011 bytes, over the limit of 262,144 bytes "
                             "(shorten the longest text, or keep attachments outside the case log)\n")


def test_billion_laughs_is_refused_at_the_first_anchor(log_root, cli):
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)}]" for i in range(8)]
    (log_root / CASE).write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = cli(log_root, "validate")
    assert result.exit_code == 1
    assert result.stdout == f"{CASE}:1: a: anchors (&a) are not allowed\n"


def test_all_files_are_reported_in_one_run(log_root, cli):
    for name in ("unknown-unit", "bad-date"):
        text = (BROKEN / f"{name}.yaml").read_text(encoding="utf-8")
        other = "20260302-AAAAAA" if name == "bad-date" else "20260302-K7Q2MD"
        text = text.replace("20260302-K7Q2MD", other)
        (log_root / f"cases/2026/03/{other}.yaml").write_text(text, encoding="utf-8")
    result = cli(log_root, "validate")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "cases/2026/03/20260302-AAAAAA.yaml:3: received: must be a date like 2026-03-02 or "
        "2026-03-02 09:14, not '2026-02-30 09:14'",
        "cases/2026/03/20260302-K7Q2MD.yaml:14: events[1].unit: unknown unit 'yueyanglou-housng' "
        "(did you mean 'yueyanglou-housing'?)",
    ]
    assert result.stderr.endswith("2 problem(s) in 2 file(s)\n")

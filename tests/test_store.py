"""The one write path: real processes racing on one case, hostile sizes, symbolic links,
file modes, a full disk, and masking (store.py, edit.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CASE_TEXT, write_case

from caselog import store

CASE = "cases/2026/03/20260302-K7Q2MD.yaml"
ID = "20260302-K7Q2MD"
PHONE = "138" + "1234" + "5678"  # built at run time: no contact details in the repository
ANOTHER = "139" + "8765" + "4321"


def caselog(root: Path, *args: str, limit_kib: int | None = None) -> subprocess.CompletedProcess:
    """Run the real `caselog` command in its own process (with a file size limit if asked)."""
    command = [sys.executable, "-m", "caselog", "--lang", "en", "-C", str(root), *args]
    if limit_kib is not None:
        command = ["bash", "-c", f'ulimit -f {limit_kib}; exec "$@"', "bash", *command]
    return subprocess.run(command, capture_output=True, text=True, check=False)


def test_six_clerks_replying_at_once_lose_nothing(log_root):
    clerks = [subprocess.Popen([sys.executable, "-m", "caselog", "--lang", "en", "-C", str(log_root), "reply", ID,
                                "--unit", "yueyanglou-housing", "--interim", "--date", "2026-03-05",
                                "--text", f"第{n}位办事员的答复。"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
              for n in range(6)]
    results = [(clerk.wait(), *clerk.communicate()) for clerk in clerks]
    assert results == [(0, f"{CASE}: recorded {ID} interim reply from 区住建局\n", "")] * 6
    text = (log_root / CASE).read_text(encoding="utf-8")
    assert sorted(n for n in range(6) if f"第{n}位办事员的答复。" in text) == list(range(6))
    assert not list((log_root / "cases/2026/03").glob("*.lock"))
    assert caselog(log_root, "validate").returncode == 0


def test_a_write_waits_for_the_lock_and_names_it_when_it_stays(log_root, cli, monkeypatch):
    monkeypatch.setattr(store, "LOCK_WAIT_SECONDS", 0.2)
    (log_root / f"{CASE}.lock").write_text("", encoding="utf-8")
    result = cli(log_root, "reply", ID, "--unit", "yueyanglou-housing", "--interim", "--text", "答复。")
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: {CASE} is being changed by another command (it holds {CASE}.lock); try again, or if "
        f"no caselog command is running, delete {CASE}.lock\n")
    assert (log_root / CASE).read_text(encoding="utf-8") == CASE_TEXT
    result = cli(log_root, "validate")
    assert result.stdout == (
        f"{CASE}.lock: warning: a write of 20260302-K7Q2MD.yaml is in progress, or was interrupted; "
        "if no caselog command is running, delete this lock file\n")
    assert result.exit_code == 0


def test_a_reply_that_would_make_the_file_too_big_is_refused(log_root, cli, tmp_path):
    big = tmp_path / "big.txt"
    big.write_text("电梯停运。" * 20_000, encoding="utf-8")
    result = cli(log_root, "reply", ID, "--unit", "yueyanglou-housing", "--interim", "--text-file", str(big))
    assert result.exit_code == 1
    assert result.stderr == (
        f"{CASE}: file is 300,618 bytes, over the limit of 262,144 bytes (shorten the longest text, "
        "or keep attachments outside the case log)\nnothing was written: 1 problem(s)\n")
    assert (log_root / CASE).read_text(encoding="utf-8") == CASE_TEXT


def test_new_refuses_a_message_too_big_to_read_back(log_root, cli, tmp_path):
    big = tmp_path / "big.txt"
    big.write_text("电梯停运。" * 20_000, encoding="utf-8")
    result = cli(log_root, "new", "--title", "电梯停运", "--channel", "mayor-mailbox", "--category", "help",
                 "--topic", "housing", "--message-file", str(big), "--alias", "居民",
                 "--received", "2026-03-05 10:00", "--accepted", "2026-03-05", "--no-similar")
    assert result.exit_code == 1
    assert result.stderr.endswith(
        "file is 300,282 bytes, over the limit of 262,144 bytes (shorten the longest text, "
        "or keep attachments outside the case log)\nnothing was written: 1 problem(s)\n")
    assert sorted(p.name for p in (log_root / "cases/2026/03").iterdir()) == ["20260302-K7Q2MD.yaml"]


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_written_files_take_their_mode_from_the_umask(log_root, cli, umask, mode):
    old = os.umask(umask)
    try:
        result = cli(log_root, "reply", ID, "--unit", "yueyanglou-housing", "--interim", "--text", "答复。")
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.output
    assert (log_root / CASE).stat().st_mode & 0o777 == mode


def test_a_full_disk_leaves_the_case_as_it_was(log_root):
    # ulimit -f 1: the process may write files of 1 KiB at most; the case file grows past it
    result = caselog(log_root, "reply", ID, "--unit", "yueyanglou-housing", "--interim", "--text", "答复。" * 200,
                     limit_kib=1)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        f"error: cannot write {CASE}: File too large (over the file size limit of this process or "
        "file system, see 'ulimit -f'); nothing was written\n")
    assert (log_root / CASE).read_text(encoding="utf-8") == CASE_TEXT
    assert sorted(p.name for p in (log_root / "cases/2026/03").iterdir()) == ["20260302-K7Q2MD.yaml"]


def test_symlinked_case_files_are_refused(log_root, cli, tmp_path):
    target = tmp_path / "elsewhere.yaml"
    target.write_text(CASE_TEXT, encoding="utf-8")
    (log_root / CASE).unlink()
    (log_root / CASE).symlink_to(target)
    message = (f"{CASE}: is a symbolic link; case log files must be regular files (replace the link "
               "with the file itself: a link can point anywhere on the machine)\n")
    result = cli(log_root, "validate")
    assert (result.exit_code, result.stdout) == (1, message)
    result = cli(log_root, "reply", ID, "--unit", "yueyanglou-housing", "--interim", "--text", "答复。")
    assert result.exit_code == 1
    assert result.stderr == message + "1 problem(s) to fix first ('caselog validate' lists every problem of the log)\n"
    assert target.read_text(encoding="utf-8") == CASE_TEXT


def test_a_symlinked_registry_file_is_refused(log_root, cli, tmp_path):
    units = log_root / "cases/registry/units.yaml"
    moved = tmp_path / "units.yaml"
    units.rename(moved)
    units.symlink_to(moved)
    result = cli(log_root, "validate")
    assert result.exit_code == 1
    assert result.stdout == ("cases/registry/units.yaml: is a symbolic link; case log files must be regular "
                             "files (replace the link with the file itself: a link can point anywhere on "
                             "the machine)\n")


def test_the_write_path_refuses_to_replace_a_symlink(log_root, tmp_path):
    from caselog.errors import WriteError
    from caselog.registry import load_registry

    target = tmp_path / "elsewhere.yaml"
    target.write_text(CASE_TEXT, encoding="utf-8")
    (log_root / CASE).unlink()
    (log_root / CASE).symlink_to(target)
    with pytest.raises(WriteError, match="is a symbolic link"):
        store.write_case(log_root, CASE, lambda text: text, load_registry(log_root),
                         today=load_registry(log_root).rules.today())
    assert (log_root / CASE).is_symlink()


def test_reply_with_personal_data_says_to_give_mask_and_mask_masks_it(log_root, cli):
    result = cli(log_root, "reply", ID, "--unit", "yueyanglou-housing", "--interim", "--text", f"请致电{PHONE}。")
    assert result.exit_code == 1
    assert result.stderr == (
        f"--text: unmasked 手机号码 (mobile) '{PHONE}'; give --mask to mask it as it "
        "is entered\nnothing was written: 1 problem(s)\n")
    result = cli(log_root, "reply", ID, "--unit", "yueyanglou-housing", "--interim", "--text", f"请致电{PHONE}。", "--mask")
    assert result.exit_code == 0
    assert result.stderr == "masked 手机号码 (mobile) 138****5678 in --text\n"
    assert "请致电138****5678。" in (log_root / CASE).read_text(encoding="utf-8")


def test_new_with_personal_data_names_mask_not_an_id_that_does_not_exist(log_root, cli):
    args = ["new", "--title", "电梯停运", "--channel", "mayor-mailbox", "--category", "help",
            "--topic", "housing", "--message", f"我的电话{PHONE}", "--alias", "居民",
            "--received", "2026-03-05 10:00", "--accepted", "2026-03-05", "--no-similar"]
    result = cli(log_root, *args)
    assert result.exit_code == 1
    assert "; give --mask to mask it as it is entered\nnothing was written: 1 problem(s)\n" in result.stderr
    assert "caselog mask" not in result.stderr
    result = cli(log_root, *args, "--mask")
    assert result.exit_code == 0, result.output
    assert result.stderr == "masked 手机号码 (mobile) 138****5678 in --message\n"


def test_mask_leaves_source_url_and_source_ref_alone(log_root, cli):
    text = CASE_TEXT.replace("channel: people-leaders-board\n", (
        f"channel: people-leaders-board\nsource_url: https://example.org/threads/{PHONE}\n"
        f"source_ref: board-{PHONE}\n")).replace("一直没有批下来。", f"一直没有批下来。电话{PHONE}")
    write_case(log_root, ID, text)
    result = cli(log_root, "mask", ID)
    assert result.stdout == f"{CASE}: masked mobile: {PHONE} -> 138****5678\n"
    after = (log_root / CASE).read_text(encoding="utf-8")
    assert after == text.replace(f"没有批下来。电话{PHONE}", "没有批下来。电话138****5678")
    assert cli(log_root, "validate").exit_code == 0


def test_mask_finds_a_number_that_a_line_fold_splits_as_validate_does(log_root, cli):
    text = CASE_TEXT.replace("area: 岳阳楼区建湘社区\n", f"area: 岳阳楼区建湘社区 {ANOTHER[:3]}\n  {ANOTHER[3:]}\n")
    write_case(log_root, ID, text)
    result = cli(log_root, "validate")
    assert result.stdout == (f"{CASE}:7: area: unmasked 手机号码 (mobile) '{ANOTHER[:3]} {ANOTHER[3:]}'; "
                             f"run 'caselog mask {ID}' to mask it\n")
    result = cli(log_root, "mask", ID)
    assert result.stdout == f"{CASE}: masked mobile: {ANOTHER[:3]} {ANOTHER[3:]} -> 139****4321\n"
    assert "area: 岳阳楼区建湘社区 139****4321\nauthor:" in (log_root / CASE).read_text(encoding="utf-8")
    assert cli(log_root, "validate").exit_code == 0


def test_ci_annotations_show_personal_data_masked(log_root, cli):
    write_case(log_root, ID, CASE_TEXT.replace("一直没有批下来。", f"一直没有批下来。电话{PHONE}"))
    result = cli(log_root, "validate", "--format", "github")
    assert result.stdout == (f"::error file={CASE},line=14,title=message::unmasked 手机号码 (mobile) "
                             f"'138****5678'; run 'caselog mask {ID}' to mask it\n")
    assert PHONE not in result.stdout


def test_mask_masks_a_number_only_its_label_makes_personal_data(log_root, cli):
    qq = "QQ号 " + "2345" + "6789"
    write_case(log_root, ID, CASE_TEXT.replace("一直没有批下来。", f"一直没有批下来。{qq}"))
    result = cli(log_root, "mask", ID)
    assert result.stdout == f"{CASE}: masked qq: 23456789 -> 23****89\n"
    assert "一直没有批下来。QQ号 23****89\n" in (log_root / CASE).read_text(encoding="utf-8")


def test_mask_on_entry_leaves_an_offices_public_number(log_root, cli):
    rules = log_root / "cases" / "registry" / "rules.yaml"
    rules.write_text(rules.read_text(encoding="utf-8") + f"public_numbers: ['{PHONE}']\n", encoding="utf-8")
    other = PHONE[:-1] + ("1" if PHONE[-1] != "1" else "2")
    text = f"服务热线{PHONE}；市民来电{other}。"
    result = cli(log_root, "reply", ID, "--unit", "yueyanglou-housing", "--interim", "--text", text, "--mask")
    assert result.exit_code == 0, result.output
    assert result.stderr == f"masked 手机号码 (mobile) {other[:3]}****{other[-4:]} in --text\n"
    assert f"服务热线{PHONE}；市民来电{other[:3]}****{other[-4:]}。" in (log_root / CASE).read_text(encoding="utf-8")

"""The leak checks of rendered texts, remembered between builds: they spare work, never a finding."""

from __future__ import annotations

import pytest

from caselog.site import text_checks
from caselog.site.scan import Secrets
from caselog.site.text_checks import TextChecks

SECRET_ID = "20261104-HIDDEN"
SECRET_TITLE = "某小区地下车库积水无人处理"
PHONE = "138" + "1234" + "5678"  # built at run time: no contact details in the repository
PAGE = "<h1>幸福里小区路灯不亮</h1><p>已于十一月修复。</p>"


def _checks(path, ids=(), titles=(), numbers=frozenset()):
    return TextChecks(path, Secrets(set(ids), set(titles), numbers))


def _saved(checks: TextChecks, produced=()) -> None:
    checks.save(checks.take(), produced)


def test_a_text_that_passed_is_not_checked_again(tmp_path, monkeypatch):
    path = tmp_path / "text-checks.pickle"
    first = _checks(path, {SECRET_ID}, {SECRET_TITLE})
    assert first("cases/a/index.html", PAGE) == []
    leaky = f"<p>电话 {PHONE}</p>"
    assert [str(leak) for leak in first("cases/b/index.html", leaky)] == [
        f"cases/b/index.html: unmasked 手机号码 (mobile) '{PHONE}'"]
    _saved(first)

    again = _checks(path, {SECRET_ID}, {SECRET_TITLE})
    monkeypatch.setattr(text_checks, "scan_text", lambda *args: pytest.fail("checked again"))
    assert again("cases/a/index.html", PAGE) == []
    monkeypatch.undo()
    # a text with a leak was never remembered: it is found however often it is written
    assert len(again("cases/b/index.html", leaky)) == 1


def test_a_new_secret_is_looked_for_in_texts_that_passed(tmp_path, monkeypatch):
    path = tmp_path / "text-checks.pickle"
    page = f"<a href='/cases/{SECRET_ID}/'>{SECRET_TITLE}</a>"
    first = _checks(path)
    assert first("index.html", page) == []  # not secret yet
    _saved(first)
    monkeypatch.setattr(text_checks, "scan_text", lambda *args: pytest.fail("checked in full"))
    later = _checks(path, {SECRET_ID}, {SECRET_TITLE})
    assert [str(leak) for leak in later("index.html", page)] == [
        f"index.html: id of non-public case {SECRET_ID}",
        f"index.html: title of a non-public case '{SECRET_TITLE}'"]


def test_another_detector_checks_everything_again(tmp_path):
    path = tmp_path / "text-checks.pickle"
    office = f"<p>热线 {PHONE}</p>"
    first = _checks(path, numbers=frozenset({PHONE}))  # the office's own number: not personal
    assert first("index.html", office) == []
    _saved(first)
    # the number is no longer listed as the office's: the text that passed is checked again
    assert len(_checks(path)("index.html", office)) == 1


@pytest.mark.parametrize("content", [b"", b"not a pickle", b"\x80\x05N."])
def test_a_damaged_cache_checks_everything(tmp_path, content, monkeypatch):
    path = tmp_path / "text-checks.pickle"
    first = _checks(path)
    assert first("index.html", PAGE) == []
    _saved(first)
    path.write_bytes(content)
    calls = []
    real = text_checks.scan_text
    monkeypatch.setattr(text_checks, "scan_text", lambda *args: calls.append(args) or real(*args))
    assert _checks(path)("index.html", PAGE) == []
    assert len(calls) == 1


def test_only_the_texts_of_the_last_build_are_kept(tmp_path):
    path = tmp_path / "text-checks.pickle"
    first = _checks(path)
    first("a.html", "<p>甲</p>")
    first("b.html", "<p>乙</p>")
    first("c.html", "<p>丙</p>")
    _saved(first)
    kept = _checks(path).previous
    second = _checks(path)
    second("a.html", "<p>甲乙</p>")  # rendered again, another text
    _saved(second, produced=["a.html", "b.html"])  # b.html left as it was; c.html gone
    now = _checks(path).previous
    assert now.keys() == {"a.html", "b.html"}
    assert now["b.html"] == kept["b.html"] and now["a.html"] != kept["a.html"]


def test_texts_left_as_they_were_are_not_kept_when_the_secrets_changed(tmp_path, monkeypatch):
    # they were checked for the secrets of then: kept, a new secret in them would go unchecked
    # the next time they are rendered
    path = tmp_path / "text-checks.pickle"
    page = f"<p>{SECRET_TITLE}</p>"
    first = _checks(path)
    first("a.html", page)
    _saved(first)
    second = _checks(path, titles={SECRET_TITLE})
    _saved(second, produced=["a.html"])  # an incremental build that did not render a.html
    assert _checks(path, titles={SECRET_TITLE}).previous == {}
    assert len(_checks(path, titles={SECRET_TITLE})("a.html", page)) == 1

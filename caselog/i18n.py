"""The language of the staff command line and the library's messages: Chinese unless asked for English.

Every message is written in English and marked `_("...")` (placeholders as `{name}`, filled with
`.format()` after translating); the zh_CN catalogue in caselog/translations/ translates it. Use:

    from .i18n import _            # or `from ..i18n import _` in caselog/cli/
    raise SomeError(_("unknown unit '{name}'").format(name=name))

`N_` marks a string for extraction where it must stay untranslated until shown. click's help
texts and command docstrings need no marking (caselog/i18n_extract.py finds them). The catalogue
is compiled by scripts/setup.sh (caselog.mo, not in Git) or, without an up-to-date one, in memory
on first use, so a fresh clone works either way; after adding messages run
scripts/update-cli-catalogue.py and translate (tests/test_cli_i18n.py lists what lacks one).
"""

from __future__ import annotations

import gettext as _gettext
import io
import os
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

LANGUAGES = ("zh", "en")
CATALOGUE = Path(__file__).parent / "translations" / "zh_CN" / "LC_MESSAGES" / "caselog.po"
_current: list[str] = []  # the language chosen by --lang or set_language; empty: from the environment


def language_from_environment(environ=None) -> str:
    """'en' when LC_ALL, LC_MESSAGES or LANG (the first one set) asks for English, else 'zh'."""
    environ = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name)
        if value:
            return "en" if value.lower().startswith("en") else "zh"
    return "zh"


def set_language(language: str | None) -> None:
    """Speak `language` ('zh' or 'en') from now on; None goes back to the environment's choice."""
    if language is not None and language not in LANGUAGES:
        msg = f"unknown language {language!r} (one of {', '.join(LANGUAGES)})"
        raise ValueError(msg)
    _current[:] = [language] if language else []


@contextmanager
def speaking(language: str | None):
    """Speak `language` inside a with block (None: the environment's); commit subjects are Chinese."""
    saved = list(_current)
    set_language(language)
    try:
        yield
    finally:
        _current[:] = saved


def language() -> str:
    """The language messages are given in now: 'zh' or 'en'."""
    return _current[0] if _current else language_from_environment()


@lru_cache(maxsize=1)
def _chinese() -> _gettext.NullTranslations:
    # the .mo that scripts/setup.sh compiles saves parsing the .po on every run; a missing one,
    # or one older than the .po (edited or checked out since), is not used
    compiled = CATALOGUE.with_suffix(".mo")
    try:
        if compiled.stat().st_mtime_ns >= CATALOGUE.stat().st_mtime_ns:
            with compiled.open("rb") as handle:
                return _gettext.GNUTranslations(handle)
    except OSError:
        pass
    return _gettext.GNUTranslations(io.BytesIO(compile_catalogue()))


def compile_catalogue() -> bytes:
    """The zh_CN catalogue compiled to .mo bytes."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with CATALOGUE.open("rb") as handle:
        catalog = read_po(handle, locale="zh_CN")
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    return buffer.getvalue()


def translations() -> _gettext.NullTranslations:
    """The catalogue of the current language (English passes msgids through)."""
    return _chinese() if language() == "zh" else _gettext.NullTranslations()


def gettext(message: str) -> str:
    """`message` in the current language."""
    return translations().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural of a message in the current language."""
    return translations().ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a string for translation without translating it here."""
    return message


_ = gettext

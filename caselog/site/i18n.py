"""Interface translations: gettext catalogues (.po) in the theme, compiled in memory with Babel."""

from __future__ import annotations

import gettext
import io
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from jinja2 import pass_eval_context
from markupsafe import Markup


@lru_cache(maxsize=8)
def load_translations(theme: str, locale: str) -> gettext.NullTranslations:
    """The theme's catalogue for `locale` (e.g. zh_CN); English msgids pass through if there is none."""
    po_path = Path(theme) / "translations" / locale / "LC_MESSAGES" / "messages.po"
    if not po_path.is_file():
        return gettext.NullTranslations()
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def install(env, translations: gettext.NullTranslations) -> None:
    """Install `translations` in a Jinja environment, newstyle (autoescaped, %-formatted).

    Same results as Jinja's own newstyle gettext, but each message is looked up and
    escaped once per build rather than on every call: a case page calls it some forty times."""
    env.install_gettext_translations(translations, newstyle=True)  # ngettext and the rest
    looked_up: dict[tuple[str, bool], str] = {}
    plain: dict[tuple[str, bool], str] = {}

    @pass_eval_context
    def cached_gettext(eval_ctx, string: str, **variables):
        key = (string, eval_ctx.autoescape)
        if not variables:
            done = plain.get(key)
            if done is None:
                done = plain[key] = _translate(key) % {}
            return done
        return _translate(key) % variables

    def _translate(key: tuple[str, bool]) -> str:
        found = looked_up.get(key)
        if found is None:
            found = translations.gettext(key[0])
            found = looked_up[key] = Markup(found) if key[1] else found
        return found

    env.globals["gettext"] = cached_gettext
    env.globals["_"] = cached_gettext

"""Interface translations: gettext catalogues (.po) in the theme, compiled in memory with Babel."""

from __future__ import annotations

import gettext
import io
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po


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

"""Bring the command line's Chinese catalogue in step with the code, and compile it.

    .venv/bin/python scripts/update-cli-catalogue.py            # update the .po, compile the .mo
    .venv/bin/python scripts/update-cli-catalogue.py --compile  # only compile (scripts/setup.sh)

Adds every new message (`_()`, `ngettext()`, `N_()` in caselog/, click help texts and command
docstrings, click's own messages) with an empty msgstr, drops messages the code no longer has,
keeps every translation. Then write the empty msgstr in
caselog/translations/zh_CN/LC_MESSAGES/caselog.po (tests/test_cli_i18n.py lists them).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from caselog.i18n import CATALOGUE, compile_catalogue  # noqa: E402
from caselog.i18n_extract import update_catalogue  # noqa: E402

if sys.argv[1:] != ["--compile"]:
    added = update_catalogue(ROOT, CATALOGUE)
    print(f"{CATALOGUE.relative_to(ROOT)}: {len(added)} new message(s) to translate")
    for msgid in added:
        print(f"  {msgid!r}")
CATALOGUE.with_suffix(".mo").write_bytes(compile_catalogue())

"""Babel extraction of the command line's messages: `_()` calls, click help texts and command docstrings.

Registered as the Babel extraction method `caselog` (pyproject.toml), used by babel.cfg for
caselog/. Besides the usual keywords it finds what click shows without a `_()` around it:
every literal `help="..."` keyword and the docstring of every function decorated with
`....command(...)` or `....group(...)`, cleaned as click cleans it (so a new command or
option needs no marking to be caught by tests/test_i18n.py).
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

from babel.messages.extract import extract_python

HELP_KEYWORDS = ("help", "short_help", "prompt")


def _is_command_decorator(node: ast.expr) -> bool:
    target = node.func if isinstance(node, ast.Call) else node
    name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
    return name in ("command", "group", "event_command")


def click_messages(source: str):
    """Yield (line, message) for help texts and command docstrings in Python `source`."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            for keyword in node.keywords:
                value = keyword.value
                if keyword.arg in HELP_KEYWORDS and isinstance(value, ast.Constant) \
                        and isinstance(value.value, str):
                    yield value.lineno, inspect.cleandoc(value.value)
            # event_command("name", "help text", ...): the help is the second argument
            name = getattr(node.func, "id", "")
            if name == "event_command" and len(node.args) > 1 and isinstance(node.args[1], ast.Constant):
                yield node.args[1].lineno, inspect.cleandoc(node.args[1].value)
        elif isinstance(node, ast.FunctionDef) and any(map(_is_command_decorator, node.decorator_list)):
            doc = ast.get_docstring(node, clean=True)
            if doc:
                yield node.body[0].lineno, doc.split("\f")[0]


def extract(fileobj, keywords, comment_tags, options):
    """Babel extraction method: the Python keywords, then click's help texts and docstrings."""
    yield from extract_python(fileobj, keywords, comment_tags, options)
    fileobj.seek(0)
    source = fileobj.read().decode(options.get("encoding", "utf-8"))
    for line, message in click_messages(source):
        yield line, None, message, []


# click's messages that the command line shows (usage, errors, prompts); shell completion is not used
CLICK_MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "termui", "types")
CLICK_EXTRA = ("required",)  # click passes this one to _() through a variable


def interface_messages(root: Path) -> dict[str | tuple[str, str], list[str]]:
    """Every message of the command line and the library, with where it is: caselog/**.py under
    `root` (its `_`, `ngettext` and `N_` calls, help texts, command docstrings) and click's own.

    A message with a plural is a (singular, plural) pair."""
    import click
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file

    keywords = {**DEFAULT_KEYWORDS, "N_": None}
    found: dict[str | tuple[str, str], list[str]] = {}
    sources = [(extract, path, path.relative_to(root).as_posix())
               for path in sorted((root / "caselog").rglob("*.py"))]
    click_dir = Path(click.__file__).parent
    sources += [("python", click_dir / f"{name}.py", f"click/{name}.py") for name in CLICK_MODULES]
    for method, path, shown in sources:
        for line, message, _comments, _context in extract_from_file(
                method, str(path), keywords=keywords, comment_tags=(), options={}):
            found.setdefault(message, []).append(f"{shown}:{line}")
    for message in CLICK_EXTRA:
        found.setdefault(message, []).append("click/core.py:0")
    return found


def update_catalogue(root: Path, catalogue: Path) -> list[str]:
    """Bring the .po `catalogue` in step with the messages now in the code: new ones are added
    untranslated, gone ones dropped, translations kept. Return the new msgids."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po, write_po

    old = Catalog(locale="zh_CN")
    if catalogue.is_file():
        with catalogue.open("rb") as handle:
            old = read_po(handle, locale="zh_CN")
    new = Catalog(locale="zh_CN", project="caselog", domain="caselog", fuzzy=False,
                  header_comment="# Chinese messages of the caselog command line and library.",
                  creation_date=old.creation_date, revision_date=old.revision_date,
                  last_translator="caselog developers", language_team="caselog developers")
    added = []
    for message, where in interface_messages(root).items():
        msgid = message[0] if isinstance(message, tuple) else message
        known = old.get(msgid)
        string = known.string if known is not None else ("", "") if isinstance(message, tuple) else ""
        if known is None:
            added.append(msgid)
        locations = [(w.rsplit(":", 1)[0], int(w.rsplit(":", 1)[1]) if ":" in w else None) for w in where]
        new.add(message, string, locations=locations)
    with catalogue.open("wb") as handle:
        write_po(handle, new, width=100, sort_by_file=False, omit_header=False, include_previous=False)
    return added

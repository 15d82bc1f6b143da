"""Changing case files: append an event, mask personal data, write atomically.

Edits are made to the file's text, not by re-dumping parsed YAML, so that
comments and the layout of hand-edited files survive. Every edit is checked as a
whole case before it is written, and written via a temporary file and rename.
"""

from __future__ import annotations

import os
import re
import tempfile
from datetime import date, datetime
from pathlib import Path

import yaml

from .checks import free_text_fields
from .errors import InvalidCase, Problem
from .i18n import _
from .privacy import find_personal_data, mask_finding
from .registry import Registry
from .repository import LoadedCase, check_document
from .yamlsafe import parse

try:
    from yaml import CBaseLoader as _BaseLoader
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import BaseLoader as _BaseLoader
    from yaml import SafeLoader as _Loader

_PRINTABLE = re.compile(r"[^\x09\x0a\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
FIELD_ORDER = ("date", "type", "unit", "mode", "by", "ref", "due", "final", "approved_by",
               "reason", "days", "method", "satisfaction", "outcome", "duplicate_of",
               "referred_to", "text", "note")


def scalar(value, indent: int) -> str:
    """A YAML scalar for `value` that any YAML 1.1 reader reads back as the same string."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | date | datetime):
        return value.strftime("%Y-%m-%d %H:%M") if isinstance(value, datetime) else str(value)
    text = str(value)
    if "\n" not in text and _reads_back(text):
        return text
    if "\n" in text and text.strip() and _literal_safe(text):
        return _literal(text, indent)
    return _double_quoted(text)


def _literal_safe(text: str) -> bool:
    # whitespace-only lines lose their spaces in a block scalar
    return not _PRINTABLE.search(text) and not any(
        line.strip() == "" and line for line in text.split("\n"))


def _literal(text: str, indent: int) -> str:
    body = text.rstrip("\n")
    trailing = len(text) - len(body)
    chomp = "-" if trailing == 0 else ("" if trailing == 1 else "+")
    # content always sits two columns right of its key; the indicator is relative to the key
    indicator = "2" if body[:1] in (" ", "\n") else ""
    pad = " " * indent
    lines = [pad + line if line else "" for line in body.split("\n")]
    lines += [""] * (trailing - 1)
    return f"|{indicator}{chomp}\n" + "\n".join(lines)


def _reads_back(text: str) -> bool:
    if not text or text != text.strip() or _PRINTABLE.search(text) or "\t" in text:
        return False
    try:
        return yaml.load(f"k: {text}\n", Loader=_Loader) == {"k": text}
    except yaml.YAMLError:
        return False


def _double_quoted(text: str) -> str:
    out = []
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif _PRINTABLE.match(char):
            out.append(f"\\u{ord(char):04x}" if ord(char) < 0x10000 else f"\\U{ord(char):08x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def render_event(fields: dict, item_indent: int = 2) -> str:
    """An event as YAML sequence item lines (flow style when short and single-line)."""
    ordered = [(k, fields[k]) for k in FIELD_ORDER if fields.get(k) is not None]
    ordered += [(k, v) for k, v in fields.items() if k not in FIELD_ORDER and v is not None]
    pad = " " * item_indent
    flow = ", ".join(f"{k}: {scalar(v, 0)}" for k, v in ordered)
    if len(flow) <= 70 and "\n" not in flow and _flow_reads_back(flow, ordered):
        return f"{pad}- {{{flow}}}\n"
    lines = []
    for index, (key, value) in enumerate(ordered):
        lead = f"{pad}- " if index == 0 else pad + "  "
        lines.append(f"{lead}{key}: {scalar(value, item_indent + 4)}")
    return "\n".join(lines) + "\n"


def _flow_reads_back(flow: str, ordered: list) -> bool:
    # a comma or bracket ends a plain scalar inside {...}: use the flow form only if it parses back
    try:
        data = yaml.load(f"- {{{flow}}}\n", Loader=_BaseLoader)
    except yaml.YAMLError:
        return False
    expected = {k: scalar(v, 0) if not isinstance(v, str) else v for k, v in ordered}
    return data == [expected]


def append_event_text(text: str, fields: dict) -> str:
    """The case file text with one more event at the end of `events`."""
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    start = next((i for i, line in enumerate(lines) if re.match(r"events\s*:", line)), None)
    if start is None:
        return "".join(lines) + "events:\n" + render_event(fields)
    head = lines[start]
    if re.match(r"events\s*:\s*(\[\s*\])?\s*(#.*)?$", head) and "[" in head:
        lines[start] = "events:\n"
        return "".join(lines[: start + 1]) + render_event(fields) + "".join(lines[start + 1:])
    if not re.match(r"events\s*:\s*(#.*)?$", head):
        msg = _("events is written in flow style on one line; rewrite it as a block list to append")
        raise InvalidCase([Problem("", start + 1, "events", msg)])
    end, indent = start + 1, None
    for i in range(start + 1, len(lines)):
        line = lines[i]
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        current = len(line) - len(line.lstrip(" "))
        if current == 0 and not stripped.startswith("- "):
            break
        if indent is None and stripped.startswith("- "):
            indent = current
        end = i + 1
    rendered = render_event(fields, indent if indent is not None else 2)
    return "".join(lines[:end]) + rendered + "".join(lines[end:])


def check_text(text: str, rel: str, registry: Registry) -> LoadedCase:
    """Parse and check a case's would-be text; raise InvalidCase unless it is valid."""
    loaded = check_document(parse(text, rel), rel, registry)
    errors = [p for p in loaded.problems if p.severity == "error"]
    if loaded.case is None or errors:
        raise InvalidCase(errors or loaded.problems)
    return loaded


def atomic_write(path: Path, text: str, *, exclusive: bool = False) -> None:
    """Write `text` to `path` via a temporary file and rename; never leaves a half file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if exclusive:
            os.link(tmp, path)  # fails if path exists, unlike rename
            os.unlink(tmp)
        else:
            os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def append_event(root: Path, rel: str, fields: dict, registry: Registry) -> LoadedCase:
    """Append an event to a case file, refusing to write a case that would be invalid."""
    path = root / rel
    text = path.read_text(encoding="utf-8")
    try:
        new_text = append_event_text(text, fields)
    except InvalidCase as exc:
        raise InvalidCase([Problem(rel, p.line, p.field, p.message) for p in exc.problems]) from None
    loaded = check_text(new_text, rel, registry)
    atomic_write(path, new_text)
    return loaded


def mask_text(text: str, case) -> tuple[str, list[str]]:
    """The file text with every personal datum in free text masked; and what was masked."""
    changed: list[str] = []
    for _loc, value in free_text_fields(case):
        for finding in find_personal_data(value):
            masked = mask_finding(finding)
            if finding.text in text:
                text = text.replace(finding.text, masked)
                changed.append(f"{finding.kind}: {finding.text} -> {masked}")
    return text, changed


def mask_case(root: Path, loaded: LoadedCase, registry: Registry) -> list[str]:
    """Mask personal data in a case file in place; return what was masked."""
    path = root / loaded.path
    new_text, changed = mask_text(path.read_text(encoding="utf-8"), loaded.case)
    if changed:
        check_text(new_text, loaded.path, registry)
        atomic_write(path, new_text)
    return changed

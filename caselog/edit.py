"""Changing case files: append an event, mask personal data.

Edits are made to the file's text, not by re-dumping parsed YAML, so that
comments and the layout of hand-edited files survive. Every edit goes through
store.write_case: under the file's lock, checked as a whole case, then renamed.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import yaml

from .checks import free_text_fields
from .errors import InvalidCase, Problem
from .i18n import _
from .privacy import KINDS, find_personal_data, mask, mask_finding
from .registry import Registry
from .repository import LoadedCase
from .schema import type_case
from .store import write_case
from .yamlsafe import format_loc, parse

try:
    from yaml import CBaseLoader as _BaseLoader
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import BaseLoader as _BaseLoader
    from yaml import SafeLoader as _Loader

_PRINTABLE = re.compile(r"[^\x09\x0a\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# what a YAML 1.2 core-schema reader (Decap CMS's editing interface) types as a number, not
# text: 0o17, 1e3 and the like, which YAML 1.1 reads as strings
_YAML12_NUMBER = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|0o[0-7]+|0x[0-9a-fA-F]+"
                            r"|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)")
# text that is being entered: nothing was written yet, so 'caselog mask ID' cannot help
ENTRY_ADVICE = "give --mask to mask it as it is entered"
FIELD_ORDER = ("date", "type", "unit", "mode", "by", "ref", "due", "final", "approved_by",
               "reason", "days", "method", "satisfaction", "outcome", "duplicate_of",
               "referred_to", "text", "note")


def scalar(value, indent: int) -> str:
    """A YAML scalar for `value` that any YAML 1.1 or 1.2 reader reads back as the same string."""
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


# One word of letters and digits with a character beyond ASCII in it (most titles and names):
# no indicator, no space, and no implicit type (bool, null, number, date) matches it.
_PLAIN_WORD = re.compile(r"[0-9A-Za-z\u00a1-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd]+")


def _reads_back(text: str) -> bool:
    if _PLAIN_WORD.fullmatch(text) and not text.isascii():
        return True
    if not text or text != text.strip() or _PRINTABLE.search(text) or "\t" in text:
        return False
    if _YAML12_NUMBER.fullmatch(text):
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


def append_event(root: Path, rel: str, fields: dict, registry: Registry, *, today: date,
                 advice: str = ENTRY_ADVICE) -> LoadedCase:
    """Append an event to a case file, refusing to write a case that would be invalid."""

    def change(text: str) -> str:
        try:
            return append_event_text(text, fields)
        except InvalidCase as exc:
            raise InvalidCase([Problem(rel, p.line, p.field, p.message) for p in exc.problems]) from None

    return write_case(root, rel, change, registry, today=today, advice=advice)


def mask_entered(text: str, public_numbers: frozenset[str] = frozenset()) -> tuple[str, list[str]]:
    """Text as it is entered, with its personal data masked (an office's own public numbers
    left as they are); and what was masked (masked forms only: the original is not repeated)."""
    findings = find_personal_data(text, public_numbers)
    found = [f"{KINDS[f.kind]} ({f.kind}) {mask_finding(f)}" for f in findings]
    return (mask(text, public_numbers), found) if found else (text, [])


def mask_text(text: str, rel: str, public_numbers: frozenset[str] = frozenset()) -> tuple[str, list[str]]:
    """The file text with the personal data of every free-text field masked, and nothing
    else touched (not source_url, not source_ref); and what was masked."""
    doc = parse(text, rel)
    case, problems = type_case(doc)
    if case is None:
        raise InvalidCase(problems)
    lines = text.splitlines(keepends=True)
    starts = sorted(set(doc.lines.values()))
    changed: list[str] = []
    edits: dict[int, tuple[int, str]] = {}  # first line -> (end line, new text), 1-based
    for loc, value in free_text_fields(case):
        if loc[0] in ("source_url", "source_ref"):
            continue  # checked, but an import's key: never rewritten behind the clerk's back
        findings = find_personal_data(value, public_numbers)
        if not findings:
            continue
        first = doc.line_of(loc)
        end = next((n for n in starts if n > first), len(lines) + 1)
        region = "".join(lines[first - 1:end - 1])
        if first in edits:  # two fields on one line (a flow mapping): mask the edited line
            end, region = edits[first]
        literal = region
        for finding in findings:
            masked = mask_finding(finding)
            changed.append(f"{finding.kind}: {finding.text} -> {masked}")
            literal = literal.replace(finding.text, masked) if literal is not None \
                and finding.text in literal else None
        if literal is None:
            literal = _rewritten(region, loc, mask(value, public_numbers), rel)
        edits[first] = (end, literal)
    for first in sorted(edits, reverse=True):
        end, new = edits[first]
        lines[first - 1:end - 1] = [new]
    return "".join(lines), changed


def _rewritten(region: str, loc: tuple, value: str, rel: str) -> str:
    """A field's lines written anew with `value`: for text a line fold splits."""
    key = loc[-1]
    match = re.match(rf"([ ]*(?:-[ ]+)?){re.escape(key)}[ ]*:", region)
    if match is None:
        msg = "personal data spans lines in a way that cannot be masked automatically: mask it by hand"
        raise InvalidCase([Problem(rel, 0, format_loc(loc), msg)])
    kept = region.splitlines(keepends=True)
    tail = []
    while len(kept) > 1 and (not kept[-1].strip() or kept[-1].lstrip().startswith("#")):
        tail.insert(0, kept.pop())
    return f"{match.group(1)}{key}: {scalar(value, len(match.group(1)) + 2)}\n" + "".join(tail)


def mask_case(root: Path, loaded: LoadedCase, registry: Registry, *, today: date) -> list[str]:
    """Mask personal data in a case file in place; return what was masked."""
    changed: list[str] = []

    def change(text: str) -> str:
        new_text, found = mask_text(text, loaded.path, registry.public_numbers)
        changed[:] = found
        return new_text

    write_case(root, loaded.path, change, registry, today=today)
    return changed


"""Strict, safe YAML loading that keeps every value's line number.

Only the C event parser of PyYAML touches the text; the tree is built here,
so anchors, aliases, tags, duplicate keys and deep nesting are refused before
they can cost memory, and every scalar stays a string until the schema types it.
"""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .errors import LoadError, Problem
from .i18n import _

try:  # the C parser is a chosen dependency; the pure one is a slow fallback
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - only on a PyYAML built without libyaml
    from yaml import SafeLoader as _Loader

MAX_CASE_BYTES = 256 * 1024
MAX_REGISTRY_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 16

SYMLINK = ("is a symbolic link; case log files must be regular files (replace the link with "
           "the file itself: a link can point anywhere on the machine)")

Loc = tuple  # a path into the document: ("events", 2, "unit")


@dataclass
class Document:
    """A parsed YAML document: plain values plus the line of every key and item."""

    path: str
    data: object
    lines: dict = field(default_factory=dict)
    text: str = ""

    def line_of(self, loc: Loc) -> int:
        """The line of `loc`, or of its closest ancestor that has one."""
        loc = tuple(loc)
        while loc:
            line = self.lines.get(loc)
            if line:
                return line
            loc = loc[:-1]
        return self.lines.get((), 1)


def format_loc(loc: Loc) -> str:
    """Render ("events", 2, "unit") as events[2].unit."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def read_text(path: Path, display: str, limit: int) -> str:
    """Read a file as UTF-8, refusing symbolic links, oversized and undecodable files."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError as exc:
        if exc.errno == errno.ELOOP or os.path.islink(path):
            raise LoadError(Problem(display, 0, "", SYMLINK)) from None
        message = _("cannot read file: {reason}").format(reason=exc.strerror)
        raise LoadError(Problem(display, 0, "", message)) from None
    try:
        with os.fdopen(fd, "rb") as handle:
            check_size(os.fstat(handle.fileno()).st_size, display, limit)
            raw = handle.read(limit + 1)
    except OSError as exc:
        message = _("cannot read file: {reason}").format(reason=exc.strerror)
        raise LoadError(Problem(display, 0, "", message)) from None
    check_size(len(raw), display, limit)  # it grew while being read
    return decode_utf8(raw, display)


def check_size(size: int, display: str, limit: int) -> None:
    """Refuse a file of more than `limit` bytes (the same rule when reading and writing)."""
    if size > limit:
        msg = (f"file is {size:,} bytes, over the limit of {limit:,} bytes "
               "(shorten the longest text, or keep attachments outside the case log)")
        raise LoadError(Problem(display, 0, "", msg))


def decode_utf8(raw: bytes, display: str) -> str:
    """Decode bytes as UTF-8 (a BOM is dropped), naming the line of a bad byte."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        msg = _("not UTF-8 text (byte 0x{byte:02x} at offset {offset})").format(byte=raw[exc.start],
                                                                              offset=exc.start)
        raise LoadError(Problem(display, line, "", msg)) from None
    return text.removeprefix("\ufeff")


def load_file(path: Path, display: str | None = None, limit: int = MAX_CASE_BYTES) -> Document:
    """Read and parse one YAML file strictly."""
    display = display or str(path)
    return parse(read_text(path, display, limit), display)


def parse(text: str, display: str = "<string>") -> Document:
    """Parse one YAML document strictly; raise LoadError with the position of the first fault."""
    doc = Document(display, None, {}, text)
    try:
        events = yaml.parse(text, Loader=_Loader)
        builder = _Builder(doc, events)
        doc.data = builder.build()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        reason = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.context_mark and exc.context_mark.line + 1 != line:
            reason += f" ({exc.context} that starts at line {exc.context_mark.line + 1})"
        message = _("invalid YAML: {reason}").format(reason=reason)
        raise LoadError(Problem(display, line, "", message)) from None
    except yaml.YAMLError as exc:
        raise LoadError(Problem(display, 0, "", _("invalid YAML: {reason}").format(reason=exc))) from None
    except RecursionError:  # pragma: no cover - MAX_DEPTH stops well before this
        raise LoadError(Problem(display, 0, "", "nesting too deep")) from None
    return doc


class _Builder:
    """Turns a stream of parser events into plain dicts, lists and strings."""

    def __init__(self, doc: Document, events):
        self.doc = doc
        self.events = iter(events)

    def fail(self, event, message: str, loc: Loc = ()):
        line = event.start_mark.line + 1 if event.start_mark else 0
        raise LoadError(Problem(self.doc.path, line, format_loc(loc), message))

    def build(self):
        next(self.events)  # StreamStart
        event = next(self.events)
        if isinstance(event, yaml.StreamEndEvent):
            return None
        value = self.node(next(self.events), (), 0)
        end = next(self.events)  # DocumentEnd
        after = next(self.events)
        if not isinstance(after, yaml.StreamEndEvent):
            self.fail(after, "a file must hold exactly one YAML document")
        del end, event
        return value

    def node(self, event, loc: Loc, depth: int):
        if depth > MAX_DEPTH:
            self.fail(event, f"nesting deeper than {MAX_DEPTH} levels", loc[:2])
        if isinstance(event, yaml.AliasEvent):
            self.fail(event, "aliases (*name) are not allowed", loc)
        if event.anchor is not None:
            self.fail(event, f"anchors (&{event.anchor}) are not allowed", loc)
        if isinstance(event, yaml.ScalarEvent):
            if event.tag is not None and event.tag != "!":
                self.fail(event, f"tags ({event.tag}) are not allowed", loc)
            if event.implicit[0] and event.value in ("", "~", "null", "Null", "NULL"):
                return None  # an empty plain value means "absent"
            return event.value
        if event.tag is not None:
            self.fail(event, f"tags ({event.tag}) are not allowed", loc)
        self.doc.lines.setdefault(loc, event.start_mark.line + 1)
        if isinstance(event, yaml.SequenceStartEvent):
            return self.sequence(loc, depth)
        return self.mapping(event, loc, depth)

    def sequence(self, loc: Loc, depth: int) -> list:
        items = []
        for event in self.events:
            if isinstance(event, yaml.SequenceEndEvent):
                return items
            item_loc = (*loc, len(items))
            self.doc.lines[item_loc] = event.start_mark.line + 1
            items.append(self.node(event, item_loc, depth + 1))
        return items  # pragma: no cover - the parser always closes a sequence

    def mapping(self, start, loc: Loc, depth: int) -> dict:
        result: dict = {}
        for event in self.events:
            if isinstance(event, yaml.MappingEndEvent):
                return result
            if not isinstance(event, yaml.ScalarEvent) or event.anchor or event.tag:
                self.fail(event, "mapping keys must be plain text", loc)
            key = event.value
            key_loc = (*loc, key)
            line = event.start_mark.line + 1
            if key in result:
                first = self.doc.lines.get(key_loc, "?")
                self.fail(event, f"duplicate key '{key}' (first at line {first})", key_loc)
            self.doc.lines[key_loc] = line
            result[key] = self.node(next(self.events), key_loc, depth + 1)
            self.doc.lines[key_loc] = line  # the key's own line wins over its value's
        return result  # pragma: no cover

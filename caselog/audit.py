"""The published record is append-only: every case file changed since a base ref is
compared with its version there (docs/audit-trail.md).

A change may add new case files and append events. It may not change a case's `id` or
`received`, edit or remove an event that was there, or delete or move a case file —
unless it appends a `corrected` event that says what was corrected (the case page then
shows the correction log). Values are compared as parsed, so re-indenting or re-quoting
a file is not an edit.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from .edit import FIELD_ORDER
from .errors import LoadError, Problem
from .gitread import FileChange, changed_case_files, read_at, resolve_ref, run_git
from .i18n import N_, _
from .schema import EVENT_TYPES, parse_moment
from .yamlsafe import Document, decode_utf8, load_file, parse

HINT = N_("add a 'corrected' event that says what was corrected")
APPEND_ONLY = N_("published events are append-only: add a 'corrected' event that says what was corrected")
WATCHED_TEXT = ("title", "message")  # published text whose silent edit earns a warning
REGISTRY = "cases/registry/"


def _moment(value):
    try:
        return parse_moment(value)
    except Exception:  # pydantic's error type; an unparsable value compares as text
        return value


# fields a published case keeps unless a correction says why: they decide its file, its
# deadlines and so its published on-time verdicts (reader, default when absent)
KEPT = {"id": (str, None), "received": (_moment, None), "priority": (str, "normal")}


def append_only_problems(root: Path, base: str, only: list[str] | None = None) -> list[Problem]:
    """Problems with changes to case files since `base` (only those in `only`, if given)."""
    commit = resolve_ref(root, base)
    changes = changed_case_files(root, commit)
    if only is not None:
        wanted = set(only)
        changes = [c for c in changes if c.old_path in wanted or c.new_path in wanted]
    before = read_at(root, commit, [c.old_path for c in changes if c.old_path])
    problems: list[Problem] = []
    for change in changes:
        old = parse_old(before.get(change.old_path), change.old_path, base) if change.old_path else None
        problems += change_problems(root, change, old, base)
    if only is None:
        problems += [Problem(path, 0, ", ".join(keys), (
            f"changed since {base}: the deadlines and verdicts of published cases may change with it; "
            "say why in the pull request"), "warning")
            for path, keys in registry_changes(root, commit)]
    return problems


def registry_changes(root: Path, commit: str) -> list[tuple[str, tuple[str, ...]]]:
    """Registry files changed since `commit`, each with the top-level keys that changed
    (settings in rules.yaml; units, channels or topics in the others)."""
    out = run_git(root, "diff", "--name-only", "-z", "--relative", "--no-ext-diff", commit, "--", REGISTRY)
    paths = [p for p in out.decode("utf-8", "surrogateescape").split("\0") if p]
    before = read_at(root, commit, paths)
    changes = []
    for path in paths:
        old = _mapping(before.get(path), path)
        try:
            new = _mapping((root / path).read_bytes(), path)
        except OSError:
            new = {}
        keys = tuple(sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k)))
        changes.append((path, keys))
    return changes


def _mapping(raw: bytes | None, path: str) -> dict:
    if raw is None:
        return {}
    try:
        data = parse(decode_utf8(raw, path), path).data
    except LoadError:
        return {}
    return data if isinstance(data, dict) else {}


def parse_old(raw: bytes | None, path: str, base: str) -> Document | None:
    """The case file as it was at the base ref; None if it was not a usable case there."""
    if raw is None:
        return None
    try:
        doc = parse(decode_utf8(raw, f"{path}@{base}"), f"{path}@{base}")
    except LoadError:
        return None  # it never validated, so nothing of it was published
    return doc if isinstance(doc.data, dict) else None


def change_problems(root: Path, change: FileChange, old: Document | None, base: str) -> list[Problem]:
    """What is wrong with one changed case file, compared with its version at `base`."""
    if old is None:
        return []  # a new case, or one that was unusable at the base
    if change.status == "deleted":
        return [Problem(change.old_path, 0, "", _(
            "a published case file was deleted (it exists at {base}); case files are never "
            "deleted: to take a case off the site set 'public: false' and "
            "add a 'corrected' event that says why").format(base=base))]
    try:
        new = load_file(root / change.new_path, change.new_path)
    except LoadError:
        return []  # `caselog validate` reports the file itself
    if not isinstance(new.data, dict):
        return []
    moved_from = change.old_path if change.status == "moved" else None
    return compare(old, new, base, moved_from)


def corrections(doc: Document) -> int:
    """How many `corrected` events a parsed case holds."""
    events = doc.data.get("events")
    if not isinstance(events, list):
        return 0
    return sum(1 for e in events if isinstance(e, dict) and e.get("type") == "corrected")


def compare(old: Document, new: Document, base: str, moved_from: str | None = None) -> list[Problem]:
    """Problems with `new` as a successor of the published `old`."""
    if corrections(new) > corrections(old):
        return []  # a correction says what changed; Git keeps the earlier text
    path = new.path
    problems: list[Problem] = []
    if moved_from:
        problems.append(Problem(path, 1, "", _(
            "the case file was moved (it is {path} at {base}); case files never move: restore it, "
            "or {hint}").format(path=moved_from, base=base, hint=_(HINT))))
    for name, (reader, default) in KEPT.items():
        was, now = old.data.get(name, default), new.data.get(name, default)
        if was is not None and now is not None and reader(was) != reader(now):
            problems.append(Problem(path, new.line_of((name,)), name, _(
                "'{name}' was changed (it is '{was}' at {base}); a published case keeps its "
                "{name}: {hint}").format(name=name, was=was, base=base, hint=_(HINT))))
    for name in WATCHED_TEXT:
        if name in old.data and old.data.get(name) != new.data.get(name):
            problems.append(Problem(path, new.line_of((name,)), name, _(
                "the published {name} was changed; if this corrects it, {hint}").format(
                name=name, hint=_(HINT)), "warning"))
    problems += event_problems(old, new)
    return problems


def event_problems(old: Document, new: Document) -> list[Problem]:
    """Published events edited, removed or pushed aside by an inserted event."""
    was = _events(old)
    now = _events(new)
    if now[:len(was)] == was:
        return []  # only appended
    path = new.path
    inserted = _inserted(was, now)
    if inserted is not None:
        return [Problem(path, new.line_of(("events", k)), f"events[{k}]", _(
            "an event was inserted before published events; published events are append-only: "
            "append new events at the end, or to fill in a missed event {hint}").format(hint=_(HINT)))
            for k in inserted]
    problems = []
    for index, before in enumerate(was):
        loc = ("events", index)
        if index >= len(now):
            what = _("{type} of {date}").format(type=before.get("type", "event"),
                                                date=before.get("date", "?"))
            problems.append(Problem(path, new.line_of(("events",)), f"events[{index}]",
                                    _("a published event was removed ({what}); {rule}").format(
                                        what=what, rule=_(APPEND_ONLY))))
        elif now[index] != before:
            fields = _changed_fields(before, now[index])
            first = (*loc, fields[0]) if fields and fields[0] in _raw(new, index) else loc
            problems.append(Problem(path, new.line_of(first), f"events[{index}]",
                                    _("a published event was changed ({fields}); {rule}").format(
                                        fields=", ".join(fields), rule=_(APPEND_ONLY))))
    return problems


def _raw(doc: Document, index: int) -> dict:
    events = doc.data.get("events")
    item = events[index] if isinstance(events, list) and index < len(events) else None
    return item if isinstance(item, dict) else {}


def _events(doc: Document) -> list[dict]:
    """The events of a parsed case, typed where they type cleanly (so `True` equals `true`)."""
    events = doc.data.get("events")
    return [_normal(e) for e in events] if isinstance(events, list) else []


def _normal(raw) -> dict:
    if not isinstance(raw, dict):
        return {"": raw}
    cls = EVENT_TYPES.get(raw.get("type")) if isinstance(raw.get("type"), str) else None
    if cls is None:
        return raw
    try:
        typed = cls.model_validate(raw).model_dump()
    except ValidationError:
        return raw
    return {k: v for k, v in typed.items() if v is not None}


def _changed_fields(before: dict, after: dict) -> list[str]:
    names = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    order = {name: i for i, name in enumerate(FIELD_ORDER)}
    return sorted(names, key=lambda n: (order.get(n, len(order)), n))


def _inserted(was: list[dict], now: list[dict]) -> list[int] | None:
    """Indexes in `now` of events inserted among `was` (kept in order); None if `was` is
    not kept in order inside `now`."""
    extra: list[int] = []
    matched = 0
    for index, event in enumerate(now):
        if matched < len(was) and event == was[matched]:
            matched += 1
        elif matched < len(was):
            extra.append(index)
    return extra if matched == len(was) else None

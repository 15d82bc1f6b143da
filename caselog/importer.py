"""Importing the CSV or XLSX exports of message platforms as new cases, replies and all.

Each row becomes a valid case (plain text, personal data masked, the author's real
name never stored), with the department's reply, the closing and the follow-up
visit when the export has them. A row is the same message as a case already in the
log when both its source reference and its text match (`source_ref` and
`source_digest`), so re-running an import is a no-op; a reference shared by a
different message, or a text repeated under another reference, is imported and
pointed out. A run is planned whole first (a dry run reports that plan) and then
written whole: all its cases or none.
"""

from __future__ import annotations

import hashlib
import os
import random
import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

import yaml

from .edit import check_text
from .errors import InvalidCase
from .exportsheet import clean_line, clean_text, parse_moment, read_rows
from .importmap import Mapping, is_yes
from .intake import NewCase, new_id, render_case, write_new_cases
from .privacy import mask
from .registry import Registry
from .repository import list_case_files, prefetch
from .schema import CATEGORIES, OUTCOMES, PRIORITIES, SATISFACTIONS, day_of

_FIELD_LINE = re.compile(r"^(source_ref|source_digest|title):.*$", re.MULTILINE)

try:
    from yaml import CBaseLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import BaseLoader as _Loader


def message_digest(message: str) -> str:
    """The digest of a message's text, blind to whitespace: how a repeat of it is recognised."""
    return hashlib.blake2b("".join(message.split()).encode("utf-8"), digest_size=8).hexdigest()


@dataclass(frozen=True)
class KnownCase:
    """What an import needs of a case already in the log."""

    id: str
    title: str
    ref: str | None
    digest: str


def known_cases(root: Path) -> list[KnownCase]:
    """Every case in the log with its source reference and message digest (read from the
    `source_digest` line an import writes; other cases are parsed for their message)."""
    known = []
    rels, _stray = list_case_files(root)
    prefetch(root, rels)  # every read in flight at once: far quicker than one by one on a slow disk
    base = str(root)
    for rel in rels:
        try:
            with open(os.path.join(base, rel), encoding="utf-8") as handle:
                text = handle.read()
        except (OSError, UnicodeDecodeError):
            continue
        head = text[:text.find("\nmessage:")]  # the fields looked for come before the message
        values = {m.group(1): _line_value(m.group(0)) for m in _FIELD_LINE.finditer(head)}
        if "source_digest" not in values:  # not as an import writes it: look through the whole file
            values = {m.group(1): _line_value(m.group(0)) for m in _FIELD_LINE.finditer(text)}
        digest = values.get("source_digest")
        if digest is None:  # a case entered by hand: its message is what a repeat would match
            try:
                data = yaml.load(text, Loader=_Loader)
                digest = message_digest(str(data.get("message", "")))
                values.setdefault("title", str(data.get("title", "")))
            except (yaml.YAMLError, AttributeError):
                continue  # `caselog validate` reports what is wrong with the file
        known.append(KnownCase(rel.rpartition("/")[2].removesuffix(".yaml"), values.get("title") or "",
                               values.get("source_ref"), digest))
    return known


_PLAIN_VALUE = re.compile(r"^[^:]+: ([0-9A-Za-z\u4e00-\u9fff][^#:'\"]*)$")


def _line_value(line: str) -> str | None:
    """The value of a one-line `key: value` (None if it does not read as one)."""
    plain = _PLAIN_VALUE.match(line)
    if plain and not plain.group(1).isdigit():
        return plain.group(1).rstrip()
    try:
        value = yaml.load(line, Loader=_Loader)
    except yaml.YAMLError:
        return None
    value = next(iter(value.values()), None) if isinstance(value, dict) else None
    return value if isinstance(value, str) and value else None


@dataclass(frozen=True)
class RowResult:
    """What happened to one row, with what was defaulted or dropped (notes) and the repeats
    it may be (warnings)."""

    source: str
    row: int
    outcome: str  # created | would-create | skipped | error
    case_id: str | None = None
    path: str | None = None
    reason: str = ""
    notes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    def __str__(self) -> str:
        where = f"{self.source}:{self.row}:"
        if self.outcome == "created":
            head = f"{where} created {self.case_id} ({self.path})"
        elif self.outcome == "would-create":
            head = f"{where} would create {self.case_id} ({self.path})"
        elif self.outcome == "skipped":
            head = f"{where} skipped: {self.reason or f'already imported as {self.case_id}'}"
        else:
            head = f"{where} {self.reason}"
        lines = [head, *(f"{where}   {note}" for note in self.notes),
                 *(f"{where} warning: {warning}" for warning in self.warnings)]
        return "\n".join(lines)

    def as_json(self) -> dict:
        """The row's result as a JSON object."""
        return {"row": self.row, "outcome": self.outcome, "id": self.case_id, "path": self.path,
                "reason": self.reason or None, "notes": list(self.notes), "warnings": list(self.warnings)}


@dataclass
class ImportReport:
    """Every row's result, and the cases written (or, in a dry run, that would be)."""

    rows: list[RowResult] = field(default_factory=list)
    cases: list = field(default_factory=list)
    dry_run: bool = False

    def _count(self, *outcomes: str) -> int:
        return sum(1 for row in self.rows if row.outcome in outcomes)

    @property
    def created(self) -> int:
        """Rows that became cases (or would, in a dry run)."""
        return self._count("created", "would-create")

    @property
    def skipped(self) -> int:
        """Rows already imported, or repeating a row of the same file."""
        return self._count("skipped")

    @property
    def errors(self) -> int:
        """Rows that could not be imported."""
        return self._count("error")

    @property
    def warnings(self) -> int:
        """Possible repeats pointed out."""
        return sum(len(row.warnings) for row in self.rows)


@dataclass
class RowCase:
    """One row read into a would-be case, with what was defaulted or dropped on the way."""

    ref: str
    new: NewCase
    notes: list[str]


class _Row:
    """Reading the cells of one row through the mapping; notes what it defaults or drops."""

    def __init__(self, cells: dict, mapping: Mapping, registry: Registry, names: dict):
        self.cells, self.mapping, self.registry = cells, mapping, registry
        self.notes: list[str] = []
        self._names = names

    def names(self, table: str) -> dict[str, str]:
        """{name or short name: key} of a registry table, so a cell may hold a unit's name."""
        return self._names[table]

    def raw(self, field: str):
        column = getattr(self.mapping.columns, field)
        return self.cells.get(column, "") if column else ""

    def line(self, field: str, required: bool = False) -> str | None:
        value = self.raw(field)
        value = clean_line(value) if isinstance(value, str) else str(value)
        if required and not value:
            raise ValueError(f"{self.mapping.column_of(field)}: is empty")
        return value or None

    def text(self, field: str) -> str | None:
        value = self.raw(field)
        return (clean_text(value) if isinstance(value, str) else str(value)) or None

    def moment(self, field: str) -> date | None:
        value = self.raw(field)
        if isinstance(value, str) and not value.strip():
            return None
        try:
            return parse_moment(value)
        except ValueError as exc:
            raise ValueError(f"{self.mapping.column_of(field)}: {exc}") from None

    def choose(self, field: str, allowed, names=None, many=False):
        """A key (or keys) for a classified field; the fixed value when the cell is empty;
        with `when_unknown: classify`, the fixed value as a placeholder (second item True)."""
        mapping, column = self.mapping, getattr(self.mapping.columns, field)
        cell = self.line(field) or ""
        fixed = getattr(mapping, field)
        classify = mapping.when_unknown == "classify" and field in ("category", "topics")
        if cell:
            try:
                keys = (mapping.keys_for if many else mapping.key_for)(field, cell, allowed, names)
                return keys, False
            except ValueError as exc:
                if not classify:
                    raise ValueError(f"{column}: {exc}") from None
                self.notes.append(f"{column}: unknown value '{cell}': awaiting classification "
                                  f"({field} held by {_shown(fixed)} until then)")
                return fixed, True
        if fixed is None:
            raise ValueError(f"{mapping.column_of(field)}: is empty")
        if not column:  # the export does not say: the mapping's value classifies, or holds the place
            return fixed, classify
        if classify:
            self.notes.append(f"{column}: empty: awaiting classification ({field} held by {_shown(fixed)})")
            return fixed, True
        self.notes.append(f"{column}: empty: {field} {_shown(fixed)} (the mapping's default)")
        return fixed, False

    def optional_key(self, field: str, allowed, what: str, names=None,
                     values: str | None = None) -> str | None:
        """A key from a cell that may be left out (translated by `values`, default the field's
        own table): None, noted with `what` is done instead, if unknown."""
        cell = self.line(field)
        if not cell:
            return None
        try:
            return self.mapping.key_for(values or field, cell, allowed, names)
        except ValueError as exc:
            self.notes.append(f"{self.mapping.column_of(field)}: {exc}: {what}")
            return None


def _shown(value) -> str:
    return ", ".join(value) if isinstance(value, tuple) else str(value)


def registry_names(registry: Registry) -> dict[str, dict[str, str]]:
    """{table: {name or short name: key}} of the units, topics and channels: a cell may hold a name."""
    tables = {}
    for table in ("units", "topics", "channels"):
        names = tables[table] = {}
        for key, entry in getattr(registry, table).items():
            for name in (getattr(entry, "short", None), entry.name):
                if name:
                    names.setdefault(name, key)
    return tables


def row_case(cells: dict, mapping: Mapping, registry: Registry, today: date,
             names: dict | None = None) -> RowCase:
    """One row as a would-be case; raise ValueError('column: reason') when it cannot be one."""
    row = _Row(cells, mapping, registry, names or registry_names(registry))
    source_url = row.line("source_url")
    ref = row.line("source_ref", required=mapping.columns.source_url is None) or source_url
    received = row.moment("received")
    if received is None:
        raise ValueError(f"{mapping.columns.received}: is empty")
    received_day = day_of(received)
    if received_day > today:
        raise ValueError(f"{mapping.columns.received}: {received_day} is in the future")
    real_name = mapping.alias_is_real_name or bool(
        mapping.columns.real_name and is_yes(row.line("real_name") or ""))
    alias = row.line("alias")
    if real_name and alias:
        row.notes.append(f"{mapping.columns.alias}: a real name, not stored (alias {mapping.default_alias})")
    message = row.text("message")
    if not message:
        raise ValueError(f"{mapping.columns.message}: is empty")
    message = mask(message)
    category, category_open = row.choose("category", CATEGORIES)
    topics, topics_open = row.choose("topics", registry.topics, row.names("topics"), many=True)
    channel, _ = row.choose("channel", registry.channels, row.names("channels"))
    accepted_on = received_day if mapping.accepted == "received" else today
    new = NewCase(
        title=mask(row.line("title", required=True)), received=received, channel=channel,
        category=category, topics=tuple(topics), message=message,
        alias=mask(alias) if alias and not real_name else mapping.default_alias,
        accepted_on=accepted_on, real_name=real_name, contact_on_file=mapping.contact_on_file,
        public=mapping.public,
        priority=row.choose("priority", PRIORITIES)[0] if mapping.columns.priority else mapping.priority,
        area=mask(row.line("area") or "") or None, source_url=source_url,
        source_ref=f"{mapping.ref_prefix}{ref}", source_digest=message_digest(message),
        unclassified=tuple(name for name, unknown in (("category", category_open), ("topics", topics_open))
                           if unknown),
        text_format="plain", platform_counts=_counts(row),
        events=tuple(_events(row, received, accepted_on)))
    return RowCase(new.source_ref, new, row.notes)


def _counts(row: _Row) -> tuple[tuple[str, int], ...]:
    counts = []
    for name in ("likes", "dislikes"):
        cell = row.line(name)
        if cell is None:
            continue
        if cell.isascii() and cell.isdigit() and len(cell) < 10:
            counts.append((name, int(cell)))
        else:
            row.notes.append(f"{row.mapping.column_of(name)}: '{cell}' is not a count: dropped")
    return tuple(counts)


def _events(row: _Row, received: date, accepted_on: date) -> list[dict]:
    """The assignment, reply, visit and closing a row records (none if it has no reply)."""
    mapping, registry = row.mapping, row.registry
    reply_text = row.text("reply_text")
    replied = row.moment("reply_time")
    if reply_text and replied is None:
        row.notes.append(f"{mapping.column_of('reply_time')}: empty: the reply is not recorded")
        return []
    if replied is not None and not reply_text:
        row.notes.append(f"{mapping.column_of('reply_text')}: empty: the reply time {_moment(replied)} "
                         "is dropped")
        return []
    if replied is None:
        return []
    if replied < received if type(replied) is type(received) else day_of(replied) < day_of(received):
        raise ValueError(f"{mapping.columns.reply_time}: {_moment(replied)} is before the message was "
                         f"received ({_moment(received)})")
    unit = row.optional_key("reply_unit", registry.units, f"replied as {mapping.reply_unit}"
                            if mapping.reply_unit else "no unit", row.names("units"), values="unit")
    if unit is None and mapping.columns.reply_unit and not row.line("reply_unit") and mapping.reply_unit:
        row.notes.append(f"{mapping.columns.reply_unit}: empty: replied as {mapping.reply_unit}")
    unit = unit or mapping.reply_unit
    if unit is None:
        raise ValueError(f"{mapping.columns.reply_unit}: no unit to record the reply under")
    kind = row.optional_key("reply_final", ("final", "interim"), "taken as "
                            + ("final" if mapping.reply_final else "interim"))
    final = kind == "final" if kind else mapping.reply_final
    events = [{"date": accepted_on, "type": "assigned", "unit": unit, "mode": "assign"},
              {"date": replied, "type": "replied", "unit": unit, "final": final, "text": mask(reply_text)}]
    closed = row.moment("closed") or (replied if final else None)
    outcome = row.optional_key("outcome", OUTCOMES, f"closed as {mapping.close_on_final_reply}"
                               if final and mapping.close_on_final_reply != "no" else "not closed")
    if outcome is None and final and mapping.close_on_final_reply != "no":
        outcome = mapping.close_on_final_reply
    if outcome in ("duplicate", "referred"):  # they name a case or a place the export does not give
        row.notes.append(f"{mapping.column_of('outcome')}: '{outcome}' needs more than the export says: "
                         "not closed")
        outcome = None
    satisfaction = row.optional_key("satisfaction", SATISFACTIONS, "dropped")
    if satisfaction:
        visited = row.moment("visited") or closed or replied
        events.append({"date": visited, "type": "visited", "method": mapping.visit_method,
                       "satisfaction": satisfaction})
    if outcome and closed is not None:
        if day_of(closed) < day_of(replied):
            raise ValueError(f"{mapping.columns.closed}: {_moment(closed)} is before the reply "
                             f"({_moment(replied)})")
        events.append({"date": closed, "type": "closed", "outcome": outcome})
    events.sort(key=lambda e: (day_of(e["date"]), e["type"] == "closed"))  # stable: reply first
    return events


def _moment(value: date) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if isinstance(value, datetime) else str(value)


def _seeded_rng(ref: str, digest: str) -> random.Random:
    # ids drawn from the row's own reference and text: a dry run names the ids a real run writes
    return random.Random(hashlib.blake2b(f"{ref}\0{digest}".encode(), digest_size=16).digest())


@dataclass
class _Planned:
    number: int
    row: RowCase
    notes: list[str]
    warnings: list[str]


def import_file(root: Path, source: Path, mapping: Mapping, registry: Registry, today: date,
                dry_run: bool = False) -> ImportReport:
    """Import every row of an export: plan it whole, then write all its cases or none.

    A row whose reference and text are both in the log is skipped; repeats (a reference
    shared by another text, a text under another reference) are imported and warned about."""
    columns = [c for c in mapping.columns.model_dump().values() if c]
    rows = read_rows(source, mapping.header_row, mapping.sheet, mapping.encoding, columns)
    known = known_cases(root)
    by_pair = {(k.ref, k.digest): k for k in known}
    by_ref: dict[str, KnownCase] = {}
    by_digest: dict[str, KnownCase] = {}
    for k in known:
        if k.ref is not None:
            by_ref.setdefault(k.ref, k)
        by_digest.setdefault(k.digest, k)
    name = source.name
    results: dict[int, RowResult] = {}
    planned: dict[tuple[str, str], _Planned] = {}
    planned_ref: dict[str, _Planned] = {}
    planned_digest: dict[str, _Planned] = {}
    names = registry_names(registry)
    for number, cells in rows:
        try:
            row = row_case(cells, mapping, registry, today, names)
        except ValueError as exc:
            results[number] = RowResult(name, number, "error", reason=str(exc))
            continue
        ref, digest = row.ref, row.new.source_digest
        if (ref, digest) in by_pair:
            results[number] = RowResult(name, number, "skipped", case_id=by_pair[ref, digest].id)
            continue
        earlier = planned.get((ref, digest))
        if earlier is not None:  # the same message listed twice (e.g. once per label)
            notes = _merge_labels(earlier, row, number)
            results[number] = RowResult(name, number, "skipped", notes=tuple(notes),
                                        reason=f"same message as row {earlier.number} (reference {ref})")
            continue
        plan = _Planned(number, row, list(row.notes), [])
        if ref in by_ref:
            other = by_ref[ref]
            plan.warnings.append(f"reference {ref} is also case {other.id} {other.title}, "
                                 "a different message: imported as a case of its own")
        elif ref in planned_ref:
            plan.warnings.append(f"reference {ref} is also row {planned_ref[ref].number}, "
                                 "a different message: imported as a case of its own")
        if digest in by_digest and by_digest[digest].ref != ref:
            other = by_digest[digest]
            plan.warnings.append(f"same text as case {other.id} {other.title}")
        elif digest in planned_digest:
            plan.warnings.append(f"same text as row {planned_digest[digest].number}")
        planned[ref, digest] = plan
        planned_ref.setdefault(ref, plan)
        planned_digest.setdefault(digest, plan)
    report = ImportReport(dry_run=dry_run)
    writes = _render(root, planned.values(), mapping, registry, name, results)
    if not dry_run and writes:
        write_new_cases(root, [(rel, text) for _plan, rel, text, _loaded in writes])
    for plan, rel, _text, loaded in writes:
        outcome = "would-create" if dry_run else "created"
        results[plan.number] = RowResult(name, plan.number, outcome, loaded.case.id, rel,
                                         notes=tuple(plan.notes), warnings=tuple(plan.warnings))
        report.cases.append(loaded.case)
    report.rows = [results[number] for number in sorted(results)]
    return report


def _merge_labels(earlier: _Planned, row: RowCase, number: int) -> list[str]:
    """Add a repeated row's topics to the case of its first row; say what was added."""
    added = [t for t in row.new.topics if t not in earlier.row.new.topics]
    if not added or "topics" in row.new.unclassified:
        return []
    new = earlier.row.new
    keep = () if "topics" in new.unclassified else new.topics
    earlier.row.new = replace(new, topics=(*keep, *added),
                              unclassified=tuple(f for f in new.unclassified if f != "topics"))
    earlier.notes.append(f"topics {', '.join(added)} added from row {number} (the same message)")
    return [f"its topics {', '.join(added)} added to the case of row {earlier.number}"]


def _render(root: Path, plans, mapping: Mapping, registry: Registry, name: str,
            results: dict[int, RowResult]) -> list[tuple]:
    """(plan, path, text, checked case) for every planned row that makes a valid case; the
    others become error results."""
    taken: set[str] = set()
    writes = []
    for plan in plans:
        new = plan.row.new
        day = day_of(new.received)
        folder = root / "cases" / f"{day:%Y}" / f"{day:%m}"

        def exists(case_id, folder=folder):
            return case_id in taken or (folder / f"{case_id}.yaml").exists()

        case_id = new_id(day, exists, _seeded_rng(new.source_ref, new.source_digest))
        rel = f"cases/{day:%Y}/{day:%m}/{case_id}.yaml"
        text = render_case(new, case_id)
        try:
            loaded = check_text(text, rel, registry)
        except InvalidCase as exc:
            reasons = "; ".join(f"{_column(mapping, p.field)}: {p.message}" for p in exc.problems)
            results[plan.number] = RowResult(name, plan.number, "error", reason=reasons)
            continue
        taken.add(case_id)
        writes.append((plan, rel, text, loaded))
    return writes


def _column(mapping: Mapping, problem_field: str) -> str:
    """The export column behind a case field named in a problem (author.alias -> 留言人)."""
    name = re.split(r"[.\[]", problem_field)[0]
    if name == "events":
        return mapping.column_of("reply_text")
    return mapping.column_of("alias" if name == "author" else name)


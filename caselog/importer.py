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
from datetime import date
from pathlib import Path

import yaml

from .errors import InvalidCase
from .exportsheet import read_rows
from .importmap import Mapping
from .importrow import RowCase, message_digest, registry_names, row_case
from .intake import new_id, render_case
from .registry import Registry
from .repository import list_case_files, prefetch
from .schema import day_of
from .store import check_text, write_new_cases

_FIELD_LINE = re.compile(r"^(source_ref|source_digest|title):.*$", re.MULTILINE)

try:
    from yaml import CBaseLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import BaseLoader as _Loader


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
            notes = [*row.notes, *_merge_labels(earlier, row, number)]  # nothing of it goes unsaid
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
    writes = _render(root, planned.values(), mapping, registry, name, results, today)
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
            results: dict[int, RowResult], today: date) -> list[tuple]:
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
            loaded = check_text(text, rel, registry, today=today)
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


"""Importing the CSV or XLSX exports of message platforms as new cases.

Each row becomes a valid case through caselog.intake, with personal data masked on
the way in and the author's real name never stored. A row whose source reference
(the platform's message number, or its address) is already in the case log is
skipped, so re-running an import is safe. Every row gets a line in the report; a
bad row never stops the others, and each case file is written whole or not at all.
"""

from __future__ import annotations

import csv
import io
import re
import secrets
import warnings
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import yaml

from .errors import CaselogError, InvalidCase
from .importmap import Mapping, is_yes
from .intake import NewCase, create_case, new_id, render_case
from .privacy import mask
from .registry import Registry
from .repository import list_case_files
from .schema import CATEGORIES, PRIORITIES
from .store import check_text

_MOMENT = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
                     r"(?:[\sT]+(\d{1,2})\s*[:：时点]\s*(\d{1,2})(?:\s*[:：分]\s*(\d{1,2})\s*秒?)?\s*分?)?\s*$")
_REF_LINE = re.compile(r"^source_ref:.*$", re.MULTILINE)


class ImportFileError(CaselogError):
    """The export file cannot be read."""


@dataclass(frozen=True)
class RowResult:
    """What happened to one row: created, skipped or error, with the case id or the reason."""

    source: str
    row: int
    outcome: str  # created | would-create | skipped | error
    case_id: str | None = None
    path: str | None = None
    reason: str = ""

    def __str__(self) -> str:
        where = f"{self.source}:{self.row}:"
        if self.outcome == "created":
            return f"{where} created {self.case_id} ({self.path})"
        if self.outcome == "would-create":
            return f"{where} would create a case (dry run)"
        if self.outcome == "skipped":
            return f"{where} skipped: {self.reason or f'already imported as {self.case_id}'}"
        return f"{where} {self.reason}"

    def as_json(self) -> dict:
        """The row's result as a JSON object."""
        return {"row": self.row, "outcome": self.outcome, "id": self.case_id, "path": self.path,
                "reason": self.reason or None}


@dataclass
class ImportReport:
    """Every row's result, and the cases created."""

    rows: list[RowResult] = field(default_factory=list)
    cases: list = field(default_factory=list)

    def _count(self, *outcomes: str) -> int:
        return sum(1 for row in self.rows if row.outcome in outcomes)

    @property
    def created(self) -> int:
        """Rows that became cases (or would, in a dry run)."""
        return self._count("created", "would-create")

    @property
    def skipped(self) -> int:
        """Rows already imported."""
        return self._count("skipped")

    @property
    def errors(self) -> int:
        """Rows that could not be imported."""
        return self._count("error")


def decode_export(raw: bytes, encoding: str = "auto") -> str:
    """The text of a CSV export: UTF-8 (with or without BOM) or GB18030, or the codec named."""
    if encoding != "auto":
        return raw.decode(encoding)
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw.decode("utf-8-sig")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("gb18030")


def _cell(value) -> str | datetime | date:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_rows(path: Path, mapping: Mapping) -> list[tuple[int, dict]]:
    """(row number as a spreadsheet shows it, {column: cell}) for every data row of the export."""
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            table = _xlsx_rows(path, mapping.sheet)
        elif suffix in (".csv", ".txt"):
            text = decode_export(path.read_bytes(), mapping.encoding)
            table = [list(row) for row in csv.reader(io.StringIO(text, newline=""))]
        else:
            msg = f"{path.name}: not a .csv or .xlsx file"
            raise ImportFileError(msg)
    except (OSError, UnicodeDecodeError, LookupError, csv.Error, KeyError, ValueError) as exc:
        msg = f"{path.name}: cannot read it: {exc}"
        raise ImportFileError(msg) from None
    header_at = mapping.header_row
    if len(table) < header_at:
        msg = f"{path.name}: no header row {header_at}"
        raise ImportFileError(msg)
    header = [str(_cell(name)).strip() for name in table[header_at - 1]]
    missing = [c for c in mapping.columns.model_dump().values() if c and c not in header]
    if missing:
        msg = (f"{path.name}:{header_at}: no column {', '.join(missing)} "
               f"(the columns are: {', '.join(header)})")
        raise ImportFileError(msg)
    rows = []
    for number, values in enumerate(table[header_at:], start=header_at + 1):
        cells = {name: _cell(values[i]) if i < len(values) else "" for i, name in enumerate(header)}
        if any(isinstance(v, date) or str(v).strip() for v in cells.values()):
            rows.append((number, cells))
    return rows


def _xlsx_rows(path: Path, sheet: str | None) -> list[list]:
    from openpyxl import load_workbook

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # e.g. "Workbook contains no default style"
        book = load_workbook(path, read_only=True, data_only=True)
    try:
        worksheet = book[sheet] if sheet else book.worksheets[0]
        return [list(row) for row in worksheet.iter_rows(values_only=True)]
    finally:
        book.close()


def parse_received(value) -> date:
    """A received time from a cell: 2026-03-02 09:14, 2026/3/2 9:14, 2026年3月2日 ... or a date."""
    if isinstance(value, datetime):
        return value.replace(second=0, microsecond=0)
    if isinstance(value, date):
        return value
    match = _MOMENT.match(value)
    if not match:
        msg = f"'{value}' is not a date and time like 2026-03-02 09:14"
        raise ValueError(msg)
    year, month, day, hour, minute = (int(g) if g else None for g in match.groups()[:5])
    try:
        return date(year, month, day) if hour is None else datetime(year, month, day, hour, minute)
    except ValueError:
        msg = f"'{value}' is not a real date and time"
        raise ValueError(msg) from None


def existing_refs(root: Path) -> dict[str, str]:
    """{source_ref: case id} for every case in the log that records one."""
    refs = {}
    rels, _stray = list_case_files(root)
    for rel in rels:
        try:
            text = (root / rel).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        match = _REF_LINE.search(text)
        if match:
            try:
                value = yaml.safe_load(match.group(0)).get("source_ref")
            except (yaml.YAMLError, AttributeError):
                continue
            if value is not None:
                refs[str(value)] = Path(rel).stem
    return refs


def row_case(cells: dict, mapping: Mapping, registry: Registry, today: date) -> tuple[str, NewCase]:
    """The source reference and the new case for one row; raise ValueError('column: reason')."""

    def text(field: str, required: bool = True) -> str | None:
        column = getattr(mapping.columns, field)
        value = str(cells.get(column, "")).strip() if column else ""
        if required and not value:
            raise ValueError(f"{mapping.column_of(field)}: is empty")
        return value or None

    def choose(field: str, allowed, many=False):
        column = getattr(mapping.columns, field)
        cell = str(cells.get(column, "")).strip() if column else ""
        if not cell:
            fixed = getattr(mapping, field)
            if fixed is None:
                raise ValueError(f"{mapping.column_of(field)}: is empty")
            return fixed
        try:
            return mapping.keys_for(field, cell, allowed) if many else mapping.key_for(field, cell, allowed)
        except ValueError as exc:
            raise ValueError(f"{column}: {exc}") from None

    source_url = text("source_url", required=False)
    ref = text("source_ref", required=mapping.columns.source_url is None) or source_url
    cell = cells.get(mapping.columns.received) or ""
    if isinstance(cell, str) and not cell.strip():
        raise ValueError(f"{mapping.columns.received}: is empty")
    try:
        received = parse_received(cell)
    except ValueError as exc:
        raise ValueError(f"{mapping.columns.received}: {exc}") from None
    received_day = received.date() if isinstance(received, datetime) else received
    if received_day > today:
        raise ValueError(f"{mapping.columns.received}: {received_day} is in the future")
    real_name = mapping.alias_is_real_name or bool(
        mapping.columns.real_name and is_yes(str(cells.get(mapping.columns.real_name, ""))))
    alias = None if real_name else text("alias", required=False)
    new = NewCase(
        title=mask(text("title")), received=received,
        channel=choose("channel", registry.channels), category=choose("category", CATEGORIES),
        topics=tuple(choose("topics", registry.topics, many=True)), message=mask(text("message")),
        alias=mask(alias) if alias else mapping.default_alias,
        accepted_on=received_day if mapping.accepted == "received" else today,
        real_name=real_name, contact_on_file=mapping.contact_on_file, public=mapping.public,
        priority=choose("priority", PRIORITIES) if mapping.columns.priority else mapping.priority,
        area=mask(text("area", required=False) or "") or None, source_url=source_url,
        source_ref=f"{mapping.ref_prefix}{ref}")
    return new.source_ref, new


def _column(mapping: Mapping, problem_field: str) -> str:
    """The export column behind a case field named in a problem (author.alias -> 留言人)."""
    name = re.split(r"[.\[]", problem_field)[0]
    return mapping.column_of("alias" if name == "author" else name)


def import_file(root: Path, source: Path, mapping: Mapping, registry: Registry, today: date,
                dry_run: bool = False, rng=secrets) -> ImportReport:
    """Import every row of an export; rows already imported (by source reference) are skipped."""
    rows = read_rows(source, mapping)
    refs = existing_refs(root)
    planned: dict[str, int] = {}  # dry run: rows that would create a case, by source reference
    report = ImportReport()
    name = source.name
    for number, cells in rows:
        try:
            ref, new = row_case(cells, mapping, registry, today)
        except ValueError as exc:
            report.rows.append(RowResult(name, number, "error", reason=str(exc)))
            continue
        if ref in refs:
            report.rows.append(RowResult(name, number, "skipped", case_id=refs[ref]))
            continue
        if ref in planned:
            report.rows.append(RowResult(name, number, "skipped",
                                         reason=f"same source reference as row {planned[ref]}"))
            continue
        try:
            if dry_run:
                case_id = new_id(new.received, lambda _id: False, rng)
                check_text(render_case(new, case_id), f"cases/{case_id[:4]}/{case_id[4:6]}/{case_id}.yaml",
                           registry, today=today)
                report.rows.append(RowResult(name, number, "would-create"))
                planned[ref] = number
                continue
            loaded = create_case(root, new, registry, rng, today=today)
        except InvalidCase as exc:
            reasons = "; ".join(f"{_column(mapping, p.field)}: {p.message}" for p in exc.problems)
            report.rows.append(RowResult(name, number, "error", reason=reasons))
            continue
        refs[ref] = loaded.case.id
        report.cases.append(loaded.case)
        report.rows.append(RowResult(name, number, "created", case_id=loaded.case.id, path=loaded.path))
    return report

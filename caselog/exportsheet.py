"""Reading a message platform's export (CSV or XLSX) into clean cells.

Real exports carry spreadsheet artefacts: Excel's escaped characters (`_x000D_`,
which openpyxl leaves as it is), paragraphs indented with tabs, U+3000 or U+00A0,
date cells next to dates written as text, times with and without seconds, and
tens of thousands of empty rows after the last message. What comes out of here
is text as the message's author wrote it, and dates.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path
from xml.etree.ElementTree import ParseError

from .errors import CaselogError

_MOMENT = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
                     r"(?:[\sT]+(\d{1,2})\s*[:：时点]\s*(\d{1,2})(?:\s*[:：分]\s*(\d{1,2})(?:\.\d+)?\s*秒?)?\s*分?)?\s*$")
_EXCEL_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
# invisible or layout-only characters: zero-width spaces, BOMs, controls other than tab and newline
_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# a no-break space between two Chinese characters is an artefact of copying, not a word space
_NBSP_IN_CHINESE = re.compile(r"(?<=[^\x00-\x7f\u00a0\u3000])\u00a0+(?=[^\x00-\x7f\u00a0\u3000])")
_SPACES = re.compile(r"[ \t\u00a0\u3000\u2000-\u200a\u202f\u205f]+")
_MANY_BLANK_LINES = re.compile(r"\n{3,}")
# a one-line cell with none of these is clean as it is (most are)
_NEEDS_CLEANING = re.compile(r"[\x00-\x1f\x7f_\u00a0\u3000\u2000-\u200d\u202f\u205f\u2060\ufeff]|  |^ | $")
_EXCEL_EPOCH = datetime(1899, 12, 30)  # serial day 0 of Excel's 1900 date system (with its leap-year bug)


class ImportFileError(CaselogError):
    """The export file cannot be read."""


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


def unescape_excel(text: str) -> str:
    """Excel's `_xHHHH_` escapes as the characters they stand for (`_x000D_` is a carriage return)."""
    if "_x" not in text:
        return text
    return _EXCEL_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def clean_text(text: str) -> str:
    """A multi-line cell as plain text: Excel escapes decoded, one kind of line break, no
    indentation or trailing spaces on any line, at most one blank line between paragraphs."""
    text = unescape_excel(text).replace("\r\n", "\n").replace("\r", "\n")
    text = _NBSP_IN_CHINESE.sub("", _INVISIBLE.sub("", text))
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _MANY_BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def clean_line(text: str) -> str:
    """A one-line cell (a title, a name, a number) as plain text on one line."""
    if not _NEEDS_CLEANING.search(text):
        return text
    return " ".join(clean_text(text).split())


def _cell(value) -> str | datetime | date:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_rows(path: Path, header_row: int, sheet: str | None, encoding: str,
              columns: list[str]) -> list[tuple[int, dict]]:
    """(row number as a spreadsheet shows it, {column: cell}) for every non-empty data row;
    raise ImportFileError if the file cannot be read or lacks one of `columns`."""
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            table = _xlsx_rows(path, sheet)
        elif suffix in (".csv", ".txt"):
            text = decode_export(path.read_bytes(), encoding)
            table = [list(row) for row in csv.reader(io.StringIO(text, newline=""))]
        else:
            msg = f"{path.name}: not a .csv or .xlsx file"
            raise ImportFileError(msg)
    except (OSError, UnicodeDecodeError, LookupError, csv.Error, KeyError, ValueError) as exc:
        msg = f"{path.name}: cannot read it: {exc}"
        raise ImportFileError(msg) from None
    if len(table) < header_row:
        msg = f"{path.name}: no header row {header_row}"
        raise ImportFileError(msg)
    header = [clean_line(str(_cell(name))) for name in table[header_row - 1]]
    while header and not header[-1]:
        header.pop()
    missing = [c for c in columns if c not in header]
    if missing:
        msg = (f"{path.name}:{header_row}: no column {', '.join(missing)} "
               f"(the columns are: {', '.join(header)})")
        raise ImportFileError(msg)
    wanted = [(i, name) for i, name in enumerate(header) if name in columns]
    rows = []
    for number, values in enumerate(table[header_row:], start=header_row + 1):
        if not any(values):  # the empty rows a sheet carries after its last message
            continue
        cells = {name: _cell(values[i]) if i < len(values) else "" for i, name in wanted}
        if any(isinstance(v, date) or str(v).strip() for v in cells.values()):
            rows.append((number, cells))
    return rows


def _xlsx_rows(path: Path, sheet: str | None) -> list[tuple]:
    from .xlsxread import read_xlsx

    try:
        return read_xlsx(path, sheet)
    except (zipfile.BadZipFile, ParseError) as exc:
        raise ValueError(f"not a readable XLSX file ({exc})") from None


def parse_moment(value) -> date:
    """A date and time from a cell: an Excel date cell or serial number, 2026-03-02 09:14[:05],
    2026/3/2 9:14, 2026年3月2日 9时14分, or a bare date; seconds are dropped."""
    if isinstance(value, datetime):
        return value.replace(second=0, microsecond=0)
    if isinstance(value, date):
        return value
    text = clean_line(value) if isinstance(value, str) else str(value)
    if re.fullmatch(r"\d{5}(\.\d+)?", text) and 20000 < float(text) < 80000:  # 1954-2118
        moment = _EXCEL_EPOCH + timedelta(days=float(text))
        moment = (moment + timedelta(seconds=30)).replace(second=0, microsecond=0)
        return moment if "." in text else moment.date()
    match = _MOMENT.match(text)
    if not match:
        msg = f"'{value}' is not a date and time like 2026-03-02 09:14"
        raise ValueError(msg)
    year, month, day, hour, minute = (int(g) if g else None for g in match.groups()[:5])
    try:
        return date(year, month, day) if hour is None else datetime(year, month, day, hour, minute)
    except ValueError:
        msg = f"'{value}' is not a real date and time"
        raise ValueError(msg) from None

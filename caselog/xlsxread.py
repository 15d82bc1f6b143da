"""Reading the cell values of one XLSX sheet, fast: the sheet's XML streamed with expat.

openpyxl builds an object per cell and per string (rich text included); an export
of 10,000 messages takes it seconds. This reads only what an import needs: text,
numbers, booleans and date cells (numbers in a date format), row by row.
"""

from __future__ import annotations

import posixpath
import zipfile
from datetime import datetime, timedelta
from xml.etree.ElementTree import iterparse

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_EPOCHS = {False: datetime(1899, 12, 30), True: datetime(1904, 1, 1)}


def _column_index(ref: str) -> int:
    index = 0
    for char in ref:
        if char.isdigit():
            break
        index = index * 26 + ord(char) - 64
    return index - 1


def _text(element) -> str:
    """A string's text: its <t>, or the <t> of each rich-text run; phonetic guides (<rPh>) left out."""
    parts = []
    for child in element:
        if child.tag == f"{MAIN}t":
            parts.append(child.text or "")
        elif child.tag == f"{MAIN}r":
            parts.append(child.findtext(f"{MAIN}t") or "")
    return "".join(parts)


def _shared_strings(book: zipfile.ZipFile, path: str | None) -> list[str]:
    if not path or path not in book.namelist():
        return []
    strings = []
    with book.open(path) as handle:
        for _event, element in iterparse(handle):
            if element.tag == f"{MAIN}si":
                strings.append(_text(element))
                element.clear()
    return strings


def _date_styles(book: zipfile.ZipFile, path: str | None) -> set[int]:
    """The indexes of the cell formats that show a number as a date."""
    if not path or path not in book.namelist():
        return set()
    custom: dict[int, str] = {}
    dated: set[int] = set()
    with book.open(path) as handle:
        for _event, element in iterparse(handle):
            if element.tag == f"{MAIN}numFmt":
                custom[int(element.get("numFmtId"))] = element.get("formatCode", "")
            elif element.tag == f"{MAIN}cellXfs":
                for index, xf in enumerate(element.findall(f"{MAIN}xf")):
                    number = int(xf.get("numFmtId", "0"))
                    code = custom.get(number, BUILTIN_FORMATS.get(number, "General"))
                    if is_date_format(code):
                        dated.add(index)
    return dated


def _parts(book: zipfile.ZipFile, sheet: str | None) -> tuple[str, str | None, str | None, bool]:
    """The paths of the sheet, the shared strings and the styles, and whether dates count from 1904."""
    rels = {}
    with book.open("xl/_rels/workbook.xml.rels") as handle:
        for _event, element in iterparse(handle):
            if element.tag == f"{PKG_REL}Relationship":
                target = element.get("Target")
                path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
                rels[element.get("Id")] = (element.get("Type", "").rsplit("/", 1)[-1], path)
    sheets, date1904 = [], False
    with book.open("xl/workbook.xml") as handle:
        for _event, element in iterparse(handle):
            if element.tag == f"{MAIN}sheet":
                sheets.append((element.get("name"), rels[element.get(f"{REL}id")][1]))
            elif element.tag == f"{MAIN}workbookPr":
                date1904 = element.get("date1904") in ("1", "true")
    if sheet is None:
        chosen = sheets[0][1]
    else:
        found = [path for name, path in sheets if name == sheet]
        if not found:
            msg = f"no sheet '{sheet}' (the sheets are: {', '.join(name for name, _ in sheets)})"
            raise KeyError(msg)
        chosen = found[0]
    by_type = {kind: path for kind, path in rels.values()}
    return chosen, by_type.get("sharedStrings"), by_type.get("styles"), date1904


def read_xlsx(path, sheet: str | None = None) -> list[tuple]:
    """Every row of a sheet as a tuple of cell values (str, int, float, bool, datetime or None)."""
    with zipfile.ZipFile(path) as book:
        sheet_path, strings_path, styles_path, date1904 = _parts(book, sheet)
        strings = _shared_strings(book, strings_path)
        dated = _date_styles(book, styles_path)
        epoch = _EPOCHS[date1904]
        rows: list[tuple] = []
        cells: dict[int, object] = {}
        with book.open(sheet_path) as handle:
            for _event, element in iterparse(handle):
                tag = element.tag
                if tag == f"{MAIN}c":
                    kind = element.get("t", "n")
                    if kind == "inlineStr":
                        found = element.find(f"{MAIN}is")
                        value = _text(found) if found is not None else ""
                    else:
                        raw = element.findtext(f"{MAIN}v")
                        if raw is None:
                            value = None
                        elif kind == "s":
                            value = strings[int(raw)]
                        elif kind in ("str", "e"):
                            value = raw
                        elif kind == "b":
                            value = raw == "1"
                        else:
                            number = float(raw)
                            if int(element.get("s", "0")) in dated:
                                value = epoch + timedelta(days=number)
                                value = value.replace(microsecond=0) + timedelta(
                                    seconds=round(value.microsecond / 1e6))
                            else:
                                value = int(number) if number.is_integer() else number
                    ref = element.get("r")
                    cells[_column_index(ref) if ref else len(cells)] = value
                elif tag == f"{MAIN}row":
                    number = int(element.get("r", len(rows) + 1))
                    while len(rows) < number - 1:
                        rows.append(())
                    width = max(cells) + 1 if cells else 0
                    rows.append(tuple(cells.get(i) for i in range(width)))
                    cells = {}
                    element.clear()
        return rows

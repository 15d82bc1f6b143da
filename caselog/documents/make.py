"""What `caselog doc` makes: the documents for a day, and writing them as PDF and DOCX files."""

from __future__ import annotations

import os
import tempfile
from datetime import date
from pathlib import Path

from ..derive import derive
from ..errors import InvalidCase
from ..registry import load_registry
from ..repository import CaseLog, load_log, load_one
from ..stats import Period
from . import DocumentError, compose, forms
from .model import OfficialDocument
from .office import load_office

FORMATS = ("pdf", "docx")


def _log(root: Path) -> CaseLog:
    log = load_log(root)
    if log.errors:  # a document's figures must count every case
        raise InvalidCase(log.errors)
    return log


def weekly_documents(root: Path, day: date, week: Period | None = None,
                     number: int | None = None) -> list[OfficialDocument]:
    """The weekly report for the week before `day` (or `week`), then the supervision notices
    of open cases dated from that week's Monday to `day`."""
    log = _log(root)
    office = load_office(root)
    report, _ = compose.weekly_report(log, day, office, week, number)
    week = week or compose.report_week(day)
    states = log.states(day)
    notices = [forms.supervision_notice(s, log.registry, office, notice.ref)
               for s, notice in compose.pending_notices(states, week.start, day)]
    return [report, *notices]


def bulletin_document(root: Path, period: Period, day: date, number: int | None = None) -> OfficialDocument:
    """The bulletin of a month, quarter or year, as at `day`."""
    return compose.bulletin(_log(root), period, day, load_office(root), number)


def _state(root: Path, case_id: str, day: date):
    registry = load_registry(root)
    loaded = load_one(root, case_id, registry)
    state = derive(loaded.case, day, registry.rules, registry.calendar)
    if state is None:
        msg = f"{loaded.case.id} was received after {day}"
        raise DocumentError(msg)
    return state, registry


def assignment_document(root: Path, case_id: str, day: date) -> OfficialDocument:
    """The 交办单 of a case as it stands on `day`."""
    state, registry = _state(root, case_id, day)
    return forms.assignment_form(state, registry, load_office(root))


def notice_document(root: Path, case_id: str, day: date, ref: str | None = None) -> OfficialDocument:
    """The 督办通知书 `ref` (default: the latest) of a case, as recorded by `day`."""
    state, registry = _state(root, case_id, day)
    return forms.supervision_notice(state, registry, load_office(root), ref)


def write_documents(documents: list[OfficialDocument], folder: Path,
                    formats: tuple[str, ...] = FORMATS) -> list[Path]:
    """Write each document in each format into `folder`; each file appears whole or not at all."""
    from .layout import write_pdf
    from .word import write_docx

    writers = {"pdf": write_pdf, "docx": write_docx}
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for document in documents:
        for fmt in formats:
            target = folder / f"{document.name}.{fmt}"
            handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=folder)
            os.close(handle)
            try:
                writers[fmt](document, Path(temporary))
                os.chmod(temporary, 0o666 & ~_umask())
                os.replace(temporary, target)
            finally:
                if os.path.exists(temporary):
                    os.unlink(temporary)
            written.append(target)
    return written


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask

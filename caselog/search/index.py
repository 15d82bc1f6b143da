"""The staff search index: a whoosh index of every case in .caselog/index/, kept up to date
incrementally.

The index holds open and non-public cases too: it never leaves the office (the
directory is ignored by Git and is not part of the public site). A manifest next to
it records, per case file, the modification time and size it was indexed at; an
update re-reads only the files whose stamp changed and removes the cases whose file
is gone. A change of the schema or of the stop words rebuilds it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path, PurePosixPath
from zoneinfo import ZoneInfo

from whoosh import index as whoosh_index
from whoosh.fields import BOOLEAN, DATETIME, ID, KEYWORD, STORED, TEXT, Schema
from whoosh.index import LockError

from ..derive import derive
from ..errors import CaselogError
from ..i18n import _
from ..registry import Registry, load_registry
from ..repository import load_case_file
from ..schema import FREE_TEXT_FIELDS, Case
from ..store import write_file
from . import INDEX_DIR, MANIFEST
from .analyzer import chinese_analyzer, extra_words, segmenter, stop_words

SCHEMA_VERSION = 3
PARALLEL_THRESHOLD = 2000  # files to (re)index before the writer uses every core


class SearchIndexError(CaselogError):
    """The staff search index is missing, busy or unusable."""


def index_dir(root: Path) -> Path:
    """Where the index of the case log at `root` lives."""
    return root / INDEX_DIR


def build_schema() -> Schema:
    """The fields of the index (see docs/search.md)."""
    text = chinese_analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        path=STORED(),
        title=TEXT(analyzer=text, stored=True, field_boost=2.0),
        body=TEXT(analyzer=text),
        area=TEXT(analyzer=text),
        unit=KEYWORD(stored=True),
        topics=KEYWORD(stored=True, scorable=False),
        status=ID(stored=True),
        category=ID(stored=True),
        channel=ID(stored=True),
        received=DATETIME(stored=True, sortable=True),
        public=BOOLEAN(stored=True),
    )


def index_version() -> str:
    """Identifies the schema, stop words and added words an index was built with."""
    words = "\n".join([*sorted(stop_words()), "--", *extra_words()]).encode("utf-8")
    return f"{SCHEMA_VERSION}-{hashlib.sha256(words).hexdigest()[:12]}"


def case_body(case: Case) -> str:
    """The searchable text of a case besides its title: message, replies, instructions, notes."""
    parts = [case.message]
    for event in case.events:
        for name in FREE_TEXT_FIELDS:
            value = getattr(event, name, None)
            if value:
                parts.append(value)
    return "\n".join(parts)


def case_document(case: Case, rel: str, registry: Registry, today: date) -> dict:
    """The index fields of one case, with its status and unit derived as of `today`."""
    state = derive(case, max(today, case.received_day), registry.rules, registry.calendar)
    received = case.received
    if not isinstance(received, datetime):
        received = datetime(received.year, received.month, received.day)
    return {
        # the title and place are in the body too: words are searched in one field
        "id": case.id, "path": rel, "title": case.title,
        "body": "\n".join([case.title, case.area or "", case_body(case)]),
        "area": case.area or "", "unit": state.unit or "", "topics": " ".join(case.topics),
        "status": state.status, "category": case.category, "channel": case.channel,
        "received": received, "public": case.public,
    }


@dataclass
class IndexReport:
    """What an index update did."""

    rebuilt: bool = False
    indexed: int = 0
    removed: int = 0
    unchanged: int = 0
    unusable: list[str] = field(default_factory=list)
    documents: int = 0
    seconds: float = 0.0
    size_bytes: int = 0


def _documents(root: Path, registry: Registry, today: date, rels: list[str]):
    """Yield (rel, document or None if the file is unusable) for each file."""
    for rel in rels:
        loaded = load_case_file(root, rel, registry)
        doc = case_document(loaded.case, rel, registry, today) if loaded.case is not None else None
        yield rel, doc


def _stamps(root: Path, only: list[str] | None) -> dict[str, list[int]]:
    """{relative path: [mtime_ns, size]} of the case files (cases/YYYY/MM/*.yaml, as
    repository.list_case_files finds them), or of `only` those that exist."""
    if only is not None:
        stamps = {}
        for rel in only:
            try:
                stat = (root / rel).stat()
            except FileNotFoundError:
                continue
            stamps[rel] = [stat.st_mtime_ns, stat.st_size]
        return stamps
    stamps = {}
    for year in os.scandir(root / "cases"):
        if not (year.is_dir() and len(year.name) == 4 and year.name.isdigit()):
            continue
        for month in os.scandir(year.path):
            if not (month.is_dir() and len(month.name) == 2 and month.name.isdigit()):
                continue
            prefix = f"cases/{year.name}/{month.name}/"
            for entry in os.scandir(month.path):  # DirEntry.stat() saves a path lookup per file
                if entry.name.endswith(".yaml") and entry.is_file():
                    stat = entry.stat()
                    stamps[prefix + entry.name] = [stat.st_mtime_ns, stat.st_size]
    return stamps


def _read_manifest(folder: Path) -> dict | None:
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or manifest.get("version") != index_version():
        return None
    return manifest


def _directory_size(folder: Path) -> int:
    return sum(entry.stat().st_size for entry in folder.iterdir() if entry.is_file())


def open_index(root: Path):
    """The index of the case log at `root`; raise SearchIndexError if there is none yet."""
    folder = index_dir(root)
    if _read_manifest(folder) is None or not whoosh_index.exists_in(folder):
        msg = _("no search index at {folder} (or it is out of date); run 'caselog index' first").format(
            folder=folder)
        raise SearchIndexError(msg)
    return whoosh_index.open_dir(folder)


def has_index(root: Path) -> bool:
    """Whether an up-to-date index exists (without opening it)."""
    folder = index_dir(root)
    return _read_manifest(folder) is not None and whoosh_index.exists_in(folder)


def update_index(root: Path, rebuild: bool = False, today: date | None = None,
                 only: list[str] | None = None) -> IndexReport:
    """Bring the index up to date with the case files (rebuild it when asked, missing or stale).

    `only` limits the update to these files (relative paths), e.g. a case just written.
    """
    started = time.perf_counter()
    registry = load_registry(root)
    today = today or datetime.now(ZoneInfo(registry.rules.timezone)).date()
    folder = index_dir(root)
    manifest = None if rebuild else _read_manifest(folder)
    report = IndexReport(rebuilt=manifest is None or not whoosh_index.exists_in(folder))
    if report.rebuilt:
        only = None
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        ix = whoosh_index.create_in(folder, build_schema())
        known: dict = {}
    else:
        ix = whoosh_index.open_dir(folder)
        known = manifest["files"]
    current = _stamps(root, sorted(set(only)) if only is not None else None)
    changed = sorted(rel for rel, stamp in current.items() if known.get(rel, [None, None])[:2] != stamp)
    gone = [rel for rel in (known if only is None else set(only)) if rel in known and rel not in current]
    report.unchanged = len(current) - len(changed)
    if changed or gone:
        _write(ix, root, registry, today, changed, gone, known, current, report)
        manifest = {"version": index_version(), "files": known}
        write_file(folder / MANIFEST, json.dumps(manifest, ensure_ascii=False, separators=(",", ":")))
    elif report.rebuilt:
        write_file(folder / MANIFEST, json.dumps({"version": index_version(), "files": {}}))
    report.documents = ix.doc_count()
    ix.close()
    report.size_bytes = _directory_size(folder)
    report.seconds = time.perf_counter() - started
    return report


def _write(ix, root, registry, today, changed, gone, known, current, report) -> None:
    """Index the changed files and drop the gone ones in one commit; updates `known`."""
    big = len(changed) >= PARALLEL_THRESHOLD and (os.cpu_count() or 1) > 1
    segmenter()  # load jieba's dictionary once, before the writer forks its workers
    try:
        writer = (ix.writer(procs=os.cpu_count(), limitmb=256, multisegment=True) if big
                  else ix.writer(limitmb=128))
    except LockError:
        msg = _("the search index is being updated by another command; try again in a moment")
        raise SearchIndexError(msg) from None
    try:
        add = writer.add_document if report.rebuilt else writer.update_document
        for rel in gone:
            writer.delete_by_term("id", PurePosixPath(rel).stem)
            del known[rel]
            report.removed += 1
        for rel, doc in _documents(root, registry, today, changed):
            if doc is None:
                if rel in known:
                    writer.delete_by_term("id", PurePosixPath(rel).stem)
                    del known[rel]
                report.unusable.append(rel)
                continue
            add(**doc)
            known[rel] = [*current[rel], doc["id"]]
            report.indexed += 1
    except BaseException:
        writer.cancel()
        raise
    writer.commit()

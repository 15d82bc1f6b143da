"""The staff search index: a tantivy index of every case in .caselog/index/, kept up to date
incrementally.

The index holds open and non-public cases too: it never leaves the office (the
directory is ignored by Git and is not part of the public site). It is a cache: a
manifest next to it records what it was made with (its version: the schema, caselog's
code, the registry, the word lists, the segmenter and tantivy) and, per case file, the
modification time and size it was indexed at. An update re-reads only the files whose
stamp changed and removes the cases whose file is gone; an index made with anything
else, one that tantivy cannot open, or one whose case count differs from its
manifest's is rebuilt from the case files, never trusted.

Text is cut by the analyzer (jieba) in Python and handed to tantivy as words separated
by spaces, which tantivy's whitespace tokenizer splits again: each text field gets two
values, the words in order (their positions serve phrases) and the parts of the long
words (建新小区 -> 建新 小区), so that a part is found as a word.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..cache import code_digest
from ..derive import derive_facts
from ..errors import CaselogError
from ..i18n import _
from ..registry import Registry, load_registry
from ..repository import load_case_file
from ..schema import FREE_TEXT_FIELDS, Case
from ..store import write_file
from . import INDEX_DIR, MANIFEST
from .analyzer import extra_words, index_terms, segmenter, segmenter_version, stop_words

SCHEMA_VERSION = 5
PARALLEL_THRESHOLD = 2000  # files to (re)index before the documents are made on every core
CHUNK = 100  # files a worker makes documents of at a time
TEXT_FIELDS = ("title", "body", "area")
KEY_FIELDS = ("unit", "topics", "status", "category", "channel")


class SearchIndexError(CaselogError):
    """The staff search index is missing, busy or unusable."""


def index_dir(root: Path) -> Path:
    """Where the index of the case log at `root` lives."""
    return root / INDEX_DIR


def build_schema():
    """The fields of the index (see docs/search.md)."""
    import tantivy

    builder = tantivy.SchemaBuilder()
    for name in ("id", "path", "title_text", *KEY_FIELDS):  # exact values, shown with the hits
        builder.add_text_field(name, stored=True, tokenizer_name="raw")
    # the text snippets are cut from, as UTF-8 (stored only, never searched)
    builder.add_bytes_field("text", stored=True)
    for name in TEXT_FIELDS:  # the analyzer's words, split at spaces
        builder.add_text_field(name, tokenizer_name="whitespace")
    builder.add_date_field("received", stored=True, indexed=True, fast=True)
    builder.add_integer_field("id_order", fast=True)  # orders equal scores by case id
    builder.add_boolean_field("public", stored=True, indexed=True)
    return builder.build()


def id_order(case_id: str) -> int:
    """A number in the order of case ids (20260302-K7Q2MD: the day, then the six characters
    read in base 36), so that hits of equal score are ordered by id without reading them."""
    day, _dash, code = case_id.partition("-")
    try:
        return int(day) * 36 ** 6 + int(code, 36) if len(day) == 8 and len(code) == 6 else 0
    except ValueError:
        return 0


def index_version(root: Path) -> str:
    """Identifies what an index was made with: the schema, caselog's code (the analyzer and
    how status and unit are derived), the registry, the stop words and added words, the
    segmenter and tantivy."""
    import tantivy

    digest = hashlib.blake2b(f"{SCHEMA_VERSION}|{code_digest()}|{segmenter_version()}|"
                             f"{tantivy.__version__}".encode(), digest_size=12)
    digest.update("\n".join([*sorted(stop_words()), "--", *extra_words()]).encode("utf-8"))
    for path in sorted((root / "cases" / "registry").glob("*.yaml")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return f"{SCHEMA_VERSION}-{digest.hexdigest()}"


def case_body(case: Case) -> str:
    """The searchable text of a case besides its title: message, replies, instructions, notes."""
    parts = [case.message]
    for event in case.events:
        for name in FREE_TEXT_FIELDS:
            value = getattr(event, name, None)
            if value:
                parts.append(value)
    return "\n".join(parts)


def case_document(case: Case, rel: str, registry: Registry) -> dict:
    """The index fields of one case; text fields as [words, parts of long words] (see
    analyzer.index_terms). Its status and unit are those from its last event on, which no
    later day changes (derive_facts): the index does not depend on the day it was made."""
    _last, facts = derive_facts(case, registry.rules, registry.calendar)
    received = case.received
    if not isinstance(received, datetime):
        received = datetime(received.year, received.month, received.day)
    # tantivy keeps moments as UTC: the wall-clock time is kept as if it were UTC, and read back so
    received = received.replace(tzinfo=None)
    body = case_body(case)
    return {
        # the title and place are in the body too: words are searched in one field
        "id": case.id, "path": rel, "title_text": case.title,
        "title": list(index_terms(case.title)),
        "body": list(index_terms("\n".join([case.title, case.area or "", body]))),
        "text": " ".join(body.split()).encode("utf-8"),
        "area": list(index_terms(case.area or "")),
        "unit": facts["unit"] or "", "topics": list(case.topics),
        "status": facts["status"], "category": case.category, "channel": case.channel,
        "received": received, "public": case.public, "id_order": id_order(case.id),
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


def _document(root: Path, registry: Registry, rel: str, case: Case | None) -> dict | None:
    """The index fields of a case (read from its file unless given), or None if the file is
    unusable."""
    if case is None:
        case = load_case_file(root, rel, registry).case
    return case_document(case, rel, registry) if case is not None else None


_worker: dict = {}


def _init_worker(root: Path, registry: Registry) -> None:
    _worker["args"] = (root, registry)


def _document_in_worker(task: tuple[str, Case | None]) -> dict | None:
    return _document(*_worker["args"], *task)


def _documents(root: Path, registry: Registry, rels: list[str], given: dict[str, Case]):
    """Yield (rel, document or None if the file is unusable) for each file, in order; the cases
    in `given` are not read again. Many are read and cut on every core (reading the YAML and
    cutting the text are most of the time)."""
    tasks = [(rel, given.get(rel)) for rel in rels]
    jobs = os.cpu_count() or 1
    if len(rels) < PARALLEL_THRESHOLD or jobs < 2:
        for task in tasks:
            yield task[0], _document(root, registry, *task)
        return
    segmenter()  # built once, before the workers fork
    with ProcessPoolExecutor(jobs, initializer=_init_worker, initargs=(root, registry)) as pool:
        yield from zip(rels, pool.map(_document_in_worker, tasks, chunksize=CHUNK), strict=True)


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


def _read_manifest(root: Path) -> dict | None:
    """The manifest of the index, if it was made by this version (else None: rebuild)."""
    try:
        manifest = json.loads((index_dir(root) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if (not isinstance(manifest, dict) or manifest.get("version") != index_version(root)
            or not isinstance(manifest.get("files"), dict)):
        return None
    return manifest


def _directory_size(folder: Path) -> int:
    return sum(entry.stat().st_size for entry in folder.iterdir() if entry.is_file())


def _open(folder: Path):
    """The tantivy index in `folder`, or None if there is none or it cannot be read."""
    import tantivy

    try:
        if not tantivy.Index.exists(str(folder)):
            return None
        index = tantivy.Index.open(str(folder))
        index.searcher()  # reads the segments' metadata: a damaged index fails here
    except Exception:  # whatever tantivy says of a damaged index, it is rebuilt
        return None
    except BaseException as exc:  # a panic inside tantivy (pyo3's PanicException)
        if type(exc).__name__ != "PanicException":
            raise
        return None
    return index


def _usable(root: Path):
    """(index, manifest) if the index is up to date with its manifest's version and holds as
    many cases as the manifest lists; else None."""
    manifest = _read_manifest(root)
    if manifest is None:
        return None
    index = _open(index_dir(root))
    if index is None or index.searcher().num_docs != len(manifest["files"]):
        return None
    return index, manifest


def open_index(root: Path):
    """The index of the case log at `root`; raise SearchIndexError if there is none yet (or it
    is out of date or damaged)."""
    usable = _usable(root)
    if usable is None:
        folder = index_dir(root)
        msg = _("no search index at {folder} (or it is out of date); run 'caselog index' first").format(
            folder=folder)
        raise SearchIndexError(msg)
    return usable[0]


def has_index(root: Path) -> bool:
    """Whether an up-to-date index exists (without opening it)."""
    folder = index_dir(root)
    return _read_manifest(root) is not None and (folder / "meta.json").is_file()


def update_index(root: Path, rebuild: bool = False, only: list[str] | None = None,
                 cases: dict[str, Case] | None = None) -> IndexReport:
    """Bring the index up to date with the case files (rebuild it when asked, missing, stale or
    damaged).

    `only` limits the update to these files (relative paths), e.g. cases just written;
    `cases` gives some of them as already loaded and checked ({path: case}), so they are not
    read again (the importer has them in hand).
    """
    import tantivy

    started = time.perf_counter()
    version = index_version(root)  # before reading any case: a change meanwhile is seen next time
    registry = load_registry(root)
    folder = index_dir(root)
    usable = None if rebuild else _usable(root)
    report = IndexReport(rebuilt=usable is None)
    if report.rebuilt:
        only = None
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        index = tantivy.Index(build_schema(), path=str(folder))
        known: dict = {}
    else:
        index, manifest = usable
        known = manifest["files"]
    current = _stamps(root, sorted(set(only)) if only is not None else None)
    changed = sorted(rel for rel, stamp in current.items() if known.get(rel, [None, None])[:2] != stamp)
    gone = [rel for rel in (known if only is None else set(only)) if rel in known and rel not in current]
    report.unchanged = len(current) - len(changed)
    if changed or gone or report.rebuilt:
        _write(index, root, registry, (changed, gone, cases or {}), known, current, report)
        manifest = {"version": version, "files": known}
        write_file(folder / MANIFEST, json.dumps(manifest, ensure_ascii=False, separators=(",", ":")))
    index.reload()
    report.documents = index.searcher().num_docs
    report.size_bytes = _directory_size(folder)
    report.seconds = time.perf_counter() - started
    return report


def _write(index, root, registry, work, known, current, report) -> None:
    """Index the changed files and drop the gone ones in one commit; updates `known`."""
    import tantivy

    changed, gone, given = work
    big = len(changed) >= PARALLEL_THRESHOLD
    try:
        writer = index.writer(heap_size=(256 if big else 64) * 2 ** 20, num_threads=2 if big else 1)
    except ValueError:
        msg = _("the search index is being updated by another command; try again in a moment")
        raise SearchIndexError(msg) from None
    try:
        for rel in gone:
            writer.delete_documents_by_term("id", known.pop(rel)[2])
            report.removed += 1
        for rel, doc in _documents(root, registry, changed, given):
            if rel in known:  # the case as indexed before goes (a delete applies to earlier documents)
                writer.delete_documents_by_term("id", known.pop(rel)[2])
            if doc is None:
                report.unusable.append(rel)
                continue
            writer.add_document(tantivy.Document(**doc))
            known[rel] = [*current[rel], doc["id"]]
            report.indexed += 1
    except BaseException:
        writer.rollback()
        raise
    writer.commit()
    writer.wait_merging_threads()

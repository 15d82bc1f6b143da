"""Finding the case log and loading every case in it (the load and validate stages)."""

from __future__ import annotations

import hashlib
import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath

from .cache import CaseCache, cache_key, is_fresh, paused_gc
from .checks import CaseRefs, case_refs, check_case, cross_case_problems, raw_reference_problems
from .derive import CaseState, derive, derive_facts, state_from_facts
from .errors import CaseNotFound, InvalidCase, LoadError, Problem, RepositoryError
from .registry import Registry, load_registry
from .schema import ID_RE, Case, case_data, case_from_data, type_case
from .yamlsafe import Document, load_file

PARALLEL_THRESHOLD = 2000  # files to parse; below it a second process costs more than it saves
CACHE_MIN_FILES = 1000  # a smaller log parses in well under a second: no cache to keep


@dataclass
class LoadedCase:
    """One case file: its path relative to the root, the case if usable, its problems."""

    path: str
    case: Case | None
    problems: list[Problem] = field(default_factory=list)
    lines: dict = field(default_factory=dict, repr=False)
    digest: str = ""  # of the file's text: what changed, for incremental builds
    refs: CaseRefs | None = None  # the case's id and the ids it points at (None if unusable)
    facts: tuple | None = field(default=None, repr=False)  # (last day, derive_facts), when cached

    def line_of(self, loc) -> int:
        """The line of a field, as the parser saw it."""
        loc = tuple(loc)
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return 1


@dataclass
class CaseLog:
    """The whole case log as loaded: registry, case files and every problem found."""

    root: Path
    registry: Registry
    files: list[LoadedCase]
    problems: list[Problem]

    @property
    def cases(self) -> list[Case]:
        """Every usable case, in path order."""
        return [f.case for f in self.files if f.case is not None]

    def by_id(self) -> dict[str, Case]:
        """Cases keyed by id."""
        return {f.case.id: f.case for f in self.files if f.case is not None}

    @property
    def errors(self) -> list[Problem]:
        """Problems that fail validation (warnings excluded)."""
        return [p for p in self.problems if p.severity == "error"]

    def states(self, as_of: date) -> list[CaseState]:
        """The state at `as_of` of every usable case received by then (derive_all, reusing
        the cached derived facts of cases whose last event is on or before `as_of`)."""
        rules, calendar = self.registry.rules, self.registry.calendar
        states = []
        with paused_gc():
            for f in self.files:
                if f.case is None:
                    continue
                if f.facts is not None:
                    state = state_from_facts(f.case, *f.facts, as_of, rules, calendar)
                else:
                    state = derive(f.case, as_of, rules, calendar)
                if state is not None:
                    states.append(state)
        return states


def find_root(start: Path) -> Path:
    """The nearest directory at or above `start` that holds cases/registry/."""
    start = start.resolve()
    for candidate in (start, *start.parents):
        if (candidate / "cases" / "registry").is_dir():
            return candidate
    msg = (f"no case log found at {start} or above it "
           "(a case log has cases/registry/; use -C DIR to point at one)")
    raise RepositoryError(msg)


def scan_case_files(root: Path) -> tuple[list[tuple[str, int, int]], list[Problem]]:
    """Every case file under cases/YYYY/MM/ with its size and modification time (ns), and
    problems for files in the wrong place."""
    base = root / "cases"
    found: list[tuple[str, int, int]] = []
    stray: list[Problem] = []
    for year in sorted(os.scandir(base), key=lambda e: e.name):
        if year.name == "registry" or year.name.startswith("."):
            continue
        if not (year.is_dir() and year.name.isdigit() and len(year.name) == 4):
            stray.append(Problem(f"cases/{year.name}", 0, "",
                                 "case files go under cases/YYYY/MM/<id>.yaml"))
            continue
        for month in sorted(os.scandir(year.path), key=lambda e: e.name):
            rel_month = f"cases/{year.name}/{month.name}"
            if not (month.is_dir() and month.name.isdigit() and len(month.name) == 2):
                stray.append(Problem(rel_month, 0, "", "case files go under cases/YYYY/MM/<id>.yaml"))
                continue
            for entry in sorted(os.scandir(month.path), key=lambda e: e.name):
                rel = f"{rel_month}/{entry.name}"
                if entry.name.endswith(".yaml") and entry.is_file():
                    stat = entry.stat()
                    found.append((rel, stat.st_size, stat.st_mtime_ns))
                elif not entry.name.startswith("."):
                    stray.append(Problem(rel, 0, "", "not a case file (case files end in .yaml)"))
    return found, stray


def list_case_files(root: Path) -> tuple[list[str], list[Problem]]:
    """Every case file under cases/YYYY/MM/, and problems for files in the wrong place."""
    found, stray = scan_case_files(root)
    return [rel for rel, _size, _mtime in found], stray


def load_case_file(root: Path, rel: str, registry: Registry) -> LoadedCase:
    """Parse, type and check one case file; never raises for bad content."""
    try:
        doc = load_file(root / rel, rel)
    except LoadError as exc:
        return LoadedCase(rel, None, [exc.problem])
    return check_document(doc, rel, registry)


def check_document(doc: Document, rel: str, registry: Registry) -> LoadedCase:
    """Type and check a parsed case document."""
    case, problems = type_case(doc)
    if case is not None:
        problems = check_case(case, doc, registry, rel)
    else:
        problems += raw_reference_problems(doc, registry)
    problems.sort(key=lambda p: p.line)
    digest = hashlib.blake2b(doc.text.encode("utf-8"), digest_size=12).hexdigest()
    refs = case_refs(case, doc.line_of) if case is not None else None
    return LoadedCase(rel, case, problems, doc.lines, digest, refs)


def _refresh_month(root: Path, registry: Registry, store: CaseCache, month: str,
                   listing: list[tuple[str, int, int]], stale: set[str], keep_data: bool):
    """Parse a month folder's stale files into its shards; return their meta entries, and the
    month's whole data shard if `keep_data` (else the caller reads it from disk)."""
    meta, data = store.read(month, "meta"), store.read(month, "data")
    new_meta, new_data, parsed = {}, {}, {}
    for rel, size, mtime_ns in listing:
        name = rel.rpartition("/")[2]
        if name not in stale:
            new_meta[name], new_data[name] = meta[name], data.get(name)
            continue
        cached_at = time.time_ns()  # before the read: a change during it is not missed
        loaded = load_case_file(root, rel, registry)
        record = None
        if loaded.case is not None:
            record = (case_data(loaded.case), *derive_facts(loaded.case, registry.rules, registry.calendar))
        entry = (size, mtime_ns, cached_at, loaded.digest, loaded.problems, loaded.refs, record is not None)
        new_meta[name] = parsed[name] = entry
        new_data[name] = record
    store.write(month, "data", new_data)
    store.write(month, "meta", new_meta)  # last: a meta entry promises its data entry exists
    return parsed, (new_data if keep_data else None)


_worker_state: dict = {}


def _refresh_in_worker(task):
    root, registry, store = _worker_state["args"]
    return _refresh_month(root, registry, store, *task, keep_data=False)


def _init_worker(root: Path, registry: Registry, store: CaseCache) -> None:
    _worker_state["args"] = (root, registry, store)


def _load_cached(root: Path, registry: Registry, listing, jobs: int, with_cases: bool) -> list[LoadedCase]:
    """Load through the cache: parse only files that changed since they were cached."""
    store = CaseCache(root, cache_key(root))
    months: dict[str, list[tuple[str, int, int]]] = {}
    for item in listing:
        months.setdefault(item[0].rpartition("/")[0], []).append(item)
    metas = {month: store.read(month, "meta") for month in months}
    tasks = []
    for month, items in months.items():
        meta = metas[month]
        stale = {rel.rpartition("/")[2] for rel, size, mtime_ns in items
                 if not is_fresh(meta.get(rel.rpartition("/")[2]), size, mtime_ns)}
        if stale or len(meta) != len(items):
            tasks.append((month, items, stale))
    datas: dict[str, dict] = {}
    to_parse = sum(len(task[2]) for task in tasks)
    if jobs > 1 and to_parse >= PARALLEL_THRESHOLD:
        tasks.sort(key=lambda task: -len(task[2]))  # the biggest first, so both cores finish together
        with ProcessPoolExecutor(jobs, initializer=_init_worker, initargs=(root, registry, store)) as pool:
            for (month, _items, _stale), (parsed, _data) in zip(tasks, pool.map(_refresh_in_worker, tasks),
                                                              strict=True):
                metas[month].update(parsed)
    else:
        for month, items, stale in tasks:
            parsed, datas[month] = _refresh_month(root, registry, store, month, items, stale, with_cases)
            metas[month].update(parsed)
    files = []
    for month, items in months.items():
        meta = metas[month]
        data = (datas.get(month) or store.read(month, "data")) if with_cases else {}
        for rel, _size, _mtime in items:
            name = rel.rpartition("/")[2]
            _size, _mtime, _at, digest, problems, refs, usable = meta[name]
            loaded = LoadedCase(rel, None, list(problems), {}, digest, refs)
            if with_cases and usable:
                record = data.get(name)
                if record is None:  # a data shard lost or damaged: read the file itself
                    loaded = load_case_file(root, rel, registry)
                else:
                    loaded.case = case_from_data(record[0])
                    loaded.facts = record[1:]
            files.append(loaded)
    store.close()
    return files


def load_log(root: Path, only: list[str] | None = None, jobs: int | None = None, *,
             cases: bool = True) -> CaseLog:
    """Load the registry and every case (or `only` these paths); raise InvalidCase only if
    the registry is unusable.

    With cases=False the files carry their problems and references but no Case: enough
    to validate, and much less to load. Large logs are loaded through the cache (cache.py).
    """
    registry = load_registry(root)
    listing, stray = scan_case_files(root)
    other_ids: set[str] = set()
    if only is not None:
        wanted = set(only)
        other_ids = {PurePosixPath(r).stem for r, _s, _m in listing if r not in wanted}
        stray = [p for p in stray if p.path in wanted]
        listing = [item for item in listing if item[0] in wanted]
    jobs = jobs or os.cpu_count() or 1
    with paused_gc():
        if len(listing) >= CACHE_MIN_FILES:
            files = _load_cached(root, registry, listing, jobs, cases)
        else:
            files = [load_case_file(root, rel, registry) for rel, _s, _m in listing]
    problems = list(stray)
    for loaded in files:
        problems.extend(loaded.problems)
    problems.extend(cross_case_problems(((f.path, f.refs) for f in files if f.refs is not None),
                                        other_ids))
    return CaseLog(root, registry, files, problems)


def case_path(root: Path, case_id: str) -> Path:
    """The file of the case with `case_id`; raise CaseNotFound if there is none."""
    match = ID_RE.match(case_id.strip().upper()) if case_id else None
    if not match:
        msg = f"'{case_id}' is not a case id (like 20260302-K7Q2MD)"
        raise CaseNotFound(msg)
    stamp = match.group(1)
    path = root / "cases" / stamp[:4] / stamp[4:6] / f"{match.group(0)}.yaml"
    if not path.is_file():
        msg = f"no case {match.group(0)} (looked for {path.relative_to(root)})"
        raise CaseNotFound(msg)
    return path


def load_one(root: Path, case_id: str, registry: Registry | None = None) -> LoadedCase:
    """Load and check a single case by id; raise InvalidCase if it is unusable."""
    registry = registry or load_registry(root)
    path = case_path(root, case_id)
    loaded = load_case_file(root, path.relative_to(root).as_posix(), registry)
    if loaded.case is None:
        raise InvalidCase(loaded.problems)
    return loaded

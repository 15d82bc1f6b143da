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
from .checks import (
    MASK_ADVICE,
    CaseRefs,
    case_refs,
    check_case,
    cross_case_problems,
    future_problems,
    raw_reference_problems,
)
from .derive import CaseState, derive, derive_facts, state_from_facts
from .errors import CaseNotFound, InvalidCase, LoadError, Problem, RepositoryError
from .i18n import _
from .registry import Registry, load_registry
from .schema import ID_RE, Case, case_data, case_from_data, type_case
from .yamlsafe import SYMLINK, Document, decode_utf8, load_file

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
                if f.facts is not None and (f.case is not None or as_of >= f.facts[0]):
                    state = state_from_facts(f.case, *f.facts, as_of, rules, calendar)
                else:
                    case = f.case
                    if case is None and f.refs is not None:  # loaded for its facts only
                        case = load_case_file(self.root, f.path, self.registry).case
                    if case is None:
                        continue
                    state = derive(case, as_of, rules, calendar)
                if state is not None:
                    states.append(state)
        return states


def find_root(start: Path) -> Path:
    """The nearest directory at or above `start` that holds cases/registry/."""
    start = start.resolve()
    for candidate in (start, *start.parents):
        if (candidate / "cases" / "registry").is_dir():
            return candidate
    msg = _("no case log found at {path} or above it "
            "(a case log has cases/registry/; use -C DIR to point at one)").format(path=start)
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
                                 _("case files go under cases/YYYY/MM/<id>.yaml")))
            continue
        for month in sorted(os.scandir(year.path), key=lambda e: e.name):
            rel_month = f"cases/{year.name}/{month.name}"
            if not (month.is_dir() and month.name.isdigit() and len(month.name) == 2):
                stray.append(Problem(rel_month, 0, "", _("case files go under cases/YYYY/MM/<id>.yaml")))
                continue
            for entry in sorted(os.scandir(month.path), key=lambda e: e.name):
                rel = f"{rel_month}/{entry.name}"
                if entry.is_symlink():
                    stray.append(Problem(rel, 0, "", SYMLINK))
                elif entry.name.endswith(".yaml") and entry.is_file():
                    stat = entry.stat()
                    found.append((rel, stat.st_size, stat.st_mtime_ns))
                elif entry.name.endswith(".yaml.lock"):
                    stray.append(Problem(rel, 0, "", (
                        f"a write of {entry.name.removesuffix('.lock')} is in progress, or was "
                        "interrupted; if no caselog command is running, delete this lock file"),
                        "warning"))
                elif not entry.name.startswith("."):
                    stray.append(Problem(rel, 0, "", _("not a case file (case files end in .yaml)")))
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


def text_digest(text: str) -> str:
    """The digest of a case file's text: what the cache and the site's fingerprints compare."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()


def check_document(doc: Document, rel: str, registry: Registry, advice: str = MASK_ADVICE) -> LoadedCase:
    """Type and check a parsed case document (`advice`: how to fix unmasked personal data)."""
    case, problems = type_case(doc)
    refs = None
    if case is not None:
        problems, countable = check_case(case, doc, registry, rel, advice)
        refs = case_refs(case, doc.line_of)
        if not countable:  # no later stage could derive its deadlines: not a usable case
            case = None
    else:
        problems += raw_reference_problems(doc, registry)
    problems.sort(key=lambda p: p.line)
    digest = text_digest(doc.text)
    return LoadedCase(rel, case, problems, doc.lines, digest, refs)


NEEDS = ("problems", "facts", "cases")  # what a load must give, from least to most
_SHARDS = {"facts": ("facts",), "cases": ("facts", "data")}  # the shards each need reads


def _entry_for(shard: dict, name: str, digest: str):
    """A facts or data entry that belongs to the file's current text (else None)."""
    entry = shard.get(name)
    return entry if entry is not None and entry[0] == digest else None


def prefetch(root: Path, rels: list[str]) -> None:
    """Ask the kernel to start reading these files now, all at once (they are read one by one
    next): on a disk that is slow per read, many reads in flight take a fraction of the time."""
    advise = getattr(os, "posix_fadvise", None)
    if advise is None:  # not on this system: the reads just wait their turn
        return
    for rel in rels:
        try:
            fd = os.open(root / rel, os.O_RDONLY)
        except OSError:
            continue  # the read that follows reports it
        try:
            advise(fd, 0, 0, os.POSIX_FADV_WILLNEED)
        finally:
            os.close(fd)


def _same_text(root: Path, rel: str, entry, size: int, mtime_ns: int):
    """The entry with the file's new time if only the time changed (a fresh clone, a checkout,
    a cache restored in CI): the text is read and its digest compared, which costs a small
    part of parsing it. None if the text changed, or might have."""
    if entry is None or entry[0] != size:
        return None
    cached_at = time.time_ns()  # before the read, as when parsing
    try:
        text = decode_utf8((root / rel).read_bytes(), rel)
    except (OSError, LoadError):
        return None
    if text_digest(text) != entry[3]:
        return None
    return (size, mtime_ns, cached_at, *entry[3:])


def _refresh_month(root: Path, registry: Registry, store: CaseCache, month: str,
                   listing: list[tuple[str, int, int]], stale: set[str], need: str, keep: bool):
    """Parse a month folder's stale files into its shards; return their meta entries, and the
    month's facts and data shards if `keep` (else the caller reads them from disk).

    The meta shard is always rewritten; facts (derived state) and data (the typed case) only
    when `need` asks for them. An entry of theirs names the digest of the text it came from,
    so one left behind by a change is never mistaken for the file's current content."""
    meta = store.read(month, "meta")
    kinds = _SHARDS.get(need, ())
    shards = {kind: store.read(month, kind) for kind in kinds}
    prefetch(root, [rel for rel, _size, _mtime in listing if rel.rpartition("/")[2] in stale])
    new_meta, parsed = {}, {}
    for rel, size, mtime_ns in listing:
        name = rel.rpartition("/")[2]
        if name not in stale:
            new_meta[name] = meta[name]
            continue
        cached_at = time.time_ns()  # before the read: a change during it is not missed
        loaded = load_case_file(root, rel, registry)
        case = loaded.case
        entry = (size, mtime_ns, cached_at, loaded.digest, loaded.problems, loaded.refs, case is not None)
        new_meta[name] = parsed[name] = entry
        if case is not None and kinds:
            shards["facts"][name] = (loaded.digest, *derive_facts(case, registry.rules, registry.calendar))
            if "data" in shards:
                shards["data"][name] = (loaded.digest, case_data(case))
    if kinds:  # entries of files no longer in the folder go
        for kind, shard in shards.items():
            shards[kind] = {name: shard[name] for name in new_meta if name in shard}
            store.write(month, kind, shards[kind])
    store.write(month, "meta", new_meta)  # last: fresh meta promises the entries above
    return parsed, (shards if keep else None)


_worker_state: dict = {}


def _refresh_in_worker(task):
    root, registry, store, need = _worker_state["args"]
    return _refresh_month(root, registry, store, *task, need=need, keep=False)


def _init_worker(root: Path, registry: Registry, store: CaseCache, need: str) -> None:
    _worker_state["args"] = (root, registry, store, need)


def _load_cached(root: Path, registry: Registry, listing, jobs: int, need: str) -> list[LoadedCase]:
    """Load through the cache: parse only files that changed since they were cached (or whose
    facts or case the cache does not hold yet, when `need` asks for them)."""
    store = CaseCache(root, cache_key(root))
    kinds = _SHARDS.get(need, ())
    months: dict[str, list[tuple[str, int, int]]] = {}
    for item in listing:
        months.setdefault(item[0].rpartition("/")[0], []).append(item)
    metas = {month: store.read(month, "meta") for month in months}
    shards = {month: {kind: store.read(month, kind) for kind in kinds} for month in months}
    tasks = []
    for month, items in months.items():
        meta, held = metas[month], shards[month]
        stale = set()
        refreshed = False
        # files whose text is to be compared with a cached digest (files to parse: see _refresh_month)
        prefetch(root, [rel for rel, size, mtime_ns in items
                        if (entry := meta.get(rel.rpartition("/")[2])) is not None and entry[0] == size
                        and not is_fresh(entry, size, mtime_ns)])
        for rel, size, mtime_ns in items:
            name = rel.rpartition("/")[2]
            entry = meta.get(name)
            if not is_fresh(entry, size, mtime_ns):
                entry = _same_text(root, rel, entry, size, mtime_ns)
                if entry is not None:
                    meta[name] = entry
                    refreshed = True
            if entry is None or (
                    entry[6] and any(_entry_for(held[kind], name, entry[3]) is None for kind in kinds)):
                stale.add(name)
        if refreshed:  # before any task reads the shard again: its entries' digests are unchanged
            store.write(month, "meta", meta)
        if stale or len(meta) != len(items):
            tasks.append((month, items, stale))
    to_parse = sum(len(task[2]) for task in tasks)
    if jobs > 1 and to_parse >= PARALLEL_THRESHOLD:
        tasks.sort(key=lambda task: -len(task[2]))  # the biggest first, so both cores finish together
        with ProcessPoolExecutor(jobs, initializer=_init_worker,
                                 initargs=(root, registry, store, need)) as pool:
            for (month, _items, _stale), (parsed, _shards) in zip(tasks, pool.map(_refresh_in_worker, tasks),
                                                                strict=True):
                metas[month].update(parsed)
                shards[month] = {kind: store.read(month, kind) for kind in kinds}
    else:
        for month, items, stale in tasks:
            parsed, shards[month] = _refresh_month(root, registry, store, month, items, stale, need, True)
            metas[month].update(parsed)
    files = []
    for month, items in months.items():
        meta, held = metas[month], shards[month]
        for rel, _size, _mtime in items:
            name = rel.rpartition("/")[2]
            _size, _mtime, _at, digest, problems, refs, usable = meta[name]
            loaded = LoadedCase(rel, None, list(problems), {}, digest, refs)
            if usable and kinds:
                facts = _entry_for(held["facts"], name, digest)
                data = _entry_for(held["data"], name, digest) if "data" in held else None
                if facts is None or ("data" in held and data is None):  # a shard lost or damaged
                    loaded = load_case_file(root, rel, registry)
                else:
                    loaded.facts = facts[1:]
                    if data is not None:
                        loaded.case = case_from_data(data[1])
            files.append(loaded)
    store.close()
    return files


def load_log(root: Path, only: list[str] | None = None, jobs: int | None = None, *,
             need: str = "cases", today: date | None = None) -> CaseLog:
    """Load the registry and every case (or `only` these paths); raise InvalidCase only if
    the registry is unusable.

    `need` says what the caller uses: "problems" (enough to validate: each file's problems
    and references, no Case), "facts" (also each case's derived state, enough for
    CaseLog.states, far less to load than whole cases) or "cases" (everything). Large logs
    are loaded through the cache (cache.py). Dates after `today` (default: today in the
    site's time zone) are problems.
    """
    if need not in NEEDS:
        raise ValueError(f"need must be one of {NEEDS}")
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
            files = _load_cached(root, registry, listing, jobs, need)
        else:
            files = [load_case_file(root, rel, registry) for rel, _s, _m in listing]
        problems = list(stray)
        for loaded in files:
            problems.extend(loaded.problems)
        # an unusable file still holds the case its name says: links to it are not dangling
        other_ids |= {PurePosixPath(f.path).stem for f in files if f.refs is None}
        typed = [(f.path, f.refs) for f in files if f.refs is not None]
        problems.extend(cross_case_problems(typed, other_ids))
        problems.extend(future_problems(typed, today or registry.rules.today()))
    return CaseLog(root, registry, files, problems)


def case_path(root: Path, case_id: str) -> Path:
    """The file of the case with `case_id`; raise CaseNotFound if there is none."""
    match = ID_RE.match(case_id.strip().upper()) if case_id else None
    if not match:
        msg = _("'{id}' is not a case id (like 20260302-K7Q2MD)").format(id=case_id)
        raise CaseNotFound(msg)
    stamp = match.group(1)
    path = root / "cases" / stamp[:4] / stamp[4:6] / f"{match.group(0)}.yaml"
    if not path.is_file():
        msg = _("no case {id} (looked for {path})").format(id=match.group(0), path=path.relative_to(root))
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

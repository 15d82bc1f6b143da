"""Finding the case log and loading every case in it (the load and validate stages)."""

from __future__ import annotations

import hashlib
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .checks import check_case, cross_case_problems, raw_reference_problems
from .errors import CaseNotFound, InvalidCase, LoadError, Problem, RepositoryError
from .registry import Registry, load_registry
from .schema import ID_RE, Case, type_case
from .yamlsafe import Document, load_file

PARALLEL_THRESHOLD = 3000


@dataclass
class LoadedCase:
    """One case file: its path relative to the root, the case if usable, its problems."""

    path: str
    case: Case | None
    problems: list[Problem] = field(default_factory=list)
    lines: dict = field(default_factory=dict, repr=False)
    digest: str = ""  # of the file's text: what changed, for incremental builds

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


def find_root(start: Path) -> Path:
    """The nearest directory at or above `start` that holds cases/registry/."""
    start = start.resolve()
    for candidate in (start, *start.parents):
        if (candidate / "cases" / "registry").is_dir():
            return candidate
    msg = (f"no case log found at {start} or above it "
           "(a case log has cases/registry/; use -C DIR to point at one)")
    raise RepositoryError(msg)


def list_case_files(root: Path) -> tuple[list[str], list[Problem]]:
    """Every case file under cases/YYYY/MM/, and problems for files in the wrong place."""
    base = root / "cases"
    found: list[str] = []
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
                    found.append(rel)
                elif not entry.name.startswith("."):
                    stray.append(Problem(rel, 0, "", "not a case file (case files end in .yaml)"))
    return found, stray


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
    return LoadedCase(rel, case, problems, doc.lines, digest)


_worker_state: dict = {}


def _load_chunk(rels: list[str]) -> list[LoadedCase]:
    root, registry = _worker_state["root"], _worker_state["registry"]
    return [load_case_file(root, rel, registry) for rel in rels]


def _init_worker(root: Path, registry: Registry) -> None:
    _worker_state["root"] = root
    _worker_state["registry"] = registry


def load_log(root: Path, only: list[str] | None = None, jobs: int | None = None) -> CaseLog:
    """Load the registry and every case (or `only` these paths); raise InvalidCase only if
    the registry is unusable."""
    registry = load_registry(root)
    rels, stray = list_case_files(root)
    other_ids: set[str] = set()
    if only is not None:
        wanted = set(only)
        other_ids = {PurePosixPath(r).stem for r in rels if r not in wanted}
        stray = [p for p in stray if p.path in wanted]
        rels = [r for r in rels if r in wanted]
    jobs = jobs or os.cpu_count() or 1
    if jobs > 1 and len(rels) >= PARALLEL_THRESHOLD:
        size = max(200, len(rels) // (jobs * 8))
        chunks = [rels[i:i + size] for i in range(0, len(rels), size)]
        with ProcessPoolExecutor(jobs, initializer=_init_worker,
                                 initargs=(root, registry)) as pool:
            files = [item for chunk in pool.map(_load_chunk, chunks) for item in chunk]
    else:
        files = [load_case_file(root, rel, registry) for rel in rels]
    problems = list(stray)
    for loaded in files:
        problems.extend(loaded.problems)
    problems.extend(cross_case_problems(
        ((f.path, f.line_of, f.case) for f in files if f.case is not None), other_ids))
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

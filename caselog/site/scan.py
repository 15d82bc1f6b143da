"""After a build: scan every output file, the search index included, for personal data and
for any trace of a non-public case.

With a state file (the build keeps one under .caselog/), a file that has not changed since
a scan passed it is not read again, unless a case that was published then is non-public
now (its title might sit in any page): then everything is scanned. Large scans use every
core.
"""

from __future__ import annotations

import gzip
import html
import json
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..privacy import KINDS, find_personal_data
from .forking import fork_slices

TEXT_SUFFIXES = {".html", ".xml", ".json", ".csv", ".txt", ".js", ".svg"}
_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Leak:
    """Something in the output that must not be there."""

    path: str
    what: str

    def __str__(self) -> str:
        return f"{self.path}: {self.what}"


def _text_of(path: Path) -> tuple[str, str] | None:
    """A file's text as a reader sees it, and its markup ("" if it has none); None if it is
    not a text file."""
    if path.suffix in TEXT_SUFFIXES:
        return _as_read(path.suffix, path.read_text(encoding="utf-8", errors="replace"))
    if path.suffix in (".pf_fragment", ".pf_meta", ".pf_index", ".pf_filter"):
        # Pagefind's index files are gzip-compressed; the fragments hold the indexed text
        raw = path.read_bytes()
        try:
            raw = gzip.decompress(raw)
        except OSError:
            pass
        return raw.decode("utf-8", errors="replace"), ""
    return None


def _as_read(suffix: str, text: str) -> tuple[str, str]:
    if suffix in (".html", ".xml", ".svg"):
        return html.unescape(_TAG.sub(" ", text)), html.unescape(text)
    return text, ""


def scan_written(rel: str, text: str, secrets: Secrets) -> list[Leak]:
    """The leaks in a text file about to be written to output/rel: what scanning the file would find."""
    return scan_text(rel, *_as_read(PurePosixPath(rel).suffix, text), secrets)


class Secrets:
    """Finds ids and titles of non-public cases in a text in one pass (Aho-Corasick), however
    many there are: looking for each in each file would grow with files × cases."""

    def __init__(self, secret_ids: set[str], secret_titles: set[str]):
        import ahocorasick

        self.automaton = ahocorasick.Automaton()
        for case_id in secret_ids:
            self.automaton.add_word(case_id, f"id of non-public case {case_id}")
        for title in secret_titles:
            if len(title) >= 6:  # shorter titles are too common a phrase to call a leak
                self.automaton.add_word(title, f"title of a non-public case '{title}'")
        self.empty = not len(self.automaton)
        if not self.empty:
            self.automaton.make_automaton()

    def find(self, *texts: str) -> list[str]:
        """What each secret found says, once each: ids first, then titles."""
        if self.empty:
            return []
        found: dict[str, None] = {}
        for text in texts:
            for _end, what in self.automaton.iter(text):
                found[what] = None
        return sorted(found, key=lambda what: what.startswith("title"))


PARALLEL_MIN_FILES = 2000
STATE_FORMAT = 1  # of the state file; another starts a full scan
RACY_NS = 2_000_000_000  # a file changed this close to the scan could change again unseen


def scan_file(output: Path, rel: str, secrets: Secrets) -> list[Leak]:
    """The leaks in one output file."""
    path = output / rel
    if rel.startswith("pagefind/") and not path.suffix.startswith(".pf_"):
        return []  # Pagefind's own program files; its index (.pf_*) is scanned
    content = _text_of(path)
    if content is None:
        return []
    return scan_text(rel, *content, secrets)


def scan_text(rel: str, text: str, markup: str, secrets: Secrets, where: str = "") -> list[Leak]:
    """The leaks in the text of an output file (or of a part of one: `where` says which)."""
    leaks = [Leak(rel, f"unmasked {KINDS[finding.kind]} ({finding.kind}) '{finding.text}'{where}")
             for finding in find_personal_data(text)]
    # ids and titles are looked for in the markup too: a link or attribute is a trace as well
    leaks.extend(Leak(rel, what + where) for what in secrets.find(text, markup))
    return leaks


def _walk(output: Path, prefix: str = ""):
    """(relative path, name, stat or None for a directory) of everything under output, sorted.

    os.scandir, not Path.rglob: at 100,000 pages the walk alone took rglob 12 seconds."""
    with os.scandir(output) as entries:
        listed = sorted(entries, key=lambda entry: entry.name)
    for entry in listed:
        rel = prefix + entry.name
        if entry.is_dir(follow_symlinks=False):
            yield rel, entry.name, None
            yield from _walk(Path(entry.path), rel + "/")
        elif entry.is_file():
            yield rel, entry.name, entry.stat()


def _load_state(state_path: Path | None, output: Path) -> tuple[dict, set]:
    if state_path is None:
        return {}, set()
    try:
        state = json.loads(state_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}, set()
    if state.get("output") != str(output.resolve()) or state.get("format") != STATE_FORMAT:
        return {}, set()
    return state.get("files", {}), set(state.get("published", ()))


def scan_output(output: Path, secret_ids: set[str], secret_titles: set[str], *,
                state_path: Path | None = None, jobs: int | None = None,
                checked: dict[str, list[Leak]] | None = None) -> list[Leak]:
    """Every leak in the output directory: personal data, or ids/titles of non-public cases.

    `checked` names files this build wrote whose every byte it checked (with the same
    checks) before writing them, with what was found: they are not read again."""
    leaks: list[Leak] = []
    secrets = Secrets(secret_ids, secret_titles)
    checked = checked or {}
    # a case published at the last scan and non-public now may have left its title in any
    # page: then every file is scanned again (a new non-public case was never in a page
    # that has not changed since)
    passed, published = _load_state(state_path, output)
    if secret_ids & published:
        passed = {}
    started = time.time_ns()
    files: dict[str, list[int]] = {}
    to_scan: list[str] = []
    for rel, name, stat in _walk(output):
        for what in secrets.find(name):  # a file or directory named after the case is a trace too
            if what.startswith("id "):
                leaks.append(Leak(rel, "path named after non-public case " + what.rsplit(" ", 1)[1]))
        if stat is None:
            continue
        files[rel] = [stat.st_size, stat.st_mtime_ns]
        if rel in checked:
            leaks.extend(checked[rel])
        elif passed.get(rel) != files[rel] or stat.st_mtime_ns > started - RACY_NS:
            to_scan.append(rel)
    jobs = jobs or os.cpu_count() or 1
    if jobs > 1 and len(to_scan) >= PARALLEL_MIN_FILES:
        parts = fork_slices(lambda files: [leak for rel in files for leak in scan_file(output, rel, secrets)],
                            to_scan, jobs)
        order = {rel: index for index, rel in enumerate(to_scan)}
        found = sorted((leak for part in parts for leak in part), key=lambda leak: order[leak.path])
    else:
        found = [leak for rel in to_scan for leak in scan_file(output, rel, secrets)]
    leaks.extend(found)
    if state_path is not None:
        bad = {leak.path for leak in leaks}
        cases = output / "cases"
        published_now = sorted(p.name for p in cases.iterdir()) if cases.is_dir() else []
        state = {"output": str(output.resolve()), "format": STATE_FORMAT, "published": published_now,
                 "files": {rel: stat for rel, stat in files.items() if rel not in bad}}
        state_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = state_path.with_name(state_path.name + ".tmp")
        tmp.write_text(json.dumps(state), encoding="utf-8")
        os.replace(tmp, state_path)
    return leaks

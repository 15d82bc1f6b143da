"""After a build: scan every output file, the search index included, for personal data and
for any trace of a non-public case.

A file is read as a reader meets it: its text (tags removed, entities decoded) and the values
of its attributes (href, title, alt, content...), each through the personal-data detector,
which also reads past zero-width characters between the digits.

With a state file (the build keeps one under .caselog/), a file that has not changed since
a scan passed it is not read again as long as what the scan looks for is the same. The state
names the detector's version and the office's public numbers (any change scans every file
again) and the non-public ids and titles it looked for: a new one is looked for in every
file that passed before (the cheap part of the scan; a removed one needs nothing). So the
verdict never depends on what the state holds. Large scans use every core.
"""

from __future__ import annotations

import hashlib
import html
import json
import operator
import os
import pickle
import re
import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..cache import UNREADABLE, store
from ..i18n import N_, _
from ..normalize import fold
from ..privacy import DETECTOR_VERSION, KINDS, find_personal_data
from .forking import fork_slices

TEXT_SUFFIXES = {".html", ".xml", ".json", ".csv", ".txt", ".js", ".svg"}
_TAG = re.compile(r"<[^>]+>")
# attributes a reader sees or follows (links, titles, alternative text, metadata, form values);
# not drawing instructions (an SVG path's figures are not numbers anybody reads)
_ATTRIBUTE = re.compile(r"""\s(?:href|src|srcset|title|alt|content|value|label|placeholder|summary|cite"""
                        r"""|action|poster|data|(?:aria|data)-[-\w.:]*)\s*=\s*"""
                        r"""(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""", re.IGNORECASE)
# characters that do not show between two others (a regex: str.translate walks a text one
# character at a time in Python, 0.5 ms for a case page)
_SEPARATORS = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")


@dataclass(frozen=True)
class Leak:
    """Something in the output that must not be there."""

    path: str
    what: str

    def __str__(self) -> str:
        return f"{self.path}: {describe(self.what)}"


# `what` is the scan's own record of a leak (its state and logic read it); a person reads it
# in the interface's language
_FOUND = r"unmasked (?P<label>\S+) \((?P<kind>[a-z-]+)\) (?P<text>'.*')"
_WHAT = (
    (re.compile(_FOUND + " in an attribute", re.S), N_("unmasked {label} ({kind}) {text} in an attribute")),
    (re.compile(_FOUND, re.S), N_("unmasked {label} ({kind}) {text}")),
    (re.compile(r"id of non-public case (?P<id>\S+)"), N_("id of non-public case {id}")),
    (re.compile(r"title of a non-public case (?P<title>'.*')", re.S),
     N_("title of a non-public case {title}")),
    (re.compile(r"path named after non-public case (?P<id>\S+)"),
     N_("path named after non-public case {id}")),
)
_RECORD = re.compile(r"(?P<what>.*) \(in the record of case (?P<id>[^)]+)\)", re.S)


def describe(what: str) -> str:
    """A leak as a person reads it, in the interface's language."""
    record = _RECORD.fullmatch(what)
    core = record["what"] if record else what
    for pattern, message in _WHAT:
        match = pattern.fullmatch(core)
        if match:
            text = _(message).format(**match.groupdict())
            return text + _(" (in the record of case {id})").format(id=record["id"]) if record else text
    return what


def _text_of(path: Path) -> tuple[str, str] | None:
    """A file's text as a reader sees it, and its markup ("" if it has none); None if it is
    not a text file."""
    if path.suffix in TEXT_SUFFIXES:
        return _as_read(path.suffix, path.read_text(encoding="utf-8", errors="replace"))
    if path.suffix == ".bin" and path.parent.name == "b":
        # a bucket of the search index: its words between bars, so that the digits of two
        # words never read as one number (the cases it names are numbers, not text)
        return "\n|\n".join(_index_words(path)), ""
    return None


def _index_words(bucket: Path) -> list[str]:
    from .search_index import bucket_words

    try:
        shard = json.loads((bucket.parent.parent / "shard.json").read_text(encoding="utf-8"))
        return list(bucket_words(bucket.read_bytes(), int(shard["cases"])))
    except (OSError, ValueError, KeyError, IndexError, UnicodeDecodeError):
        # not a bucket this version wrote: its bytes as text, so nothing in it goes unread
        return [bucket.read_bytes().decode("utf-8", errors="replace")]


def _as_read(suffix: str, text: str) -> tuple[str, str]:
    if suffix in (".html", ".xml", ".svg"):
        return html.unescape(_TAG.sub(" ", text)), text
    return text, ""


def attribute_values(markup: str) -> str:
    """The values (entities decoded) of the attributes a reader sees or follows, one to a line
    between bars (so that the digits of two attributes never read as one number)."""
    values = [match[1] or match[2] or match[3] for match in _ATTRIBUTE.finditer(markup)]
    return "\n|\n".join(html.unescape(value) if "&" in value else value for value in values if value)


def scan_written(rel: str, text: str, secrets: Secrets) -> list[Leak]:
    """The leaks in a text file about to be written to output/rel: what scanning the file would find."""
    return scan_text(rel, *_as_read(PurePosixPath(rel).suffix, text), secrets)


class Secrets:
    """Finds ids and titles of non-public cases in a text in one pass (Aho-Corasick), however
    many there are: looking for each in each file would grow with files × cases."""

    def __init__(self, secret_ids: set[str], secret_titles: set[str],
                 public_numbers: frozenset[str] = frozenset()):
        import ahocorasick

        self.public_numbers = frozenset(public_numbers)
        self.ids, self.titles = frozenset(secret_ids), frozenset(secret_titles)
        # what a verdict depends on: a state or cache made with another key is not trusted;
        # `detector_key` is the part that personal-data findings depend on
        digest = hashlib.blake2b(f"{DETECTOR_VERSION}|{STATE_FORMAT}".encode(), digest_size=12)
        digest.update("\0".join(sorted(self.public_numbers)).encode())
        self.detector_key = digest.hexdigest()
        for part in (sorted(secret_ids), sorted(secret_titles)):
            digest.update(b"\1" + "\0".join(part).encode())
        self.key = digest.hexdigest()

        self.automaton = ahocorasick.Automaton()
        for case_id in secret_ids:
            self.automaton.add_word(case_id, f"id of non-public case {case_id}")
        for title in secret_titles:
            if len(title) >= 6:  # shorter titles are too common a phrase to call a leak
                self.automaton.add_word(title, f"title of a non-public case '{title}'")
        self.empty = not len(self.automaton)
        if not self.empty:
            self.automaton.make_automaton()

    def added_since(self, ids: set[str], titles: set[str]) -> Secrets:
        """The secrets that are not among `ids` and `titles` (what an earlier scan looked for)."""
        return Secrets(self.ids - ids, self.titles - titles, self.public_numbers)

    def find(self, *texts: str) -> list[str]:
        """What each secret found says, once each: ids first, then titles."""
        if self.empty:
            return []
        found: dict[str, None] = {}
        for text in texts:
            for _end, what in self.automaton.iter(fold(_SEPARATORS.sub("", text))):
                found[what] = None
        return sorted(found, key=lambda what: what.startswith("title"))


PARALLEL_MIN_FILES = 2000
STATE_FORMAT = 2  # of the state file; another starts a full scan
RACY_NS = 2_000_000_000  # a file changed this close to the scan could change again unseen


def scan_file(output: Path, rel: str, secrets: Secrets, secrets_only: bool = False) -> list[Leak]:
    """The leaks in one output file (`secrets_only`: traces of non-public cases only, for a file
    that passed every other check before)."""
    path = output / rel
    content = _text_of(path)
    if content is None:
        return []
    if secrets_only:
        return [Leak(rel, what) for what in secrets_in(*content, secrets)]
    return scan_text(rel, *content, secrets)


def scan_text(rel: str, text: str, markup: str, secrets: Secrets, where: str = "") -> list[Leak]:
    """The leaks in the text of an output file (or of a part of one: `where` says which)."""
    public = secrets.public_numbers
    leaks = [Leak(rel, f"unmasked {KINDS[finding.kind]} ({finding.kind}) '{finding.text}'{where}")
             for finding in find_personal_data(text, public)]
    if markup:
        leaks += [Leak(rel, f"unmasked {KINDS[finding.kind]} ({finding.kind}) '{finding.text}' "
                            f"in an attribute{where}")
                  for finding in find_personal_data(attribute_values(markup), public)]
    leaks.extend(Leak(rel, what + where) for what in secrets_in(text, markup, secrets))
    return leaks


def secrets_in(text: str, markup: str, secrets: Secrets) -> list[str]:
    """What the ids and titles of non-public cases found in a file's text and markup say.

    They are looked for in the markup too (a link or attribute is a trace as well), and in
    the text with its tags taken out ("幸福里<strong>小区</strong>…" reads as one title)."""
    seen = (text, html.unescape(markup), html.unescape(_TAG.sub("", markup))) if markup else (text,)
    return secrets.find(*seen)


def _walk(output: Path):
    """(relative path, name, os.DirEntry or None for a directory) of everything under output, sorted.

    os.scandir, not Path.rglob (at 100,000 pages the walk alone took rglob 12 seconds), and a
    stack of listings, not nested generators (each entry would pass up through every level)."""
    stack = [("", iter(_listing(output)))]
    while stack:
        prefix, entries = stack[-1]
        for entry in entries:
            rel = prefix + entry.name
            if entry.is_dir(follow_symlinks=False):
                yield rel, entry.name, None
                stack.append((rel + "/", iter(_listing(entry.path))))
                break  # the folder's entries come first, then the rest of this one
            if entry.is_file():
                yield rel, entry.name, entry
        else:
            stack.pop()


def _size_and_time(entry: os.DirEntry) -> tuple[int, int]:
    stat = entry.stat()
    return stat.st_size, stat.st_mtime_ns


def _listing(path) -> list:
    with os.scandir(path) as entries:
        return sorted(entries, key=_NAME)


_NAME = operator.attrgetter("name")


def _load_state(state_path: Path | None, output: Path, detector_key: str) -> tuple[dict, set, set]:
    """The files an earlier scan with the same detector passed ({path: [size, mtime_ns]}), and
    the ids and titles it looked for."""
    if state_path is None:
        return {}, set(), set()
    try:
        state = pickle.loads(state_path.read_bytes())
        if state["output"] == str(output.resolve()) and state["detector"] == detector_key:
            return state["files"], set(state["ids"]), set(state["titles"])
    except UNREADABLE:
        pass  # no state, or not one this version wrote: every file is read
    return {}, set(), set()


def scan_output(output: Path, secret_ids: set[str], secret_titles: set[str], *,
                state_path: Path | None = None, jobs: int | None = None,
                checked: dict[str, list[Leak]] | None = None,
                public_numbers: frozenset[str] = frozenset(),
                seen: dict[str, tuple[int, int]] | None = None) -> list[Leak]:
    """Every leak in the output directory: personal data, or ids/titles of non-public cases.

    `checked` names files this build wrote whose every byte it checked (with the same
    checks) before writing them, with what was found: they are not read again. A file that
    passed an earlier scan and has not changed since is looked at again only for the ids and
    titles that scan did not look for. `seen` gives the size and time of files the build
    found unchanged a moment ago (looked up instead of asking the file system again)."""
    leaks: list[Leak] = []
    secrets = Secrets(secret_ids, secret_titles, public_numbers)
    checked = checked or {}
    passed, old_ids, old_titles = _load_state(state_path, output, secrets.detector_key)
    new_secrets = secrets.added_since(old_ids, old_titles)
    started = time.time_ns()
    files: dict[str, list[int]] = {}
    to_scan: list[str] = []
    to_recheck: list[str] = []
    seen = seen or {}
    for rel, name, entry in _walk(output):
        for what in secrets.find(name):  # a file or directory named after the case is a trace too
            if what.startswith("id "):
                leaks.append(Leak(rel, "path named after non-public case " + what.rsplit(" ", 1)[1]))
        if entry is None:
            continue
        size, mtime_ns = seen.get(rel) or _size_and_time(entry)
        files[rel] = [size, mtime_ns]
        if rel in checked:
            leaks.extend(checked[rel])
        elif passed.get(rel) != files[rel] or mtime_ns > started - RACY_NS:
            to_scan.append(rel)
        elif not new_secrets.empty:
            to_recheck.append(rel)
    jobs = jobs or os.cpu_count() or 1
    work = [(rel, False) for rel in to_scan] + [(rel, True) for rel in to_recheck]

    def scan_part(items):
        return [leak for rel, only in items
                for leak in scan_file(output, rel, new_secrets if only else secrets, only)]

    if jobs > 1 and len(work) >= PARALLEL_MIN_FILES:
        order = {rel: index for index, (rel, _only) in enumerate(work)}
        found = sorted((leak for part in fork_slices(scan_part, work, jobs) for leak in part),
                       key=lambda leak: order[leak.path])
    else:
        found = scan_part(work)
    leaks.extend(found)
    if state_path is not None:
        bad = {leak.path for leak in leaks}
        state = {"output": str(output.resolve()), "detector": secrets.detector_key,
                 "ids": sorted(secrets.ids), "titles": sorted(secrets.titles),
                 "files": {rel: stat for rel, stat in files.items() if rel not in bad}}
        store(state_path, pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL))
    return leaks

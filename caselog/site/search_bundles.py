"""The public search index: a Pagefind bundle per period, written only when its cases changed.

Each period's published cases (by the year, or quarter, they were received) go to Pagefind as
records (search_records.py), not as pages for it to parse, and make one bundle under
output/pagefind/<period>/. The search page searches the newest bundle and merges the others
in the browser (Pagefind's mergeIndex). A bundle is written again only when a digest of what
its records are made from changed: its cases' files and links, the registry, this code and
Pagefind's version. A bundle is written beside the old one and swapped in, so a failed build
never leaves half a bundle. Every record is checked for leaks (personal data, any trace of a
non-public case) before Pagefind sees it: in the bundle its words are cut apart, where a
title could not be recognised.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import CaselogError
from ..i18n import _
from .search_records import LANGUAGE, SearchRecord, search_record

BUNDLES = "pagefind"
STAMP = "caselog-records.txt"  # in each bundle: the digest it was made from
GRANULARITIES = ("year", "quarter")


class SearchIndexError(CaselogError):
    """Pagefind could not index the published cases."""


@dataclass
class SearchReport:
    """What writing the search bundles did."""

    periods: list[str] = field(default_factory=list)  # every bundle, newest first
    written: list[str] = field(default_factory=list)
    records: int = 0
    checked: dict = field(default_factory=dict)  # file written -> leaks found in the records behind it
    seconds: float = 0.0


def period_of(day, granularity: str) -> str:
    """The bundle a case received on `day` belongs to: 2026, or 2026-q3."""
    if granularity == "quarter":
        return f"{day.year}-q{(day.month - 1) // 3 + 1}"
    return str(day.year)


def search_periods(data, granularity: str) -> list[str]:
    """Every period with a published case, newest first (the search page's bundles)."""
    return sorted({period_of(s.received_day, granularity) for s in data.published}, reverse=True)


def _pagefind_version() -> str:
    from importlib.metadata import version

    return version("pagefind")


def _period_digests(data, granularity: str, salt: str) -> dict[str, str]:
    groups: dict[str, list[str]] = {}
    for state in data.published:
        groups.setdefault(period_of(state.received_day, granularity), []).append(
            state.case.id + ":" + data.case_fingerprint(state))
    return {period: hashlib.blake2b("|".join([salt, *sorted(parts)]).encode(),
                                    digest_size=16).hexdigest()
            for period, parts in groups.items()}


def write_search_bundles(data, output: Path, categories: dict[str, str], check: Callable,
                         granularity: str = "year") -> SearchReport:
    """Write the bundle of every period whose cases changed; remove bundles of no period.

    `categories` names each category as the interface does (the category filter's values);
    `check(rel, text)` gives the leaks in a text (scan.scan_written)."""
    if granularity not in GRANULARITIES:
        msg = _("CASELOG_SEARCH_PERIOD must be one of {choices}, not {value!r}").format(
            choices=", ".join(GRANULARITIES), value=granularity)
        raise SearchIndexError(msg)
    started = time.perf_counter()
    root = output / BUNDLES
    # the registry digest covers caselog's own code (cache.code_digest): only Pagefind is added
    salt = "|".join([_pagefind_version(), data.registry_digest, granularity,
                     repr(sorted(categories.items()))])
    digests = _period_digests(data, granularity, salt)
    report = SearchReport(periods=sorted(digests, reverse=True))
    if root.is_dir():
        for entry in root.iterdir():  # bundles of periods with no case now, files of older layouts
            if entry.name not in digests:
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    changed = [p for p in report.periods if _stamp(root / p) != digests[p]]
    if not changed:
        report.seconds = time.perf_counter() - started
        return report
    by_period: dict[str, list] = {p: [] for p in changed}
    for state in data.published:
        period = period_of(state.received_day, granularity)
        if period in by_period:
            by_period[period].append(state)
    for period in changed:
        records = [search_record(data.view(s), categories) for s in by_period[period]]
        entry = f"{BUNDLES}/{period}/pagefind-entry.json"  # a bundle's leaks are named on its entry file
        leaks = [leak for r in records for leak in check(entry, r.text)]
        fresh = root / f".{period}.new"
        shutil.rmtree(fresh, ignore_errors=True)
        with PagefindService() as service:  # one process a bundle: its memory is returned after each
            service.write_bundle(records, fresh)
        (fresh / STAMP).write_text(digests[period] + "\n", encoding="utf-8")
        _swap(fresh, root / period)
        for path in (root / period).rglob("*"):  # made from the checked records only
            if path.is_file():
                report.checked[path.relative_to(output).as_posix()] = []
        report.checked[entry] = leaks
        report.written.append(period)
        report.records += len(records)
    report.seconds = time.perf_counter() - started
    return report


def _stamp(bundle: Path) -> str | None:
    try:
        return (bundle / STAMP).read_text(encoding="utf-8").strip()
    except OSError:
        return None


def _swap(fresh: Path, bundle: Path) -> None:
    old = bundle.with_name(f".{bundle.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if bundle.exists():
        bundle.rename(old)
    fresh.rename(bundle)
    shutil.rmtree(old, ignore_errors=True)


class PagefindService:
    """Pagefind's indexing service (`pagefind --service`), spoken to directly.

    The `pagefind` package's Python client waits a tenth of a second before reading each
    answer, so indexing 10,000 records through it takes over 15 minutes; this client streams
    the records and reads the answers as they come."""

    def __init__(self):
        from pagefind.service import get_executable

        executable = get_executable()
        if executable is None:
            msg = _("Pagefind is not installed (pip install 'pagefind[extended]')")
            raise SearchIndexError(msg)
        self._process = subprocess.Popen([str(executable), "--service"], stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self._next_id = 0
        self._answered = 0  # answers read, of any message: they come in the order sent
        self._kept: set[int] = set()  # messages whose answer is wanted
        self._answers: dict[int, dict] = {}
        self._errors: list[str] = []
        self._arrived = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        if self._process.stdin and not self._process.stdin.closed:
            self._process.stdin.close()
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._reader.join()
        self._process.stdout.close()

    def _read(self) -> None:
        pieces: list[bytes] = []  # of a message not yet ended (a bundle's files come as one)
        stream = self._process.stdout
        while chunk := stream.read1(1 << 20):
            *ended, rest = chunk.split(b",")
            if ended:
                ended[0] = b"".join([*pieces, ended[0]])
                pieces = []
            pieces.append(rest)
            for message in ended:
                answer = json.loads(base64.b64decode(message))
                payload = answer.get("payload", {})
                with self._arrived:
                    if payload.get("type") == "Error":
                        self._errors.append(str(payload.get("message")))
                    if answer.get("message_id") in self._kept:
                        self._answers[answer["message_id"]] = payload
                    self._answered += 1
                    self._arrived.notify_all()
        with self._arrived:
            self._errors.append("Pagefind stopped")
            self._arrived.notify_all()

    def _send(self, payload: dict, keep: bool = True) -> int:
        self._next_id += 1
        if keep:
            with self._arrived:
                self._kept.add(self._next_id)
        message = {"message_id": self._next_id, "payload": payload}
        try:
            self._process.stdin.write(base64.b64encode(json.dumps(message).encode()) + b",")
        except BrokenPipeError:
            self._fail()
        return self._next_id

    def _wait(self, message_id: int) -> dict:
        """The answer to a kept message."""
        self._process.stdin.flush()
        with self._arrived:
            while message_id not in self._answers and not self._errors:
                self._arrived.wait()
            if self._errors:
                self._fail()
            self._kept.discard(message_id)
            return self._answers.pop(message_id)

    def _wait_all(self) -> None:
        """Until every message sent is answered."""
        self._process.stdin.flush()
        with self._arrived:
            while self._answered < self._next_id and not self._errors:
                self._arrived.wait()
            if self._errors:
                self._fail()

    def _fail(self):
        msg = _("Pagefind failed: {reason}").format(reason="; ".join(self._errors[:3]) or _("it stopped"))
        raise SearchIndexError(msg)

    def write_bundle(self, records: list[SearchRecord], bundle: Path) -> None:
        """Index `records` and write them as one bundle into the directory `bundle`."""
        index = self._wait(self._send({"type": "NewIndex", "config": None}))["index_id"]
        for record in records:  # their answers are not needed, only errors (_read keeps those)
            self._send({"type": "AddRecord", "index_id": index, "url": record.url,
                        "content": record.content, "language": LANGUAGE, "meta": record.meta,
                        "filters": record.filters, "sort": None}, keep=False)
        self._wait_all()
        # the files come back to be written here: Pagefind's own WriteFiles answers before its
        # files are all on disk, and a service closed then leaves some of them empty
        files = self._wait(self._send({"type": "GetFiles", "index_id": index}))["files"]
        self._wait(self._send({"type": "DeleteIndex", "index_id": index}))
        for file in files:
            path = bundle / file["path"]
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(base64.b64decode(file["content"]))

"""The public search index: static files the search page reads, a shard per period, each
written only when its cases changed.

Why not Pagefind (measured, docs/benchmarks.md): Pagefind holds its whole index in memory
while it writes it, about 0.5 MB a record (9.8 GB for 30,000 cases), and splitting it into
bundles small enough to fit makes every query fetch every bundle's metadata and filters.
This index needs memory for one shard at a time, and a query fetches, per shard, one small
file for each of its words, plus a file per result shown.

Layout under output/search-index/:

    index.json               the shards, newest first (period, cases, buckets), and the
                             filter values with their names: the page reads it first
    <period>/shard.json      what index.json says of the shard, and the digest it was made from
    <period>/b/<k>.bin       bucket k: the words whose CRC-32 mod the shard's bucket count is k,
                             each with the cases (the shard's numbers, newest first) holding it
                             (a word only in the names a case's page gives, its unit's..., is the
                             word after U+0002, in the bucket of the word: search_records.py)
    <period>/f/<n>.json      case n of the shard: what a result shows, and the text a query is
                             checked against and an excerpt cut from

A period is a year; in a year of more than YEAR_CASES published cases, a quarter; in a year
of more than QUARTER_CASES, a month: a shard stays small enough to be written again in a second or
two when one of its cases changes.

A bucket is a run of entries: the word's length in bytes (one byte) and its UTF-8, the number
of cases holding it (unsigned LEB128), then those cases, either as little-endian numbers of
`width` bytes (2, or 4 in a shard of more than 65,536 cases) or, when that would be longer, as a
bitmap of the shard's cases (bit n of byte n // 8, lowest bit first). search-engine.js reads
them; tests/test_search_index.py checks the two agree.

A shard's digest covers its cases (each case's page fingerprint: its file, linked cases and
commits), the registry and caselog's code (registry digest) and the category names; a shard
is written beside the old one and swapped in, so a failed build never leaves half a shard.
Every record is checked for leaks (personal data, any trace of a non-public case) before it is
written.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import os
import pickle
import shutil
import time
import zlib
from array import array
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy

from ..cache import UNREADABLE, store
from ..errors import CaselogError
from ..i18n import _
from .forking import fork_slices
from .search_records import FACT, FILTER_KEYS, SearchRecord, record_text, search_record
from .views import received_text
from .writer import write_file

INDEX = "search-index"  # beside the search page (search/), not in it
FORMAT = 1  # of the files: a change of layout writes every shard again
BUCKET_BYTES = 4096  # a bucket's size aimed at: what a query fetches per word and shard
MAX_BUCKETS = 1 << 16
YEAR_CASES = 6000  # in a year: past it, a shard a quarter
QUARTER_CASES = 24000  # in a year: past it, a shard a month
GRANULARITIES = ("auto", "year", "quarter", "month")
PARALLEL_MIN = 2000  # records to write before the shards are shared out between processes


class SearchIndexError(CaselogError):
    """The search index could not be written."""


@dataclass
class SearchReport:
    """What writing the search index did."""

    periods: list[str] = field(default_factory=list)  # every shard, newest first
    written: list[str] = field(default_factory=list)
    records: int = 0
    checked: dict = field(default_factory=dict)  # file written -> leaks found in the record behind it
    passed: dict = field(default_factory=dict)  # file written -> digest of its record, if it passed
    seconds: float = 0.0


def _period(day, granularity: str) -> str:
    if granularity == "month":
        return f"{day.year}-{day.month:02d}"
    if granularity == "quarter":
        return f"{day.year}-q{(day.month - 1) // 3 + 1}"
    return str(day.year)


def shard_of(data, granularity: str = "auto") -> dict[str, str]:
    """The shard (period) of every published case, by id."""
    if granularity not in GRANULARITIES:
        msg = _("CASELOG_SEARCH_PERIOD must be one of {choices}, not {value!r}").format(
            choices=", ".join(GRANULARITIES), value=granularity)
        raise SearchIndexError(msg)
    chosen = {}
    if granularity == "auto":
        per_year: dict[int, int] = {}
        for state in data.published:
            per_year[state.received_day.year] = per_year.get(state.received_day.year, 0) + 1
        chosen = {year: "year" if count <= YEAR_CASES else "quarter" if count <= QUARTER_CASES else "month"
                  for year, count in per_year.items()}
    return {s.case.id: _period(s.received_day, chosen.get(s.received_day.year, granularity))
            for s in data.published}


def write_search_index(data, output: Path, categories: dict[str, str], check: Callable,
                       granularity: str = "auto", cache_dir: Path | None = None) -> SearchReport:
    """Write the shards whose cases changed and the index of them all; remove shards of no period.

    `categories` names each category as the interface does; `check(rel, text)` gives the
    leaks in a text (scan.scan_written). `cache_dir` keeps each case's record between builds
    (a file a shard, each record with its case's fingerprint), so that a changed shard makes
    only its changed cases' records again, and the shard's buckets with its digest (written
    again as they were when its cases did not change); every record is checked all the same."""
    started = time.perf_counter()
    root = output / INDEX
    shards = shard_of(data, granularity)
    groups: dict[str, list] = {}
    for state in data.published:
        groups.setdefault(shards[state.case.id], []).append(state)
    salt = "|".join([str(FORMAT), data.registry_digest, repr(sorted(categories.items()))])
    fingerprints = {s.case.id: data.case_fingerprint(s) for s in data.published}
    digests = {period: _digest(salt, period, [s.case.id + ":" + fingerprints[s.case.id] for s in states])
               for period, states in groups.items()}
    report = SearchReport(periods=sorted(groups, reverse=True))
    root.mkdir(parents=True, exist_ok=True)
    for entry in root.iterdir():  # shards of periods with no case now, files of other layouts
        if entry.name not in digests and entry.name != "index.json":
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    changed = [p for p in report.periods if _summary(root / p).get("digest") != digests[p]]
    work = [(period, groups[period], digests[period]) for period in changed]

    def write(items):
        written = []
        for period, states, digest in items:
            cache = cache_dir / f"{period}.pickle" if cache_dir is not None else None
            written.append(_write_shard(data, root, period, states, digest, categories, check,
                                        fingerprints, cache, salt))
        # a check that remembers what passed (TextChecks) hands that back from a forked process
        return written, check.take() if hasattr(check, "take") else {}

    count = sum(len(states) for _, states, _ in work)
    jobs = min(os.cpu_count() or 1, len(work))
    # a shard to a process of its own (what one holds of the log is given back when it ends)
    parts = fork_slices(write, work, jobs, block=1) if jobs > 1 and count >= PARALLEL_MIN else [write(work)]
    done = [w for written, _passed in parts for w in written]
    for _written, passed in parts:
        report.passed.update(passed)
    for period, files, leaks in done:
        report.written.append(period)
        report.records += len(groups[period])
        report.checked.update({rel: [] for rel in files})
        for rel, found in leaks.items():
            report.checked[rel] = found
    index = _index(root, report.periods, data.registry, categories)
    write_file(output, f"{INDEX}/index.json", index)
    report.checked[f"{INDEX}/index.json"] = []
    report.seconds = time.perf_counter() - started
    return report


def _digest(salt: str, period: str, parts: list[str]) -> str:
    return hashlib.blake2b("|".join([salt, period, *sorted(parts)]).encode(), digest_size=16).hexdigest()


def _summary(shard: Path) -> dict:
    try:
        return json.loads((shard / "shard.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _load_cache(cache: Path | None, salt: str) -> dict:
    """A shard's cache: its records by case id and the buckets last made of them (by digest)."""
    if cache is None:
        return {}
    try:
        with cache.open("rb") as handle:
            kept = pickle.load(handle)
        return kept if kept["salt"] == salt else {}
    except UNREADABLE:
        return {}


def _write_shard(data, root: Path, period: str, states: list, digest: str, categories: dict,
                 check: Callable, fingerprints: dict, cache: Path | None,
                 salt: str) -> tuple[str, list[str], dict[str, list]]:
    """Write one shard beside the old and swap it in: (period, files written, leaks by file).

    A case at a time, newest first: its record (kept, when its case's fingerprint is the same;
    made otherwise), checked, its file written, its words added to the shard's postings. Only
    the postings stay in memory, not the records' words. A kept record holds its words as their
    numbers in the shard's words (kept with it); the buckets made of the same records (the
    shard's digest covers them) are kept too: the records are checked and their files written
    all the same, but their words need not be gone through again."""
    kept = _load_cache(cache, salt)
    records = kept.get("records", {})
    # the digest covers every case's fingerprint: the buckets kept are those of these records
    kept_all = kept.get("digest") == digest and _all_kept(records, states, fingerprints)
    buckets = kept["buckets"] if kept_all else None
    fresh = root / f".{period}.new"
    shutil.rmtree(fresh, ignore_errors=True)
    (fresh / "f").mkdir(parents=True)
    (fresh / "b").mkdir()
    leaks: dict[str, list] = {}
    files: list[str] = []
    postings = Postings(kept.get("words", []))
    filters: dict[str, set[str]] = {key: set() for key in FILTER_KEYS}
    entries: dict[str, tuple] = {}
    ordered = sorted(states, key=lambda s: (received_text(s.case), s.case.id), reverse=True)
    folder = os.open(fresh / "f", os.O_RDONLY)
    try:
        for number, state in enumerate(ordered):
            case_id = state.case.id
            entry = records.get(case_id)
            if entry is None or entry[0] != fingerprints[case_id]:
                record = search_record(data.view(state), categories)
                fragment = record.fragment.encode()  # the bytes of its file, kept as they are
                postings.add(record.words)
                entry = (fingerprints[case_id], None, fragment, record.filters)
            elif buckets is None:
                postings.add_numbered(entry[1])
            entries[case_id] = entry
            _fingerprint, _words, fragment, values = entry
            rel = f"{INDEX}/{period}/f/{number}.json"
            found = check(rel, record_text(fragment))
            if found:
                leaks[rel] = found
            _put(folder, f"{number}.json", fragment)
            files.append(rel)
            for key, value in values:
                filters[key].add(value)
    finally:
        os.close(folder)
    made = buckets is None
    if made:
        buckets, words, numbered = postings.encode()
        # each record with its words as their numbers in the shard's words: kept, a record's
        # words need neither be cut again nor looked up when its shard is written again
        entries = {case_id: (fingerprint, ids, fragment, values)
                   for (case_id, (fingerprint, _words, fragment, values)), ids
                   in zip(entries.items(), numbered, strict=True)}
    del postings
    folder = os.open(fresh / "b", os.O_RDONLY)
    try:
        for number, content in enumerate(buckets):
            _put(folder, f"{number}.bin", content)
            files.append(f"{INDEX}/{period}/b/{number}.bin")
    finally:
        os.close(folder)
    summary = {"digest": digest, "period": period, "cases": len(ordered), "buckets": len(buckets),
               "year": int(period[:4]), "filters": {key: sorted(values) for key, values in filters.items()}}
    (fresh / "shard.json").write_text(json.dumps(summary, ensure_ascii=False, sort_keys=True),
                                      encoding="utf-8")
    files.append(f"{INDEX}/{period}/shard.json")
    _swap(fresh, root / period)
    if cache is not None and made:
        kept = {"salt": salt, "records": entries, "words": words, "digest": digest, "buckets": buckets}
        with contextlib.suppress(OSError):  # a cache that cannot be written is only slower next time
            store(cache, pickle.dumps(kept, protocol=pickle.HIGHEST_PROTOCOL))
    return period, files, leaks


def _all_kept(records: dict, states: list, fingerprints: dict) -> bool:
    return len(records) == len(states) and all(
        records.get(s.case.id, ("",))[0] == fingerprints[s.case.id] for s in states)


def _put(folder: int, name: str, content: bytes) -> None:
    """Write a new file in an open folder (a shard's folders are new: nothing to replace)."""
    handle = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666, dir_fd=folder)
    try:
        view = memoryview(content)
        while view:
            view = view[os.write(handle, view):]
    finally:
        os.close(handle)


class Postings:
    """A shard's postings as its cases' words come: each word numbered as first seen (or as the
    record cache numbered it), and the numbers of every case's words in one array (Python does
    one lookup a word, in C; none for a kept record's numbers)."""

    def __init__(self, words: list[str] = ()):
        self.ids: defaultdict[str, int] = defaultdict(itertools.count(len(words)).__next__,
                                                        zip(words, itertools.count()))
        self.words = array("i")  # the ids of case 0's words, then case 1's...
        self.counts = array("i")  # how many words each case has

    def add(self, words: frozenset[str]) -> None:
        """The next case's words (a record's: their hashes are known already)."""
        self.words.extend(map(self.ids.__getitem__, words))
        self.counts.append(len(words))

    def add_numbered(self, ids: bytes) -> None:
        """The next case's words as the numbers of the words this was made with (`encode`'s)."""
        self.words.frombytes(ids)
        self.counts.append(len(ids) // self.words.itemsize)

    def encode(self) -> tuple[list[bytes], list[str], list[bytes]]:
        """The shard's buckets (see the module's docstring); and its words, in order, with each
        case's words as their numbers in them (what `Postings(words).add_numbered` takes)."""
        count = len(self.counts)
        width = 2 if count <= 1 << 16 else 4
        bitmap_bytes = (count + 7) // 8
        keys = sorted(self.ids)
        rank = numpy.empty(len(keys), numpy.int32)  # of each word's id: its place in the sorted words
        first_seen = numpy.fromiter(map(self.ids.__getitem__, keys), numpy.int64, len(keys))
        rank[first_seen] = numpy.arange(len(keys), dtype=numpy.int32)
        ranks = rank[numpy.frombuffer(self.words, numpy.int32)]
        order = numpy.argsort(ranks, kind="stable")  # a word's cases stay in ascending order
        counts = numpy.frombuffer(self.counts, numpy.int32)
        cases = numpy.repeat(numpy.arange(count, dtype="<u2" if width == 2 else "<u4"), counts)[order]
        del order
        packed = cases.tobytes()
        sizes = numpy.bincount(ranks, minlength=len(keys))
        entries: list[tuple[int, bytes]] = []
        total = at = 0
        for word, size in zip(keys, sizes.tolist(), strict=True):
            if not size:  # a word of the cache's no case has now
                continue
            key = word.encode()
            if size * width > bitmap_bytes:
                bits = numpy.zeros(bitmap_bytes * 8, bool)
                bits[cases[at:at + size]] = True
                payload = numpy.packbits(bits, bitorder="little").tobytes()
            else:
                payload = packed[at * width:(at + size) * width]
            at += size
            entry = b"".join([bytes((len(key),)), key, _leb128(size), payload])
            # a word of the facts goes in the bucket of the word: one file gives a query word both
            entries.append((zlib.crc32(key[1:] if word.startswith(FACT) else key), entry))
            total += len(entry)
        buckets = 1
        while total > buckets * BUCKET_BYTES and buckets < MAX_BUCKETS:
            buckets *= 2
        parts: list[list[bytes]] = [[] for _ in range(buckets)]
        for crc, entry in entries:
            parts[crc & (buckets - 1)].append(entry)
        # the words some case has, numbered in order; each case's words as those numbers
        used = sizes > 0
        renumbered = (numpy.cumsum(used, dtype=numpy.int32) - 1)[ranks].astype(numpy.int32).tobytes()
        ends = (numpy.cumsum(counts, dtype=numpy.int64) * 4).tolist()
        numbered = [renumbered[start:end] for start, end in zip([0, *ends[:-1]], ends, strict=True)]
        return ([b"".join(part) for part in parts], list(itertools.compress(keys, used.tolist())), numbered)


def encode_buckets(records: list[SearchRecord]) -> list[bytes]:
    """The buckets of a shard whose cases are `records`, in order (see the module's docstring)."""
    postings = Postings()
    for record in records:
        postings.add(record.words)
    return postings.encode()[0]


def bucket_words(content: bytes, cases: int) -> dict[str, list[int]]:
    """A bucket read back: each word and the numbers of the cases holding it (for the leak scan
    and the tests; the page reads buckets with search-engine.js)."""
    width = 2 if cases <= 1 << 16 else 4
    bitmap_bytes = (cases + 7) // 8
    found, at = {}, 0
    while at < len(content):
        size = content[at]
        word = content[at + 1:at + 1 + size].decode()
        at += 1 + size
        count, shift = 0, 0
        while True:
            byte = content[at]
            at += 1
            count |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                break
        if count * width > bitmap_bytes:
            bits = content[at:at + bitmap_bytes]
            found[word] = [n for n in range(cases) if bits[n >> 3] >> (n & 7) & 1]
            at += bitmap_bytes
        else:
            found[word] = [int.from_bytes(content[i:i + width], "little")
                           for i in range(at, at + count * width, width)]
            at += count * width
    return found


def _leb128(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _index(root: Path, periods: list[str], registry, categories: dict[str, str]) -> str:
    """index.json: the shards, newest first, and every filter value a shard has, named."""
    shards, present = [], {key: set() for key in FILTER_KEYS}
    for period in periods:
        summary = _summary(root / period)
        shards.append({"period": period, "year": summary["year"], "cases": summary["cases"],
                       "buckets": summary["buckets"]})
        for key in FILTER_KEYS:
            present[key].update(summary["filters"].get(key, ()))
    tables = {"unit": {k: u.name for k, u in registry.units.items()},
              "topic": {k: t.name for k, t in registry.topics.items()},
              "channel": {k: c.name for k, c in registry.channels.items()},
              "category": categories}
    filters = {key: [[value, tables[key].get(value, value)] for value in tables[key] if value in present[key]]
               + [[value, value] for value in sorted(present[key] - set(tables[key]))]
               for key in FILTER_KEYS}
    filters["year"] = sorted({s["year"] for s in shards}, reverse=True)
    return json.dumps({"format": FORMAT, "shards": shards, "filters": filters},
                      ensure_ascii=False, separators=(",", ":"))


def _swap(fresh: Path, shard: Path) -> None:
    old = shard.with_name(f".{shard.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if shard.exists():
        shard.rename(old)
    fresh.rename(shard)
    shutil.rmtree(old, ignore_errors=True)

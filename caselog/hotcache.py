"""Hot issues of each period kept under .caselog/hot/, so a build in which no message of a
period's window changed does not weigh and group them again.

A period's file holds its groups as case ids, with what a label of any subset of them needs
(each member's key terms and place), under a key: a digest of every input the groups depend
on. For each message received in the period's vocabulary window (which holds the period):
its id, the day it was received, its title, the first MESSAGE_CHARS characters of its
message, its area and its author's alias; then the span, the ids of the period's cases, the
analyzer's version and caselog's code. A reply, a status or whether a case is public changes
none of them: what a group shows of its members is decided by the caller at each build.
"""

from __future__ import annotations

import contextlib
import hashlib
import pickle
from collections.abc import Iterable
from datetime import date, timedelta
from pathlib import Path

from .cache import UNREADABLE, code_digest, store
from .derive import CaseState
from .hotissues import CORPUS_DAYS, MESSAGE_CHARS, HotIssue, analyzer_version, hot_issues, vocabularies
from .schema import Case

FORMAT = 1
Span = tuple[date, date]


def cached_hot_issues(cases: Iterable[Case], spans: dict[Span, list[CaseState]],
                      root: Path | None) -> dict[Span, list[HotIssue]]:
    """`hot_issues` of each (start, end) span's states, weighed by the vocabulary of `cases`
    (see `vocabularies`); with `root`, read from .caselog/hot/ when nothing they depend on
    changed, and kept there when grouped anew."""
    cases = list(cases)
    if not spans:
        return {}
    if root is None:
        words = vocabularies(cases, list(spans), None)
        return {span: hot_issues(states, words[span]) for span, states in spans.items()}
    folder = root / ".caselog" / "hot"
    keys = _keys(cases, spans)
    found: dict[Span, list[HotIssue]] = {}
    for span, states in spans.items():
        issues = _read(folder / f"{span[0]:%Y-%m-%d}.hot", keys[span], states)
        if issues is not None:
            found[span] = issues
    missing = [span for span in spans if span not in found]
    if missing:
        words = vocabularies(cases, missing, root)
        for span in missing:
            found[span] = hot_issues(spans[span], words[span])
            _write(folder / f"{span[0]:%Y-%m-%d}.hot", keys[span], found[span])
    _forget_before(folder, min(start for start, _end in spans))
    return {span: found[span] for span in spans}


def _forget_before(folder: Path, start: date) -> None:
    """Remove the kept groups of periods that begin before `start` (no longer shown)."""
    with contextlib.suppress(OSError):
        for path in folder.glob("*.hot"):
            if path.stem < f"{start:%Y-%m-%d}":
                path.unlink()


def _case_digest(case: Case, day: date) -> bytes:
    """A digest of what grouping reads of a message (its words are cut from title and message)."""
    text = "\0".join((case.id, day.isoformat(), case.title, case.message[:MESSAGE_CHARS], case.area or "",
                      case.author.alias))
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


def _keys(cases: list[Case], spans: dict[Span, list[CaseState]]) -> dict[Span, str]:
    """Each span's key: the digest of every message of its vocabulary window and of its states."""
    windows = {span: min(span[0], span[1] - timedelta(days=CORPUS_DAYS - 1)) for span in spans}
    first, last = min(windows.values()), max(end for _start, end in spans)
    received = sorted(((case.id, day, case) for case in cases if first <= (day := case.received_day) <= last),
                      key=lambda entry: entry[0])
    digests = {case_id: _case_digest(case, day) for case_id, day, case in received}
    same = {case_id: case for case_id, _day, case in received}
    version = f"{FORMAT}|{code_digest()}|{analyzer_version()}|{CORPUS_DAYS}"
    keys = {}
    for span, states in spans.items():
        since, end = windows[span], span[1]
        digest = hashlib.blake2b(f"{version}|{span[0]}|{span[1]}".encode(), digest_size=16)
        for case_id, day, _case in received:
            if since <= day <= end:
                digest.update(digests[case_id])
        digest.update(b"|members")  # the period's own cases, as hot_issues reads them
        for s in sorted((s for s in states if s.case is not None), key=lambda s: s.id):
            known = same.get(s.id) is s.case  # the state's case is the window's (in a site, always)
            digest.update(digests[s.id] if known else _case_digest(s.case, s.case.received_day))
        keys[span] = digest.hexdigest()
    return keys


def _read(path: Path, key: str, states: list[CaseState]) -> list[HotIssue] | None:
    """The groups kept in `path` under `key`, with the states as members; None if there are
    none, they were kept under another key, or the file is damaged."""
    try:
        with path.open("rb") as handle:
            kept = pickle.load(handle)
        if kept["key"] != key:
            return None
        by_id = {s.id: s for s in states}
        return [HotIssue(place, tuple(terms), tuple(by_id[i] for i in ids), authors, tuple(member_terms),
                         tuple(member_places))
                for ids, place, terms, authors, member_terms, member_places in kept["issues"]]
    except UNREADABLE:
        return None


def _write(path: Path, key: str, issues: list[HotIssue]) -> None:
    """Keep a span's groups (ids, not states: a state changes with every reply)."""
    kept = [(tuple(m.id for m in h.members), h.place, h.terms, h.authors, h.member_terms, h.member_places)
            for h in issues]
    with contextlib.suppress(OSError):  # a read-only checkout: no cache
        store(path, pickle.dumps({"key": key, "issues": kept}, protocol=pickle.HIGHEST_PROTOCOL))

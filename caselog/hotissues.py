"""Hot issues (热点问题): groups of messages of one period about the same problem in the same place.

How a group is formed (docs/hot-issues.md says the same for readers):

- Each message's **key terms** are the words of its title and the first MESSAGE_CHARS
  characters of its message, cut by the staff
  search's analyzer (jieba, stop words and single characters dropped), weighted by
  tf·idf over the messages of the period and of the CORPUS_DAYS days up to its end (a
  word every message uses weighs nothing), without the words of its own place, and the
  KEY_TERMS weightiest kept.
- Two messages say **the same thing** when the key terms each shares with the other
  carry at least LINK_OVERLAP of its own key-term weight (both ways: the staff search's
  `overlap`, taken from each side) and they share at least MIN_SHARED terms.
- Each message's **place** is its `area` cut into place names at their suffixes
  (青溪街道湖滨社区 -> 青溪街道 / 湖滨社区), without the county or city above them. Two
  places are **the same place** when one is the other or lies within it (青溪街道 and
  青溪街道湖滨社区, not 湖滨社区 and 建新社区). A message without an area is placed by the
  longest area of another message that its title names; one that names none is not grouped.
- Messages linked both ways are chained into groups; a group needs at least MIN_AUTHORS
  distinct authors (one person writing twice is a repeat, not a hot issue).
- Groups are ranked by distinct authors, then size, then the latest message, newest first.

Non-public cases count in a group like any other; only callers decide what is shown. Hot
issues never rank units.
"""

from __future__ import annotations

import hashlib
import math
import re
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from importlib import resources
from pathlib import Path

from .derive import CaseState
from .schema import Case

CORPUS_DAYS = 180
MESSAGE_CHARS = 400  # the problem is stated early; the rest of a long message costs more to cut than it adds
KEY_TERMS = 20
LINK_OVERLAP = 0.2
MIN_SHARED = 3
MIN_AUTHORS = 2
LABEL_TERMS = 4

_PLACE_PART = re.compile(r"[^\s，。、,.;；]{2,}?(?:省|市|县|区|镇|乡|街道|社区|村|小区|大道|路|街|巷|苑|园|"
                         r"广场|学校|小学|中学|幼儿园|医院|卫生院|市场|河|湖|段|站|城|通道|中心)(?:小区|社区)?")
_ABOVE_TOWN = ("省", "市", "县")
_TAIL = ("小区", "社区", "片区")  # a rest that names the same place more fully (金桂苑 + 小区)
_NEAR = re.compile(r"(周边|附近|一带|周围)$")


@dataclass(frozen=True)
class HotIssue:
    """A group of messages about one problem in one place."""

    place: str  # the place all members share ("" when no place is common beyond the county)
    terms: tuple[str, ...]  # the key terms most members share, weightiest first
    members: tuple[CaseState, ...]  # in order of receipt
    authors: int  # distinct author aliases
    member_terms: tuple[dict[str, float], ...]  # each member's key terms (for a label of a subset)
    member_places: tuple[tuple[str, ...], ...]  # each member's place

    def label_of(self, ids: set[str]) -> tuple[str, tuple[str, ...]]:
        """The place and terms of the members in `ids` only (what a subset may show)."""
        chosen = [i for i, m in enumerate(self.members) if m.id in ids]
        return (common_place([self.member_places[i] for i in chosen]),
                label_terms([self.member_terms[i] for i in chosen]))

    @property
    def size(self) -> int:
        """How many messages."""
        return len(self.members)

    @property
    def first(self) -> date:
        """The day the first member was received."""
        return self.members[0].received_day

    @property
    def last(self) -> date:
        """The day the latest member was received."""
        return self.members[-1].received_day

    @property
    def span_days(self) -> int:
        """Days from the first message to the latest, both counted."""
        return (self.last - self.first).days + 1


def place_parts(area: str | None) -> tuple[str, ...]:
    """An area cut into place names, broadest first, without the county, city or province."""
    if not area:
        return ()
    parts: list[str] = []
    text = _NEAR.sub("", re.sub(r"\s+", "", area))
    position = 0
    for match in _PLACE_PART.finditer(text):
        parts.append(match.group(0))
        position = match.end()
    rest = text[position:]
    if rest:
        if parts and (rest in _TAIL or len(rest) < 2):
            parts[-1] += rest
        else:
            parts.append(rest)
    while parts and parts[0].endswith(_ABOVE_TOWN):
        parts.pop(0)
    return tuple(parts)


def same_place(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """One place is the other or lies within it (neither may be unknown)."""
    if not a or not b:
        return False
    shorter = min(len(a), len(b))
    return a[:shorter] == b[:shorter]


def words_of(text: str) -> list[str]:
    """The words of a text as the staff search cuts a query."""
    from .search.analyzer import query_words

    return query_words(text)


def _text(case: Case) -> str:
    return f"{case.title}\n{case.message[:MESSAGE_CHARS]}"


def key_terms(words: list[str], document_frequency: Counter, documents: int,
              place: str = "") -> dict[str, float]:
    """The KEY_TERMS weightiest words by tf·idf, with weights summing to 1; words of the
    message's own place are left out (the place is compared on its own)."""
    counts = Counter(w for w in words if w not in place)
    weights = {w: n * math.log(documents / document_frequency[w]) for w, n in counts.items()
               if document_frequency[w]}
    top = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:KEY_TERMS]
    total = sum(w for _, w in top)
    return {word: weight / total for word, weight in top if weight > 0} if total else {}


def _linked(a: dict[str, float], b: dict[str, float]) -> bool:
    shared = a.keys() & b.keys()
    if len(shared) < MIN_SHARED:
        return False
    return min(sum(a[w] for w in shared), sum(b[w] for w in shared)) >= LINK_OVERLAP


def _places(states: list[CaseState]) -> dict[str, tuple[str, ...]]:
    """Each case's place: its area's, or the longest other area its title names."""
    places = {s.id: place_parts(s.case.area) for s in states}
    known = sorted({s.case.area for s in states if s.case.area}, key=len, reverse=True)
    for s in states:
        if not places[s.id]:
            named = next((area for area in known if area in s.case.title), None)
            places[s.id] = place_parts(named)
    return places


@dataclass(frozen=True)
class Vocabulary:
    """How many of the corpus's messages use each word (what weighs the words), and each
    message's words."""

    document_frequency: Counter
    documents: int
    words: dict[str, list[str]]  # case id -> words

    def words_of_case(self, case: Case) -> list[str]:
        """The words of a case's title and message."""
        found = self.words.get(case.id)
        return found if found is not None else words_of(_text(case))


def vocabulary(cases: Iterable[Case], start: date, end: date, root: Path | None = None) -> Vocabulary:
    """The vocabulary of the cases received from `start` to `end`, or in the CORPUS_DAYS days
    up to `end` if that is longer.

    With `root`, each message's words are kept in the case log's cache (.caselog/), keyed
    by the message's text and the analyzer: cutting costs a few milliseconds a message."""
    return vocabularies(cases, [(start, end)], root)[(start, end)]


def vocabularies(cases: Iterable[Case], spans: list[tuple[date, date]],
                 root: Path | None = None) -> dict[tuple[date, date], Vocabulary]:
    """`vocabulary` for each of several (start, end) spans, each message cut (or read) once."""
    windows = {(start, end): min(start, end - timedelta(days=CORPUS_DAYS - 1)) for start, end in spans}
    first, last = min(windows.values()), max(end for _start, end in spans)
    chosen = [case for case in cases if first <= case.received_day <= last]
    words = _cached_words(root, chosen) if root is not None else \
        {case.id: words_of(_text(case)) for case in chosen}
    found = {}
    for (start, end), since in windows.items():
        frequency: Counter = Counter()
        inside = {case.id: words[case.id] for case in chosen if since <= case.received_day <= end}
        for case_words in inside.values():
            frequency.update(set(case_words))
        found[(start, end)] = Vocabulary(frequency, len(inside), inside)
    return found


@cache
def analyzer_version() -> str:
    """A digest of what cutting depends on: the analyzer's code, its word lists, jieba."""
    from .search.analyzer import segmenter_version

    digest = hashlib.blake2b(segmenter_version().encode(), digest_size=8)
    folder = resources.files("caselog.search")
    for name in ("analyzer.py", "words-zh.txt", "stopwords-zh.txt"):
        digest.update((folder / name).read_bytes())
    return digest.hexdigest()


def _cached_words(root: Path, cases: list[Case]) -> dict[str, list[str]]:
    """Each case's words, from the cache's `words` shard of its month when its text is the same."""
    from .cache import CaseCache, cache_key, paused_gc

    store = CaseCache(root, cache_key(root))
    version = analyzer_version()
    by_month: dict[str, list[Case]] = defaultdict(list)
    for case in cases:
        by_month[f"{case.received_day:%Y-%m}"].append(case)
    words: dict[str, list[str]] = {}
    try:
        for month, group in by_month.items():
            with paused_gc():  # unpickling many small lists
                shard = store.read(month, "words")
            changed = False
            for case in group:
                text = _text(case)
                key = (version, hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest())
                entry = shard.get(case.id)
                if entry is None or entry[0] != key:
                    entry = shard[case.id] = (key, words_of(text))
                    changed = True
                words[case.id] = entry[1]
            if changed:
                store.write(month, "words", shard)
    finally:
        store.close()
    return words


def hot_issues(states: Iterable[CaseState], vocabulary: Vocabulary) -> list[HotIssue]:
    """The hot issues among `states` (the cases of a period, with their Case), ranked; the
    vocabulary weighs the words."""
    chosen = sorted((s for s in states if s.case is not None), key=lambda s: (s.case.received_day, s.id))
    document_frequency, documents = vocabulary.document_frequency, max(vocabulary.documents, 1)
    terms = {}
    for s in chosen:
        terms[s.id] = key_terms(vocabulary.words_of_case(s.case), document_frequency, documents,
                                s.case.area or "")
    places = _places(chosen)
    parent = {s.id: s.id for s in chosen}

    def root(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    # a link is symmetric and groups are its chains, so each pair is looked at once (the later
    # message from the earlier); only messages with a place in the same broadest place can be
    # the same place (same_place), and only those sharing MIN_SHARED key terms linked (_linked)
    by_term: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, s in enumerate(chosen):
        if places[s.id]:
            for word in terms[s.id]:
                by_term[places[s.id][0], word].append(i)
    for i, s in enumerate(chosen):
        if not places[s.id]:
            continue
        postings = [by_term[places[s.id][0], word] for word in terms[s.id]]
        shared = Counter(j for found in postings for j in found[bisect_right(found, i):])
        for j in sorted(j for j, count in shared.items() if count >= MIN_SHARED):
            other = chosen[j].id
            if root(other) == root(s.id):
                continue
            if same_place(places[s.id], places[other]) and _linked(terms[s.id], terms[other]):
                parent[root(other)] = root(s.id)
    groups: dict[str, list[CaseState]] = defaultdict(list)
    for s in chosen:
        groups[root(s.id)].append(s)
    issues = []
    for members in groups.values():
        authors = len({m.case.author.alias for m in members})
        if len(members) < 2 or authors < MIN_AUTHORS:
            continue
        issues.append(HotIssue(common_place([places[m.id] for m in members]),
                               label_terms([terms[m.id] for m in members]), tuple(members), authors,
                               tuple(terms[m.id] for m in members), tuple(places[m.id] for m in members)))
    issues.sort(key=lambda h: (-h.authors, -h.size, -h.last.toordinal(), h.members[0].id))
    return issues


def common_place(places: list[tuple[str, ...]]) -> str:
    """The place all of `places` lie in, as one name (the longest shared beginning)."""
    shared: list[str] = []
    for parts in zip(*places, strict=False):
        if len(set(parts)) != 1:
            break
        shared.append(parts[0])
    return "".join(shared)


def label_terms(member_terms: list[dict[str, float]]) -> tuple[str, ...]:
    """The terms at least half the members have, by their summed weight, LABEL_TERMS at most."""
    weight: Counter = Counter()
    holders: Counter = Counter()
    for terms in member_terms:
        weight.update(terms)
        holders.update(terms.keys())
    half = len(member_terms) / 2
    common = [w for w in weight if holders[w] >= half]
    return tuple(sorted(common, key=lambda w: (-weight[w], w))[:LABEL_TERMS])

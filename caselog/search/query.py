"""Searching the staff index: whoosh's query language over the case text, filters, and
highlighted snippets.

Words are ANDed (电梯 维修资金 finds cases with both); OR, NOT, quoted phrases
("电梯 停运"), fields (title:电梯, unit:housing-bureau, topics:housing, status:closed,
category:complaint, area:建新, received:2026-03) and ranges work as in whoosh. When no
case holds every word of a query of plain words, the search falls back to any word and says
so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time

from whoosh import highlight
from whoosh.analysis import Token, Tokenizer
from whoosh.idsets import DocIdSet
from whoosh.qparser import OrGroup, QueryParser
from whoosh.qparser.dateparse import DateParserPlugin
from whoosh.query import And, AndMaybe, AndNot, ConstantScoreQuery, Not, NullQuery, Or, Term
from whoosh.util.times import datetime_to_long

from ..errors import CaselogError, LoadError
from ..i18n import _
from ..registry import Registry
from ..schema import type_case, unknown
from ..yamlsafe import load_file
from .analyzer import FULLWIDTH, chinese_analyzer
from .index import case_body, open_index

TEXT_FIELDS = ("title", "body", "area")
TITLE_BOOST = 2.0
SNIPPET_WINDOW = 80  # characters of context each side of the first hits
MARK = "【{}】"


class SearchError(CaselogError):
    """A query or filter cannot be used."""


@dataclass(frozen=True)
class Filters:
    """Restrictions on the cases a search may return."""

    unit: str | None = None
    topic: str | None = None
    status: str | None = None
    since: date | None = None
    until: date | None = None

    def check(self, registry: Registry) -> None:
        """Raise SearchError for an unknown unit or topic, or an empty date range."""
        for what, value, table in (("unit", self.unit, registry.units),
                                   ("topic", self.topic, registry.topics)):
            if value is not None and value not in table:
                msg = unknown(what, value, table)
                raise SearchError(msg)
        if self.since and self.until and self.since > self.until:
            msg = _("--from {since} is after --to {until}").format(since=self.since, until=self.until)
            raise SearchError(msg)

    def terms(self):
        """The unit, topic and status filters as one whoosh query, or None."""
        parts = [Term(field, value) for field, value in
                 (("unit", self.unit), ("topics", self.topic), ("status", self.status)) if value]
        return And(parts) if len(parts) > 1 else (parts[0] if parts else None)

    def window(self, reader):
        """The date filter as a set of documents for whoosh, or None."""
        if not (self.since or self.until):
            return None
        return ReceivedWindow(reader, datetime.combine(self.since, time.min) if self.since else None,
                              datetime.combine(self.until, time.max) if self.until else None)


class ReceivedWindow(DocIdSet):
    """The documents received between two moments (inclusive; None is open-ended).

    Membership is read from the `received` column for the documents a query matches,
    which at 100,000 cases is several times faster than whoosh's DateRange filter (that
    one first collects every document in the range).
    """

    def __init__(self, reader, since: datetime | None, until: datetime | None):
        self.column = reader.column_reader("received", translate=False)
        self.low = datetime_to_long(since) if since else -(2 ** 63)
        self.high = datetime_to_long(until) if until else 2 ** 63 - 1

    def __bool__(self) -> bool:
        return True

    def __contains__(self, docnum) -> bool:
        return self.low <= self.column[docnum] <= self.high

    def __iter__(self):
        return (docnum for docnum in range(len(self.column)) if docnum in self)


@dataclass(frozen=True)
class SearchHit:
    """One case found, with the text around its hits."""

    id: str
    title: str
    score: float
    unit: str
    status: str
    received: str
    topics: tuple[str, ...]
    public: bool
    snippet: str

    def as_json(self) -> dict:
        """The hit as a JSON row."""
        return {"id": self.id, "title": self.title, "score": round(self.score, 3), "unit": self.unit,
                "status": self.status, "received": self.received, "topics": list(self.topics),
                "public": self.public, "snippet": self.snippet}


@dataclass(frozen=True)
class SearchResults:
    """The best hits, how many cases matched in all, and whether the query was loosened to OR."""

    hits: list[SearchHit]
    total: int
    loose: bool = False


class BracketFormatter(highlight.Formatter):
    """Marks hits for the terminal: ……多部【电梯】停运……"""

    between = " … "

    def format_token(self, text, token, replace=False):
        """One matched word in brackets."""
        return MARK.format(highlight.get_text(text, token, replace))


class CaseSearcher:
    """An open index and searcher, reused across queries (open once, search many times)."""

    def __init__(self, root):
        self.root = root
        self.index = open_index(root)
        self.searcher = self.index.searcher()
        self.parser = self._parser()
        self.analyzer = chinese_analyzer()  # more-like-this cuts texts with it
        self.fragmenter = highlight.ContextFragmenter(maxchars=120, surround=30)
        self.formatter = BracketFormatter()

    def _parser(self, group=None):
        options = {"group": group} if group else {}
        parser = QueryParser("body", self.index.schema, **options)
        parser.add_plugin(DateParserPlugin(free=False))
        return parser

    def close(self) -> None:
        """Release the index files."""
        self.searcher.close()
        self.index.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def parse(self, text: str, loose: bool = False):
        """The whoosh query for a query string; raise SearchError if nothing in it is searchable."""
        parser = self._parser(OrGroup) if loose else self.parser
        query = parser.parse(text)
        if query is NullQuery or not list(query.leaves()):
            msg = _("nothing to search for in '{text}': stop words and single characters "
                    "are not indexed (see docs/search.md)").format(text=text)
            raise SearchError(msg)
        return query

    def search(self, text: str, filters: Filters = Filters(), limit: int = 20,
               snippets: bool = True) -> SearchResults:
        """The best `limit` cases for a query string, best first."""
        query = self.parse(text)
        results = self._run(query, filters, limit)
        loose = False
        leaves = list(query.leaves())
        plain = all(isinstance(leaf, Term) and leaf.fieldname == "body" for leaf in leaves)
        if results.is_empty() and plain and len(leaves) > 1 and isinstance(query, And):
            loose = True
            query = self.parse(text, loose=True)
            results = self._run(query, filters, limit)
        words = _query_words(query, self.searcher.reader())
        hits = [self._hit(hit, words if snippets else None) for hit in results]
        return SearchResults(hits, results.estimated_length(), loose)

    def _run(self, query, filters: Filters, limit: int):
        # Words are matched in the body (which holds the title and the place too); a word
        # also in the title adds to the score. At 100k cases this is faster than OR-ing
        # every word over three fields (MultifieldParser): p95 77 ms against 126 ms.
        boost = [Term("title", word, boost=TITLE_BOOST) for word in _positive_words(query)]
        if boost:
            query = AndMaybe(query, Or(boost))
        # Term filters join the query (the intersection skips through the longer list);
        # they add nothing to the score.
        terms = filters.terms()
        if terms is not None:
            query = And([query, ConstantScoreQuery(terms, 0.0)])
        return self.searcher.search(query, limit=limit, filter=filters.window(self.searcher.reader()))

    def _hit(self, hit, words) -> SearchHit:
        fields = hit.fields()
        received = fields["received"]
        return SearchHit(
            id=fields["id"], title=fields["title"], score=hit.score, unit=fields.get("unit", ""),
            status=fields.get("status", ""),
            received=received.strftime("%Y-%m-%d %H:%M") if isinstance(received, datetime) else "",
            topics=tuple(fields.get("topics", "").split()), public=bool(fields.get("public")),
            snippet=self.snippet(fields["path"], words) if words is not None else "")

    def snippet(self, rel: str, words: set[str]) -> str:
        """The case's text around the first hits of `words`, hits marked 【】."""
        text = case_text(self.root, rel)
        if not text:
            return ""
        window = _window(text, words)
        marked = highlight.highlight(window, words, WordFinder(words), self.fragmenter, self.formatter,
                                     top=2)
        return marked or _shorten(text, 2 * SNIPPET_WINDOW)


class WordFinder(Tokenizer):
    """Finds the searched words in a snippet's text as tokens for whoosh's highlighter.

    Re-cutting the text with jieba would find the same places (the words were indexed with
    the parts of long words) at about 1.5 ms a hit, a third of a query's time at 20 hits.
    """

    def __init__(self, words):
        self.words = sorted(words, key=len, reverse=True)

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        folded = value.translate(FULLWIDTH)
        lowered = folded.lower()
        if len(lowered) != len(folded):  # a rare character whose lowercase is longer
            lowered = folded
        found = sorted((start, -len(word), word) for word in self.words if word
                       for start in _occurrences(lowered, word))
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        token.boost, token.stopped = 1.0, False
        spans, end = [], 0
        for start, size, word in found:
            if start >= end:  # not inside a longer word already found
                spans.append((start, start - size, word))
                end = start - size
        spans.append((len(value), len(value), None))
        at = 0
        for start, stop, word in spans:
            # the characters between hits are tokens too: the fragmenter takes its context from them
            for offset in range(at, start):
                token.text, token.pos = value[offset], offset
                token.startchar, token.endchar = start_char + offset, start_char + offset + 1
                yield token
            if word is not None:
                token.text, token.pos = word, start
                token.startchar, token.endchar = start_char + start, start_char + stop
                yield token
            at = stop


def _occurrences(text: str, word: str):
    start = text.find(word)
    while start >= 0:
        yield start
        start = text.find(word, start + len(word))


def _positive_words(query):
    """The body words a query asks for (not those under NOT), in order, once each."""
    words = []

    def walk(node):
        if isinstance(node, Not):
            return
        if isinstance(node, AndNot):
            walk(node.a)
        elif isinstance(node, Term):
            if node.fieldname == "body" and node.text not in words:
                words.append(node.text)
        elif not node.is_leaf():
            for child in node.children():
                walk(child)

    walk(query)
    return words


def _query_words(query, reader) -> set[str]:
    """The words a query looks for in the text fields, wildcards expanded (whoosh's own
    `existing_terms` stops after the first field when given several)."""
    words = set()
    for leaf in query.leaves():
        for field, value in leaf.expanded_terms(reader, phrases=True):
            if field in TEXT_FIELDS:
                words.add(value.decode("utf-8") if isinstance(value, bytes) else str(value))
    return words


def case_text(root, rel: str) -> str:
    """The searchable body of a case file on one line ('' if the file is gone or unusable)."""
    try:
        case, _problems = type_case(load_file(root / rel, rel))
    except (LoadError, OSError):
        return ""
    return " ".join(case_body(case).split()) if case is not None else ""


def _window(text: str, words: set[str]) -> str:
    """The parts of `text` around the first occurrences of the words (highlighting cost grows
    with the text, so only these parts are re-analysed)."""
    lowered = text.lower()
    starts = sorted(i for i in (lowered.find(w) for w in words if w) if i >= 0)[:2]
    if not starts:
        return text[:2 * SNIPPET_WINDOW]
    spans: list[list[int]] = []
    for start in starts:
        low, high = max(0, start - SNIPPET_WINDOW), start + SNIPPET_WINDOW
        if spans and low <= spans[-1][1]:
            spans[-1][1] = high
        else:
            spans.append([low, high])
    return " … ".join(text[low:high] for low, high in spans)


def _shorten(text: str, size: int) -> str:
    return text if len(text) <= size else re.sub(r"\s+\S*$", "", text[:size]) + "…"


def search(root, text: str, filters: Filters = Filters(), limit: int = 20) -> SearchResults:
    """Search the index of the case log at `root` once."""
    with CaseSearcher(root) as searcher:
        return searcher.search(text, filters, limit)

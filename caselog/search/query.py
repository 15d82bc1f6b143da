"""Searching the staff index: the query language (parse.py) over the case text, filters,
and highlighted snippets (snippet.py).

When no case holds every word of a query of plain words, the search falls back to any
word and says so. Hits are ranked by tantivy's BM25 over the body (which holds the title
and the place too), a word also in the title adding to the score; equal scores are
ordered by case id, so that the order never depends on where a case sits in the index.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from ..i18n import _
from ..registry import Registry
from ..schema import unknown
from .index import open_index
from .parse import SearchError, is_plain, leaves, parse, positive_words, to_query
from .snippet import snippet

TEXT_FIELDS = ("title", "body", "area")
TITLE_BOOST = 2.0
PREFIX_WORDS = 50  # words a trailing * may mark in a snippet

__all__ = ["CaseSearcher", "Filters", "SearchError", "SearchHit", "SearchResults", "search"]


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

    def queries(self, schema) -> list:
        """The filters as tantivy queries that add nothing to the score."""
        import tantivy

        Query = tantivy.Query
        found = [Query.term_query(schema, field, value) for field, value in
                 (("unit", self.unit), ("topics", self.topic), ("status", self.status)) if value]
        if self.since or self.until:
            since = datetime.combine(self.since, time.min) if self.since else None
            until = datetime.combine(self.until, time.max) if self.until else None
            found.append(received_window(schema, since, until))
        return [Query.const_score_query(query, 0.0) for query in found]


def received_window(schema, since: datetime | None, until: datetime | None):
    """The cases received between two moments (inclusive; None is open-ended)."""
    import tantivy

    return tantivy.Query.range_query(schema, "received", tantivy.FieldType.Date, since, until)


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


class CaseSearcher:
    """An open index and searcher, reused across queries (open once, search many times)."""

    def __init__(self, root):
        self.root = root
        self.index = open_index(root)
        self.schema = self.index.schema
        self.searcher = self.index.searcher()

    def close(self) -> None:
        """Release the index (tantivy closes its files when the objects go)."""
        self.searcher = self.index = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def search(self, text: str, filters: Filters = Filters(), limit: int = 20,
               snippets: bool = True) -> SearchResults:
        """The best `limit` cases for a query string, best first."""
        tree = parse(text)
        found, total = self._run(tree, filters, limit)
        loose = False
        if not found and is_plain(tree):
            loose = True
            tree = parse(text, loose=True)
            found, total = self._run(tree, filters, limit)
        words = self._marked_words(tree) if snippets else None
        hits = [self._hit(score, doc, words) for score, doc in found]
        return SearchResults(hits, total, loose)

    def _run(self, tree, filters: Filters, limit: int):
        import tantivy

        Query, Occur = tantivy.Query, tantivy.Occur
        query = to_query(tree, self.schema)
        # Words are matched in the body (which holds the title and the place too); a word
        # also in the title adds to the score.
        boost = [Query.boost_query(Query.term_query(self.schema, "title", word), TITLE_BOOST)
                 for word in positive_words(tree)]
        clauses = [(Occur.Must, query)]
        if boost:
            clauses.append((Occur.Should, Query.boolean_query([(Occur.Should, q) for q in boost])))
        clauses += [(Occur.Must, q) for q in filters.queries(self.schema)]
        return self.top(Query.boolean_query(clauses), limit)

    def top(self, query, limit: int) -> tuple[list[tuple[float, object]], int]:
        """The best `limit` (score, stored document) of a query, equal scores by case id, and
        how many documents match."""
        fetch = limit + 8
        while True:
            result = self.searcher.search(query, fetch, count=True)
            hits = result.hits
            # more hits may tie with the last one kept: fetch until the tie is all in
            if len(hits) < fetch or hits[-1][0] < hits[limit - 1][0] or fetch >= result.count:
                break
            fetch = result.count
        order = self.searcher.fast_field_values("id_order", [address for _score, address in hits])
        best = sorted(zip(hits, order, strict=True), key=lambda item: (-item[0][0], item[1]))[:limit]
        return [(score, self.searcher.doc(address)) for (score, address), _order in best], result.count

    def _marked_words(self, tree) -> set[str]:
        """The words a query looks for in the text fields, word beginnings expanded."""
        words = set()
        for leaf in leaves(tree):
            if leaf[0] == "term" and leaf[1] in TEXT_FIELDS:
                words.add(leaf[2])
            elif leaf[0] == "phrase" and leaf[1] in TEXT_FIELDS:
                words.update(leaf[2])
            elif leaf[0] == "prefix" and leaf[1] in TEXT_FIELDS:
                words.update(term for term, _count in
                             self.searcher.terms_with_prefix(leaf[1], leaf[2], limit=PREFIX_WORDS))
        return words

    def _hit(self, score: float, doc, words) -> SearchHit:
        received = doc.get_first("received")
        return SearchHit(
            id=doc.get_first("id"), title=doc.get_first("title_text"), score=score,
            unit=doc.get_first("unit") or "", status=doc.get_first("status") or "",
            received=received.strftime("%Y-%m-%d %H:%M") if isinstance(received, datetime) else "",
            topics=tuple(doc.get_all("topics")), public=bool(doc.get_first("public")),
            snippet=snippet(doc.get_first("text").decode("utf-8"), words) if words is not None else "")


def search(root, text: str, filters: Filters = Filters(), limit: int = 20) -> SearchResults:
    """Search the index of the case log at `root` once."""
    with CaseSearcher(root) as searcher:
        return searcher.search(text, filters, limit)

"""The staff query language, read into tantivy queries.

Words are ANDed (电梯 维修资金 finds cases with both); OR, NOT (or a leading -),
parentheses, quoted phrases ("电梯 停运"), a trailing * for word beginnings
(拖欠*), and fields: title:, body:, area: (words, cut as the index cuts them),
unit:, topics:, status:, category:, channel:, id: (exact keys), received:
(2026, 2026-03, 2026-03-05 or [2026-01 TO 2026-03]) and public: (true/false).
An explicit OR binds closer than the implicit AND: `(路灯 OR 信号) 晚上` and
`路灯 OR 信号 晚上` are the same query. A name before a colon that is not a
field is read as text (12:30 is two numbers).

The parser makes a small tree of tuples first, so that the searcher can tell a query
of plain words (which may fall back to any word) from one with fields or operators,
and find the words to mark in snippets.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from ..errors import CaselogError
from ..i18n import _
from .analyzer import may_be_part, query_words

TEXT_FIELDS = ("title", "body", "area")
KEY_FIELDS = ("id", "unit", "topics", "status", "category", "channel")
FIELDS = (*TEXT_FIELDS, *KEY_FIELDS, "received", "public")
_TOKEN = re.compile(r'\s*(?:(?P<open>\()|(?P<close>\))|(?P<phrase>"[^"]*"?)|'
                    r'(?P<range>\[[^\]]*\]?)|(?P<word>[^\s()"\[]+))')
_FIELD = re.compile(r"([a-z]+):(.*)", re.S)
_REGEX_SPECIAL = re.compile(r"([\\.+*?()|\[\]{}^$#&~<>@\"-])")
_TRUE, _FALSE = ("true", "yes", "t", "y", "1"), ("false", "no", "f", "n", "0")


class SearchError(CaselogError):
    """A query or filter cannot be used."""


def _lex(text: str) -> list[tuple[str, str]]:
    tokens = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind is None:
            continue
        tokens.append((kind, match.group(kind)))
    return tokens


class _Parser:
    """Recursive descent over the tokens; `loose` joins words with OR instead of AND."""

    def __init__(self, text: str, loose: bool):
        self.tokens = _lex(text)
        self.at = 0
        self.loose = loose

    def peek(self):
        return self.tokens[self.at] if self.at < len(self.tokens) else (None, None)

    def take(self):
        token = self.peek()
        self.at += 1
        return token

    def group(self, closing: bool = False):
        clauses = []
        while True:
            kind, value = self.peek()
            if kind is None or (kind == "close" and closing):
                break
            if kind == "close":  # a stray ) is ignored
                self.take()
                continue
            if kind == "word" and value == "AND":
                self.take()
                continue
            clauses.append(self.either())
        return _join("or" if self.loose else "and", clauses)

    def either(self):
        options = [self.unary()]
        while self.peek() == ("word", "OR"):
            self.take()
            if self.peek()[0] in (None, "close"):
                break
            options.append(self.unary())
        return _join("or", options)

    def unary(self):
        kind, value = self.peek()
        if kind == "word" and value == "NOT":
            self.take()
            return ("not", self.unary()) if self.peek()[0] not in (None, "close") else NULL
        if kind == "word" and value.startswith("-") and len(value) > 1:
            self.tokens[self.at] = ("word", value[1:])
            return ("not", self.unary())
        return self.primary()

    def primary(self):
        kind, value = self.take()
        if kind == "open":
            inner = self.group(closing=True)
            if self.peek()[0] == "close":
                self.take()
            return inner
        if kind == "phrase":
            return self.text("body", value.strip('"'), phrase=True)
        if kind == "range":
            return self.text("body", value)
        field = _FIELD.match(value)
        if field and field.group(1) in FIELDS:
            name, rest = field.groups()
            if not rest and self.peek()[0] in ("phrase", "range", "open"):
                kind, rest = self.take()
                if kind == "open":
                    inner = self.group(closing=True)
                    if self.peek()[0] == "close":
                        self.take()
                    return _in_field(inner, name)
                if kind == "phrase":
                    return self.text(name, rest.strip('"'), phrase=True)
            return self.field(name, rest)
        return self.text("body", value)

    def text(self, field: str, value: str, phrase: bool = False):
        """Words in a text field: a term, a phrase, a word beginning or the words of one piece."""
        if field not in TEXT_FIELDS:
            return self.field(field, value)
        if value.endswith("*") and not phrase:
            stem = value.rstrip("*").lower()
            return ("prefix", field, stem) if len(stem) >= 1 and stem.strip() else NULL
        words = query_words(value)
        if not words:
            return NULL
        if len(words) == 1:
            return ("term", field, words[0])
        if phrase:
            return ("phrase", field, tuple(words))
        return _join("or" if self.loose else "and", [("term", field, word) for word in words])

    def field(self, name: str, value: str):
        if name in TEXT_FIELDS:
            return self.text(name, value)
        if not value:
            return NULL
        if name == "received":
            return ("received", *received_range(value))
        if name == "public":
            lowered = value.lower()
            if lowered not in _TRUE + _FALSE:
                msg = _("public: takes true or false, not '{value}'").format(value=value)
                raise SearchError(msg)
            return ("public", lowered in _TRUE)
        if value.endswith("*"):
            return ("prefix", name, value.rstrip("*"))
        return ("key", name, value)


NULL = ("null",)


def _join(kind: str, children: list):
    children = [child for child in children if child != NULL]
    if not children:
        return NULL
    return children[0] if len(children) == 1 else (kind, tuple(children))


def _in_field(node, field: str):
    """A group searched in one field (title:(电梯 OR 扶梯))."""
    if node[0] in ("term", "phrase", "prefix") and node[1] == "body":
        return (node[0], field, *node[2:])
    if node[0] in ("and", "or"):
        return (node[0], tuple(_in_field(child, field) for child in node[1]))
    if node[0] == "not":
        return ("not", _in_field(node[1], field))
    return node


def parse(text: str, loose: bool = False):
    """The query tree of a query string; raise SearchError if nothing in it is searchable."""
    tree = _Parser(text, loose).group()
    if tree == NULL or not any(leaf[0] != "not" for leaf in _positives(tree)):
        msg = _("nothing to search for in '{text}': stop words and single characters "
                "are not indexed (see docs/search.md)").format(text=text)
        raise SearchError(msg)
    return tree


def leaves(node):
    """Every leaf of a query tree (those under NOT too)."""
    if node[0] in ("and", "or"):
        for child in node[1]:
            yield from leaves(child)
    elif node[0] == "not":
        yield from leaves(node[1])
    else:
        yield node


def _positives(node):
    if node[0] in ("and", "or"):
        for child in node[1]:
            yield from _positives(child)
    elif node[0] != "not":
        yield node


def positive_words(node) -> list[str]:
    """The body words a query asks for (not those under NOT), in order, once each."""
    words = []
    for leaf in _positives(node):
        if leaf[0] == "term" and leaf[1] == "body" and leaf[2] not in words:
            words.append(leaf[2])
    return words


def is_plain(node) -> bool:
    """Whether a query is words ANDed, and nothing else (the kind that may fall back to OR)."""
    return node[0] == "and" and all(leaf[0] == "term" and leaf[1] == "body" for leaf in leaves(node))


def received_range(value: str) -> tuple[datetime | None, datetime | None]:
    """The moments a received: value covers (2026, 2026-03, 2026-03-05, [2026-01 TO 2026-03])."""
    if value.startswith("["):
        inner = value.strip("[]").strip()
        parts = re.split(r"\s*\b(?:to|TO)\b\s*", inner, maxsplit=1)
        low, high = ([*parts, ""])[:2]
        start = _period(low)[0] if low.strip() else None
        end = _period(high)[1] if high.strip() else None
        return start, end
    return _period(value)


def _period(value: str) -> tuple[datetime, datetime]:
    value = value.strip()
    for pattern, size in (("%Y-%m-%d", "day"), ("%Y%m%d", "day"), ("%Y-%m", "month"), ("%Y", "year")):
        try:
            start = datetime.strptime(value, pattern)
        except ValueError:
            continue
        if size == "day":
            last = start.date()
        elif size == "month":
            following = date(start.year + start.month // 12, start.month % 12 + 1, 1)
            last = following - timedelta(days=1)
        else:
            last = date(start.year, 12, 31)
        return start, datetime.combine(last, time.max)
    msg = _("received: takes a year, month or day (2026, 2026-03, 2026-03-05), not '{value}'").format(
        value=value)
    raise SearchError(msg)


def _regex(word: str) -> str:
    return _REGEX_SPECIAL.sub(r"\\\1", word)


def to_query(node, schema):
    """The tantivy query of a query tree."""
    import tantivy

    Query, Occur = tantivy.Query, tantivy.Occur
    kind = node[0]
    if kind == "term":
        return Query.term_query(schema, node[1], node[2])
    if kind == "key":
        return Query.term_query(schema, node[1], node[2])
    if kind == "public":
        return Query.term_query(schema, "public", node[1])
    if kind == "prefix":
        return Query.regex_query(schema, node[1], _regex(node[2]) + ".*")
    if kind == "received":
        return Query.range_query(schema, "received", tantivy.FieldType.Date, node[1], node[2])
    if kind == "phrase":
        words = node[2]
        if any(may_be_part(word) for word in words):
            # a word that is part of a longer one in the text (小区 in 建新小区) stands at that
            # word's place: any indexed word holding it matches there
            return Query.regex_phrase_query(schema, node[1], [
                (i, f".*{_regex(word)}.*" if may_be_part(word) else _regex(word))
                for i, word in enumerate(words)])
        return Query.phrase_query(schema, node[1], list(enumerate(words)))
    if kind == "not":
        return Query.boolean_query([(Occur.Must, Query.all_query()),
                                    (Occur.MustNot, to_query(node[1], schema))])
    if kind == "and":
        clauses = [(Occur.MustNot, to_query(child[1], schema)) if child[0] == "not"
                   else (Occur.Must, to_query(child, schema)) for child in node[1]]
        if all(occur == Occur.MustNot for occur, _query in clauses):
            clauses.append((Occur.Must, Query.all_query()))
        return Query.boolean_query(clauses)
    if kind == "or":
        return Query.boolean_query([(Occur.Should, to_query(child, schema)) for child in node[1]])
    raise ValueError(f"not a query node: {node!r}")

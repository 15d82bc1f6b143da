"""The public search's records: what the portal's search finds of a published case, and how
its text is cut into index words.

A record is a case's public text in parts (title, case number, message, each text of its
timeline, the names of its channel, category, topics, units and area), each read as a reader
sees it: NFKC and lower case. It is cut into words the way the search page cuts a query
(theme/static/js/search-engine.js: `words`, which must stay the same function):

- each run of Chinese characters gives the overlapping pairs and threes of its characters
  (县政府门 → 县政 政府 府门 县政府 政府门): a query of two or three characters is one exact
  word; a longer one, the threes it is made of (县政府门 → 县政府 政府门), and the page keeps
  only the cases whose text holds the query itself (the threes make a case that holds them
  apart rare, so the page reads few cases' files in vain);
- every other word (letters and digits, joined by - . /) is a word whole, and its pieces
  (20261130-ab12cd → the number, 20261130 and ab12cd);
- a lone Chinese character is no word: it is found only inside longer queries.

The names of a case's channel, category, topics, units and area are its facts: their words
that its text does not hold are kept apart (they start with U+0002), so that the page lists
the cases whose text holds a query before those that only name it (a unit's cases by its name).
Filter values are words of their own, which no text can make (they start with U+0001).
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from dataclasses import dataclass

from ..publication import plain_label
from .views import CaseView

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_PAIR = re.compile(f"(?=([{_HAN}]{{2}}))")  # every pair of Chinese characters, overlapping
_TRIPLE = re.compile(f"(?=([{_HAN}]{{3}}))")  # and every three
# a word of letters and digits, pieces joined by - . / (a case number, G107)
_WORD = re.compile(f"[^\\W_{_HAN}]+(?:[-./][^\\W_{_HAN}]+)*")
_PIECES = re.compile(r"[-./]")
_TAG = re.compile(r"<[^>]*>")
MAX_WORD_BYTES = 64  # a longer word is not indexed (the page does not look it up either)
FILTER = "\x01"  # starts the words of filter values: unit, topic, channel, category
SELF = FILTER + "id:"  # the word only the case itself has: a search for its number lists it first
FACT = "\x02"  # starts a word found only in the names of a case's unit, topics, channel...
FILTER_KEYS = ("unit", "topic", "channel", "category")


# what NFKC makes of full-width ASCII and the ideographic space, the most of it in Chinese text
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def normal(text: str) -> str:
    """Text as the search compares it: NFKC, lower case (the page does the same to a query)."""
    text = text.translate(_FULL_WIDTH)  # the same as NFKC does to these, and faster
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return text.lower()


def words(text: str) -> set[str]:
    """The index words of a normalised text."""
    found = set(_PAIR.findall(text))
    found.update(_TRIPLE.findall(text))
    for word in _WORD.findall(text):
        if len(word) * 4 <= MAX_WORD_BYTES or len(word.encode()) <= MAX_WORD_BYTES:
            found.add(word)
        if "-" in word or "." in word or "/" in word:
            found.update(p for p in _PIECES.split(word) if len(p.encode()) <= MAX_WORD_BYTES)
    return found


def html_text(markup: str) -> str:
    """The text of sanitised HTML (a case's rendered message or reply)."""
    return html.unescape(_TAG.sub(" ", markup))


@dataclass(frozen=True)
class SearchRecord:
    """One case as the public search has it."""

    id: str
    words: frozenset[str]  # its index words, facts and filter values included
    fragment: str  # JSON: what the page shows of a result and checks a query against
    filters: tuple[tuple[str, str], ...]  # (unit, key), (topic, key)...: the filter values it has

    @property
    def text(self) -> str:
        """Everything it shows, as text: what the leak checks read."""
        return record_text(self.fragment)


def record_text(fragment: str | bytes) -> str:
    """Everything a result's file shows, as text."""
    shown = json.loads(fragment)
    return "\n".join([shown["title"], shown["id"], shown["unit"], *shown["texts"], shown["facts"]])


def search_record(view: CaseView, labels: dict[str, str]) -> SearchRecord:
    """The search record of a published case, made from its public view only.

    The fragment holds the title, number, day and unit a result shows, and the texts
    (message and every text of its timeline) and facts (names of channel, category, topics,
    units, area) a query is checked against and an excerpt is cut from. `labels` names the
    categories (the interface's words)."""
    texts = [html_text(view.message_html), *(html_text(item.html) for item in view.timeline if item.html)]
    texts = [" ".join(t.split()) for t in texts]
    category = labels.get(view.category, view.category)
    facts = [view.channel.name, category, *(t.name for t in view.topics)]
    units = [view.unit] if view.unit else []
    units += [item.unit for item in view.timeline if item.unit and item.unit not in units]
    facts += [u.name for u in units]
    if view.area:
        facts.append(view.area)
    facts_text = plain_label(" ".join(dict.fromkeys(facts)))
    # one pass over the parts: a line break ends a run, so no pair spans two parts
    found = words(normal("\n".join([view.title, view.id, *texts])))
    found |= {FACT + w for w in words(normal(facts_text)) - found}
    found.add(SELF + view.id.lower())
    filters = [("channel", view.channel.key), ("category", view.category),
               *(("topic", t.key) for t in view.topics)]
    if view.unit:
        filters.append(("unit", view.unit.key))
    found.update(f"{FILTER}{key}:{value}" for key, value in filters)
    fragment = {"id": view.id, "title": plain_label(view.title), "day": view.received_day.isoformat(),
                "unit": plain_label(view.unit.name) if view.unit else "", "texts": texts, "facts": facts_text}
    return SearchRecord(view.id, frozenset(found),
                        json.dumps(fragment, ensure_ascii=False, separators=(",", ":")), tuple(filters))

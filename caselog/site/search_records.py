"""The public search's records: what Pagefind indexes of a published case, and how its text is cut.

Pagefind (1.5) cuts Chinese with its own segmenter when it indexes and with the browser's
(ICU) when it searches; the two disagree, and a meta title is kept as one unsegmented word
that a query starting the title then matches alone (docs/search.md, "Public search"). So the
records carry their text already cut, in a way a query is cut the same in the browser
(theme/static/js/search.js): each run of Chinese characters gives the overlapping pairs of
its characters (县政府 → 县政 政府), each at its own position; every other word stays whole.
A query of two characters is one exact pair; a longer one is searched as the phrase of its
pairs (Pagefind's exact search: the pairs next to each other, in order), so a search finds
exactly the cases whose text holds the query's characters in that order, whatever a
segmenter would make of them.

Pagefind looks a word up as the start of index words, and a word that starts none as the
longest index word that starts it (县政 as 县): so no index word may be the start of a pair.
A lone character and a case number carry ‿ (Pagefind keeps it in words and splits nothing at it).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from ..publication import plain_label
from .views import CaseView

# Pagefind's own markers: words between them weigh more (the title), and they are not text
WEIGHT_START = "___PAGEFIND_WEIGHT___{}"
WEIGHT_END = "___END_PAGEFIND_WEIGHT___"
TITLE_WEIGHT = 5
CASE_ID_WEIGHT = 10  # searching a case number finds that case before the cases that cite it
FACTS = "facts"  # the metadata field of unit, topic, channel, category and area names, cut as text is
# separates the parts of a record (title, message, each reply); not indexed,
# search.js cuts the record back into its parts at it to make an excerpt of the message and replies
PART = "¶"
# the language given to Pagefind: not zh, so that neither Pagefind nor the browser cut the words
# again, and with no stemmer (Pagefind's name for an undetermined language)
LANGUAGE = "und"

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# a Chinese run; a word of letters and digits (a case number, G107, 2026); any other mark alone
# (so no word of a citizen's text can be one of Pagefind's ___ markers)
_WORDS = re.compile(f"([{_HAN}]+)|[^\\W_{_HAN}]+(?:[-./][^\\W_{_HAN}]+)*|[^\\s{_HAN}]")
_TAG = re.compile(r"<[^>]*>")
_CASE_ID = re.compile(r"\d{8}-[0-9A-Za-z]{6}")
MARK = "\u203f"  # before a lone character and a case number


@dataclass(frozen=True)
class SearchRecord:
    """One case as the public search indexes it."""

    url: str
    content: str  # the index words, as Pagefind gets them
    meta: dict[str, str]
    filters: dict[str, list[str]]
    text: str  # everything it holds, as text: what the leak checks read (the words are cut apart)


def search_words(text: str) -> list[str]:
    """Text cut into index words: the pairs of each Chinese run, other words whole."""
    words: list[str] = []
    for match in _WORDS.finditer(text):
        run = match.group()
        if match.group(1) and len(run) > 1:
            words.extend(run[i:i + 2] for i in range(len(run) - 1))
        elif match.group(1) or _CASE_ID.fullmatch(run):
            words.append(MARK + run)
        else:
            words.append(run)
    return words


def html_text(markup: str) -> str:
    """The text of sanitised HTML (a case's rendered message or reply)."""
    return html.unescape(_TAG.sub(" ", markup))


def search_record(view: CaseView, labels: dict[str, str]) -> SearchRecord:
    """The search record of a published case, made from its public view only.

    Title (weighted), case number (weighted more), message and every text of its timeline
    (replies, instructions, notes) are its text; the names of its units, topics, channel,
    category and area go in a metadata field, `facts`, searched too (searching a unit's name
    finds its cases) but ranked after the text (search.js weighs it less). `labels` names the
    category (the interface's words)."""
    texts = [html_text(view.message_html)]
    texts += [html_text(item.html) for item in view.timeline if item.html]
    category = labels.get(view.category, view.category)
    facts = [view.channel.name, category, *(t.name for t in view.topics)]
    if view.unit:
        facts.append(view.unit.name)
    facts += [item.unit.name for item in view.timeline if item.unit and item.unit != view.unit]
    if view.area:
        facts.append(view.area)
    words = [WEIGHT_START.format(TITLE_WEIGHT), *search_words(view.title), WEIGHT_END,
             WEIGHT_START.format(CASE_ID_WEIGHT), *search_words(view.id), WEIGHT_END]
    for text in texts:
        words += [PART, *search_words(text)]
    facts_text = " ".join(dict.fromkeys(facts))
    # Pagefind's UI shows filter values as HTML: plain text only (the publication policy's rule)
    filters = {"year": [str(view.received_day.year)], "channel": [plain_label(view.channel.name)],
               "category": [plain_label(category)], "topic": [plain_label(t.name) for t in view.topics]}
    if view.unit:
        filters["unit"] = [plain_label(view.unit.name)]
    return SearchRecord(
        url=f"/cases/{view.id}/", content=" ".join(words),
        meta={"title": plain_label(view.title), "id": view.id, FACTS: " ".join(search_words(facts_text))},
        filters=filters,
        text="\n".join([view.title, view.id, *texts, facts_text,
                        *(value for values in filters.values() for value in values)]))

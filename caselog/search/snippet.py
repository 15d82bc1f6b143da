"""Snippets of search hits: the text around the first places a case holds the searched words,
the words marked 【】 for the terminal.

The text is the one the index stored with the case (its body on one line), so a snippet
reads no case file.
The words are found in the case's text by plain string search (folded and lowercased as
the analyzer reads them): re-cutting the text with jieba would find the same places,
since the index holds the parts of long words too.
"""

from __future__ import annotations

import re

from .analyzer import FULLWIDTH

SNIPPET_WINDOW = 80  # characters of context each side of the first hits
FRAGMENT_CHARS = 120  # at most this many characters in one fragment
SURROUND = 30  # characters before the first and after the last hit of a fragment
FRAGMENTS = 2
MARK = "【{}】"
_WIDE = re.compile("[\uff01-\uff5e\u3000]")  # what FULLWIDTH folds
BETWEEN = " … "


def snippet(text: str, words: set[str]) -> str:
    """The text (a case's, on one line) around the first hits of `words`, hits marked 【】."""
    if not text:
        return ""
    return highlight(window(text, words), words) or shorten(text, 2 * SNIPPET_WINDOW)


def window(text: str, words: set[str]) -> str:
    """The parts of `text` around the first occurrences of the words."""
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
    return BETWEEN.join(text[low:high] for low, high in spans)


def _hits(text: str, words: set[str]) -> list[tuple[int, int]]:
    """Where the words stand in `text` (a longer word first where two start at one place)."""
    folded = text.translate(FULLWIDTH) if _WIDE.search(text) else text
    lowered = folded.lower()
    if len(lowered) != len(folded):  # a rare character whose lowercase is longer
        lowered = folded
    found = sorted((start, -len(word)) for word in words if word for start in _occurrences(lowered, word))
    spans, end = [], 0
    for start, size in found:
        if start >= end:  # not inside a longer word already found
            spans.append((start, start - size))
            end = start - size
    return spans


def _occurrences(text: str, word: str):
    start = text.find(word)
    while start >= 0:
        yield start
        start = text.find(word, start + len(word))


def highlight(text: str, words: set[str]) -> str:
    """The best fragments of `text` (those with the most hits, in text order), hits marked;
    '' if no word is in it."""
    hits = _hits(text, words)
    fragments = []
    i = 0
    while i < len(hits):
        first = hits[i][0]
        j = i + 1
        while j < len(hits) and hits[j][1] - first <= FRAGMENT_CHARS - 2 * SURROUND:
            j += 1
        fragments.append(hits[i:j])
        i = j
    best = sorted(sorted(fragments, key=lambda group: -len(group))[:FRAGMENTS], key=lambda group: group[0][0])
    return BETWEEN.join(_marked(text, group) for group in best)


def _marked(text: str, group: list[tuple[int, int]]) -> str:
    low, high = max(0, group[0][0] - SURROUND), min(len(text), group[-1][1] + SURROUND)
    out, at = [], low
    for start, end in group:
        out.append(text[at:start] + MARK.format(text[start:end]))
        at = end
    out.append(text[at:high])
    return "".join(out)


def shorten(text: str, size: int) -> str:
    """The text cut at a space before `size` characters, with … if it was longer."""
    return text if len(text) <= size else re.sub(r"\s+\S*$", "", text[:size]) + "…"

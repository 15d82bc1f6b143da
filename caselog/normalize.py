"""Text as a reader sees it, for the personal-data detector, with a way back to the source offsets.

A number typed with full-width digits and ideographic spaces, split by a zero-width space,
a soft hyphen or Markdown emphasis, or written with HTML entities, reads the same on the page
as the plain number. The detector matches this normalised form: NFKC where it gives ASCII
(full-width digits and letters), every Unicode space as " ", every dash as "-", dots as ".",
format characters dropped, entities decoded, Markdown emphasis and code marks dropped. (The
common Chinese punctuation in KEPT stays; the detector's patterns name it.) Each character of
the result knows which characters of the source it came from, so findings can be shown and
masked in place.
"""

from __future__ import annotations

import html
import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache

# Common Chinese punctuation is left as it is (folding it would make nearly every text pay for
# str.translate, ~1 µs a character): the detector's patterns name these characters themselves.
# SEPARATORS are what may stand between the digit groups of one number.
KEPT = "，：；（）！？。—·・"
SEPARATORS = " .\\-\n。—·・"
_LINE_BREAKS = "\r\u2028\u2029\x85"


@cache
def _one_to_one() -> dict[int, str]:
    """str.translate table of every change that keeps the text's length (and so its offsets):
    what NFKC turns into one ASCII character (full-width digits and letters, ＠, circled digits),
    every space as " ", every dash as "-", other dots as "."."""
    table: dict[int, str] = {}
    for code in [*range(0x80, 0x3100), *range(0xFE10, 0xFF70)]:
        char = chr(code)
        if char in KEPT:
            continue
        category = unicodedata.category(char)
        if category == "Zs":
            table[code] = " "
        elif category == "Pd":
            table[code] = "-"
        else:
            folded = unicodedata.normalize("NFKC", char)
            if len(folded) == 1 and folded.isascii() and folded != char:
                table[code] = folded
    table.update({ord(c): "." for c in "．｡•‧∙⋅"})
    table.update({ord(c): "-" for c in "−﹣－"})
    table.update({ord(c): "\n" for c in _LINE_BREAKS})
    table[ord("\t")] = " "
    return table


@cache
def _needs_folding() -> re.Pattern[str]:
    return re.compile("[" + "".join(re.escape(chr(code)) for code in sorted(_one_to_one())) + "]")


def fold(text: str) -> str:
    """The text with the length-keeping part of the normalisation only (full-width folded,
    spaces and dashes unified): cheap where nothing needs folding, which is nearly always."""
    return text.translate(_one_to_one()) if _needs_folding().search(text) else text


_MAY_RESHAPE = re.compile(r"[&*_`\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f"
                          r"\ufeff\ufff9-\ufffb]")
# what changes the text's length: entities, format characters (zero-width space, soft hyphen,
# word joiner, BOM...), and Markdown emphasis or code marks (runs of one or two; a run of three
# or more is a mask such as 138****5678 and stays)
_RESHAPE = re.compile(
    r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});?"
    r"|[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]+"
    r"|(?<![*_])[*_]{1,2}(?![*_])|`+"
)


@dataclass(frozen=True)
class _Segment:
    start: int  # in the normalised text
    source_start: int
    source_end: int
    same: bool  # one-to-one with the source (else one replacement for the whole source span)


class Normalized:
    """A text as a reader sees it (`text`) and the way back to the source's offsets (`source_span`)."""

    def __init__(self, source: str):
        self.source = source
        folded = source.translate(_one_to_one()) if _needs_folding().search(source) else source
        self._segments: list[_Segment] | None = None
        if not _MAY_RESHAPE.search(folded) or not _RESHAPE.search(folded):
            self.text = folded
            return
        parts: list[str] = []
        segments: list[_Segment] = []
        position = length = 0
        for match in _RESHAPE.finditer(folded):
            if match.start() > position:
                segments.append(_Segment(length, position, match.start(), True))
                parts.append(folded[position:match.start()])
                length += match.start() - position
            piece = match[0]
            replacement = html.unescape(piece).translate(_one_to_one()) if piece[0] == "&" else ""
            if piece[0] == "&" and replacement == piece:
                replacement = piece  # not an entity after all: keep it as it is
            if replacement:
                segments.append(_Segment(length, match.start(), match.end(), replacement == piece))
                parts.append(replacement)
                length += len(replacement)
            position = match.end()
        if position < len(folded):
            segments.append(_Segment(length, position, len(folded), True))
            parts.append(folded[position:])
        self.text = "".join(parts)
        self._segments = segments
        self._starts = [segment.start for segment in segments]

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the source that the normalised span [start, end) came from."""
        if self._segments is None:
            return start, end
        first = self._segments[bisect_right(self._starts, start) - 1]
        last = self._segments[bisect_right(self._starts, end - 1) - 1]
        begin = first.source_start + (start - first.start) if first.same else first.source_start
        finish = last.source_start + (end - last.start) if last.same else last.source_end
        return begin, finish

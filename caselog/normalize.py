"""Text as a reader sees it, for the personal-data detector, with a way back to the source offsets.

A number typed with full-width digits and ideographic spaces, split by a zero-width space,
a soft hyphen or Markdown emphasis, or written with HTML entities, reads the same on the page
as the plain number. The detector matches this normalised form: NFKC (full-width to ASCII),
every Unicode space as " ", every dash as "-", every dot as ".", format characters dropped,
entities decoded, Markdown emphasis and code marks dropped. Each character of the result knows
which characters of the source it came from, so findings can be shown and masked in place.
"""

from __future__ import annotations

import html
import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache

# one-character dots a reader takes for a full stop or a separator
_DOTS = "。．｡·•・‧∙⋅"
# dashes that are not category Pd but read as one
_EXTRA_DASHES = "−﹣－‐‑‒–—―"
_LINE_BREAKS = "\r\u2028\u2029\x85"


@cache
def _one_to_one() -> dict[int, str]:
    """str.translate table of every change that keeps the text's length (and so its offsets)."""
    table: dict[int, str] = {}
    for code in [*range(0x80, 0x3400), *range(0xA000, 0xAC00), *range(0xF900, 0x10000)]:
        char = chr(code)
        category = unicodedata.category(char)
        if category == "Zs":
            table[code] = " "
        elif category == "Pd":
            table[code] = "-"
        elif category.startswith("C") or category in ("Mn", "Me"):
            continue
        else:
            folded = unicodedata.normalize("NFKC", char)
            if len(folded) == 1 and folded != char:
                table[code] = folded
    table.update({ord(c): "." for c in _DOTS})
    table.update({ord(c): "-" for c in _EXTRA_DASHES})
    table.update({ord(c): "\n" for c in _LINE_BREAKS})
    table[ord("\t")] = " "
    return table


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
        folded = source.translate(_one_to_one())
        self._segments: list[_Segment] | None = None
        if not _RESHAPE.search(folded):
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

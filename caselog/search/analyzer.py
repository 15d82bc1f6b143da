"""The Chinese analyzer of the staff search index: jieba words, lowercase, stop words, size >= 2.

How text becomes index terms:

- jieba cuts the text into words (precise mode, with its HMM for words not in the
  dictionary, such as place names), its dictionary extended with the words of
  offices and their cases in `words-zh.txt` (住建局, 维修资金, 公租房 ...). The
  segmenter is jieba-rs (the `rjieba` package), a compiled port of jieba with
  jieba's own dictionary that cuts the same words about ten times faster; one
  difference is undone here: jieba-rs keeps a run of letters and digits joined by
  punctuation (elevator-jianxin) as one piece, jieba cuts it apart.
  When indexing, a word longer than two characters also yields the dictionary
  words of two and three characters inside it (建新小区 -> 建新, 小区), as jieba's
  search mode does, so a search for a part of a long word finds it.
  Queries are cut in precise mode only.
- Fullwidth letters and digits are read as their ASCII forms, then lowercased:
  ＧＢ５００ and gb500 are one term.
- Words in `stopwords-zh.txt` (function words and the boilerplate of messages and
  replies: 您好, 反映, 问题, 收悉 ...) are dropped, and so is every word shorter
  than two characters: single characters, and single digits and letters too (the
  5 of 5栋 is noise; numbers like 107 or 2026 stay).
- In a query, spaces between Chinese characters are dropped before cutting, so the
  phrase "养老 保险" is cut as 养老保险 is in the cases (one word to jieba).

jieba-rs is imported, and its dictionary built (about 0.3 s), on first use only.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

MIN_SIZE = 2
PART_SIZES = (2, 3)
_CJK_GAP = re.compile(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])")
# how jieba itself cuts a run of letters and digits (its finalseg's re_skip)
_ALNUM_RUN = re.compile(r"([a-zA-Z0-9]+(?:\.\d+)?%?)")
# Fullwidth ASCII (what Chinese input methods type) and the ideographic space, 1:1 to
# ASCII: offsets stay valid for highlighting.
FULLWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def _word_list(name: str) -> tuple[str, ...]:
    """The words of a list shipped with the package (# starts a comment line)."""
    text = (resources.files("caselog.search") / name).read_text(encoding="utf-8")
    return tuple(word for line in text.splitlines() if not line.startswith("#") for word in line.split())


@cache
def stop_words() -> frozenset[str]:
    """The shipped Chinese stop-word list (stopwords-zh.txt)."""
    return frozenset(_word_list("stopwords-zh.txt"))


@cache
def extra_words() -> tuple[str, ...]:
    """Words added to jieba's dictionary (words-zh.txt): 住建局, 维修资金, 公租房 ..."""
    return _word_list("words-zh.txt")


@cache
def segmenter():
    """jieba-rs with the added words (imported and built on first use); `.cut(text)` gives the
    pieces of a text, `.has_word(word)` whether a word is in the dictionary."""
    import rjieba

    for word in extra_words():
        rjieba.add_word(word, None, None)
    return rjieba._DEFAULT_JIEBA  # the instance `import rjieba` has already built


def segmenter_version() -> str:
    """The segmenter's package and version (part of what an index or a cache was made with)."""
    from importlib.metadata import version

    return f"rjieba-{version('rjieba')}"


def _is_word(text: str) -> bool:
    """Whether a cut piece holds a letter or digit (not punctuation or space)."""
    return text.isalnum() or any(char.isalnum() for char in text)


def _jieba_pieces(piece: str) -> list[str]:
    """A piece cut apart as jieba cuts runs of letters and digits joined by punctuation."""
    if piece.isalnum() or not piece.isascii() or len(piece) < 2:
        return [piece]
    return [part for part in _ALNUM_RUN.split(piece) if part]


def _term(piece: str) -> tuple[str, list[str]] | None:
    """A piece's index term and the terms of its parts, or None if it is not indexed."""
    term = piece.lower()
    if len(term) < MIN_SIZE or not _is_word(piece) or term in stop_words():
        return None
    if len(piece) <= 2:
        return term, []
    has_word = segmenter().has_word
    found = [piece[i:i + n].lower() for n in PART_SIZES if len(piece) > n
             for i in range(len(piece) - n + 1) if has_word(piece[i:i + n])]
    return term, [part for part in found if part not in stop_words()]


class _Terms(dict):
    """Piece -> (its terms, the terms of its parts), each as one space-separated string, or
    None if nothing of it is indexed; computed once per distinct piece (a case log has far
    fewer distinct words than word occurrences)."""

    def __missing__(self, piece: str):
        found = [term for part in _jieba_pieces(piece) if (term := _term(part))]
        entry = None
        if found:  # (split at any space: the index splits its strings there)
            entry = (" ".join(" ".join(term for term, _parts in found).split()),
                     " ".join(" ".join(part for _term, parts in found for part in parts).split()))
        self[piece] = entry
        return entry


_TERMS = _Terms()


def index_terms(text: str) -> tuple[str, str]:
    """The index terms of a text: its words in order, and the parts of its long words, each as
    one string of space-separated terms (the index splits them at the spaces)."""
    pieces = segmenter().cut(text.translate(FULLWIDTH))
    entries = [entry for entry in map(_TERMS.__getitem__, pieces) if entry]
    return " ".join([entry[0] for entry in entries]), " ".join([entry[1] for entry in entries if entry[1]])


def query_words(text: str) -> list[str]:
    """The words of a query (or of a text compared as one), in order: no parts of long words;
    spaces between Chinese characters are dropped first ("养老 保险" is 养老保险)."""
    pieces = segmenter().cut(_CJK_GAP.sub("", text.translate(FULLWIDTH)))
    return " ".join([entry[0] for entry in map(_TERMS.__getitem__, pieces) if entry]).split()


def may_be_part(word: str) -> bool:
    """Whether an index term may also stand inside a longer word (as one of its parts)."""
    return len(word) in PART_SIZES and segmenter().has_word(word)

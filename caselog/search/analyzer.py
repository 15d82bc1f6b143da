"""The Chinese analyzer of the staff search index: jieba words, lowercase, stop words, size >= 2.

How text becomes index terms:

- jieba cuts the text into words (precise mode, with its HMM for words not in the
  dictionary, such as place names), its dictionary extended with the words of
  offices and their cases in `words-zh.txt` (住建局, 维修资金, 公租房 ...).
  When indexing, a word longer than two characters also yields the dictionary
  words inside it (建新小区 -> 建新, 小区), as jieba's search mode does, so a
  search for a part of a long word finds it.
  Queries are cut in precise mode only.
- Fullwidth letters and digits are read as their ASCII forms, then lowercased:
  ＧＢ５００ and gb500 are one term.
- Words in `stopwords-zh.txt` (function words and the boilerplate of messages and
  replies: 您好, 反映, 问题, 收悉 ...) are dropped, and so is every word shorter
  than two characters: single characters, and single digits and letters too (the
  5 of 5栋 is noise; numbers like 107 or 2026 stay).
- Positions count the words kept (a dropped stop word leaves no gap), and the parts
  of a long word share its position: the phrase "小区 电梯" matches 建新小区电梯.
  In a query, spaces between Chinese characters are dropped before cutting, so the
  phrase "养老 保险" is cut as 养老保险 is in the cases (one word to jieba).

jieba is imported, and its dictionary loaded (about a second), on first use only,
with its log messages silenced: the library never prints.
"""

from __future__ import annotations

import logging
import re
import sys
import warnings
from functools import cache
from importlib import resources

from whoosh.analysis import Filter, LowercaseFilter, StopFilter, Token, Tokenizer

MIN_SIZE = 2
_CJK_GAP = re.compile(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])")
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
    """jieba's default tokenizer, dictionary loaded, log silenced (imported on first use)."""
    logging.getLogger("jieba").setLevel(logging.WARNING)
    blocked = "pkg_resources" not in sys.modules
    if blocked:  # jieba falls back to open() without it, and importing it costs ~0.3 s
        sys.modules["pkg_resources"] = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # jieba 0.42 has invalid escapes
            import jieba
    finally:
        if blocked:
            del sys.modules["pkg_resources"]
    jieba.setLogLevel(logging.WARNING)
    jieba.dt.initialize()
    for word in extra_words():
        jieba.dt.add_word(word)
    return jieba.dt


def _is_word(text: str) -> bool:
    """Whether a cut piece holds a letter or digit (not punctuation or space)."""
    return text.isalnum() or any(char.isalnum() for char in text)


class JiebaTokenizer(Tokenizer):
    """Cuts Chinese (and mixed) text into words with jieba; sets `pos` to the word's index,
    shared by the dictionary words inside a long word (index mode only)."""

    def __eq__(self, other):
        return other.__class__ is self.__class__

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            token.original = token.text = value
            token.boost, token.stopped, token.pos = 1.0, False, start_pos
            token.startchar, token.endchar = start_char, start_char + len(value)
            yield token
            return
        dt = segmenter()
        freq = dt.FREQ
        text = value.translate(FULLWIDTH)
        parts = mode != "query"
        if not parts:
            # a phrase typed with spaces ("养老 保险") is cut as the words run together are
            text = _CJK_GAP.sub("", text)
        start = 0
        pos = start_pos
        for word in dt.cut(text):
            end = start + len(word)
            if _is_word(word):
                pieces = [(word, start, end)]
                if parts and len(word) > 2:
                    pieces += [(word[i:i + n], start + i, start + i + n)
                               for n in (2, 3) if len(word) > n
                               for i in range(len(word) - n + 1) if freq.get(word[i:i + n])]
                    pieces.sort(key=lambda piece: (piece[1], piece[1] - piece[2]))
                for piece, first, last in pieces:
                    token.text = piece
                    token.boost, token.stopped = 1.0, False
                    if keeporiginal:
                        token.original = piece
                    if positions:
                        token.pos = pos
                    if chars:
                        token.startchar, token.endchar = start_char + first, start_char + last
                    yield token
                pos += 1
            start = end


class PhrasePositions(Filter):
    """Renumbers positions from 0 after stop words are dropped; tokens that shared a position
    (a long word and its parts) keep sharing one."""

    def __eq__(self, other):
        return other.__class__ is self.__class__

    def __call__(self, tokens):
        last_group = None
        pos = -1
        for token in tokens:
            if token.positions and not token.stopped:
                if token.pos != last_group:
                    last_group = token.pos
                    pos += 1
                token.pos = pos
            yield token


def chinese_analyzer():
    """The analyzer of the index's text fields."""
    return (JiebaTokenizer() | LowercaseFilter()
            | StopFilter(stoplist=stop_words(), minsize=MIN_SIZE, renumber=False)
            | PhrasePositions())

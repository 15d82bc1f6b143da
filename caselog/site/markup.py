"""Netizen and staff text to safe HTML: Markdown without raw HTML, then sanitised with nh3; or,
for a case whose `text_format` is `plain`, the text itself, escaped and literal."""

from __future__ import annotations

import html as html_lib
import re
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {"p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li",
                "a", "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th", "td", "del"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https"}  # mailto: would put an address in a link

# html=False: raw HTML in a message is shown as text, never passed through
_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_md.enable("table").enable("strikethrough")


def _demote_headings(html: str) -> str:
    # a message's "# heading" must not compete with the page's own h1/h2
    for level in (2, 1):
        html = html.replace(f"<h{level}>", f"<h{level + 2}>").replace(f"</h{level}>", f"</h{level + 2}>")
    return html


# Most messages and replies are plain paragraphs. A text with none of these characters anywhere
# (inline syntax, entities, raw HTML, tables, unusual whitespace) and no line that starts like a
# block (heading, quote, list, rule, fence, setext underline, indentation) renders to its
# paragraphs and nothing else: the same HTML as Markdown and nh3 give (tests/test_properties.py).
_NOT_PLAIN = re.compile(r"[\\`*_\[\]<>&~|\x00-\x09\x0b-\x1f\x7f-\xa0"
                        r"\u1680\u2000-\u200b\u2028\u2029\u202f\u205f\ufeff]")
_BLOCK_START = re.compile(r"[#>\-+=:]|\d{1,9}[.)]")


def plain_paragraphs(text: str) -> list[list[str]] | None:
    """The paragraphs (lists of lines) of a text without Markdown syntax; None if it may have some."""
    if _NOT_PLAIN.search(text):
        return None
    paragraphs: list[list[str]] = []
    lines: list[str] = []
    for line in text.split("\n"):
        if not line:
            if lines:
                paragraphs.append(lines)
                lines = []
        elif line[0].isspace() or line[-1].isspace() or _BLOCK_START.match(line):
            return None
        else:
            lines.append(line)
    if lines:
        paragraphs.append(lines)
    return paragraphs


# a run of three or more asterisks is a mask (138****5678, ******万元), never emphasis: each one
# is escaped so that Markdown shows it as it is
# (code spans and fences show their text as it is already, and are left alone)
_MASK_RUN = re.compile(r"(?<!\\)\*{3,}")
_CODE = re.compile(r"(`+).*?\1", re.DOTALL)


def _literal_masks(text: str) -> str:
    parts = []
    position = 0
    for code in _CODE.finditer(text):
        parts += [_MASK_RUN.sub(lambda run: "\\*" * len(run[0]), text[position:code.start()]), code[0]]
        position = code.end()
    parts.append(_MASK_RUN.sub(lambda run: "\\*" * len(run[0]), text[position:]))
    return "".join(parts)


@lru_cache(maxsize=4096)
def render_markdown(text: str) -> str:
    """Markdown to sanitised HTML; scripts, event handlers and unsafe links never survive."""
    paragraphs = plain_paragraphs(text or "")
    if paragraphs is not None:  # nothing to parse, nothing to sanitise: no tag, no entity, no URL
        return "".join("<p>" + "\n".join(lines) + "</p>\n" for lines in paragraphs)
    html = _demote_headings(_md.render(_literal_masks(text or "")))
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes=URL_SCHEMES, link_rel="nofollow noopener noreferrer ugc")


_BLANK_LINES = re.compile(r"\n[^\S\n]*\n\s*")


def literal_paragraphs(text: str) -> list[list[str]]:
    """The paragraphs (lists of lines) of a plain text: a blank line parts paragraphs."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    return [[line.rstrip() for line in block.split("\n")] for block in _BLANK_LINES.split(text) if block]


@lru_cache(maxsize=4096)
def render_plain(text: str) -> str:
    """A plain text as HTML: every character literal (escaped), <p> per paragraph, <br> per line break."""
    return "".join("<p>" + "<br>\n".join(html_lib.escape(line, quote=False) for line in lines) + "</p>\n"
                   for lines in literal_paragraphs(text))


def render_text(text: str, text_format: str = "markdown") -> str:
    """A case text as safe HTML, as its case's `text_format` says (markdown or plain)."""
    return render_plain(text) if text_format == "plain" else render_markdown(text)


def plain_text(text: str, limit: int | None = None, text_format: str = "markdown") -> str:
    """A case text reduced to plain text (for summaries, feeds and meta descriptions).

    The result is unescaped text: templates escape it again on output."""
    paragraphs = literal_paragraphs(text) if text_format == "plain" else plain_paragraphs(text or "")
    if paragraphs is not None:
        flat = " ".join(" ".join(line for lines in paragraphs for line in lines).split())
    else:  # from the (cached) page rendering of the same text, not a second Markdown pass
        flat = html_lib.unescape(" ".join(nh3.clean(render_markdown(text), tags=set()).split()))
    if limit is not None and len(flat) > limit:
        return flat[: limit - 1].rstrip() + "…"
    return flat

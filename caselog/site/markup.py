"""Netizen and staff text to safe HTML: Markdown without raw HTML, then sanitised with nh3."""

from __future__ import annotations

import html as html_lib
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {"p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li",
                "a", "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th", "td", "del"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}

# html=False: raw HTML in a message is shown as text, never passed through
_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_md.enable("table").enable("strikethrough")


def _demote_headings(html: str) -> str:
    # a message's "# heading" must not compete with the page's own h1/h2
    for level in (2, 1):
        html = html.replace(f"<h{level}>", f"<h{level + 2}>").replace(f"</h{level}>", f"</h{level + 2}>")
    return html


@lru_cache(maxsize=4096)
def render_markdown(text: str) -> str:
    """Markdown to sanitised HTML; scripts, event handlers and unsafe links never survive."""
    html = _demote_headings(_md.render(text or ""))
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes=URL_SCHEMES, link_rel="nofollow noopener noreferrer ugc")


def plain_text(text: str, limit: int | None = None) -> str:
    """Markdown reduced to plain text (for summaries, feeds and meta descriptions).

    The result is unescaped text: templates escape it again on output."""
    # from the (cached) page rendering of the same text, not a second Markdown pass
    flat = html_lib.unescape(" ".join(nh3.clean(render_markdown(text), tags=set()).split()))
    if limit is not None and len(flat) > limit:
        return flat[: limit - 1].rstrip() + "…"
    return flat

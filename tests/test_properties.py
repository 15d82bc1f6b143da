"""Laws of the loader and the writer, checked with Hypothesis."""

from __future__ import annotations

from datetime import date

import yaml
from conftest import CASE_TEXT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caselog.edit import append_event_text, render_event, scalar
from caselog.errors import LoadError
from caselog.registry import load_registry
from caselog.repository import check_document
from caselog.yamlsafe import parse

YAML_BITS = st.sampled_from([
    "a", "b:", " ", "\n", "- ", ": ", "{", "}", "[", "]", "&x", "*x", "!!str", "!tag", "'", '"', "|",
    ">", "#", "---", "...", "? ", "\t", "no", "~", "1e3", "电梯", "\ufeff", "\x00", "%YAML 1.1", "<<: *x",
])


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=200), st.lists(YAML_BITS, max_size=40).map("".join)))
def test_parsing_never_raises_anything_but_load_error(text):
    try:
        doc = parse(text, "x.yaml")
    except LoadError as exc:
        assert exc.problem.path == "x.yaml"
        return
    assert doc.data is None or isinstance(doc.data, str | list | dict)


LEAF = st.one_of(st.none(), st.text(max_size=12), st.sampled_from(
    ["2026-03-02", "2026-03-02 09:14", "true", "housing", "yueyanglou-housing", "replied", "closed"]))
TREE = st.recursive(LEAF, lambda children: st.one_of(
    st.lists(children, max_size=4),
    st.dictionaries(st.sampled_from(["id", "title", "events", "type", "date", "unit", "final", "text",
                                     "topics", "author", "alias", "public", "x"]), children, max_size=5)),
    max_leaves=20)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(TREE)
def test_checking_any_structure_never_raises(log_root, tree):
    registry = load_registry(log_root)
    text = yaml.safe_dump(tree, allow_unicode=True)
    try:
        doc = parse(text, "cases/2026/03/20260302-K7Q2MD.yaml")
    except LoadError:
        return
    loaded = check_document(doc, "cases/2026/03/20260302-K7Q2MD.yaml", registry)
    assert loaded.case is not None or loaded.problems


PRINTABLE = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\x85\u2028\u2029"),
                    min_size=1, max_size=80)


@settings(max_examples=400)
@given(PRINTABLE)
def test_scalar_reads_back_as_the_same_string(text):
    emitted = scalar(text, 2)
    assert yaml.safe_load(f"k: {emitted}\n") == {"k": text}
    assert parse(f"k: {emitted}\n").data == {"k": text}


@settings(max_examples=200)
@given(PRINTABLE)
def test_appended_event_text_parses_back_verbatim(text):
    fields = {"date": date(2026, 3, 10), "type": "replied", "unit": "u", "final": True, "text": text}
    new = append_event_text(CASE_TEXT, fields)
    data = parse(new).data
    assert data["events"][-1]["text"] == text
    assert new.startswith(CASE_TEXT)
    assert render_event(fields) in new


MARKDOWN_BITS = st.sampled_from([
    "电梯", "小区", "，", "。", "“", '"', "'", "a", "Z", "1", "2024", "1.", "2)", "1、", " ", "  ", "\u3000",
    "\xa0", "\t", "\n", "\n\n", "# ", "#话题#", "> ", "- ", "---", "+ ", "* ", "=", "==", ":", "|", "_", "*",
    "`", "~~", "[a](b)", "<b>", "&amp;", "&", "\\", "!", "http://x.cn", ".", ")", "\r", "\u2028", "\ufeff",
])

# near misses: what plain paragraphs are made of, and the block starts they must not have
MOSTLY_PLAIN = st.sampled_from(["电梯", "，", "2024", "1.", "1、", "#", "-", ":", " ", "\u3000", "\n", "\n\n", "a", '"'])


def _full_pipeline(text: str) -> str:
    import nh3

    from caselog.site import markup

    html = markup._demote_headings(markup._md.render(text))
    return nh3.clean(html, tags=markup.ALLOWED_TAGS, attributes=markup.ALLOWED_ATTRIBUTES,
                     url_schemes=markup.URL_SCHEMES, link_rel="nofollow noopener noreferrer ugc")


@settings(max_examples=1500)
@given(st.one_of(st.lists(MARKDOWN_BITS, max_size=30).map("".join), st.text(max_size=80),
                st.lists(MOSTLY_PLAIN, max_size=30).map("".join)))
def test_plain_paragraph_shortcut_renders_what_markdown_and_nh3_render(text):
    """Texts the shortcut takes render exactly as through Markdown and nh3, and read the same as plain text."""
    from caselog.site import markup

    if markup.plain_paragraphs(text) is None:
        return
    assert markup.render_markdown.__wrapped__(text) == _full_pipeline(text)
    flat = " ".join(nh3_text(_full_pipeline(text)).split())
    assert markup.plain_text(text) == flat


def nh3_text(html: str) -> str:
    import html as html_lib

    import nh3
    return html_lib.unescape(nh3.clean(html, tags=set()))


def test_plain_paragraph_shortcut_takes_ordinary_messages_and_leaves_markdown():
    from caselog.site.markup import plain_paragraphs

    assert plain_paragraphs("市民反映：2024年5月起小区电梯\n多次停运。\n\n请尽快处理！") == [
        ["市民反映：2024年5月起小区电梯", "多次停运。"], ["请尽快处理！"]]
    for marked in ("1. 第一", "# 标题", "有**重点**", "a\n---", "<script>", "　　首行缩进", "a &amp; b", "> 引用"):
        assert plain_paragraphs(marked) is None, marked

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

"""The zh_CN interface catalogue: every string translated, placeholders kept, and no English on the built site."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from click.testing import CliRunner
from conftest import REPO

from caselog.cli import main_group

PO = REPO / "theme" / "translations" / "zh_CN" / "LC_MESSAGES" / "messages.po"
POT = REPO / "theme" / "translations" / "messages.pot"
AS_OF = "2026-11-23"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def read_catalog(path: Path):
    with path.open("rb") as handle:
        return read_po(handle, locale="zh_CN")


def _searched(dirpath: str) -> bool:
    # what `pybabel extract ... .` looks at, without walking output/, cases/ or bench/
    rel = Path(dirpath).relative_to(REPO)
    return rel.parts[:1] in ((), ("theme",), ("caselog",)) and not rel.name.startswith((".", "_"))


def extracted() -> dict[str, list[str]]:
    """Every msgid in the templates and labels.py, extracted now with babel.cfg, and where it is."""
    with (REPO / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    keywords = {**DEFAULT_KEYWORDS, "N_": None}
    found: dict[str, list[str]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            REPO, method_map, options_map, keywords=keywords, directory_filter=_searched):
        msgid = message if isinstance(message, str) else message[0]
        found.setdefault(msgid, []).append(f"{filename}:{lineno}")
    return found


@pytest.fixture(scope="module")
def catalog():
    return read_catalog(PO)


@pytest.fixture(scope="module")
def msgids():
    return extracted()


def test_extraction_finds_the_templates_and_the_labels(msgids):
    assert "Skip to content" in msgids  # base.html
    assert "Leader's instruction" in msgids  # marked with N_
    assert msgids["Leader's instruction"][0].startswith("caselog/site/labels.py:")
    assert any(where.startswith("theme/templates/feed.xml:") for wheres in msgids.values() for where in wheres)


def test_every_interface_string_has_a_translation(catalog, msgids):
    missing = [f"{msgid!r} ({', '.join(where)})" for msgid, where in sorted(msgids.items())
               if not (catalog.get(msgid) and catalog.get(msgid).string)]
    assert not missing, "untranslated; run the commands in babel.cfg and translate:\n" + "\n".join(missing)


def test_no_translation_is_fuzzy(catalog):
    assert [m.id for m in catalog if m.id and m.fuzzy] == []


def test_translations_keep_their_placeholders(catalog):
    for message in catalog:
        if not message.id:
            continue
        assert sorted(PLACEHOLDER.findall(message.string)) == sorted(PLACEHOLDER.findall(message.id)), message.id
        # newstyle gettext always %-formats: a literal percent sign must be %% in both
        values = dict.fromkeys(PLACEHOLDER.findall(message.id), "x")
        assert (message.id % values).count("%") == message.id.count("%%"), message.id
        assert (message.string % values).count("%") == message.string.count("%%"), message.id


def test_translations_are_chinese(catalog):
    for message in catalog:
        if message.id and ENGLISH.search(PLACEHOLDER.sub("", message.id)):
            words = set(ENGLISH.findall(PLACEHOLDER.sub("", message.string)))
            assert re.search(r"[\u4e00-\u9fff]", message.string) and words <= ALLOWED_WORDS, message.id


def test_the_catalogue_holds_nothing_the_interface_no_longer_uses(catalog, msgids):
    stale = sorted(m.id for m in catalog if m.id and m.id not in msgids)
    assert stale == [], "remove with the pybabel update command in babel.cfg"


def test_the_template_catalogue_is_current(msgids):
    assert {m.id for m in read_catalog(POT) if m.id} == set(msgids)


def test_key_terms(catalog):
    terms = {"Final reply": "办结答复", "Interim reply": "阶段性答复", "Leader's instruction": "领导批示",
             "Supervision notice": "督办通知", "Follow-up visit": "回访", "Extension": "延期",
             "Reopened": "重新办理", "Basically satisfied": "基本满意", "Could not be reached": "未能联系上",
             "Transferred": "转办", "Assigned": "交办", "Monthly bulletin": "月度通报",
             "Responsible unit": "承办单位", "Channel": "留言渠道"}
    assert {msgid: catalog.get(msgid).string for msgid in terms} == terms


# --- the built site speaks Chinese -----------------------------------------------------------------

INTERFACE_TAGS = {"th", "dt", "caption", "summary", "label", "button", "h2", "nav", "footer", "legend"}
INTERFACE_CLASSES = {"lede", "note", "tag", "sub", "crumbs", "case-meta", "pager", "event-head"}
# names, ids and text from the case log, and file names: data, not interface
DATA_CLASSES = {"prose", "meta", "case-title", "case-id", "unit", "by", "file"}
ATTRIBUTES = ("placeholder", "aria-label", "title", "alt")
ALLOWED_WORDS = {"Atom", "RSS", "JSON", "XML", "CSV", "UTF", "Open311", "GeoReport", "Wilson", "JavaScript"}
VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"})
ENGLISH = re.compile(r"(?<![A-Za-z0-9])[A-Za-z][A-Za-z']{2,}(?![A-Za-z0-9])")  # words, not ids like K7Q2MD


class InterfaceText(HTMLParser):
    """Collects the text of interface elements (not of user content) and interface attributes."""

    def __init__(self):
        super().__init__()
        self.stack: list[tuple[bool, bool]] = []  # (inside interface, inside user content)
        self.texts: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        classes = set((attributes.get("class") or "").split())
        interface, user = self.stack[-1] if self.stack else (False, False)
        user = user or bool(classes & DATA_CLASSES) or tag in ("script", "style", "svg", "code")
        interface = interface or tag in INTERFACE_TAGS or bool(classes & INTERFACE_CLASSES)
        if not user:
            self.texts += [attributes[a] for a in ATTRIBUTES if attributes.get(a)]
        if tag not in VOID:
            self.stack.append((interface, user))

    def handle_endtag(self, tag):
        if tag not in VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if self.stack and self.stack[-1] == (True, False) and data.strip():
            self.texts.append(data)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The demo site, built once without the search index (the browser tests cover search)."""
    root = tmp_path_factory.mktemp("i18n")
    shutil.copytree(REPO / "cases", root / "cases")
    out = root / "site"
    result = CliRunner().invoke(main_group, [
        "-C", str(root), "build", "--output", str(out), "--as-of", AS_OF,
        "--settings", str(REPO / "pelicanconf.py"), "--no-search"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out


def pages(out: Path) -> list[Path]:
    case = sorted((out / "cases").glob("2*/index.html"))[0]
    unit = sorted((out / "units").glob("*/index.html"))[0]
    report = sorted((out / "reports").glob("*/index.html"))[-1]
    return [out / "index.html", case, out / "cases" / "index.html", out / "units" / "index.html", unit,
            out / "stats" / "index.html", report, out / "reports" / "index.html", out / "process" / "index.html",
            out / "search" / "index.html", out / "data" / "index.html", out / "browse" / "index.html"]


def test_built_pages_show_no_english_interface_text(site):
    for path in pages(site):
        parser = InterfaceText()
        parser.feed(path.read_text(encoding="utf-8"))
        words = {w for text in parser.texts for w in ENGLISH.findall(text)} - ALLOWED_WORDS
        assert not words, f"{path.relative_to(site)}: {sorted(words)}"


@pytest.mark.parametrize(("rel", "english", "chinese"), [
    ("index.html", ["Skip to content", "Open data", "Recently resolved", "Final reply on time"],
     ["跳到正文", "开放数据", "最新办结", "办结答复按期率"]),
    ("stats/index.html", ["The numbers", "Satisfaction at follow-up visits", "By channel"],
     ["查看数据表", "回访满意度", "按留言渠道"]),
    ("process/index.html", ["How working days are counted", "First reply within"],
     ["工作日如何计算", "首次答复时限"]),
])
def test_known_strings_are_shown_in_chinese(site, rel, english, chinese):
    html = (site / rel).read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in html
    assert [s for s in english if s in html] == []
    assert [s for s in chinese if s not in html] == []


def test_a_case_page_speaks_chinese(site):
    html = (site / "cases" / "20251013-QJQ5PJ" / "index.html").read_text(encoding="utf-8")
    for english, chinese in [("How it was handled", "办理过程"), ("Leader's instruction", "领导批示"),
                             ("Supervision notice", "督办通知"), ("Interim reply", "阶段性答复"),
                             ("Time limits", "办理时限"), ("Received on", "留言时间")]:
        assert english not in html and chinese in html


@pytest.mark.parametrize("autoescape", [True, False])
def test_cached_gettext_renders_as_jinja_newstyle_gettext_does(autoescape):
    """The build's cached gettext gives exactly what Jinja's own newstyle gettext gives."""
    import gettext as gettext_lib

    from jinja2 import Environment

    from caselog.site import i18n

    class Catalogue(gettext_lib.NullTranslations):
        def gettext(self, message):
            return {"Cases": "案件", "moved %(n)s time(s)": "改期%(n)s次", "100%%": "百分之百%%",
                    "<b>%(x)s</b>": "<b>甲%(x)s</b>"}.get(message, message)

    source = ('{{ _("Cases") }}|{{ _("Cases") }}|{{ _("moved %(n)s time(s)", n=3) }}|{{ _("100%%") }}|'
              '{{ _("<b>%(x)s</b>", x="<i>") }}|{{ gettext("Unknown") }}|'
              '{% trans n=2 %}moved {{ n }} time(s){% endtrans %}|{{ ngettext("%(num)s case", "%(num)s cases", 2) }}')
    stock = Environment(autoescape=autoescape, extensions=["jinja2.ext.i18n"])
    stock.install_gettext_translations(Catalogue(), newstyle=True)
    ours = Environment(autoescape=autoescape, extensions=["jinja2.ext.i18n"])
    i18n.install(ours, Catalogue())
    expected = stock.from_string(source).render()
    assert ours.from_string(source).render() == expected
    assert ours.from_string(source).render() == expected  # from the cache, the same
    assert "案件|案件|改期3次|百分之百%|" in expected

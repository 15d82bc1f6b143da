"""The portal, built for real: Pelican with the caselog plugin, the search index, the output checks.

One demo build (the demo log plus a hostile case and a non-public case) is shared by the module;
tests that change the log build a small log of their own.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import pickle
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO, find_chromium, serve_directory, write_case
from markupsafe import escape

from caselog.cli import main_group
from caselog.derive import derive_all
from caselog.publication import plain_label
from caselog.repository import load_log
from caselog.site import scan
from caselog.site.exports import CSV_FIELDS
from caselog.site.scan import scan_output
from caselog.site.search_index import bucket_words

AS_OF = "2026-11-23"
SETTINGS = REPO / "pelicanconf.py"
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$")

HOSTILE_ID = "20261102-H0ST11"
HOSTILE_TITLE = '恶意标题<script>alert(1)</script>" onmouseover="alert(2)'
HOSTILE_ALIAS = "<img src=x onerror=alert(3)>"
HOSTILE_AREA = '=HYPERLINK("https://example.org/x","点这里")'
HOSTILE = f"""\
id: {HOSTILE_ID}
title: '{HOSTILE_TITLE}'
received: 2026-11-02 10:00
channel: mayor-mailbox
category: complaint
topics: [housing]
area: '{HOSTILE_AREA}'
author:
  alias: '{HOSTILE_ALIAS}'
  real_name: false
  contact_on_file: false
public: true
message: |
  正文<script>alert(4)</script> 和 <img src=x onerror=alert(5)> 以及 [点我](javascript:alert(6))
events:
  - {{date: 2026-11-02, type: accepted}}
  - {{date: 2026-11-02, type: assigned, unit: housing-bureau, mode: assign}}
  - date: 2026-11-03
    type: replied
    unit: housing-bureau
    final: true
    text: |
      答复<script>alert(7)</script> [链接](javascript:alert(8)) <img src=x onerror=alert(9)>
      <a href="#" onclick="alert(10)">看这里</a>
  - {{date: 2026-11-04, type: closed, outcome: resolved}}
"""

SECRET_ID = "20261103-SECRET"
SECRET_TITLE = "绝密测试留言标题不得公开出现"
SECRET = f"""\
id: {SECRET_ID}
title: {SECRET_TITLE}
received: 2026-11-03 10:00
channel: mayor-mailbox
category: complaint
topics: [housing]
author:
  alias: 隐身的人
  real_name: false
  contact_on_file: false
public: false
message: |
  这条留言涉及个人隐私，不公开。
events:
  - {{date: 2026-11-03, type: accepted}}
  - {{date: 2026-11-03, type: assigned, unit: housing-bureau, mode: assign}}
  - {{date: 2026-11-04, type: replied, unit: housing-bureau, final: true, text: 已处理。}}
  - {{date: 2026-11-05, type: closed, outcome: resolved}}
"""


def run_build(root: Path, out: Path, *extra: str):
    """`caselog -C root build` into `out` with the repository's settings (for module fixtures)."""
    return CliRunner().invoke(main_group, ["--lang", "en", "-C", str(root), "build", "--output", str(out), "--as-of", AS_OF,
                                           "--settings", str(SETTINGS), *extra], catch_exceptions=False)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo log plus a hostile and a non-public case, built once: (root, output, result)."""
    root = tmp_path_factory.mktemp("demo")
    shutil.copytree(REPO / "cases", root / "cases")
    write_case(root, HOSTILE_ID, HOSTILE)
    write_case(root, SECRET_ID, SECRET)
    out = root / "site"
    result = run_build(root, out)
    assert result.exit_code == 0, result.output
    return root, out, result


@pytest.fixture(scope="module")
def published(demo) -> dict[str, str]:
    """Closed public cases of the demo build: id -> title."""
    root = demo[0]
    log = load_log(root)
    states = derive_all(log.cases, date.fromisoformat(AS_OF), log.registry.rules, log.registry.calendar)
    return {s.case.id: s.case.title for s in states if s.case.public and s.status == "closed"}


def text_files(out: Path):
    """(relative path, text) of every output file, the search index's buckets as their words."""
    for path in sorted(out.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(out).as_posix()
        if path.suffix == ".bin":
            cases = json.loads((path.parent.parent / "shard.json").read_text(encoding="utf-8"))["cases"]
            yield rel, "\n|\n".join(bucket_words(path.read_bytes(), cases))
            continue
        yield rel, path.read_bytes().decode("utf-8", errors="replace")


class LiveMarkup(HTMLParser):
    """Collects anything in an HTML document that would run: event handlers, javascript: URLs,
    inline scripts that call alert, and the planted <img src=x>."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._script = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                    "javascript:"):
                self.found.append(f"<{tag} {name}={value}>")
        if tag == "img" and dict(attrs).get("src") == "x":
            self.found.append("<img src=x>")
        self._script = tag == "script"

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = False

    def handle_data(self, data):
        if self._script and "alert" in data:
            self.found.append(f"<script>{data[:40]}")


def live_markup(html: str) -> list[str]:
    parser = LiveMarkup()
    parser.feed(html)
    parser.close()
    return parser.found


# --- pages ---------------------------------------------------------------------------------------


def test_build_reports_what_it_did(demo, published):
    result = demo[2]
    line = result.stdout.strip()
    assert re.fullmatch(rf"built {re.escape(str(demo[1]))}: {len(published)} case pages, \d+ files "
                        r"\(\d+ rendered, 0 unchanged, 0 removed\); pelican [\d.]+s, search [\d.]+s, "
                        r"scan [\d.]+s; search index: 2 of 2 periods rewritten", line), line


def test_one_page_per_closed_public_case(demo, published):
    out = demo[1]
    assert HOSTILE_ID in published and SECRET_ID not in published
    on_disk = {p.parent.name for p in (out / "cases").glob("*/index.html")}
    assert on_disk == set(published)
    assert (out / "cases" / "page" / "2" / "index.html").is_file()  # the list of all, 50 a page
    for case_id, title in published.items():
        page = (out / "cases" / case_id / "index.html").read_text(encoding="utf-8")
        assert case_id in page
        assert f">{escape(title)}</h1>" in page
        assert '<html lang="zh-CN"' in page


def test_open_cases_have_no_page(demo, published):
    root, out = demo[0], demo[1]
    log = load_log(root)
    open_ids = {c.id for c in log.cases} - set(published) - {SECRET_ID}
    assert open_ids  # the demo has open cases
    for case_id in open_ids:
        assert not (out / "cases" / case_id).exists()


def test_non_public_case_appears_nowhere(demo):
    out = demo[1]
    assert not (out / "cases" / SECRET_ID).exists()
    for rel, text in text_files(out):
        assert SECRET_ID not in rel
        assert SECRET_ID not in text, rel
        assert SECRET_TITLE not in text, rel
    assert SECRET_ID not in {c["id"] for c in json.loads((out / "data/cases.json").read_text())["cases"]}
    assert SECRET_ID not in (out / "data/cases.csv").read_text(encoding="utf-8-sig")
    assert SECRET_ID not in {r["service_request_id"] for r in json.loads((out / "open311/v2/requests.json").read_text())}


def test_non_public_case_is_counted_in_the_statistics(demo, published):
    root, out = demo[0], demo[1]
    stats = json.loads((out / "data/stats.json").read_text(encoding="utf-8"))
    files = [p.stem for p in (root / "cases").rglob("*.yaml") if p.parent.name != "registry"]
    received = [i for i in files if i[:8] <= AS_OF.replace("-", "")]
    november = [i for i in received if i.startswith("202611")]
    assert SECRET_ID in november
    assert stats["all"]["overall"]["received"] == len(received)
    assert stats["periods"]["2026-11"]["overall"]["received"] == len(november)
    # more received than published in November: the secret case is one of them
    assert len([i for i in published if i.startswith("202611")]) < len(november)
    housing = stats["periods"]["2026-11"]["by_unit"]["housing-bureau"]
    assert housing["received"] >= 2 and housing["closed"] >= 2


# --- hostile text --------------------------------------------------------------------------------


def test_no_page_holds_live_markup(demo):
    out = demo[1]
    for path in out.rglob("*.html"):
        html = path.read_text(encoding="utf-8")
        assert live_markup(html) == [], path.relative_to(out)
        assert "<script>alert" not in html and '" onmouseover="' not in html


def test_hostile_text_is_shown_as_text_on_its_page(demo):
    page = (demo[1] / "cases" / HOSTILE_ID / "index.html").read_text(encoding="utf-8")
    assert f">{escape(HOSTILE_TITLE)}</h1>" in page
    assert f"<title>{escape(HOSTILE_TITLE)} · " in page
    assert str(escape(HOSTILE_ALIAS)) in page
    assert "正文&lt;script&gt;alert(4)&lt;/script&gt; 和 &lt;img src=x onerror=alert(5)&gt;" in page
    assert "[点我](javascript:alert(6))" in page  # not a link: the scheme is refused
    assert "答复&lt;script&gt;alert(7)&lt;/script&gt;" in page
    assert '&lt;a href="#" onclick="alert(10)"&gt;看这里&lt;/a&gt;' in page  # quotes in text are inert


@pytest.mark.parametrize("rel", ["index.html", "cases/index.html", "months/2026-11/index.html",
                                 "units/housing-bureau/index.html", "topics/housing/index.html",
                                 "categories/complaint/index.html", "channels/mayor-mailbox/index.html"])
def test_hostile_title_is_escaped_in_lists(demo, rel):
    html = (demo[1] / rel).read_text(encoding="utf-8")
    assert f'/cases/{HOSTILE_ID}/">{escape(HOSTILE_TITLE)}</a>' in html


def test_feeds_are_well_formed_and_carry_hostile_text_as_text(demo):
    out = demo[1]
    feeds = sorted((out / "feeds").rglob("*.atom.xml"))
    units = {p.stem.removesuffix(".atom") for p in (out / "feeds" / "units").glob("*.xml")}
    topics = {p.stem.removesuffix(".atom") for p in (out / "feeds" / "topics").glob("*.xml")}
    registry = load_log(demo[0]).registry
    assert units == set(registry.units) and topics == set(registry.topics)
    for path in feeds:
        feed = ET.parse(path).getroot()  # raises on malformed XML
        assert feed.tag == f"{ATOM}feed"
        updated = feed.find(f"{ATOM}updated").text
        assert STAMP.match(updated)
        for entry in feed.findall(f"{ATOM}entry"):
            assert entry.find(f"{ATOM}published").text <= entry.find(f"{ATOM}updated").text <= updated
            case_id = entry.find(f"{ATOM}id").text.rstrip("/").rsplit("/", 1)[1]
            assert (out / "cases" / case_id / "index.html").is_file()
            assert live_markup(entry.find(f"{ATOM}content").text) == []
    root = ET.parse(out / "feeds/all.atom.xml").getroot()
    entries = root.findall(f"{ATOM}entry")
    assert 0 < len(entries) <= 30
    hostile = next(e for e in entries if HOSTILE_ID in e.find(f"{ATOM}id").text)
    assert hostile.find(f"{ATOM}title").text == HOSTILE_TITLE  # text, decoded once
    content = hostile.find(f"{ATOM}content")
    assert content.get("type") == "html"
    assert "&lt;script&gt;alert(4)&lt;/script&gt;" in content.text
    assert "<script" not in content.text and "onerror=alert(5)>" not in content.text
    assert live_markup(content.text) == []


def test_exports_keep_hostile_text_verbatim_and_inert(demo):
    out = demo[1]
    for rel in ("data/cases.json", "open311/v2/requests.json", "data/stats.json"):
        raw = (out / rel).read_text(encoding="utf-8")
        assert "<" not in raw and ">" not in raw, rel  # written as \u003c \u003e
    record = next(c for c in json.loads((out / "data/cases.json").read_text())["cases"] if c["id"] == HOSTILE_ID)
    assert (record["title"], record["author_alias"], record["area"]) == (HOSTILE_TITLE, HOSTILE_ALIAS, HOSTILE_AREA)
    assert record["message"].startswith("正文<script>alert(4)</script>")
    request = next(r for r in json.loads((out / "open311/v2/requests.json").read_text())
                   if r["service_request_id"] == HOSTILE_ID)
    assert request["description"] == record["message"]  # the message, as GeoReport's description
    assert request["extended_attributes"]["title"] == HOSTILE_TITLE
    element = next(r for r in ET.parse(out / "open311/v2/requests.xml").getroot().iterfind("request")
                   if r.findtext("service_request_id") == HOSTILE_ID)
    assert element.findtext("description") == record["message"]  # escaped in the file, text once parsed
    assert element.findtext("extended_attributes/title") == HOSTILE_TITLE
    assert "<script" not in (out / "open311/v2/requests.xml").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO((out / "data/cases.csv").read_text(encoding="utf-8-sig"))))
    row = next(r for r in rows if r["id"] == HOSTILE_ID)
    assert row["title"] == HOSTILE_TITLE
    assert row["area"] == "'" + HOSTILE_AREA  # a formula becomes text


# --- open data -----------------------------------------------------------------------------------


def test_cases_json_and_csv(demo, published):
    out = demo[1]
    data = json.loads((out / "data/cases.json").read_text(encoding="utf-8"))
    assert set(data) == {"as_of", "count", "cases"}
    assert data["as_of"] == AS_OF and data["count"] == len(data["cases"]) == len(published)
    assert {c["id"] for c in data["cases"]} == set(published)
    for record in data["cases"]:
        assert list(record) == [*CSV_FIELDS, "author_alias", "message", "final_reply"]
        assert record["url"] == f"/cases/{record['id']}/"
        assert record["closed_on"] <= AS_OF
    raw = (out / "data/cases.csv").read_bytes()
    assert raw.startswith("\ufeff".encode())
    reader = csv.reader(io.StringIO(raw.decode("utf-8-sig")))
    header = next(reader)
    assert header == ["id", "title", "received", "channel", "category", "topics", "area", "unit", "accepted_on",
                      "first_reply_due", "first_reply_on", "final_reply_due", "final_reply_on",
                      "final_reply_on_time", "workdays_to_final_reply", "closed_on", "outcome", "satisfaction",
                      "reopen_count", "url"]
    assert sorted(row[0] for row in reader) == sorted(published)


def test_stats_json_structure(demo):
    stats = json.loads((demo[1] / "data/stats.json").read_text(encoding="utf-8"))
    assert set(stats) == {"all", "as_of", "periods", "unit_ranking"}
    assert stats["as_of"] == AS_OF
    report_keys = {"period", "as_of", "overall", "by_unit", "by_topic", "by_channel", "by_category", "by_month"}
    figure_keys = {"received", "answerable", "replied", "closed", "open", "overdue", "reopened", "unclassified",
                   "reply_rate",
                   "first_reply_on_time", "final_reply_on_time", "satisfaction", "unreachable",
                   "first_reply_days_median", "first_reply_days_p90", "final_reply_days_median",
                   "final_reply_days_p90", "enough"}
    assert set(stats["all"]) == report_keys and stats["all"]["period"] == "all"
    assert set(stats["all"]["overall"]) == figure_keys
    assert set(stats["all"]["overall"]["reply_rate"]) == {"k", "n", "value", "low", "high"}
    assert {"2025", "2026", "2026-Q4", "2026-11", "2025-09"} <= set(stats["periods"])
    for label, report in stats["periods"].items():
        assert set(report) == report_keys and report["period"] == label
    ranking = stats["unit_ranking"]
    assert ranking["period"] == "2026"
    year_units = stats["periods"]["2026"]["by_unit"]
    assert sorted(ranking["ranked"] + ranking["too_few_cases"]) == sorted(year_units)
    assert all(year_units[k]["enough"] for k in ranking["ranked"])
    assert not any(year_units[k]["enough"] for k in ranking["too_few_cases"])
    lows = [year_units[k]["final_reply_on_time"]["low"] or 0 for k in ranking["ranked"]]
    assert lows == sorted(lows, reverse=True)


def test_open311_requests(demo, published):
    out = demo[1]
    rows = json.loads((out / "open311/v2/requests.json").read_text(encoding="utf-8"))
    registry = load_log(demo[0]).registry
    assert {r["service_request_id"] for r in rows} == set(published)
    for row in rows:
        assert set(row) == {"service_request_id", "status", "status_notes", "service_name", "service_code",
                            "description", "agency_responsible", "service_notice", "requested_datetime",
                            "updated_datetime", "expected_datetime", "address", "address_id", "zipcode",
                            "lat", "long", "media_url", "extended_attributes"}
        assert row["status"] == "closed"  # only closed cases are published
        assert row["status_notes"]
        # a case closed before any assignment (a repeat message) has no responsible unit
        assert row["agency_responsible"] in {None} | {u.name for u in registry.units.values()}
        for key in ("requested_datetime", "updated_datetime"):
            assert STAMP.match(row[key]), (key, row[key])
        assert row["requested_datetime"] <= row["updated_datetime"]
        # a reply on time is fulfilled by the end of the deadline's day; a late one after it
        on_time = row["extended_attributes"]["final_reply_on_time"]
        if on_time is None:  # closed without needing a reply (a repeat, a withdrawn message)
            assert row["expected_datetime"] is None
        else:
            assert STAMP.match(row["expected_datetime"])
            assert (row["updated_datetime"] <= row["expected_datetime"]) == on_time, row["service_request_id"]
    assert {r["extended_attributes"]["final_reply_on_time"] for r in rows} == {True, False, None}
    hostile = next(r for r in rows if r["service_request_id"] == HOSTILE_ID)
    assert hostile["requested_datetime"] == "2026-11-02T10:00:00+08:00"
    assert hostile["updated_datetime"] == "2026-11-03T00:00:00+08:00"  # the final reply
    assert hostile["expected_datetime"] == "2026-11-23T23:59:59+08:00"  # 11-02 + 15 working days, all day
    assert hostile["agency_responsible"] == "青溪县住房和城乡建设局"
    assert hostile["status_notes"] == "已解决；2026-11-03 按期答复"


def test_a_build_without_a_site_url_has_no_sitemap(demo):
    out = demo[1]
    assert not (out / "sitemap.xml").exists()  # the protocol allows absolute URLs only
    assert (out / "robots.txt").read_text(encoding="utf-8") == "User-agent: *\nAllow: /\n"


def test_search_index_finds_cases_by_id(demo):
    out = demo[1]
    fragments = {rel: json.loads(text) for rel, text in text_files(out)
                 if re.fullmatch(r"search-index/\d{4}/f/\d+\.json", rel)}
    by_id = {f["id"]: (rel, f) for rel, f in fragments.items()}
    case_pages = [p.parent.name for p in (out / "cases").glob("2*/index.html")]
    assert len(by_id) == len(fragments) == len(case_pages)  # each case once, in one shard
    words = {}  # shard -> word -> the shard's numbers of the cases holding it
    for shard in (out / "search-index").iterdir():
        if shard.is_dir():
            cases = json.loads((shard / "shard.json").read_text(encoding="utf-8"))["cases"]
            words[shard.name] = {w: n for b in (shard / "b").iterdir() for w, n in bucket_words(b.read_bytes(), cases).items()}
    for case_id in case_pages:  # every case page is indexed, with its number among its words
        rel, fragment = by_id[case_id]
        shard, number = rel.split("/")[1], int(rel.split("/")[3].removesuffix(".json"))
        assert number in words[shard][case_id.lower()]
        assert number in words[shard]["\x01id:" + case_id.lower()]
        assert shard == fragment["day"][:4]  # in the shard of the year it was received
    hostile = by_id[HOSTILE_ID][1]
    assert hostile["title"] == plain_label(HOSTILE_TITLE)  # no markup character (publication.py)


def test_methodology_page(demo):
    html = (demo[1] / "methodology" / "index.html").read_text(encoding="utf-8")
    assert "<h1>统计口径说明</h1>" in html
    assert "10 月 9 日" in html and "10 月 22 日" in html


# --- the build fails loudly --------------------------------------------------------------------------

CLOSED = """\
id: {id}
title: {title}
received: {day} 09:00
channel: mayor-mailbox
category: help
topics: [{topic}]
author:
  alias: 路过的网友
  real_name: false
  contact_on_file: false
public: {public}
message: |
  {message}
events:
  - {{date: {day}, type: accepted}}
  - {{date: {day}, type: assigned, unit: {unit}, mode: assign}}
  - {{date: {replied}, type: replied, unit: {unit}, final: true, text: 已处理。}}
  - {{date: {replied}, type: closed, outcome: resolved}}
"""

SMALL = {
    "20260105-B0T1ME": dict(title="公交站台遮雨棚破损", day="2026-01-05", replied="2026-01-09", topic="transport",
                            unit="transport-bureau", message="站台遮雨棚破了一个大洞。", public="true"),
    "20260210-C1ATE0": dict(title="小区电梯长期停运", day="2026-02-10", replied="2026-02-26", topic="housing",
                            unit="yueyanglou-housing", message="电梯停了一个月。", public="true"),
}


@pytest.fixture
def small_root(log_root):
    """The test registry and two closed public cases.

    The fixture's open case goes: its id, 20260302-K7Q2MD, is the example the search page gives, and
    the leak scan rightly refuses an output that names a case without a page."""
    (log_root / "cases" / "2026" / "03" / "20260302-K7Q2MD.yaml").unlink()
    for case_id, fields in SMALL.items():
        write_case(log_root, case_id, CLOSED.format(id=case_id, **fields))
    return log_root


def build(cli, root, out, *extra):
    return cli(root, "build", "--output", str(out), "--as-of", AS_OF, "--settings", str(SETTINGS), *extra)


def test_build_fails_on_an_invalid_case(small_root, cli, tmp_path):
    text = CLOSED.format(id="20260301-BAD111", **{**SMALL["20260105-B0T1ME"], "day": "2026-03-01",
                                                   "replied": "2026-03-02", "unit": "transport-burea"})
    write_case(small_root, "20260301-BAD111", text)
    result = build(cli, small_root, tmp_path / "out")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "cases/2026/03/20260301-BAD111.yaml:16: events[1].unit: unknown unit 'transport-burea' "
        "(did you mean 'transport-bureau'?)",
        "cases/2026/03/20260301-BAD111.yaml:17: events[2].unit: unknown unit 'transport-burea' "
        "(did you mean 'transport-bureau'?)",
        "2 problem(s) to fix first ('caselog validate' lists every problem of the log)",
    ]
    assert not (tmp_path / "out" / "cases").exists()


def test_build_fails_on_an_unmasked_phone_number(small_root, cli, tmp_path):
    text = CLOSED.format(id="20260301-PH0NE1", **{**SMALL["20260105-B0T1ME"], "day": "2026-03-01",
                                                   "replied": "2026-03-02", "message": "有事请打我电话13812345678。"})
    write_case(small_root, "20260301-PH0NE1", text)
    result = build(cli, small_root, tmp_path / "out")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "cases/2026/03/20260301-PH0NE1.yaml:13: message: unmasked 手机号码 (mobile) '13812345678'; "
        "run 'caselog mask 20260301-PH0NE1' to mask it",
        "1 problem(s) to fix first ('caselog validate' lists every problem of the log)",
    ]


def _settings_with_content(tmp_path: Path, pages: dict[str, str]) -> Path:
    """A settings file that is the repository's, with a content folder of our own."""
    content = tmp_path / "content" / "pages"
    content.mkdir(parents=True)
    for name in ("about.md", "methodology.md"):
        shutil.copy(REPO / "content" / "pages" / name, content / name)
    for name, text in pages.items():
        (content / name).write_text(text, encoding="utf-8")
    settings = tmp_path / "settings.py"
    settings.write_text("import runpy\n"
                        f"globals().update({{k: v for k, v in runpy.run_path({str(SETTINGS)!r}).items() "
                        "if k.isupper()})\n"
                        f"PATH = {str(tmp_path / 'content')!r}\n", encoding="utf-8")
    return settings


@pytest.mark.parametrize(("page", "message"), [
    ("Title: 坏链接\nSlug: broken\n\n见[不存在的页面]({filename}/pages/missing.md)。\n",
     "  warning: Unable to find '/pages/missing.md', skipping url replacement."),
    ("Slug: untitled\n\n这一页没有标题。\n",
     "  error: Skipping {path}: could not find information about 'title'"),
])
def test_build_fails_on_a_pelican_warning(small_root, cli, tmp_path, page, message):
    settings = _settings_with_content(tmp_path, {"broken.md": page})
    result = cli(small_root, "build", "--output", str(tmp_path / "out"), "--as-of", AS_OF,
                 "--settings", str(settings))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == "error: Pelican reported problems (the build fails on any warning):"
    assert message.format(path=tmp_path / "content" / "pages" / "broken.md") in lines[1:]


def test_build_fails_when_a_content_page_leaks_personal_data(small_root, cli, tmp_path):
    settings = _settings_with_content(tmp_path, {"contact.md": "Title: 联系我们\nSlug: contact\n\n值班电话 13812345678\n"})
    result = cli(small_root, "build", "--output", str(tmp_path / "out"), "--as-of", AS_OF, "--no-search",
                 "--settings", str(settings))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: the built site leaks 1 item(s); it must not be published:",
        "  contact/index.html: unmasked 手机号码 (mobile) '13812345678'",
    ]


def test_build_fails_when_case_pages_and_cases_disagree(small_root, cli, tmp_path):
    out = tmp_path / "out"
    assert build(cli, small_root, out, "--no-search").exit_code == 0
    stray = out / "cases" / "20250101-0LD000" / "index.html"
    stray.parent.mkdir()
    stray.write_text("<h1>an old page</h1>", encoding="utf-8")
    result = build(cli, small_root, out, "--no-search")
    assert result.exit_code == 1
    assert result.stderr == (f"error: 3 case pages in {out}/cases but 2 closed public cases: the output is out of "
                             "step with the case log (rebuild with --clean)\n")
    assert build(cli, small_root, out, "--no-search", "--clean").exit_code == 0
    assert not stray.exists()


# --- the leak scanner --------------------------------------------------------------------------------


def test_scan_output_finds_planted_personal_data(tmp_path):
    out = tmp_path / "out"
    (out / "cases" / "20260101-AAAAAA").mkdir(parents=True)
    (out / "cases" / "20260101-AAAAAA" / "index.html").write_text(
        "<p>联系电话 <b>13812345678</b>，已脱敏的 138****5678 不算</p>", encoding="utf-8")
    (out / "data").mkdir()
    (out / "data" / "cases.json").write_text('{"note": "身份证 11010519491231002X"}', encoding="utf-8")
    (out / "data" / "cases.csv").write_text("id,title\nx,车牌湘A12345\n", encoding="utf-8")
    (out / "feeds").mkdir()
    (out / "feeds" / "all.atom.xml").write_text("<feed><title>找 zhang.san@example.com</title></feed>",
                                                encoding="utf-8")
    (out / "search-index" / "2026" / "f").mkdir(parents=True)
    (out / "search-index" / "2026" / "f" / "3.json").write_text('{"texts":["座机 0730-8123456"]}', encoding="utf-8")
    (out / "search-index" / "2026" / "b").mkdir()
    (out / "search-index" / "2026" / "shard.json").write_text('{"cases": 1}', encoding="utf-8")
    (out / "search-index" / "2026" / "b" / "0.bin").write_bytes(  # the word of a number, case 0
        bytes([11]) + ("1381234" + "5678").encode() + bytes([1, 0b1]))  # one case: a bitmap
    (out / "charts.svg").write_text("<svg><text>QQ 123456789</text></svg>", encoding="utf-8")
    (out / "ok.html").write_text("<p>督办〔2026〕12号，工单 2026031200001</p>", encoding="utf-8")
    leaks = [str(leak) for leak in scan_output(out, set(), set())]
    assert leaks == [
        "cases/20260101-AAAAAA/index.html: unmasked 手机号码 (mobile) '13812345678'",
        "charts.svg: unmasked QQ号 (qq) '123456789'",
        "data/cases.csv: unmasked 车牌号 (plate) '湘A12345'",
        "data/cases.json: unmasked 身份证号 (id-card) '11010519491231002X'",
        "feeds/all.atom.xml: unmasked 电子邮箱 (email) 'zhang.san@example.com'",
        "search-index/2026/b/0.bin: unmasked 手机号码 (mobile) '13812345678'",
        "search-index/2026/f/3.json: unmasked 固定电话 (landline) '0730-8123456'",
    ]


def test_scan_output_finds_traces_of_non_public_cases(tmp_path):
    out = tmp_path / "out"
    (out / "cases" / SECRET_ID).mkdir(parents=True)  # an empty directory still names the case
    (out / "index.html").write_text(f"<a href='/cases/{SECRET_ID}/'>{SECRET_TITLE}</a>", encoding="utf-8")
    (out / "list.html").write_text("<p>短标题</p>", encoding="utf-8")
    leaks = [str(leak) for leak in scan_output(out, {SECRET_ID}, {SECRET_TITLE, "短标题"})]
    assert leaks == [
        f"cases/{SECRET_ID}: path named after non-public case {SECRET_ID}",
        f"index.html: id of non-public case {SECRET_ID}",
        f"index.html: title of a non-public case '{SECRET_TITLE}'",
    ]  # titles under 6 characters are too common to scan for


# --- incremental builds --------------------------------------------------------------------------------


def _manifest(root: Path) -> dict[str, str | None]:
    return pickle.loads((root / ".caselog" / "site-manifest.pickle").read_bytes())["files"]


def _counts(stdout: str) -> tuple[int, int, int, int]:
    m = re.search(r": (\d+) case pages, \d+ files \((\d+) rendered, (\d+) unchanged, (\d+) removed\)", stdout)
    return tuple(int(g) for g in m.groups())


def test_incremental_builds_render_only_what_changed(small_root, cli, tmp_path):
    out = tmp_path / "out"
    first = build(cli, small_root, out, "--no-search")
    assert first.exit_code == 0, first.output
    before = _manifest(small_root)
    # pages that show as_of (the data files have no fingerprint either, but are not rendered pages)
    always = sum(1 for rel, key in before.items() if key is None and rel.endswith(".html"))
    # each case's own Open311 files are data, not pages: fingerprinted, but not counted as rendered
    requests = "open311/v2/requests/"
    fingerprinted = sum(1 for rel, key in before.items() if key is not None and not rel.startswith(requests))
    assert sorted(rel for rel in before if rel.startswith(requests)) == [
        f"{requests}{case_id}.{suffix}" for case_id in ("20260105-B0T1ME", "20260210-C1ATE0")
        for suffix in ("json", "xml")]
    assert _counts(first.stdout) == (2, always + fingerprinted, 0, 0)

    second = build(cli, small_root, out, "--no-search")
    assert _counts(second.stdout) == (2, always, fingerprinted, 0)  # no case page rendered
    assert _manifest(small_root) == before

    path = small_root / "cases" / "2026" / "02" / "20260210-C1ATE0.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("电梯停了一个月。", "电梯停了两个月。"),
                    encoding="utf-8")
    third = build(cli, small_root, out, "--no-search")
    after = _manifest(small_root)
    changed = sorted(p for p, key in after.items() if key is not None and key != before.get(p))
    assert [p for p in changed if p.startswith(requests)] == [
        f"{requests}20260210-C1ATE0.json", f"{requests}20260210-C1ATE0.xml"]
    assert "电梯停了两个月。" in (out / requests / "20260210-C1ATE0.json").read_text(encoding="utf-8")
    changed = [p for p in changed if not p.startswith(requests)]
    case_pages = [p for p in changed if re.fullmatch(r"cases/\d{8}-\w{6}/index\.html", p)]
    assert case_pages == ["cases/20260210-C1ATE0/index.html"]
    # and the lists and feeds that show it (a list's fingerprint holds its cases' fingerprints:
    # the row it shows comes from the file, as the page does), not the others
    assert set(changed) - set(case_pages) == {
        "cases/index.html", "topics/housing/index.html", "categories/help/index.html",
        "channels/mayor-mailbox/index.html", "months/2026-02/index.html", "feeds/all.atom.xml",
        "feeds/units/yueyanglou-housing.atom.xml", "feeds/topics/housing.atom.xml"}
    assert "cases/20260105-B0T1ME/index.html" not in changed
    assert _counts(third.stdout) == (2, always + len(changed), fingerprinted - len(changed), 0)
    assert "电梯停了两个月。" in (out / "cases" / "20260210-C1ATE0" / "index.html").read_text(encoding="utf-8")


def test_only_a_units_first_page_is_rendered_on_every_build(demo_root, cli, tmp_path, monkeypatch):
    from caselog.site import pages

    monkeypatch.setattr(pages, "PER_PAGE", 2)
    assert build(cli, demo_root, tmp_path / "out", "--no-search").exit_code == 0
    unit_pages = {p: key for p, key in _manifest(demo_root).items()
                  if p.startswith("units/") and p != "units/index.html"}
    first = {p for p in unit_pages if p.count("/") == 2}
    later = set(unit_pages) - first
    assert later, "a unit with more than one page of cases"
    assert all(unit_pages[p] is None for p in first)  # figures as of today
    assert all(unit_pages[p] is not None for p in later)  # cases only: skipped when unchanged


def test_a_case_made_non_public_loses_its_page(small_root, cli, tmp_path):
    out = tmp_path / "out"
    assert build(cli, small_root, out).exit_code == 0
    page = out / "cases" / "20260210-C1ATE0" / "index.html"
    assert page.is_file()
    path = small_root / "cases" / "2026" / "02" / "20260210-C1ATE0.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("public: true", "public: false"), encoding="utf-8")
    result = build(cli, small_root, out)
    assert result.exit_code == 0, result.output
    case_pages, _rendered, _unchanged, removed = _counts(result.stdout)
    assert case_pages == 1 and removed >= 1
    assert not page.parent.exists()  # no page and no empty directory
    for rel, text in text_files(out):
        assert "20260210-C1ATE0" not in rel and "20260210-C1ATE0" not in text, rel
        assert "小区电梯长期停运" not in text, rel


def test_a_new_as_of_reaches_every_page_that_shows_it(small_root, cli, tmp_path):
    out = tmp_path / "out"
    assert build(cli, small_root, out, "--no-search").exit_code == 0
    result = cli(small_root, "build", "--output", str(out), "--as-of", "2026-11-24", "--settings", str(SETTINGS),
                 "--no-search")
    assert result.exit_code == 0
    for path in out.rglob("*.html"):
        assert AS_OF not in path.read_text(encoding="utf-8"), path.relative_to(out)
    assert "2026-11-24" in (out / "index.html").read_text(encoding="utf-8")


def test_events_after_as_of_are_not_shown_yet(small_root, cli, tmp_path):
    path = small_root / "cases" / "2026" / "01" / "20260105-B0T1ME.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "  - {date: 2026-11-30, type: visited, method: phone, "
                    "satisfaction: satisfied, note: 回访时遮雨棚已经修好。}\n", encoding="utf-8")
    out = tmp_path / "out"
    page = out / "cases" / "20260105-B0T1ME" / "index.html"

    def record():
        return next(c for c in json.loads((out / "data/cases.json").read_text())["cases"]
                    if c["id"] == "20260105-B0T1ME")

    assert build(cli, small_root, out, "--no-search").exit_code == 0
    assert "回访时遮雨棚已经修好" not in page.read_text(encoding="utf-8")
    assert record()["satisfaction"] is None
    later = cli(small_root, "build", "--output", str(out), "--as-of", "2026-11-30", "--settings", str(SETTINGS),
                "--no-search")
    assert later.exit_code == 0
    assert "回访时遮雨棚已经修好" in page.read_text(encoding="utf-8")  # re-rendered, not skipped
    assert record()["satisfaction"] == "satisfied"


# --- reproducible ------------------------------------------------------------------------------------

def _hashes(out: Path) -> dict[str, str]:
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file()}


def test_same_commit_and_as_of_build_the_same_site(demo_root, tmp_path):
    git = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", "-c", "commit.gpgsign=false"]
    subprocess.run([*git, "init", "-q"], cwd=demo_root, check=True)
    subprocess.run([*git, "add", "cases"], cwd=demo_root, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "Demo"], cwd=demo_root, check=True)
    outputs = []
    for name in ("a", "b"):  # separate processes, as two CI runs would be
        out = tmp_path / name
        done = subprocess.run([sys.executable, "-c", "from caselog.cli import main; main()",
                               "-C", str(demo_root), "build", "--output", str(out),
                               "--as-of", AS_OF, "--settings", str(SETTINGS), "--clean"],
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        outputs.append(_hashes(out))
    a, b = outputs
    assert len(a) == len(b) > 200
    differ = sorted(p for p in set(a) | set(b) if a.get(p) != b.get(p))
    assert differ == []
    assert sum(1 for p in a if p.startswith("search-index/")) > 100
    # the commit shows on the case pages, so history was really read
    page = next((tmp_path / "a" / "cases").glob("2*/index.html")).read_text(encoding="utf-8")
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=demo_root, capture_output=True, text=True)
    assert head.stdout.strip() in page


def test_a_commit_hash_of_digits_after_a_date_is_no_id_card(small_root, cli, tmp_path, monkeypatch):
    # "2025-09-29 0507105d7" read as one run of digits is an old 15-digit ID card number: the
    # history shows the hash after the words, so no page reads that way (seen at 100,000 cases)
    from caselog import history
    from caselog.history import CommitInfo

    commits = (CommitInfo("0507105d7" + "0" * 31, "0507105d7", date(2025, 9, 29), "登记"),)
    monkeypatch.setattr(history, "load_history",
                        lambda root, timezone: {"cases/2026/01/20260105-B0T1ME.yaml": commits})
    result = build(cli, small_root, tmp_path / "out", "--no-search")
    assert result.exit_code == 0, result.stderr
    page = (tmp_path / "out" / "cases" / "20260105-B0T1ME" / "index.html").read_text(encoding="utf-8")
    assert "<code>0507105d7</code>" in page


# --- in a real browser ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def served(demo):
    """The demo build on a local HTTP server (search fetches its index, so file:// will not do)."""
    with serve_directory(demo[1]) as base:
        yield base


@pytest.mark.browser
def test_no_hostile_script_runs_in_the_browser(served):
    sync_api = pytest.importorskip("playwright.sync_api")
    chromium = find_chromium()
    if chromium is None:
        pytest.skip("no Chromium-family browser installed")
    dialogs: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page()
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        for path in (f"/cases/{HOSTILE_ID}/", "/cases/", "/months/2026-11/", "/units/housing-bureau/", "/"):
            page.goto(served + path)
            page.wait_for_load_state("load")
        page.goto(f"{served}/cases/{HOSTILE_ID}/")
        assert page.locator("h1").first.inner_text() == HOSTILE_TITLE  # shown as the text it is
        page.hover("h1")
        page.goto(f"{served}/search/?q=恶意标题")
        results = page.locator("#search-results li")
        results.first.wait_for(timeout=30000)
        assert plain_label(HOSTILE_TITLE) in results.first.inner_text()  # shown as text, no markup
        page.hover("#search-results li")
        browser.close()
    assert dialogs == []


def _settle(out):
    """Date the output back, as a later build finds it."""
    for path in out.rglob("*"):
        stamp = path.stat().st_mtime - 60
        os.utime(path, (stamp, stamp))


def test_scan_reads_again_only_what_changed_unless_what_it_looks_for_changed(tmp_path, monkeypatch):
    out, state = tmp_path / "out", tmp_path / "scan.json"
    (out / "cases" / "20261103-PUBLIC").mkdir(parents=True)
    page = out / "cases" / "20261103-PUBLIC" / "index.html"
    page.write_text(f"<h1>{SECRET_TITLE}</h1>", encoding="utf-8")
    (out / "index.html").write_text("<p>首页</p>", encoding="utf-8")
    _settle(out)
    assert scan_output(out, {SECRET_ID}, {"另一条不公开留言的标题"}, state_path=state) == []
    # a page that passed and has not changed is not read again while the secrets are the same
    monkeypatch.setattr(scan, "_text_of", lambda path: pytest.fail(f"read {path}"))
    assert scan_output(out, {SECRET_ID}, {"另一条不公开留言的标题"}, state_path=state) == []
    monkeypatch.undo()
    # a new non-public case: its title may be in any page that passed before, so all are read
    leaks = scan_output(out, {SECRET_ID, "20261104-NEWONE"}, {"另一条不公开留言的标题", SECRET_TITLE},
                        state_path=state)
    assert [str(leak) for leak in leaks] == [
        f"cases/20261103-PUBLIC/index.html: title of a non-public case '{SECRET_TITLE}'"]
    # the published case is withdrawn: its title may be anywhere, so every page is read again
    leaks = scan_output(out, {"20261103-PUBLIC"}, {SECRET_TITLE}, state_path=state)
    assert [str(leak) for leak in leaks] == [
        "cases/20261103-PUBLIC: path named after non-public case 20261103-PUBLIC",
        f"cases/20261103-PUBLIC/index.html: title of a non-public case '{SECRET_TITLE}'"]


def test_scan_on_two_cores_finds_the_same(tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    for index in range(40):
        text = f"<p>{SECRET_TITLE}</p>" if index % 7 == 0 else f"<p>第{index}页</p>"
        (out / f"p{index:02}.html").write_text(text, encoding="utf-8")
    serial = scan_output(out, {SECRET_ID}, {SECRET_TITLE}, jobs=1)
    monkeypatch.setattr(scan, "PARALLEL_MIN_FILES", 0)
    assert scan_output(out, {SECRET_ID}, {SECRET_TITLE}, jobs=2) == serial
    assert len(serial) == 6


def test_pages_rendered_on_two_cores_are_the_pages_rendered_on_one(demo_root, tmp_path, monkeypatch):
    from caselog.site import writer
    from caselog.site.build import build_site

    settings = REPO / "pelicanconf.py"
    build_site(demo_root, tmp_path / "one", date(2026, 11, 23), settings_file=settings, search=False)
    monkeypatch.setattr(writer, "PARALLEL_MIN_PAGES", 0)
    monkeypatch.setattr(writer, "FORK_BLOCK", 7)  # blocks of 7 pages, each in a process of its own
    shutil.rmtree(demo_root / ".caselog", ignore_errors=True)  # render every page again
    build_site(demo_root, tmp_path / "two", date(2026, 11, 23), settings_file=settings, search=False)

    def files(root):
        return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}

    one, two = files(tmp_path / "one"), files(tmp_path / "two")
    assert len(one) > 200
    assert one == two


def test_forked_blocks_each_have_a_process_of_their_own():
    from caselog.site.forking import fork_slices

    def work(items):
        return (os.getpid(), list(items))

    blocks = fork_slices(work, list(range(10)), 2, block=3)
    assert [items for _pid, items in blocks] == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]
    pids = {pid for pid, _items in blocks}
    assert len(pids) == 4 and os.getpid() not in pids  # each block in a process of its own
    assert [part[1] for part in fork_slices(work, "abcde", 2)] == [["a", "c", "e"], ["b", "d"]]


# --- open data joined from per-case fragments ----------------------------------------------------------


def test_exports_joined_from_fragments_are_the_json_and_csv_of_the_whole(demo):
    from caselog.site import exports, open311
    from caselog.site.model import load_site_data

    root, out, _ = demo
    data = load_site_data(root, date.fromisoformat(AS_OF), with_history=False)
    records = [exports.case_record(data, s, "") for s in data.published]
    whole = {"as_of": AS_OF, "count": len(records), "cases": records}
    assert (out / "data/cases.json").read_text(encoding="utf-8") == exports._json(whole, indent=1)
    assert (out / "open311/v2/requests.json").read_text(encoding="utf-8") == exports._json(
        [open311.request_row(data, s, "") for s in data.published], indent=1)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=exports.CSV_FIELDS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for record in records:
        writer.writerow({k: exports._csv_cell(";".join(v) if k == "topics" else v) for k, v in record.items()})
    assert (out / "data/cases.csv").read_text(encoding="utf-8") == "\ufeff" + buffer.getvalue()
    empty = b"".join(exports.cases_json(data, []))
    assert json.loads(empty) == {"as_of": AS_OF, "count": 0, "cases": []}
    assert open311.requests_json([]) == exports._json([], indent=1)


def test_export_fragments_are_kept_between_builds_and_made_again_when_needed(small_root, cli, tmp_path,
                                                                             monkeypatch):
    from caselog.site import export_cache

    made = []
    real = export_cache.case_fragments
    monkeypatch.setattr(export_cache, "case_fragments",
                        lambda data, state, url: made.append(state.case.id) or real(data, state, url))
    out = tmp_path / "out"
    assert build(cli, small_root, out, "--no-search").exit_code == 0
    assert sorted(made) == sorted(SMALL)
    before = (out / "data/cases.json").read_text(encoding="utf-8")
    state = small_root / ".caselog" / "exports" / "state.pickle"
    saved = state.stat().st_mtime_ns
    made.clear()
    assert build(cli, small_root, out, "--no-search").exit_code == 0
    assert made == [] and (out / "data/cases.json").read_text(encoding="utf-8") == before
    assert state.stat().st_mtime_ns == saved  # nothing changed: nothing rewritten
    shards = small_root / ".caselog" / "exports"
    january = (shards / "202601.fragments").stat().st_mtime_ns
    path = small_root / "cases" / "2026" / "02" / "20260210-C1ATE0.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("电梯停了一个月。", "电梯停了两个月。"),
                    encoding="utf-8")
    assert build(cli, small_root, out, "--no-search").exit_code == 0
    assert made == ["20260210-C1ATE0"]
    assert (shards / "202601.fragments").stat().st_mtime_ns == january  # only February's shard rewritten
    assert "电梯停了两个月。" in (out / "data/cases.json").read_text(encoding="utf-8")
    # a case published before and non-public now: every record is checked again (not made again)
    made.clear()
    checked = []
    real_check = export_cache._check
    monkeypatch.setattr(export_cache, "_check", lambda items, secrets, new: checked.extend(
        (i, before) for i, _, before in items) or real_check(items, secrets, new))
    path.write_text(path.read_text(encoding="utf-8").replace("public: true", "public: false"), encoding="utf-8")
    assert build(cli, small_root, out, "--no-search").exit_code == 0
    assert made == [] and checked == [("20260105-B0T1ME", True)]  # for the new secrets only
    assert "20260210-C1ATE0" not in (out / "data/cases.json").read_text(encoding="utf-8")


def test_a_trace_in_an_export_record_fails_the_build_and_names_the_case(small_root, cli, tmp_path):
    fields = dict(SMALL["20260210-C1ATE0"], public="false", title="不公开的这条留言标题")
    write_case(small_root, "20260210-C1ATE0", CLOSED.format(id="20260210-C1ATE0", **fields))
    cites = dict(SMALL["20260105-B0T1ME"], message="与20260210-C1ATE0反映的是同一件事。")
    write_case(small_root, "20260105-B0T1ME", CLOSED.format(id="20260105-B0T1ME", **cites))
    result = build(cli, small_root, tmp_path / "out", "--no-search")
    assert result.exit_code != 0
    assert ("data/cases.json: id of non-public case 20260210-C1ATE0 (in the record of case 20260105-B0T1ME)"
            in result.output)
    assert "cases/20260105-B0T1ME/index.html: id of non-public case 20260210-C1ATE0" in result.output


def test_pages_checked_when_rendered_are_not_read_back_by_the_scan(small_root, cli, tmp_path, monkeypatch):
    read = []
    real = scan._text_of
    out = tmp_path / "out"
    monkeypatch.setattr(scan, "_text_of", lambda path: read.append(path.relative_to(out).as_posix()) or real(path))
    assert build(cli, small_root, out, "--no-search").exit_code == 0
    assert (out / "cases" / "20260105-B0T1ME" / "index.html").is_file()
    # checked before they were written: rendered pages, feeds, the case exports
    for rel in ("cases/20260105-B0T1ME/index.html", "index.html", "feeds/all.atom.xml", "data/cases.json"):
        assert rel not in read
    assert "theme/css/site.css" in read and "about/index.html" in read  # not rendered by caselog: read

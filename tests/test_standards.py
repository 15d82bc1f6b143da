"""The built demo portal as others read it: independent validators, Open311 and feed clients, and
a citizen reading the pages.

The validators come from npm (tests/validators, installed by scripts/setup.sh): the Nu Html
Checker (the W3C's vnu.jar) runs once over the whole build in one JVM, and axe-core's WCAG 2.1 AA
rules run in Debian's Chromium on a fixed list of page types at a desktop and a phone width.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from urllib.parse import quote

import pytest
from click.testing import CliRunner
from conftest import DEMO_AS_OF, REPO, find_chromium, serve_directory

from caselog.cli import main_group

AS_OF = DEMO_AS_OF
VALIDATORS = REPO / "tests" / "validators" / "node_modules"
VNU = VALIDATORS / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE = VALIDATORS / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
ELEVATOR = "20251013-QJQ5PJ"  # instructed, supervised, extended, with an interim reply
LATE = "20251203-Y26WDF"  # reopened, then answered late
REPEAT = "20251106-4CHD3H"  # a repeat of ELEVATOR that also names it as related
SITE_URL = "https://qingxi.example.org/portal"
ATOM = "{http://www.w3.org/2005/Atom}"
STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$")
# one page of each type a citizen meets
PAGES = ["/", f"/cases/{ELEVATOR}/", f"/cases/{LATE}/", "/cases/", "/units/", "/units/housing-bureau/",
         "/stats/", "/reports/", "/reports/2026-Q3/", "/hot/", "/search/?q=" + quote("电梯"), "/process/",
         "/methodology/", "/data/", "/404.html"]


def _missing(path) -> str:
    return f"{path} is missing: run `bash scripts/setup.sh` (it installs tests/validators with npm)"


def build_demo(root, settings, *extra):
    shutil.copytree(REPO / "cases", root / "cases")
    out = root / "site"
    result = CliRunner().invoke(main_group, [
        "-C", str(root), "build", "--output", str(out), "--as-of", AS_OF, "--settings", str(settings),
        *extra], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def site(demo_site):
    """The demo portal as developers build it (no site URL), with its search index: the output."""
    return demo_site


@pytest.fixture(scope="module")
def published_site(tmp_path_factory):
    """The demo portal built for its public address (SITEURL set), without search: the output."""
    root = tmp_path_factory.mktemp("published")
    settings = root / "publishconf.py"
    settings.write_text(f"import sys\nsys.path.insert(0, {str(REPO)!r})\nfrom pelicanconf import *  # noqa\n"
                        f"SITEURL = {SITE_URL!r}\n", encoding="utf-8")
    return build_demo(root, settings, "--no-search")


def test_every_page_is_valid_html(site):
    java = shutil.which("java")
    assert java, "no java: run `bash scripts/setup.sh` (Debian's default-jre-headless)"
    assert VNU.is_file(), _missing(VNU)
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 150
    done = subprocess.run([java, "-jar", str(VNU), "--format", "json", "--skip-non-html", str(site)],
                          capture_output=True, text=True, check=False, timeout=600)
    messages = json.loads(done.stderr)["messages"]  # vnu writes its report to stderr
    findings = [f"{m.get('url', '').split(str(site))[-1]}:{m.get('lastLine')}: {m['type']}"
                f"{'/' + m['subType'] if m.get('subType') else ''}: {m['message']}" for m in messages]
    assert findings == [], f"{len(findings)} findings, the first:\n" + "\n".join(findings[:20])


@pytest.fixture(scope="module")
def served(site):
    with serve_directory(site) as base:
        yield base


@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 375])
def test_no_wcag_21_aa_violations(served, width):
    chromium = find_chromium()
    assert chromium, "no Chromium: apt-get install chromium, or set CASELOG_CHROMIUM"
    assert AXE.is_file(), _missing(AXE)
    from playwright.sync_api import sync_playwright

    axe = AXE.read_text(encoding="utf-8")
    found = []
    checked = 0
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": width, "height": 900})
        for path in PAGES:
            response = page.goto(served + path, wait_until="load")
            assert response is not None and response.ok, path
            if path.startswith("/search/"):  # the results are part of what is checked
                page.wait_for_selector("#search[data-state=done] #search-results h2 a", timeout=15000)
            page.add_script_tag(content=axe)
            # only violations in full: axe then details one node per passing rule, much faster
            result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, "
                                   "resultTypes: ['violations']})", WCAG_21_AA)
            checked += len(result["passes"])
            for violation in result["violations"]:
                nodes = "; ".join(" ".join(n["target"]) for n in violation["nodes"][:3])
                found.append(f"{path} {violation['id']} ({violation['impact']}): {nodes}")
        browser.close()
    assert checked > 100 * len(PAGES) // 10  # the rules did run
    assert found == [], f"{len(found)} violations at {width} px:\n" + "\n".join(found)


# --- Open311 GeoReport v2: read as a client reads the API ----------------------------------------

REQUEST_FIELDS = ("service_request_id", "status", "status_notes", "service_name", "service_code",
                  "description", "agency_responsible", "service_notice", "requested_datetime",
                  "updated_datetime", "expected_datetime", "address", "address_id", "zipcode", "lat", "long",
                  "media_url")


def test_an_open311_client_finds_the_services_and_requests(published_site):
    out = published_site
    discovery = json.loads((out / "open311/discovery.json").read_text(encoding="utf-8"))
    endpoint = next(e for e in discovery["endpoints"] if e["specification"] == "http://wiki.open311.org/GeoReport_v2")
    assert endpoint["url"] == f"{SITE_URL}/open311/v2"
    assert set(endpoint["formats"]) == {"application/json", "text/xml"}
    assert STAMP.match(discovery["changeset"]) and discovery["contact"]
    xml = ET.parse(out / "open311/discovery.xml").getroot()
    assert xml.tag == "discovery" and xml.findtext("endpoints/endpoint/url") == endpoint["url"]
    assert [f.text for f in xml.iterfind("endpoints/endpoint/formats/format")] == endpoint["formats"]
    base = out / endpoint["url"].removeprefix(SITE_URL + "/")  # where the client's requests go

    services = json.loads((base / "services.json").read_text(encoding="utf-8"))
    topics = yaml_keys(REPO / "cases" / "registry" / "topics.yaml")
    assert [s["service_code"] for s in services] == topics
    for service in services:
        assert set(service) == {"service_code", "service_name", "description", "metadata", "type", "keywords",
                                "group"}
        assert service["metadata"] is False and service["type"] in {"realtime", "batch", "blackbox"}
    xml_services = ET.parse(base / "services.xml").getroot()
    assert [s.findtext("service_code") for s in xml_services.iterfind("service")] == topics
    assert [s.findtext("service_name") for s in xml_services.iterfind("service")] == [
        s["service_name"] for s in services]

    requests = json.loads((base / "requests.json").read_text(encoding="utf-8"))
    cases = {c["id"]: c for c in json.loads((out / "data/cases.json").read_text(encoding="utf-8"))["cases"]}
    assert [r["service_request_id"] for r in requests] == list(cases)
    xml_requests = ET.parse(base / "requests.xml").getroot()
    assert xml_requests.tag == "service_requests"
    assert len(xml_requests.findall("request")) == len(requests)
    for row, element in zip(requests, xml_requests.iterfind("request"), strict=True):
        case = cases[row["service_request_id"]]
        assert row["service_code"] in topics and row["service_code"] == case["topics"][0]
        assert row["extended_attributes"]["topics"] == case["topics"]  # every topic, the first as the service
        assert row["description"] == case["message"]
        for name in REQUEST_FIELDS:  # the XML says what the JSON says
            value = row[name]
            assert (element.findtext(name) or None) == (None if value is None else str(value)), name
        assert [t.text for t in element.iterfind("extended_attributes/topics/topic")] == case["topics"]
        one = json.loads((base / "requests" / f"{row['service_request_id']}.json").read_text(encoding="utf-8"))
        assert one == [row]  # the API answers a single request as a list of one
        one_xml = ET.parse(base / "requests" / f"{row['service_request_id']}.xml").getroot()
        assert [r.findtext("service_request_id") for r in one_xml.iterfind("request")] == [row["service_request_id"]]
        assert row["extended_attributes"]["url"] == f"{SITE_URL}/cases/{case['id']}/"
    late = next(r for r in requests if r["service_request_id"] == LATE)
    assert late["updated_datetime"] > late["expected_datetime"]
    assert late["status_notes"].endswith("超期答复")
    # answered on time, closed after the deadline (the follow-up visit came later): not late
    closed_later = [r for r in requests if r["extended_attributes"]["final_reply_on_time"]
                    and r["extended_attributes"]["closed_on"] > r["expected_datetime"][:10]]
    assert closed_later
    assert all(r["updated_datetime"] <= r["expected_datetime"] for r in closed_later)


def yaml_keys(path) -> list[str]:
    import yaml

    return list(yaml.safe_load(path.read_text(encoding="utf-8")))


def test_received_in_the_open_data_carries_its_utc_offset(site):
    cases = json.loads((site / "data/cases.json").read_text(encoding="utf-8"))["cases"]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d\+08:00", c["received"]) for c in cases)
    assert next(c for c in cases if c["id"] == ELEVATOR)["received"] == "2025-10-13T09:14+08:00"


# --- Atom: read as a feed reader reads it ---------------------------------------------------------

def entries_by_id(path) -> dict:
    return {e.findtext(f"{ATOM}id"): e for e in ET.parse(path).getroot().iterfind(f"{ATOM}entry")}


def test_feed_ids_are_tag_uris_that_stay_when_the_site_moves(site, published_site):
    local, public = entries_by_id(site / "feeds/all.atom.xml"), entries_by_id(published_site / "feeds/all.atom.xml")
    assert list(local) == list(public) and len(local) == 30
    for entry_id, entry in public.items():
        case_id = entry_id.removeprefix("tag:qingxi.example.org,2026:cases/")
        assert (published_site / "cases" / case_id / "index.html").is_file(), entry_id
        assert entry.find(f"{ATOM}link").get("href") == f"{SITE_URL}/cases/{case_id}/"
        assert local[entry_id].find(f"{ATOM}link").get("href") == f"/cases/{case_id}/"
    feed = ET.parse(published_site / "feeds/units/housing-bureau.atom.xml").getroot()
    assert feed.findtext(f"{ATOM}id") == "tag:qingxi.example.org,2026:feeds/units/housing-bureau"
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == f"{SITE_URL}/feeds/units/housing-bureau.atom.xml"


def test_a_feed_reader_reads_every_feed(published_site):
    import feedparser

    feeds = sorted((published_site / "feeds").rglob("*.atom.xml"))
    assert len(feeds) == 1 + len(yaml_keys(REPO / "cases/registry/units.yaml")) + len(
        yaml_keys(REPO / "cases/registry/topics.yaml"))
    for path in feeds:
        parsed = feedparser.parse(path.read_bytes())
        assert not parsed.bozo, (path, parsed.get("bozo_exception"))
        assert parsed.version == "atom10" and parsed.feed.id.startswith("tag:qingxi.example.org,2026:feeds/")
        for entry in parsed.entries:
            assert entry.id.startswith("tag:qingxi.example.org,2026:cases/")
            assert entry.link == f"{SITE_URL}/cases/{entry.id.rsplit('/', 1)[1]}/"
            assert entry.title and entry.summary and entry.published_parsed <= entry.updated_parsed
    everything = feedparser.parse((published_site / "feeds/all.atom.xml").read_bytes())
    assert everything.feed.link == f"{SITE_URL}/" and len(everything.entries) == 30


def test_feed_times_carry_the_hour_when_it_is_known(site):
    feed = ET.parse(site / "feeds/all.atom.xml").getroot()
    entries = feed.findall(f"{ATOM}entry")
    for entry in entries:
        published, updated = entry.findtext(f"{ATOM}published"), entry.findtext(f"{ATOM}updated")
        assert STAMP.match(published) and STAMP.match(updated) and published <= updated
    assert feed.findtext(f"{ATOM}updated") == max(e.findtext(f"{ATOM}updated") for e in entries)


def test_a_feed_opened_in_a_browser_is_styled(site):
    text = (site / "feeds/all.atom.xml").read_text(encoding="utf-8")
    assert text.splitlines()[1] == '<?xml-stylesheet type="text/css" href="/theme/css/feed.css"?>'
    assert (site / "theme/css/feed.css").is_file()
    assert "<subtitle>这是一个 Atom 订阅源：" in text


def test_a_feed_authority_that_is_not_a_tag_authority_fails_the_build(tmp_path, log_root):
    settings = tmp_path / "conf.py"
    settings.write_text(f"import sys\nsys.path.insert(0, {str(REPO)!r})\nfrom pelicanconf import *  # noqa\n"
                        "CASELOG_FEED_AUTHORITY = 'https://qingxi.example.org'\n", encoding="utf-8")
    result = CliRunner().invoke(main_group, ["--lang", "en", "-C", str(log_root), "build", "--output", str(tmp_path / "o"),
                                             "--as-of", AS_OF, "--settings", str(settings), "--no-search"])
    assert result.exit_code == 1
    assert result.output == (
        "error: CASELOG_FEED_AUTHORITY = 'https://qingxi.example.org' is not a tag URI authority: write a "
        "domain or e-mail address and a date, e.g. \"qingxi.example.org,2026\"\n")


# --- sitemap, robots.txt, 404 ---------------------------------------------------------------------

def test_the_sitemap_of_a_published_build_has_absolute_urls(published_site):
    sitemap = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    locs = [e.text for e in ET.parse(published_site / "sitemap.xml").getroot().iter(f"{sitemap}loc")]
    assert f"{SITE_URL}/" in locs and f"{SITE_URL}/cases/{ELEVATOR}/" in locs and f"{SITE_URL}/about/" in locs
    for loc in locs:
        assert loc.startswith(SITE_URL + "/")
        assert (published_site / loc.removeprefix(SITE_URL + "/") / "index.html").is_file(), loc
    assert (published_site / "robots.txt").read_text(encoding="utf-8") == (
        f"User-agent: *\nAllow: /\nSitemap: {SITE_URL}/sitemap.xml\n")


def test_caselog_serve_answers_an_unknown_address_with_the_chinese_404_page(site):
    from caselog.cli.site import _QuietHandler

    with serve_directory(site, _QuietHandler) as base, pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(f"{base}/cases/20250101-NOPE00/")
    body = caught.value.read().decode("utf-8")
    assert caught.value.code == 404
    assert "<h1>没有找到这个页面</h1>" in body and '<meta name="robots" content="noindex">' in body
    assert body == (site / "404.html").read_text(encoding="utf-8")


# --- what a citizen reads ---------------------------------------------------------------------------

def case_rows(html: str) -> list[str]:
    """The rows of a page's list of cases."""
    body = html.split('<table class="cases">', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr>(.*?)</tr>", body, re.S)


@pytest.mark.parametrize("rel", ["index.html", "cases/index.html", "units/housing-bureau/index.html",
                                 "topics/transport/index.html"])
def test_every_list_entry_says_whether_the_final_reply_was_on_time(site, rel):
    rows = case_rows((site / rel).read_text(encoding="utf-8"))
    assert rows
    for row in rows:
        timing = row.rsplit("<td", 1)[1]  # the last cell: time to final reply
        said = ['<span class="tag ok">按期</span>' in timing, '<span class="tag late">超期</span>' in timing]
        if said == [False, False]:  # no reply was due: a repeat or a withdrawn message
            assert timing.endswith(">—</td>\n    ") and re.search(r"outcome-(duplicate|withdrawn)", row), row
        else:
            assert said in ([True, False], [False, True]), row


def test_the_demo_shows_cases_answered_late(site):
    html = (site / "cases/index.html").read_text(encoding="utf-8")
    assert html.count('<span class="tag late">超期</span>') >= 3
    page = (site / "cases" / LATE / "index.html").read_text(encoding="utf-8")
    assert '<span class="tag late">超期</span>' in page and "重新办理" in page


def test_periods_are_written_as_people_write_them(site):
    reports = (site / "reports/index.html").read_text(encoding="utf-8")
    assert '<a href="/reports/2026-Q3/">2026年第三季度</a>' in reports
    assert '<a href="/reports/2026-Q4/">2026年第四季度<span class="muted">（尚未结束）</span></a>' in reports
    assert '<a href="/reports/2025-09/">2025年9月</a>' in reports
    quarter = (site / "reports/2026-Q3/index.html").read_text(encoding="utf-8")
    assert "<h1>2026年第三季度留言办理情况通报</h1>" in quarter
    year = (site / "reports/2025/index.html").read_text(encoding="utf-8")
    assert "<h1>2025年留言办理情况年度报告</h1>" in year
    assert "（数据自 2025-09-09 起，本期只覆盖这以后的部分）" in year
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "本年（2026年）" in home and "（本期尚未结束，统计截至 2026-11-23）" in home
    stats = (site / "stats/index.html").read_text(encoding="utf-8")
    assert "2025年9月" in stats and ">25.09<" not in stats  # the chart's axis too


def test_the_statistics_page_says_which_period_each_part_shows(site):
    html = (site / "stats/index.html").read_text(encoding="utf-8")
    assert "除标题注明年份的以外，本页所有数字、图表和表格统计的都是 2025-09-09 至 2026-11-23 收到的全部留言。" in html
    for heading in ("按领域（全部年份）", "按留言渠道（全部年份）", "回访满意度（全部年份）", "按类别（全部年份）",
                    "按承办单位（2026年）"):
        assert heading in html
    category = html.split('id="cat-h"', 1)[1].split("</table>", 1)[0]
    assert category.count('<span class="n">n=') == 12  # four categories by three rates, each with n
    assert category.count('<span class="ci"') == 12


def test_a_repeat_case_lists_the_case_it_repeats_once(site):
    html = (site / "cases" / REPEAT / "index.html").read_text(encoding="utf-8")
    related = html.split('id="rel-h"', 1)[1].split("</section>", 1)[0]
    assert related.count(f'href="/cases/{ELEVATOR}/"') == 1


def test_the_search_page_gives_a_published_case_as_its_example(site):
    html = (site / "search/index.html").read_text(encoding="utf-8")
    example = re.search(r"也可输入留言编号（如 (\d{8}-\w{6})）", html).group(1)
    assert (site / "cases" / example / "index.html").is_file()


def test_the_about_page_says_where_to_leave_a_message(site):
    import yaml

    html = (site / "about/index.html").read_text(encoding="utf-8")
    assert "<h2>在哪里留言</h2>" in html
    channels = yaml.safe_load((REPO / "cases/registry/channels.yaml").read_text(encoding="utf-8"))
    for channel in channels.values():
        assert f'<a href="{channel["url"]}">{channel["name"]}</a>' in html

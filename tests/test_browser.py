"""The built demo portal in a real browser: Debian's headless Chromium driven by Playwright.

The site is built once into a temp dir and served on 127.0.0.1. Every page is
opened with a request log (nothing may leave 127.0.0.1) and a dialog trap (no
message text may run as script).
"""

from __future__ import annotations

import re
import shutil
from urllib.parse import quote, urlsplit

import pytest
import yaml
from click.testing import CliRunner
from conftest import DEMO_AS_OF, REPO, find_chromium, serve_directory

from caselog.cli import main_group

CHROMIUM = find_chromium()  # Debian's /usr/bin/chromium here; $CASELOG_CHROMIUM or Chrome elsewhere
if CHROMIUM is None:
    pytest.skip("no Chromium: apt-get install chromium (Debian's /usr/bin/chromium), or set CASELOG_CHROMIUM",
                allow_module_level=True)

from playwright.sync_api import expect, sync_playwright  # noqa: E402

pytestmark = pytest.mark.browser

AS_OF = DEMO_AS_OF
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
ELEVATOR = "20251013-QJQ5PJ"  # instructed, supervised, extended; cited by a later repeat case
WAGES = "20251229-N6C0JK"  # unpaid wages: 欠薪


def case_file(case_id: str) -> dict:
    path = next((REPO / "cases").rglob(f"{case_id}.yaml"))
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def site(demo_site):
    """The demo portal, built with its search index and served on 127.0.0.1: (output dir, base URL)."""
    with serve_directory(demo_site) as base:
        yield demo_site, base


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


class Visit:
    """A browser tab that records every request, script error and dialog."""

    def __init__(self, browser, base: str, width: int = 1280):
        self.base = base
        self.page = browser.new_page(viewport={"width": width, "height": 900})
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("dialog", self._dialog)

    def _dialog(self, dialog):
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def open(self, path: str):
        response = self.page.goto(self.base + path, wait_until="networkidle")
        assert response is not None and response.ok, path
        return self.page

    def outside_requests(self) -> list[str]:
        return [url for url in self.requests
                if urlsplit(url).scheme not in ("data", "blob") and urlsplit(url).hostname != "127.0.0.1"]


@pytest.fixture
def visit(browser, site):
    tabs: list[Visit] = []

    def open_tab(width: int = 1280) -> Visit:
        tab = Visit(browser, site[1], width)
        tabs.append(tab)
        return tab

    yield open_tab
    for tab in tabs:
        assert tab.outside_requests() == [], "only 127.0.0.1 may be asked for anything"
        assert tab.dialogs == [], "a dialog opened: some text ran as script"
        assert tab.errors == [], "script errors"
        tab.page.close()


def search(tab: Visit, query: str) -> list[str]:
    """Search with the search page's ?q= and return the result links, in the page's order."""
    page = tab.open(f"/search/?q={quote(query)}")
    expect(page.locator("#search")).to_have_attribute("data-state", "done", timeout=15000)
    expect(page.locator("#search-status")).to_contain_text(query)
    links = page.locator("#search-results h2 a")
    expect(links.first).to_be_visible()
    return [urlsplit(href).path for href in links.evaluate_all("els => els.map(a => a.href)")]


# --- pages -----------------------------------------------------------------------------------------


def test_home_page_shows_the_headline_figures(visit):
    page = visit().open("/")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    expect(page.locator("h1")).to_have_text("民有所呼，我有所应")
    expect(page.locator("#month-h")).to_have_text(f"本月（{AS_OF[:4]}年{int(AS_OF[5:7])}月）")
    expect(page.locator("#year-h")).to_have_text(f"本年（{AS_OF[:4]}年）")
    cards = page.locator(".cards > div")
    expect(cards).to_have_count(8)
    assert cards.locator("dt").all_inner_texts()[:4] == ["收到", "已答复", "办结答复按期率", "满意率"]
    for figure in page.locator(".cards dd.figure").all_inner_texts():
        assert re.fullmatch(r"\d+%?|—", figure), figure
    assert int(page.locator(".cards dd.figure").nth(4).inner_text()) > 0  # received this year
    expect(page.locator("table.cases tbody tr").first).to_be_visible()
    expect(page.get_by_role("search")).to_be_visible()


def test_case_page_shows_title_deadlines_and_timeline(visit):
    case = case_file(ELEVATOR)
    page = visit().open(f"/cases/{ELEVATOR}/")
    expect(page.locator("h1")).to_have_text(case["title"])
    assert page.title().startswith(case["title"])
    expect(page.locator(".case-meta")).to_contain_text(ELEVATOR)
    table = page.locator("table.deadline-table")
    expect(table).to_be_visible()
    expect(table.locator("tbody th")).to_have_text(["首次答复", "办结答复"])
    expect(table.locator("tbody tr").nth(1)).to_contain_text("按期")
    events = page.locator("ol.events > li.event")
    expect(events).to_have_count(len(case["events"]))
    expect(page.locator(".event-instructed")).to_contain_text("领导批示")
    expect(page.locator(".event-supervised")).to_contain_text("督办通知")
    expect(page.locator(".event-extended")).to_contain_text("延期")
    final = page.locator(".event-final")
    expect(final).to_be_visible()
    expect(final).to_contain_text("办结答复")
    expect(page.locator(".facts")).to_contain_text("承办单位")


def test_statistics_page_draws_its_charts_as_accessible_svg(visit):
    page = visit().open("/stats/")
    charts = page.locator("svg.chart")
    assert charts.count() >= 5
    for index in range(charts.count()):
        chart = charts.nth(index)
        expect(chart).to_be_visible()
        assert chart.get_attribute("role") == "img"
        assert re.search(r"[\u4e00-\u9fff]", chart.get_attribute("aria-label") or "")
        box = chart.bounding_box()
        assert box["width"] > 250 and box["height"] > 60
    # the numbers behind each chart, as a table
    details = page.locator(".chart-figure details")
    expect(details).to_have_count(charts.count())
    details.first.locator("summary").click()
    expect(details.first.locator("table")).to_be_visible()


def test_searching_a_chinese_word_finds_the_case(visit):
    case = case_file(WAGES)
    assert "欠薪" in case["title"] + case["message"] + str(case["events"])
    tab = visit()
    found = search(tab, "欠薪")
    assert f"/cases/{WAGES}/" in found
    page = tab.page
    expect(page.locator(".search-filters label")).to_have_text(
        [re.compile(f"^{name}全部") for name in ("承办单位", "领域", "类别", "留言渠道", "年份")])
    # a filter narrows the results to its value, and says so in the address
    year = WAGES[:4]
    other = str(int(year) - 1) if int(year) > 2025 else str(int(year) + 1)
    page.get_by_label("年份").select_option(other)
    expect(page).to_have_url(re.compile(rf"[?&]year={other}"))
    expect(page.locator("#search")).to_have_attribute("data-state", "done")
    assert f"/cases/{WAGES}/" not in [urlsplit(h).path for h in page.locator("#search-results h2 a").evaluate_all(
        "els => els.map(a => a.href)")]
    page.get_by_label("年份").select_option(year)
    expect(page.locator(f"#search-results a[href$='/cases/{WAGES}/']")).to_be_visible()


def test_searching_a_case_id_from_the_header_box_finds_that_case_first(visit):
    tab = visit()
    page = tab.open("/")
    page.get_by_role("searchbox").fill(ELEVATOR)
    page.get_by_role("searchbox").press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q="))
    expect(page.locator("#search")).to_have_attribute("data-state", "done", timeout=15000)
    expect(page.locator("#search-status")).to_contain_text(ELEVATOR)
    first = page.locator("#search-results h2 a").first
    expect(first).to_have_attribute("href", re.compile(f"/cases/{ELEVATOR}/$"))
    expect(page.locator(".search-meta").first).to_contain_text(f"留言编号 {ELEVATOR}")
    assert page.get_by_role("searchbox").input_value() == ELEVATOR


def test_the_dialog_trap_catches_a_script(browser, site):
    tab = Visit(browser, site[1])
    tab.open("/").evaluate("() => alert('trap')")
    assert tab.dialogs == ["alert: trap"]
    tab.page.close()


def test_hostile_text_is_shown_and_never_runs(visit, site):
    quoted = {}  # case id -> the markup its page shows as text
    for path in sorted((site[0] / "cases").glob("*/index.html")):
        html = path.read_text(encoding="utf-8")
        for tag in ("&lt;script", "&lt;img"):
            if tag in html:
                quoted.setdefault(path.parent.name, []).append(tag.replace("&lt;", "<"))
    assert any("<script" in tags for tags in quoted.values()), "the demo has a message quoting a <script> tag"
    tab = visit()
    for case_id, tags in quoted.items():
        page = tab.open(f"/cases/{case_id}/")
        for tag in tags:
            expect(page.get_by_text(tag, exact=False).first).to_be_visible()
        assert page.locator("main script, main img, main [onerror], main [onclick]").count() == 0
        page.wait_for_timeout(300)  # give any injected handler its chance to fire
    assert tab.dialogs == []


def test_no_request_leaves_the_site(visit):
    tab = visit()
    for path in ["/", f"/cases/{ELEVATOR}/", "/cases/", "/units/", "/units/housing-bureau/", "/stats/",
                 "/reports/", "/process/", "/data/", "/methodology/", f"/search/?q={quote('电梯')}"]:
        tab.open(path)
    assert any(url.endswith("/theme/css/site.css") for url in tab.requests)
    assert any("/search-index/" in url for url in tab.requests)
    assert tab.outside_requests() == []


PAGES = ["/", f"/cases/{ELEVATOR}/", "/cases/", "/units/", "/units/housing-bureau/", "/stats/", "/reports/2026/",
         "/process/", "/data/", "/browse/", "/methodology/", f"/search/?q={quote('电梯')}"]


@pytest.mark.parametrize("width", [390, 360])
@pytest.mark.parametrize("path", PAGES)
def test_a_phone_screen_needs_no_sideways_scrolling(visit, path, width):
    page = visit(width=width).open(path)
    widths = page.evaluate("() => [document.documentElement.scrollWidth, document.body.scrollWidth, innerWidth]")
    assert widths[0] <= widths[2] and widths[1] <= widths[2], widths
    # the search box spans the screen (on the search page, the page's own takes the header's place)
    box = page.locator("#search-q" if path.startswith("/search/") else "#site-search").bounding_box()
    assert box["width"] > 200


def test_the_skip_link_comes_first_and_shows_on_focus(visit):
    page = visit().open("/")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    skip.press("Enter")
    assert page.evaluate("() => location.hash") == "#main"


def test_chromium_finds_what_the_recall_measurement_finds(visit, site):
    # scripts/search_site.mjs (Node) stands in for the browser in tests/test_search_recall.py:
    # the same search-engine.js must give the same cases here, in the same order
    import json
    import subprocess

    queries = ["维修资金", "县政府", "石桥镇", "农民工", "电梯", "住建局", "不动产登记", ELEVATOR]
    lines = "".join(json.dumps({"q": q}, ensure_ascii=False) + "\n" for q in queries)
    done = subprocess.run(["node", str(REPO / "scripts" / "search_site.mjs"), str(site[0])], input=lines,
                          capture_output=True, text=True, check=True)
    tab = visit()
    for query, line in zip(queries, done.stdout.splitlines(), strict=True):
        measured = json.loads(line)["ids"]
        tab.open(f"/search/?q={quote(query)}")
        expect(tab.page.locator("#search")).to_have_attribute("data-state", "done", timeout=15000)
        status = tab.page.locator("#search-status").inner_text()
        # "about" while some results are not yet checked against their text (a phrase of pairs)
        count = re.fullmatch(f"找到(约 | )(\\d+) 条含“{re.escape(query)}”的留言。", status)
        assert count, status
        assert int(count[2]) == len(measured) if count[1] == " " else int(count[2]) >= len(measured)
        shown = tab.page.locator("#search-results h2 a").evaluate_all("els => els.map(a => a.href)")
        assert len(shown) == min(10, len(measured))
        assert [urlsplit(href).path.split("/")[-2] for href in shown] == measured[:len(shown)]


# --- an attacker's case: markup in every field, on every page that shows it ----------------------

VECTOR = "\"'><script>alert(1)</script><img src=x onerror=alert(2)><svg onload=alert(3)>"
HOSTILE = """\
id: 20260105-B0T1ME
title: '电梯故障{v}'
received: 2026-01-05 09:00
channel: mayor-mailbox
source_url: 'https://example.org/t/1"><script>alert(4)</script>'
source_ref: 'RM-1{v}'
category: help
topics: [housing]
area: '岳阳楼区{v}'
author:
  alias: '网友{v}'
public: true
message: |
  电梯故障。{v}
  [点我](javascript:alert(5)) [再点](JAVASCRIPT:alert(6)) ![图](https://evil.example/x.png)
  <iframe src="https://evil.example/"></iframe> <a href="https://evil.example/" onclick="alert(7)">链接</a>
events:
  - {{date: 2026-01-05, type: accepted, note: '受理{v}'}}
  - {{date: 2026-01-05, type: assigned, unit: yueyanglou-housing, note: '交办{v}'}}
  - {{date: 2026-01-06, type: instructed, by: '领导{v}', text: '批示{v}'}}
  - {{date: 2026-01-06, type: supervised, ref: '督办〔2026〕1号{v}', text: '督办{v}'}}
  - {{date: 2026-01-07, type: extended, approved_by: '督查室{v}', reason: '延期{v}', days: 2}}
  - {{date: 2026-01-09, type: replied, unit: yueyanglou-housing, final: true, text: '答复{v}'}}
  - {{date: 2026-01-10, type: visited, method: phone, satisfaction: satisfied, note: '回访{v}'}}
  - {{date: 2026-01-10, type: closed, outcome: referred, referred_to: '县信访局{v}', note: '办结{v}'}}
  - {{date: 2026-01-11, type: corrected, text: '更正{v}'}}
"""


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    """A portal whose one case carries markup in every text field, built with its search index."""
    root = tmp_path_factory.mktemp("hostile")
    shutil.copytree(REPO / "tests" / "data" / "registry", root / "cases" / "registry")
    path = root / "cases" / "2026" / "01" / "20260105-B0T1ME.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(HOSTILE.format(v=VECTOR.replace("'", "''")), encoding="utf-8")
    out = root / "site"
    result = CliRunner().invoke(main_group, [
        "-C", str(root), "build", "--output", str(out), "--as-of", AS_OF,
        "--settings", str(REPO / "pelicanconf.py")], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    with serve_directory(out) as base:
        yield out, base


@pytest.mark.parametrize("path", ["/cases/20260105-B0T1ME/", "/", "/cases/", "/topics/housing/",
                                  "/units/yueyanglou-housing/", "/categories/help/", "/channels/mayor-mailbox/",
                                  "/months/2026-01/", "/search/?q=" + quote("电梯故障")])
def test_markup_in_every_field_is_shown_as_text_and_never_runs(browser, hostile_site, path):
    tab = Visit(browser, hostile_site[1])
    page = tab.open(path)
    if path.startswith("/search/"):
        expect(page.locator("#search")).to_have_attribute("data-state", "done", timeout=15000)
        expect(page.locator("#search-results h2 a").first).to_be_visible()
        expect(page.locator("select[data-filter=unit] option")).not_to_have_count(1)  # its values drawn
    page.wait_for_timeout(500)  # give any injected handler its chance to fire
    # the search page's own scripts come from the site (src); nothing else may be a script
    assert page.locator("main script:not([src]), main img, main svg [onload], main [onerror], main [onclick], "
                        "main iframe").count() == 0
    sources = page.locator("script[src]").evaluate_all("els => els.map(s => s.getAttribute('src'))")
    assert [src for src in sources if not src.startswith("/")] == []
    hrefs = page.locator("a[href]").evaluate_all("els => els.map(a => a.getAttribute('href'))")
    assert [h for h in hrefs if not re.match(r"(https?://|/|#|\?|\.\.?/)", h or "", re.IGNORECASE)] == []
    if path == "/cases/20260105-B0T1ME/":
        expect(page.get_by_text("<script>alert(1)</script>", exact=False).first).to_be_visible()
    assert tab.dialogs == [] and tab.outside_requests() == [], (tab.dialogs, tab.outside_requests())
    tab.page.close()

"""The publication gate: personal data in every form a reader would recognise is caught by
validation and by the output scan alike; look-alikes pass both; every public field is checked;
web addresses, registry keys and names, control characters and masks are safe by construction.

No contact number is written in this file: every one is built from parts when the tests run.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

import pytest

from caselog.errors import InvalidCase
from caselog.privacy import find_personal_data, mask
from caselog.registry import load_registry
from caselog.repository import load_case_file
from caselog.site.markup import render_markdown
from caselog.site.scan import scan_output
from tests.conftest import DATA, write_case

MOBILE = "1" + "38" + "1234" + "5678"
LANDLINE_AREA, LANDLINE_LOCAL = "07" + "30", "88" + "88888"
QQ_NUMBER = "1234" + "5678"
USER = "zhang"
DOMAIN = "example" + ".com"


def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def _resident_id(first17: str) -> str:
    remainder = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(first17)) % 11
    value = (12 - remainder) % 11
    return first17 + ("X" if value == 10 else str(value))


ID_NUMBER = _resident_id("4306" + "02" + "1985" + "0612" + "123")
M3, M4a, M4b = MOBILE[:3], MOBILE[3:7], MOBILE[7:]

# (what it is, text as a careless clerk or a netizen writes it)
VARIANTS = [
    ("full-width digits, ideographic spaces", f"电话{_full_width(M3)}\u3000{_full_width(M4a)}\u3000{_full_width(M4b)}"),
    ("no-break spaces", f"电话{M3}\u00a0{M4a}\u00a0{M4b}"),
    ("en and em dashes", f"电话{M3}\u2013{M4a}\u2014{M4b}"),
    ("dots", f"电话{M3}.{M4a}.{M4b}"),
    ("ideographic full stops", f"电话{M3}。{M4a}。{M4b}"),
    ("spaced hyphens", f"电话{M3} - {M4a} - {M4b}"),
    ("4-3-4 grouping", f"电话{MOBILE[:4]} {MOBILE[4:7]} {MOBILE[7:]}"),
    ("3-3-5 grouping", f"电话{MOBILE[:3]} {MOBILE[3:6]} {MOBILE[6:]}"),
    ("zero-width space", f"电话{MOBILE[:4]}\u200b{MOBILE[4:]}"),
    ("soft hyphen", f"电话{MOBILE[:5]}\u00ad{MOBILE[5:]}"),
    ("word joiner", f"电话{MOBILE[:5]}\u2060{MOBILE[5:]}"),
    ("byte order mark", f"电话{MOBILE[:6]}\ufeff{MOBILE[6:]}"),
    ("split across lines", f"电话{M3}\n{M4a}\n{M4b}"),
    ("Markdown emphasis inside", f"电话{MOBILE[:4]}**{MOBILE[4:8]}**{MOBILE[8:]}"),
    ("Markdown code", f"电话`{MOBILE}`"),
    ("decimal entity", f"电话{MOBILE[:7]}&#{ord(MOBILE[7])};{MOBILE[8:]}"),
    ("hex entity", f"电话&#x{ord(MOBILE[0]):x};{MOBILE[1:]}"),
    ("+86 prefix", f"手机 +86 {MOBILE}"),
    ("link title", f'[原帖](https://example.org/t/1 "电话{MOBILE}")'),
    ("tel: link", f"[打电话](tel:{MOBILE})"),
    ("landline without separator", f"座机{LANDLINE_AREA}{LANDLINE_LOCAL}"),
    ("landline in parentheses", f"座机({LANDLINE_AREA}){LANDLINE_LOCAL}"),
    ("landline 4-3-4", f"座机{LANDLINE_AREA} {LANDLINE_LOCAL[:3]} {LANDLINE_LOCAL[3:]}"),
    ("ID 6-12", f"身份证{ID_NUMBER[:6]} {ID_NUMBER[6:]}"),
    ("ID 6-8-4", f"身份证{ID_NUMBER[:6]} {ID_NUMBER[6:14]} {ID_NUMBER[14:]}"),
    ("ID full-width", f"身份证{_full_width(ID_NUMBER)}"),
    ("e-mail with entity", f"邮箱{USER}&#64;{DOMAIN}"),
    ("e-mail full-width at", f"邮箱{USER}＠{DOMAIN}"),
    ("e-mail ideographic dot", f"邮箱{USER}@{DOMAIN.replace('.', '。')}"),
    ("mailto link", f"[写信](mailto:{USER}@{DOMAIN})"),
    ("e-mail with # for @", f"邮箱{USER}#{DOMAIN}"),
    ("e-mail with (at)", f"邮箱{USER}(at){DOMAIN}"),
    ("a space between every digit", "电话" + " ".join(MOBILE)),
    ("QQ/WeChat label", f"QQ/微信：{QQ_NUMBER}"),
    ("QQ full-width", f"ＱＱ：{_full_width(QQ_NUMBER)}"),
    ("WeChat id", "微信：" + USER + "_san88"),
    ("plate lower case", "车牌湘a" + "12345"),
    ("plate with space", "车牌湘 A" + "12345"),
    ("plate with middle dot", "车牌湘A·" + "12345"),
    ("name after 我叫", "我叫" + "张三丰" + "，家住岳阳楼区"),
    ("name after 本人", "本人" + "李红梅" + "反映"),
    ("name after 姓名", "姓名：" + "王小明"),
    ("name after 联系人", "联系人：" + "赵四"),
]

LOOKALIKES = [
    "电话138****5678已登记", "补偿金******万元", "身份证430***********1232", "车牌湘F***45",
    "督办〔2026〕12号", "岳政办发〔2025〕3号", "2026-03-02", "2026年3月2日", "2026.03.02",
    "2026-03-02 09:14", "2026-03-02至2026-03-15", "案件20260302-K7Q2MD已办结", "请拨打12345热线",
    "客服400-123-4567", "工行客服95588", "工单号2026030212345678", "编号 2026 0302 1234 5678",
    "金额1,234,567.89元", "面积135.6平方米，共12户", "2019-2025年", "本人于今年3月反映",
    "本人多次反映", "本人向您反映", "本人常年在外打工", "本人是退休职工", "联系人：李女士",
    "姓名：张某", "我叫不到车", "本人王某反映", "QQ群：123456789",
    "原帖 https://example.org/threads/" + MOBILE,
    "见 https://example.org/guide#install.md", "C#语言", "第#3号",
]

CASE = """\
id: 20260302-K7Q2MD
title: 小区电梯停运
received: 2026-03-02 09:14
channel: people-leaders-board
category: help
topics: [housing]
author:
  alias: 湖畔居民
public: true
message: {message}
events:
  - {{date: 2026-03-02, type: accepted}}
"""


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _validate(root: Path, message: str) -> list[str]:
    rel = "cases/2026/03/20260302-K7Q2MD.yaml"
    write_case(root, "20260302-K7Q2MD", CASE.format(message=_quoted(message)))
    loaded = load_case_file(root, rel, load_registry(root))
    return [f"{p.field}: {p.message}" for p in loaded.problems]


def _scan(tmp_path: Path, text: str) -> list[str]:
    """The files the output scan finds leaking when `text` is shown as the portal shows it
    (page.html), in a title attribute (attr.html), and in the search index's file of a result
    (its text as search_records.py keeps it: white space made single spaces, in JSON)."""
    out = tmp_path / "out"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    page = f"<main>{render_markdown(text)}</main>"
    (out / "page.html").write_text(page, encoding="utf-8")
    (out / "attr.html").write_text(f'<a href="/x" title="{html.escape(text)}">原帖</a>', encoding="utf-8")
    shown = html.unescape(re.sub(r"<[^>]+>", " ", page))
    (out / "search-index" / "2026" / "f").mkdir(parents=True)
    (out / "search-index" / "2026" / "f" / "0.json").write_text(
        json.dumps({"texts": [" ".join(shown.split())]}, ensure_ascii=False, separators=(",", ":")),
        encoding="utf-8")
    return sorted({leak.path for leak in scan_output(out, set(), set())})


# links Markdown rendering drops (only http and https links survive nh3): nothing left to leak
DROPPED_BY_RENDERING = {"tel: link", "mailto link"}
# a link title is an attribute: not in the text the search index keeps
ATTRIBUTE_ONLY = {"link title"}


@pytest.fixture
def registry_root(tmp_path: Path) -> Path:
    shutil.copytree(DATA / "registry", tmp_path / "cases" / "registry")
    return tmp_path


@pytest.mark.parametrize(("what", "text"), VARIANTS, ids=[what for what, _ in VARIANTS])
def test_a_variant_is_caught_by_validation_and_by_the_output_scan(registry_root, tmp_path, what, text):
    assert find_personal_data(text), what
    problems = _validate(registry_root, text)
    assert problems and all(p.startswith("message: unmasked ") for p in problems), problems
    if what in DROPPED_BY_RENDERING:
        assert _scan(tmp_path, text) == ["attr.html"]
        assert MOBILE not in render_markdown(text) and USER not in render_markdown(text)
    elif what in ATTRIBUTE_ONLY:
        assert _scan(tmp_path, text) == ["attr.html", "page.html"]
    else:
        assert _scan(tmp_path, text) == ["attr.html", "page.html", "search-index/2026/f/0.json"]
    masked = mask(text)
    assert find_personal_data(masked) == [] and _validate(registry_root, masked) == []
    assert _scan(tmp_path, masked) == []


@pytest.mark.parametrize("text", LOOKALIKES)
def test_a_lookalike_passes_validation_and_the_output_scan(registry_root, tmp_path, text):
    assert find_personal_data(text) == []
    assert _validate(registry_root, text) == []
    assert _scan(tmp_path, text) == []


def test_names_are_masked_as_surname_and_mou():
    assert mask("我叫" + "张三丰" + "，电话" + MOBILE) == "我叫张某，电话138****5678"
    assert mask("联系人：" + "赵四") == "联系人：赵某"


def test_masks_render_literally_in_markdown():
    assert render_markdown("电话138****5678，补偿金******万元") == "<p>电话138****5678，补偿金******万元</p>\n"
    assert render_markdown("**重要**：电话138****5678") == "<p><strong>重要</strong>：电话138****5678</p>\n"
    assert render_markdown("`138****5678`") == "<p><code>138****5678</code></p>\n"


FIELD_CASE = """\
id: 20260302-K7Q2MD
title: 小区电梯停运
received: 2026-03-02 09:14
channel: people-leaders-board
source_url: {source_url}
source_ref: {source_ref}
category: help
topics: [housing]
author:
  alias: 湖畔居民
public: true
message: 电梯停了。
events:
  - {{date: 2026-03-02, type: accepted}}
  - {{date: 2026-03-03, type: assigned, unit: yueyanglou-housing}}
  - {{date: 2026-03-04, type: supervised, ref: {ref}}}
  - {{date: 2026-03-05, type: replied, unit: yueyanglou-housing, final: true, text: 已处理。}}
  - {{date: 2026-03-06, type: closed, outcome: referred, referred_to: {referred_to}}}
"""


def test_every_public_field_is_checked(registry_root):
    phone = f"{M3} {M4a} {M4b}"
    text = FIELD_CASE.format(source_url=f"https://example.org/t/1?tel={M3}", source_ref=f"RM-{phone}",
                             ref=f"督办〔2026〕12号（联系{phone}）", referred_to=f"县信访局 {phone}")
    write_case(registry_root, "20260302-K7Q2MD", text)
    loaded = load_case_file(registry_root, "cases/2026/03/20260302-K7Q2MD.yaml", load_registry(registry_root))
    assert [(p.line, p.field, p.message) for p in loaded.problems] == [
        (6, "source_ref", f"unmasked 手机号码 (mobile) '{phone}'; run 'caselog mask 20260302-K7Q2MD' to mask it"),
        (16, "events[2].ref", f"unmasked 手机号码 (mobile) '{phone}'; run 'caselog mask 20260302-K7Q2MD' to mask it"),
        (18, "events[4].referred_to",
         f"unmasked 手机号码 (mobile) '{phone}'; run 'caselog mask 20260302-K7Q2MD' to mask it"),
    ]


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JavaScript:alert(1)", " javascript:alert(1)",
                                 "data:text/html,<script>alert(1)</script>", "//evil.example/x", "example.org/x",
                                 "https://", "https://example.org/a b"])
def test_source_url_must_be_a_web_address(registry_root, url):
    text = FIELD_CASE.format(source_url=_quoted(url), source_ref="RM-1", ref="督办〔2026〕12号",
                             referred_to="县信访局")
    write_case(registry_root, "20260302-K7Q2MD", text)
    loaded = load_case_file(registry_root, "cases/2026/03/20260302-K7Q2MD.yaml", load_registry(registry_root))
    assert [(p.field, p.message) for p in loaded.problems] == [
        ("source_url", f"must be a web address starting with http:// or https://, not {url!r}")]


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x7f", "\x85"])
def test_control_characters_are_refused_in_text(registry_root, char):
    escaped = f"\\x{ord(char):02x}"  # YAML itself refuses the raw character; its escape passes YAML
    write_case(registry_root, "20260302-K7Q2MD",
               CASE.format(message=f'"电梯{escaped}停了"').replace("小区电梯停运", f'"小区电梯{escaped}"'))
    loaded = load_case_file(registry_root, "cases/2026/03/20260302-K7Q2MD.yaml", load_registry(registry_root))
    message = f"holds the control character U+{ord(char):04X} (remove it)"
    assert [(p.field, p.message) for p in loaded.problems] == [("title", message), ("message", message)]


def _registry_problems(root: Path) -> list[str]:
    with pytest.raises(InvalidCase) as caught:
        load_registry(root)
    return [f"{p.path}:{p.line}: {p.field}: {p.message}" for p in caught.value.problems]


def test_registry_keys_names_and_addresses_are_checked(registry_root):
    units = registry_root / "cases" / "registry" / "units.yaml"
    units.write_text(units.read_text(encoding="utf-8") + (
        '"../../../x": {name: 越界单位}\n'
        'Upper: {name: 大写单位}\n'
        'script-unit: {name: "<img src=x onerror=alert(1)>"}\n'
        f'phone-unit: {{name: 热线 {M3}-{M4a}-{M4b}}}\n'), encoding="utf-8")
    channels = registry_root / "cases" / "registry" / "channels.yaml"
    channels.write_text(channels.read_text(encoding="utf-8") + 'evil: {name: 恶意, url: "javascript:alert(1)"}\n',
                        encoding="utf-8")
    assert _registry_problems(registry_root) == [
        "cases/registry/units.yaml:5: ../../../x: key '../../../x' must be lower-case letters, digits and "
        "dashes, starting with a letter or digit (like yueyanglou-housing)",
        "cases/registry/units.yaml:6: Upper: key 'Upper' must be lower-case letters, digits and dashes, "
        "starting with a letter or digit (like yueyanglou-housing)",
        "cases/registry/units.yaml:7: script-unit.name: '<img src=x onerror=alert(1)>' holds '<': "
        "names are plain text",
        f"cases/registry/units.yaml:8: phone-unit.name: unmasked 手机号码 (mobile) '{M3}-{M4a}-{M4b}'",
        "cases/registry/channels.yaml:4: evil.url: must be a web address starting with http:// or https://, "
        "not 'javascript:alert(1)'",
    ]


def test_an_offices_public_numbers_pass_validation(registry_root):
    service = f"{LANDLINE_AREA}-{LANDLINE_LOCAL}"
    text = f"如有疑问请致电{service}咨询。"
    assert [p.split(":")[0] for p in _validate(registry_root, text)] == ["message"]
    rules = registry_root / "cases" / "registry" / "rules.yaml"
    rules.write_text(rules.read_text(encoding="utf-8") + f"public_numbers: ['{service}']\n", encoding="utf-8")
    assert _validate(registry_root, text) == []
    assert _validate(registry_root, f"如有疑问请致电{LANDLINE_AREA}{LANDLINE_LOCAL}咨询。") == []
    assert [p.split(":")[0] for p in _validate(registry_root, f"我的电话{MOBILE}")] == ["message"]


# --- the gate on real builds ---------------------------------------------------------------------

SECRET = "小区门口积水严重无人处理"


def _leaks(result) -> list[str]:
    return sorted(line.strip() for line in result.stderr.splitlines()[1:])


def test_a_new_non_public_case_fails_an_incremental_build_as_it_fails_a_clean_one(cli, tmp_path):
    from tests.test_site import CLOSED, SMALL, build

    shutil.copytree(DATA / "registry", tmp_path / "cases" / "registry")
    for case_id, fields in SMALL.items():
        if case_id == "20260105-B0T1ME":
            fields = dict(fields, message=f"和“{SECRET}”是一回事。")
        write_case(tmp_path, case_id, CLOSED.format(id=case_id, **fields))
    out = tmp_path / "out"
    assert build(cli, tmp_path, out, "--no-search").exit_code == 0
    secret = dict(SMALL["20260210-C1ATE0"], title=SECRET, public="false", day="2026-03-02", replied="2026-03-09")
    write_case(tmp_path, "20260302-K7Q2MD", CLOSED.format(id="20260302-K7Q2MD", **secret))
    incremental = build(cli, tmp_path, out, "--no-search")
    clean = build(cli, tmp_path, out, "--no-search", "--clean")
    assert incremental.exit_code == clean.exit_code == 1
    assert _leaks(incremental) == _leaks(clean)
    assert f"data/cases.json: title of a non-public case '{SECRET}' (in the record of case 20260105-B0T1ME)" \
        in _leaks(clean)
    assert f"cases/20260105-B0T1ME/index.html: title of a non-public case '{SECRET}'" in _leaks(clean)


def test_a_plain_pelican_run_goes_through_the_same_gate(tmp_path):
    from datetime import date

    from caselog.site.build import BuildError, run_pelican
    from tests.test_site import CLOSED, SETTINGS, SMALL

    shutil.copytree(DATA / "registry", tmp_path / "cases" / "registry")
    fields = dict(SMALL["20260105-B0T1ME"], message=f"和“{SECRET}”是一回事。")
    write_case(tmp_path, "20260105-B0T1ME", CLOSED.format(id="20260105-B0T1ME", **fields))
    secret = dict(SMALL["20260210-C1ATE0"], title=SECRET, public="false")
    write_case(tmp_path, "20260210-C1ATE0", CLOSED.format(id="20260210-C1ATE0", **secret))
    with pytest.raises(BuildError, match=r"the built site leaks .* it must not be published"):
        run_pelican(tmp_path, SETTINGS, tmp_path / "out", date(2026, 11, 23), {})


def test_a_number_in_an_old_commit_subject_never_reaches_the_page(cli, tmp_path):
    import subprocess

    from tests.test_site import CLOSED, SMALL, build

    def git(*args: str) -> None:
        subprocess.run(["git", "-c", "user.name=Test Clerk", "-c", "user.email=clerk@example.org", *args],
                       cwd=tmp_path, check=True, capture_output=True)

    shutil.copytree(DATA / "registry", tmp_path / "cases" / "registry")
    phone = f"{M3}-{M4a}-{M4b}"
    git("init", "-q")
    write_case(tmp_path, "20260105-B0T1ME", CLOSED.format(id="20260105-B0T1ME", **SMALL["20260105-B0T1ME"]))
    git("add", "cases")
    git("commit", "-q", "-m", f"20260105-B0T1ME: supervised 督办〔2026〕1号 联系{phone}")
    git("commit", "-q", "--allow-empty", "-m", "20260105-B0T1ME: corrected")
    out = tmp_path / "out"
    result = build(cli, tmp_path, out, "--no-search")
    assert result.exit_code == 0, result.output
    page = (out / "cases" / "20260105-B0T1ME" / "index.html").read_text(encoding="utf-8")
    assert phone not in page and M4a not in page
    assert "联系" not in page and "supervised" not in page  # the history says what changed, never a subject


def test_the_policy_answers_what_is_published_and_gives_plain_search_records(cli, tmp_path):
    from datetime import date

    from caselog.publication import plain_label
    from caselog.site.model import load_site_data
    from caselog.site.search_records import search_record
    from tests.test_site import CLOSED, SMALL

    shutil.copytree(DATA / "registry", tmp_path / "cases" / "registry")
    for case_id, fields in SMALL.items():
        write_case(tmp_path, case_id, CLOSED.format(id=case_id, **fields))
    hidden = dict(SMALL["20260210-C1ATE0"], title=SECRET, public="false", day="2026-03-02", replied="2026-03-09")
    write_case(tmp_path, "20260302-K7Q2MD", CLOSED.format(id="20260302-K7Q2MD", **hidden))
    policy = load_site_data(tmp_path, date(2026, 2, 20), with_history=False).policy
    # on 2026-02-20 the February case is still open: only the January case is published
    assert [s.case.id for s in policy.published] == ["20260105-B0T1ME"]
    assert policy.secret_ids == {"20260210-C1ATE0", "20260302-K7Q2MD"}
    assert policy.secret_titles == {SECRET}
    data = load_site_data(tmp_path, date(2026, 11, 23), with_history=False)
    record = search_record(data.view(data.published[0]), {"help": "求助"})
    fragment = json.loads(record.fragment)
    assert (fragment["title"], fragment["unit"]) == ("小区电梯长期停运", "岳阳楼区住房和城乡建设局")
    assert fragment["facts"] == f"{data.registry.channels['mayor-mailbox'].name} 求助 住房保障 岳阳楼区住房和城乡建设局"
    assert record.filters == (("channel", "mayor-mailbox"), ("category", "help"), ("topic", "housing"),
                              ("unit", "yueyanglou-housing"))
    assert "20260302-K7Q2MD" not in {s.case.id for s in data.published}  # it gets no view, so no record
    assert plain_label('<img src=x onerror="alert(1)">\n&') == "＜img src=x onerror=＂alert(1)＂＞ ＆"


def test_new_refuses_a_script_address_and_writes_nothing(registry_root, cli):
    result = cli(registry_root, "new", "--title", "路灯不亮", "--channel", "mayor-mailbox", "--category", "help",
                 "--topic", "housing", "--message", "路灯坏了。", "--alias", "网友", "--received", "2026-03-02",
                 "--accepted", "2026-03-02", "--source-url", "javascript:alert(1)", "--no-similar")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == ("--source-url: must be a web address starting with http:// or https://, "
                        "not 'javascript:alert(1)'")
    assert lines[1:] == ["nothing was written: 1 problem(s)"]
    assert list((registry_root / "cases").glob("20*/*/*.yaml")) == []


@pytest.mark.parametrize("rel", ["../x.html", "units/../../x.html", "/etc/x", "units//x", "", "a\\..\\x", "c:/x"])
def test_no_output_path_leaves_the_output_directory(tmp_path, rel):
    from caselog.site.writer import UnsafeOutputPath, write_file

    with pytest.raises(UnsafeOutputPath, match="it is not a path inside the output directory"):
        write_file(tmp_path / "out", rel, "<p>x</p>")
    assert list(tmp_path.rglob("*")) == []


@pytest.mark.parametrize("shown", [
    "幸福里**小区**化粪池满溢无人管", "幸福里\u200b小区化粪池满溢无人管", "幸福里&#23567;区化粪池满溢无人管",
    "２０２６１１０１-ZZZZZ1"])
def test_a_trace_of_a_non_public_case_is_found_however_it_is_written(tmp_path, shown):
    out = tmp_path / "out"
    out.mkdir()
    (out / "page.html").write_text(f"<main>{render_markdown(shown)}</main>", encoding="utf-8")
    leaks = scan_output(out, {"20261101-ZZZZZ1"}, {"幸福里小区化粪池满溢无人管"})
    assert [leak.path for leak in leaks] == ["page.html"]


def test_a_new_secret_is_looked_for_in_files_that_passed_without_running_the_detector_again(tmp_path,
                                                                                             monkeypatch):
    import os

    from caselog.site import scan

    out, state = tmp_path / "out", tmp_path / "scan.json"
    out.mkdir()
    (out / "a.html").write_text(f"<p>与“{SECRET}”相同</p>", encoding="utf-8")
    (out / "b.html").write_text("<p>首页</p>", encoding="utf-8")
    for path in out.iterdir():
        os.utime(path, (path.stat().st_mtime - 60,) * 2)
    assert scan_output(out, set(), set(), state_path=state) == []
    monkeypatch.setattr(scan, "find_personal_data", lambda *args: pytest.fail("detector ran again"))
    leaks = scan_output(out, {"20261101-ZZZZZ1"}, {SECRET}, state_path=state)
    assert [str(leak) for leak in leaks] == [f"a.html: title of a non-public case '{SECRET}'"]
    # the case is public again: nothing new to look for; the file that leaked is read again, the
    # file that passed is not
    monkeypatch.undo()
    real = scan._text_of
    monkeypatch.setattr(scan, "_text_of", lambda path: pytest.fail(f"read {path}") if path.name == "b.html"
                        else real(path))
    assert scan_output(out, set(), set(), state_path=state) == []


@pytest.mark.parametrize(("what", "english", "chinese"), [
    ("id of non-public case 20260302-K7Q2MD (in the record of case 20260105-B0T1ME)",
     "id of non-public case 20260302-K7Q2MD (in the record of case 20260105-B0T1ME)",
     "不公开案件的编号 20260302-K7Q2MD（在案件 20260105-B0T1ME 的数据记录中）"),
    ("title of a non-public case '小区门口积水严重无人处理'", "title of a non-public case '小区门口积水严重无人处理'",
     "不公开案件的标题 '小区门口积水严重无人处理'"),
    ("unmasked 手机号码 (mobile) '138****' in an attribute", "unmasked 手机号码 (mobile) '138****' in an attribute",
     "属性值中有未遮蔽的手机号码（mobile）'138****'"),
    ("path named after non-public case 20260302-K7Q2MD", "path named after non-public case 20260302-K7Q2MD",
     "以不公开案件 20260302-K7Q2MD 命名的路径"),
    ("something the scan does not describe", "something the scan does not describe",
     "something the scan does not describe"),
])
def test_a_leak_reads_in_the_interfaces_language(what, english, chinese):
    from caselog.i18n import speaking
    from caselog.site.scan import Leak

    with speaking("en"):
        assert str(Leak("cases/x/index.html", what)) == f"cases/x/index.html: {english}"
    with speaking("zh"):
        assert str(Leak("cases/x/index.html", what)) == f"cases/x/index.html: {chinese}"

"""The editing interface's configuration (made from the registry and the case format) and
the YAML Decap CMS writes: every file it writes must type as the case it holds, and opening
and saving a case file through it must change nothing the format or the audit sees."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path

import pytest
import yaml
from conftest import CASE_TEXT, DATA, REPO, write_case
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caselog.cms import Backend, ConfigError, Periods, admin_config, case_fields, case_periods, page_settings
from caselog.edit import FIELD_ORDER
from caselog.intake import NewCase, render_case
from caselog.registry import load_registry
from caselog.schema import EVENT_TYPES, Case, type_case
from caselog.yamlsafe import parse

NODE = shutil.which("node")
YAML_PACKAGE = REPO / "admin" / "node_modules" / "yaml"
needs_node = pytest.mark.skipif(NODE is None or not YAML_PACKAGE.is_dir(),
                                reason="Node.js and admin/'s npm packages (scripts/setup.sh) are needed")


@pytest.fixture(scope="module")
def registry():
    root = Path(__file__).resolve().parent.parent
    return load_registry(root)


PERIODS = Periods(("2026/03", "2026/02"), ("2026", "2025"))


def collection(registry, backend=None) -> dict:
    return admin_config(registry, backend or Backend(), PERIODS)["collections"][0]


def field(fields: list[dict], name: str) -> dict:
    return next(f for f in fields if f["name"] == name)


def test_selects_show_chinese_names_and_store_keys(registry):
    fields = collection(registry)["fields"]
    assert field(fields, "channel")["options"][0] == {"label": "人民网领导留言板",
                                                      "value": "people-leaders-board"}
    assert field(fields, "topics") | {"options": None} == {
        "name": "topics", "label": "领域", "widget": "select", "multiple": True, "min": 1,
        "options": None, "required": True}
    assert len(field(fields, "topics")["options"]) == len(registry.topics)
    assigned = next(t for t in field(fields, "events")["types"] if t["name"] == "assigned")
    unit = field(assigned["fields"], "unit")
    assert unit["options"][1] == {"label": "县住建局（青溪县住房和城乡建设局）", "value": "housing-bureau"}
    assert [o["value"] for o in unit["options"]] == list(registry.units)
    assert field(fields, "category")["options"] == [
        {"label": "求助", "value": "help"}, {"label": "投诉", "value": "complaint"},
        {"label": "咨询", "value": "inquiry"}, {"label": "建议", "value": "suggestion"}]


def test_one_event_type_per_kind_with_exactly_the_fields_of_the_format(registry):
    types = field(collection(registry)["fields"], "events")["types"]
    assert [t["name"] for t in types] == list(EVENT_TYPES)
    assert [t["label"] for t in types] == ["受理", "交办", "领导批示", "督办", "答复", "延期", "回访",
                                          "办结", "重新办理", "更正说明"]
    for kind in types:
        model = EVENT_TYPES[kind["name"]].model_fields
        assert [f["name"] for f in kind["fields"]] == [n for n in model if n != "type"]
        for spec in kind["fields"]:
            assert spec["required"] == model[spec["name"]].is_required(), (kind["name"], spec)
    replied = next(t for t in types if t["name"] == "replied")
    assert [(f["name"], f["widget"], f["required"]) for f in replied["fields"]] == [
        ("date", "datetime", True), ("unit", "select", True), ("final", "boolean", True),
        ("text", "text", True)]
    extended = next(t for t in types if t["name"] == "extended")
    assert field(extended["fields"], "days") == {
        "name": "days", "label": "延长工作日数", "widget": "number", "value_type": "int", "min": 1,
        "step": 1, "required": True, "hint": "在当前办结期限上增加的工作日数"}


def test_texts_are_text_areas_and_dates_take_the_formats_own_form(registry):
    fields = collection(registry)["fields"]
    assert field(fields, "message")["widget"] == "text"  # never Decap's rich text: it rewrites Markdown
    assert field(fields, "received") | {"hint": None} == {
        "name": "received", "label": "收到时间", "widget": "datetime", "format": "YYYY-MM-DD HH:mm",
        "date_format": "YYYY-MM-DD", "time_format": "HH:mm", "picker_utc": False, "default": "{{now}}",
        "required": True, "hint": None}
    supervised = next(t for t in field(fields, "events")["types"] if t["name"] == "supervised")
    assert field(supervised["fields"], "due") | {"hint": None} == {
        "name": "due", "label": "办结期限", "widget": "datetime", "format": "YYYY-MM-DD",
        "date_format": "YYYY-MM-DD", "time_format": False, "picker_utc": False, "required": False,
        "hint": None}
    assert [f["name"] for f in fields] == list(Case.model_fields)


def test_cases_are_listed_by_month_and_by_year(registry, demo_root):
    periods = case_periods(demo_root, date(2026, 11, 23), recent=3)
    assert periods == Periods(("2026/11", "2026/10", "2026/09", "2026/08"), ("2026", "2025"))
    assert case_periods(demo_root, date(2027, 1, 4), recent=1) == Periods(
        ("2027/01", "2026/11"), ("2027", "2026", "2025"))
    config = admin_config(registry, Backend(), periods)
    assert [(c["name"], c["label"], c["folder"], c["create"], c.get("path")) for c in config["collections"]] == [
        ("cases-2026-11", "本月（2026年11月）", "cases/2026/11", True, None),
        ("cases-2026-10", "2026年10月", "cases/2026/10", False, None),
        ("cases-2026-09", "2026年9月", "cases/2026/09", False, None),
        ("cases-2026-08", "2026年8月", "cases/2026/08", False, None),
        ("cases-2026", "2026年全部留言", "cases/2026", False, "{{month}}/{{slug}}"),
        ("cases-2025", "2025年全部留言", "cases/2025", False, "{{month}}/{{slug}}")]
    filters = config["collections"][0]["view_filters"]
    assert [f["label"] for f in filters[:4]] == ["未办结", "已办结", "紧急件", "不公开"]
    assert filters[5] == {"label": "经办：县住建局", "field": "events", "pattern": '"unit": "housing-bureau"'}


def test_new_cases_get_an_id_and_their_own_folder(registry):
    cases = collection(registry)
    assert (cases["folder"], cases["extension"], cases["format"], cases["identifier_field"]) == (
        "cases/2026/03", "yaml", "yaml", "id")
    assert field(cases["fields"], "id") == {"name": "id", "label": "编号", "widget": "caselog-id",
                                            "required": False, "hint": "新留言保存时自动生成，不可修改"}
    assert cases["delete"] is False
    settings_js = page_settings(admin_config(registry, Backend(), PERIODS))
    assert settings_js.startswith("// Generated by `caselog admin-config` from the case format.\n"
                                  "window.CASELOG = ")
    page = json.loads(settings_js.split("= ", 1)[1].rstrip(";\n"))
    assert page == {"folder": "cases", "collections": ["cases-2026-03", "cases-2026-02", "cases-2026",
                                                       "cases-2025"],
                    "caseOrder": list(Case.model_fields),
                    "authorOrder": ["alias", "real_name", "contact_on_file"],
                    "eventOrder": list(FIELD_ORDER)}


def test_a_text_format_field_becomes_a_select_when_the_format_has_it(registry, monkeypatch):
    if "text_format" in Case.model_fields:
        spec = field(case_fields(registry), "text_format")
        assert spec["widget"] == "select" and spec["default"] == "plain" and spec["required"] is False
        assert [o["value"] for o in spec["options"]] == ["plain", "markdown"]
    else:
        assert "text_format" not in [f["name"] for f in case_fields(registry)]


def test_a_field_the_interface_does_not_know_is_an_error(registry, monkeypatch):
    from caselog import cms

    monkeypatch.setattr(cms, "LINES", cms.LINES - {"area"})
    with pytest.raises(ConfigError) as error:
        case_fields(registry)
    assert str(error.value) == "the editing interface does not know how to edit the field 'area'"


def test_backends(registry):
    github = admin_config(registry, Backend("github", "qingxi/caselog", "main",
                                            base_url="https://auth.example.org"), PERIODS)
    assert github["publish_mode"] == "editorial_workflow"
    assert github["backend"] | {"commit_messages": None} == {
        "name": "caselog-github", "repo": "qingxi/caselog", "branch": "main", "squash_merges": True,
        "cms_label_prefix": "caselog/", "commit_messages": None, "base_url": "https://auth.example.org"}
    gitea = admin_config(registry, Backend("gitea", "qingxi/caselog", "main",
                                           base_url="https://git.example.org",
                                           api_root="https://git.example.org/api/v1", app_id="abc"),
                         PERIODS)
    # Decap's Gitea backend has no editorial workflow: saves are commits on caselog-edits
    assert gitea["publish_mode"] == "simple"
    assert {k: gitea["backend"][k] for k in ("name", "branch", "auth_type", "app_id", "api_root")} == {
        "name": "caselog-gitea", "branch": "caselog-edits", "auth_type": "pkce", "app_id": "abc",
        "api_root": "https://git.example.org/api/v1"}
    local = admin_config(registry, Backend("local", branch="main", local_url="http://127.0.0.1:9/api/v1",
                                           workflow=False),
                         PERIODS)
    assert local["publish_mode"] == "simple"
    assert local["backend"]["name"] == "caselog-proxy"


def test_admin_config_command(cli, tmp_path):
    shutil.copytree(DATA / "registry", tmp_path / "cases" / "registry")
    result = cli(tmp_path, "admin-config", "--repo", "qingxi/caselog")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("# Generated by `caselog admin-config` from cases/registry/ and the "
                                    "case format.\n# Do not edit: run the command again after changing "
                                    "the registry.\n")
    config = yaml.safe_load(result.output)
    assert config["backend"]["repo"] == "qingxi/caselog"
    assert config["locale"] == "zh_Hans"

    result = cli(tmp_path, "admin-config", "-o", "site/admin")
    assert result.exit_code == 1
    bundle = tmp_path / "admin" / "node_modules" / "decap-cms" / "dist" / "decap-cms.js"
    assert result.output == (f"error: the CMS bundle is missing ({bundle}): run 'bash scripts/setup.sh' "
                             "to install it from npm\n")


@pytest.mark.skipif(not (REPO / "admin" / "node_modules" / "decap-cms").is_dir(),
                    reason="admin/'s npm packages are not installed (scripts/setup.sh)")
def test_admin_config_writes_the_page_with_its_bundle(cli, tmp_path):
    shutil.copytree(DATA / "registry", tmp_path / "cases" / "registry")
    (tmp_path / "admin").mkdir()
    for name in ("index.html", "caselog-cms.js"):
        shutil.copy(REPO / "admin" / name, tmp_path / "admin" / name)
    (tmp_path / "admin" / "node_modules").symlink_to(REPO / "admin" / "node_modules")
    result = cli(tmp_path, "admin-config", "-o", "site/admin")
    assert result.exit_code == 0, result.output
    out = tmp_path / "site" / "admin"
    assert result.output.startswith(f"wrote the editing interface to {out} (")
    assert {p.name for p in out.iterdir()} == {"index.html", "caselog-cms.js", "caselog-config.js",
                                              "config.yml", "decap-cms"}
    assert (out / "decap-cms" / "decap-cms.js").is_file()
    assert not list(out.rglob("*.map"))
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "http" not in page  # nothing from other hosts


# --- the YAML Decap writes ---------------------------------------------------------------

def decap(request: dict) -> list[str]:
    done = subprocess.run([NODE, str(REPO / "tests" / "decap_yaml.js")], input=json.dumps(request),
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


TEXT = st.text(st.characters(min_codepoint=9, max_codepoint=0x9FFF, blacklist_categories=("Cs", "Cc"),
                             whitelist_characters="\t\n"), min_size=1, max_size=40).filter(str.strip)
NASTY = ["0o17", "1e3", "0x10", ".inf", "null", "~", "yes", "no", "on", "true", "False", "2026-03-02",
         "12:30", "- item", "# hash", "key: value", "'single'", '"double"', "|", ">", "@at", "`tick`",
         "%percent", "&anchor", "*alias", "!tag", "  leading", "trailing  ", "a\n\n\nb", "line\n",
         "\nfirst blank", "tab\tinside", "中文：冒号", "138****5678", "******万元", "a # not a comment",
         "[flow]", "{flow: map}", "?", "-", ",comma"]


def a_case(texts: list[str]) -> dict:
    """Case data as the form holds it (JS values: strings, booleans, numbers)."""
    events = [{"date": "2026-03-02", "type": "accepted"},
              {"date": "2026-03-03", "type": "assigned", "unit": "housing-bureau", "mode": "assign"}]
    events += [{"date": "2026-03-10", "type": "replied", "unit": "housing-bureau", "final": False,
                "text": text} for text in texts]
    events.append({"date": "2026-03-11", "type": "extended", "approved_by": "县督查室", "reason": texts[0],
                   "days": 10})
    return {"id": "20260302-K7Q2MD", "title": texts[0], "received": "2026-03-02 09:14",
            "channel": "mayor-mailbox", "category": "help", "topics": ["housing"], "area": texts[-1],
            "priority": "normal", "author": {"alias": texts[0], "real_name": True, "contact_on_file": False},
            "public": True, "message": texts[-1], "events": events}


def typed(text: str) -> Case:
    case, problems = type_case(parse(text, "case.yaml"))
    assert problems == [], (problems, text)
    return case


@needs_node
def test_what_decap_writes_types_as_the_same_case():
    data = [a_case([text]) for text in NASTY]
    for item, text in zip(data, decap({"write": data, "keys": list(Case.model_fields)}), strict=True):
        case = typed(text)
        assert (case.title, case.message, case.area) == (item["title"], item["message"], item["area"])
        assert case.events[2].text == item["events"][2]["text"]
        assert (case.received, case.events[0].date) == (datetime(2026, 3, 2, 9, 14), date(2026, 3, 2))
        assert (case.author.real_name, case.public, case.events[3].days) == (True, True, 10)
        assert text.startswith("id: 20260302-K7Q2MD\ntitle: ")


@needs_node
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(TEXT, min_size=1, max_size=20))
def test_what_decap_writes_keeps_every_text(texts):
    [text] = decap({"write": [a_case(texts)], "keys": list(Case.model_fields)})
    case = typed(text)
    assert [e.text for e in case.events[2:-1]] == texts
    assert (case.title, case.message) == (texts[0], texts[-1])


def resaved_problems(root: Path, cli) -> tuple[list[str], object]:
    """Commit the case log, open and save every case file through Decap's YAML, validate --base."""
    def git(*args):
        subprocess.run(["git", "-c", "commit.gpgsign=false", *args], cwd=root, check=True,
                       capture_output=True)
    git("init", "-q", "-b", "main")
    git("-c", "user.name=t", "-c", "user.email=t@example.org", "add", "cases")
    git("-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "base")
    files = sorted(p for p in (root / "cases").rglob("*.yaml") if "registry" not in p.parts)
    texts = decap({"resave": [p.read_text(encoding="utf-8") for p in files],
                   "keys": list(Case.model_fields)})
    changed = []
    for path, text in zip(files, texts, strict=True):
        if text != path.read_text(encoding="utf-8"):
            changed.append(path)
        path.write_text(text, encoding="utf-8")
    return changed, cli(root, "validate", "--base", "main")


@needs_node
def test_opening_and_saving_every_demo_case_changes_nothing_the_audit_sees(demo_root, cli):
    changed, result = resaved_problems(demo_root, cli)
    assert len(changed) > 50  # flow mappings become blocks, comments go: the text did change
    assert result.exit_code == 0, result.output
    assert "warning" not in result.output, result.output


@needs_node
def test_opening_and_saving_what_caselog_wrote_changes_nothing(log_root, cli):
    for number, title in enumerate(NASTY):
        new = NewCase(title=title, received=datetime(2026, 3, 2, 9, 14), channel="people-leaders-board",
                      category="help", topics=("housing",), message=title + "\n第二行", alias=title,
                      accepted_on=date(2026, 3, 2), area=title)
        write_case(log_root, f"20260302-AB{number:04d}", render_case(new, f"20260302-AB{number:04d}"))
    write_case(log_root, "20260302-K7Q2MD", CASE_TEXT)
    _, result = resaved_problems(log_root, cli)
    assert result.exit_code == 0, result.output
    assert "warning" not in result.output, result.output


def test_admin_needs_a_git_checkout_on_a_branch(cli, log_root):
    result = cli(log_root, "admin", "--port", "1")
    assert result.exit_code == 1
    assert result.output == (f"error: {log_root} is not a git checkout: the editing interface commits "
                             "each save, so run it in a clone of the case log's repository\n")
    run = {"cwd": log_root, "check": True, "capture_output": True}
    subprocess.run(["git", "init", "-q", "-b", "main"], **run)
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "commit.gpgsign=false",
                    "commit", "-q", "--allow-empty", "-m", "x"], **run)
    subprocess.run(["git", "checkout", "-q", "--detach"], **run)
    result = cli(log_root, "admin", "--port", "1")
    assert result.output == "error: the checkout is not on a branch (detached HEAD): check out a branch first\n"

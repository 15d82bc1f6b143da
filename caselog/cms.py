"""The staff editing interface (Decap CMS): its configuration, made from the registry and
the case format so that it never drifts, and the admin page folder that serves it.

Every field of a case and of each event kind comes from the schema's models (which
fields exist, which are required); this module only says how each is edited and what
it is called in Chinese. A field the schema has and this module does not know is an
error, so a new field cannot silently be missing from the form.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

from .edit import FIELD_ORDER
from .errors import CaselogError
from .registry import Registry
from .schema import (
    CATEGORIES,
    EVENT_TYPES,
    METHODS,
    MODES,
    OUTCOMES,
    PRIORITIES,
    SATISFACTIONS,
    Author,
    Case,
    PlatformCounts,
)

ADMIN_SOURCE = "admin"  # the npm folder with the page, its script and node_modules/
BUNDLE = Path("node_modules/decap-cms/dist")
PAGE_FILES = ("index.html", "caselog-cms.js")
CASES_FOLDER = "cases"
RECENT_MONTHS = 12  # month lists besides the current month's
NO_WORKFLOW = ("gitea", "forgejo")  # Decap backends without the editorial workflow (Decap 3.16)
EDITS_BRANCH = "caselog-edits"  # where those commit; a standing pull request takes it into main
DATE_FORMAT = "YYYY-MM-DD"
MOMENT_FORMAT = "YYYY-MM-DD HH:mm"

# Chinese labels of the format's fixed values (the registry's keys get their names)
VALUE_LABELS = {
    "category": dict(zip(CATEGORIES, ("求助", "投诉", "咨询", "建议"), strict=True)),
    "priority": dict(zip(PRIORITIES, ("一般", "紧急"), strict=True)),
    "mode": dict(zip(MODES, ("交办", "转办", "自办", "呈办"), strict=True)),
    "method": dict(zip(METHODS, ("电话", "上门", "网上"), strict=True)),
    "satisfaction": dict(zip(SATISFACTIONS, ("满意", "基本满意", "不满意", "联系不上"), strict=True)),
    "outcome": dict(zip(OUTCOMES, ("已解决", "已解释说明", "反映不实", "已转有关部门", "重复留言",
                                   "网民撤回"), strict=True)),
    "text_format": {"plain": "纯文本（按输入原样显示）", "markdown": "Markdown"},
    "unclassified": {"category": "类别待定", "topics": "领域待定"},
}
EVENT_LABELS = {
    "accepted": "受理", "assigned": "交办", "instructed": "领导批示", "supervised": "督办",
    "replied": "答复", "extended": "延期", "visited": "回访", "reopened": "重新办理",
    "closed": "办结", "corrected": "更正说明",
}
FIELD_LABELS = {
    "id": "编号", "title": "标题", "received": "收到时间", "channel": "留言渠道",
    "source_url": "原帖网址", "source_ref": "原帖编号", "category": "类别", "topics": "领域",
    "area": "地区", "priority": "紧急程度", "author": "留言人", "alias": "公开显示的网名",
    "real_name": "实名留言", "contact_on_file": "联系方式已另行登记（不录入本系统）",
    "public": "办结后公开", "text_format": "文字格式", "message": "留言内容",
    "events": "办理过程", "related": "相关留言编号",
    "date": "日期", "unit": "承办单位", "mode": "方式", "note": "备注", "by": "批示领导",
    "text": "内容", "ref": "督办文号", "due": "办结期限", "final": "最终答复（办结答复）",
    "approved_by": "批准单位", "reason": "理由", "days": "延长工作日数", "method": "回访方式",
    "satisfaction": "满意度", "outcome": "办结结果", "duplicate_of": "重复的留言编号",
    "referred_to": "转至单位",
    "unclassified": "待分类", "platform_counts": "原平台计数", "likes": "点赞数", "dislikes": "反对数",
    "source_digest": "导入查重摘要",
}
HINTS = {
    "id": "新留言保存时自动生成，不可修改",
    "received": "本地时间",
    "alias": "只填网名，不填真实姓名",
    "contact_on_file": "电话、地址等联系方式绝不录入本系统",
    "message": "个人信息（电话、身份证号等）须先遮盖，如 138****5678",
    "text_format": "纯文本：换行原样保留；Markdown：可用 **粗体**、列表等标记",
    "events": "已发布的办理记录不可修改或删除；如需更正，请追加一条“更正说明”",
    "final": "勾选表示这是办结答复，否则为阶段性答复",
    "days": "在当前办结期限上增加的工作日数",
    "due": "督办通知规定的办结日期（替代当前期限）",
    "text": "",
    "unclassified": "导入时未能确定的项目；分类确定后请清除",
}
TEXT_AREAS = {"message", "text", "note", "reason"}
LINES = {"title", "source_url", "source_ref", "area", "alias", "by", "ref", "approved_by",
         "duplicate_of", "referred_to"}


class ConfigError(CaselogError):
    """The case format has a field the editing interface does not know how to edit."""


@dataclass(frozen=True)
class Backend:
    """Where the CMS reads and writes: a forge (pull requests) or the local checkout."""

    name: str = "github"  # github | gitlab | gitea | forgejo, or "local"
    repo: str = "office/caselog"
    branch: str = "main"
    base_url: str | None = None  # the OAuth proxy (GitHub) or the forge's address (GitLab, Gitea)
    api_root: str | None = None
    app_id: str | None = None  # the OAuth application's id (GitLab, Gitea: PKCE, no server)
    local_url: str | None = None  # the local proxy's API (local mode)
    workflow: bool = True  # each save a branch and a pull request; local mode: False commits directly

    def config(self) -> dict:
        """The `backend:` section (and the top-level keys that go with it)."""
        if self.name == "local":
            return {"backend": {"name": "caselog-proxy", "proxy_url": self.local_url, "branch": self.branch,
                                "commit_messages": COMMIT_MESSAGES},
                    "publish_mode": "editorial_workflow" if self.workflow else "simple"}
        # caselog-<forge>: the forge's backend, wrapped to save each case at its own path
        backend = {"name": f"caselog-{self.name}", "repo": self.repo, "branch": self.branch,
                   "commit_messages": COMMIT_MESSAGES}
        if self.name in NO_WORKFLOW:
            # Decap's Gitea and Forgejo backends refuse the editorial workflow: saves are commits
            # on a branch of their own, which one standing pull request brings into `branch`
            return {"backend": self._signed_in(backend | {"branch": EDITS_BRANCH}), "publish_mode": "simple"}
        backend |= {"squash_merges": True, "cms_label_prefix": "caselog/"}
        return {"backend": self._signed_in(backend), "publish_mode": "editorial_workflow"}

    def _signed_in(self, backend: dict) -> dict:
        """The backend section with the sign-in settings."""
        if self.name in ("gitlab", "gitea", "forgejo") and self.app_id:
            backend |= {"auth_type": "pkce", "app_id": self.app_id}
        for key in ("base_url", "api_root"):
            if getattr(self, key):
                backend[key] = getattr(self, key)
        if self.name in NO_WORKFLOW and self.base_url and not self.api_root:
            backend["api_root"] = self.base_url.rstrip("/") + "/api/v1"  # Forgejo requires it
        return backend


# {{slug}} is Decap's lowercased id for a new case; the page's script puts the id back
COMMIT_MESSAGES = {"create": "登记留言 {{slug}}", "update": "更新留言 {{slug}}",
                   "delete": "删除留言 {{slug}}", "uploadMedia": "上传 {{path}}",
                   "deleteMedia": "删除 {{path}}"}


def _options(labels: dict) -> list[dict]:
    return [{"label": label, "value": key} for key, label in labels.items()]


def _registry_options(table: dict) -> list[dict]:
    # a unit's short name first: it is what staff say and type to find it
    return [{"label": f"{entry.short}（{entry.name}）" if getattr(entry, "short", None) else entry.name,
             "value": key} for key, entry in table.items()]


def _widget(name: str, registry: Registry) -> dict:
    """How one field is edited."""
    if name in ("received",):
        return {"widget": "datetime", "format": MOMENT_FORMAT, "date_format": DATE_FORMAT,
                "time_format": "HH:mm", "picker_utc": False, "default": "{{now}}"}
    if name in ("date", "due"):
        return {"widget": "datetime", "format": DATE_FORMAT, "date_format": DATE_FORMAT,
                "time_format": False, "picker_utc": False, "default": "{{now}}" if name == "date" else ""}
    if name == "channel":
        return {"widget": "select", "options": _registry_options(registry.channels)}
    if name == "unit":
        return {"widget": "select", "options": _registry_options(registry.units)}
    if name == "topics":
        return {"widget": "select", "multiple": True, "min": 1,
                "options": _registry_options(registry.topics)}
    if name == "unclassified":
        return {"widget": "select", "multiple": True, "options": _options(VALUE_LABELS[name])}
    if name == "source_digest":  # written by `caselog import` for its repeat check; kept as it is
        return {"widget": "hidden"}
    if name in ("likes", "dislikes"):
        return {"widget": "number", "value_type": "int", "min": 0, "step": 1}
    if name in VALUE_LABELS:
        return {"widget": "select", "options": _options(VALUE_LABELS[name])}
    if name in ("real_name", "contact_on_file", "final"):
        return {"widget": "boolean", "default": False}
    if name == "public":
        return {"widget": "boolean", "default": True}
    if name == "days":
        return {"widget": "number", "value_type": "int", "min": 1, "step": 1}
    if name == "related":
        return {"widget": "list", "allow_add": True, "collapsed": False,
                "field": {"name": "id", "label": "编号", "widget": "string"}}
    if name == "id":
        return {"widget": "caselog-id"}
    if name in TEXT_AREAS:
        return {"widget": "text"}
    if name in LINES:
        return {"widget": "string"}
    msg = f"the editing interface does not know how to edit the field '{name}'"
    raise ConfigError(msg)


def _field(name: str, info, registry: Registry, required: bool | None = None) -> dict:
    spec = {"name": name, "label": FIELD_LABELS.get(name, name), **_widget(name, registry)}
    spec["required"] = info.is_required() if required is None else required
    if HINTS.get(name):
        spec["hint"] = HINTS[name]
    if not spec["required"] and "default" in spec and spec["widget"] != "boolean":
        del spec["default"]  # an optional field stays absent unless someone fills it in
    default = info.default if not info.is_required() else None
    if isinstance(default, str) and default and spec["widget"] == "select":
        spec["default"] = default
    return spec


def event_types(registry: Registry) -> list[dict]:
    """One list type per event kind, with exactly the fields the format allows for it."""
    types = []
    for kind, cls in EVENT_TYPES.items():
        fields = [_field(name, info, registry) for name, info in cls.model_fields.items()
                  if name != "type"]
        summary = "{{fields.date}} " + EVENT_LABELS[kind]
        if "unit" in cls.model_fields:
            summary += " {{fields.unit}}"
        types.append({"name": kind, "label": EVENT_LABELS[kind], "widget": "object",
                      "summary": summary, "fields": fields})
    return types


def case_fields(registry: Registry) -> list[dict]:
    """The form of a case, in the format's field order."""
    fields = []
    for name, info in Case.model_fields.items():
        if name == "author":
            fields.append({"name": "author", "label": FIELD_LABELS["author"], "widget": "object",
                           "collapsed": False,
                           "fields": [_field(n, i, registry) for n, i in Author.model_fields.items()]})
        elif name == "platform_counts":
            counts = [_field(n, i, registry) for n, i in PlatformCounts.model_fields.items()]
            fields.append({"name": name, "label": FIELD_LABELS[name], "widget": "object", "required": False,
                           "collapsed": True, "fields": counts})
        elif name == "events":
            fields.append({"name": "events", "label": FIELD_LABELS["events"], "widget": "list",
                           "label_singular": "办理记录", "typeKey": "type", "collapsed": True,
                           "minimize_collapsed": False, "hint": HINTS["events"],
                           "types": event_types(registry)})
        elif name == "id":  # made by the page's preSave handler, after the form is checked
            fields.append(_field(name, info, registry, required=False))
        elif name == "text_format":
            spec = _field(name, info, registry, required=False)
            spec["default"] = "plain"  # what a clerk types in a text area is shown as typed
            fields.append(spec)
        else:
            fields.append(_field(name, info, registry))
    return fields


@dataclass(frozen=True)
class Periods:
    """The month folders the interface lists one by one, and the years it lists whole."""

    months: tuple[str, ...]  # "2026/03", the current month first, then the latest ones
    years: tuple[str, ...]


def case_periods(root: Path, today: date, recent: int = RECENT_MONTHS) -> Periods:
    """The current month and the `recent` latest month folders under cases/, and every year."""
    base = root / CASES_FOLDER
    months: set[str] = set()
    for year in base.iterdir() if base.is_dir() else ():
        if year.is_dir() and len(year.name) == 4 and year.name.isdigit():
            months |= {f"{year.name}/{m.name}" for m in year.iterdir()
                       if m.is_dir() and len(m.name) == 2 and m.name.isdigit()}
    current = f"{today:%Y/%m}"
    latest = [m for m in sorted(months, reverse=True) if m != current][:recent]
    years = sorted({m[:4] for m in months} | {current[:4]}, reverse=True)
    return Periods((current, *latest), tuple(years))


def _month_label(month: str, current: bool) -> str:
    year, number = month.split("/")
    label = f"{year}年{int(number)}月"
    return f"本月（{label}）" if current else label


def admin_config(registry: Registry, backend: Backend, periods: Periods) -> dict:
    """The whole Decap CMS configuration for this case log.

    Decap loads every file of a collection to list it, so cases are listed a month at a time
    (one collection per month folder) and a year at a time; new cases are registered from the
    current month's list (the page's script saves each under its own received month)."""
    unit_filters = [{"label": f"经办：{unit.label}", "field": "events",
                     "pattern": f'"unit": "{key}"'} for key, unit in registry.units.items()]
    fields = case_fields(registry)  # one list: the YAML refers to it (&id) instead of repeating it
    shared = {
        "extension": "yaml",
        "format": "yaml",
        "delete": False,  # a published case is never deleted
        "identifier_field": "id",
        "slug": "{{fields.id}}",
        "summary": "{{id}}　{{title}}",
        "sortable_fields": ["received", "id", "title"],
        "view_filters": [
            {"label": "未办结", "field": "events", "pattern": '^(?![\\s\\S]*"type": "closed")'},
            {"label": "已办结", "field": "events", "pattern": '"type": "closed"'},
            {"label": "紧急件", "field": "priority", "pattern": "urgent"},
            {"label": "不公开", "field": "public", "pattern": "false"},
            *unit_filters,
        ],
        "editor": {"preview": False},
        "fields": fields,
    }
    collections = []
    for index, month in enumerate(periods.months):
        current = index == 0
        collections.append({
            "name": f"cases-{month.replace('/', '-')}",
            "label": _month_label(month, current),
            "label_singular": "留言",
            "description": ("本月收到的网民留言。点“新建留言”登记新留言；每次保存都会提交一个变更，"
                            "经检查和审核后发布。" if current else None),
            "folder": f"{CASES_FOLDER}/{month}",
            "create": current,
            **shared,
        })
    for year in periods.years:
        collections.append({
            "name": f"cases-{year}", "label": f"{year}年全部留言", "label_singular": "留言",
            "folder": f"{CASES_FOLDER}/{year}", "create": False, "path": "{{month}}/{{slug}}",
            **shared,
            "view_groups": [{"label": "按月", "field": "received", "pattern": "^\\d{4}-\\d{2}"}],
        })
    for collection in collections:
        if collection.get("description") is None:
            collection.pop("description", None)
    return {
        **backend.config(),
        "locale": "zh_Hans",
        "site_url": "/",
        "media_folder": "admin/uploads",  # required by Decap; cases have no uploads
        "collections": collections,
    }


def config_text(config: dict) -> str:
    """The configuration as config.yml text."""
    head = ("# Generated by `caselog admin-config` from cases/registry/ and the case format.\n"
            "# Do not edit: run the command again after changing the registry.\n")
    return head + yaml.safe_dump(config, allow_unicode=True, sort_keys=False, width=100)


def page_settings(config: dict) -> str:
    """caselog-config.js: what the page's script needs from the case format (field order) and
    the configuration (the lists, to open a case it has just saved)."""
    settings = {"folder": CASES_FOLDER, "collections": [c["name"] for c in config["collections"]],
                "caseOrder": list(Case.model_fields),
                "authorOrder": list(Author.model_fields), "eventOrder": list(FIELD_ORDER)}
    return ("// Generated by `caselog admin-config` from the case format.\n"
            f"window.CASELOG = {json.dumps(settings, ensure_ascii=False)};\n")


def write_admin_site(source: Path, dest: Path, config: dict) -> list[str]:
    """Write the admin page folder (page, scripts, config, CMS bundle) into `dest`, taking the
    page and the bundle from `source` (the admin/ folder, where setup ran npm)."""
    bundle = source / BUNDLE
    if not (bundle / "decap-cms.js").is_file():
        msg = (f"the CMS bundle is missing ({bundle / 'decap-cms.js'}): "
               "run 'bash scripts/setup.sh' to install it from npm")
        raise ConfigError(msg)
    dest.mkdir(parents=True, exist_ok=True)
    written = []
    for name in PAGE_FILES:
        shutil.copyfile(source / name, dest / name)
        written.append(name)
    (dest / "config.yml").write_text(config_text(config), encoding="utf-8")
    (dest / "caselog-config.js").write_text(page_settings(config), encoding="utf-8")
    written += ["config.yml", "caselog-config.js"]
    # the bundle loads its chunks and wasm files from beside itself; source maps are not needed,
    # nor the twin build without React inlined (cms.js, N.cms.js)
    target = dest / "decap-cms"
    target.mkdir(exist_ok=True)
    for path in sorted(bundle.iterdir()):
        if path.name.endswith((".map", ".LICENSE.txt")) or path.name.split(".")[-2:] == ["cms", "js"]:
            continue
        shutil.copyfile(path, target / path.name)
        written.append(f"decap-cms/{path.name}")
    return written

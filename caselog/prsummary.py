"""What a pull request does to the case log: cases opened, events added, deadlines moved.

Compares every case file changed since a base ref with its version there (the same
change set `caselog validate --base` checks) and derives both versions' deadlines.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from .audit import KEPT, parse_old, registry_changes
from .derive import derive, last_update
from .errors import LoadError
from .gitread import FileChange, changed_case_files, read_at, resolve_ref
from .registry import Registry, load_registry
from .schema import Case, Event, type_case
from .workdays import CalendarError
from .yamlsafe import Document, load_file

ACTIVITIES = {  # what the summary counts, in this order, with its label
    "opened": "新受理", "assigned": "交办", "instructed": "领导批示", "supervised": "督办",
    "replied-interim": "阶段性答复", "replied-final": "最终答复", "extended": "延期",
    "visited": "回访", "closed": "办结", "reopened": "重新办理", "corrected": "更正",
    "deleted": "删除", "moved": "移动", "edited": "修改",
}
FIELDS = {"title": "标题", "received": "收到时间", "channel": "渠道", "source_url": "原帖地址",
          "source_ref": "来源编号", "category": "类别", "topics": "领域", "area": "地点",
          "priority": "优先级", "author": "留言人", "public": "公开", "message": "留言内容",
          "related": "相关案件"}
SHOWN_VALUES = ("received", "channel", "category", "topics", "priority", "public")  # short, not personal
MODES = {"assign": "交办", "transfer": "转办", "self": "自办", "escalate": "呈办"}
OUTCOMES = {"resolved": "已解决", "explained": "解释说明", "unfounded": "反映不实",
            "referred": "转递", "duplicate": "重复留言", "withdrawn": "撤回"}
SATISFACTION = {"satisfied": "满意", "basically-satisfied": "基本满意", "dissatisfied": "不满意",
                "unreachable": "未联系上"}


@dataclass(frozen=True)
class CaseChange:
    """One case changed by the pull request."""

    path: str
    case_id: str
    title: str
    change: str  # opened, updated, deleted or moved
    added: tuple[Event, ...]  # events the change adds
    edited: bool  # earlier content was edited (see audit)
    final_due_before: date | None
    final_due_after: date | None
    final_due_reason: str | None  # why the final-reply deadline is where it is now
    fields: tuple[tuple[str, object, object], ...] = ()  # (name, before, after) of changed case fields

    @property
    def deadline_moved(self) -> bool:
        """The final-reply deadline of an existing case moved."""
        return None not in (self.final_due_before, self.final_due_after) and \
            self.final_due_before != self.final_due_after

    @property
    def activities(self) -> list[str]:
        """The ACTIVITIES keys this change counts under."""
        found = [self.change] if self.change in ACTIVITIES else []
        for event in self.added:
            kind = event.type
            if kind == "replied":
                kind += "-final" if event.final else "-interim"
            if kind in ACTIVITIES and kind not in found:
                found.append(kind)
        if self.fields and self.change == "updated":
            found.append("edited")
        return found


@dataclass(frozen=True)
class PullSummary:
    """Every case a pull request changes, against `base`."""

    base: str
    changes: tuple[CaseChange, ...]
    registry: tuple[tuple[str, tuple[str, ...]], ...] = ()  # registry files changed, with their keys

    def counts(self) -> dict[str, int]:
        """How many cases each activity touches (activities with none are left out)."""
        counts = dict.fromkeys(ACTIVITIES, 0)
        for change in self.changes:
            for activity in change.activities:
                counts[activity] += 1
        return {k: v for k, v in counts.items() if v}


def summarize(root: Path, base: str, registry: Registry | None = None) -> PullSummary:
    """What the working tree changes in the case log compared with `base`."""
    registry = registry or load_registry(root)
    commit = resolve_ref(root, base)
    changes = changed_case_files(root, commit)
    before = read_at(root, commit, [c.old_path for c in changes if c.old_path])
    result = []
    for change in changes:
        old = parse_old(before.get(change.old_path), change.old_path, base) if change.old_path else None
        item = case_change(root, change, old, registry)
        if item is not None:
            result.append(item)
    result.sort(key=lambda c: (c.change != "opened", c.case_id))
    return PullSummary(base, tuple(result), tuple(registry_changes(root, commit)))


def case_change(root: Path, change: FileChange, old_doc: Document | None,
                registry: Registry) -> CaseChange | None:
    """Describe one changed file; None if neither version is a usable case."""
    old = type_case(old_doc)[0] if old_doc is not None else None
    new = None
    if change.new_path is not None:
        try:
            new = type_case(load_file(root / change.new_path, change.new_path))[0]
        except LoadError:
            new = None  # `caselog validate` reports it
    shown = new or old
    if shown is None:
        return None
    if change.status == "deleted":
        kind = "deleted"
    elif old is None:
        kind = "opened"
    else:
        kind = "moved" if change.status == "moved" else "updated"
    added, edited = _added_events(old, new)
    due_before, _ = _final_due(old, registry, new)
    due_after, reason = _final_due(new, registry, old)
    return CaseChange(change.path, shown.id, shown.title, kind, added, edited,
                      due_before, due_after, reason, _changed_fields(old, new))


def _changed_fields(old: Case | None, new: Case | None) -> tuple[tuple[str, object, object], ...]:
    """The case's own fields (not its events) that differ between two versions."""
    if old is None or new is None:
        return ()
    return tuple((name, getattr(old, name), getattr(new, name)) for name in FIELDS
                 if getattr(old, name) != getattr(new, name))


def _added_events(old: Case | None, new: Case | None) -> tuple[tuple[Event, ...], bool]:
    """Events in `new` that `old` does not have, and whether any of `old`'s were edited."""
    if new is None:
        return (), False
    was = old.events if old is not None else ()
    added: list[Event] = []
    matched = 0
    for event in new.events:
        if matched < len(was) and event == was[matched]:
            matched += 1
        else:
            added.append(event)
    if matched < len(was):  # published events were edited: what lies past them is new
        return tuple(new.events[len(was):]), True
    return tuple(added), False


def _final_due(case: Case | None, registry: Registry, other: Case | None):
    """The final-reply deadline of `case` once all its events happened, and its last reason."""
    if case is None:
        return None, None
    as_of = max(last_update(case), last_update(other) if other is not None else last_update(case))
    try:
        state = derive(case, as_of, registry.rules, registry.calendar)
    except CalendarError:  # a date validation refuses: `caselog validate` reports it
        return None, None
    if state is None:
        return None, None
    return state.final_reply.due, state.final_reply.steps[-1].reason


def describe(event: Event, registry: Registry) -> str:
    """A short Chinese description of an event for the summary."""
    unit = registry.unit_label
    kind = event.type
    if kind == "assigned":
        return f"{MODES.get(event.mode, event.mode)}{unit(event.unit)}"
    if kind == "replied":
        return f"{'最终' if event.final else '阶段性'}答复（{unit(event.unit)}）"
    if kind == "extended":
        return f"延期 {event.days} 个工作日"
    if kind == "supervised":
        return f"督办 {event.ref}" + (f"（限 {event.due}）" if event.due else "")
    if kind == "closed":
        return f"办结（{OUTCOMES.get(event.outcome, event.outcome)}）"
    if kind == "visited":
        return f"回访（{SATISFACTION.get(event.satisfaction, event.satisfaction)}）"
    if kind == "instructed":
        return f"领导批示（{event.by}）"
    return {"accepted": "受理", "reopened": "重新办理", "corrected": "更正"}.get(kind, kind)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def summary_markdown(summary: PullSummary, registry: Registry) -> str:
    """The summary as Markdown, for a pull request description or a job summary."""
    lines = [f"## 案件变更摘要（对比 {summary.base}）", ""]
    for path, keys in summary.registry:
        changed = f"（{'、'.join(keys)}）" if keys else ""
        lines += [f"**登记表变更**：`{path}` 已修改{changed}；已发布案件的期限和按期结论可能随之变化。", ""]
    if not summary.changes:
        return "\n".join([*lines, "本次变更没有改动案件。"]) + "\n"
    counts = "，".join(f"{ACTIVITIES[k]} {n} 件" for k, n in summary.counts().items())
    lines += [f"{len(summary.changes)} 件案件有变更" + (f"：{counts}。" if counts else "。"), "",
              "| 编号 | 标题 | 变更 | 最终答复期限 |", "| --- | --- | --- | --- |"]
    for change in summary.changes:
        what = [ACTIVITIES[change.change]] if change.change != "updated" else []
        what += [describe(e, registry) for e in change.added if e.type != "accepted"]
        if change.edited:
            what.append("修改了已发布内容")
        what += [_field_change(*item) for item in change.fields]
        if not what:
            what.append("仅调整格式，内容未变")
        due = change.final_due_after.isoformat() if change.final_due_after else "-"
        lines.append(f"| `{change.case_id}` | {_cell(change.title)} | {_cell('；'.join(what))} | {due} |")
    uncorrected = [c for c in summary.changes if not any(e.type == "corrected" for e in c.added)
                   and (c.edited or any(name in KEPT for name, _was, _now in c.fields))]
    if uncorrected:
        lines += ["", "### 需要处理", ""]
        lines += [f"- `{c.case_id}`：已合并的办理记录和收到时间、紧急程度只能追加、不能改动，校验不会通过。"
                  "请撤销这处修改；如确需更正，在办理过程末尾追加一条“更正说明”（corrected），"
                  "写明更正了什么。" for c in uncorrected]
    moved = [c for c in summary.changes if c.deadline_moved]
    if moved:
        lines += ["", "### 期限变化", "", "| 编号 | 原最终答复期限 | 新最终答复期限 | 依据 |",
                  "| --- | --- | --- | --- |"]
        lines += [f"| `{c.case_id}` | {c.final_due_before} | {c.final_due_after} | "
                  f"{_cell(c.final_due_reason or '')} |" for c in moved]
    return "\n".join(lines) + "\n"


def _field_change(name: str, before, after) -> str:
    label = FIELDS.get(name, name)
    if name not in SHOWN_VALUES:
        return f"修改{label}"

    def value(item) -> str:
        return "、".join(item) if isinstance(item, tuple) else str(item).lower() if isinstance(item, bool) \
            else str(item)

    return f"修改{label}（{value(before)} → {value(after)}）"


def event_json(event: Event) -> dict:
    """An event's set fields as plain JSON values (dates in ISO form)."""
    data = {}
    for name in type(event).model_fields:
        value = getattr(event, name)
        if value is not None:
            data[name] = value.isoformat(sep=" ") if isinstance(value, datetime) else (
                value.isoformat() if isinstance(value, date) else value)
    return data


def summary_json(summary: PullSummary) -> dict:
    """The summary as plain data for tools."""
    def iso(day: date | None) -> str | None:
        return day.isoformat() if day else None

    return {
        "base": summary.base,
        "counts": summary.counts(),
        "registry": [{"path": path, "keys": list(keys)} for path, keys in summary.registry],
        "cases": [{
            "id": c.case_id, "path": c.path, "title": c.title, "change": c.change,
            "activities": c.activities, "edited": c.edited,
            "fields": [name for name, _before, _after in c.fields],
            "events": [event_json(e) for e in c.added],
            "final_reply_due": {"before": iso(c.final_due_before), "after": iso(c.final_due_after),
                                "moved": c.deadline_moved, "reason": c.final_due_reason},
        } for c in summary.changes],
    }

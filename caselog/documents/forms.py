"""The documents of one case: its 交办单 (assignment form) and its 督办通知书 (supervision notice)."""

from __future__ import annotations

import re
from datetime import date

from ..derive import CaseState
from ..registry import Registry
from ..schema import Case, Supervised
from . import DocumentError
from .model import Form, Heading, OfficialDocument, Paragraph, chinese_date, short_date
from .office import Office

CATEGORY = {"help": "求助", "complaint": "投诉", "inquiry": "咨询", "suggestion": "建议"}
MODE = {"assign": "交办", "transfer": "转办", "self": "自办", "escalate": "呈办"}
PRIORITY = {"normal": "一般", "urgent": "紧急"}
CONTACT = "不在案卷中，需要时向交办机构索取"


def plain(text: str | None, text_format: str = "markdown") -> str:
    """Untrusted Markdown or plain text as plain paragraphs: markup characters dropped, lines kept
    (a case's plain text, `text_format: plain`, keeps every character: ****** stays masked)."""
    if not text:
        return ""
    text = re.sub(r"<[^>]*>", "", text)  # no tags reach a document
    if text_format != "plain":
        text = re.sub(r"(\*\*|__|`|^#+\s*|^>\s?)", "", text, flags=re.MULTILINE)
        text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return "\n".join(line.strip() for line in text.strip().splitlines())


def _received(case: Case) -> str:
    received = case.received
    return received.strftime("%Y-%m-%d %H:%M") if hasattr(received, "hour") else received.isoformat()


def _unit_name(registry: Registry, key: str | None) -> str:
    unit = registry.units.get(key) if key else None
    return unit.name if unit else (key or "")


def _assignment(state: CaseState):
    """The latest assignment on or before the state's day."""
    found = [e for e in state.case.events if e.type == "assigned" and e.day <= state.as_of]
    if not found:
        msg = f"{state.id} has not been assigned to a unit by {state.as_of} (no 交办单 yet)"
        raise DocumentError(msg)
    return found[-1]


def assignment_form(state: CaseState, registry: Registry, office: Office) -> OfficialDocument:
    """网站留言交办单 of a case as it stands on the state's day (its latest assignment)."""
    case = state.case
    event = _assignment(state)
    channel = registry.channels.get(case.channel)
    topics = "待分类" if "topics" in case.unclassified else "、".join(
        registry.topics[t].name if t in registry.topics else t for t in case.topics)
    author = case.author.alias + ("（实名）" if case.author.real_name else "（匿名）")
    instructions = [f"{e.by}（{short_date(e.day)}）：{plain(e.text, case.text_format)}" for e in case.events
                    if e.type == "instructed" and e.day <= state.as_of]
    rows = (
        (("留言标题", case.title),),
        (("留言编号", case.id), ("留言时间", _received(case))),
        (("留言渠道", channel.name if channel else case.channel), ("留言人", author)),
        (("留言类别", "待分类" if "category" in case.unclassified
          else CATEGORY.get(case.category, case.category)), ("涉及领域", topics)),
        (("发生地点", case.area or "—"), ("缓急程度", PRIORITY.get(case.priority, case.priority))),
        (("联系方式", CONTACT if case.author.contact_on_file else "留言人未留联系方式"),),
        (("留言内容", plain(case.message, case.text_format)),),
        (("承办单位", _unit_name(registry, event.unit)), ("交办方式", MODE.get(event.mode, event.mode))),
        (("交办日期", chinese_date(event.day)), ("受理日期", chinese_date(state.accepted_on))),
        (("首次答复时限", chinese_date(state.first_reply.due) + "前"),
         ("办结答复时限", chinese_date(state.final_reply.due) + "前")),
        (("领导批示", "\n".join(instructions) or "无"),),
        (("办理要求", f"请按时限作出首次答复和办结答复，逐项回应留言人诉求，答复同时报送{office.issuer}；"
                      "确需延期的，应在时限届满前说明理由、申请延期。"),),
    )
    return OfficialDocument(
        kind="assignment", name=f"交办单-{case.id}", issuer=office.issuer, number=case.id,
        title="网站留言交办单", recipient=None, body=(Form(rows),), signed_on=event.day,
        header_suffix="",
        figures={"id": case.id, "unit": event.unit, "first_reply_due": state.first_reply.due.isoformat(),
                 "final_reply_due": state.final_reply.due.isoformat()})


def supervisions(state: CaseState) -> list[Supervised]:
    """The case's supervision notices on or before the state's day."""
    return [e for e in state.case.events if isinstance(e, Supervised) and e.day <= state.as_of]


def supervision_notice(state: CaseState, registry: Registry, office: Office,
                       ref: str | None = None) -> OfficialDocument:
    """督办通知书 of a case: its notice `ref`, or its latest notice, as recorded in the log."""
    case = state.case
    notices = supervisions(state)
    chosen = [e for e in notices if ref is None or e.ref == ref]
    if not chosen:
        have = "、".join(e.ref for e in notices) or "none"
        what = f"no supervision notice {ref}" if ref else "no supervision notice"
        msg = (f"{case.id} has {what} by {state.as_of} (its notices: {have}); record one with "
               f"'caselog supervise {case.id} --ref ... --due ...'")
        raise DocumentError(msg)
    notice = chosen[-1]
    assigned = _assignment(state)
    unit = _unit_name(registry, state.unit)
    channel = registry.channels.get(case.channel)
    where = channel.name if channel else case.channel
    due = notice.due or state.final_reply.due
    first = state.first_reply
    if state.final_reply_on is not None and state.final_reply_on <= notice.day:
        progress = f"你单位已于{chinese_date(state.final_reply_on)}作出办结答复，"
    elif first.met_on is not None and first.met_on <= notice.day:
        progress = f"你单位已于{chinese_date(first.met_on)}作出首次答复，尚未办结答复，"
    else:
        progress = "你单位尚未作出答复，"
    late = _late_days(state, notice.day, registry)
    lateness = f"已超过办结时限{late}个工作日。" if late else "现予督办。"
    body = [
        Paragraph(f"{case.received_day.year}年{short_date(case.received_day)}，网民“{case.author.alias}”"
                  f"在{where}留言反映“{case.title}”（留言编号{case.id}），"
                  f"{'要求' if case.category == 'complaint' else '请求'}解决。"
                  f"该留言于{chinese_date(assigned.day)}{MODE.get(assigned.mode, '交办')}你单位办理，"
                  f"截至{chinese_date(notice.day)}，{progress}{lateness}"),
    ]
    instructions = [e for e in case.events if e.type == "instructed" and e.day <= notice.day]
    for e in instructions:
        body.append(Paragraph(f"{e.by}{short_date(e.day)}批示：“{plain(e.text, case.text_format)}”"))
    body += [
        Heading("一、督办事项"),
        Paragraph(plain(notice.text, case.text_format)
                  or f"请你单位对网民反映的“{case.title}”问题认真调查核实，"
                     "依法依规妥善处理，切实解决网民合理诉求。"),
        Heading("二、办结时限"),
        Paragraph(f"请于{chinese_date(due)}前办结，并在留言平台向留言人作出办结答复。"),
        Heading("三、反馈要求"),
        Paragraph(f"请于办结后将办理情况（含调查核实情况、处理结果、答复内容和留言人意见）书面反馈"
                  f"{office.supervising}，由单位主要负责同志签字并加盖单位公章。确有困难不能按期办结的，"
                  "应当在时限届满前书面说明理由并申请延期。"),
        Paragraph("特此通知。"),
    ]
    return OfficialDocument(
        kind="notice", name=f"督办通知书-{case.id}-{_safe(notice.ref)}", issuer=office.supervising,
        number=notice.ref, title="督办通知书", recipient=f"{unit}主要负责同志：", body=tuple(body),
        signed_on=notice.day, header_suffix="", copy_to=office.copy_to, printer=office.supervising,
        figures={"id": case.id, "ref": notice.ref, "due": due.isoformat(), "unit": state.unit})


def _late_days(state: CaseState, day: date, registry: Registry) -> int:
    """Working days the final reply is late on `day` (0 when not late or already replied)."""
    final = state.final_reply
    before = [s for s in final.steps if s.day < day]
    due = before[-1].deadline if before else final.due
    if (state.final_reply_on is not None and state.final_reply_on <= day) or day <= due:
        return 0
    return registry.calendar.workdays_between(due, day)


def _safe(text: str) -> str:
    """A notice number as part of a file name."""
    return re.sub(r"[\\/:*?\"<>|\s]+", "", text)

"""Turning derived states and reports into text, Markdown and JSON for the terminal."""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table

from ..derive import CaseState, Deadline
from ..stats import Figures, Rate, Report

STATUS_ZH = {"new": "待交办", "in-progress": "办理中", "replied": "已答复", "closed": "已办结"}
LEVEL_MARK = {"ok": "ok", "warning": "warning", "due": "due today", "overdue": "OVERDUE",
              "severe": "SEVERE"}


def unit_name(registry, key: str | None) -> str:
    """A unit's name and key, or a dash."""
    if key is None:
        return "(unassigned)"
    unit = registry.units.get(key)
    return f"{unit.label} ({key})" if unit else key


def _deadline_lines(label: str, deadline: Deadline, registry) -> list[str]:
    met = deadline.met_on
    if met is None:
        verdict = "not yet met"
    else:
        verdict = f"met {met} ({'on time' if met <= deadline.due else 'late'})"
    flag = "  [provisional]" if deadline.provisional else ""
    lines = [f"{label}: due {deadline.due}, {verdict}{flag}"]
    for step in deadline.steps:
        lines.append(f"    {step.day}  {step.reason} -> {step.deadline}")
    start = deadline.steps[0].day
    notes = registry.calendar.notes_between(start, deadline.due)
    if notes:
        skipped = [f"{n.day:%m-%d} {n.name}" for n in notes if n.kind in ("holiday", "extra-holiday")]
        assumed = [f"{n.day:%m-%d} {n.name}" for n in notes if n.kind == "assumed-holiday"]
        worked = [f"{n.day:%m-%d} {n.name}" for n in notes if n.kind.endswith("workday")]
        if skipped:
            lines.append(f"    holidays skipped: {', '.join(skipped)}")
        if worked:
            lines.append(f"    make-up working days counted: {', '.join(worked)}")
        if assumed:
            lines.append(f"    holidays assumed (statutory days of an unconfirmed year; make-up "
                         f"days not yet known): {', '.join(assumed)}")
    return lines


def state_text(state: CaseState, registry, path: str) -> str:
    """A case as staff read it in the terminal."""
    case = state.case
    channel = registry.channels.get(case.channel)
    received = (case.received.strftime("%Y-%m-%d %H:%M") if hasattr(case.received, "hour")
                else str(case.received))
    lines = [
        f"{case.id}  {case.title}",
        f"file:      {path}",
        f"status:    {state.status} ({STATUS_ZH[state.status]})   level: {LEVEL_MARK[state.level]}"
        f"   as of {state.as_of}",
        f"unit:      {unit_name(registry, state.unit)}",
        f"received:  {received} via {channel.name if channel else case.channel}; "
        f"accepted {state.accepted_on}; priority {case.priority}; "
        f"{'public' if case.public else 'NOT public'}",
        *_deadline_lines("first reply", state.first_reply, registry),
        *_deadline_lines("final reply", state.final_reply, registry),
    ]
    if state.outcome:
        lines.append(f"closed:    {state.closed_on}, outcome {state.outcome}")
    if state.satisfaction:
        lines.append(f"visit:     {state.satisfaction}")
    lines.append("events:")
    for event in case.events:
        detail = " ".join(f"{k}={getattr(event, k)}" for k in
                          ("unit", "mode", "final", "days", "due", "ref", "satisfaction",
                           "outcome", "duplicate_of", "referred_to")
                          if getattr(event, k, None) is not None)
        later = f"  [after {state.as_of}: not counted]" if event.day > state.as_of else ""
        lines.append(f"    {event.date}  {event.type:<10} {detail}".rstrip() + later)
    return "\n".join(lines)


def _iso(day):
    return day.isoformat() if day else None


def state_json(state: CaseState, registry) -> dict:
    """A case's derived facts for tools."""
    def deadline(d: Deadline) -> dict:
        return {"due": d.due.isoformat(), "met_on": _iso(d.met_on), "on_time": d.on_time,
                "provisional": d.provisional,
                "steps": [{"day": s.day.isoformat(), "reason": s.reason,
                           "deadline": s.deadline.isoformat()} for s in d.steps],
                "calendar_notes": [{"day": n.day.isoformat(), "kind": n.kind, "name": n.name}
                                   for n in registry.calendar.notes_between(d.steps[0].day, d.due)]}
    case = state.case
    return {
        "id": case.id, "title": case.title, "status": state.status, "level": state.level,
        "as_of": state.as_of.isoformat(), "unit": state.unit, "priority": case.priority,
        "public": case.public, "accepted_on": state.accepted_on.isoformat(),
        "first_reply_due": state.first_reply.due.isoformat(),
        "final_reply_due": state.final_reply.due.isoformat(),
        "first_reply_on": _iso(state.first_reply_on), "final_reply_on": _iso(state.final_reply_on),
        "closed_on": _iso(state.closed_on), "outcome": state.outcome,
        "satisfaction": state.satisfaction, "reopen_count": state.reopen_count,
        "provisional": state.provisional,
        "first_reply": deadline(state.first_reply), "final_reply": deadline(state.final_reply),
    }


def overdue_row(state: CaseState, registry) -> dict:
    """One row of `caselog overdue --format json`."""
    unit = registry.units.get(state.unit) if state.unit else None
    return {"id": state.id, "title": state.title, "unit": state.unit,
            "unit_name": unit.name if unit else None, "level": state.level,
            "status": state.status,
            "first_reply_due": state.first_reply.due.isoformat(),
            "first_reply_met": state.first_reply.met_on is not None,
            "final_reply_due": state.final_reply.due.isoformat(),
            "provisional": state.provisional}


def _pending_due(state: CaseState) -> str:
    pending = [("first", d) for d in [state.first_reply] if d.met_on is None]
    pending += [("final", state.final_reply)] if state.final_reply.met_on is None else []
    return ", ".join(f"{name} reply due {d.due}" for name, d in pending)


def overdue_text(groups, registry, as_of) -> str:
    """The overdue list for the terminal."""
    if not groups:
        return f"No open case needs attention as of {as_of}."
    total = sum(len(g.states) for g in groups)
    lines = [f"{total} case(s) need attention as of {as_of}:"]
    for group in groups:
        lines.append("")
        lines.append(f"{unit_name(registry, group.unit)}: {len(group.states)}")
        for s in group.states:
            lines.append(f"  {LEVEL_MARK[s.level]:<9} {s.id}  {_pending_due(s)}  {s.title}")
    return "\n".join(lines)


def unclassified_text(states) -> str:
    """The cases awaiting classification, for the terminal."""
    if not states:
        return "No case awaits classification."
    lines = [f"{len(states)} case(s) await classification (set their category or topics and take those "
             "fields off their unclassified list):"]
    lines += [f"  {s.id}  {s.received_day}  {', '.join(s.unclassified):<16}  {s.title}" for s in states]
    return "\n".join(lines)


def overdue_markdown(groups, registry, as_of) -> str:
    """The overdue list as Markdown (for job summaries and issues)."""
    if not groups:
        return f"## 逾期预警（截至 {as_of}）\n\n没有需要关注的未办结案件。"
    lines = [f"## 逾期预警（截至 {as_of}）", ""]
    for group in groups:
        lines += [f"### {unit_name(registry, group.unit)}（{len(group.states)} 件）", "",
                  "| 级别 | 编号 | 标题 | 待办期限 |", "| --- | --- | --- | --- |"]
        for s in group.states:
            title = s.title.replace("|", "\\|")
            lines.append(f"| {s.level} | `{s.id}` | {title} | {_pending_due(s)} |")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _rate(rate: Rate) -> str:
    if rate.n == 0:
        return "-"
    low, high = rate.interval
    return f"{rate.value:.0%} ({rate.k}/{rate.n}, {low:.0%}-{high:.0%})"


def _days(median, p90) -> str:
    return "-" if median is None else f"{median} / {p90}"


def _table(title: str, rows: dict[str, Figures], names: dict[str, str]) -> Table:
    table = Table(title=title, title_justify="left", expand=False, pad_edge=False)
    for header in ("", "received", "replied", "reply rate", "on time (final)", "days med/p90",
                   "satisfied", "open", "overdue"):
        table.add_column(header, justify="left" if not header else "right")
    for key, f in rows.items():
        name = names.get(key, key) + ("" if f.enough else " *")
        table.add_row(name, str(f.received), str(f.replied), _rate(f.reply_rate),
                      _rate(f.final_reply_on_time),
                      _days(f.final_reply_days_median, f.final_reply_days_p90),
                      _rate(f.satisfaction), str(f.open), str(f.overdue))
    return table


def report_text(report: Report, registry, activity=None) -> str:
    """The stats report as tables for the terminal (with a week's activity when given)."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=140, no_color=True, highlight=False, emoji=False)
    o = report.overall
    console.print(f"Statistics for {report.period.label}, as of {report.as_of}")
    console.print(
        f"received {o.received}, answerable {o.answerable}, replied {o.replied}, "
        f"closed {o.closed}, open {o.open}, overdue {o.overdue}, reopened {o.reopened}"
        f"{f', awaiting classification {o.unclassified}' if o.unclassified else ''}\n"
        f"reply rate {_rate(o.reply_rate)}; first reply on time {_rate(o.first_reply_on_time)}; "
        f"final reply on time {_rate(o.final_reply_on_time)}\n"
        f"working days to first reply (median/p90) "
        f"{_days(o.first_reply_days_median, o.first_reply_days_p90)}; to final reply "
        f"{_days(o.final_reply_days_median, o.final_reply_days_p90)}\n"
        f"satisfaction {_rate(o.satisfaction)} (unreachable: {o.unreachable})")
    if activity is not None:
        a = activity[0]
        console.print(f"in {report.period.start} to {report.period.end}: received {a.received}, "
                      f"assigned {a.assigned}, final replies {a.replied}, closed {a.closed}")
    groups = (
        ("By unit", report.by_unit, {k: u.label for k, u in registry.units.items()}),
        ("By topic", report.by_topic, {"unclassified": "(awaiting classification)",
                                       **{k: t.name for k, t in registry.topics.items()}}),
        ("By channel", report.by_channel, {k: c.name for k, c in registry.channels.items()}),
        ("By category", report.by_category, {"unclassified": "(awaiting classification)"}),
    )
    for title, rows, names in groups:
        console.print()
        console.print(_table(title, rows, names))
    console.print(f"\n* fewer than {registry.rules.min_cases_for_ranking} answerable cases: "
                  "too few to rank. Rates: value (k/n, Wilson 95% interval). See docs/statistics.md.")
    return buffer.getvalue()


def report_json(report: Report, activity=None) -> dict:
    """The stats report for tools (with a week's activity when given)."""
    def group(rows):
        return {key: f.as_dict() for key, f in rows.items()}
    out = {"period": report.period.label, "as_of": report.as_of.isoformat(),
           "overall": report.overall.as_dict(), "by_unit": group(report.by_unit),
           "by_topic": group(report.by_topic), "by_channel": group(report.by_channel),
           "by_category": group(report.by_category), "by_month": group(report.by_month)}
    if activity is not None:
        out["activity"] = {"overall": activity[0].as_dict(), "by_unit": group(activity[1])}
    return out

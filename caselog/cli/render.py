"""Turning derived states and reports into text, Markdown and JSON for the terminal."""

from __future__ import annotations

import io

from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table

from ..derive import CaseState, Deadline
from ..describe import CATEGORY, PRIORITY, STATUS, describe_event, label
from ..i18n import N_, _
from ..schema import CATEGORIES
from ..site.labels import OUTCOME, SATISFACTION
from ..stats import Figures, Rate, Report

LEVEL = {"ok": N_("on track"), "warning": N_("due soon"), "due": N_("due today"),
         "overdue": N_("overdue"), "severe": N_("severely overdue")}


def unit_name(registry, key: str | None) -> str:
    """A unit's short name, or (unassigned)."""
    return registry.unit_label(key) if key else _("(unassigned)")


def _when(moment) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if hasattr(moment, "hour") else str(moment)


def _labelled(rows: list[tuple[str, str]]) -> list[str]:
    """`label  value` lines with the values in one column (CJK labels are two cells a character)."""
    width = max(cell_len(label) for label, _value in rows)
    return [f"{label}{' ' * (width - cell_len(label))}  {value}" for label, value in rows]


def _step_reason(step) -> str:
    """Why a deadline moved, in the current language (the record's own phrase is Chinese)."""
    phrases = {"accepted": _("{0} working days after acceptance"),
               "supervised": _("date set by supervision notice {0}"),
               "extended": _("extended by {0} working days (approved by {1})"),
               "reopened": _("reopened: {0} working days")}
    return phrases[step.cause].format(*step.values) if step.cause in phrases else step.reason


def _deadline_lines(label: str, deadline: Deadline, registry) -> list[tuple[str, str]]:
    met = deadline.met_on
    if met is None:
        verdict = _("due {due}, not yet met").format(due=deadline.due)
    elif met <= deadline.due:
        verdict = _("due {due}, met on {met} (on time)").format(due=deadline.due, met=met)
    else:
        verdict = _("due {due}, met on {met} (late)").format(due=deadline.due, met=met)
    if deadline.provisional:
        verdict += _("  [provisional: holidays not yet confirmed]")
    rows = [(label, verdict)]
    for step in deadline.steps:
        rows.append(("", f"  {step.day}  {_step_reason(step)} -> {step.deadline}"))
    start = deadline.steps[0].day
    notes = registry.calendar.notes_between(start, deadline.due)
    if notes:
        skipped = [f"{n.day:%m-%d} {n.name}" for n in notes if n.kind in ("holiday", "extra-holiday")]
        assumed = [f"{n.day:%m-%d} {n.name}" for n in notes if n.kind == "assumed-holiday"]
        worked = [f"{n.day:%m-%d} {n.name}" for n in notes if n.kind.endswith("workday")]
        if skipped:
            rows.append(("", "  " + _("holidays skipped: {days}").format(days=_(", ").join(skipped))))
        if worked:
            rows.append(("", "  " + _("make-up working days counted: {days}").format(
                days=_(", ").join(worked))))
        if assumed:
            rows.append(("", "  " + _("holidays assumed (statutory days of an unconfirmed year; make-up "
                                      "days not yet known): {days}").format(days=_(", ").join(assumed))))
    return rows


def state_text(state: CaseState, registry, path: str) -> str:
    """A case as staff read it in the terminal."""
    case = state.case
    public = _("public once closed") if case.public else _("not public")
    status = label(STATUS, state.status)
    if state.status != "closed":
        status = _("{status}; {level} (as of {day})").format(status=status, level=_(LEVEL[state.level]),
                                                             day=state.as_of)
    received = _("{when} via {channel}").format(when=_when(case.received),
                                                 channel=registry.channel_label(case.channel))
    rows = [
        (_("File"), path),
        (_("Status"), status),
        (_("Unit"), unit_name(registry, state.unit)),
        (_("Received"), received),
        (_("Accepted"), str(state.accepted_on)),
        (_("Category"), label(CATEGORY, case.category)),
        (_("Topics"), _(", ").join(registry.topic_label(t) for t in case.topics)),
        (_("Priority"), _("; ").join([label(PRIORITY, case.priority), public])),
        *_deadline_lines(_("First reply"), state.first_reply, registry),
        *_deadline_lines(_("Final reply"), state.final_reply, registry),
    ]
    if state.outcome:
        rows.append((_("Closed"), f"{state.closed_on} {label(OUTCOME, state.outcome)}"))
    if state.satisfaction:
        rows.append((_("Follow-up visit"), label(SATISFACTION, state.satisfaction)))
    rows.append((_("Events"), ""))
    for event in case.events:
        later = _("  [after {day}: not counted]").format(day=state.as_of) if event.day > state.as_of else ""
        rows.append(("", f"  {_when(event.date)}  {describe_event(event.__dict__, registry)}{later}"))
    return "\n".join([f"{case.id}  {case.title}", *(line.rstrip() for line in _labelled(rows))])


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
    pending = []
    if state.first_reply.met_on is None:
        pending.append(_("first reply due {due}").format(due=state.first_reply.due))
    if state.final_reply.met_on is None:
        pending.append(_("final reply due {due}").format(due=state.final_reply.due))
    return _("; ").join(pending)


def overdue_text(groups, registry, as_of) -> str:
    """The overdue list for the terminal."""
    if not groups:
        return _("No open case needs attention as of {day}.").format(day=as_of)
    total = sum(len(g.states) for g in groups)
    lines = [_("{n} case(s) need attention as of {day}:").format(n=total, day=as_of)]
    width = max(cell_len(_(LEVEL[s.level])) for g in groups for s in g.states)
    for group in groups:
        lines.append("")
        unit = unit_name(registry, group.unit)
        lines.append(_("{unit}: {n} case(s)").format(unit=unit, n=len(group.states)))
        for s in group.states:
            level = _(LEVEL[s.level])
            pad = " " * (width - cell_len(level))
            lines.append(f"  {level}{pad}  {s.id}  {s.title}")
            lines.append(f"  {' ' * width}  {_pending_due(s)}")
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
    heading = _("## Cases needing attention (as of {day})").format(day=as_of)
    if not groups:
        return f"{heading}\n\n" + _("No open case needs attention.")
    lines = [heading, ""]
    for group in groups:
        count = _("{n} case(s)").format(n=len(group.states))
        lines += [_("### {unit} ({count})").format(unit=unit_name(registry, group.unit), count=count), "",
                  "| {} | {} | {} | {} |".format(_("Level"), _("Case"), _("Title"), _("Pending")),
                  "| --- | --- | --- | --- |"]
        for s in group.states:
            title = s.title.replace("|", "\\|")
            lines.append(f"| {_(LEVEL[s.level])} | `{s.id}` | {title} | {_pending_due(s)} |")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


# how a rate is written, from the fullest to the most compact: the widest that fits is used
RATE_STYLES = ("interval", "count", "value")


def _rate(rate: Rate, style: str = "interval") -> str:
    if rate.n == 0:
        return "-"
    low, high = rate.interval
    if style == "interval":
        return f"{rate.value:.0%} ({rate.k}/{rate.n}, {low:.0%}-{high:.0%})"
    if style == "count":
        return f"{rate.value:.0%} ({rate.k}/{rate.n})"
    return f"{rate.value:.0%}"


def _days(median, p90) -> str:
    return "-" if median is None else f"{median} / {p90}"


def _table(title: str, rows: dict[str, Figures], names: dict[str, str], style: str) -> Table:
    """One table of figures, rows in the registry's order; headers may wrap, figures never do."""
    order = {key: index for index, key in enumerate(names)}
    cells = []
    for key in sorted(rows, key=lambda k: (order.get(k, len(order)), k)):
        f = rows[key]
        cells.append((names.get(key, key) + ("" if f.enough else " *"), str(f.received), str(f.replied),
                      _rate(f.reply_rate, style), _rate(f.final_reply_on_time, style),
                      _days(f.final_reply_days_median, f.final_reply_days_p90),
                      _rate(f.satisfaction, style), str(f.open), str(f.overdue)))
    headers = ("", _("received"), _("replied"), _("reply\nrate"), _("final\non time"),
               _("days\nmed/p90"), _("satis-\nfied"), _("open"), _("overdue"))
    table = Table(title=title, title_justify="left", expand=False, box=box.SIMPLE_HEAD,
                  padding=(0, 1), collapse_padding=True, pad_edge=False, show_edge=False)
    for index, header in enumerate(headers):
        widest = max((cell_len(row[index]) for row in cells), default=1)
        table.add_column(header, justify="right" if index else "left", overflow="fold",
                         min_width=min(widest, 10) if index == 0 else widest)
    for row in cells:
        table.add_row(*row)
    return table


def _natural_width(table: Table) -> int:
    """The width `table` takes when nothing has to wrap (CJK characters count two)."""
    buffer = io.StringIO()
    Console(file=buffer, width=1000, no_color=True, highlight=False, emoji=False).print(table)
    return max(cell_len(line.rstrip()) for line in buffer.getvalue().splitlines())


def report_text(report: Report, registry, activity=None, width: int = 80) -> str:
    """The stats report as tables for a terminal `width` columns wide (with a week's activity
    when given)."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, no_color=True, highlight=False, emoji=False)
    o = report.overall
    period = _("all time") if report.period.label == "all" else report.period.label
    console.print(_("Statistics for {period}, as of {day}").format(period=period, day=report.as_of))
    console.print(_("received {received}, answerable {answerable}, replied {replied}, closed {closed}")
                  .format(received=o.received, answerable=o.answerable, replied=o.replied, closed=o.closed))
    unclassified = _(", awaiting classification {n}").format(n=o.unclassified) if o.unclassified else ""
    console.print(_("open {open}, overdue {overdue}, reopened {reopened}").format(
        open=o.open, overdue=o.overdue, reopened=o.reopened) + unclassified)
    console.print(_("reply rate {rate}").format(rate=_rate(o.reply_rate)))
    console.print(_("on time: first reply {first}; final reply {final}").format(
        first=_rate(o.first_reply_on_time), final=_rate(o.final_reply_on_time)))
    console.print(_("working days to first reply (median/p90) {first}; to final reply {final}").format(
        first=_days(o.first_reply_days_median, o.first_reply_days_p90),
        final=_days(o.final_reply_days_median, o.final_reply_days_p90)))
    console.print(_("satisfaction {rate} (unreachable: {n})").format(rate=_rate(o.satisfaction),
                                                                      n=o.unreachable))
    if activity is not None:
        a = activity[0]
        console.print(_("from {start} to {end}: received {received}, assigned {assigned}, final replies "
                        "{replied}, closed {closed}").format(
            start=report.period.start, end=report.period.end, received=a.received, assigned=a.assigned,
            replied=a.replied, closed=a.closed))
    groups = (
        (_("By unit"), report.by_unit, {k: u.label for k, u in registry.units.items()}),
        (_("By topic"), report.by_topic, {**{k: t.name for k, t in registry.topics.items()},
                                          "unclassified": _("(awaiting classification)")}),
        (_("By channel"), report.by_channel, {k: c.name for k, c in registry.channels.items()}),
        (_("By category"), report.by_category, {**{k: label(CATEGORY, k) for k in CATEGORIES},
                                                "unclassified": _("(awaiting classification)")}),
    )
    for title, rows, names in groups:
        tables = [_table(title, rows, names, style) for style in RATE_STYLES]
        fits = [t for t in tables if _natural_width(t) <= width]
        console.print()
        console.print(fits[0] if fits else tables[-1])
    console.print()
    console.print(_("* fewer than {n} answerable cases: too few to rank. Rates: value (k/n, Wilson 95% "
                    "interval), shortened to fit the terminal. See docs/statistics.md.").format(
        n=registry.rules.min_cases_for_ranking))
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

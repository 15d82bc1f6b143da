"""The reports: the weekly report (周报) and the monthly, quarterly and annual bulletins (通报).

Every figure comes from the engine: `build_report` and `count_activity` (stats.py), the
portal's own report context (site/contexts.py) for bulletins, `overdue_by_unit` and
`due_between` (overdue.py) and `hot_issues`. Nothing is counted here.
"""

from __future__ import annotations

from datetime import date, timedelta

from ..hotissues import HotIssue, hot_issues, vocabulary
from ..i18n import _
from ..overdue import due_between, overdue_by_unit
from ..repository import CaseLog
from ..stats import Period, build_report, count_activity, parse_period, week_of
from . import DocumentError
from .forms import supervisions
from .model import Heading, OfficialDocument, Paragraph, Table, chinese_date, percent, rate_text, short_date
from .office import Office

HOT_WEEKS = 4  # a weekly report's hot issues look at the last four weeks
HOT_SHOWN = 5
KIND_TITLE = {"month": "{y}年{m}月", "quarter": "{y}年第{q}季度", "year": "{y}年"}
QUARTER = "一二三四"
LEVEL_ZH = {"overdue": "超期", "severe": "严重超期"}
DEADLINE_ZH = {"first": "首次答复", "final": "办结答复"}


def report_week(day: date) -> Period:
    """The last whole week (Monday to Sunday) that ended before `day`."""
    return week_of(day - timedelta(days=day.isoweekday()))  # the Sunday before `day`


def _unit(registry, key: str | None) -> str:
    return "未交办" if key is None else registry.unit_label(key)


def _hot_section(issues: list[HotIssue], heading: str, span: str) -> list:
    blocks: list = [Heading(heading)]
    if not issues:
        blocks.append(Paragraph(f"{span}未发现多人反映同一地点同一问题的留言。"))
        return blocks
    blocks.append(Paragraph(f"{span}共有{len(issues)}组留言反映同一地点的同一问题（热点问题的认定办法见"
                            "说明文档），按反映人数排列如下。"))
    rows = []
    for number, issue in enumerate(issues[:HOT_SHOWN], 1):
        rows.append((str(number), issue.place or "全县", "、".join(issue.terms), str(issue.size),
                     str(issue.authors), str(issue.span_days), "、".join(m.id for m in issue.members)))
    headers = ("序号", "地点", "问题关键词", "留言数", "反映人数", "跨度（天）", "留言编号")
    blocks.append(Table(headers, tuple(rows), (2, 4, 6, 3, 3, 3, 9)))
    return blocks


def weekly_report(log: CaseLog, day: date, office: Office, week: Period | None = None,
                  number: int | None = None) -> tuple[OfficialDocument, list]:
    """The weekly report for the week before `day` (or `week`), with figures as at the week's
    last day (or `day`, if earlier); also the states at `day` (for the week's notices)."""
    registry = log.registry
    week = week or report_week(day)
    as_of = min(week.end, day)
    states = log.states(as_of)
    min_cases = registry.rules.min_cases_for_ranking
    in_week = build_report(states, week, min_cases, as_of)
    everything = build_report(states, parse_period("all"), min_cases, as_of)
    activity, by_unit = count_activity(states, week)
    o = everything.overall
    span = f"{short_date(week.start)}至{short_date(week.end)}"
    body: list = [
        Heading("一、总体情况"),
        Paragraph(f"本周（{span}）共受理网民留言{in_week.overall.received}件，交办{activity.assigned}件，"
                  f"办结答复{activity.replied}件，办结{activity.closed}件。截至{chinese_date(as_of)}，"
                  f"全部留言{o.received}件，已办结{o.closed}件，在办{o.open}件，其中超期{o.overdue}件。"),
    ]
    units = sorted(set(by_unit) | {k for k, f in everything.by_unit.items() if f.open},
                   key=lambda k: list(registry.units).index(k) if k in registry.units else 999)
    rows = []
    for key in units:
        a = by_unit.get(key)
        f = everything.by_unit.get(key)
        rows.append((_unit(registry, key), str(a.assigned if a else 0), str(a.replied if a else 0),
                     str(a.closed if a else 0), str(f.open if f else 0), str(f.overdue if f else 0)))
    body += [Heading("二、各单位办理情况"),
             Table(("承办单位", "本周交办", "本周办结答复", "本周办结", "在办", "其中超期"), tuple(rows),
                   (6, 3, 3, 3, 3, 3))]
    next_start, next_end = week.end + timedelta(days=1), week.end + timedelta(days=7)
    soon = due_between(states, next_start, next_end)
    body += [Heading("三、下周到期留言"),
             Paragraph(f"{short_date(next_start)}至{short_date(next_end)}到期的答复时限{len(soon)}个，"
                       "请各承办单位按时答复。"),
             Table(("承办单位", "留言编号", "留言标题", "时限", "到期日"),
                   tuple((_unit(registry, d.state.unit), d.state.id, d.state.title, DEADLINE_ZH[d.kind],
                          short_date(d.due)) for d in soon), (4, 5, 8, 3, 4))]
    late = [s for g in overdue_by_unit(states) for s in g.states if s.level in LEVEL_ZH]
    body += [Heading("四、超期留言"),
             Paragraph(f"截至{chinese_date(as_of)}，超期未答复留言{len(late)}件。"),
             Table(("承办单位", "留言编号", "留言标题", "办结时限", "程度"),
                   tuple((_unit(registry, s.unit), s.id, s.title, short_date(s.final_reply.due),
                          LEVEL_ZH[s.level]) for s in late), (4, 5, 8, 4, 3))]
    hot_start = week.end - timedelta(days=7 * HOT_WEEKS - 1)
    recent = [s for s in states if hot_start <= s.received_day <= week.end]
    issues = hot_issues(recent, vocabulary(log.cases, hot_start, as_of, log.root))
    body += _hot_section(issues, "五、近四周热点问题", f"{short_date(hot_start)}至{short_date(week.end)}")
    body += [Heading("六、需关注的留言"), _notable_table(states, week, registry)]
    body += [Heading("七、建议督办"),
             Paragraph("以下留言为实名或紧急留言，已超期且尚未督办，建议发出督办通知书"
                       "（记录督办后再次运行本命令即生成通知书）。"),
             _to_supervise(late, registry, day)]
    year, week_number, _ = week.start.isocalendar()
    number = number or week_number
    figures = {"period": week.label, "as_of": as_of.isoformat(), "week": in_week, "all": everything,
               "activity": activity, "activity_by_unit": by_unit, "due_next_week": len(soon),
               "overdue": len(late), "hot_issues": len(issues)}
    return OfficialDocument(
        kind="weekly", name=f"周报-{week.label}", issuer=office.issuer,
        number=f"{office.weekly_code}〔{year}〕{number}号",
        title=f"网民留言办理情况周报\n（{chinese_date(week.start)}—{chinese_date(week.end)}）",
        recipient=f"{office.report_to}：" if office.report_to else None, body=tuple(body), signed_on=day,
        copy_to=office.copy_to, printer=office.printed_by, figures=figures), states


def _notable_table(states, week: Period, registry) -> Table:
    """Cases of the week that leaders, supervisors or dissatisfied citizens have spoken on."""
    rows = []
    for s in states:
        marks = []
        for e in s.case.events:
            if e.day not in week or e.day > s.as_of:
                continue
            if e.type == "instructed":
                marks.append(f"{e.by}批示")
            elif e.type == "supervised":
                marks.append(f"督办（{e.ref}）")
            elif e.type == "reopened":
                marks.append("重新办理")
            elif e.type == "visited" and e.satisfaction == "dissatisfied":
                marks.append("回访不满意")
        if s.received_day in week and s.case.priority == "urgent":
            marks.insert(0, "紧急留言")
        if marks:
            rows.append((s.id, s.title, _unit(registry, s.unit), "、".join(dict.fromkeys(marks))))
    rows.sort()
    return Table(("留言编号", "留言标题", "承办单位", "情况"), tuple(rows), (5, 9, 4, 5))


def _to_supervise(late, registry, day: date) -> Table:
    """Late real-name or urgent cases with no supervision notice recorded by `day`."""
    rows = tuple((s.id, s.title, _unit(registry, s.unit), "紧急" if s.case.priority == "urgent" else "实名")
                 for s in late if (s.case.author.real_name or s.case.priority == "urgent")
                 and not any(e.type == "supervised" and e.day <= day for e in s.case.events))
    return Table(("留言编号", "留言标题", "承办单位", "类型"), rows, (5, 10, 4, 3))


def pending_notices(states, start: date, end: date) -> list[tuple]:
    """(state, notice) of open cases whose supervision notice is dated from `start` to `end`."""
    found = []
    for s in states:
        if s.status == "closed":
            continue
        for notice in supervisions(s):
            if start <= notice.day <= end:
                found.append((s, notice))
    found.sort(key=lambda sn: (sn[1].day, sn[0].id))
    return found


def period_title(period: Period) -> str:
    """2026年11月, 2026年第四季度, 2026年."""
    start = period.start
    return KIND_TITLE[period.kind].format(y=start.year, m=start.month, q=QUARTER[(start.month - 1) // 3])


def bulletin(log: CaseLog, period: Period, day: date, office: Office,
             number: int | None = None) -> OfficialDocument:
    """The bulletin (通报) of a month, quarter or year, with the portal's figures as at `day`."""
    from ..site.contexts import report as report_context
    from ..site.model import SiteData

    if period.kind not in KIND_TITLE:
        msg = _("a bulletin covers a month, a quarter or a year, not '{label}'").format(label=period.label)
        raise DocumentError(msg)
    registry = log.registry
    data = SiteData(log, day)
    context = report_context(data, period)  # the portal's report page: figures and notable cases
    report = context["report"]
    f = report.overall
    when = period_title(period)
    median = "—" if f.final_reply_days_median is None else f"{f.final_reply_days_median}个工作日"
    body: list = [
        Heading("一、总体情况"),
        Paragraph(f"{when}（{chinese_date(period.start)}至{chinese_date(period.end)}），共受理网民留言"
                  f"{f.received}件，其中需答复{f.answerable}件，已办结答复{f.replied}件，答复率"
                  f"{rate_text(f.reply_rate)}；已办结{f.closed}件，在办{f.open}件，其中超期{f.overdue}件；"
                  f"重新办理{f.reopened}件。"),
        Paragraph(f"按时首次答复率{rate_text(f.first_reply_on_time)}，按时办结答复率"
                  f"{rate_text(f.final_reply_on_time)}；办结答复用时中位数{median}。回访满意率"
                  f"{rate_text(f.satisfaction)}，回访未联系上{f.unreachable}件。"),
        Paragraph(f"以上数据截至{chinese_date(day)}，与门户网站“{period.label}”期统计一致；比率后括号内为"
                  "分子/分母件数和95%置信区间（Wilson法），统计口径见门户网站“统计说明”。"),
    ]
    rows = tuple((_unit(registry, key), str(u.received), str(u.replied), percent(u.reply_rate),
                  percent(u.final_reply_on_time), percent(u.satisfaction), str(u.open), str(u.overdue))
                 for key, u in report.by_unit.items())
    body += [Heading("二、各单位办理情况"),
             Paragraph("各单位按留言交办的承办单位统计，按单位名录顺序排列，不作排名。"),
             Table(("承办单位", "受理", "办结答复", "答复率", "按时办结率", "满意率", "在办", "超期"), rows,
                   (6, 2, 3, 3, 3, 3, 2, 2))]
    names = {"unclassified": "待分类", **{k: t.name for k, t in registry.topics.items()}}
    topics = tuple((names.get(k, k), str(t.received), str(t.replied),
                    str(t.open)) for k, t in sorted(report.by_topic.items(), key=lambda kv: -kv[1].received))
    body += [Heading("三、各领域留言情况"), Table(("领域", "受理", "办结答复", "在办"), topics, (6, 3, 3, 3))]
    words = vocabulary(log.cases, period.start, min(period.end, day), log.root)
    issues = hot_issues(data.states_in(period), words)
    body += _hot_section(issues, "四、热点问题", when)
    notable = context["notable"]
    body.append(Heading("五、典型案例"))
    if notable:
        body.append(Paragraph("经领导批示、督办或重新办理后解决的留言（已公开）："))
        body.append(Table(("留言编号", "留言标题", "承办单位", "办结日期"),
                          tuple((row.id, row.title, row.unit.name if row.unit else "—",
                                 short_date(row.closed_on)) for row in notable), (5, 10, 4, 3)))
    else:
        body.append(Paragraph("本期无。"))
    number = number or {"month": period.start.month, "quarter": (period.start.month + 2) // 3,
                        "year": 1}[period.kind]
    kind_zh = {"month": "月", "quarter": "季", "year": "年"}[period.kind]
    return OfficialDocument(
        kind="bulletin", name=f"通报-{period.label}", issuer=office.issuer,
        number=f"{office.bulletin_code}〔{period.start.year}〕{number}号",
        title=f"关于{when}网民留言办理情况的通报",
        recipient=f"{office.report_to}：" if office.report_to else None,
        body=tuple(body), signed_on=day, copy_to=office.copy_to, printer=office.printed_by,
        figures={"period": period.label, "as_of": day.isoformat(), "report": report, "kind": kind_zh,
                 "hot_issues": len(issues)})

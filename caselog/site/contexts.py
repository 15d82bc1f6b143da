"""Template contexts for the pages that summarise many cases: home, statistics, reports, units."""

from __future__ import annotations

from datetime import date

from ..derive import LEVEL_RANK
from ..publication import is_published, known_events
from ..stats import Period
from . import charts
from .model import SiteData
from .views import case_row

LATEST = 10
NOTABLE = 5


def months_back(as_of: date, count: int) -> list[str]:
    """The `count` months up to and including as_of's month, oldest first."""
    year, month = as_of.year, as_of.month
    out = []
    for _ in range(count):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]


def home(data: SiteData) -> dict:
    """Headline figures for this month and year (of the data's last day), the latest resolved cases."""
    as_of = data.window_end
    return {
        "month_label": f"{as_of:%Y-%m}", "year_label": str(as_of.year),
        "archive": as_of != data.as_of,  # the data ends before as_of's month: its last month shown
        "month_report": data.report(f"{as_of:%Y-%m}"), "year_report": data.report(str(as_of.year)),
        "latest": [case_row(s, data.registry) for s in data.published[:LATEST]],
        "published_count": len(data.published),
        "recent_periods": [p for p in data.periods if p.kind == "month"][:3],
    }


def monthly_series(data: SiteData, count: int = 24) -> list[dict]:
    """Received, replied and closed per month of receipt, for the last `count` months."""
    by_month = data.report("all").by_month
    rows = []
    for month in months_back(data.window_end, count):
        f = by_month.get(month)
        rows.append({"month": month, "received": f.received if f else 0,
                     "replied": f.replied if f else 0, "closed": f.closed if f else 0})
    while rows and rows[0]["received"] == 0:
        rows.pop(0)
    return rows


def stats(data: SiteData) -> dict:
    """The statistics page: figures, charts and their tables."""
    overall = data.report("all")
    year = data.report(str(data.window_end.year))
    series = monthly_series(data)
    days = overall.overall.final_reply_days
    topics = sorted(((data.registry.topics[k].name if k in data.registry.topics else "待分类", f.received)
                     for k, f in overall.by_topic.items()), key=lambda kv: -kv[1])
    channels = sorted(((data.registry.channels[k].name if k in data.registry.channels else k, f.received)
                       for k, f in overall.by_channel.items()), key=lambda kv: -kv[1])
    satisfaction = satisfaction_counts(data)
    return {
        "overall": overall, "year": year, "series": series, "topics": topics, "channels": channels,
        "days_histogram": charts.histogram_bins(days), "satisfaction": satisfaction,
        "charts": {
            "monthly": charts.monthly_chart(series),
            "days": charts.days_chart(charts.histogram_bins(days)),
            "topics": charts.bar_chart(topics, "各领域留言数"),
            "channels": charts.bar_chart(channels, "各渠道留言数"),
            "satisfaction": charts.satisfaction_chart(satisfaction),
        },
    }


def satisfaction_counts(data: SiteData, period: Period | None = None) -> dict[str, int]:
    """Latest visit result per case, counted."""
    counts = {"satisfied": 0, "basically-satisfied": 0, "dissatisfied": 0, "unreachable": 0}
    for s in data.states if period is None else data.states_in(period):
        if s.satisfaction:
            counts[s.satisfaction] += 1
    return counts


def report(data: SiteData, period: Period) -> dict:
    """A monthly, quarterly or annual bulletin."""
    figures = data.report(period)
    notable = []
    for s in data.states_in(period):
        if s.outcome != "resolved" or not is_published(s):
            continue
        weight = sum(e.type in ("instructed", "supervised", "reopened") for e in known_events(s))
        if weight:
            notable.append((weight, s))
    notable.sort(key=lambda ws: (-ws[0], ws[1].case.id))
    return {"period": period, "report": figures,
            "notable": [case_row(s, data.registry) for _, s in notable[:NOTABLE]],
            "satisfaction": satisfaction_counts(data, period)}


def unit_trend(data: SiteData, key: str) -> dict:
    """A unit's received and replied cases over the last 12 months, with its chart."""
    table = data.unit_months.get(key, {})
    rows = [{"month": m, "received": table.get(m, [0, 0, 0])[0], "replied": table.get(m, [0, 0, 0])[1]}
            for m in months_back(data.window_end, 12)]
    return {"rows": rows, "chart": charts.monthly_chart(rows, compact=True)}


def worst_level(states) -> str:
    """The worst overdue level among states."""
    return max((s.level for s in states), key=LEVEL_RANK.__getitem__, default="ok")

"""Statistics over derived case states: counts, rates with Wilson intervals, working-day quantiles.

Every figure is defined in docs/statistics.md; the definitions here are the
source of truth and the docs quote them.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field, fields, replace
from datetime import date, timedelta

from .derive import LEVEL_RANK, CaseState
from .errors import CaselogError
from .i18n import _

NOT_ANSWERABLE = ("duplicate", "withdrawn")  # closed without needing an answer of their own
SATISFIED = ("satisfied", "basically-satisfied")
UNCLASSIFIED = "unclassified"  # the group of cases whose category or topics await classification


class PeriodError(CaselogError):
    """A period could not be understood."""


@dataclass(frozen=True)
class Period:
    """A span of received dates: a year, a quarter, a month, an ISO week, or everything."""

    label: str
    start: date | None
    end: date | None  # inclusive

    def __contains__(self, day: date) -> bool:
        return (self.start is None or day >= self.start) and (self.end is None or day <= self.end)

    @property
    def kind(self) -> str:
        """year, quarter, month, week or all."""
        if self.start is None:
            return "all"
        if "-W" in self.label:
            return "week"
        if "-Q" in self.label:
            return "quarter"
        return "month" if "-" in self.label else "year"


def week_of(day: date) -> Period:
    """The ISO week (Monday to Sunday) that holds `day`."""
    year, week, _ = day.isocalendar()
    return parse_period(f"{year}-W{week:02d}")


def parse_period(text: str | None) -> Period:
    """'2026', '2026-Q1', '2026-03', '2026-W48' (ISO week, Monday to Sunday) or 'all'/None."""
    original = text
    if text is None or text.strip().lower() == "all":
        return Period("all", None, None)
    text = text.strip().upper()
    if m := re.fullmatch(r"(\d{4})", text):
        year = int(m.group(1))
        return Period(text, date(year, 1, 1), date(year, 12, 31))
    if m := re.fullmatch(r"(\d{4})-Q([1-4])", text):
        year, quarter = int(m.group(1)), int(m.group(2))
        start = date(year, 3 * quarter - 2, 1)
        return Period(text, start, _month_end(year, 3 * quarter))
    if m := re.fullmatch(r"(\d{4})-W(\d{2})", text):
        try:
            monday = date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
        except ValueError:
            pass
        else:
            return Period(text, monday, monday + timedelta(days=6))
    if m := re.fullmatch(r"(\d{4})-(\d{2})", text):
        year, month = int(m.group(1)), int(m.group(2))
        if 1 <= month <= 12:
            return Period(text, date(year, month, 1), _month_end(year, month))
    msg = _("'{period}' is not a period (use 2026, 2026-Q1, 2026-03, 2026-W48 or all)").format(
        period=original)
    raise PeriodError(msg)


def _month_end(year: int, month: int) -> date:
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return date.fromordinal(nxt.toordinal() - 1)


@dataclass(frozen=True)
class Rate:
    """k out of n, with a Wilson 95% score interval."""

    k: int
    n: int

    @property
    def value(self) -> float | None:
        """k / n, or None when n is 0."""
        return self.k / self.n if self.n else None

    @property
    def interval(self) -> tuple[float, float] | None:
        """The Wilson 95% interval, or None when n is 0."""
        return wilson(self.k, self.n)

    def as_dict(self) -> dict:
        """Plain values for JSON."""
        low_high = self.interval
        return {"k": self.k, "n": self.n,
                "value": None if self.value is None else round(self.value, 4),
                "low": None if low_high is None else round(low_high[0], 4),
                "high": None if low_high is None else round(low_high[1], 4)}


def wilson(k: int, n: int, z: float = 1.959964) -> tuple[float, float] | None:
    """Wilson score interval for k successes in n trials."""
    if n == 0:
        return None
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def quantile(sorted_values: list[int], q: float) -> int | None:
    """Nearest-rank quantile of sorted values (the value at rank ceil(q*n))."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(q * len(sorted_values)))
    return sorted_values[rank - 1]


@dataclass
class Tally:
    """Running counts for one group of cases; `figures()` turns them into Figures."""

    received: int = 0
    answerable: int = 0
    replied: int = 0
    closed: int = 0
    first_met_on_time: int = 0
    first_decided: int = 0
    final_met_on_time: int = 0
    final_decided: int = 0
    satisfied: int = 0
    visited: int = 0
    unreachable: int = 0
    reopened: int = 0
    open: int = 0
    overdue: int = 0
    unclassified: int = 0
    first_days: list = field(default_factory=list)
    final_days: list = field(default_factory=list)

    def add(self, s: CaseState) -> None:
        """Count one case state."""
        self.received += 1
        as_of = s.as_of
        if s.status == "closed":
            self.closed += 1
        else:
            self.open += 1
            if LEVEL_RANK[s.level] >= LEVEL_RANK["overdue"]:
                self.overdue += 1
        if s.reopen_count:
            self.reopened += 1
        if s.unclassified:
            self.unclassified += 1
        if s.satisfaction == "unreachable":
            self.unreachable += 1
        elif s.satisfaction is not None:
            self.visited += 1
            self.satisfied += s.satisfaction in SATISFIED
        if s.outcome in NOT_ANSWERABLE and s.final_reply_on is None:
            return
        self.answerable += 1
        if s.final_reply_on is not None:
            self.replied += 1
            self.final_days.append(s.workdays_to_final_reply)
        if s.first_reply_on is not None:
            self.first_days.append(s.workdays_to_first_reply)
        # A deadline is decided once it is met or its day has passed. Closing an answerable case
        # without a reply does not take its deadlines out: that would reward closing unanswered.
        first, final = s.first_reply, s.final_reply
        if first.met_on is not None or first.due < as_of:
            self.first_decided += 1
            self.first_met_on_time += first.on_time is True
        if final.met_on is not None or final.due < as_of:
            self.final_decided += 1
            self.final_met_on_time += final.on_time is True

    def merge(self, other: Tally) -> None:
        """Add another tally's cases to this one (as if each had been added here)."""
        for name in _COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.first_days += other.first_days
        self.final_days += other.final_days

    def figures(self, min_cases: int) -> Figures:
        """The finished figures."""
        first_days, final_days = sorted(self.first_days), sorted(self.final_days)
        return Figures(
            received=self.received, answerable=self.answerable, replied=self.replied,
            closed=self.closed, open=self.open, overdue=self.overdue, reopened=self.reopened,
            unclassified=self.unclassified, reply_rate=Rate(self.replied, self.answerable),
            first_reply_on_time=Rate(self.first_met_on_time, self.first_decided),
            final_reply_on_time=Rate(self.final_met_on_time, self.final_decided),
            satisfaction=Rate(self.satisfied, self.visited), unreachable=self.unreachable,
            first_reply_days_median=quantile(first_days, 0.5),
            first_reply_days_p90=quantile(first_days, 0.9),
            final_reply_days_median=quantile(final_days, 0.5),
            final_reply_days_p90=quantile(final_days, 0.9),
            final_reply_days=tuple(final_days),
            enough=self.answerable >= min_cases,
        )


@dataclass(frozen=True)
class Figures:
    """The statistics of one group of cases (see docs/statistics.md)."""

    received: int
    answerable: int
    replied: int
    closed: int
    open: int
    overdue: int
    reopened: int
    unclassified: int  # cases whose category or topics await classification
    reply_rate: Rate
    first_reply_on_time: Rate
    final_reply_on_time: Rate
    satisfaction: Rate
    unreachable: int
    first_reply_days_median: int | None
    first_reply_days_p90: int | None
    final_reply_days_median: int | None
    final_reply_days_p90: int | None
    final_reply_days: tuple[int, ...]
    enough: bool  # enough answerable cases to be ranked

    def as_dict(self) -> dict:
        """Plain values for JSON (the distribution is left out)."""
        out = {}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if name == "final_reply_days":
                continue
            out[name] = value.as_dict() if isinstance(value, Rate) else value
        return out


@dataclass(frozen=True)
class Report:
    """Figures for a period: overall and per unit, topic, channel, category and month."""

    period: Period
    as_of: date
    overall: Figures
    by_unit: dict[str, Figures]
    by_topic: dict[str, Figures]
    by_channel: dict[str, Figures]
    by_category: dict[str, Figures]
    by_month: dict[str, Figures]


_COUNTS = tuple(f.name for f in fields(Tally) if f.type in (int, "int"))
GROUPS = ("unit", "topic", "channel", "category", "month")
MonthTallies = dict[date, tuple[Tally, dict[str, dict[str, Tally]]]]


def tally_months(states) -> MonthTallies:
    """One pass over case states: each month's tallies (overall and per group), by the month's
    first day. Every period is whole months, so any period's report merges these."""
    months: MonthTallies = {}
    for s in states:
        day = s.received_day
        month = day.replace(day=1)
        if month not in months:
            months[month] = (Tally(), {name: defaultdict(Tally) for name in GROUPS})
        overall, groups = months[month]
        overall.add(s)
        if s.unit is not None:
            groups["unit"][s.unit].add(s)
        # a placeholder is not a classification: such cases are counted under "unclassified"
        for topic in (UNCLASSIFIED,) if "topics" in s.unclassified else s.topics:
            groups["topic"][topic].add(s)
        groups["channel"][s.channel].add(s)
        groups["category"][UNCLASSIFIED if "category" in s.unclassified else s.category].add(s)
        groups["month"][f"{day:%Y-%m}"].add(s)
    return months


def report_from_months(months: MonthTallies, period: Period, min_cases: int, as_of: date) -> Report:
    """A period's report from month tallies (tally_months of states that share `as_of`)."""
    overall = Tally()
    groups: dict[str, dict[str, Tally]] = {name: defaultdict(Tally) for name in GROUPS}
    for month, (month_overall, month_groups) in months.items():
        if month not in period:
            continue
        overall.merge(month_overall)
        for name, table in month_groups.items():
            for key, tally in table.items():
                groups[name][key].merge(tally)

    def finish(name):
        return {key: tally.figures(min_cases) for key, tally in sorted(groups[name].items())}

    return Report(period, as_of, overall.figures(min_cases), finish("unit"), finish("topic"),
                  finish("channel"), finish("category"), finish("month"))


def build_report(states: list[CaseState], period: Period, min_cases: int,
                 as_of: date | None = None) -> Report:
    """Aggregate case states received in `period` (states must share one as_of).

    `as_of` names the day when `states` is empty (otherwise it is the states' own day)."""
    as_of = states[0].as_of if states else (as_of or date.today())
    months = tally_months(s for s in states if s.received_day in period)
    # the states are already chosen: every month tally belongs (a week is not whole months)
    report = report_from_months(months, Period("all", None, None), min_cases, as_of)
    return replace(report, period=period)


@dataclass(frozen=True)
class Activity:
    """What happened to cases between two days: how many were received, assigned (交办, in any
    mode), given a final reply and closed. A case counts once in each it had in the span."""

    received: int = 0
    assigned: int = 0
    replied: int = 0
    closed: int = 0

    def as_dict(self) -> dict:
        """Plain values for JSON."""
        return {"received": self.received, "assigned": self.assigned, "replied": self.replied,
                "closed": self.closed}


def count_activity(states: list[CaseState], period: Period) -> tuple[Activity, dict[str, Activity]]:
    """The activity of `period` (events dated in it, up to the states' as-of day), overall and by
    each case's current unit. States must carry their case (the events are read)."""
    counts: dict[str | None, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for s in states:
        seen = {"assigned": False, "replied": False, "closed": False}
        for event in s.case.events:
            day = event.day
            if day > s.as_of or day not in period:
                continue
            if event.type == "replied" and event.final:
                seen["replied"] = True
            elif event.type in ("assigned", "closed"):
                seen[event.type] = True
        row = counts[s.unit]
        row[0] += s.received_day in period
        row[1] += seen["assigned"]
        row[2] += seen["replied"]
        row[3] += seen["closed"]
    overall = Activity(*(sum(row[i] for row in counts.values()) for i in range(4)))
    by_unit = {unit: Activity(*counts[unit]) for unit in sorted(u for u in counts if u is not None)
               if any(counts[unit])}
    return overall, by_unit


def rank_units(report: Report) -> tuple[list[tuple[str, Figures]], list[tuple[str, Figures]]]:
    """Units with enough cases, best first by the lower bound of final on-time rate; then the rest.

    Ranking by the interval's lower bound keeps a unit with one lucky case from
    topping the list.
    """
    def key(item):
        figures = item[1]
        low = figures.final_reply_on_time.interval
        sat = figures.satisfaction.interval
        return (-(low[0] if low else 0.0), -(sat[0] if sat else 0.0), item[0])

    ranked = sorted(((k, f) for k, f in report.by_unit.items() if f.enough), key=key)
    unranked = sorted((k, f) for k, f in report.by_unit.items() if not f.enough)
    return ranked, unranked

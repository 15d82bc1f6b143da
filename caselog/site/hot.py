"""The portal's hot-issues page (热点问题): what many people raised in the last months.

Groups come from the engine (hotissues.py) over every case, public or not, so the counts are
whole, and are kept between builds (hotcache.py: a reply or a publication changes no group);
what the page shows of a group (its place, its words and its links) comes only from its
published cases (`SiteData.public_titles`), decided at each build. A group with no published
case is counted, never described. Units are not named: hot issues never rank units.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..hotcache import cached_hot_issues
from ..stats import parse_period
from .contexts import months_back
from .model import SiteData
from .pages import PageSpec
from .views import CaseLink

MONTHS = 3
SHOWN = 10


@dataclass(frozen=True)
class HotIssueView:
    """A hot issue as the public sees it."""

    place: str
    terms: tuple[str, ...]
    size: int
    authors: int
    span_days: int
    first: date
    last: date
    cases: tuple[CaseLink, ...]  # published members only
    unpublished: int  # members without a page (open, or not public)


def hot_context(data: SiteData) -> dict:
    """The hot issues of each of the last MONTHS months, newest first."""
    titles = data.public_titles
    periods = [parse_period(label) for label in reversed(months_back(data.as_of, MONTHS))]
    spans = {period: (period.start, min(period.end, data.as_of)) for period in periods}
    # groups are kept between builds (hotcache.py); what is published is decided here, each build
    found = cached_hot_issues(data.log.cases, {spans[period]: data.states_in(period) for period in periods},
                              data.log.root)
    months = []
    for period in periods:
        shown, unnamed = [], 0
        for issue in found[spans[period]]:
            published = [m.id for m in issue.members if m.id in titles]
            if not published:
                unnamed += 1
                continue
            place, terms = issue.label_of(set(published))
            shown.append(HotIssueView(place, terms, issue.size, issue.authors, issue.span_days,
                                      issue.first, issue.last,
                                      tuple(CaseLink(i, titles[i]) for i in published),
                                      issue.size - len(published)))
        months.append({"period": period, "issues": shown[:SHOWN], "more": max(0, len(shown) - SHOWN),
                       "unnamed": unnamed})
    return {"months": months}


def hot_pages(data: SiteData) -> list[PageSpec]:
    """The hot-issues page (rendered on every build: it depends on the day)."""
    return [PageSpec("hot/index.html", "hot.html", lambda: hot_context(data))]

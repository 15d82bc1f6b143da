"""The list of pages the portal has: where each goes, its template, and how to make its context.

A page with a fingerprint is re-rendered only when the fingerprint changes
(see writer.py); pages without one depend on `as_of` and are always rendered.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from ..overdue import overdue_by_unit
from ..stats import rank_units
from . import contexts
from .model import SiteData
from .views import case_row

PER_PAGE = 50
LATEST = 12


@dataclass(frozen=True)
class PageSpec:
    """One output file: path under the output dir, template name, context factory, fingerprint."""

    path: str
    template: str
    context: Callable[[], dict]
    fingerprint: str | None = None


def _digest(*parts) -> str:
    return hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=12).hexdigest()


def list_pages(base: str, states: list, template: str, extra: Callable[[], dict],
               data: SiteData, dated_first_page: bool = False) -> list[PageSpec]:
    """A paginated list of published cases at base/, base/page/2/, ...

    With `dated_first_page`, the first page shows figures as of today and is rendered on
    every build; the pages after it list cases only and are skipped when their cases did
    not change."""
    pages = []
    total = max(1, -(-len(states) // PER_PAGE))
    for number in range(1, total + 1):
        chunk = states[(number - 1) * PER_PAGE: number * PER_PAGE]
        path = f"{base}/index.html" if number == 1 else f"{base}/page/{number}/index.html"

        def context(chunk=chunk, number=number):
            return {**extra(), "cases": [case_row(s, data.registry) for s in chunk],
                    "pagination": {"number": number, "total": total, "base": base,
                                   "count": len(states)}}

        fingerprint = None
        if number > 1 or not dated_first_page:
            # a published case's line shows only what its file says as of as_of, named as the
            # registry names it (in the writer's salt): its case fingerprint covers all of that
            fingerprint = _digest(template, base, number, total, len(states),
                                  *(data.case_fingerprint(s) for s in chunk))
        pages.append(PageSpec(path, template, context, fingerprint))
    return pages


def case_pages(data: SiteData) -> list[PageSpec]:
    """One page per published case."""
    pages = []
    for state in data.published:
        def context(state=state):
            return {"case": data.view(state)}
        pages.append(PageSpec(f"cases/{state.case.id}/index.html", "case.html", context,
                              data.case_fingerprint(state)))
    return pages


def browse_pages(data: SiteData) -> list[PageSpec]:
    """All resolved cases, and one list per unit, topic, category, channel and month."""
    pages = list_pages("cases", data.published, "case_list.html",
                       lambda: {"list_kind": "all", "list_key": None}, data)
    for kind, table in data.groups.items():
        for key, states in sorted(table.items()):
            if kind == "units":
                continue  # unit pages carry their own list (unit_pages)
            def extra(kind=kind, key=key):
                return {"list_kind": kind, "list_key": key}
            pages += list_pages(f"{kind}/{key}", states, "case_list.html", extra, data)
    pages.append(PageSpec("browse/index.html", "browse.html", lambda: {
        "groups": {kind: {k: len(v) for k, v in sorted(t.items(), reverse=kind == "months")}
                   for kind, t in data.groups.items()}}))
    return pages


def unit_pages(data: SiteData) -> list[PageSpec]:
    """The unit ranking, and each unit's figures, trend and resolved cases."""
    report = data.report(str(data.window_end.year))
    overall = data.report("all")
    open_now = {g.unit: g for g in overdue_by_unit(data.states)}

    def ranking():
        ranked, unranked = rank_units(report)
        return {"report": report, "ranked": ranked, "unranked": unranked, "overall": overall}

    pages = [PageSpec("units/index.html", "units.html", ranking)]
    for key in data.registry.units:
        states = data.groups["units"].get(key, [])
        figures: dict = {}  # once per unit, shared by its list's pages

        def extra(key=key, figures=figures):
            if not figures:
                figures.update({"unit_key": key, "unit_year": report.by_unit.get(key),
                                "unit_period": report.period,
                                "unit_all": overall.by_unit.get(key), "attention": open_now.get(key),
                                "trend": contexts.unit_trend(data, key)})
            return figures
        # a unit's first page shows its figures as of today: never skipped
        pages += list_pages(f"units/{key}", states, "unit.html", extra, data, dated_first_page=True)
    return pages


def report_pages(data: SiteData) -> list[PageSpec]:
    """Monthly, quarterly and annual bulletins, and their index."""
    pages = [PageSpec("reports/index.html", "reports.html", lambda: {"periods": data.periods})]
    for period in data.periods:
        def context(period=period):
            return contexts.report(data, period)
        pages.append(PageSpec(f"reports/{period.label}/index.html", "report.html", context))
    return pages


def home_and_fixed_pages(data: SiteData) -> list[PageSpec]:
    """Home, statistics, process, search, open-data and not-found pages."""
    return [
        PageSpec("index.html", "home.html", lambda: contexts.home(data)),
        PageSpec("stats/index.html", "stats.html", lambda: contexts.stats(data)),
        PageSpec("process/index.html", "process.html", lambda: {"rules": data.registry.rules}),
        # the example case number is the latest published case's, never one written into the theme
        PageSpec("search/index.html", "search.html",
                 lambda: {"example_id": data.published[0].case.id if data.published else None}),
        PageSpec("data/index.html", "data.html", lambda: {"count": len(data.published)}),
        PageSpec("404.html", "404.html", dict, fingerprint="404"),  # served for any unknown address
    ]


def all_pages(data: SiteData) -> list[PageSpec]:
    """Every HTML page the plugin renders."""
    from .hot import hot_pages  # the hot-issues page lives in its own module

    return [*home_and_fixed_pages(data), *case_pages(data), *browse_pages(data),
            *unit_pages(data), *report_pages(data), *hot_pages(data)]

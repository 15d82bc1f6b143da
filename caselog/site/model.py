"""Everything the portal shows, computed once per build from the engine."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path

from ..cache import cache_key
from ..derive import CaseState
from ..errors import InvalidCase
from ..publication import PublicationPolicy, known_events
from ..registry import Registry
from ..repository import CaseLog, load_log
from ..stats import MonthTallies, Period, Report, parse_period, report_from_months, tally_months
from .views import CaseView, case_view


@dataclass
class SiteData:
    """The loaded case log with derived states, public cases and reports, for one `as_of`."""

    log: CaseLog
    as_of: date
    history: dict = field(default_factory=dict)  # rel path -> commits, newest first

    @property
    def registry(self) -> Registry:
        """The registry."""
        return self.log.registry

    @cached_property
    def states(self) -> list[CaseState]:
        """Every case received by `as_of`, public or not (statistics count them all)."""
        return self.log.states(self.as_of)  # reuses the derived facts the cache holds

    @cached_property
    def policy(self) -> PublicationPolicy:
        """What may be shown of the log as of `as_of`: every page, list, feed and export asks it."""
        return PublicationPolicy(tuple(self.log.cases), tuple(self.states), self.as_of,
                                 self.registry.public_numbers)

    @property
    def published(self) -> list[CaseState]:
        """Published cases (see publication.py), most recently closed first: the only cases with pages."""
        return self.policy.published

    @cached_property
    def window_end(self) -> date:
        """The day the portal's headline periods and chart windows end: `as_of`, or the day the
        newest message came in when the data ends in an earlier month (an imported archive)."""
        newest = max((s.received_day for s in self.states), default=self.as_of)
        return newest if (newest.year, newest.month) < (self.as_of.year, self.as_of.month) else self.as_of

    @cached_property
    def public_titles(self) -> dict[str, str]:
        """Titles of published cases by id (links go only to these)."""
        return {s.case.id: s.case.title for s in self.published}

    @cached_property
    def paths(self) -> dict[str, str]:
        """Case id -> file path relative to the root."""
        return {f.case.id: f.path for f in self.log.files if f.case is not None}

    @cached_property
    def digests(self) -> dict[str, str]:
        """Case id -> digest of its file text."""
        return {f.case.id: f.digest for f in self.log.files if f.case is not None}

    @cached_property
    def registry_digest(self) -> str:
        """A digest of the registry (names on every page; rules and calendar behind every
        deadline) and of the engine's code that derives what pages show."""
        return hashlib.blake2b(repr(self.registry.units).encode() + repr(self.registry.channels).encode()
                               + repr(self.registry.topics).encode() + cache_key(self.log.root).encode(),
                               digest_size=12).hexdigest()

    def view(self, state: CaseState) -> CaseView:
        """The public view of a published case."""
        path = self.paths.get(state.case.id)
        return case_view(state, self.registry, self.public_titles, self.history.get(path, ()))

    def case_fingerprint(self, state: CaseState) -> str:
        """What a case page depends on besides the theme: its file, linked cases, its commits
        (once per case and build: pages, feeds, exports and the search data all ask)."""
        known = self.__dict__.setdefault("_fingerprints", {})
        fingerprint = known.get(state.id)
        if fingerprint is None:
            fingerprint = known[state.id] = self._fingerprint(state)
        return fingerprint

    def _fingerprint(self, state: CaseState) -> str:
        case = state.case
        events = known_events(state)
        linked = [case.id, *case.related]
        closed = next((e for e in reversed(events) if e.type == "closed"), None)
        if getattr(closed, "duplicate_of", None):
            linked.append(closed.duplicate_of)
        parts = [self.digests.get(i, "") + ("p" if i in self.public_titles else "") for i in linked]
        parts.append(str(len(events)))  # an earlier --as-of shows fewer of the file's events
        commits = self.history.get(self.paths.get(case.id), ())
        parts += [c.hexsha for c in commits]
        return hashlib.blake2b("|".join(parts).encode(), digest_size=12).hexdigest()

    def report(self, period: Period | str | None = None) -> Report:
        """Statistics for a period (all cases, public or not); each period's once per process."""
        if not isinstance(period, Period):
            period = parse_period(period)
        reports = self.__dict__.setdefault("_reports", {})
        key = (period.start, period.end)
        if key not in reports:
            # merged from each month's tallies, counted in one pass over every case
            reports[key] = report_from_months(self.month_tallies, period,
                                              self.registry.rules.min_cases_for_ranking, self.as_of)
        return reports[key]

    @cached_property
    def month_tallies(self) -> MonthTallies:
        """Every month's statistics tallies: what every period's report is merged from."""
        return tally_months(self.states)

    def states_in(self, period: Period) -> list[CaseState]:
        """Every case received in `period` (periods are whole months: only those months are looked at)."""
        return [s for month, group in self.states_by_month.items() if month in period for s in group]

    @cached_property
    def states_by_month(self) -> dict[date, list[CaseState]]:
        """Every case's state, by the first day of the month it was received in."""
        table: dict[date, list[CaseState]] = defaultdict(list)
        for s in self.states:
            table[s.received_day.replace(day=1)].append(s)
        return dict(table)

    @cached_property
    def periods(self) -> list[Period]:
        """Every month, quarter and year with cases received by `as_of`, newest first."""
        months = sorted({s.case.received_day.strftime("%Y-%m") for s in self.states}, reverse=True)
        quarters = sorted({f"{m[:4]}-Q{(int(m[5:]) - 1) // 3 + 1}" for m in months}, reverse=True)
        years = sorted({m[:4] for m in months}, reverse=True)
        return [parse_period(p) for p in [*years, *quarters, *months]]

    @cached_property
    def groups(self) -> dict[str, dict[str, list[CaseState]]]:
        """Published cases grouped for list pages: unit, topic, category, channel, month (closed)."""
        groups: dict[str, dict[str, list[CaseState]]] = {
            name: defaultdict(list) for name in ("units", "topics", "categories", "channels", "months")}
        for s in self.published:
            case = s.case
            if s.unit:
                groups["units"][s.unit].append(s)
            if "topics" not in case.unclassified:  # a placeholder topic is no classification
                for topic in case.topics:
                    groups["topics"][topic].append(s)
            if "category" not in case.unclassified:
                groups["categories"][case.category].append(s)
            groups["channels"][case.channel].append(s)
            groups["months"][s.closed_on.strftime("%Y-%m")].append(s)
        return {name: dict(table) for name, table in groups.items()}


    @cached_property
    def unit_months(self) -> dict[str, dict[str, list[int]]]:
        """unit -> month -> [received, replied (final), closed] over all cases, public or not."""
        table: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0, 0]))
        for s in self.states:
            if s.unit is None:
                continue
            row = table[s.unit][s.case.received_day.strftime("%Y-%m")]
            row[0] += 1
            row[1] += s.final_reply_on is not None
            row[2] += s.status == "closed"
        return table


def load_site_data(root: Path, as_of: date, with_history: bool = True) -> SiteData:
    """Load and check the case log for a build; raise InvalidCase on any error."""
    log = load_log(root)
    if log.errors:
        raise InvalidCase(log.errors)
    history = {}
    if with_history:
        try:
            from ..history import load_history
        except ImportError:  # pragma: no cover - history ships with caselog
            load_history = None
        if load_history is not None:
            history = load_history(root, timezone=log.registry.rules.timezone)
    return SiteData(log, as_of, history)

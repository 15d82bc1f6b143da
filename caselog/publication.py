"""The publication policy: the one owner of "what may the portal show of this case, on this day".

Every part of the portal (pages, lists, feeds, open data, Open311, sitemap, search records,
charts) asks it and never decides by itself (cf. Alaveteli's prominence calculator):

- a case is published when it is public and closed as of the build's date;
- of a published case, only the events known by that date are shown;
- everything that is not published is secret: its id may appear nowhere, nor the title of a
  non-public case; the output scan looks for exactly these (see `secret_ids`, `secret_titles`);
- commit subjects are not checked fields and are never shown: a page describes each commit
  by the events it recorded;
- values the search index shows (a result's title, unit and facts) are plain text that cannot
  become markup, whatever the page does with them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property

from .derive import CaseState
from .schema import Case, web_address_problem

# markup characters and their full-width twins: what a search filter or metadata value shows
_PLAIN = str.maketrans({"<": "＜", ">": "＞", "&": "＆", '"': "＂", "'": "＇", "`": "｀"})


def is_published(state: CaseState) -> bool:
    """Whether a case has a page: it is public and closed as of its state's date."""
    return state.case.public and state.status == "closed"


def known_events(state: CaseState) -> list:
    """The case's events up to the end of `as_of`: later ones are not known yet (as in the statistics)."""
    events = state.case.events
    if events and events[-1].day <= state.as_of:  # events are in date order (checks.py): all known
        return list(events)
    return [e for e in events if e.day <= state.as_of]


def plain_label(value: str) -> str:
    """A value for a search filter or metadata: the same text, with no character that markup
    could start with (each becomes its full-width twin), and no line breaks."""
    return " ".join(value.translate(_PLAIN).split())


def link_target(url: str | None) -> str | None:
    """A web address a page may link to (http or https only), or None."""
    return url if url and web_address_problem(url) is None else None


@dataclass(frozen=True)
class PublicationPolicy:
    """What the portal may show of a case log on one day."""

    cases: tuple[Case, ...]
    states: tuple[CaseState, ...]
    as_of: date
    public_numbers: frozenset[str] = frozenset()

    @cached_property
    def published(self) -> list[CaseState]:
        """The published cases, most recently closed first."""
        chosen = [s for s in self.states if is_published(s)]
        chosen.sort(key=lambda s: (s.closed_on, s.case.id), reverse=True)
        return chosen

    @cached_property
    def published_ids(self) -> frozenset[str]:
        """Ids of the published cases: the only cases pages may link to or name."""
        return frozenset(s.case.id for s in self.published)

    @cached_property
    def secret_ids(self) -> frozenset[str]:
        """Ids of every case without a page (non-public, open, or received after the date)."""
        return frozenset(c.id for c in self.cases) - self.published_ids

    @cached_property
    def secret_titles(self) -> frozenset[str]:
        """Titles of non-public cases: never shown, whatever the case's state."""
        return frozenset(c.title for c in self.cases if not c.public)


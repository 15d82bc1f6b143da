"""What an Atom feed says about a case: ids that never change, and the best-known times.

Ids are `tag:` URIs (RFC 4151) minted from the office's CASELOG_FEED_AUTHORITY (a domain or
e-mail address it owns, and a date: `qingxi.example.org,2026`) and the case id, so they stay
the same when the site moves. Times carry the hour when the case file records it; a bare
day (T00:00:00) appears only where nothing better is known.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from ..errors import CaselogError
from .open311 import stamp
from .views import CaseView, known_events

# RFC 4151: a domain name or an e-mail address, a comma, and a date (YYYY, YYYY-MM or YYYY-MM-DD)
AUTHORITY = re.compile(r"(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+|[^@\s,]+@[A-Za-z0-9.-]+)"
                       r",\d{4}(?:-\d\d(?:-\d\d)?)?")


class FeedSettingsError(CaselogError):
    """The settings do not say how to name the feeds."""


def tag_authority(value) -> str:
    """The checked CASELOG_FEED_AUTHORITY setting."""
    if not value:
        msg = ("CASELOG_FEED_AUTHORITY is not set: the Atom feeds need a domain or e-mail address the "
               "office owns and a date, e.g. CASELOG_FEED_AUTHORITY = \"qingxi.example.org,2026\"")
        raise FeedSettingsError(msg)
    if not AUTHORITY.fullmatch(str(value)):
        msg = (f"CASELOG_FEED_AUTHORITY = {value!r} is not a tag URI authority: write a domain or e-mail "
               "address and a date, e.g. \"qingxi.example.org,2026\"")
        raise FeedSettingsError(msg)
    return str(value)


def tag_uri(authority: str, specific: str) -> str:
    """tag:<authority>:<specific>."""
    return f"tag:{authority}:{specific}"


@dataclass(frozen=True)
class FeedEntry:
    """A resolved case as an Atom entry."""

    case: CaseView
    id: str
    published: str
    updated: str


def feed_entry(state, view: CaseView, authority: str, timezone: str) -> FeedEntry:
    """The entry of a published case: published when it was closed, updated at its last change."""
    events = known_events(state)
    closing = next((e.date for e in reversed(events) if e.type == "closed"), view.closed_on)
    moments = [e.date for e in events] + [c.day for c in view.history]
    last = max(moments, key=_sort_key, default=closing)
    published = stamp(closing, timezone)
    updated = max(stamp(last, timezone), published)
    return FeedEntry(view, tag_uri(authority, f"cases/{view.id}"), published, updated)


def _sort_key(moment) -> datetime:
    return moment if isinstance(moment, datetime) else datetime(moment.year, moment.month, moment.day)

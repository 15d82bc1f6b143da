"""View models: what a page shows of a case, built from the case and its derived state.

Only public fields go in. Templates get these objects and never see the raw Case.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from markupsafe import Markup

from ..derive import CaseState, Deadline
from ..publication import known_events, link_target
from ..registry import Registry
from .markup import plain_text, render_text


@dataclass(frozen=True)
class Ref:
    """A coded value with its display name (unit, topic, channel)."""

    key: str
    name: str


@dataclass(frozen=True)
class CaseLink:
    """A link to another public case."""

    id: str
    title: str


@dataclass(frozen=True)
class TimelineItem:
    """One event as the public sees it."""

    day: date
    time: str | None
    type: str
    unit: Ref | None
    html: Markup | None
    detail: dict


@dataclass(frozen=True)
class DeadlineView:
    """A deadline and whether it was met."""

    due: date
    met_on: date | None
    on_time: bool | None
    workdays: int | None
    moved: int  # how many times supervision, extension or reopening moved it


@dataclass(frozen=True)
class Commit:
    """A commit that changed the case file, described by what it changed (never by its subject,
    which is staff's text): the case registered, the events it recorded, or an edit."""

    short: str
    hexsha: str
    day: date
    registered: bool
    recorded: tuple[TimelineItem, ...]


def _commits(history, timeline: tuple[TimelineItem, ...]) -> tuple[Commit, ...]:
    """The case file's commits (newest first), each with the events its Event trailers name.

    A case file only grows at the end, so going back from the newest commit, each commit that
    recorded an event of a type recorded the latest event of that type not yet claimed."""
    unclaimed: dict[str, list[TimelineItem]] = {}
    for item in timeline:
        unclaimed.setdefault(item.type, []).append(item)
    commits = []
    for index, info in enumerate(history):
        recorded = [unclaimed[kind].pop() for kind in info.events if unclaimed.get(kind)]
        registered = index == len(history) - 1 and not [k for k in info.events if k != "accepted"]
        commits.append(Commit(info.short, info.hexsha, info.date, registered, tuple(reversed(recorded))))
    return tuple(commits)


@dataclass(frozen=True)
class CaseView:
    """Everything a case page, list entry, feed entry or export row shows."""

    id: str
    title: str
    received: str
    received_day: date
    accepted_on: date
    channel: Ref
    category: str
    topics: tuple[Ref, ...]
    area: str | None
    priority: str
    alias: str
    real_name: bool
    source_url: str | None
    message_html: Markup
    summary: str
    unit: Ref | None
    timeline: tuple[TimelineItem, ...]
    first_reply: DeadlineView
    final_reply: DeadlineView
    final_reply_text: str | None
    closed_on: date | None
    outcome: str | None
    satisfaction: str | None
    reopen_count: int
    extension_days: int
    duplicate_of: CaseLink | None
    referred_to: str | None
    related: tuple[CaseLink, ...]
    corrections: tuple[TimelineItem, ...]
    history: tuple[Commit, ...]
    last_updated: date


def received_text(case) -> str:
    """When a case was received, as its page says it (to the minute, or the day)."""
    received = case.received
    return received.strftime("%Y-%m-%d %H:%M") if isinstance(received, datetime) else str(received)


def _ref(table: dict, key: str | None) -> Ref | None:
    if key is None:
        return None
    item = table.get(key)
    return Ref(key, getattr(item, "name", key) if item else key)


def _deadline(d: Deadline, workdays: int | None) -> DeadlineView:
    return DeadlineView(d.due, d.met_on, d.on_time, workdays, len(d.steps) - 1)


DETAIL_FIELDS = ("mode", "by", "ref", "due", "final", "approved_by", "days", "method",
                 "satisfaction", "outcome", "referred_to")
TEXT_FIELDS = ("text", "note", "reason")


def _timeline(state: CaseState, registry: Registry) -> tuple[TimelineItem, ...]:
    items = []
    for event in known_events(state):
        fields = type(event).model_fields  # looking up a field an event lacks costs pydantic an exception
        text = next((value for name in TEXT_FIELDS if name in fields and (value := getattr(event, name))),
                    None)
        when = event.date
        items.append(TimelineItem(
            day=event.day,
            time=when.strftime("%H:%M") if isinstance(when, datetime) else None,
            type=event.type,
            unit=_ref(registry.units, getattr(event, "unit", None)),
            html=Markup(render_text(text, state.case.text_format)) if text else None,
            detail={name: value for name in DETAIL_FIELDS
                    if name in fields and (value := getattr(event, name)) is not None},
        ))
    return tuple(items)


def shown_category(case) -> str:
    """The category the public sees: 'unclassified' while the case's is only a placeholder."""
    return "unclassified" if "category" in case.unclassified else case.category


def shown_topics(case, registry: Registry) -> tuple[Ref, ...]:
    """The topics the public sees: none while the case's are only a placeholder."""
    return () if "topics" in case.unclassified else tuple(_ref(registry.topics, t) for t in case.topics)


def case_view(state: CaseState, registry: Registry, public_titles: dict[str, str],
              history: tuple = ()) -> CaseView:
    """The public view of a case; links only to other public cases (`public_titles`)."""
    case = state.case
    timeline = _timeline(state, registry)
    events = known_events(state)
    closed = next((e for e in reversed(events) if e.type == "closed"), None)
    duplicate_of = getattr(closed, "duplicate_of", None) if state.outcome == "duplicate" else None
    finals = [e for e in events if e.type == "replied" and e.final]
    # the case it repeats is listed once, as the original, not again among the related cases
    related = tuple(CaseLink(i, public_titles[i]) for i in case.related
                    if i in public_titles and i != duplicate_of)
    commits = _commits(history, timeline)
    last_event = max((e.day for e in events), default=case.received_day)
    return CaseView(
        id=case.id, title=case.title,
        received=received_text(case),
        received_day=case.received_day, accepted_on=state.accepted_on,
        channel=_ref(registry.channels, case.channel),
        category=shown_category(case), topics=shown_topics(case, registry),
        area=case.area, priority=case.priority, alias=case.author.alias,
        real_name=case.author.real_name, source_url=link_target(case.source_url),
        message_html=Markup(render_text(case.message, case.text_format)),
        summary=plain_text(case.message, 120, case.text_format), unit=_ref(registry.units, state.unit),
        timeline=timeline,
        first_reply=_deadline(state.first_reply, state.workdays_to_first_reply),
        final_reply=_deadline(state.final_reply, state.workdays_to_final_reply),
        final_reply_text=finals[-1].text if finals else None,
        closed_on=state.closed_on, outcome=state.outcome, satisfaction=state.satisfaction,
        reopen_count=state.reopen_count, extension_days=state.extension_days,
        duplicate_of=(CaseLink(duplicate_of, public_titles[duplicate_of])
                      if duplicate_of in public_titles else None),
        referred_to=getattr(closed, "referred_to", None) if state.outcome == "referred" else None,
        related=related,
        corrections=tuple(item for item in timeline if item.type == "corrected"),
        history=commits,
        last_updated=max([last_event, *(c.day for c in commits)]),
    )


@dataclass(frozen=True)
class CaseRow:
    """A published case as one line of a list (no Markdown rendering needed)."""

    id: str
    title: str
    received_day: date
    closed_on: date | None
    unit: Ref | None
    category: str
    topics: tuple[Ref, ...]
    outcome: str | None
    satisfaction: str | None
    final_on_time: bool | None
    workdays: int | None


def case_row(state: CaseState, registry: Registry) -> CaseRow:
    """The list entry of a published case."""
    case = state.case
    return CaseRow(case.id, case.title, case.received_day, state.closed_on,
                   _ref(registry.units, state.unit), shown_category(case),
                   shown_topics(case, registry), state.outcome,
                   state.satisfaction, state.final_reply.on_time, state.workdays_to_final_reply)

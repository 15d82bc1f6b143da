"""Checks beyond the schema: registry references, ids and paths, event order, privacy."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise
from pathlib import PurePosixPath

from .derive import derive, last_update
from .errors import Problem
from .i18n import N_, _
from .privacy import KINDS, NUMBER_KINDS, find_personal_data
from .registry import Registry
from .schema import ID_RE, Case, Closed, Extended, Replied, Supervised, unknown
from .workdays import LAST_YEAR, CalendarError
from .yamlsafe import Document, format_loc

CLOCK_TOLERANCE = timedelta(days=1)  # another office's clock, or a time zone, may be a day ahead
MAX_SUPERVISION_DAYS = 366  # a supervision notice sets a date within the year
# limits and extensions are at most 9,999 working days (about 40 years): from a day up to this
# year they stay inside the calendar, so the deadlines need not be counted to know they can be
SAFE_YEAR = LAST_YEAR - 50
MASK_ADVICE = N_("run 'caselog mask {id}' to mask it")

AFTER_CLOSE_ALLOWED = {"visited", "corrected", "reopened", "closed"}
# every event field the public may read as text (ids, dates and registry keys are checked elsewhere)
EVENT_TEXT_FIELDS = ("text", "note", "reason", "by", "approved_by", "ref", "referred_to")


@dataclass(frozen=True)
class CaseRefs:
    """What the checks between files need of one case: its id and the ids it points at.

    `related` holds (index, id, line) for each related id; `duplicates` holds
    (event index, id, line) for each duplicate_of; `newest` holds (day, line, field) of
    the latest day the case says something happened (checked against today at each load,
    so it is not cached as a problem).
    """

    id: str
    related: tuple[tuple[int, str, int], ...] = ()
    duplicates: tuple[tuple[int, str, int], ...] = ()
    newest: tuple[date, int, str] | None = None


def case_refs(case: Case, line_of) -> CaseRefs:
    """The id of a typed case and the ids it points at, with their lines."""
    related = tuple((i, r, line_of(("related", i))) for i, r in enumerate(case.related))
    duplicates = tuple((i, target, line_of(("events", i, "duplicate_of")))
                       for i, event in enumerate(case.events)
                       if (target := event.__dict__.get("duplicate_of")))
    newest_loc: tuple = ("received",)
    newest = case.received_day
    for index, event in enumerate(case.events):
        if event.day > newest:
            newest, newest_loc = event.day, ("events", index, "date")
    return CaseRefs(case.id, related, duplicates, (newest, line_of(newest_loc), format_loc(newest_loc)))


def future_problems(entries, today: date) -> list[Problem]:
    """Dates after today (with a day's tolerance for clocks): a case records what happened."""
    problems = []
    for path, refs in entries:
        if refs.newest is not None and refs.newest[0] > today + CLOCK_TOLERANCE:
            day, line, field = refs.newest
            problems.append(Problem(path, line, field, _(
                "{day} is in the future (today is {today}): a case records what has happened; "
                "check the year, or record the event on the day it happens").format(day=day, today=today)))
    return problems


def free_text_fields(case: Case):
    """Yield (loc, text) for every free-text field that the public may read."""
    yield ("title",), case.title
    yield ("message",), case.message
    yield ("author", "alias"), case.author.alias
    for name in ("area", "source_url", "source_ref"):
        value = case.__dict__.get(name)
        if value:
            yield (name,), value
    for index, event in enumerate(case.events):
        fields = event.__dict__  # not getattr: pydantic's miss path costs an exception per field
        for name in EVENT_TEXT_FIELDS:
            value = fields.get(name)
            if value:
                yield ("events", index, name), value


def privacy_problems(case: Case, doc: Document, advice: str = MASK_ADVICE,
                     public_numbers: frozenset[str] = frozenset()) -> list[Problem]:
    """Unmasked personal data in free text (an office's own `public_numbers` excepted);
    `advice` says how to fix it."""
    problems = []
    for loc, text in free_text_fields(case):
        # a source_ref without spaces is the platform's key, read like a link's thread id
        key = loc == ("source_ref",) and not any(char.isspace() for char in text)
        for finding in find_personal_data(text, public_numbers):
            if key and finding.kind in NUMBER_KINDS:
                continue
            line = doc.line_of(loc) + _block_offset(doc, loc) + text.count("\n", 0, finding.start)
            problems.append(Problem(
                doc.path, line, format_loc(loc),
                _("unmasked {kind} ({key}) '{text}'; ").format(
                    kind=KINDS[finding.kind], key=finding.kind, text=_preview(finding.text))
                + _(advice).format(id=case.id)))
    return problems


def _block_offset(doc: Document, loc) -> int:
    """1 when the field is a block scalar (| or >) whose text starts on the next line."""
    line = doc.line_of(loc)
    lines = doc.text.splitlines()
    if 0 < line <= len(lines):
        stripped = lines[line - 1].rstrip()
        if stripped.endswith(("|", ">", "|-", ">-", "|+", ">+")):
            return 1
    return 0


def _preview(text: str) -> str:
    return text if len(text) <= 24 else text[:21] + "..."


def raw_reference_problems(doc: Document, registry: Registry) -> list[Problem]:
    """Registry references checked on the raw document, for a case the schema could not type.

    So that one run reports a misspelt unit even when another field is broken too."""
    data = doc.data if isinstance(doc.data, dict) else {}
    problems = []

    def check(value, table, what, loc):
        if isinstance(value, str) and value not in table:
            problems.append(Problem(doc.path, doc.line_of(loc), format_loc(loc),
                                    unknown(what, value, table)))

    check(data.get("channel"), registry.channels, "channel", ("channel",))
    topics = data.get("topics")
    for index, topic in enumerate(topics if isinstance(topics, list) else []):
        check(topic, registry.topics, "topic", ("topics", index))
    events = data.get("events")
    for index, event in enumerate(events if isinstance(events, list) else []):
        if isinstance(event, dict):
            check(event.get("unit"), registry.units, "unit", ("events", index, "unit"))
    return problems


def check_case(case: Case, doc: Document, registry: Registry, rel_path: str,
               advice: str = MASK_ADVICE) -> tuple[list[Problem], bool]:
    """Every per-file problem of a typed case (`advice`: how to fix unmasked personal data),
    and whether its deadlines can be counted (if not, no later stage may use the case)."""
    problems: list[Problem] = []

    def add(loc, message, severity="error"):
        problems.append(Problem(doc.path, doc.line_of(loc), format_loc(loc), message, severity))

    match = ID_RE.match(case.id)
    if not match:
        add(("id",), _("'{id}' is not an id like 20260302-K7Q2MD "
                       "(received date, dash, 6 characters of 0-9 A-Z without I L O U)").format(id=case.id))
    else:
        stamp = case.received_day.strftime("%Y%m%d")
        if match.group(1) != stamp:
            add(("id",), _("id starts with {stamp} but received is {day}").format(
                stamp=match.group(1), day=case.received_day))
        expected = f"cases/{case.received_day:%Y}/{case.received_day:%m}/{case.id}.yaml"
        if rel_path and rel_path != expected and PurePosixPath(rel_path).as_posix() != expected:
            add(("id",), _("file should be at {path}").format(path=expected))
    if case.channel not in registry.channels:
        add(("channel",), unknown("channel", case.channel, registry.channels))
    for index, topic in enumerate(case.topics):
        if topic not in registry.topics:
            add(("topics", index), unknown("topic", topic, registry.topics))
    if len(set(case.topics)) != len(case.topics):
        add(("topics",), _("a topic is listed twice"))
    for index, related in enumerate(case.related):
        if not ID_RE.match(related):
            add(("related", index), _("'{id}' is not a case id").format(id=related))
        elif related == case.id:
            add(("related", index), _("a case cannot be related to itself"))
    before = len(problems)
    _check_events(case, registry, add)
    countable = True
    if not any(p.field.endswith(".date") for p in problems[before:]):  # deadlines need the order
        countable = _check_dates(case, registry, add)
    problems.extend(privacy_problems(case, doc, advice, registry.public_numbers))
    return problems, countable


def _check_dates(case: Case, registry: Registry, add) -> bool:
    """Dates every later stage can count with: inside the working-day calendar, a
    supervision date after its notice, an extension that ends after the day it was granted.
    Return whether the deadlines can be counted at all."""
    calendar = registry.calendar
    first = calendar.first_year
    if case.received_day.year < first:
        add(("received",), _("{day} is before {first}, where the working-day calendar starts: check the "
                             "date (an empty spreadsheet date reads as 1900-01-01)").format(
            day=case.received_day, first=first))
        return False
    found = False
    for index, event in enumerate(case.events):
        if isinstance(event, Supervised) and event.due is not None:
            loc = ("events", index, "due")
            if event.due < event.day:
                add(loc, _("{due} is before the notice's own date ({day}): a notice sets a completion "
                           "date on or after the day it is given; check the date").format(
                    due=event.due, day=event.day))
                found = True
            elif (event.due - event.day).days > MAX_SUPERVISION_DAYS:
                add(loc, _("{due} is more than a year after the notice ({day}): check the year").format(
                    due=event.due, day=event.day))
                found = True
    last = max(last_update(case), case.received_day)
    dues = [e.due for e in case.events if isinstance(e, Supervised) and e.due is not None]
    if max([last, *dues]).year <= SAFE_YEAR and not any(isinstance(e, Extended) for e in case.events):
        return True  # nothing to check that needs the deadlines, and they fit in the calendar
    try:
        state = derive(case, last, registry.rules, calendar)
    except CalendarError as exc:
        # a date past the calendar is reported as in the future when the log is loaded
        if not found and last.year <= LAST_YEAR:
            add(("received",), _("the deadlines cannot be counted: {reason}").format(reason=exc))
        return False
    steps = state.final_reply.steps
    for before, step in pairwise(steps):
        if step.event is not None and isinstance(case.events[step.event], Extended) \
                and step.deadline < step.day:
            need = calendar.workdays_between(before.deadline, step.day)
            if calendar.add_workdays(before.deadline, need) < step.day:
                need += 1
            add(("events", step.event, "days"), _(
                "the extension granted on {day} moves the final-reply deadline to {deadline}, before "
                "the day it was granted (the deadline it extends, {before}, had passed): give at least "
                "{need} days, or check the dates").format(day=step.day, deadline=step.deadline,
                                                          before=before.deadline, need=need))
    return True


def _check_events(case: Case, registry: Registry, add) -> None:
    previous = case.received_day
    assigned: set[str] = set()
    closed = False
    reopened_on = None  # the day of the latest reopening not yet answered by a final reply
    for index, event in enumerate(case.events):
        loc = ("events", index)
        if event.day < previous:
            what = (_("{day} is before received ({previous}): events are in date order")
                    if index == 0 or previous == case.received_day else
                    _("{day} is before the event before ({previous}): events are in date order"))
            add((*loc, "date"), what.format(day=event.day, previous=previous))
        previous = max(previous, event.day)
        unit = event.__dict__.get("unit")
        if unit is not None and unit not in registry.units:
            add((*loc, "unit"), unknown("unit", unit, registry.units))
        if event.type == "assigned":
            assigned.add(event.unit)
        elif event.type == "replied" and event.unit not in assigned and unit in registry.units:
            add((*loc, "unit"), _("{unit} replies but the case was never assigned to it").format(
                unit=registry.unit_label(event.unit)))
        if closed and event.type not in AFTER_CLOSE_ALLOWED:
            add((*loc, "type"), _("'{type}' after the case was closed: add a reopened event first").format(
                type=event.type))
        if event.type == "closed":
            closed = True
            if reopened_on is not None and event.outcome == "resolved":
                add((*loc, "outcome"), _(
                    "closed as resolved after the case was reopened on {day}, but no final reply "
                    "followed the reopening: record the unit's new final reply first "
                    "(caselog reply {id} --final), or close with another outcome").format(
                    day=reopened_on, id=case.id))
        elif event.type == "reopened":
            if not closed and not any(e.type == "replied" and e.final for e in case.events[:index]):
                add((*loc, "type"), _("reopened before any final reply or closing"))
            closed = False
            reopened_on = event.day
        elif isinstance(event, Replied) and event.final:
            reopened_on = None
        if isinstance(event, Closed):
            if event.outcome == "duplicate":
                if not event.duplicate_of:
                    add((*loc, "duplicate_of"), _("outcome duplicate needs duplicate_of: <earlier case id>"))
                elif not ID_RE.match(event.duplicate_of):
                    add((*loc, "duplicate_of"), _("'{id}' is not a case id").format(id=event.duplicate_of))
                elif event.duplicate_of == case.id:
                    add((*loc, "duplicate_of"), _("a case cannot be a duplicate of itself"))
            elif event.duplicate_of:
                add((*loc, "duplicate_of"), _("duplicate_of only goes with outcome: duplicate"))
            if event.outcome == "referred" and not event.referred_to:
                add((*loc, "referred_to"), _("outcome referred needs referred_to: <where it went>"))
            elif event.outcome != "referred" and event.referred_to:
                add((*loc, "referred_to"), _("referred_to only goes with outcome: referred"))


def cross_case_problems(entries, other_ids=frozenset()) -> list[Problem]:
    """Problems between files: repeated ids and references to cases that do not exist.

    `entries` are (rel_path, CaseRefs) for the cases checked; `other_ids` are
    the ids of cases in the log that were not loaded (known from their file names).
    """
    entries = list(entries)
    problems: list[Problem] = []
    by_id: dict[str, list[str]] = defaultdict(list)
    for path, refs in entries:
        by_id[refs.id].append(path)
    known = set(by_id) | set(other_ids)
    for case_id, paths in by_id.items():
        if len(paths) > 1:
            for path in paths:
                others = ", ".join(p for p in paths if p != path)
                problems.append(Problem(path, 1, "id", _("id {id} is also used by {others}").format(
                    id=case_id, others=others)))
    for path, refs in entries:
        for index, related, line in refs.related:
            if ID_RE.match(related) and related != refs.id and related not in known:
                problems.append(Problem(path, line, f"related[{index}]",
                                        _("no case with id {id}").format(id=related)))
        for index, target, line in refs.duplicates:
            if ID_RE.match(target) and target != refs.id and target not in known:
                loc = ("events", index, "duplicate_of")
                message = _("no case with id {id}").format(id=target)
                problems.append(Problem(path, line, format_loc(loc), message))
    return problems

"""Derived facts of a case on a given day: status, deadlines and overdue level.

Nothing here is stored; everything follows from the events, rules.yaml and the
working-day calendar, exactly as case-format.md says.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .registry import Rules
from .schema import Case, Closed, Extended, Reopened, Replied, Supervised, Visited, day_of
from .workdays import WorkCalendar

STATUSES = ("new", "in-progress", "replied", "closed")
LEVELS = ("ok", "warning", "due", "overdue", "severe")  # from best to worst
LEVEL_RANK = {level: rank for rank, level in enumerate(LEVELS)}


@dataclass(frozen=True)
class Step:
    """One move of a deadline: on `day`, `reason` set it to `deadline` (`event`: the index of
    the event that moved it, None for the acceptance).

    `reason` is the record's Chinese phrase; `cause` (accepted, supervised, extended, reopened)
    and `values` say the same for messages in another language."""

    day: date
    reason: str
    deadline: date
    event: int | None = None
    cause: str = ""
    values: tuple = ()


@dataclass(frozen=True)
class Deadline:
    """A reply deadline, how it was set, and when (if ever) it was met."""

    due: date
    steps: tuple[Step, ...]
    met_on: date | None
    provisional: bool

    @property
    def on_time(self) -> bool | None:
        """True/False once met; None while still open."""
        return None if self.met_on is None else self.met_on <= self.due


@dataclass(frozen=True)
class CaseState:
    """A case as it stands at the end of `as_of`.

    `case` is None when the state was rebuilt from cached facts for a command that needs
    no more than the fields here (stats, overdue): what they need of the case itself
    (id, title, day received, channel, category, topics, unclassified, public) is copied in."""

    case: Case | None
    id: str
    title: str
    received_day: date
    channel: str
    category: str
    topics: tuple[str, ...]
    unclassified: tuple[str, ...]  # fields whose value only holds the place until staff classify
    public: bool
    as_of: date
    status: str
    accepted_on: date
    unit: str | None  # the unit the case is assigned to now
    first_reply: Deadline
    final_reply: Deadline
    level: str
    first_reply_on: date | None
    final_reply_on: date | None
    closed_on: date | None
    outcome: str | None
    satisfaction: str | None  # of the latest visit
    reopen_count: int
    extension_days: int
    workdays_to_first_reply: int | None
    workdays_to_final_reply: int | None

    @property
    def is_open(self) -> bool:
        """Not closed."""
        return self.status != "closed"

    @property
    def provisional(self) -> bool:
        """A deadline falls in a year whose holidays are not yet confirmed."""
        return self.first_reply.provisional or self.final_reply.provisional


def deadline_level(deadline: Deadline, today: date, calendar: WorkCalendar, rules: Rules) -> str:
    """The overdue level of one deadline on `today` (contract: 'overdue level on day T')."""
    if deadline.met_on is not None:
        return "ok"
    due = deadline.due
    if today == due:
        return "due"
    if today < due:
        ahead = calendar.workdays_between(today, due)
        # a deadline on a day off right after today is less than one working day away
        return "warning" if ahead <= rules.warning_days else "ok"
    late = calendar.workdays_between(due, today)
    return "severe" if late > rules.severe_after_days else "overdue"


def derive(case: Case, as_of: date, rules: Rules, calendar: WorkCalendar) -> CaseState | None:
    """The state of `case` at the end of `as_of`; None if it was not yet received."""
    if case.received_day > as_of:
        return None
    events = [e for e in case.events if e.day <= as_of]
    accepted = next((e.day for e in events if e.type == "accepted"), case.received_day)
    limit = rules.limit(case.priority)
    first_due = calendar.add_workdays(accepted, limit.first_reply)
    final_due = calendar.add_workdays(accepted, limit.final_reply)
    first_steps = [Step(accepted, f"受理后 {limit.first_reply} 个工作日", first_due, None, "accepted",
                        (limit.first_reply,))]
    final_steps = [Step(accepted, f"受理后 {limit.final_reply} 个工作日", final_due, None, "accepted",
                        (limit.final_reply,))]
    unit = None
    first_on = final_on = closed_on = None
    outcome = satisfaction = None
    reopen_count = extension_days = 0
    for index, event in enumerate(events):
        day = event.day
        if event.type == "assigned":
            unit = event.unit
        elif isinstance(event, Replied):
            first_on = first_on or day
            if event.final:
                final_on = day
        elif isinstance(event, Supervised) and event.due is not None:
            final_due = event.due
            final_steps.append(Step(day, f"督办通知 {event.ref} 限期", final_due, index, "supervised",
                                    (event.ref,)))
        elif isinstance(event, Extended):
            final_due = calendar.add_workdays(final_due, event.days)
            extension_days += event.days
            final_steps.append(Step(day, f"延期 {event.days} 个工作日（{event.approved_by}批准）",
                                    final_due, index, "extended", (event.days, event.approved_by)))
        elif isinstance(event, Reopened):
            reopen_count += 1
            final_on = closed_on = outcome = None
            final_due = calendar.add_workdays(day, limit.final_reply)
            final_steps.append(Step(day, f"重新办理，{limit.final_reply} 个工作日", final_due, index,
                                    "reopened", (limit.final_reply,)))
        elif isinstance(event, Visited):
            satisfaction = event.satisfaction
        elif isinstance(event, Closed):
            closed_on, outcome = day, event.outcome
    if closed_on is not None:
        status = "closed"
    elif final_on is not None:
        status = "replied"
    elif unit is not None:
        status = "in-progress"
    else:
        status = "new"
    confirmed = rules.calendar_confirmed_through
    first = Deadline(first_due, tuple(first_steps), first_on,
                     max(first_due, accepted).year > confirmed)
    final = Deadline(final_due, tuple(final_steps), final_on, final_due.year > confirmed)
    if status == "closed":
        level = "ok"
    else:
        level = max((deadline_level(first, as_of, calendar, rules),
                     deadline_level(final, as_of, calendar, rules)), key=LEVEL_RANK.__getitem__)
    return CaseState(
        case=case, id=case.id, title=case.title, received_day=case.received_day, channel=case.channel,
        category=case.category, topics=tuple(case.topics), unclassified=case.unclassified,
        public=case.public, as_of=as_of,
        status=status, accepted_on=accepted, unit=unit,
        first_reply=first, final_reply=final, level=level,
        first_reply_on=first_on, final_reply_on=final_on, closed_on=closed_on,
        outcome=outcome, satisfaction=satisfaction, reopen_count=reopen_count,
        extension_days=extension_days,
        workdays_to_first_reply=(calendar.workdays_between(accepted, first_on)
                                 if first_on else None),
        workdays_to_final_reply=(calendar.workdays_between(accepted, final_on)
                                 if final_on else None),
    )


def last_update(case: Case) -> date:
    """The day of the latest event, or the received day."""
    return max((e.day for e in case.events), default=day_of(case.received))


def derive_facts(case: Case, rules: Rules, calendar: WorkCalendar) -> tuple[date, dict]:
    """The part of a case's state that no later `as_of` changes: (its last day, the state's fields).

    From the day of its last event on, only `as_of` and the overdue level move."""
    last = max(last_update(case), case.received_day)
    facts = dict(derive(case, last, rules, calendar).__dict__)
    for name in ("case", "as_of", "level"):
        del facts[name]
    return last, facts


def state_from_facts(case: Case | None, last: date, facts: dict, as_of: date, rules: Rules,
                     calendar: WorkCalendar) -> CaseState | None:
    """The same state as derive(case, as_of), from `derive_facts` when as_of is on or after `last`
    (`case` may be None then; before `last` it is needed)."""
    if as_of < last:
        return derive(case, as_of, rules, calendar)
    if facts["status"] == "closed":
        level = "ok"
    else:
        level = max((deadline_level(facts["first_reply"], as_of, calendar, rules),
                     deadline_level(facts["final_reply"], as_of, calendar, rules)),
                    key=LEVEL_RANK.__getitem__)
    # built the way unpickling builds it: __init__ would set 18 frozen fields one by one
    state = object.__new__(CaseState)
    state.__dict__.update(facts, case=case, as_of=as_of, level=level)
    return state


def derive_all(cases, as_of: date, rules: Rules, calendar: WorkCalendar) -> list[CaseState]:
    """The states at `as_of` of every case already received by then."""
    states = []
    for case in cases:
        state = derive(case, as_of, rules, calendar)
        if state is not None:
            states.append(state)
    return states

"""Which cases need staff attention: open cases near or past a deadline, grouped by unit, worst
first; deadlines due in a span of days; and cases whose category or topics await classification."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from .derive import LEVEL_RANK, CaseState

ATTENTION = ("warning", "due", "overdue", "severe")


@dataclass(frozen=True)
class UnitOverdue:
    """One unit's cases that need attention, worst first."""

    unit: str | None
    states: tuple[CaseState, ...]

    @property
    def worst(self) -> str:
        """The worst level among the unit's cases."""
        return self.states[0].level


def overdue_by_unit(states: list[CaseState]) -> list[UnitOverdue]:
    """Open cases at warning or worse, grouped by unit; units with the worst cases first."""
    groups: dict[str | None, list[CaseState]] = defaultdict(list)
    for s in states:
        if s.status != "closed" and s.level in ATTENTION:
            groups[s.unit].append(s)

    def case_key(s: CaseState):
        due = min(d.due for d in (s.first_reply, s.final_reply) if d.met_on is None)
        return (-LEVEL_RANK[s.level], due, s.id)

    result = [UnitOverdue(unit, tuple(sorted(items, key=case_key)))
              for unit, items in groups.items()]
    result.sort(key=lambda g: (-LEVEL_RANK[g.worst],
                               -sum(LEVEL_RANK[s.level] for s in g.states), g.unit or ""))
    return result


@dataclass(frozen=True)
class DueSoon:
    """An unmet deadline of an open case that falls in a span of days."""

    state: CaseState
    kind: str  # first | final
    due: date


def due_between(states: list[CaseState], start: date, end: date) -> list[DueSoon]:
    """Unmet first- and final-reply deadlines of open cases due from `start` to `end` (both
    included), by unit, then day, then case."""
    found = []
    for s in states:
        if s.status == "closed":
            continue
        for kind, deadline in (("first", s.first_reply), ("final", s.final_reply)):
            if deadline.met_on is None and start <= deadline.due <= end:
                found.append(DueSoon(s, kind, deadline.due))
    found.sort(key=lambda d: (d.state.unit or "", d.due, d.state.id, d.kind))
    return found


def awaiting_classification(states: list[CaseState]) -> list[CaseState]:
    """Cases whose category or topics only hold the place (`unclassified`), oldest first."""
    return sorted((s for s in states if s.unclassified), key=lambda s: (s.received_day, s.id))

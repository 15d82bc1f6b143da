"""What a pull request does to the case log: cases opened, events added, deadlines moved.

Compares every case file changed since a base ref with its version there (the same
change set `caselog validate --base` checks) and derives both versions' deadlines.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from .audit import parse_old
from .derive import derive, last_update
from .describe import describe_event
from .errors import LoadError
from .gitread import FileChange, changed_case_files, read_at, resolve_ref
from .i18n import N_, _
from .registry import Registry, load_registry
from .schema import Case, Event, type_case
from .yamlsafe import Document, load_file

ACTIVITIES = {  # what the summary counts, in this order, with its label
    "opened": N_("newly accepted"), "assigned": N_("assigned"), "instructed": N_("leader's instruction"),
    "supervised": N_("supervised"), "replied-interim": N_("interim reply"),
    "replied-final": N_("final reply"), "extended": N_("extended"), "visited": N_("follow-up visit"),
    "closed": N_("closed"), "reopened": N_("reopened"), "corrected": N_("corrected"),
    "deleted": N_("deleted"), "moved": N_("moved"),
}


@dataclass(frozen=True)
class CaseChange:
    """One case changed by the pull request."""

    path: str
    case_id: str
    title: str
    change: str  # opened, updated, deleted or moved
    added: tuple[Event, ...]  # events the change adds
    edited: bool  # earlier content was edited (see audit)
    final_due_before: date | None
    final_due_after: date | None
    final_due_reason: str | None  # why the final-reply deadline is where it is now

    @property
    def deadline_moved(self) -> bool:
        """The final-reply deadline of an existing case moved."""
        return None not in (self.final_due_before, self.final_due_after) and \
            self.final_due_before != self.final_due_after

    @property
    def activities(self) -> list[str]:
        """The ACTIVITIES keys this change counts under."""
        found = [self.change] if self.change in ACTIVITIES else []
        for event in self.added:
            kind = event.type
            if kind == "replied":
                kind += "-final" if event.final else "-interim"
            if kind in ACTIVITIES and kind not in found:
                found.append(kind)
        return found


@dataclass(frozen=True)
class PullSummary:
    """Every case a pull request changes, against `base`."""

    base: str
    changes: tuple[CaseChange, ...]

    def counts(self) -> dict[str, int]:
        """How many cases each activity touches (activities with none are left out)."""
        counts = dict.fromkeys(ACTIVITIES, 0)
        for change in self.changes:
            for activity in change.activities:
                counts[activity] += 1
        return {k: v for k, v in counts.items() if v}


def summarize(root: Path, base: str, registry: Registry | None = None) -> PullSummary:
    """What the working tree changes in the case log compared with `base`."""
    registry = registry or load_registry(root)
    commit = resolve_ref(root, base)
    changes = changed_case_files(root, commit)
    before = read_at(root, commit, [c.old_path for c in changes if c.old_path])
    result = []
    for change in changes:
        old = parse_old(before.get(change.old_path), change.old_path, base) if change.old_path else None
        item = case_change(root, change, old, registry)
        if item is not None:
            result.append(item)
    result.sort(key=lambda c: (c.change != "opened", c.case_id))
    return PullSummary(base, tuple(result))


def case_change(root: Path, change: FileChange, old_doc: Document | None,
                registry: Registry) -> CaseChange | None:
    """Describe one changed file; None if neither version is a usable case."""
    old = type_case(old_doc)[0] if old_doc is not None else None
    new = None
    if change.new_path is not None:
        try:
            new = type_case(load_file(root / change.new_path, change.new_path))[0]
        except LoadError:
            new = None  # `caselog validate` reports it
    shown = new or old
    if shown is None:
        return None
    if change.status == "deleted":
        kind = "deleted"
    elif old is None:
        kind = "opened"
    else:
        kind = "moved" if change.status == "moved" else "updated"
    added, edited = _added_events(old, new)
    due_before, _reason = _final_due(old, registry, new)
    due_after, reason = _final_due(new, registry, old)
    return CaseChange(change.path, shown.id, shown.title, kind, added, edited,
                      due_before, due_after, reason)


def _added_events(old: Case | None, new: Case | None) -> tuple[tuple[Event, ...], bool]:
    """Events in `new` that `old` does not have, and whether any of `old`'s were edited."""
    if new is None:
        return (), False
    was = old.events if old is not None else ()
    added: list[Event] = []
    matched = 0
    for event in new.events:
        if matched < len(was) and event == was[matched]:
            matched += 1
        else:
            added.append(event)
    if matched < len(was):  # published events were edited: what lies past them is new
        return tuple(new.events[len(was):]), True
    return tuple(added), False


def _final_due(case: Case | None, registry: Registry, other: Case | None):
    """The final-reply deadline of `case` once all its events happened, and its last reason."""
    if case is None:
        return None, None
    as_of = max(last_update(case), last_update(other) if other is not None else last_update(case))
    state = derive(case, as_of, registry.rules, registry.calendar)
    if state is None:
        return None, None
    return state.final_reply.due, state.final_reply.steps[-1].reason


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def summary_markdown(summary: PullSummary, registry: Registry) -> str:
    """The summary as Markdown, for a pull request description or a job summary."""
    lines = [_("## Case changes (compared with {base})").format(base=summary.base), ""]
    if not summary.changes:
        return "\n".join([*lines, _("This change touches no case.")]) + "\n"
    counts = _(", ").join(_("{activity} {n}").format(activity=_(ACTIVITIES[k]), n=n)
                          for k, n in summary.counts().items())
    lines += [_("{n} case(s) changed: {counts}.").format(n=len(summary.changes), counts=counts), "",
              "| {} | {} | {} | {} |".format(_("Case"), _("Title"), _("Change"), _("Final reply due")),
              "| --- | --- | --- | --- |"]
    for change in summary.changes:
        what = [_(ACTIVITIES[change.change])] if change.change != "updated" else []
        what += [describe_event(e.__dict__, registry) for e in change.added if e.type != "accepted"]
        if change.edited:
            what.append(_("edited published content"))
        due = change.final_due_after.isoformat() if change.final_due_after else "-"
        lines.append(f"| `{change.case_id}` | {_cell(change.title)} | {_cell(_('; ').join(what))} | {due} |")
    moved = [c for c in summary.changes if c.deadline_moved]
    if moved:
        lines += ["", _("### Deadlines moved"), "",
                  "| {} | {} | {} | {} |".format(_("Case"), _("Final reply due before"),
                                                 _("Final reply due now"), _("Why")),
                  "| --- | --- | --- | --- |"]
        lines += [f"| `{c.case_id}` | {c.final_due_before} | {c.final_due_after} | "
                  f"{_cell(c.final_due_reason or '')} |" for c in moved]
    return "\n".join(lines) + "\n"


def event_json(event: Event) -> dict:
    """An event's set fields as plain JSON values (dates in ISO form)."""
    data = {}
    for name in type(event).model_fields:
        value = getattr(event, name)
        if value is not None:
            data[name] = value.isoformat(sep=" ") if isinstance(value, datetime) else (
                value.isoformat() if isinstance(value, date) else value)
    return data


def summary_json(summary: PullSummary) -> dict:
    """The summary as plain data for tools."""
    def iso(day: date | None) -> str | None:
        return day.isoformat() if day else None

    return {
        "base": summary.base,
        "counts": summary.counts(),
        "cases": [{
            "id": c.case_id, "path": c.path, "title": c.title, "change": c.change,
            "activities": c.activities, "edited": c.edited,
            "events": [event_json(e) for e in c.added],
            "final_reply_due": {"before": iso(c.final_due_before), "after": iso(c.final_due_after),
                                "moved": c.deadline_moved, "reason": c.final_due_reason},
        } for c in summary.changes],
    }

"""What an event did, said in a short phrase of the current language (`交办至县城管执法局`).

Used for the command line's messages and for the subjects of the commits it makes, which
are always in Chinese (`record_subject`): a commit subject is part of the record.
"""

from __future__ import annotations

from datetime import date, datetime

from . import i18n
from .i18n import _
from .registry import Registry
from .site.labels import CATEGORY, METHOD, MODE, OUTCOME, PRIORITY, SATISFACTION, STATUS


def label(table: dict[str, str], key: str | None) -> str:
    """A coded value (outcome, satisfaction, ...) in words; the key itself if it has no label."""
    return _(table[key]) if key in table else (key or "")


def _day(value) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value.isoformat() if isinstance(value, date) else str(value)


def describe_event(fields: dict, registry: Registry) -> str:
    """A short phrase for an event given as its fields (as the YAML holds them)."""
    kind = fields["type"]
    unit = registry.unit_label(fields.get("unit"))
    if kind == "accepted":
        return _("registered and accepted")
    if kind == "assigned":
        phrases = {"assign": _("assigned to {unit}"), "transfer": _("transferred to {unit}"),
                   "self": _("handled by {unit} directly"), "escalate": _("escalated to {unit}")}
        return phrases.get(fields.get("mode") or "assign", phrases["assign"]).format(unit=unit)
    if kind == "instructed":
        return _("instruction from {by}").format(by=fields["by"])
    if kind == "supervised":
        text = _("supervision notice {ref}").format(ref=fields["ref"])
        if fields.get("due"):
            text += _(", to be done by {due}").format(due=_day(fields["due"]))
        return text
    if kind == "replied":
        phrase = _("final reply from {unit}") if fields["final"] else _("interim reply from {unit}")
        return phrase.format(unit=unit)
    if kind == "extended":
        return _("final reply deadline extended by {days} working days (approved by {by})").format(
            days=fields["days"], by=fields["approved_by"])
    if kind == "visited":
        return _("follow-up visit ({method}): {satisfaction}").format(
            method=label(METHOD, fields["method"]), satisfaction=label(SATISFACTION, fields["satisfaction"]))
    if kind == "closed":
        text = _("closed: {outcome}").format(outcome=label(OUTCOME, fields["outcome"]))
        if fields.get("duplicate_of"):
            text += _(" (repeats {id})").format(id=fields["duplicate_of"])
        if fields.get("referred_to"):
            text += _(" (referred to {where})").format(where=fields["referred_to"])
        return text
    if kind == "reopened":
        return _("sent back to be handled again")
    if kind == "corrected":
        return _("correction noted")
    return kind


def record_subject(case_id: str, fields: dict, registry: Registry) -> str:
    """The subject of the commit that records an event: `20261120-7KQ2MD 交办至县城管执法局`."""
    with i18n.speaking("zh"):
        return f"{case_id} {describe_event(fields, registry)}"


__all__ = ["CATEGORY", "MODE", "PRIORITY", "STATUS", "describe_event", "label", "record_subject"]

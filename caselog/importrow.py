"""One row of a platform's export read into a would-be case: cells cleaned, values mapped to
keys, the reply, closing and visit as events, and every defaulted or dropped value noted."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime

from .exportsheet import clean_line, clean_text, parse_moment
from .importmap import Mapping, is_yes
from .intake import NewCase
from .privacy import mask
from .registry import Registry
from .schema import CATEGORIES, OUTCOMES, PRIORITIES, SATISFACTIONS, day_of


def message_digest(message: str) -> str:
    """The digest of a message's text, blind to whitespace: how a repeat of it is recognised."""
    return hashlib.blake2b("".join(message.split()).encode("utf-8"), digest_size=8).hexdigest()


@dataclass
class RowCase:
    """One row read into a would-be case, with what was defaulted or dropped on the way."""

    ref: str
    new: NewCase
    notes: list[str]


class _Row:
    """Reading the cells of one row through the mapping; notes what it defaults or drops."""

    def __init__(self, cells: dict, mapping: Mapping, registry: Registry, names: dict):
        self.cells, self.mapping, self.registry = cells, mapping, registry
        self.notes: list[str] = []
        self._names = names

    def names(self, table: str) -> dict[str, str]:
        """{name or short name: key} of a registry table, so a cell may hold a unit's name."""
        return self._names[table]

    def raw(self, field: str):
        column = getattr(self.mapping.columns, field)
        return self.cells.get(column, "") if column else ""

    def line(self, field: str, required: bool = False) -> str | None:
        value = self.raw(field)
        value = clean_line(value) if isinstance(value, str) else str(value)
        if required and not value:
            raise ValueError(f"{self.mapping.column_of(field)}: is empty")
        return value or None

    def text(self, field: str) -> str | None:
        value = self.raw(field)
        return (clean_text(value) if isinstance(value, str) else str(value)) or None

    def moment(self, field: str) -> date | None:
        value = self.raw(field)
        if isinstance(value, str) and not value.strip():
            return None
        try:
            return parse_moment(value)
        except ValueError as exc:
            raise ValueError(f"{self.mapping.column_of(field)}: {exc}") from None

    def choose(self, field: str, allowed, names=None, many=False):
        """A key (or keys) for a classified field; the fixed value when the cell is empty;
        with `when_unknown: classify`, the fixed value as a placeholder (second item True)."""
        mapping, column = self.mapping, getattr(self.mapping.columns, field)
        cell = self.line(field) or ""
        fixed = getattr(mapping, field)
        classify = mapping.when_unknown == "classify" and field in ("category", "topics")
        if cell:
            try:
                keys = (mapping.keys_for if many else mapping.key_for)(field, cell, allowed, names)
                return keys, False
            except ValueError as exc:
                if not classify:
                    raise ValueError(f"{column}: {exc}") from None
                self.notes.append(f"{column}: unknown value '{cell}': awaiting classification "
                                  f"({field} held by {_shown(fixed)} until then)")
                return fixed, True
        if fixed is None:
            raise ValueError(f"{mapping.column_of(field)}: is empty")
        if not column:  # the export does not say: the mapping's value classifies, or holds the place
            return fixed, classify
        if classify:
            self.notes.append(f"{column}: empty: awaiting classification ({field} held by {_shown(fixed)})")
            return fixed, True
        self.notes.append(f"{column}: empty: {field} {_shown(fixed)} (the mapping's default)")
        return fixed, False

    def optional_key(self, field: str, allowed, what: str, names=None,
                     values: str | None = None) -> str | None:
        """A key from a cell that may be left out (translated by `values`, default the field's
        own table): None, noted with `what` is done instead, if unknown."""
        cell = self.line(field)
        if not cell:
            return None
        try:
            return self.mapping.key_for(values or field, cell, allowed, names)
        except ValueError as exc:
            self.notes.append(f"{self.mapping.column_of(field)}: {exc}: {what}")
            return None


def _shown(value) -> str:
    return ", ".join(value) if isinstance(value, tuple) else str(value)


def registry_names(registry: Registry) -> dict[str, dict[str, str]]:
    """{table: {name or short name: key}} of the units, topics and channels: a cell may hold a name."""
    tables = {}
    for table in ("units", "topics", "channels"):
        names = tables[table] = {}
        for key, entry in getattr(registry, table).items():
            for name in (getattr(entry, "short", None), entry.name):
                if name:
                    names.setdefault(name, key)
    return tables


def row_case(cells: dict, mapping: Mapping, registry: Registry, today: date,
             names: dict | None = None) -> RowCase:
    """One row as a would-be case; raise ValueError('column: reason') when it cannot be one."""
    row = _Row(cells, mapping, registry, names or registry_names(registry))
    source_url = row.line("source_url")
    ref = row.line("source_ref", required=mapping.columns.source_url is None) or source_url
    received = row.moment("received")
    if received is None:
        raise ValueError(f"{mapping.columns.received}: is empty")
    received_day = day_of(received)
    if received_day > today:
        raise ValueError(f"{mapping.columns.received}: {received_day} is in the future")
    real_name = mapping.alias_is_real_name or bool(
        mapping.columns.real_name and is_yes(row.line("real_name") or ""))
    alias = row.line("alias")
    if real_name and alias:
        row.notes.append(f"{mapping.columns.alias}: a real name, not stored (alias {mapping.default_alias})")
    message = row.text("message")
    if not message:
        raise ValueError(f"{mapping.columns.message}: is empty")
    message = mask(message)
    category, category_open = row.choose("category", CATEGORIES)
    topics, topics_open = row.choose("topics", registry.topics, row.names("topics"), many=True)
    channel, _ = row.choose("channel", registry.channels, row.names("channels"))
    accepted_on = received_day if mapping.accepted == "received" else today
    new = NewCase(
        title=mask(row.line("title", required=True)), received=received, channel=channel,
        category=category, topics=tuple(topics), message=message,
        alias=mask(alias) if alias and not real_name else mapping.default_alias,
        accepted_on=accepted_on, real_name=real_name, contact_on_file=mapping.contact_on_file,
        public=mapping.public,
        priority=row.choose("priority", PRIORITIES)[0] if mapping.columns.priority else mapping.priority,
        area=mask(row.line("area") or "") or None, source_url=source_url,
        source_ref=f"{mapping.ref_prefix}{ref}", source_digest=message_digest(message),
        unclassified=tuple(name for name, unknown in (("category", category_open), ("topics", topics_open))
                           if unknown),
        text_format="plain", platform_counts=_counts(row),
        events=tuple(_events(row, received, accepted_on)))
    return RowCase(new.source_ref, new, row.notes)


def _counts(row: _Row) -> tuple[tuple[str, int], ...]:
    counts = []
    for name in ("likes", "dislikes"):
        cell = row.line(name)
        if cell is None:
            continue
        if cell.isascii() and cell.isdigit() and len(cell) < 10:
            counts.append((name, int(cell)))
        else:
            row.notes.append(f"{row.mapping.column_of(name)}: '{cell}' is not a count: dropped")
    return tuple(counts)


def _events(row: _Row, received: date, accepted_on: date) -> list[dict]:
    """The assignment, reply, visit and closing a row records (none if it has no reply)."""
    mapping, registry = row.mapping, row.registry
    reply_text = row.text("reply_text")
    replied = row.moment("reply_time")
    if reply_text and replied is None:
        row.notes.append(f"{mapping.column_of('reply_time')}: empty: the reply is not recorded")
        return []
    if replied is not None and not reply_text:
        row.notes.append(f"{mapping.column_of('reply_text')}: empty: the reply time {_moment(replied)} "
                         "is dropped")
        return []
    if replied is None:
        return []
    if replied < received if type(replied) is type(received) else day_of(replied) < day_of(received):
        raise ValueError(f"{mapping.columns.reply_time}: {_moment(replied)} is before the message was "
                         f"received ({_moment(received)})")
    unit = row.optional_key("reply_unit", registry.units, f"replied as {mapping.reply_unit}"
                            if mapping.reply_unit else "no unit", row.names("units"), values="unit")
    if unit is None and mapping.columns.reply_unit and not row.line("reply_unit") and mapping.reply_unit:
        row.notes.append(f"{mapping.columns.reply_unit}: empty: replied as {mapping.reply_unit}")
    unit = unit or mapping.reply_unit
    if unit is None:
        raise ValueError(f"{mapping.columns.reply_unit}: no unit to record the reply under")
    kind = row.optional_key("reply_final", ("final", "interim"), "taken as "
                            + ("final" if mapping.reply_final else "interim"))
    final = kind == "final" if kind else mapping.reply_final
    events = [{"date": accepted_on, "type": "assigned", "unit": unit, "mode": "assign"},
              {"date": replied, "type": "replied", "unit": unit, "final": final, "text": mask(reply_text)}]
    closed = row.moment("closed") or (replied if final else None)
    outcome = row.optional_key("outcome", OUTCOMES, f"closed as {mapping.close_on_final_reply}"
                               if final and mapping.close_on_final_reply != "no" else "not closed")
    if outcome is None and final and mapping.close_on_final_reply != "no":
        outcome = mapping.close_on_final_reply
    if outcome in ("duplicate", "referred"):  # they name a case or a place the export does not give
        row.notes.append(f"{mapping.column_of('outcome')}: '{outcome}' needs more than the export says: "
                         "not closed")
        outcome = None
    satisfaction = row.optional_key("satisfaction", SATISFACTIONS, "dropped")
    if satisfaction:
        visited = row.moment("visited") or closed or replied
        events.append({"date": visited, "type": "visited", "method": mapping.visit_method,
                       "satisfaction": satisfaction})
    if outcome and closed is not None:
        if day_of(closed) < day_of(replied):
            raise ValueError(f"{mapping.columns.closed}: {_moment(closed)} is before the reply "
                             f"({_moment(replied)})")
        events.append({"date": closed, "type": "closed", "outcome": outcome})
    events.sort(key=lambda e: (day_of(e["date"]), e["type"] == "closed"))  # stable: reply first
    return events


def _moment(value: date) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if isinstance(value, datetime) else str(value)

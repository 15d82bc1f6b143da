"""The typed case and registry models, and the typing of a parsed YAML document into them.

Every scalar arrives as a string (see yamlsafe); the validators here decide what
it means, and each failure becomes a Problem with the field's line.
"""

from __future__ import annotations

import difflib
import re
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, ValidationError
from pydantic_core import PydanticCustomError

from .errors import Problem
from .i18n import _
from .yamlsafe import Document, format_loc

CATEGORIES = ("help", "complaint", "inquiry", "suggestion")
PRIORITIES = ("normal", "urgent")
MODES = ("assign", "transfer", "self", "escalate")
METHODS = ("phone", "in-person", "online")
SATISFACTIONS = ("satisfied", "basically-satisfied", "dissatisfied", "unreachable")
OUTCOMES = ("resolved", "explained", "unfounded", "referred", "duplicate", "withdrawn")
TEXT_FORMATS = ("markdown", "plain")
CLASSIFIABLE = ("category", "topics")  # the fields a case may hold provisionally (`unclassified`)
CONTACT_FIELDS = {"phone", "mobile", "tel", "telephone", "email", "e-mail", "mail", "address",
                  "id_card", "id_number", "idcard", "qq", "wechat", "contact", "plate"}
ID_RE = re.compile(r"^(\d{8})-([0-9A-HJKMNP-TV-Z]{6})$")


def suggest(word: str, choices) -> str:
    """' (did you mean 'x'?)' for a close match, else ''."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return _(" (did you mean '{word}'?)").format(word=close[0]) if close else ""


def unknown(what: str, value: str, table) -> str:
    """"unknown unit 'x' (did you mean 'y'?)" for a unit, channel or topic key not in `table`."""
    messages = {"unit": _("unknown unit '{name}'"), "channel": _("unknown channel '{name}'"),
                "topic": _("unknown topic '{name}'")}
    return messages[what].format(name=value) + suggest(value, table)


def _fail(message: str):
    return PydanticCustomError("caselog", message)


# control characters make feeds ill-formed XML and hide text from readers and checks alike;
# tab, line feed and carriage return are the only ones text may hold
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def _text(value):
    if not isinstance(value, str):
        raise _fail(_("must be text, not a list or mapping"))
    if not value.strip():
        raise _fail(_("must not be empty"))
    control = _CONTROL.search(value)
    if control:
        raise _fail(f"holds the control character U+{ord(control[0]):04X} (remove it)")
    return value


_WEB_ADDRESS = re.compile(r"https?://[^\s/?#]+[^\s]*", re.IGNORECASE)


def web_address_problem(value: str) -> str | None:
    """Why a value is not an http(s) address a page may link to; None if it is one."""
    if not _WEB_ADDRESS.fullmatch(value):
        return (f"must be a web address starting with http:// or https://, not {value!r}"
                if len(value) <= 60 else "must be a web address starting with http:// or https://")
    return None


def _web_address(value):
    value = _text(value)
    problem = web_address_problem(value)
    if problem:
        raise _fail(problem)
    return value


def _bool(value):
    if value in ("true", "True", "TRUE"):
        return True
    if value in ("false", "False", "FALSE"):
        return False
    raise _fail(_("must be true or false, not '{value}'").format(value=value))


def _count(value):
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 5:
        return int(value)
    raise _fail(_("must be a whole number of days, not '{value}'").format(value=value))


def parse_moment(value) -> date:
    """A date (2026-03-02) or a local date-time (2026-03-02 09:14[:05])."""
    if isinstance(value, str):
        text = value.strip()
        try:
            if len(text) == 10:
                return date.fromisoformat(text)
            if 16 <= len(text) <= 19 and text[10] in " T":
                return datetime.fromisoformat(text)
        except ValueError:
            pass
    raise _fail(_("must be a date like 2026-03-02 or 2026-03-02 09:14, not '{value}'").format(value=value))


def _date_only(value) -> date:
    moment = parse_moment(value)
    if isinstance(moment, datetime):
        raise _fail(_("must be a date like 2026-03-20, not '{value}'").format(value=value))
    return moment


def _choice(*allowed):
    def check(value):
        if value in allowed:
            return value
        if not isinstance(value, str):
            raise _fail(_("must be one of {choices}").format(choices=", ".join(allowed)))
        raise _fail(_("unknown value '{value}' (one of {choices})").format(
            value=value, choices=", ".join(allowed)) + suggest(value, allowed))

    return PlainValidator(check)


def _keys(value):
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        raise _fail(_("must be a list of at least one key, like [housing]"))
    for item in value:
        if not isinstance(item, str) or not item:
            raise _fail(_("must be a list of keys"))
    return tuple(value)


def _tally(value):
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 10:
        return int(value)
    raise _fail(f"must be a whole number, not {value!r}")


def _unclassified(value):
    if not isinstance(value, list) or not value:
        raise _fail(f"must be a list of the fields awaiting classification, like [{', '.join(CLASSIFIABLE)}]")
    for item in value:
        if item not in CLASSIFIABLE:
            raise _fail(f"unknown field '{item}' (one of {', '.join(CLASSIFIABLE)})"
                        f"{suggest(str(item), CLASSIFIABLE)}")
    if len(set(value)) != len(value):
        raise _fail("names a field twice")
    return tuple(value)


def _ids(value):
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(_("must be a list of case ids"))
    return tuple(value)


Text = Annotated[str, PlainValidator(_text)]
WebAddress = Annotated[str, PlainValidator(_web_address)]
Flag = Annotated[bool, PlainValidator(_bool)]
Days = Annotated[int, PlainValidator(_count)]
Moment = Annotated[date, PlainValidator(parse_moment)]
Day = Annotated[date, PlainValidator(_date_only)]
Keys = Annotated[tuple[str, ...], PlainValidator(_keys)]
CaseIds = Annotated[tuple[str, ...], PlainValidator(_ids)]
Count = Annotated[int, PlainValidator(_tally)]


class Model(BaseModel):
    """Frozen, strict about unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Author(Model):
    """Who posted the message, as the public may see it."""

    alias: Text
    real_name: Flag = False
    contact_on_file: Flag = False


class PlatformCounts(Model):
    """Counters the source platform showed for the message (点赞数, 反对数), as exported."""

    likes: Count | None = None
    dislikes: Count | None = None


class Event(Model):
    """One step in the handling of a case."""

    date: Moment
    type: str

    @property
    def day(self) -> date:
        """The calendar day of the event."""
        return day_of(self.date)


class Accepted(Event):
    """The office accepted the message (受理)."""

    type: Literal["accepted"] = "accepted"
    note: Text | None = None


class Assigned(Event):
    """The case was given to a unit (交办/转办/自办/呈办)."""

    type: Literal["assigned"] = "assigned"
    unit: Text
    mode: Annotated[str, _choice(*MODES)] = "assign"
    note: Text | None = None


class Instructed(Event):
    """A leader's instruction (领导批示)."""

    type: Literal["instructed"] = "instructed"
    by: Text
    text: Text


class Supervised(Event):
    """A supervision notice (督办通知), optionally setting a new completion date."""

    type: Literal["supervised"] = "supervised"
    ref: Text
    due: Day | None = None
    text: Text | None = None


class Replied(Event):
    """An interim or final reply from a unit."""

    type: Literal["replied"] = "replied"
    unit: Text
    final: Flag
    text: Text


class Extended(Event):
    """An approved extension (延期) of the final-reply deadline by working days."""

    type: Literal["extended"] = "extended"
    approved_by: Text
    reason: Text
    days: Days


class Visited(Event):
    """A follow-up visit (回访) recording the citizen's satisfaction."""

    type: Literal["visited"] = "visited"
    method: Annotated[str, _choice(*METHODS)]
    satisfaction: Annotated[str, _choice(*SATISFACTIONS)]
    note: Text | None = None


class Closed(Event):
    """The case was closed (办结) with an outcome."""

    type: Literal["closed"] = "closed"
    outcome: Annotated[str, _choice(*OUTCOMES)]
    duplicate_of: Text | None = None
    referred_to: Text | None = None
    note: Text | None = None


class Reopened(Event):
    """The case went back to its unit (e.g. after a dissatisfied visit)."""

    type: Literal["reopened"] = "reopened"
    reason: Text


class Corrected(Event):
    """An edit of earlier content, saying what was corrected."""

    type: Literal["corrected"] = "corrected"
    text: Text


EVENT_TYPES: dict[str, type[Event]] = {
    cls.model_fields["type"].default: cls
    for cls in (Accepted, Assigned, Instructed, Supervised, Replied, Extended,
                Visited, Closed, Reopened, Corrected)
}
FREE_TEXT_FIELDS = ("text", "note", "reason")


class Case(Model):
    """One citizen's message and everything done about it."""

    id: Text
    title: Text
    received: Moment
    channel: Text
    source_url: WebAddress | None = None
    source_ref: Text | None = None
    source_digest: Text | None = None
    category: Annotated[str, _choice(*CATEGORIES)]
    topics: Keys
    unclassified: Annotated[tuple[str, ...], PlainValidator(_unclassified)] = ()
    area: Text | None = None
    priority: Annotated[str, _choice(*PRIORITIES)] = "normal"
    author: Author
    public: Flag
    text_format: Annotated[str, _choice(*TEXT_FORMATS)] = "markdown"
    message: Text
    platform_counts: PlatformCounts | None = None
    events: tuple[Event, ...] = Field(default=())
    related: CaseIds = ()

    @property
    def received_day(self) -> date:
        """The calendar day the message was received."""
        return day_of(self.received)


def day_of(moment: date) -> date:
    """The date part of a date or date-time."""
    return moment.date() if isinstance(moment, datetime) else moment


CASE_FIELDS = tuple(Case.model_fields)


def problems_from(error: ValidationError, doc: Document, prefix=(), fields=()) -> list[Problem]:
    """Turn pydantic's errors into Problems with lines and readable messages."""
    problems = []
    for item in error.errors(include_url=False):
        loc = (*prefix, *item["loc"])
        kind = item["type"]
        if kind == "missing":
            message = _("required field is missing")
        elif kind == "extra_forbidden":
            name = str(loc[-1])
            if name.lower() in CONTACT_FIELDS:
                message = _("unknown field '{name}': contact details are never stored in the "
                            "case log (keep them in the office's own records)").format(name=name)
            else:
                message = _("unknown field '{name}'").format(name=name) + suggest(name, fields)
        elif kind == "model_type" or kind == "dict_type":
            message = _("must be a mapping of fields")
        else:
            message = item["msg"]
        problems.append(Problem(doc.path, doc.line_of(loc), format_loc(loc), message))
    return problems


def type_case(doc: Document) -> tuple[Case | None, list[Problem]]:
    """Type a parsed case document; return the case (None if unusable) and its problems."""
    data = doc.data
    if not isinstance(data, dict):
        return None, [Problem(doc.path, 1, "", _("a case file must be a mapping of fields"))]
    problems: list[Problem] = []
    raw_events = data.get("events")
    events: list[Event] = []
    if raw_events is not None and not isinstance(raw_events, list):
        problems.append(Problem(doc.path, doc.line_of(("events",)), "events",
                                _("must be a list of events")))
        raw_events = []
    for index, raw in enumerate(raw_events or ()):
        loc = ("events", index)
        if not isinstance(raw, dict):
            problems.append(Problem(doc.path, doc.line_of(loc), format_loc(loc),
                                    _("an event must be a mapping like {date: ..., type: ...}")))
            continue
        kind = raw.get("type")
        cls = EVENT_TYPES.get(kind) if isinstance(kind, str) else None
        if cls is None:
            where = (*loc, "type")
            message = (_("required field is missing") if kind is None else
                       _("unknown event type '{type}' (one of {choices})").format(
                           type=kind, choices=", ".join(EVENT_TYPES)) + suggest(str(kind), EVENT_TYPES))
            problems.append(Problem(doc.path, doc.line_of(where), format_loc(where), message))
            continue
        try:
            events.append(cls.model_validate(raw))
        except ValidationError as exc:
            problems.extend(problems_from(exc, doc, loc, cls.model_fields))
    header = {k: v for k, v in data.items() if k != "events"}
    try:
        case = Case.model_validate(header)
    except ValidationError as exc:
        problems.extend(problems_from(exc, doc, (), CASE_FIELDS))
        return None, problems
    if problems:
        return None, problems
    return case.model_copy(update={"events": tuple(events)}), problems


def case_data(case: Case) -> tuple:
    """A typed case as plain values (dicts, tuples, dates), quick to pickle and to rebuild."""
    header = {k: v for k, v in case.__dict__.items() if k not in ("author", "events")}
    author = case.author
    events = tuple((e.type, e.__dict__, e.__pydantic_fields_set__) for e in case.events)
    return (header, case.__pydantic_fields_set__, author.__dict__, author.__pydantic_fields_set__, events)


def _restore(cls, values: dict, fields_set):
    # the pickle protocol's own way back in: values were validated when the case was typed
    model = cls.__new__(cls)
    model.__setstate__({"__dict__": values, "__pydantic_fields_set__": fields_set,
                        "__pydantic_extra__": None, "__pydantic_private__": None})
    return model


def case_from_data(data: tuple) -> Case:
    """The Case that `case_data` turned into plain values (no validation: they were valid)."""
    header, fields_set, author, author_set, events = data
    values = dict(header)
    values["author"] = _restore(Author, author, author_set)
    values["events"] = tuple(_restore(EVENT_TYPES[kind], fields, given) for kind, fields, given in events)
    return _restore(Case, values, fields_set)

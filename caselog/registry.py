"""The registry: responsible units, channels, topics and the handling rules."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import PlainValidator, ValidationError
from pydantic_core import PydanticCustomError

from .errors import CaselogError, InvalidCase, LoadError, Problem
from .i18n import _
from .privacy import KINDS, digits_of, find_personal_data
from .schema import Day, Days, Model, Text, WebAddress, _choice, problems_from, suggest
from .workdays import CalendarError, WorkCalendar
from .yamlsafe import MAX_REGISTRY_BYTES, Document, load_file

KEY_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")  # keys name output folders: nothing else may pass
_MARKUP = re.compile(r"[<>&\"'`]")
UNIT_KINDS = ("government", "bureau", "township", "agency", "enterprise")


class Unit(Model):
    """A responsible unit (承办单位)."""

    key: str
    name: Text
    short: Text | None = None
    kind: Annotated[str, _choice(*UNIT_KINDS)] = "bureau"

    @property
    def label(self) -> str:
        """The short name if there is one."""
        return self.short or self.name


class Channel(Model):
    """Where messages come from (留言渠道)."""

    key: str
    name: Text
    url: WebAddress | None = None


class Topic(Model):
    """A field of government work (领域)."""

    key: str
    name: Text


class Limit(Model):
    """Working days allowed for the first and the final reply."""

    first_reply: Days
    final_reply: Days


class Limits(Model):
    """Time limits per priority."""

    normal: Limit
    urgent: Limit


@cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def _timezone(value):
    if not isinstance(value, str) or not value.strip():
        raise PydanticCustomError("caselog", "must be a time zone name like Asia/Shanghai")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        hint = suggest(value, _zone_names())
        raise PydanticCustomError("caselog", f"unknown time zone '{value}'{hint or ' (like Asia/Shanghai)'}"
                                  ) from None
    return value


def _days_list(value):
    if value is None:
        return ()
    if not isinstance(value, list):
        raise PydanticCustomError("caselog", _("must be a list of dates like [2026-05-06]"))
    return tuple(value)


def _numbers(value):
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        raise PydanticCustomError("caselog", "must be a list of phone numbers like ['0730-8223456']")
    for item in value:
        if not 5 <= len(digits_of(item)) <= 13:
            raise PydanticCustomError("caselog", f"'{item}' is not a phone number")
    return tuple(value)


class Rules(Model):
    """The office's handling rules (rules.yaml)."""

    timezone: Annotated[str, PlainValidator(_timezone)] = "Asia/Shanghai"
    calendar: Annotated[str, _choice("CN")] = "CN"
    calendar_confirmed_through: Days
    extra_holidays: Annotated[tuple[Day, ...], PlainValidator(_days_list)] = ()
    extra_workdays: Annotated[tuple[Day, ...], PlainValidator(_days_list)] = ()
    limits: Limits
    warning_days: Days = 3
    severe_after_days: Days = 10
    min_cases_for_ranking: Days = 10
    # the office's own published numbers (service lines printed in replies): not personal data
    public_numbers: Annotated[tuple[Text, ...], PlainValidator(_numbers)] = ()

    def limit(self, priority: str) -> Limit:
        """The limits that apply to a priority."""
        return self.limits.urgent if priority == "urgent" else self.limits.normal

    def today(self) -> date:
        """Today in the site's time zone."""
        return datetime.now(ZoneInfo(self.timezone)).date()


class UnknownName(CaselogError):
    """No unit, channel or topic goes by that key or name."""


def _names(entry) -> tuple[str, ...]:
    """What staff may call a registry entry: its key, full name and short name."""
    return tuple(n for n in (entry.key, entry.name, getattr(entry, "short", None)) if n)


def find_key(table: dict, text: str, what: str) -> str:
    """The key of the entry in `table` whose key, full name or short name is `text`.

    `what` names the table in messages ("unit", "channel", "topic"); an unknown name
    raises UnknownName with the closest names, keys and short names as suggestions."""
    wanted = text.strip()
    for key, entry in table.items():
        if wanted in _names(entry) or wanted.lower() == key:
            return key
    every = {name: entry for entry in table.values() for name in _names(entry)}
    ratios = {name: difflib.SequenceMatcher(None, wanted, name).ratio() for name in every}
    best = max(ratios.values(), default=0)
    # the closest names, and others nearly as close (交通局: 县交通局 and 县交通运输局)
    close = sorted((n for n, r in ratios.items() if r >= max(0.5, best - 0.1)), key=lambda n: -ratios[n])[:3]
    seen, shown = set(), []
    for name in close:  # shown as the name that came close (a key by the entry's label)
        entry = every[name]
        if entry.key not in seen:
            seen.add(entry.key)
            shown.append(getattr(entry, "label", entry.name) if name == entry.key else name)
    messages = {"unit": _("unknown unit '{name}'"), "channel": _("unknown channel '{name}'"),
                "topic": _("unknown topic '{name}'")}
    message = messages[what].format(name=wanted)
    if shown:
        message += _(" (did you mean {names}?)").format(names=_(" or ").join(shown))
    raise UnknownName(message)


@dataclass(frozen=True)
class Registry:
    """Everything in cases/registry/, loaded and checked."""

    units: dict[str, Unit]
    channels: dict[str, Channel]
    topics: dict[str, Topic]
    rules: Rules
    calendar: WorkCalendar
    # digits of rules.public_numbers (see privacy.digits_of): what the detector lets pass
    public_numbers: frozenset[str] = field(default=frozenset())

    def unit_key(self, text: str) -> str:
        """The key of the unit called `text` (key, full or short name)."""
        return find_key(self.units, text, "unit")

    def channel_key(self, text: str) -> str:
        """The key of the channel called `text` (key or name)."""
        return find_key(self.channels, text, "channel")

    def topic_key(self, text: str) -> str:
        """The key of the topic called `text` (key or name)."""
        return find_key(self.topics, text, "topic")

    def unit_label(self, key: str | None) -> str:
        """A unit's short (or full) name; the key itself if the registry has no such unit."""
        unit = self.units.get(key) if key else None
        return unit.label if unit else (key or "")

    def channel_label(self, key: str) -> str:
        """A channel's name, or the key itself."""
        channel = self.channels.get(key)
        return channel.name if channel else key

    def topic_label(self, key: str) -> str:
        """A topic's name, or the key itself."""
        topic = self.topics.get(key)
        return topic.name if topic else key


def _load_table(path: Path, display: str, cls, problems: list[Problem]) -> dict:
    try:
        doc = load_file(path, display, MAX_REGISTRY_BYTES)
    except LoadError as exc:
        problems.append(exc.problem)
        return {}
    if not isinstance(doc.data, dict):
        problems.append(Problem(display, 1, "", _("must be a mapping of key: {name: ...}")))
        return {}
    table = {}
    for key, fields in doc.data.items():
        if not KEY_RE.match(key):
            problems.append(Problem(display, doc.line_of((key,)), key,
                                    f"key '{key}' must be lower-case letters, digits and dashes, "
                                    "starting with a letter or digit (like yueyanglou-housing)"))
            continue
        if not isinstance(fields, dict):
            problems.append(Problem(display, doc.line_of((key,)), key,
                                    _("must be a mapping like {name: ...}")))
            continue
        try:
            table[key] = cls.model_validate({**fields, "key": key})
        except ValidationError as exc:
            problems.extend(problems_from(exc, doc, (key,), cls.model_fields))
            continue
        problems.extend(_name_problems(doc, display, key, table[key]))
    return table


def _name_problems(doc: Document, display: str, key: str, entry) -> list[Problem]:
    """Registry names are shown on every page: no markup characters, no personal data."""
    problems = []
    for name in ("name", "short", "url"):
        value = entry.__dict__.get(name)
        if not value:
            continue
        loc = (key, name)
        if name != "url" and _MARKUP.search(value):
            problems.append(Problem(display, doc.line_of(loc), f"{key}.{name}",
                                    f"'{value}' holds {_MARKUP.search(value)[0]!r}: names are plain text"))
        for finding in find_personal_data(value):
            problems.append(Problem(display, doc.line_of(loc), f"{key}.{name}",
                                    f"unmasked {KINDS[finding.kind]} ({finding.kind}) '{finding.text}'"))
    return problems


def _load_rules(path: Path, display: str, problems: list[Problem]) -> Rules | None:
    try:
        doc: Document = load_file(path, display, MAX_REGISTRY_BYTES)
    except LoadError as exc:
        problems.append(exc.problem)
        return None
    if not isinstance(doc.data, dict):
        problems.append(Problem(display, 1, "", _("must be a mapping of settings")))
        return None
    try:
        return Rules.model_validate(doc.data)
    except ValidationError as exc:
        problems.extend(problems_from(exc, doc, (), Rules.model_fields))
        return None


def load_registry(root: Path) -> Registry:
    """Load cases/registry/ under the repository root; raise InvalidCase listing every problem."""
    base = root / "cases" / "registry"
    problems: list[Problem] = []
    tables = {}
    for name, cls in (("units", Unit), ("channels", Channel), ("topics", Topic)):
        path = base / f"{name}.yaml"
        display = f"cases/registry/{name}.yaml"
        if not path.is_file():
            problems.append(Problem(display, 0, "", _("file is missing")))
            tables[name] = {}
            continue
        tables[name] = _load_table(path, display, cls, problems)
    rules_path = base / "rules.yaml"
    rules = None
    if rules_path.is_file():
        rules = _load_rules(rules_path, "cases/registry/rules.yaml", problems)
    else:
        problems.append(Problem("cases/registry/rules.yaml", 0, "", _("file is missing")))
    calendar = None
    if rules is not None:
        try:
            calendar = WorkCalendar(confirmed_through=rules.calendar_confirmed_through,
                                    extra_holidays=rules.extra_holidays,
                                    extra_workdays=rules.extra_workdays)
        except CalendarError as exc:
            message = str(exc)
            # the messages start with the setting they are about
            settings = ("extra_workdays", "calendar_confirmed_through")
            name = next((n for n in settings if message.startswith(n)), "extra_holidays")
            problems.append(Problem("cases/registry/rules.yaml", 0, name, message))
    if problems:
        raise InvalidCase(problems)
    public = frozenset(digits_of(number) for number in rules.public_numbers)
    return Registry(tables["units"], tables["channels"], tables["topics"], rules, calendar, public)


"""The column mapping of an import: which export column holds which case field, and how cell
values become registry keys (see docs/import-mapping.example.yaml)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import Field, PlainValidator, ValidationError
from pydantic_core import PydanticCustomError

from .errors import InvalidCase, LoadError, Problem
from .registry import Registry
from .schema import (
    CATEGORIES,
    METHODS,
    OUTCOMES,
    PRIORITIES,
    SATISFACTIONS,
    Days,
    Flag,
    Keys,
    Model,
    Text,
    _choice,
    problems_from,
    suggest,
)
from .yamlsafe import Document, load_file

SEPARATORS = re.compile(r"[、,，;；/|\s]+")
YES = frozenset({"是", "实名", "y", "yes", "true", "1", "√"})
REPLY_KINDS = ("final", "interim")
# fields whose cell values a mapping may translate, and what they may become
VALUE_FIELDS = ("category", "topics", "channel", "priority", "unit", "reply_final", "outcome",
                "satisfaction")


class Columns(Model):
    """Export column names per case field (only title, received and message are required)."""

    source_ref: Text | None = None
    title: Text
    received: Text
    message: Text
    alias: Text | None = None
    real_name: Text | None = None
    category: Text | None = None
    topics: Text | None = None
    channel: Text | None = None
    area: Text | None = None
    source_url: Text | None = None
    priority: Text | None = None
    reply_text: Text | None = None
    reply_time: Text | None = None
    reply_unit: Text | None = None
    reply_final: Text | None = None
    outcome: Text | None = None
    closed: Text | None = None
    satisfaction: Text | None = None
    visited: Text | None = None
    likes: Text | None = None
    dislikes: Text | None = None


def _value_maps(value):
    if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
        raise PydanticCustomError("caselog", "must map a field to {cell value: key, ...}")
    for field, table in value.items():
        if field not in VALUE_FIELDS:
            raise PydanticCustomError("caselog", f"no value map for '{field}' ({', '.join(VALUE_FIELDS)})"
                                                 f"{suggest(str(field), VALUE_FIELDS)}")
        for cell, key in table.items():
            many = field == "topics" and isinstance(key, list) and key
            if not isinstance(cell, str) or not (isinstance(key, str) or many) or (
                    many and not all(isinstance(k, str) for k in key)):
                raise PydanticCustomError("caselog", f"{field}: values must be plain text"
                                                     + (" or a list of topics" if field == "topics" else ""))
    return {field: {cell: tuple(key) if isinstance(key, list) else key for cell, key in table.items()}
            for field, table in value.items()}


class Mapping(Model):
    """How the rows of an export become cases."""

    columns: Columns
    sheet: Text | None = None
    header_row: Days = 1
    encoding: Text = "auto"
    channel: Text | None = None
    category: Annotated[str, _choice(*CATEGORIES)] | None = None
    topics: Keys | None = None
    when_unknown: Annotated[str, _choice("error", "classify")] = "error"
    priority: Annotated[str, _choice(*PRIORITIES)] = "normal"
    alias_is_real_name: Flag = False
    default_alias: Text = "网民"
    contact_on_file: Flag = False
    public: Flag = True
    accepted: Annotated[str, _choice("received", "today")] = "received"
    ref_prefix: str = ""
    reply_unit: Text | None = None
    reply_final: Flag = True
    close_on_final_reply: Annotated[str, _choice("resolved", "explained", "no")] = "explained"
    visit_method: Annotated[str, _choice(*METHODS)] = "online"
    values: Annotated[dict, PlainValidator(_value_maps)] = Field(default_factory=dict)

    def column_of(self, field: str) -> str:
        """The export column that holds a case field (the field's name if none does)."""
        return getattr(self.columns, field, None) or field

    def key_for(self, field: str, cell: str, allowed, names: dict | None = None) -> str:
        """The key a cell value stands for (a value of `values`, a key, or an entry's name in
        `names`); raise ValueError if none."""
        table = self.values.get(field, {})
        value = cell.strip()
        if value in table:
            return table[value]
        if value in allowed:
            return value
        if names and value in names:
            return names[value]
        raise ValueError(_unknown(value, tuple(table) or tuple(allowed)))

    def keys_for(self, field: str, cell: str, allowed, names: dict | None = None) -> tuple[str, ...]:
        """Several keys in one cell, separated by 、 , ; / or spaces; a value of `values` may
        stand for several keys (劳动和社会保障: [labour, social-security])."""
        table = self.values.get(field, {})
        value = cell.strip()
        parts = [value] if value in table else [part for part in SEPARATORS.split(value) if part]
        if not parts:
            msg = "is empty"
            raise ValueError(msg)
        keys: list[str] = []
        for part in parts:
            found = self.key_for(field, part, allowed, names)
            keys += [found] if isinstance(found, str) else list(found)
        return tuple(dict.fromkeys(keys))


@lru_cache(maxsize=256)
def _unknown(value: str, expected: tuple[str, ...]) -> str:
    # an export repeats its unknown values thousands of times: the close match is looked for once
    return f"unknown value '{value}' (one of {', '.join(expected)}){suggest(value, expected)}"


def _check_targets(mapping: Mapping, doc: Document, registry: Registry) -> list[Problem]:
    """Problems with what the mapping points at: registry keys, required choices."""
    problems = []

    def add(loc, message):
        problems.append(Problem(doc.path, doc.line_of(loc), ".".join(map(str, loc)), message))

    targets = {"category": CATEGORIES, "topics": registry.topics, "channel": registry.channels,
               "priority": PRIORITIES, "unit": registry.units, "reply_final": REPLY_KINDS,
               "outcome": OUTCOMES, "satisfaction": SATISFACTIONS}
    for field, table in mapping.values.items():
        for cell, target in table.items():
            for key in (target,) if isinstance(target, str) else target:
                if key not in targets[field]:
                    add(("values", field, cell), f"unknown {field} '{key}'{suggest(key, targets[field])}")
    if mapping.channel and mapping.channel not in registry.channels:
        add(("channel",), f"unknown channel '{mapping.channel}'{suggest(mapping.channel, registry.channels)}")
    if mapping.reply_unit and mapping.reply_unit not in registry.units:
        unit = mapping.reply_unit
        add(("reply_unit",), f"unknown unit '{unit}'{suggest(unit, registry.units)}")
    for index, topic in enumerate(mapping.topics or ()):
        if topic not in registry.topics:
            add(("topics", index), f"unknown topic '{topic}'{suggest(topic, registry.topics)}")
    for field in ("channel", "category", "topics"):
        if getattr(mapping, field) is not None:
            continue
        if getattr(mapping.columns, field) is None:
            add(("columns",), f"no {field}: name a column (columns.{field}) or give a fixed {field}")
        elif field != "channel" and mapping.when_unknown == "classify":
            add(("when_unknown",), f"classify needs a {field} to hold the place of an unknown one "
                                   f"(give a fixed {field})")
    if mapping.columns.source_ref is None and mapping.columns.source_url is None:
        add(("columns",), "no source_ref or source_url column: without one, re-running an import "
                          "would create every case again")
    if mapping.columns.reply_text and not mapping.columns.reply_time:
        add(("columns",), "reply_text needs a reply_time column: a reply is recorded with its date")
    if mapping.columns.reply_text and not (mapping.columns.reply_unit or mapping.reply_unit):
        add(("columns",), "reply_text needs a reply_unit column or a fixed reply_unit "
                          "(the unit that replied)")
    return problems


def load_mapping(path: Path, registry: Registry) -> Mapping:
    """Read and check a mapping file; raise InvalidCase listing every problem (file:line: field)."""
    try:
        doc = load_file(path, str(path))
    except LoadError as exc:
        raise InvalidCase([exc.problem]) from None
    if not isinstance(doc.data, dict):
        raise InvalidCase([Problem(doc.path, 1, "", "a mapping file is a mapping of settings")])
    try:
        mapping = Mapping.model_validate(doc.data)
    except ValidationError as exc:
        raise InvalidCase(problems_from(exc, doc, (), Mapping.model_fields)) from None
    problems = _check_targets(mapping, doc, registry)
    if problems:
        raise InvalidCase(problems)
    return mapping


def is_yes(cell: str) -> bool:
    """Whether a cell says yes (是, 实名, yes, true, 1 ...)."""
    return cell.strip().lower() in YES

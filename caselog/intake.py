"""Registering a new message: a fresh random id and a new case file."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from .edit import ENTRY_ADVICE, render_event, scalar
from .errors import RepositoryError
from .registry import Registry
from .repository import LoadedCase
from .schema import day_of
from .store import write_case

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_id(received: date, exists: Callable[[str], bool], rng=secrets) -> str:
    """A random id for a case received on `received` that `exists` does not know."""
    for _ in range(100):
        suffix = "".join(rng.choice(CROCKFORD) for _ in range(6))
        case_id = f"{day_of(received):%Y%m%d}-{suffix}"
        if not exists(case_id):
            return case_id
    msg = "could not find a free case id in 100 tries"  # 1 in 10^9 per try at 1,000 cases a day
    raise RepositoryError(msg)


@dataclass(frozen=True)
class NewCase:
    """What staff enter to register a message."""

    title: str
    received: date
    channel: str
    category: str
    topics: tuple[str, ...]
    message: str
    alias: str
    accepted_on: date
    real_name: bool = False
    contact_on_file: bool = False
    public: bool = True
    priority: str = "normal"
    area: str | None = None
    source_url: str | None = None
    source_ref: str | None = None
    related: tuple[str, ...] = ()
    source_digest: str | None = None
    unclassified: tuple[str, ...] = ()  # fields whose value only holds the place (category, topics)
    text_format: str = "markdown"
    platform_counts: tuple[tuple[str, int], ...] = ()  # (likes, 12), (dislikes, 3)
    events: tuple[dict, ...] = ()  # what happened after the acceptance (an import's replies)


def render_case(new: NewCase, case_id: str) -> str:
    """The YAML text of a new case file, in the contract's field order."""
    received = (new.received.strftime("%Y-%m-%d %H:%M") if isinstance(new.received, datetime)
                else str(new.received))
    out = [f"id: {case_id}", f"title: {scalar(new.title, 2)}", f"received: {received}",
           f"channel: {new.channel}"]
    if new.source_url:
        out.append(f"source_url: {scalar(new.source_url, 2)}")
    if new.source_ref:
        out.append(f"source_ref: {scalar(new.source_ref, 2)}")
    if new.source_digest:
        out.append(f"source_digest: {new.source_digest}")
    out += [f"category: {new.category}", f"topics: [{', '.join(new.topics)}]"]
    if new.unclassified:
        out.append(f"unclassified: [{', '.join(new.unclassified)}]")
    if new.area:
        out.append(f"area: {scalar(new.area, 2)}")
    out += [f"priority: {new.priority}", "author:", f"  alias: {scalar(new.alias, 4)}",
            f"  real_name: {scalar(new.real_name, 0)}",
            f"  contact_on_file: {scalar(new.contact_on_file, 0)}",
            f"public: {scalar(new.public, 0)}"]
    if new.text_format != "markdown":
        out.append(f"text_format: {new.text_format}")
    message = new.message if new.message.endswith("\n") else new.message + "\n"
    out.append(f"message: {scalar(message, 2)}")
    if new.platform_counts:
        out.append(f"platform_counts: {{{', '.join(f'{k}: {v}' for k, v in new.platform_counts)}}}")
    if new.related:
        out.append(f"related: [{', '.join(new.related)}]")
    out.append("events:")
    events = [{"date": new.accepted_on, "type": "accepted"}, *new.events]
    return "\n".join(out) + "\n" + "".join(render_event(event) for event in events)


def create_case(root: Path, new: NewCase, registry: Registry, rng=secrets, *, today: date,
                advice: str = ENTRY_ADVICE) -> LoadedCase:
    """Write a new, valid case file under cases/YYYY/MM/ and return it."""
    day = day_of(new.received)
    folder = root / "cases" / f"{day:%Y}" / f"{day:%m}"
    case_id = new_id(day, lambda cid: os.path.lexists(folder / f"{cid}.yaml"), rng)
    rel = f"cases/{day:%Y}/{day:%m}/{case_id}.yaml"
    return write_case(root, rel, lambda _old: render_case(new, case_id), registry, today=today,
                      create=True, advice=advice)

"""`caselog new`: register a message as a new case."""

from __future__ import annotations

import re
from datetime import datetime

import click

from ..describe import CATEGORY, PRIORITY, label, record_subject
from ..edit import mask_entered
from ..errors import InvalidCase
from ..gitops import commit_paths
from ..i18n import _
from ..intake import NewCase, create_case
from ..schema import CATEGORIES
from . import base
from .base import DateType, LabelledChoice, ask_text, main_group, pass_env, read_text_option

# the categories a clerk chooses from (not the importer's placeholder, 待分类)
CHOSEN_CATEGORY = {key: CATEGORY[key] for key in CATEGORIES}
PROMPTED = ("title", "channel", "category", "topics", "message", "alias")
# the options that set each field of a new case file, for problems with what was typed
OPTION_OF = {"title": "--title", "channel": "--channel", "category": "--category", "topics": "--topic",
             "message": "--message", "author.alias": "--alias", "received": "--received",
             "events[0].date": "--accepted", "priority": "--priority", "area": "--area",
             "source_url": "--source-url", "related": "--related", "public": "--public"}


def _option_of(field: str) -> str:
    for name, option in OPTION_OF.items():
        if field == name or field.startswith((name + ".", name + "[")):
            return option
    return field


def _split_keys(values) -> tuple[str, ...]:
    return tuple(k.strip() for v in values for k in re.split(r"[,，、]", v) if k.strip())


@main_group.command("new")
@click.option("--title", help="The message's title.")
@click.option("--channel", help="Where it was posted: the channel's name or key.")
@click.option("--category", type=LabelledChoice(CHOSEN_CATEGORY),
              help="help 求助, complaint 投诉, inquiry 咨询, suggestion 建议.")
@click.option("--topic", "topics", multiple=True,
              help="A topic's name or key (repeat, or separate with commas).")
@click.option("--message", help="The message text (Markdown).")
@click.option("--message-file", type=click.File("r", encoding="utf-8"),
              help="Read the message from a file ('-' for stdin).")
@click.option("--received", type=DateType(allow_time=True),
              help="When it was posted, e.g. '2026-03-02 09:14' (default: now).")
@click.option("--accepted", type=DateType(), help="Day the office accepted it (default: today).")
@click.option("--priority", type=LabelledChoice(PRIORITY), default=None,
              help="normal 一般 (the default) or urgent 紧急.")
@click.option("--alias", help="The author's public display name (never a real name).")
@click.option("--real-name/--anonymous", default=None, help="Was the message signed with a real name?")
@click.option("--contact-on-file/--no-contact-on-file", default=None,
              help="Are contact details held in the office's own records?")
@click.option("--public/--private", default=True, show_default=True,
              help="May the case be published once closed?")
@click.option("--area", help="Place, free text (e.g. 青溪镇建设街).")
@click.option("--source-url", help="Address of the original post.")
@click.option("--related", multiple=True, help="Id of a related case (repeatable).")
@click.option("--mask", "mask_on_entry", is_flag=True,
              help="Mask personal data (phone, ID, card numbers...) in the title, message, alias and "
                   "area as they are entered.")
@click.option("--no-similar", is_flag=True, help="Do not look for possible repeats.")
@click.option("--commit", is_flag=True, help="Commit the new case file to Git.")
@pass_env
def new(env, message, message_file, topics, priority, real_name, contact_on_file, related,
        mask_on_entry, no_similar, commit, **fields):
    """Register a new message; writes cases/YYYY/MM/<id>.yaml with an accepted event."""
    registry = env.registry
    values = dict(fields)
    values["message"] = read_text_option(message, message_file, "message")
    values["topics"] = _split_keys(topics)
    if values["channel"]:
        values["channel"] = registry.channel_key(values["channel"])
    values["topics"] = tuple(registry.topic_key(t) for t in values["topics"])
    missing = [name for name in PROMPTED if not values.get(name)]
    at_terminal = base.interactive()
    if missing and not at_terminal:
        flags = ", ".join("--topic" if m == "topics" else f"--{m}" for m in missing)
        message = _("missing {options} (or run in a terminal to be asked)")
        raise click.UsageError(message.format(options=flags))
    for name in missing:
        values[name] = _ask(name, registry)
    if at_terminal and priority is None:
        priority = _ask_choice(_("Priority"), PRIORITY, "normal")
    if at_terminal and real_name is None:
        real_name = click.confirm(_("Signed with a real name?"), default=False, prompt_suffix=_suffix())
    if at_terminal and contact_on_file is None:
        contact_on_file = click.confirm(_("Contact details held in the office's records?"), default=False,
                                        prompt_suffix=_suffix())
    if mask_on_entry:
        for name in ("title", "message", "alias", "area"):
            if values.get(name):
                values[name], found = mask_entered(values[name], registry.public_numbers)
                for what in found:
                    click.echo(_("masked {what} in --{option}").format(what=what, option=name), err=True)
    case = NewCase(
        title=values["title"].strip(), received=values["received"] or env.now(),
        channel=values["channel"], category=values["category"], topics=values["topics"],
        message=values["message"], alias=values["alias"].strip(),
        accepted_on=values["accepted"] or env.today(), real_name=bool(real_name),
        contact_on_file=bool(contact_on_file), public=values["public"],
        priority=priority or "normal", area=values["area"], source_url=values["source_url"],
        related=tuple(related))
    if isinstance(case.received, datetime) and case.received.date() > case.accepted_on:
        raise click.UsageError(_("--received is after --accepted"))
    try:
        loaded = create_case(env.root, case, registry, today=env.today())
    except InvalidCase as exc:
        raise exc.__class__([p.__class__("", 0, _option_of(p.field), p.message, p.severity)
                             for p in exc.problems]) from None
    case_id = loaded.case.id
    click.echo(_("registered {id} {title} in {path}").format(id=case_id, title=loaded.case.title,
                                                          path=loaded.path))
    if commit:
        subject = record_subject(case_id, {"type": "accepted"}, registry)
        short = commit_paths(env.root, [loaded.path], subject, {"Case-Id": case_id, "Event": "accepted"})
        click.echo(_("committed {short}").format(short=short))
    if not no_similar:
        _warn_repeats(env, loaded.case)


def _suffix() -> str:
    return _(": ")


def _ask_choice(prompt: str, labels: dict[str, str], default: str | None = None) -> str:
    """One of `labels`' keys, chosen by number, key or label."""
    keys = list(labels)
    for number, key in enumerate(keys, 1):
        click.echo(f"  {number}. {label(labels, key)} ({key})")
    answers = {str(n): k for n, k in enumerate(keys, 1)} | {k: k for k in keys} \
        | {label(labels, k): k for k in keys}
    while True:
        answer = click.prompt(prompt, default=str(keys.index(default) + 1) if default else None,
                              prompt_suffix=_suffix())
        if answer.strip() in answers:
            return answers[answer.strip()]
        click.echo(_("please give a number from 1 to {n}").format(n=len(keys)), err=True)


def _ask_name(prompt: str, find):
    """A registry name the clerk types, asked again until it is known."""
    from ..registry import UnknownName

    while True:
        try:
            return find(click.prompt(prompt, prompt_suffix=_suffix()))
        except UnknownName as exc:
            click.echo(str(exc), err=True)


def _ask(name: str, registry):
    if name == "channel":
        click.echo(_("Channels: {names}").format(names="、".join(c.name for c in registry.channels.values())))
        return _ask_name(_("Channel"), registry.channel_key)
    if name == "topics":
        click.echo(_("Topics: {names}").format(names="、".join(t.name for t in registry.topics.values())))
        return tuple(_ask_name(_("Topics (separate with commas)"),
                               lambda text: tuple(registry.topic_key(t) for t in _split_keys([text]))))
    if name == "category":
        return _ask_choice(_("Category"), CHOSEN_CATEGORY)
    if name == "message":
        return ask_text(_("message text"))
    prompts = {"title": _("Title"), "alias": _("Author's public display name (never a real name)")}
    return click.prompt(prompts[name], prompt_suffix=_suffix())


def _warn_repeats(env, case) -> None:
    """Point out earlier cases this one may repeat (staff search index, if built)."""
    try:
        from ..search.similar import possible_repeats
    except ImportError:  # pragma: no cover - the search package ships with caselog
        return
    for hit in possible_repeats(env.root, case):
        click.echo(_("warning: possible repeat of {id} {title} (shared terms: {terms})").format(
            id=hit.id, title=hit.title, terms="、".join(hit.terms)), err=True)

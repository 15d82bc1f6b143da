"""`caselog new`: register a message as a new case."""

from __future__ import annotations

import sys
from datetime import datetime

import click

from ..edit import mask_entered
from ..gitops import commit_paths
from ..intake import NewCase, create_case
from ..schema import CATEGORIES, PRIORITIES
from .base import DateType, main_group, pass_env, read_text_option

PROMPTED = ("title", "channel", "category", "topics", "message", "alias")


def _interactive() -> bool:
    return sys.stdin.isatty()


def _split_keys(values) -> tuple[str, ...]:
    return tuple(k.strip() for v in values for k in v.split(",") if k.strip())


@main_group.command("new")
@click.option("--title", help="The message's title.")
@click.option("--channel", help="Channel key from registry/channels.yaml.")
@click.option("--category", type=click.Choice(CATEGORIES))
@click.option("--topic", "topics", multiple=True, help="Topic key (repeat, or comma-separated).")
@click.option("--message", help="The message text (Markdown).")
@click.option("--message-file", type=click.File("r", encoding="utf-8"),
              help="Read the message from a file ('-' for stdin).")
@click.option("--received", type=DateType(allow_time=True),
              help="When it was posted, e.g. '2026-03-02 09:14' (default: now).")
@click.option("--accepted", type=DateType(), help="Day the office accepted it (default: today).")
@click.option("--priority", type=click.Choice(PRIORITIES), default=None)
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
    missing = [name for name in PROMPTED if not values.get(name)]
    interactive = _interactive()
    if missing and not interactive:
        flags = ", ".join("--topic" if m == "topics" else f"--{m}" for m in missing)
        raise click.UsageError(f"missing {flags} (or run in a terminal to be asked)")
    for name in missing:
        values[name] = _ask(name, registry)
    if interactive and priority is None:
        priority = click.prompt("Priority", type=click.Choice(PRIORITIES), default="normal")
    if interactive and real_name is None:
        real_name = click.confirm("Signed with a real name?", default=False)
    if interactive and contact_on_file is None:
        contact_on_file = click.confirm("Contact details held on file?", default=False)
    if mask_on_entry:
        for name in ("title", "message", "alias", "area"):
            if values.get(name):
                values[name], found = mask_entered(values[name])
                for what in found:
                    click.echo(f"masked {what} in --{name}", err=True)
    case = NewCase(
        title=values["title"].strip(), received=values["received"] or env.now(),
        channel=values["channel"], category=values["category"], topics=values["topics"],
        message=values["message"], alias=values["alias"].strip(),
        accepted_on=values["accepted"] or env.today(), real_name=bool(real_name),
        contact_on_file=bool(contact_on_file), public=values["public"],
        priority=priority or "normal", area=values["area"], source_url=values["source_url"],
        related=tuple(related))
    if isinstance(case.received, datetime) and case.received.date() > case.accepted_on:
        raise click.UsageError("--received is after --accepted")
    loaded = create_case(env.root, case, registry, today=env.today())
    click.echo(f"created {loaded.path}")
    if commit:
        case_id = loaded.case.id
        short = commit_paths(env.root, [loaded.path], f"case {case_id}: opened",
                             {"Case-Id": case_id, "Event": "accepted"})
        click.echo(f"committed {short}")
    if not no_similar:
        _warn_repeats(env, loaded.case)


def _ask(name: str, registry):
    if name == "channel":
        click.echo("Channels: " + ", ".join(f"{k} ({c.name})" for k, c in registry.channels.items()))
        return click.prompt("Channel", type=click.Choice(list(registry.channels)),
                            show_choices=False)
    if name == "topics":
        click.echo("Topics: " + ", ".join(f"{k} ({t.name})" for k, t in registry.topics.items()))
        answer = click.prompt("Topics (comma-separated)")
        return _split_keys([answer])
    if name == "category":
        return click.prompt("Category", type=click.Choice(CATEGORIES))
    if name == "message":
        text = click.edit("\n# Write the message above. Lines starting with # are dropped.\n")
        if text is None:
            raise click.UsageError("no message given")
        return "\n".join(line for line in text.splitlines() if not line.startswith("#")).strip() + "\n"
    return click.prompt(name.capitalize())


def _warn_repeats(env, case) -> None:
    """Point out earlier cases this one may repeat (staff search index, if built)."""
    try:
        from ..search.similar import possible_repeats
    except ImportError:  # pragma: no cover - the search package ships with caselog
        return
    for hit in possible_repeats(env.root, case):
        click.echo(f"warning: possible repeat of {hit.id} {hit.title} "
                   f"(shared terms: {'、'.join(hit.terms)})", err=True)

"""One command per event type: each appends one event to one case file."""

from __future__ import annotations

import click

from ..checks import EVENT_TEXT_FIELDS
from ..edit import append_event, mask_case, mask_entered
from ..gitops import commit_paths
from ..repository import load_one
from ..schema import METHODS, MODES, OUTCOMES, SATISFACTIONS
from .base import DateType, main_group, pass_env, read_text_option

TEXT_FILE = click.File("r", encoding="utf-8")


def event_command(name: str, help_text: str, *options):
    """Make `caselog NAME ID [options]` that appends a NAME event built by the decorated function."""

    def decorate(build):
        @main_group.command(name, help=help_text)
        @click.argument("case_id", metavar="ID")
        @click.option("--date", "day", type=DateType(allow_time=True), default=None,
                      help="When it happened (default: today).")
        @click.option("--mask", "mask_on_entry", is_flag=True,
                      help="Mask personal data (phone, ID, card numbers...) in the text as it is entered.")
        @click.option("--commit", is_flag=True, help="Commit the change to Git.")
        @pass_env
        def command(env, case_id, day, mask_on_entry, commit, **kwargs):
            fields = {"date": day or env.today(), **build(**kwargs)}
            if mask_on_entry:
                fields = masked_fields(fields)
            loaded = load_one(env.root, case_id, env.registry)
            append_event(env.root, loaded.path, fields, env.registry, today=env.today())
            summary = f"{loaded.case.id}: {describe(fields)}"
            click.echo(f"{loaded.path}: added {describe(fields)}")
            if commit:
                short = commit_paths(env.root, [loaded.path], f"case {summary}",
                                     {"Case-Id": loaded.case.id, "Event": fields["type"]})
                click.echo(f"committed {short}")

        for option in options:
            command = option(command)  # appended in the order given
        # the event's own options first, then --date and --commit
        common = [p for p in command.params if p.name in ("day", "mask_on_entry", "commit")]
        command.params = [p for p in command.params if p not in common] + common
        return command

    return decorate


def masked_fields(fields: dict) -> dict:
    """The event's free text with personal data masked; says what was masked."""
    fields = dict(fields)
    for name in EVENT_TEXT_FIELDS:
        if isinstance(fields.get(name), str):
            fields[name], found = mask_entered(fields[name])
            for what in found:
                click.echo(f"masked {what} in --{name.replace('_', '-')}", err=True)
    return fields


def describe(fields: dict) -> str:
    """A short English description of an event, for messages and commits."""
    extra = [f"{k}={fields[k]}" for k in ("unit", "mode", "outcome", "days", "satisfaction", "ref")
             if fields.get(k) is not None]
    kind = fields["type"]
    if kind == "replied":
        kind += " (final)" if fields["final"] else " (interim)"
    return " ".join([kind, *extra])


def text_options(what: str = "text"):
    """--text TEXT / --text-file FILE (or - for stdin)."""
    def apply(func):
        func = click.option(f"--{what}", what, help=f"The {what} (Markdown).")(func)
        return click.option(f"--{what}-file", f"{what}_file", type=TEXT_FILE,
                            help=f"Read the {what} from a file ('-' for stdin).")(func)
    return apply


def need(value, what: str):
    if value is None or not str(value).strip():
        raise click.UsageError(f"missing --{what} (or --{what}-file)")
    return value


@event_command("assign", "Assign the case to a unit (交办/转办/自办/呈办).",
               click.option("--unit", required=True, help="Unit key from registry/units.yaml."),
               click.option("--mode", type=click.Choice(MODES), default="assign", show_default=True),
               click.option("--note", help="A note on the assignment."))
def assign(unit, mode, note):
    return {"type": "assigned", "unit": unit, "mode": mode, "note": note}


@event_command("instruct", "Record a leader's instruction (领导批示).",
               click.option("--by", required=True, help="Who gave it, e.g. 县长."),
               text_options())
def instruct(by, text, text_file):
    return {"type": "instructed", "by": by,
            "text": need(read_text_option(text, text_file, "text"), "text")}


@event_command("supervise", "Record a supervision notice (督办通知).",
               click.option("--ref", required=True, help="Notice number, e.g. 督办〔2026〕12号."),
               click.option("--due", type=DateType(), help="Completion date it sets."),
               text_options())
def supervise(ref, due, text, text_file):
    return {"type": "supervised", "ref": ref, "due": due,
            "text": read_text_option(text, text_file, "text")}


@event_command("reply", "Record an interim or (with --final) final reply of a unit.",
               click.option("--unit", required=True, help="The replying unit's key."),
               click.option("--final/--interim", default=False, help="Final or interim reply."),
               text_options())
def reply(unit, final, text, text_file):
    return {"type": "replied", "unit": unit, "final": final,
            "text": need(read_text_option(text, text_file, "text"), "text")}


@event_command("extend", "Record an approved extension of the final-reply deadline (延期).",
               click.option("--days", type=click.IntRange(1, 365), required=True,
                            help="Working days added."),
               click.option("--approved-by", required=True, help="Who approved it."),
               click.option("--reason", required=True, help="Why."))
def extend(days, approved_by, reason):
    return {"type": "extended", "approved_by": approved_by, "reason": reason, "days": days}


@event_command("visit", "Record a follow-up visit and the citizen's satisfaction (回访).",
               click.option("--method", type=click.Choice(METHODS), required=True),
               click.option("--satisfaction", type=click.Choice(SATISFACTIONS), required=True),
               click.option("--note", help="What the citizen said."))
def visit(method, satisfaction, note):
    return {"type": "visited", "method": method, "satisfaction": satisfaction, "note": note}


@event_command("close", "Close the case with an outcome (办结).",
               click.option("--outcome", type=click.Choice(OUTCOMES), required=True),
               click.option("--duplicate-of", help="With --outcome duplicate: the earlier case id."),
               click.option("--referred-to", help="With --outcome referred: where it went."),
               click.option("--note", help="A closing note."))
def close(outcome, duplicate_of, referred_to, note):
    return {"type": "closed", "outcome": outcome, "duplicate_of": duplicate_of,
            "referred_to": referred_to, "note": note}


@event_command("reopen", "Send the case back to its unit, as after a dissatisfied visit (重新办理).",
               click.option("--reason", required=True, help="Why it is reopened."))
def reopen(reason):
    return {"type": "reopened", "reason": reason}


@event_command("correct", "Record that an edit corrected earlier content (更正说明).",
               text_options())
def correct(text, text_file):
    return {"type": "corrected", "text": need(read_text_option(text, text_file, "text"), "text")}


@main_group.command("mask")
@click.argument("case_ids", metavar="ID...", nargs=-1, required=True)
@pass_env
def mask(env, case_ids):
    """Mask personal data (phone, ID, card, e-mail, QQ, plate numbers) in cases' free text."""
    for case_id in case_ids:
        loaded = load_one(env.root, case_id, env.registry)
        changed = mask_case(env.root, loaded, env.registry, today=env.today())
        if not changed:
            click.echo(f"{loaded.path}: nothing to mask")
        for line in changed:
            click.echo(f"{loaded.path}: masked {line}")

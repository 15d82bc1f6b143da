"""One command per event type: each appends one event to one case file."""

from __future__ import annotations

import click

from ..checks import EVENT_TEXT_FIELDS
from ..describe import describe_event, record_subject
from ..edit import append_event, mask_case, mask_entered
from ..errors import InvalidCase
from ..gitops import commit_paths
from ..i18n import _
from ..repository import load_one
from ..site.labels import METHOD, MODE, OUTCOME, SATISFACTION
from .base import DateType, LabelledChoice, main_group, pass_env, read_text_option, text_or_ask

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
            registry = env.registry
            loaded = load_one(env.root, case_id, registry)
            fields = {"date": day or env.today(), **build(**kwargs)}
            if fields.get("unit") is not None:
                fields["unit"] = registry.unit_key(fields["unit"])
            if mask_on_entry:
                fields = masked_fields(fields, registry.public_numbers)
            try:
                append_event(env.root, loaded.path, fields, registry, today=env.today())
            except InvalidCase as exc:
                raise exc.__class__(as_option_problems(exc.problems, len(loaded.case.events))) from None
            what = describe_event(fields, registry)
            click.echo(_("{path}: recorded {id} {what}").format(path=loaded.path, id=loaded.case.id,
                                                                  what=what))
            if commit:
                subject = record_subject(loaded.case.id, fields, registry)
                short = commit_paths(env.root, [loaded.path], subject,
                                     {"Case-Id": loaded.case.id, "Event": fields["type"]})
                click.echo(_("committed {short}").format(short=short))

        for option in options:
            command = option(command)  # appended in the order given
        # the event's own options first, then --date and --commit
        common = [p for p in command.params if p.name in ("day", "mask_on_entry", "commit")]
        command.params = [p for p in command.params if p not in common] + common
        return command

    return decorate


def as_option_problems(problems, index: int):
    """Problems of the new event (events[index].x) named by the option the clerk typed (--x),
    without a line number: the file on disk does not have that line."""
    prefix = f"events[{index}]"
    named = []
    for problem in problems:
        if problem.field == prefix or problem.field.startswith(prefix + "."):
            name = problem.field[len(prefix) + 1:]
            option = "--" + name.replace("_", "-") if name and name != "type" else ""
            message = problem.message
            for field in ("duplicate_of", "referred_to", "approved_by"):  # as the clerk types them
                message = message.replace(f"{field}:", f"--{field.replace('_', '-')}").replace(
                    field, f"--{field.replace('_', '-')}")
            named.append(problem.__class__("", 0, option, message, problem.severity))
        else:
            named.append(problem)
    return named


def masked_fields(fields: dict, public_numbers: frozenset[str]) -> dict:
    """The event's free text with personal data masked; says what was masked."""
    fields = dict(fields)
    for name in EVENT_TEXT_FIELDS:
        if isinstance(fields.get(name), str):
            fields[name], found = mask_entered(fields[name], public_numbers)
            for what in found:
                click.echo(_("masked {what} in --{option}").format(what=what, option=name.replace("_", "-")),
                           err=True)
    return fields


def text_options(what: str = "text"):
    """--text TEXT / --text-file FILE (or - for stdin)."""
    def apply(func):
        func = click.option(f"--{what}", what, help="The text (Markdown).")(func)
        return click.option(f"--{what}-file", f"{what}_file", type=TEXT_FILE,
                            help="Read the text from a file ('-' for stdin).")(func)
    return apply


@event_command("assign", "Assign the case to a unit (交办/转办/自办/呈办).",
               click.option("--unit", required=True, help="The unit: its name, short name or key."),
               click.option("--mode", type=LabelledChoice(MODE), default="assign", show_default=True,
                            help="assign 交办, transfer 转办, self 自办, escalate 呈办."),
               click.option("--note", help="A note on the assignment."))
def assign(unit, mode, note):
    return {"type": "assigned", "unit": unit, "mode": mode, "note": note}


@event_command("instruct", "Record a leader's instruction (领导批示).",
               click.option("--by", required=True, help="Who gave it, e.g. 县长."),
               text_options())
def instruct(by, text, text_file):
    text = text_or_ask(read_text_option(text, text_file, "text"), "text", _("text of the instruction"))
    return {"type": "instructed", "by": by, "text": text}


@event_command("supervise", "Record a supervision notice (督办通知).",
               click.option("--ref", required=True, help="Notice number, e.g. 督办〔2026〕12号."),
               click.option("--due", type=DateType(), help="Completion date it sets."),
               text_options())
def supervise(ref, due, text, text_file):
    return {"type": "supervised", "ref": ref, "due": due,
            "text": read_text_option(text, text_file, "text")}


@event_command("reply", "Record a unit's reply, saying --interim (阶段性答复) or --final (最终答复).",
               click.option("--unit", required=True, help="The replying unit: its name, short name or key."),
               click.option("--final/--interim", default=None,
                            help="A final reply (starts the follow-up) or an interim one."),
               text_options())
def reply(unit, final, text, text_file):
    if final is None:
        raise click.UsageError(_("say which reply this is: --final or --interim"))
    label = _("text of the final reply") if final else _("text of the interim reply")
    text = text_or_ask(read_text_option(text, text_file, "text"), "text", label)
    return {"type": "replied", "unit": unit, "final": final, "text": text}


@event_command("extend", "Record an approved extension of the final-reply deadline (延期).",
               click.option("--days", type=click.IntRange(1, 365), required=True,
                            help="Working days added."),
               click.option("--approved-by", required=True, help="Who approved it."),
               click.option("--reason", required=True, help="Why."))
def extend(days, approved_by, reason):
    return {"type": "extended", "approved_by": approved_by, "reason": reason, "days": days}


@event_command("visit", "Record a follow-up visit and the citizen's satisfaction (回访).",
               click.option("--method", type=LabelledChoice(METHOD), required=True,
                            help="phone 电话, in-person 上门, online 网上."),
               click.option("--satisfaction", type=LabelledChoice(SATISFACTION), required=True,
                            help="satisfied 满意, basically-satisfied 基本满意, dissatisfied 不满意, "
                                 "unreachable 未能联系上."),
               click.option("--note", help="What the citizen said."))
def visit(method, satisfaction, note):
    return {"type": "visited", "method": method, "satisfaction": satisfaction, "note": note}


@event_command("close", "Close the case with an outcome (办结).",
               click.option("--outcome", type=LabelledChoice(OUTCOME), required=True,
                            help="resolved 已解决, explained 解释说明, unfounded 反映不实, "
                                 "referred 转其他渠道办理, duplicate 重复留言, withdrawn 网民撤回."),
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
    text = text_or_ask(read_text_option(text, text_file, "text"), "text", _("text of the correction"))
    return {"type": "corrected", "text": text}


@main_group.command("mask")
@click.argument("case_ids", metavar="ID...", nargs=-1, required=True)
@pass_env
def mask(env, case_ids):
    """Mask personal data (phone, ID, card, e-mail, QQ, plate numbers) in cases' free text."""
    for case_id in case_ids:
        loaded = load_one(env.root, case_id, env.registry)
        changed = mask_case(env.root, loaded, env.registry, today=env.today())
        if not changed:
            click.echo(_("{path}: nothing to mask").format(path=loaded.path))
        for line in changed:
            click.echo(_("{path}: masked {what}").format(path=loaded.path, what=line))

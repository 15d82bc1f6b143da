"""The command group, the -C option and shared option types."""

from __future__ import annotations

import difflib
import errno
import inspect
import os
import sys
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from zoneinfo import ZoneInfo

import click

from .. import i18n
from ..errors import CaselogError, InvalidCase, WriteRefused
from ..i18n import N_, _
from ..registry import Registry, load_registry
from ..repository import CaseLog, find_root, load_log
from ..schema import parse_moment


class Env:
    """What every command needs: where the case log is, its registry, and today's date."""

    def __init__(self, directory: Path):
        self.directory = directory

    @cached_property
    def root(self) -> Path:
        """The repository root (holds cases/registry/)."""
        return find_root(self.directory)

    @cached_property
    def registry(self) -> Registry:
        """The loaded registry."""
        return load_registry(self.root)

    def load(self, need: str = "cases") -> CaseLog:
        """Load the whole case log (see load_log for `need`)."""
        log = load_log(self.root, need=need)
        self.__dict__["registry"] = log.registry
        return log

    def today(self) -> date:
        """Today in the site's time zone."""
        return self.registry.rules.today()

    def now(self) -> datetime:
        """Now in the site's time zone, to the minute, without tzinfo (as the files hold it)."""
        now = datetime.now(ZoneInfo(self.registry.rules.timezone))
        return now.replace(second=0, microsecond=0, tzinfo=None)


class DateType(click.ParamType):
    """A date (2026-03-02) or, with `allow_time`, a local date-time (2026-03-02 09:14)."""

    name = "date"

    def __init__(self, allow_time: bool = False):
        self.allow_time = allow_time

    def convert(self, value, param, ctx):
        if isinstance(value, date):
            return value
        try:
            moment = parse_moment(value)
        except Exception:
            self.fail(_("'{value}' is not a date like 2026-03-02").format(value=value), param, ctx)
        if isinstance(moment, datetime) and not self.allow_time:
            self.fail(_("'{value}' has a time; give a date like 2026-03-02").format(value=value),
                      param, ctx)
        return moment


class LabelledChoice(click.Choice):
    """One of the keys of `labels` (an outcome, a satisfaction, ...), given as the key or as its
    Chinese name (转办 for transfer, 满意 for satisfied), whatever the language of messages."""

    def __init__(self, labels: dict[str, str]):
        super().__init__(list(labels))
        self.labels = labels

    def _chinese(self) -> dict[str, str]:
        with i18n.speaking("zh"):
            return {_(label): key for key, label in self.labels.items()}

    def convert(self, value, param, ctx):
        if isinstance(value, str) and value.strip() in self._chinese():
            return self._chinese()[value.strip()]
        return super().convert(value, param, ctx)

    def get_invalid_choice_message(self, value, ctx) -> str:
        names = _(", ").join(f"{name} ({key})" for name, key in self._chinese().items())
        return _("'{value}' is not one of {names}").format(value=value, names=names)


class HelpFormatter(click.HelpFormatter):
    """click's help layout, with the punctuation of the current language (用法：, 选项：)."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, _("Usage: ") if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        colon = _(":")
        self.write(f"{'':>{self.current_indent}}{heading}{colon}\n")


class Context(click.Context):
    """A click context that formats help with HelpFormatter."""

    formatter_class = HelpFormatter


class Command(click.Command):
    """A caselog command (its help is formatted with HelpFormatter)."""

    context_class = Context


class Group(click.Group):
    """A group of caselog subcommands (caselog doc ...), formatted like the others."""

    context_class = Context
    command_class = Command
    group_class = type
# The messages of the error boundary, one place each.
WROTE_NOTHING = N_("nothing was written: {count} problem(s)")
FIX_FIRST = N_("{count} problem(s) to fix first ('caselog validate' lists every problem of the log)")
INTERRUPTED = N_("interrupted; nothing was half-written (writes are atomic)")
SYSTEM_ERROR = N_("error: {what}: {reason}")
NO_SPACE = N_(" (free some space, then run the command again; nothing was half-written)")
UNEXPECTED = N_("error: {kind}: {detail} (unexpected: if it looks like a bug in caselog, please report "
                "it with the command you ran; CASELOG_DEBUG=1 shows where it happened)")


def handle_error(exc: BaseException) -> int:
    """Print one clean message for a failure and return the exit code (pypa/build's
    _handle_build_error): the only place where errors become messages."""
    if isinstance(exc, InvalidCase):
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        template = WROTE_NOTHING if isinstance(exc, WriteRefused) else FIX_FIRST
        click.echo(_(template).format(count=len(exc.problems)), err=True)
        return 1
    if isinstance(exc, CaselogError):
        click.echo(_("error: {message}").format(message=exc), err=True)
        return 1
    if isinstance(exc, KeyboardInterrupt):
        click.echo(_(INTERRUPTED), err=True)
        return 130
    if isinstance(exc, OSError):
        hint = _(NO_SPACE) if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG) else ""
        what = exc.filename or _("system")
        click.echo(_(SYSTEM_ERROR).format(what=what, reason=exc.strerror or exc) + hint, err=True)
        return 1
    click.echo(_(UNEXPECTED).format(kind=type(exc).__name__, detail=exc), err=True)
    return 1


class SuggestingGroup(click.Group):
    """The command group: suggests the closest command for a typo, and is the one error
    boundary: the library and the commands never print an error or exit themselves; a
    command returns its exit code when it is not 0."""

    context_class = Context
    command_class = Command
    group_class = Group

    def invoke(self, ctx):
        try:
            code = super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except (Exception, KeyboardInterrupt) as exc:
            if os.environ.get("CASELOG_DEBUG") and not isinstance(exc, CaselogError):
                raise
            code = handle_error(exc)
        if isinstance(code, int) and code:
            ctx.exit(code)
        return code

    def main(self, *args, **kwargs):
        # each run starts in the environment's language (--lang may change it while parsing) and
        # leaves a caller in the same process (a test) in the language it had
        with i18n.speaking(None):
            localize(self)
            return super().main(*args, **kwargs)

    def resolve_command(self, ctx, args):
        name = args[0] if args else None
        if name and name not in self.commands and not name.startswith("-"):
            close = difflib.get_close_matches(name, list(self.commands), n=1, cutoff=0.5)
            hint = _(" Did you mean '{name}'?").format(name=close[0]) if close else ""
            raise click.UsageError(_("no command '{name}'.{hint} See 'caselog --help'.").format(
                name=name, hint=hint), ctx)
        return super().resolve_command(ctx, args)


def _use_our_translations() -> None:
    """Click's own messages (Usage:, Options:, Error: ...) go through our catalogue too (click
    reads them with the stdlib's gettext, bound to each of its modules as `_`)."""
    import click.core
    import click.decorators
    import click.exceptions
    import click.formatting
    import click.parser
    import click.termui
    import click.types

    for module in (click.core, click.decorators, click.exceptions, click.formatting, click.parser,
                   click.termui, click.types):
        module._ = i18n.gettext
        if hasattr(module, "ngettext"):
            module.ngettext = i18n.ngettext


_use_our_translations()


def localize(group: click.Group) -> None:
    """Translate the help texts of `group`, its commands and their options into the current language.

    Click reads them when it formats help; the English originals are kept as the msgids."""
    for command in [group, *group.commands.values()]:
        if isinstance(command, click.Group) and command is not group:
            localize(command)  # a group of subcommands (caselog doc week, ...)
            continue
        command._help_option = None  # click keeps the -h option, with its help text, once made
        for param in command.params:
            # click names a path type in words when it is made (目录 at import in Chinese): an
            # ASCII metavar keeps the help's columns aligned
            if isinstance(param.type, click.Path) and param.metavar is None and not isinstance(
                    param, click.Argument):
                path_type = param.type
                param.metavar = ("DIR" if not path_type.file_okay else
                                 "FILE" if not path_type.dir_okay else "PATH")
        for thing in [command, *command.params]:
            original = thing.__dict__.setdefault("_msgids", {
                name: getattr(thing, name, None) for name in ("help", "short_help")})
            for name, msgid in original.items():
                if msgid:
                    setattr(thing, name, _(inspect.cleandoc(msgid).split("\f")[0]))


def _choose_language(ctx, param, value):
    if value is not None:
        i18n.set_language(value)
        localize(ctx.find_root().command)
    return value


@click.group(cls=SuggestingGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--lang", type=click.Choice(i18n.LANGUAGES), default=None, is_eager=True,
              expose_value=False, callback=_choose_language,
              help="Language of messages: zh (the default) or en (also when LANG is en_*).")
@click.option("-C", "directory", type=click.Path(file_okay=False, path_type=Path), default=".",
              help="Run as if started in DIR (like git -C).", metavar="DIR")
@click.version_option(package_name="caselog")
@click.pass_context
def main_group(ctx: click.Context, directory: Path) -> None:
    """Keep a Git-backed log of citizens' messages and publish it.

    Run from the repository root (or anywhere below it), or point at one with -C DIR.
    """
    ctx.obj = Env(directory)


pass_env = click.make_pass_decorator(Env)


def as_of_option(func):
    """--as-of DATE, defaulting to today in the site's time zone."""
    return click.option("--as-of", "as_of", type=DateType(), default=None,
                        help="Judge deadlines as at the end of this day (default: today).")(func)


def read_text_option(text: str | None, text_file, what: str) -> str | None:
    """Text given inline or in a file ('-' for stdin)."""
    if text is not None and text_file is not None:
        raise click.UsageError(_("give --{what} or --{what}-file, not both").format(what=what))
    if text_file is not None:
        content = text_file.read()
        if not content.strip():
            raise click.UsageError(_("--{what}-file is empty").format(what=what))
        return content
    return text


def interactive() -> bool:
    """Is a person at the keyboard (so missing text may be asked for)?"""
    return sys.stdin.isatty()


def ask_text(label: str) -> str:
    """Text the clerk types: in $VISUAL or $EDITOR when one is set, else here, ending on an empty line."""
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if editor:
        hint = _("# Write the {label} above this line. Lines starting with # are dropped.")
        hint = hint.format(label=label)
        text = click.edit("\n" + hint + "\n", editor=editor, require_save=True)
        text = "\n".join(line for line in (text or "").splitlines() if not line.startswith("#"))
    else:
        click.echo(_("{label} (finish with an empty line):").format(label=label), err=True)
        lines = []
        stdin = sys.stdin
        while (line := stdin.readline()).strip():
            lines.append(line.rstrip("\n"))
        text = "\n".join(lines)
    if not text.strip():
        raise click.UsageError(_("no {label} given; nothing was written").format(label=label))
    return text.strip() + "\n"


def text_or_ask(value: str | None, option: str, label: str) -> str:
    """Text given with --OPTION, else asked for at a terminal; a usage error in a script."""
    if value is not None and value.strip():
        return value
    if not interactive():
        raise click.UsageError(_("missing --{option} (or --{option}-file)").format(option=option))
    return ask_text(label)

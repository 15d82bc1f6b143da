"""The command group, the -C option and shared option types."""

from __future__ import annotations

import difflib
import errno
import os
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from zoneinfo import ZoneInfo

import click

from ..errors import CaselogError, InvalidCase, WriteRefused
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
            self.fail(f"'{value}' is not a date like 2026-03-02", param, ctx)
        if isinstance(moment, datetime) and not self.allow_time:
            self.fail(f"'{value}' has a time; give a date like 2026-03-02", param, ctx)
        return moment


# The messages of the error boundary, one place each.
WROTE_NOTHING = "nothing was written: {count} problem(s)"
FIX_FIRST = "{count} problem(s) to fix first ('caselog validate' lists every problem of the log)"
INTERRUPTED = "interrupted; nothing was half-written (writes are atomic)"
SYSTEM_ERROR = "error: {what}: {reason}"
NO_SPACE = " (free some space, then run the command again; nothing was half-written)"
UNEXPECTED = ("error: {kind}: {detail} (unexpected: if it looks like a bug in caselog, please report it "
              "with the command you ran; CASELOG_DEBUG=1 shows where it happened)")


def handle_error(exc: BaseException) -> int:
    """Print one clean message for a failure and return the exit code (pypa/build's
    _handle_build_error): the only place where errors become messages."""
    if isinstance(exc, InvalidCase):
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        template = WROTE_NOTHING if isinstance(exc, WriteRefused) else FIX_FIRST
        click.echo(template.format(count=len(exc.problems)), err=True)
        return 1
    if isinstance(exc, CaselogError):
        click.echo(f"error: {exc}", err=True)
        return 1
    if isinstance(exc, KeyboardInterrupt):
        click.echo(INTERRUPTED, err=True)
        return 130
    if isinstance(exc, OSError):
        hint = NO_SPACE if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG) else ""
        what = exc.filename or "system"
        click.echo(SYSTEM_ERROR.format(what=what, reason=exc.strerror or exc) + hint, err=True)
        return 1
    click.echo(UNEXPECTED.format(kind=type(exc).__name__, detail=exc), err=True)
    return 1


class SuggestingGroup(click.Group):
    """The command group: suggests the closest command for a typo, and is the one error
    boundary: the library and the commands never print an error or exit themselves; a
    command returns its exit code when it is not 0."""

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

    def resolve_command(self, ctx, args):
        name = args[0] if args else None
        if name and name not in self.commands and not name.startswith("-"):
            close = difflib.get_close_matches(name, list(self.commands), n=1, cutoff=0.5)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            raise click.UsageError(f"no command '{name}'.{hint} See 'caselog --help'.", ctx)
        return super().resolve_command(ctx, args)


@click.group(cls=SuggestingGroup, context_settings={"help_option_names": ["-h", "--help"]})
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
        raise click.UsageError(f"give the {what} with --{what} or --{what}-file, not both")
    if text_file is not None:
        content = text_file.read()
        if not content.strip():
            raise click.UsageError(f"the {what} file is empty")
        return content
    return text

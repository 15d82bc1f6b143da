"""`caselog doc`: official documents (交办单, 督办通知书, 周报, 通报) as PDF and DOCX files."""

from __future__ import annotations

from pathlib import Path

import click

from ..i18n import _
from ..stats import PeriodError, parse_period
from .base import as_of_option, main_group, pass_env

FORMAT_CHOICES = ("pdf", "docx", "both")


def _output_option(func):
    func = click.option("--format", "fmt", type=click.Choice(FORMAT_CHOICES), default="both",
                        show_default=True, help="PDF to print, DOCX to edit before stamping, or both.")(func)
    return click.option("--output", "-o", type=click.Path(file_okay=False, path_type=Path), default=None,
                        help="Folder for the files (default: documents/<period or case> in the "
                             "repository).")(func)


def _write(env, documents, output: Path | None, default: str, fmt: str) -> None:
    from ..documents.make import FORMATS, write_documents

    if output is None:
        folder = env.root / "documents" / default  # git-ignored: documents may name non-public cases
    else:
        folder = output if output.is_absolute() else env.directory / output
    formats = FORMATS if fmt == "both" else (fmt,)
    written = write_documents(documents, folder, formats)
    click.echo(f"已生成 {len(written)} 个文件，保存在 {folder}：")
    for path in written:
        click.echo(f"  {path.name}")


def _period(text: str, option: str):
    try:
        return parse_period(text)
    except PeriodError as exc:
        raise click.BadParameter(str(exc), param_hint=option) from None


@main_group.group("doc")
def doc():
    """Make official documents: weekly report, bulletins, 交办单 and 督办通知书 (PDF and DOCX)."""


@doc.command("week")
@as_of_option
@click.option("--week", default=None, metavar="WEEK",
              help="The ISO week to report, e.g. 2026-W48 (default: the last whole week before the day).")
@click.option("--number", type=click.IntRange(min=1), default=None,
              help="The report's number in the year (default: the week's number).")
@_output_option
@pass_env
def week(env, as_of, week, number, output, fmt):
    """The weekly report, and the 督办通知书 recorded since that week's Monday (Monday-morning command)."""
    from ..documents.make import weekly_documents

    chosen = _period(week, "--week") if week else None
    if chosen is not None and chosen.kind != "week":
        raise click.BadParameter(_("'{week}' is not a week (use 2026-W48)").format(week=week),
                                 param_hint="--week")
    day = as_of or env.today()
    documents = weekly_documents(env.root, day, chosen, number)
    report = documents[0]
    _write(env, documents, output, report.figures["period"], fmt)
    notices = len(documents) - 1
    click.echo(f"周报 {report.number}；督办通知书 {notices} 份" + ("" if notices else "（本周未记录督办）"))


@doc.command("bulletin")
@click.argument("period", metavar="PERIOD")
@as_of_option
@click.option("--number", type=click.IntRange(min=1), default=None,
              help="The bulletin's number in the year (default: the month's or quarter's number; "
                   "1 for a year).")
@_output_option
@pass_env
def bulletin(env, period, as_of, number, output, fmt):
    """The bulletin (通报) of a month, quarter or year: 2026-11, 2026-Q4 or 2026."""
    from ..documents.make import bulletin_document

    chosen = _period(period, "PERIOD")
    if chosen.kind not in ("month", "quarter", "year"):
        raise click.BadParameter(_("a bulletin covers a month, a quarter or a year, not '{period}'")
                                 .format(period=period), param_hint="PERIOD")
    document = bulletin_document(env.root, chosen, as_of or env.today(), number)
    _write(env, [document], output, chosen.label, fmt)


@doc.command("form")
@click.argument("case_id", metavar="ID")
@as_of_option
@_output_option
@pass_env
def form(env, case_id, as_of, output, fmt):
    """The 交办单 (assignment form) of a case, for its latest assignment."""
    from ..documents.make import assignment_document

    document = assignment_document(env.root, case_id, as_of or env.today())
    _write(env, [document], output, document.figures["id"], fmt)


@doc.command("notice")
@click.argument("case_id", metavar="ID")
@click.option("--ref", default=None, help="The notice's number (default: the case's latest notice).")
@as_of_option
@_output_option
@pass_env
def notice(env, case_id, ref, as_of, output, fmt):
    """The 督办通知书 (supervision notice) of a case, as recorded with 'caselog supervise'."""
    from ..documents.make import notice_document

    document = notice_document(env.root, case_id, as_of or env.today(), ref)
    _write(env, [document], output, document.figures["id"], fmt)

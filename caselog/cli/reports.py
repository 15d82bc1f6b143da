"""Read-only reports: show, overdue, stats."""

from __future__ import annotations

import json
import shutil

import click

from ..derive import derive
from ..i18n import _
from ..overdue import awaiting_classification, overdue_by_unit
from ..repository import load_one
from ..stats import PeriodError, build_report, count_activity, parse_period
from . import render
from .base import as_of_option, main_group, pass_env


def _fail_on_errors(log) -> None:
    errors = log.errors
    if errors:
        for problem in errors[:20]:
            click.echo(str(problem), err=True)
        more = _(" (first 20 shown)") if len(errors) > 20 else ""
        click.echo(_("warning: {n} problem(s) in the case log{more}; figures leave out unusable files; "
                     "run 'caselog validate'").format(n=len(errors), more=more), err=True)


def _provisional_warning(states, rules) -> None:
    years = sorted({d.due.year for s in states for d in (s.first_reply, s.final_reply)
                    if d.provisional})
    if years:
        click.echo(_("warning: holidays for {years} are not confirmed (rules.yaml "
                     "calendar_confirmed_through: {through}); deadlines in those years count weekends "
                     "and the statutory holidays known in advance (not the make-up working days) and "
                     "are provisional").format(years=", ".join(map(str, years)),
                                               through=rules.calendar_confirmed_through), err=True)


@main_group.command("show")
@click.argument("case_id", metavar="ID")
@as_of_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="text to read, json for scripts (keys and values stay English).")
@pass_env
def show(env, case_id, as_of, fmt):
    """Show a case with its status, deadlines, overdue level and how the deadlines were set."""
    registry = env.registry
    loaded = load_one(env.root, case_id, registry)
    as_of = as_of or env.today()
    state = derive(loaded.case, as_of, registry.rules, registry.calendar)
    if state is None:
        raise click.UsageError(_("{id} was received after {day}").format(id=loaded.case.id, day=as_of))
    _provisional_warning([state], registry.rules)
    if fmt == "json":
        click.echo(json.dumps(render.state_json(state, registry), ensure_ascii=False, indent=2))
    else:
        click.echo(render.state_text(state, registry, loaded.path))
    for problem in loaded.problems:
        click.echo(str(problem), err=True)


@main_group.command("overdue")
@as_of_option
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text",
              show_default=True, help="text to read, markdown for issues, json for scripts.")
@pass_env
def overdue(env, as_of, fmt):
    """List open cases at warning, due, overdue or severe, by unit, worst first."""
    log = env.load(need="facts")
    _fail_on_errors(log)
    registry = log.registry
    as_of = as_of or env.today()
    states = log.states(as_of)
    groups = overdue_by_unit(states)
    _provisional_warning([s for g in groups for s in g.states], registry.rules)
    if fmt == "json":
        rows = [render.overdue_row(s, registry) for g in groups for s in g.states]
        click.echo(json.dumps({"as_of": as_of.isoformat(), "cases": rows},
                              ensure_ascii=False, indent=2))
    elif fmt == "markdown":
        click.echo(render.overdue_markdown(groups, registry, as_of))
    else:
        click.echo(render.overdue_text(groups, registry, as_of))


@main_group.command("unclassified")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@pass_env
def unclassified(env, fmt):
    """List cases whose category or topics await classification (imported without them), oldest first."""
    log = env.load(need="facts")
    _fail_on_errors(log)
    states = awaiting_classification(log.states(env.today()))
    if fmt == "json":
        rows = [{"id": s.id, "received": s.received_day.isoformat(), "fields": list(s.unclassified),
                 "title": s.title} for s in states]
        click.echo(json.dumps({"cases": rows}, ensure_ascii=False, indent=2))
    else:
        click.echo(render.unclassified_text(states))


@main_group.command("stats")
@as_of_option
@click.option("--period", default=None, metavar="PERIOD",
              help="2026, 2026-Q1, 2026-03, 2026-W48 (ISO week) or all (default: all).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="text to read, json for scripts (keys and values stay English).")
@pass_env
def stats(env, as_of, period, fmt):
    """Counts, reply and on-time rates, working days to reply and satisfaction (docs/statistics.md)."""
    try:
        chosen = parse_period(period)
    except PeriodError as exc:
        raise click.BadParameter(str(exc), param_hint="--period") from None
    week = chosen.kind == "week"
    log = env.load(need="cases" if week else "facts")  # a week's activity reads the events
    _fail_on_errors(log)
    registry = log.registry
    as_of = as_of or env.today()
    states = log.states(as_of)
    report = build_report(states, chosen, registry.rules.min_cases_for_ranking, as_of)
    activity = count_activity(states, chosen) if week else None
    if fmt == "json":
        click.echo(json.dumps(render.report_json(report, activity), ensure_ascii=False, indent=2))
    else:
        width = shutil.get_terminal_size((80, 24)).columns
        click.echo(render.report_text(report, registry, activity, width), nl=False)

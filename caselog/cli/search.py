"""Staff search commands: index, search, similar, import.

tantivy and jieba are imported inside the commands, so that the other commands
(validate above all) never pay for them.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from .. import i18n
from ..derive import STATUSES
from ..describe import STATUS, label
from ..i18n import _
from .base import DateType, main_group, pass_env

FORMATS = click.Choice(["text", "json"])


def _echo_json(rows) -> None:
    click.echo(json.dumps(rows, ensure_ascii=False, indent=2))


def _refresh(env, update: bool) -> None:
    """Bring the index up to date before a query (builds it the first time)."""
    from ..search.index import has_index, update_index

    if not update and has_index(env.root):
        return
    if not has_index(env.root):
        click.echo(_("building the search index (first time; see 'caselog index')..."), err=True)
    report = update_index(env.root)
    if report.unusable:
        click.echo(_("warning: {n} unusable case file(s) left out of the index; run 'caselog validate'")
                   .format(n=len(report.unusable)), err=True)


@main_group.command("index")
@click.option("--rebuild", is_flag=True, help="Build the index from scratch.")
@pass_env
def index(env, rebuild):
    """Build or update the staff search index (.caselog/index/, never published).

    Only case files changed since the last run are read again; deleted cases are removed.
    """
    from ..search.index import update_index

    report = update_index(env.root, rebuild=rebuild)
    for rel in report.unusable:
        click.echo(_("{path}: left out (unusable; run 'caselog validate')").format(path=rel), err=True)
    action = _("index built") if report.rebuilt else _("index updated")
    click.echo(_("{action}: {indexed} case(s) indexed, {removed} removed, {unchanged} unchanged; "
                 "{documents} in the index ({size:.1f} MB) in {seconds:.1f} s").format(
        action=action, indexed=report.indexed, removed=report.removed, unchanged=report.unchanged,
        documents=report.documents, size=report.size_bytes / 1e6, seconds=report.seconds))


@main_group.command("search")
@click.argument("words", nargs=-1, required=True)
@click.option("--unit", help="Only cases now with this unit (its name, short name or key).")
@click.option("--topic", help="Only cases with this topic (its name or key).")
@click.option("--status", type=click.Choice(STATUSES), help="Only cases with this status.")
@click.option("--from", "since", type=DateType(), help="Only cases received on or after this day.")
@click.option("--to", "until", type=DateType(), help="Only cases received on or before this day.")
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True,
              help="Show at most this many cases.")
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True,
              help="text to read, json for scripts.")
@click.option("--no-update", is_flag=True, help="Search the index as it is, without updating it first.")
@pass_env
def search(env, words, unit, topic, status, since, until, limit, fmt, no_update):
    """Search every case, open and non-public ones included, best match first.

    Words are ANDed; use OR, NOT, "quoted phrases" and fields like title:电梯,
    unit:housing-bureau, topics:housing, status:closed, received:2026-03 (see docs/search.md).
    """
    from ..search.query import CaseSearcher, Filters

    registry = env.registry
    unit = registry.unit_key(unit) if unit else None
    topic = registry.topic_key(topic) if topic else None
    filters = Filters(unit=unit, topic=topic, status=status, since=since, until=until)
    filters.check(env.registry)
    _refresh(env, not no_update)
    with CaseSearcher(env.root) as searcher:
        results = searcher.search(" ".join(words), filters, limit)
    if results.loose:
        click.echo(_("no case has all the words; showing cases with some of them"), err=True)
    if fmt == "json":
        _echo_json([hit.as_json() for hit in results.hits])
        return
    units = env.registry.units
    for hit in results.hits:
        unit_name = units[hit.unit].label if hit.unit in units else (hit.unit or _("(unassigned)"))
        click.echo(f"{hit.id}  {hit.title}")
        click.echo("    " + _("{status} · {unit} · {received} · score {score:.1f}").format(
            status=label(STATUS, hit.status), unit=unit_name, received=hit.received, score=hit.score))
        if hit.snippet:
            click.echo(f"    {hit.snippet}")
    shown = len(results.hits)
    click.echo(_("{shown} of {total} matching case(s)").format(shown=shown, total=results.total) if shown
               else _("no matching case"), err=True)


@main_group.command("similar")
@click.argument("case_id", metavar="[ID]", required=False)
@click.option("--text", help="Find cases like this text instead of a case.")
@click.option("--file", "text_file", type=click.File("r", encoding="utf-8"),
              help="Find cases like the text in this file ('-' for stdin).")
@click.option("--limit", type=click.IntRange(1, 100), default=5, show_default=True,
              help="Show at most this many cases.")
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True,
              help="text to read, json for scripts.")
@click.option("--no-update", is_flag=True, help="Use the index as it is, without updating it first.")
@pass_env
def similar(env, case_id, text, text_file, limit, fmt, no_update):
    """The most similar earlier cases to case ID (or to a text), with the key terms they share."""
    from ..search.query import CaseSearcher
    from ..search.similar import similar_to_case, similar_to_text

    given = [x for x in (case_id, text, text_file) if x is not None]
    if len(given) != 1:
        raise click.UsageError(_("give a case ID, or --text TEXT, or --file FILE (one of them)"))
    _refresh(env, not no_update)
    with CaseSearcher(env.root) as searcher:
        if case_id is not None:
            _case, hits = similar_to_case(env.root, case_id, limit, searcher)
        else:
            content = text if text is not None else text_file.read()
            if not content.strip():
                raise click.UsageError(_("the text is empty"))
            hits = similar_to_text(searcher, content, limit)
    if fmt == "json":
        _echo_json([hit.as_json() for hit in hits])
        return
    for hit in hits:
        click.echo(f"{hit.id}  {hit.title}")
        click.echo("    " + _("{status} · {received} · overlap {overlap:.0%} · shared terms: {terms}").format(
            status=label(STATUS, hit.status), received=hit.received, overlap=hit.overlap,
            terms="、".join(hit.terms)))
    if not hits:
        click.echo(_("no similar case"), err=True)


def _warn_repeats(env, report) -> list[str]:
    """Imported messages that may repeat earlier cases by the staff index (when there is one),
    except those the import itself already pointed out."""
    from ..search.similar import find_repeats

    repeats = find_repeats(env.root, report.cases, add=not report.dry_run)
    rows = {row.case_id: row for row in report.rows if row.outcome in ("created", "would-create")}
    lines = []
    for case_id, hits in repeats.items():
        row = rows[case_id]
        for hit in hits:
            if any(hit.id in warning for warning in row.warnings):
                continue
            lines.append(f"{row.source}:{row.row}: " + _(
                "warning: {id} may repeat {other} {title} (shared terms: {terms})").format(
                id=case_id, other=hit.id, title=hit.title, terms="、".join(hit.terms)))
    return lines


@main_group.command("import")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--mapping", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True,
              metavar="FILE",
              help="Column mapping (YAML; see docs/import-mapping.example.yaml).")
@click.option("--dry-run", is_flag=True,
              help="Check every row and report what a real run would do; write nothing.")
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True,
              help="text to read, json for scripts.")
@pass_env
def import_(env, source, mapping, dry_run, fmt):
    """Create cases, with their replies, from a message platform's CSV or XLSX export.

    Rows already imported are skipped; all the new cases are written, or none. Repeats are
    pointed out (see docs/import.md).
    """
    from ..importer import import_file
    from ..importmap import load_mapping

    if fmt == "json":
        i18n.set_language("en")  # for scripts: reasons, notes and warnings stay English, whatever the locale
    rules = load_mapping(mapping, env.registry)
    report = import_file(env.root, source, rules, env.registry, today=env.today(), dry_run=dry_run)
    if fmt == "json":
        _echo_json([row.as_json() for row in report.rows])
    else:
        for row in report.rows:
            click.echo(str(row))
    similar = _warn_repeats(env, report)
    for line in similar:
        click.echo(line, err=True)
    summary = (_("{name}: would create {created}, skipped {skipped}, {errors} error(s), {repeats} possible "
                 "repeat(s)") if dry_run else
               _("{name}: created {created}, skipped {skipped}, {errors} error(s), {repeats} possible "
                 "repeat(s)"))
    click.echo(summary.format(name=source.name, created=report.created, skipped=report.skipped,
                              errors=report.errors, repeats=report.warnings + len(similar)), err=True)
    return 1 if report.errors else 0

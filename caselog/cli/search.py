"""Staff search commands: index, search, similar, import.

whoosh and jieba are imported inside the commands, so that the other commands
(validate above all) never pay for them.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..derive import STATUSES
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
        click.echo("building the search index (first time; see 'caselog index')...", err=True)
    report = update_index(env.root, today=env.today())
    if report.unusable:
        click.echo(f"warning: {len(report.unusable)} unusable case file(s) left out of the index; "
                   "run 'caselog validate'", err=True)


@main_group.command("index")
@click.option("--rebuild", is_flag=True, help="Build the index from scratch.")
@pass_env
def index(env, rebuild):
    """Build or update the staff search index (.caselog/index/, never published).

    Only case files changed since the last run are read again; deleted cases are removed.
    """
    from ..search.index import update_index

    report = update_index(env.root, rebuild=rebuild, today=env.today())
    for rel in report.unusable:
        click.echo(f"{rel}: left out (unusable; run 'caselog validate')", err=True)
    action = "built" if report.rebuilt else "updated"
    click.echo(f"index {action}: {report.indexed} case(s) indexed, {report.removed} removed, "
               f"{report.unchanged} unchanged; {report.documents} in the index "
               f"({report.size_bytes / 1e6:.1f} MB) in {report.seconds:.1f} s")


@main_group.command("search")
@click.argument("words", nargs=-1, required=True)
@click.option("--unit", help="Only cases now with this unit (key in registry/units.yaml).")
@click.option("--topic", help="Only cases with this topic (key in registry/topics.yaml).")
@click.option("--status", type=click.Choice(STATUSES), help="Only cases with this status.")
@click.option("--from", "since", type=DateType(), help="Only cases received on or after this day.")
@click.option("--to", "until", type=DateType(), help="Only cases received on or before this day.")
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True)
@click.option("--no-update", is_flag=True, help="Search the index as it is, without updating it first.")
@pass_env
def search(env, words, unit, topic, status, since, until, limit, fmt, no_update):
    """Search every case, open and non-public ones included, best match first.

    Words are ANDed; use OR, NOT, "quoted phrases" and fields like title:电梯,
    unit:housing-bureau, topics:housing, status:closed, received:2026-03 (see docs/search.md).
    """
    from ..search.query import CaseSearcher, Filters

    filters = Filters(unit=unit, topic=topic, status=status, since=since, until=until)
    filters.check(env.registry)
    _refresh(env, not no_update)
    with CaseSearcher(env.root) as searcher:
        results = searcher.search(" ".join(words), filters, limit)
    if results.loose:
        click.echo("no case has all the words; showing cases with some of them", err=True)
    if fmt == "json":
        _echo_json([hit.as_json() for hit in results.hits])
        return
    units = env.registry.units
    for hit in results.hits:
        unit_name = units[hit.unit].label if hit.unit in units else (hit.unit or "未交办")
        click.echo(f"{hit.id}  {hit.title}")
        click.echo(f"    {hit.status} · {unit_name} · {hit.received} · score {hit.score:.1f}")
        if hit.snippet:
            click.echo(f"    {hit.snippet}")
    shown = len(results.hits)
    click.echo(f"{shown} of {results.total} matching case(s)" if shown else "no matching case", err=True)


@main_group.command("similar")
@click.argument("case_id", metavar="[ID]", required=False)
@click.option("--text", help="Find cases like this text instead of a case.")
@click.option("--file", "text_file", type=click.File("r", encoding="utf-8"),
              help="Find cases like the text in this file ('-' for stdin).")
@click.option("--limit", type=click.IntRange(1, 100), default=5, show_default=True)
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True)
@click.option("--no-update", is_flag=True, help="Use the index as it is, without updating it first.")
@pass_env
def similar(env, case_id, text, text_file, limit, fmt, no_update):
    """The most similar earlier cases to case ID (or to a text), with the key terms they share."""
    from ..search.query import CaseSearcher
    from ..search.similar import similar_to_case, similar_to_text

    given = [x for x in (case_id, text, text_file) if x is not None]
    if len(given) != 1:
        raise click.UsageError("give a case ID, or --text TEXT, or --file FILE (one of them)")
    _refresh(env, not no_update)
    with CaseSearcher(env.root) as searcher:
        if case_id is not None:
            _case, hits = similar_to_case(env.root, case_id, limit, searcher)
        else:
            content = text if text is not None else text_file.read()
            if not content.strip():
                raise click.UsageError("the text is empty")
            hits = similar_to_text(searcher, content, limit)
    if fmt == "json":
        _echo_json([hit.as_json() for hit in hits])
        return
    for hit in hits:
        click.echo(f"{hit.id}  {hit.title}")
        click.echo(f"    {hit.status} · {hit.received} · overlap {hit.overlap:.0%} · "
                   f"shared terms: {'、'.join(hit.terms)}")
    if not hits:
        click.echo("no similar case", err=True)


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
            lines.append(f"{row.source}:{row.row}: warning: {case_id} may repeat {hit.id} {hit.title} "
                         f"(shared terms: {'、'.join(hit.terms)})")
    return lines


@main_group.command("import")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--mapping", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True,
              help="Column mapping (YAML; see docs/import-mapping.example.yaml).")
@click.option("--dry-run", is_flag=True,
              help="Check every row and report what a real run would do; write nothing.")
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True)
@pass_env
def import_(env, source, mapping, dry_run, fmt):
    """Create cases, with their replies, from a message platform's CSV or XLSX export.

    Rows already imported are skipped; all the new cases are written, or none. Repeats are
    pointed out (see docs/import.md).
    """
    from ..importer import import_file
    from ..importmap import load_mapping

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
    verb = "would create" if dry_run else "created"
    click.echo(f"{source.name}: {verb} {report.created}, skipped {report.skipped}, "
               f"{report.errors} error(s), {report.warnings + len(similar)} possible repeat(s)", err=True)
    return 1 if report.errors else 0

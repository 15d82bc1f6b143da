"""Commands for working with the case log through Git: `caselog pr-summary`."""

from __future__ import annotations

import json

import click

from ..prsummary import summarize, summary_json, summary_markdown
from .base import main_group, pass_env


@main_group.command("pr-summary")
@click.option("--base", "base", metavar="REF", required=True,
              help="Compare the working tree with this branch, tag or commit (e.g. origin/main).")
@click.option("--format", "fmt", type=click.Choice(["markdown", "json"]), default="markdown",
              show_default=True, help="markdown to read, json for scripts.")
@pass_env
def pr_summary(env, base, fmt):
    """Summarize what a change does to the case log since REF: cases opened, assigned,
    replied, extended, supervised, closed, reopened, corrected, and deadlines moved.

    Print it into a pull request description or a CI job summary.
    """
    registry = env.registry
    summary = summarize(env.root, base, registry)
    if fmt == "json":
        click.echo(json.dumps(summary_json(summary), ensure_ascii=False, indent=2))
    else:
        click.echo(summary_markdown(summary, registry), nl=False)

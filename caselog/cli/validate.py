"""`caselog validate`: check cases and the registry; one line per problem."""

from __future__ import annotations

import json
from pathlib import Path

import click

from .. import i18n
from ..edit import mask_case
from ..errors import InvalidCase
from ..i18n import _
from ..privacy import mask
from ..repository import list_case_files, load_log
from .base import main_group, pass_env


def _select(root: Path, paths: tuple[Path, ...]) -> list[str] | None:
    """Case files (relative to root) named by PATH arguments; None means all."""
    if not paths:
        return None
    every, _stray = list_case_files(root)
    chosen: list[str] = []
    for path in paths:
        resolved = path.resolve()
        try:
            rel = resolved.relative_to(root).as_posix()
        except ValueError:
            raise click.UsageError(_("{path} is outside the case log at {root}").format(
                path=path, root=root)) from None
        if resolved.is_dir() or rel in ("", "."):
            prefix = "" if rel in ("", ".") else rel.rstrip("/") + "/"
            chosen += [r for r in every if r.startswith(prefix)]
        elif rel.startswith("cases/registry/"):
            continue  # the registry is always checked
        elif resolved.exists():
            chosen.append(rel)
        else:
            raise click.UsageError(_("{path}: no such file or directory").format(path=path))
    return chosen


def format_problems(problems, fmt: str) -> list[str]:
    """Problems as lines of text, GitHub workflow commands, or one JSON document."""
    if fmt == "json":
        return [json.dumps([{"path": p.path, "line": p.line, "field": p.field,
                             "message": p.message, "severity": p.severity} for p in problems],
                           ensure_ascii=False, indent=2)]
    if fmt == "github":
        def esc(text: str) -> str:
            return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        # CI logs are kept and shared: the personal data a problem quotes is shown masked there
        return [f"::{p.severity} file={p.path},line={max(p.line, 1)},title={esc(p.field or 'file')}"
                f"::{esc(mask(p.message))}" for p in problems]
    return [str(p) for p in problems]


@main_group.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "github", "json"]), default="text",
              show_default=True,
              help="text to read, github for annotations, json for scripts (messages stay English).")
@click.option("--fix", is_flag=True, help="Mask unmasked personal data in place, then check again.")
@click.option("--base", "base", metavar="REF",
              help="Also check that changes since REF only append (see docs/audit-trail.md).")
@pass_env
def validate(env, paths, fmt, fix, base):
    """Check cases and the registry; exit 1 if there is any problem.

    Every problem is one line: path:line: field: message.
    """
    if fmt == "json":
        i18n.set_language("en")  # for scripts: messages stay as they were, whatever the locale
    root = env.root
    try:
        only = _select(root, paths)
        log = load_log(root, only, need="cases" if fix else "problems")  # masking needs cases
    except InvalidCase as exc:  # the registry itself is broken
        for line in format_problems(exc.problems, fmt):
            click.echo(line)
        return 1
    if fix:
        fixed = 0
        for loaded in log.files:
            if loaded.case is not None and any("caselog mask" in p.message for p in loaded.problems):
                fixed += len(mask_case(root, loaded, log.registry, today=env.today()))
        if fixed:
            click.echo(_("masked {n} item(s)").format(n=fixed), err=True)
            log = load_log(root, only)
    problems = list(log.problems)
    if base:
        from ..audit import append_only_problems
        problems += append_only_problems(root, base, only)
    for line in format_problems(problems, fmt):
        click.echo(line)
    errors = [p for p in problems if p.severity == "error"]
    files = len({p.path for p in errors})
    if fmt == "text":
        checked = _("checked {n} case file(s) and the registry").format(n=len(log.files))
        verdict = (_("{n} problem(s) in {files} file(s)").format(n=len(errors), files=files) if errors
                   else _("no problems"))
        click.echo(_("{checked}: {verdict}").format(checked=checked, verdict=verdict), err=True)
    return 1 if errors else 0

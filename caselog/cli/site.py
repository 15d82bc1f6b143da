"""`caselog build` and `caselog serve`: the public portal."""

from __future__ import annotations

import functools
import http.server
import threading
import typing
from pathlib import Path

import click

from ..i18n import _
from ..site.build import build_site
from .base import as_of_option, main_group, pass_env


def _build(env, output, as_of, settings, no_search, clean, publish):
    root = env.root
    settings_file = settings or root / ("publishconf.py" if publish else "pelicanconf.py")
    output = output if output.is_absolute() else (env.directory / output).resolve()
    report = build_site(root, output, as_of or env.today(), settings_file=settings_file,
                        search=not no_search, clean=clean)
    times = ", ".join(f"{k} {v:.1f}s" for k, v in report.timings.items())
    searched = ""
    if report.search_bundles:
        searched = _("; search index: {written} of {total} periods rewritten").format(
            written=len(report.search_written), total=len(report.search_bundles))
    click.echo(_("built {output}: {case_pages} case pages, {pages} files ({rendered} rendered, "
                 "{skipped} unchanged, {deleted} removed); {times}").format(
        output=output, case_pages=report.case_pages, pages=report.pages, rendered=report.rendered,
        skipped=report.skipped, deleted=report.deleted, times=times) + searched)
    if report.window_end is not None and report.window_end != (as_of or env.today()):
        click.echo(_("note: the newest message is from {end}: the headline figures and charts end there; "
                     "deadlines are judged as of {day} (to see the archive as it stood on that day: "
                     "--as-of {end})").format(end=report.window_end, day=as_of or env.today()), err=True)
    return output


def build_options(func):
    """Options shared by build and serve."""
    for option in reversed([
        click.option("--output", "-o", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
                     default=Path("output"), show_default=True, help="Where to write the site."),
        as_of_option,
        click.option("--settings", type=click.Path(dir_okay=False, exists=True, path_type=Path),
                     metavar="FILE",
                     help="Pelican settings file (default: pelicanconf.py in the repository)."),
        click.option("--publish", is_flag=True, help="Use publishconf.py (the public site URL)."),
        click.option("--no-search", is_flag=True, help="Skip the public search index."),
        click.option("--clean", is_flag=True, help="Empty the output directory first."),
    ]):
        func = option(func)
    return func


@main_group.command("build")
@build_options
@pass_env
def build(env, output, as_of, settings, publish, no_search, clean):
    """Build the public portal with Pelican, index it for search and check it for leaks."""
    _build(env, output, as_of, settings, no_search, clean, publish)


@main_group.command("serve")
@build_options
@click.option("--port", type=int, default=8000, show_default=True, help="Port to serve on.")
@click.option("--bind", default="127.0.0.1", show_default=True, help="Address to serve on.")
@click.option("--no-build", is_flag=True, help="Serve what is already in the output directory.")
@pass_env
def serve(env, output, as_of, settings, publish, no_search, clean, port, bind, no_build):
    """Build the portal and serve it on this computer (Ctrl-C stops)."""
    if no_build:
        output = output if output.is_absolute() else (env.directory / output).resolve()
    else:
        output = _build(env, output, as_of, settings, no_search, clean, publish)
    handler = functools.partial(_QuietHandler, directory=str(output))
    server = http.server.ThreadingHTTPServer((bind, port), handler)
    click.echo(_("serving {output} at {url} (Ctrl-C stops)").format(
        output=output, url=f"http://{bind}:{server.server_address[1]}/"))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        thread.join()
    except KeyboardInterrupt:
        server.shutdown()
        click.echo(_("stopped"))


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files, logging only errors."""

    extensions_map: typing.ClassVar[dict] = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".js": "text/javascript", ".xml": "application/xml",
                      ".json": "application/json", ".svg": "image/svg+xml"}

    def send_error(self, code, message=None, explain=None):
        # an unknown address gets the portal's own page, as on the web host (GitHub Pages, nginx)
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format, *args):
        if args and str(args[1]).startswith(("4", "5")):
            super().log_message(format, *args)

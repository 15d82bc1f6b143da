"""`caselog admin-config` and `caselog admin`: the staff editing interface (Decap CMS)."""

from __future__ import annotations

import signal
from pathlib import Path

import click

from ..cms import ADMIN_SOURCE, Backend, admin_config, case_periods, config_text, write_admin_site
from ..cmslocal import start_local_admin
from ..i18n import N_, _
from .base import main_group, pass_env

# the messages of these commands, in one place
WROTE = N_("wrote the editing interface to {dest} ({count} files); open {dest}/index.html through the site")
SERVING = N_("editing interface at {url} — each save is a commit on branch '{branch}' (Ctrl-C stops)")
SERVING_WORKFLOW = N_("editing interface at {url} — each save is a branch cms/... to review and merge "
                    "into '{branch}' (Ctrl-C stops)")
STOPPED = N_("stopped")


@main_group.command("admin-config")
@click.option("--backend", type=click.Choice(["github", "gitlab", "gitea", "forgejo"]), default="github",
              show_default=True, help="Where the office's repository is hosted.")
@click.option("--repo", default="office/caselog", show_default=True, metavar="OWNER/NAME",
              help="The repository on the forge.")
@click.option("--branch", default="main", show_default=True, help="The branch pull requests go into.")
@click.option("--base-url", help="The OAuth proxy (GitHub) or the forge's address (GitLab, Gitea, Forgejo).")
@click.option("--api-root",
              help="The forge's API address (GitHub Enterprise, self-hosted GitLab, Gitea or Forgejo).")
@click.option("--app-id", help="The OAuth application's id (GitLab, Gitea, Forgejo; sign-in with PKCE).")
@click.option("--output", "-o", type=click.Path(file_okay=False, path_type=Path),
              help="Write the whole admin page (page, config.yml, CMS bundle) into this folder; "
                   "without it, print config.yml.")
@pass_env
def admin_config_command(env, backend, repo, branch, base_url, api_root, app_id, output):
    """Make the editing interface's configuration from the registry and the case format.

    Every save in the interface opens a pull request (Decap CMS's editorial workflow).
    Publish the folder with the site, e.g. as output/admin.
    """
    config = admin_config(env.registry, Backend(name=backend, repo=repo, branch=branch,
                                                base_url=base_url, api_root=api_root, app_id=app_id),
                          case_periods(env.root, env.today()))
    if output is None:
        click.echo(config_text(config), nl=False)
        return
    dest = output if output.is_absolute() else (env.directory / output).resolve()
    written = write_admin_site(env.root / ADMIN_SOURCE, dest, config)
    click.echo(_(WROTE).format(dest=dest, count=len(written)))


@main_group.command("admin")
@click.option("--port", type=int, default=8081, show_default=True)
@click.option("--bind", default="127.0.0.1", show_default=True)
@click.option("--workflow", is_flag=True,
              help="Save each change on its own branch (cms/...) for review, as a pull request on a "
                   "forge; publishing it in the interface merges it.")
@pass_env
def admin(env, port, bind, workflow):
    """Edit cases in the browser on this computer: each save is a commit in this checkout.

    For trying the interface and for offices without a forge yet (Decap CMS's local
    git backend, from npm).
    """
    server = start_local_admin(env.root, env.registry, env.today(), port=port, bind=bind,
                               workflow=workflow)
    click.echo(_(SERVING_WORKFLOW if workflow else SERVING).format(url=server.url, branch=server.branch))
    signal.signal(signal.SIGTERM, _interrupt)  # a service manager's stop also stops the server
    try:
        server.process.wait()
    except KeyboardInterrupt:
        click.echo(_(STOPPED))
    finally:
        server.stop()


def _interrupt(signum, frame):
    raise KeyboardInterrupt

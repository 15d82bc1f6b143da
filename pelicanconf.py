"""Pelican settings for the caselog demo portal (development: relative site URL)."""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from caselog.site.settings import CASELOG_DEFAULTS  # noqa: E402

globals().update(CASELOG_DEFAULTS)

SITENAME = "青溪县网民留言办理公开"
SITESUBTITLE = "留言、答复与办理情况"
SITEURL = ""
PATH = os.path.join(HERE, "content")
THEME = os.path.join(HERE, "theme")
PLUGINS = ["caselog.site.pelican_plugin"]
CASELOG_ROOT = HERE
# Set to the repository's web address to link each case's commits, e.g. https://github.com/org/repo
CASELOG_REPO_URL = os.environ.get("CASELOG_REPO_URL") or None
RELATIVE_URLS = False
# Atom ids are tag: URIs from this authority (a domain or e-mail the office owns, and a date) and
# the case id: they stay the same when the site moves. Never change it once feeds are published.
CASELOG_FEED_AUTHORITY = "qingxi.example.org,2026"

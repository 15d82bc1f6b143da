"""Pelican settings for publishing: the public site URL comes from the environment."""

import os
import sys

sys.path.append(os.curdir)
from pelicanconf import *  # noqa: F403

# e.g. https://org.github.io/repo (GitHub Pages project site); empty means site-root relative
SITEURL = os.environ.get("CASELOG_SITEURL", "").rstrip("/")
CASELOG_REPO_URL = os.environ.get("CASELOG_REPO_URL") or None

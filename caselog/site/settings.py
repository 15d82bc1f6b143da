"""Default Pelican settings for a caselog portal; pelicanconf.py starts from these."""

from __future__ import annotations

CASELOG_DEFAULTS = {
    "DEFAULT_LANG": "zh-CN",
    "CASELOG_LOCALE": "zh_CN",
    "TIMEZONE": "Asia/Shanghai",
    "ARTICLE_PATHS": [],
    "PAGE_PATHS": ["pages"],
    "STATIC_PATHS": [],
    "DIRECT_TEMPLATES": [],
    "PAGINATED_TEMPLATES": {},
    "FEED_ALL_ATOM": None,
    "FEED_ALL_RSS": None,
    "CATEGORY_FEED_ATOM": None,
    "TRANSLATION_FEED_ATOM": None,
    "AUTHOR_FEED_ATOM": None,
    "AUTHOR_FEED_RSS": None,
    "TAG_FEED_ATOM": None,
    "ARCHIVES_SAVE_AS": "",
    "AUTHORS_SAVE_AS": "",
    "CATEGORIES_SAVE_AS": "",
    "TAGS_SAVE_AS": "",
    "CATEGORY_SAVE_AS": "",
    "TAG_SAVE_AS": "",
    "AUTHOR_SAVE_AS": "",
    "PAGE_URL": "{slug}/",
    "PAGE_SAVE_AS": "{slug}/index.html",
    "DELETE_OUTPUT_DIRECTORY": False,
    "CACHE_CONTENT": False,
    "JINJA_ENVIRONMENT": {"trim_blocks": True, "lstrip_blocks": True, "autoescape": True,
                          "extensions": ["jinja2.ext.i18n"]},
    "CASELOG_AS_OF": None,
    "CASELOG_REPO_URL": None,
    "CASELOG_SEARCH": True,
    # the tag: URI authority of the Atom feeds' ids: a domain or e-mail the office owns, and a date
    "CASELOG_FEED_AUTHORITY": None,
}

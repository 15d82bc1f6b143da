"""Rendering the whole portal into the output directory (called by the Pelican plugin)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .. import __version__
from . import charts, exports, i18n, labels
from .export_cache import export_fragments
from .feeds import feed_entry, tag_authority, tag_uri
from .model import SiteData
from .open311 import stamp
from .pages import PageSpec, _digest, all_pages
from .scan import Secrets
from .search_index import INDEX, SearchReport, write_search_index
from .text_checks import TextChecks
from .writer import PageWriter, write_file

FEED_ENTRIES = 30


@dataclass(frozen=True)
class RenderResult:
    """What the render pass did, for the build's checks and report."""

    pages: int
    case_pages: int
    rendered: int
    skipped: int
    deleted: int
    case_ids: tuple[str, ...]
    hidden_ids: frozenset[str]  # every case without a page: none may appear in the output
    secret_titles: frozenset[str]  # titles of public: false cases
    checked: dict  # output file -> leaks found: files checked, part by part, before they were written
    search: SearchReport | None  # the search bundles, when the build makes them
    window_end: date  # where the headline periods and charts end (SiteData.window_end)
    public_numbers: frozenset[str] = frozenset()  # the office's own numbers (digits): not personal data
    seen: dict | None = None  # path -> (size, mtime_ns) of the files the build found unchanged


def feed_pages(data: SiteData, authority: str) -> list[PageSpec]:
    """Atom feeds of newly resolved cases: all, per unit, per topic (ids minted by `authority`)."""
    timezone = data.registry.rules.timezone

    def feed(path, title_key, states):
        chosen = states[:FEED_ENTRIES]

        def context():
            entries = [feed_entry(s, data.view(s), authority, timezone) for s in chosen]
            # the feed changed when its latest entry did (Atom: updated is never older than an entry's)
            updated = max((e.updated for e in entries), default=stamp(data.as_of, timezone))
            return {"feed_path": path, "feed_title": title_key, "as_of": data.as_of,
                    "feed_updated": updated, "entries": entries,
                    "feed_id": tag_uri(authority, path.removesuffix(".atom.xml"))}

        # an empty feed is dated as_of (Atom needs <updated>), so its fingerprint holds the day
        parts = [data.case_fingerprint(s) for s in chosen] or [data.as_of.isoformat()]
        fingerprint = _digest("feed", path, *parts)
        return PageSpec(path, "feed.xml", context, fingerprint)

    specs = [feed("feeds/all.atom.xml", ("all", None), data.published)]
    for key in data.registry.units:
        specs.append(feed(f"feeds/units/{key}.atom.xml", ("units", key),
                          data.groups["units"].get(key, [])))
    for key in data.registry.topics:
        specs.append(feed(f"feeds/topics/{key}.atom.xml", ("topics", key),
                          data.groups["topics"].get(key, [])))
    return specs


def _theme_salt(theme: Path, settings: dict, data: SiteData) -> str:
    digest = hashlib.blake2b(digest_size=12)
    for path in sorted(theme.rglob("*")):
        if path.is_file() and path.suffix in (".html", ".xml", ".po"):
            digest.update(path.as_posix().encode())
            digest.update(path.read_bytes())
    for key in ("SITEURL", "SITENAME", "CASELOG_REPO_URL", "CASELOG_LOCALE", "CASELOG_SEARCH",
                "CASELOG_FEED_AUTHORITY"):
        digest.update(repr(settings.get(key)).encode())
    digest.update(__version__.encode())
    digest.update(data.registry_digest.encode())  # covers all of caselog's code (cache.code_digest)
    return digest.hexdigest()


def render_site(data: SiteData, env, output: Path, settings: dict, context: dict) -> RenderResult:
    """Write every page, feed and data file; delete what an earlier build wrote and this one did not."""
    site_url = settings.get("SITEURL", "")
    search = settings.get("CASELOG_SEARCH", True)
    granularity = settings.get("CASELOG_SEARCH_PERIOD", "auto")
    base = {**context, "registry": data.registry, "rules": data.registry.rules,
            "SITEURL": site_url, "REPO_URL": settings.get("CASELOG_REPO_URL"),
            "search_enabled": search,
            "unit_names": {k: u.name for k, u in data.registry.units.items()},
            "topic_names": {k: t.name for k, t in data.registry.topics.items()},
            "channel_names": {k: c.name for k, c in data.registry.channels.items()}}
    root = Path(settings["CASELOG_ROOT"])
    charts.use_disk_cache(root / ".caselog" / "charts")
    manifest = root / ".caselog" / "site-manifest.pickle"
    hidden_ids, secret_titles = data.policy.secret_ids, data.policy.secret_titles
    secrets = Secrets(hidden_ids, secret_titles, data.registry.public_numbers)
    checks = TextChecks(root / ".caselog" / "text-checks.pickle", secrets)
    writer = PageWriter(env, output, manifest, _theme_salt(Path(settings["THEME"]), settings, data), base,
                        {"as_of": data.as_of,
                         "data_since": min((s.received_day for s in data.states), default=None)},
                        check=checks)
    specs = [*all_pages(data), *feed_pages(data, tag_authority(settings.get("CASELOG_FEED_AUTHORITY")))]
    stats = writer.write(specs)
    pages = [s.path for s in specs] + [p.save_as for p in context.get("pages", ())]
    checked, files = _write_exports(data, writer, stats, output, site_url, secrets,
                                    root / ".caselog" / "exports", settings, pages)
    checked.update(stats.checked)
    searched = None
    if search:
        translations = i18n.load_translations(str(settings["THEME"]), settings.get("CASELOG_LOCALE", "zh_CN"))
        categories = {key: translations.gettext(name) for key, name in labels.CATEGORY.items()}
        searched = write_search_index(data, output, categories, checks, granularity,
                                      cache_dir=root / ".caselog" / "search")
        checked.update(searched.checked)
        stats.passed.update(searched.passed)
    # what passed is kept for the files written now and those left as they were: pages skipped,
    # and the records of search shards whose cases did not change
    produced = {*stats.files, *checked}
    if searched is not None:
        periods = set(searched.periods)
        produced.update(rel for rel in checks.previous
                        if rel.startswith(f"{INDEX}/") and rel.split("/")[1] in periods)
    checks.save(stats.passed, produced)
    return RenderResult(len(specs) + files, len(data.published), stats.rendered, stats.skipped,
                        stats.deleted, tuple(s.case.id for s in data.published), hidden_ids, secret_titles,
                        checked, searched, data.window_end, data.registry.public_numbers, stats.seen)


def _write_exports(data: SiteData, writer: PageWriter, stats, output: Path, site_url: str, secrets: Secrets,
                   cache_dir: Path, settings: dict, pages: list[str]) -> tuple[dict, int]:
    """Write the open data, the Open311 tree and the site's small files, and finish the writer;
    return what checking them found, per file, and how many files they are. (A function of its
    own: at 100,000 cases the fragments are some 900 MB, dropped before the search index is made.)"""
    fragments, checked = export_fragments(data, site_url, cache_dir, secrets.ids, secrets)
    contact = f"{settings.get('SITENAME', '')} {site_url}/about/"  # where the API's users can ask
    # each made when it is written, then dropped
    extra = {
        "data/cases.json": lambda: exports.cases_json(data, fragments),
        "data/cases.csv": lambda: exports.cases_csv(fragments),
        "data/stats.json": lambda: exports.stats_json(data),
        **exports.open311_files(data, fragments, site_url, contact),
        "robots.txt": lambda: exports.robots(site_url),
    }
    if exports.absolute(site_url):  # the sitemap protocol allows only absolute URLs
        extra["sitemap.xml"] = lambda: exports.sitemap(pages, site_url)
    for rel, make in extra.items():
        # the large exports are joined from checked fragments: written without reading back the old
        write_file(output, rel, make(), compare=rel not in checked)
    # each request's own files: written again only when the case's fingerprint changed; they hold
    # the same text as its part of requests.json/.xml, checked there
    for state, fragment in zip(data.published, fragments, strict=True):
        fingerprint = "open311|" + data.case_fingerprint(state)  # the writer's key digests it
        for rel, make in exports.request_files(state.case.id):
            writer.write_data(rel, fingerprint, make, fragment, stats)
            checked[rel] = []
    writer.finish(stats, dict.fromkeys(extra))
    return checked, len(extra)

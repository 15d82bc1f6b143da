"""Open data: cases.json, cases.csv, stats.json, each case's Open311 request (open311.py), the sitemap
and robots.txt.

Only published cases (closed and public) and only public fields go out.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from xml.sax.saxutils import escape

from ..publication import known_events
from ..stats import rank_units
from . import open311
from .model import SiteData

CSV_FIELDS = ("id", "title", "received", "channel", "category", "topics", "area", "unit",
              "accepted_on", "first_reply_due", "first_reply_on", "final_reply_due", "final_reply_on",
              "final_reply_on_time", "workdays_to_final_reply", "closed_on", "outcome", "satisfaction",
              "reopen_count", "url")


def _iso(value) -> str | None:
    return value.isoformat() if value else None


# Netizen text stays verbatim in the data, but never as markup: '<', '>' and '&' are written as
# JSON escapes, so a file opened or sniffed as HTML holds no tag (the decoded text is unchanged).
# (str.replace, not str.translate: translate walks a 100 MB export a character at a time in Python)
def _json(value, **options) -> str:
    text = json.dumps(value, ensure_ascii=False, **options)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _csv_cell(value):
    # a cell starting with = + - @ (or a tab or CR) is a formula to spreadsheet programs: make it text
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def case_record(data: SiteData, state, site_url: str) -> dict:
    """A published case's public fields, for JSON and CSV."""
    case = state.case
    finals = [e for e in known_events(state) if e.type == "replied" and e.final]
    received = case.received
    return {
        "id": case.id, "title": case.title,
        # a moment with the office's UTC offset (a bare day stays a day: its hour is not known)
        "received": (open311.stamp(received, data.registry.rules.timezone, timespec="minutes")
                     if isinstance(received, datetime) else str(received)),
        "channel": case.channel, "category": case.category, "topics": list(case.topics),
        "area": case.area, "unit": state.unit, "accepted_on": _iso(state.accepted_on),
        "first_reply_due": _iso(state.first_reply.due), "first_reply_on": _iso(state.first_reply_on),
        "final_reply_due": _iso(state.final_reply.due), "final_reply_on": _iso(state.final_reply_on),
        "final_reply_on_time": state.final_reply.on_time,
        "workdays_to_final_reply": state.workdays_to_final_reply,
        "closed_on": _iso(state.closed_on), "outcome": state.outcome,
        "satisfaction": state.satisfaction, "reopen_count": state.reopen_count,
        "url": f"{site_url}/cases/{case.id}/",
        "author_alias": case.author.alias, "message": case.message,
        "final_reply": finals[-1].text if finals else None,
    }


@dataclass(frozen=True)
class Fragments:
    """A published case's part of each export, as the exact text it adds to the file, in UTF-8
    (kept as bytes: 100,000 cases' fragments load from the cache and join into the files some
    eight times faster than as str, and need no encoding to be written)."""

    json: bytes  # its object in cases.json's "cases" list
    csv: bytes  # its row of cases.csv
    open311: bytes  # its object in requests.json (and the whole of its own requests/<id>.json)
    open311_xml: bytes  # its <request> in requests.xml

    def texts(self) -> tuple[str, str, str, str]:
        """The four texts, decoded (to be checked)."""
        return (self.json.decode("utf-8"), self.csv.decode("utf-8"), self.open311.decode("utf-8"),
                self.open311_xml.decode("utf-8"))


def _indented(text: str, prefix: str) -> str:
    return prefix + text.replace("\n", "\n" + prefix)


def case_fragments(data: SiteData, state, site_url: str) -> Fragments:
    """What a published case puts in cases.json, cases.csv, requests.json and requests.xml."""
    record = case_record(data, state, site_url)
    row = dict(record)
    row["topics"] = ";".join(row["topics"])
    buffer = io.StringIO()
    csv.DictWriter(buffer, fieldnames=CSV_FIELDS, extrasaction="ignore", lineterminator="\n").writerow(
        {key: _csv_cell(value) for key, value in row.items()})
    # laid out as json.dumps(..., indent=1) lays out the whole file: two levels down, one level down
    request = open311.request_row(data, state, site_url)
    texts = (_indented(_json(record, indent=1), "  "), buffer.getvalue(),
             _indented(_json(request, indent=1), " "), open311.request_xml(request))
    return Fragments(*(text.encode("utf-8") for text in texts))


def cases_json(data: SiteData, fragments: list[Fragments]) -> bytes:
    """data/cases.json (the same text as json.dumps of the whole, indent=1), in UTF-8."""
    head = f'{{\n "as_of": "{data.as_of.isoformat()}",\n "count": {len(fragments)},\n "cases": '.encode()
    if not fragments:
        return head + b"[]\n}"
    return head + b"[\n" + b",\n".join(f.json for f in fragments) + b"\n ]\n}"


def cases_csv(fragments: list[Fragments]) -> bytes:
    """data/cases.csv (UTF-8 with BOM so spreadsheet programs read the Chinese right)."""
    return ("\ufeff" + ",".join(CSV_FIELDS) + "\n").encode("utf-8") + b"".join(f.csv for f in fragments)


def open311_files(data: SiteData, fragments: list[Fragments], site_url: str, contact: str
                  ) -> dict[str, Callable[[], str | bytes]]:
    """The Open311 GeoReport v2 tree: discovery, services, all requests (each request:
    request_files), as path -> a function making the file (the requests of 100,000 cases are
    some 200 MB: each file is made when it is written, not all at once)."""
    timezone = data.registry.rules.timezone
    document = open311.discovery(site_url, data.as_of, timezone, contact)
    services = open311.services(data.registry)
    return {
        "open311/discovery.json": lambda: _json(document, indent=1),
        "open311/discovery.xml": lambda: open311.discovery_xml(document),
        "open311/v2/services.json": lambda: _json(services, indent=1),
        "open311/v2/services.xml": lambda: open311.services_xml(services),
        # as open311.requests_json and requests_xml lay them out, joined as bytes
        "open311/v2/requests.json": lambda: (b"[\n" + b",\n".join(f.open311 for f in fragments) + b"\n]"
                                             if fragments else b"[]"),
        "open311/v2/requests.xml": lambda: (
            open311.requests_xml([]).removesuffix("</service_requests>\n").encode()
            + b"".join(f.open311_xml + b"\n" for f in fragments) + b"</service_requests>\n"),
    }


def request_files(case_id: str, fragment: Fragments) -> tuple[tuple[str, Callable[[], str]], ...]:
    """A published case's own Open311 request files (a list of one, as the API answers), as
    (path, a function making the text: called only when the file is to be written)."""
    return ((f"open311/v2/requests/{case_id}.json",
             lambda: open311.requests_json([fragment.open311.decode("utf-8")])),
            (f"open311/v2/requests/{case_id}.xml",
             lambda: open311.requests_xml([fragment.open311_xml.decode("utf-8")])))


def stats_json(data: SiteData) -> str:
    """data/stats.json: every period's figures, overall and by unit, topic, channel and category."""
    from ..cli.render import report_json  # one JSON shape for the CLI and the site

    periods = {p.label: report_json(data.report(p)) for p in data.periods}
    overall = report_json(data.report("all"))
    ranked, unranked = rank_units(data.report(str(data.as_of.year)))
    return _json({"as_of": data.as_of.isoformat(), "all": overall, "periods": periods,
                  "unit_ranking": {"period": str(data.as_of.year), "ranked": [k for k, _ in ranked],
                                   "too_few_cases": [k for k, _ in unranked]}},
                 indent=1, sort_keys=True)


def absolute(site_url: str) -> bool:
    """Whether the site URL is absolute (http or https): what sitemaps and feed links need."""
    return site_url.startswith(("https://", "http://"))


def sitemap(paths: list[str], site_url: str) -> str:
    """sitemap.xml listing every HTML page (the protocol wants absolute URLs: only with SITEURL)."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for path in sorted(paths):
        if path.endswith("index.html"):
            url = f"{site_url}/{path[: -len('index.html')]}"
            lines.append(f"  <url><loc>{escape(url)}</loc></url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def robots(site_url: str) -> str:
    """robots.txt: everything may be read; the sitemap is named when there is one."""
    text = "User-agent: *\nAllow: /\n"
    if absolute(site_url):
        text += f"Sitemap: {site_url}/sitemap.xml\n"
    return text

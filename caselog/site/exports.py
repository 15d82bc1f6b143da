"""Open data: cases.json, cases.csv, stats.json, an Open311 GeoReport v2 export, and the sitemap.

Only published cases (closed and public) and only public fields go out.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date, datetime, time
from xml.sax.saxutils import escape

from ..publication import known_events
from ..stats import rank_units
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
        "received": received.strftime("%Y-%m-%dT%H:%M") if isinstance(received, datetime) else str(received),
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
    """A published case's part of each export, as the exact text it adds to the file."""

    json: str  # its object in cases.json's "cases" list
    csv: str  # its row of cases.csv
    open311: str  # its object in requests.json


def _indented(text: str, prefix: str) -> str:
    return prefix + text.replace("\n", "\n" + prefix)


def case_fragments(data: SiteData, state, site_url: str) -> Fragments:
    """What a published case puts in cases.json, cases.csv and requests.json."""
    record = case_record(data, state, site_url)
    row = dict(record)
    row["topics"] = ";".join(row["topics"])
    buffer = io.StringIO()
    csv.DictWriter(buffer, fieldnames=CSV_FIELDS, extrasaction="ignore", lineterminator="\n").writerow(
        {key: _csv_cell(value) for key, value in row.items()})
    # laid out as json.dumps(..., indent=1) lays out the whole file: two levels down, one level down
    return Fragments(_indented(_json(record, indent=1), "  "), buffer.getvalue(),
                     _indented(_json(open311_row(data, state), indent=1), " "))


def cases_json(data: SiteData, fragments: list[Fragments]) -> str:
    """data/cases.json (the same text as json.dumps of the whole, indent=1)."""
    head = f'{{\n "as_of": "{data.as_of.isoformat()}",\n "count": {len(fragments)},\n "cases": '
    if not fragments:
        return head + "[]\n}"
    return head + "[\n" + ",\n".join(f.json for f in fragments) + "\n ]\n}"


def cases_csv(fragments: list[Fragments]) -> str:
    """data/cases.csv (UTF-8 with BOM so spreadsheet programs read the Chinese right)."""
    return "\ufeff" + ",".join(CSV_FIELDS) + "\n" + "".join(f.csv for f in fragments)


def open311(fragments: list[Fragments]) -> str:
    """open311/v2/requests.json in the GeoReport v2 shape."""
    if not fragments:
        return "[]"
    return "[\n" + ",\n".join(f.open311 for f in fragments) + "\n]"


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


def _stamp(day: date | datetime | None) -> str | None:
    if day is None:
        return None
    if not isinstance(day, datetime):
        day = datetime.combine(day, time(0, 0))
    return day.strftime("%Y-%m-%dT%H:%M:%S+08:00")


def open311_row(data: SiteData, state) -> dict:
    """A published case as a GeoReport v2 service request."""
    case = state.case
    registry = data.registry
    unit = registry.units.get(state.unit) if state.unit else None
    topic = registry.topics.get(case.topics[0])
    updated = max((e.date for e in known_events(state)), key=_stamp, default=case.received)
    return {
        "service_request_id": case.id,
        "status": "closed" if state.status == "closed" else "open",
        "status_notes": _status_notes(state),
        "service_name": topic.name if topic else case.topics[0],
        "service_code": case.topics[0],
        "description": case.title,
        "agency_responsible": unit.name if unit else None,
        "service_notice": None,
        "requested_datetime": _stamp(case.received),
        "updated_datetime": _stamp(updated),
        "expected_datetime": _stamp(state.final_reply.due),
        "address": case.area, "address_id": None, "zipcode": None, "lat": None, "long": None,
        "media_url": None,
    }


def _status_notes(state) -> str:
    outcome = {"resolved": "已解决", "explained": "已解释说明", "unfounded": "经核查反映情况不属实",
               "referred": "已转交其他渠道办理", "duplicate": "重复留言，已并案办理",
               "withdrawn": "网民已撤回"}
    note = outcome.get(state.outcome or "", "办理中")
    if state.final_reply_on:
        timing = "按期" if state.final_reply.on_time else "超期"
        note += f"；{state.final_reply_on.isoformat()} {timing}答复"
    return note


def sitemap(paths: list[str], site_url: str) -> str:
    """sitemap.xml listing every HTML page."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for path in sorted(paths):
        if path.endswith("index.html"):
            url = f"{site_url}/{path[: -len('index.html')]}"
            lines.append(f"  <url><loc>{escape(url)}</loc></url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"

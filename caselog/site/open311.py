"""The Open311 GeoReport v2 export: a static tree a GeoReport client reads like the live API.

    open311/discovery.json, .xml      the service discovery document
    open311/v2/services.json, .xml    one service per topic of the registry
    open311/v2/requests.json, .xml    every published case as a service request
    open311/v2/requests/<id>.json, .xml   one request (a list of one, as the API answers)

How a case maps (docs/open-data.md says the same to data users):

- `service_code` is the case's first topic (its main one); a case with several topics lists
  them all in `extended_attributes.topics`, and it is counted once, under its first topic.
- `description` is the citizen's message; the case's title is `extended_attributes.title`.
- `expected_datetime` is the end of the final-reply deadline's day (23:59:59 local time),
  after extensions, supervision notices and reopening; null when the case needed no reply
  (a duplicate or withdrawn message closed without one).
- `updated_datetime` is when the request was fulfilled: the (last) final reply, or the
  closing for a case closed without one. The follow-up visit and the closing after a reply
  are not counted as updates, so `updated_datetime <= expected_datetime` exactly when the
  final reply was on time; the closing day is `extended_attributes.closed_on`.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from .views import known_events

SPEC = "http://wiki.open311.org/GeoReport_v2"
FIELDS = ("service_request_id", "status", "status_notes", "service_name", "service_code", "description",
          "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
          "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url")
OUTCOME_NOTES = {"resolved": "已解决", "explained": "已解释说明", "unfounded": "经核查反映情况不属实",
                 "referred": "已转交其他渠道办理", "duplicate": "重复留言，已并案办理",
                 "withdrawn": "网民已撤回"}


def stamp(moment: date | datetime | None, timezone: str, end_of_day: bool = False,
          timespec: str = "seconds") -> str | None:
    """A W3C datetime with the office's UTC offset; a bare day is its start (or its end)."""
    if moment is None:
        return None
    if not isinstance(moment, datetime):
        moment = datetime.combine(moment, time(23, 59, 59) if end_of_day else time(0, 0))
    return moment.replace(tzinfo=ZoneInfo(timezone)).isoformat(timespec=timespec)


def request_row(data, state, site_url: str) -> dict:
    """A published case as a GeoReport v2 service request (the spec's fields, then extensions)."""
    case = state.case
    registry = data.registry
    timezone = registry.rules.timezone
    unit = registry.units.get(state.unit) if state.unit else None
    topic = registry.topics.get(case.topics[0])
    events = known_events(state)
    finals = [e for e in events if e.type == "replied" and e.final]
    closed = [e for e in events if e.type == "closed"]
    fulfilled = finals[-1].date if finals else (closed[-1].date if closed else None)
    requested = case.received
    updated = stamp(fulfilled, timezone)
    if updated is not None and updated < stamp(requested, timezone):  # a bare day before the hour received
        updated = stamp(requested, timezone)
    needs_reply = state.final_reply.on_time is not None
    return {
        "service_request_id": case.id,
        "status": "closed" if state.status == "closed" else "open",
        "status_notes": status_notes(state),
        "service_name": topic.name if topic else case.topics[0],
        "service_code": case.topics[0],
        "description": case.message,
        "agency_responsible": unit.name if unit else None,
        "service_notice": None,
        "requested_datetime": stamp(requested, timezone),
        "updated_datetime": updated,
        "expected_datetime": stamp(state.final_reply.due, timezone, end_of_day=True) if needs_reply else None,
        "address": case.area, "address_id": None, "zipcode": None, "lat": None, "long": None,
        "media_url": None,
        "extended_attributes": {
            "title": case.title, "topics": list(case.topics), "url": f"{site_url}/cases/{case.id}/",
            "final_reply_on_time": state.final_reply.on_time,
            "closed_on": state.closed_on.isoformat() if state.closed_on else None,
        },
    }


def status_notes(state) -> str:
    """The outcome and whether the final reply was on time, in words."""
    note = OUTCOME_NOTES.get(state.outcome or "", "办理中")
    if state.final_reply_on:
        timing = "按期" if state.final_reply.on_time else "超期"
        note += f"；{state.final_reply_on.isoformat()} {timing}答复"
    return note


# characters XML 1.0 cannot hold at all, escaped or not (JSON keeps them)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return escape(_NOT_XML.sub("", str(value)))


def request_xml(row: dict) -> str:
    """One <request> element of requests.xml (extended attributes as child elements)."""
    lines = ["  <request>"]
    for name in FIELDS:
        lines.append(f"    <{name}>{_xml_value(row[name])}</{name}>")
    extra = row["extended_attributes"]
    lines.append("    <extended_attributes>")
    for name, value in extra.items():
        if name == "topics":
            topics = "".join(f"<topic>{_xml_value(t)}</topic>" for t in value)
            lines.append(f"      <topics>{topics}</topics>")
        else:
            lines.append(f"      <{name}>{_xml_value(value)}</{name}>")
    lines.append("    </extended_attributes>")
    lines.append("  </request>")
    return "\n".join(lines)


XML_HEAD = '<?xml version="1.0" encoding="utf-8"?>\n'


def requests_json(fragments: list[str]) -> str:
    """requests.json (or a single request's file) from each request's JSON object."""
    if not fragments:
        return "[]"
    return "[\n" + ",\n".join(fragments) + "\n]"


def requests_xml(fragments: list[str]) -> str:
    """requests.xml (or a single request's file) from each request's <request> element."""
    return XML_HEAD + "<service_requests>\n" + "".join(f + "\n" for f in fragments) + "</service_requests>\n"


def services(registry) -> list[dict]:
    """One GeoReport service per topic: cases are filed under their first topic."""
    return [{"service_code": key, "service_name": topic.name,
             "description": f"涉及“{topic.name}”领域的网民留言", "metadata": False, "type": "batch",
             "keywords": "", "group": ""}
            for key, topic in registry.topics.items()]


def services_xml(rows: list[dict]) -> str:
    """services.xml."""
    out = [XML_HEAD + "<services>"]
    for row in rows:
        out.append("  <service>" + "".join(f"<{k}>{_xml_value(v)}</{k}>" for k, v in row.items())
                   + "</service>")
    out.append("</services>\n")
    return "\n".join(out)


def discovery(site_url: str, as_of: date, timezone: str, contact: str) -> dict:
    """The service discovery document: where the v2 endpoint is, in which formats."""
    changeset = stamp(as_of, timezone)
    return {"changeset": changeset, "contact": contact, "key_service": "",
            "endpoints": [{"specification": SPEC, "url": f"{site_url}/open311/v2", "changeset": changeset,
                           "type": "production", "formats": ["application/json", "text/xml"]}]}


def discovery_xml(document: dict) -> str:
    """discovery.xml."""
    def elements(item: dict, names) -> str:
        return "".join(f"<{k}>{_xml_value(item[k])}</{k}>" for k in names)

    endpoints = "".join(
        "<endpoint>" + elements(e, ("specification", "url", "changeset", "type")) + "<formats>"
        + "".join(f"<format>{escape(f)}</format>" for f in e["formats"]) + "</formats></endpoint>"
        for e in document["endpoints"])
    return (XML_HEAD + "<discovery>" + elements(document, ("changeset", "contact", "key_service"))
            + f"<endpoints>{endpoints}</endpoints></discovery>\n")

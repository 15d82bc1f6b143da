"""Write the demo case log (cases/20*/) from the hand-written scenarios in demo_scenarios.yaml.

    python scripts/make_demo.py                 # rewrite cases/20*/ (never cases/registry/)
    python scripts/make_demo.py --check         # verify the files on disk, write nothing

The output is deterministic for a seed: each case draws its received day and time,
its id and the jitter of its event dates from a random generator seeded with
"<seed>/<ref>", so editing one scenario does not change the ids of the others.
The county (青溪县, 湘江市) and every person in it are fictional.
"""

from __future__ import annotations

import argparse
import calendar
import random
import re
import shutil
import sys
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # 0-9A-Z without I L O U
FIRST_RECEIVED = date(2025, 9, 1)
LAST_RECEIVED = date(2026, 11, 20)

# The State Council's holiday schedules for 2025 and 2026 (weekdays off / weekend make-up days).
HOLIDAYS = {
    date.fromisoformat(d)
    for d in (
        "2025-01-01 2025-01-28 2025-01-29 2025-01-30 2025-01-31 2025-02-03 2025-02-04 "
        "2025-04-04 2025-05-01 2025-05-02 2025-05-05 2025-06-02 2025-10-01 2025-10-02 "
        "2025-10-03 2025-10-06 2025-10-07 2025-10-08 2026-01-01 2026-01-02 2026-02-16 "
        "2026-02-17 2026-02-18 2026-02-19 2026-02-20 2026-02-23 2026-04-06 2026-05-01 "
        "2026-05-04 2026-05-05 2026-06-19 2026-09-25 2026-10-01 2026-10-02 2026-10-05 "
        "2026-10-06 2026-10-07"
    ).split()
}
MAKEUP_WORKDAYS = {
    date.fromisoformat(d)
    for d in (
        "2025-01-26 2025-02-08 2025-04-27 2025-09-28 2025-10-11 2026-01-04 2026-02-14 "
        "2026-02-28 2026-05-09 2026-09-20 2026-10-10"
    ).split()
}

LIMITS = {"normal": (5, 15), "urgent": (1, 5)}  # mirrors cases/registry/rules.yaml
WARNING_DAYS, SEVERE_AFTER_DAYS = 3, 10

# Working days after the previous step when a step gives no `after` or `at`.
DEFAULT_AFTER = {
    "assigned": (0, 1),
    "instructed": (0, 1),
    "supervised": (2, 4),
    "interim": (2, 4),
    "final": (3, 9),
    "extended": (1, 3),
    "visited": (1, 3),
    "closed": (0, 1),
    "reopened": (0, 1),
    "corrected": (1, 5),
}
# Fields of each event type, in the order they are written.
EVENT_FIELDS = {
    "accepted": ("note",),
    "assigned": ("unit", "mode", "note"),
    "instructed": ("by", "text"),
    "supervised": ("ref", "due", "text"),
    "replied": ("unit", "final", "text"),
    "extended": ("approved_by", "reason", "days"),
    "visited": ("method", "satisfaction", "note"),
    "closed": ("outcome", "duplicate_of", "referred_to", "note"),
    "reopened": ("reason",),
    "corrected": ("text",),
}
STEP_ONLY = {"after", "at", "due_in"}
CASE_KEYS = {
    "ref",
    "received",
    "channel",
    "category",
    "topics",
    "area",
    "priority",
    "public",
    "source",
    "author",
    "title",
    "message",
    "flow",
    "related",
    "unit",
}
SOURCE_URLS = {
    "people-leaders-board": "https://example.org/leaders-board/thread/{n}",
    "rednet-wenzheng": "https://example.org/wenzheng/detail/{n}",
    "weibo": "https://example.org/weibo/qingxi-fabu/status/{n}",
    "county-portal": "https://example.org/qingxi/hudong/letter/{n}",
    "mayor-mailbox": "https://example.org/qingxi/mayor-mailbox/letter/{n}",
}
MOBILE_RE = re.compile(r"1[3-9]\d{9}")
HOSTILE_RE = re.compile(r"<script|onerror=|\]\(javascript:", re.I)


class ScenarioError(Exception):
    """A scenario in demo_scenarios.yaml cannot be turned into a case."""


# ---------------------------------------------------------------- working days


def is_workday(day: date) -> bool:
    """True on a Chinese working day (make-up weekends count, statutory holidays do not)."""
    if day in MAKEUP_WORKDAYS:
        return True
    return day.weekday() < 5 and day not in HOLIDAYS


def add_workdays(day: date, n: int) -> date:
    """The n-th working day strictly after `day` (`day` itself when n is 0)."""
    while n > 0:
        day += timedelta(days=1)
        if is_workday(day):
            n -= 1
    return day


def workdays_between(start: date, end: date) -> int:
    """Working days in (start, end]."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        count += is_workday(day)
    return count


# ---------------------------------------------------------------- building cases


def draw_received(spec: str, rng: random.Random) -> datetime:
    """A received moment from "2026-03", "2026-03-02" or "2026-03-02 09:14"."""
    spec = str(spec)
    if len(spec) == 7:
        year, month = map(int, spec.split("-"))
        days = [date(year, month, d) for d in range(1, calendar.monthrange(year, month)[1] + 1)]
        days = [d for d in days if FIRST_RECEIVED <= d <= LAST_RECEIVED]
        day = rng.choices(days, weights=[3 if is_workday(d) else 1 for d in days])[0]
    else:
        day = date.fromisoformat(spec[:10])
    if len(spec) > 10:
        return datetime.fromisoformat(spec)
    hour = rng.choices(range(7, 24), weights=[2, 5, 8, 8, 6, 4, 5, 6, 6, 5, 4, 4, 5, 6, 6, 4, 2])[0]
    return datetime(day.year, day.month, day.day, hour, rng.randrange(60))


def draw_id(received: datetime, rng: random.Random) -> str:
    return f"{received:%Y%m%d}-" + "".join(rng.choice(CROCKFORD) for _ in range(6))


def step_date(kind: str, params: dict, previous: date, rng: random.Random) -> date:
    """The date of a flow step: `at`, or `after` (or the default) working days after the last."""
    if "at" in params:
        return date.fromisoformat(str(params["at"]))
    after = params.get("after", DEFAULT_AFTER[kind])
    if isinstance(after, (list, tuple)):
        after = rng.randint(after[0], after[1])
    return add_workdays(previous, int(after))


def substitute(text: str, ids: dict, where: str) -> str:
    """Replace {id:REF} with the id of that case."""

    def one(match):
        if match.group(1) not in ids:
            raise ScenarioError(f"{where}: unknown ref '{match.group(1)}' in text")
        return ids[match.group(1)]

    return re.sub(r"\{id:([a-z0-9-]+)\}", one, text)


def build_events(spec: dict, scenario: dict, received: datetime, ids: dict, rng: random.Random) -> list[dict]:
    """Turn a case's flow into events with dates, units and resolved refs."""
    where = spec["ref"]
    events: list[dict] = []
    previous = received.date()
    unit = None
    for raw in spec["flow"]:
        kind, params = (raw, {}) if isinstance(raw, str) else next(iter(raw.items()))
        params = dict(params or {})
        if kind not in EVENT_FIELDS:
            raise ScenarioError(f"{where}: unknown step '{kind}'")
        unknown = set(params) - set(EVENT_FIELDS[kind]) - STEP_ONLY
        if unknown:
            raise ScenarioError(f"{where}: step '{kind}' has unknown fields {sorted(unknown)}")
        if kind == "accepted":
            if "at" in params:
                day = date.fromisoformat(str(params["at"]))
            elif "after" in params:
                day = add_workdays(received.date(), int(params["after"]))
            elif is_workday(received.date()) and received.hour < 17:
                day = received.date()
            else:
                day = add_workdays(received.date(), 1)
        else:
            key = kind if kind != "replied" else ("final" if params.get("final") else "interim")
            day = step_date(key, params, previous, rng)
        if day < previous:
            raise ScenarioError(f"{where}: step '{kind}' on {day} is before {previous}")
        event = {"date": day, "type": kind}
        if kind == "assigned":
            unit = params.get("unit") or spec.get("unit") or scenario.get("unit")
            params.update(unit=unit, mode=params.get("mode", "assign"))
        elif kind == "replied":
            params["unit"] = params.get("unit") or unit
            if params["unit"] is None:
                raise ScenarioError(f"{where}: reply before any assignment")
            params["final"] = bool(params.get("final"))
        elif kind == "supervised":
            params["ref"] = "?"  # numbered in date order by number_supervision()
            if "due_in" in params:
                params["due"] = add_workdays(day, int(params["due_in"]))
            elif "due" in params:
                params["due"] = date.fromisoformat(str(params["due"]))
        elif kind == "closed" and "duplicate_of" in params:
            params["duplicate_of"] = ids[params["duplicate_of"]]
        for name in EVENT_FIELDS[kind]:
            if params.get(name) is not None:
                value = params[name]
                event[name] = substitute(value, ids, where) if isinstance(value, str) else value
        events.append(event)
        previous = day
    return events


def build_cases(scenarios: list[dict], seed: int) -> list[dict]:
    """All demo cases, as ordered dicts in the contract's field order, sorted by received."""
    specs = []
    for scenario in scenarios:
        for index, spec in enumerate(scenario["cases"], 1):
            spec = dict(spec)
            spec.setdefault("ref", f"{scenario['key']}-{index}")
            unknown = set(spec) - CASE_KEYS
            if unknown:
                raise ScenarioError(f"{spec['ref']}: unknown case fields {sorted(unknown)}")
            specs.append((scenario, spec))
    refs = Counter(spec["ref"] for _, spec in specs)
    if refs.most_common(1)[0][1] > 1:
        raise ScenarioError(f"duplicate refs: {[r for r, n in refs.items() if n > 1]}")
    rngs, received, ids = {}, {}, {}
    for _, spec in specs:
        rng = rngs[spec["ref"]] = random.Random(f"{seed}/{spec['ref']}")
        received[spec["ref"]] = draw_received(spec["received"], rng)
        ids[spec["ref"]] = draw_id(received[spec["ref"]], rng)
    if len(set(ids.values())) != len(ids):
        raise ScenarioError("two cases drew the same id; change the seed")
    cases = []
    for scenario, spec in specs:
        ref, rng = spec["ref"], rngs[spec["ref"]]
        channel = spec.get("channel", scenario.get("channel"))
        author = spec["author"]
        case = {
            "id": ids[ref],
            "title": spec["title"],
            "received": received[ref].strftime("%Y-%m-%d %H:%M"),
            "channel": channel,
        }
        if spec.get("source"):
            case["source_url"] = SOURCE_URLS[channel].format(n=rng.randrange(100000, 999999))
        case["category"] = spec.get("category", scenario.get("category"))
        case["topics"] = list(spec.get("topics", scenario.get("topics")))
        if spec.get("area"):
            case["area"] = spec["area"]
        case["priority"] = spec.get("priority", "normal")
        case["author"] = {
            "alias": author["alias"],
            "real_name": bool(author.get("real_name")),
            "contact_on_file": bool(author.get("contact", True)),
        }
        case["public"] = bool(spec.get("public", scenario.get("public", True)))
        case["message"] = spec["message"]
        case["events"] = build_events(spec, scenario, received[ref], ids, rng)
        if spec.get("related"):
            case["related"] = [ids[r] for r in spec["related"]]
        case["_ref"], case["_scenario"] = ref, scenario["key"]
        cases.append(case)
    number_supervision(cases, seed)
    return sorted(cases, key=lambda c: (c["received"], c["id"]))


def number_supervision(cases: list[dict], seed: int) -> None:
    """Give supervision notices increasing numbers per year, in date order (others fill the gaps)."""
    notices = sorted(
        ((e["date"], c["id"], e) for c in cases for e in c["events"] if e["type"] == "supervised"),
        key=lambda t: t[:2],
    )
    rng, counters = random.Random(f"{seed}/supervision"), {}
    for day, _, event in notices:
        counters[day.year] = counters.get(day.year, 0) + rng.randint(1, 6)
        event["ref"] = f"青督〔{day.year}〕{counters[day.year]}号"


# ---------------------------------------------------------------- writing YAML by hand


def _round_trips(text: str, value) -> bool:
    try:
        return yaml.safe_load(text) == value
    except yaml.YAMLError:
        return False


def scalar(value, flow: bool = False) -> str:
    """A one-line scalar: plain when YAML reads it back as the same string, else double-quoted."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, date)):
        return str(value)
    plain_ok = (
        value
        and value == value.strip()
        and "\n" not in value
        and not re.search(r": | #|^[-?:,\[\]{}#&*!|>'\"%@`]", value)
        and not (flow and re.search(r"[,\[\]{}]", value))
        and _round_trips(f"k: {value}", {"k": value})
    )
    if plain_ok:
        return value
    quoted = '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    assert _round_trips(f"k: {quoted}", {"k": value}), value
    return quoted


def literal(value: str, indent: int) -> str:
    """A block literal (|) for free text; every line indented, trailing spaces dropped."""
    pad = " " * indent
    lines = [line.rstrip() for line in value.rstrip("\n").split("\n")]
    return "|\n" + "\n".join(pad + line if line else "" for line in lines)


def render_event(event: dict) -> str:
    free_text = any(k in event for k in ("text", "note", "reason"))
    if not free_text or (event["type"] == "closed" and "note" not in event):
        line = "  - {" + ", ".join(f"{k}: {scalar(v, flow=True)}" for k, v in event.items()) + "}"
        if len(line) <= 100:
            return line
    out = []
    for key, value in event.items():
        if isinstance(value, str) and ("\n" in value or (key == "text" and event["type"] == "replied")):
            text = f"{key}: {literal(value, 6)}"
        else:
            text = f"{key}: {scalar(value)}"
        out.append(("  - " if not out else "    ") + text)
    return "\n".join(out)


def render_case(case: dict) -> str:
    """The case file's text, in the contract's field order."""
    out = []
    for key, value in case.items():
        if key.startswith("_"):
            continue
        if key == "author":
            out.append("author:")
            out.extend(f"  {k}: {scalar(v)}" for k, v in value.items())
        elif key in ("topics", "related"):
            out.append(f"{key}: [" + ", ".join(scalar(v, flow=True) for v in value) + "]")
        elif key == "message":
            out.append(f"message: {literal(value, 2)}")
        elif key == "events":
            out.append("events:")
            out.extend(render_event(e) for e in value)
        else:
            out.append(f"{key}: {scalar(value)}")
    text = "\n".join(out) + "\n"
    expected = {k: v for k, v in case.items() if not k.startswith("_")}
    expected["message"] = case["message"].rstrip("\n") + "\n"
    assert _same(yaml.safe_load(text), expected), f"{case['id']}: YAML does not read back"
    return text


def _same(loaded, expected) -> bool:
    def norm(v):
        if isinstance(v, dict):
            return {k: norm(x) for k, x in v.items()}
        if isinstance(v, list):
            return [norm(x) for x in v]
        if isinstance(v, str):
            return v.rstrip("\n")
        return str(v) if isinstance(v, date) else v

    return norm(loaded) == norm(expected)


def case_path(case: dict) -> str:
    return f"{case['received'][:4]}/{case['received'][5:7]}/{case['id']}.yaml"


def write_cases(out: Path, cases: list[dict]) -> None:
    """Remove the year folders under `out` and write every case (the registry is left alone)."""
    for year in out.glob("20*"):
        if year.is_dir() and re.fullmatch(r"20\d\d", year.name):
            shutil.rmtree(year)
    for case in cases:
        path = out / case_path(case)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render_case(case), encoding="utf-8", newline="\n")


# ---------------------------------------------------------------- deadlines and checks


def _day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def handling_state(case: dict, today: date) -> tuple[str, str]:
    """(status, overdue level) on `today`, following the contract's rules."""
    events = case["events"]
    first_limit, final_limit = LIMITS[case.get("priority", "normal")]
    accepted = next((_day(e["date"]) for e in events if e["type"] == "accepted"), _day(case["received"]))
    first, final = add_workdays(accepted, first_limit), add_workdays(accepted, final_limit)
    first_met = final_met = closed = assigned = False
    for e in events:
        kind = e["type"]
        if kind == "assigned":
            assigned = True
        elif kind == "replied":
            first_met = True
            final_met = final_met or bool(e["final"])
        elif kind == "supervised" and e.get("due"):
            final = _day(e["due"])
        elif kind == "extended":
            final = add_workdays(final, int(e["days"]))
        elif kind == "reopened":
            final, final_met, closed = add_workdays(_day(e["date"]), final_limit), False, False
        elif kind == "closed":
            closed = True
    status = "closed" if closed else "replied" if final_met else "in-progress" if assigned else "new"
    if closed:
        return status, "ok"
    order = ["ok", "warning", "due", "overdue", "severe"]
    levels = [_level(d, today) for d, met in ((first, first_met), (final, final_met)) if not met]
    return status, max(levels, key=order.index, default="ok")


def final_reply_late(case: dict) -> bool | None:
    """Whether the (last) final reply came after the final-reply deadline; None without one."""
    events = case["events"]
    final_limit = LIMITS[case.get("priority", "normal")][1]
    accepted = next((_day(e["date"]) for e in events if e["type"] == "accepted"), _day(case["received"]))
    final, replied = add_workdays(accepted, final_limit), None
    for e in events:
        if e["type"] == "supervised" and e.get("due"):
            final = _day(e["due"])
        elif e["type"] == "extended":
            final = add_workdays(final, int(e["days"]))
        elif e["type"] == "reopened":
            final, replied = add_workdays(_day(e["date"]), final_limit), None
        elif e["type"] == "replied" and e["final"]:
            replied = _day(e["date"])
    return None if replied is None else replied > final


def _level(deadline: date, today: date) -> str:
    if today == deadline:
        return "due"
    if today < deadline:
        return "warning" if workdays_between(today, deadline) <= WARNING_DAYS else "ok"
    return "overdue" if workdays_between(deadline, today) <= SEVERE_AFTER_DAYS else "severe"


def load_registry_keys(out: Path) -> dict[str, set]:
    keys = {}
    for name in ("units", "channels", "topics"):
        path = out / "registry" / f"{name}.yaml"
        keys[name] = set(yaml.safe_load(path.read_text(encoding="utf-8"))) if path.is_file() else set()
    return keys


def check(out: Path, cases: list[dict], scenarios: list[dict], today: date) -> list[str]:
    """Every unmet requirement of the demo, as messages (empty when all is well)."""
    failures = []

    def need(ok, message):
        if not ok:
            failures.append(message)

    for case in cases:
        path = out / case_path(case)
        if not path.is_file():
            failures.append(f"{path}: missing (run scripts/make_demo.py)")
        elif path.read_text(encoding="utf-8") != render_case(case):
            failures.append(f"{path}: differs from a fresh run (run scripts/make_demo.py)")
    expected = {str(out / case_path(c)) for c in cases}
    for path in out.glob("20*/*/*.yaml"):
        need(str(path) in expected, f"{path}: not produced by the scenarios")
        need(not MOBILE_RE.search(path.read_text(encoding="utf-8")), f"{path}: unmasked mobile number")
        yaml.safe_load(path.read_text(encoding="utf-8"))

    registry = load_registry_keys(out)
    events = [e for c in cases for e in c["events"]]
    used = {
        "unit": {e["unit"] for e in events if e["type"] == "assigned"},
        "channel": {c["channel"] for c in cases},
        "category": {c["category"] for c in cases},
        "event type": {e["type"] for e in events},
        "mode": {e["mode"] for e in events if e["type"] == "assigned"},
        "satisfaction": {e["satisfaction"] for e in events if e["type"] == "visited"},
        "method": {e["method"] for e in events if e["type"] == "visited"},
        "outcome": {e["outcome"] for e in events if e["type"] == "closed"},
    }
    wanted = {
        "unit": registry["units"],
        "channel": registry["channels"],
        "category": {"help", "complaint", "inquiry", "suggestion"},
        "event type": set(EVENT_FIELDS),
        "mode": {"assign", "transfer", "self", "escalate"},
        "satisfaction": {"satisfied", "basically-satisfied", "dissatisfied", "unreachable"},
        "method": {"phone", "in-person", "online"},
        "outcome": {"resolved", "explained", "unfounded", "referred", "duplicate", "withdrawn"},
    }
    for name, keys in wanted.items():
        need(keys and not keys - used[name], f"{name} never used: {sorted(keys - used[name])}")
        need(not used[name] - keys, f"unknown {name}: {sorted(used[name] - keys)}")
    need(not {t for c in cases for t in c["topics"]} - registry["topics"], "unknown topic")
    need(any(e["type"] == "supervised" and "due" in e for e in events), "no supervision with due")
    need(any(e["type"] == "supervised" and "due" not in e for e in events), "no supervision without due")
    need(
        {True, False} <= {e["final"] for e in events if e["type"] == "replied"},
        "replies are not both interim and final",
    )
    need(any(e.get("duplicate_of") for e in events), "no duplicate_of")
    need(any(e.get("referred_to") for e in events), "no referred_to")

    need(len(cases) >= 90, f"only {len(cases)} cases")
    need(len(scenarios) >= 45, f"only {len(scenarios)} scenarios")
    received = [_day(c["received"]) for c in cases]
    need(min(received) >= FIRST_RECEIVED and max(received) <= LAST_RECEIVED, "received out of range")
    need(len({d.strftime("%Y-%m") for d in received}) >= 14, "cases span fewer than 14 months")
    states = [handling_state(c, today) for c in cases]
    open_count = sum(status != "closed" for status, _ in states)
    late = sum(level in ("overdue", "severe") for _, level in states)
    need(8 <= open_count <= 12, f"{open_count} open cases (want about 10)")
    need(late >= 2, f"only {late} overdue open cases")
    # the portal must show failures too: published cases answered late, and closed dissatisfied
    shown = [c for c, (status, _) in zip(cases, states, strict=True) if c["public"] and status == "closed"]
    late_shown = [c for c in shown if final_reply_late(c)]
    kinds = {t for c in late_shown for t in ("extended", "reopened", "supervised")
             if any(e["type"] == t for e in c["events"])}
    need(len(late_shown) >= 3, f"only {len(late_shown)} published cases with a late final reply")
    need(kinds == {"extended", "reopened", "supervised"},
         f"no published late case that was {sorted({'extended', 'reopened', 'supervised'} - kinds)}")
    last_visits = [[e["satisfaction"] for e in c["events"] if e["type"] == "visited"][-1:] for c in shown]
    need(["dissatisfied"] in last_visits, "no published case closed with the citizen dissatisfied")
    hidden = sum(not c["public"] for c in cases)
    need(5 <= hidden <= 8, f"{hidden} non-public cases (want 5-8)")
    hostile = [
        c
        for c, (status, _) in zip(cases, states, strict=True)
        if c["public"] and status == "closed" and HOSTILE_RE.search(c["message"])
    ]
    need(len(hostile) >= 2, f"only {len(hostile)} public closed cases with hostile markup")
    need(sum(c["priority"] == "urgent" for c in cases) >= 2, "fewer than 2 urgent cases")
    need(sum(c["author"]["contact_on_file"] for c in cases) < len(cases), "contact_on_file never false")

    ids = {c["id"] for c in cases}
    for case in cases:
        where = f"{case['id']} ({case['_ref']})"
        need(re.fullmatch(r"\d{8}-[0-9A-HJKMNP-TV-Z]{6}", case["id"]), f"{where}: bad id")
        dates = [_day(e["date"]) for e in case["events"]]
        need(dates == sorted(dates), f"{where}: events out of order")
        need(
            not dates or (dates[0] >= _day(case["received"]) and dates[-1] <= today),
            f"{where}: events outside received..today",
        )
        unit = None
        for e in case["events"]:
            if e["type"] == "assigned":
                unit = e["unit"]
            if e["type"] == "replied" and e["final"]:
                need(e["unit"] == unit, f"{where}: final reply by {e['unit']}, assigned {unit}")
            if e.get("duplicate_of"):
                need(e["duplicate_of"] in ids, f"{where}: duplicate_of unknown id")
        need(all(r in ids for r in case.get("related", [])), f"{where}: related unknown id")
        need(80 <= len(case["message"].strip()) <= 400, f"{where}: message not 80-400 characters")
        for text in [case["title"], case["message"]] + [
            e.get(k, "") for e in case["events"] for k in ("text", "note", "reason")
        ]:
            need(not re.search(r"\{[a-z_:]+[a-z0-9-]*\}", text), f"{where}: unreplaced placeholder")
    return failures


def summary(cases: list[dict], scenarios: list[dict], today: date) -> str:
    states = {c["id"]: handling_state(c, today) for c in cases}
    unit_of = {
        c["id"]: [e["unit"] for e in c["events"] if e["type"] == "assigned"][-1:] or ["-"] for c in cases
    }
    lines = [
        f"{len(cases)} cases from {len(scenarios)} scenarios, "
        f"{sum(not c['public'] for c in cases)} not public, "
        f"{sum(c['priority'] == 'urgent' for c in cases)} urgent"
    ]
    for title, counter in (
        ("status", Counter(s for s, _ in states.values())),
        ("open cases by level", Counter(lv for s, lv in states.values() if s != "closed")),
        ("category", Counter(c["category"] for c in cases)),
        ("channel", Counter(c["channel"] for c in cases)),
        ("unit (last assigned)", Counter(unit_of[c["id"]][0] for c in cases)),
        ("month", Counter(c["received"][:7] for c in cases)),
    ):
        lines.append(f"{title}: " + ", ".join(f"{k} {n}" for k, n in sorted(counter.items())))
    lines.append("open cases:")
    for c in cases:
        status, level = states[c["id"]]
        if status != "closed":
            lines.append(f"  {c['id']} {status:11} {level:8} {c['title']}")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="cases", type=Path, help="the cases/ folder (default: cases)")
    parser.add_argument("--seed", default=2026, type=int, help="random seed (default: 2026)")
    parser.add_argument("--today", default="2026-11-23", help="the demo's today (default: 2026-11-23)")
    parser.add_argument("--scenarios", default=HERE / "demo_scenarios.yaml", type=Path)
    parser.add_argument(
        "--check", action="store_true", help="verify the files under --out and the coverage; write nothing"
    )
    parser.add_argument("--quiet", action="store_true", help="do not print the summary")
    args = parser.parse_args(argv)
    today = date.fromisoformat(args.today)
    scenarios = yaml.safe_load(args.scenarios.read_text(encoding="utf-8"))["scenarios"]
    try:
        cases = build_cases(scenarios, args.seed)
    except ScenarioError as exc:
        print(f"{args.scenarios}: {exc}", file=sys.stderr)
        return 2
    if args.check:
        failures = check(args.out, cases, scenarios, today)
        for failure in failures:
            print(f"FAIL {failure}", file=sys.stderr)
        if failures:
            return 1
        print(f"ok: {len(cases)} demo cases under {args.out} meet the demo's requirements")
    else:
        write_cases(args.out, cases)
        print(f"wrote {len(cases)} cases under {args.out}")
    if not args.quiet:
        print(summary(cases, scenarios, today))
    return 0


if __name__ == "__main__":
    sys.exit(main())

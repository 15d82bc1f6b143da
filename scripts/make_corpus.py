"""Write a large, valid, reproducible case log for benchmarks.

    python scripts/make_corpus.py --count 100000 --seed 1 --out bench/100k [--history 1000]

The registry is copied from the repository's cases/registry; the cases are
assembled from the phrases of the demo scenarios (scripts/demo_scenarios.yaml),
varied in place, wording and length (about 300 to 2,500 characters of message and
replies), with realistic mixes of channels, categories, units and event sequences:
most cases closed, some still open or overdue, some extended, supervised,
reopened after a dissatisfied visit, closed as duplicates or referred.

With --history N the output directory becomes a Git repository: one commit holds the
registry and every case but a sample of N, then each sampled case arrives one commit per
event, dated on the event's day, as staff would have committed it (so `git log` and the
case pages' history have something realistic to read). The files on disk are the same
either way.

Other scripts import `generate_cases(n, seed)` (an iterator of (relative path,
YAML text)) and `write_corpus(out, n, seed)`.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
REGISTRY = REPO / "cases" / "registry"
SCENARIOS = Path(__file__).resolve().parent / "demo_scenarios.yaml"
TODAY = date(2026, 11, 23)
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

PLACES = ["青溪街道建新社区", "青溪街道河西社区", "湖滨街道滨江社区", "湖滨街道望湖社区", "石桥镇石桥村",
          "石桥镇新塘村", "枫林镇枫林村", "枫林镇杨家坪村", "青溪县城", "青溪县城东片区", "工业园区",
          "城南新区", "青溪大道", "人民路", "解放路", "滨湖路"]
ALIASES = ["青溪网友", "热心市民", "一位家长", "小区业主", "老住户", "外出务工人员", "退休职工", "一位村民",
           "上班族", "个体户", "在校学生", "一位老人的子女", "关心家乡的人", "路过的司机", "新市民"]
OPENINGS = ["尊敬的领导：", "领导您好！", "您好，", "各位领导好：", "县长您好：", ""]
CLOSINGS = ["恳请有关部门尽快处理，谢谢！", "希望能得到答复。", "盼复！", "麻烦领导关注一下，谢谢。",
            "请有关部门核实处理。", ""]
GENERIC = ["这个问题已经持续很长时间了，周边居民意见很大。",
           "之前也打过热线电话，说会转给相关单位，后来就没有下文了。",
           "附近还有不少老人和小孩，存在安全隐患。", "我们也理解政府工作多，但这件事确实影响日常生活。",
           "多次找过社区和物业，都说不归他们管。", "希望相关部门实地看一看，听听群众的意见。"]
REPLY_OPENINGS = ["您好！您反映的问题收悉。", "您好！感谢您对我县工作的关心和支持。",
                  "您好！现就您反映的问题答复如下："]
REPLY_CLOSINGS = ["感谢您的监督！", "如有疑问，可拨打县政务服务热线咨询。",
                  "下一步我们将持续跟踪，确保问题不反弹。"]
FALLBACK = {"topics": ["urban-construction"], "titles": ["小区门口道路破损严重"],
            "messages": ["小区门口的道路坑坑洼洼，下雨天全是积水，行人和车辆通行都很困难。"],
            "replies": ["经现场核查，该路段破损属实，我局已安排施工单位进行修补，预计两周内完成。"],
            "interim": ["我局已安排人员现场查看，正在制定处理方案。"], "notes": ["留言人表示问题已解决。"],
            "instructions": ["请相关部门抓紧办理，按时答复。"], "reasons": ["需协调多个部门现场会商"],
            "areas": ["青溪县城"], "categories": ["complaint"], "unit": None, "public": True}


def _paragraphs(text: str | None) -> list[str]:
    return [p.strip() for p in (text or "").split("\n\n") if p.strip()]


def _steps(flow):
    """(type, fields) for each step of a scenario flow."""
    for step in flow or ():
        if isinstance(step, str):
            yield step, {}
        elif isinstance(step, dict):
            for kind, fields in step.items():
                yield kind, fields if isinstance(fields, dict) else {}


def load_pools(path: Path = SCENARIOS) -> list[dict]:
    """Phrase pools per demo scenario (titles, messages, replies, notes ...)."""
    try:
        scenarios = yaml.safe_load(path.read_text(encoding="utf-8"))["scenarios"]
    except (OSError, yaml.YAMLError, KeyError, TypeError):
        return [FALLBACK]
    pools = []
    for sc in scenarios:
        pool = {key: [] for key in ("titles", "messages", "replies", "interim", "notes",
                                    "instructions", "reasons", "areas", "categories")}
        pool.update(topics=sc.get("topics") or ["urban-construction"], unit=sc.get("unit"),
                    public=sc.get("public", True) is not False)
        for case in sc.get("cases", ()):
            pool["titles"].append(case["title"])
            pool["messages"] += _paragraphs(case.get("message"))
            pool["areas"] += [case["area"]] if case.get("area") else []
            pool["categories"].append(case.get("category", "complaint"))
            for kind, fields in _steps(case.get("flow")):
                if kind == "replied" and fields.get("text"):
                    key = "replies" if fields.get("final") else "interim"
                    pool[key] += _paragraphs(fields["text"])
                for name, key in (("note", "notes"), ("reason", "reasons")):
                    if isinstance(fields.get(name), str):
                        pool[key].append(" ".join(fields[name].split()))
                if kind == "instructed" and fields.get("text"):
                    pool["instructions"].append(" ".join(fields["text"].split()))
        for key, values in pool.items():
            if isinstance(values, list) and not values and key in FALLBACK:
                pool[key] = list(FALLBACK[key])
        pools.append(pool)
    return pools or [FALLBACK]


def _registry_keys() -> dict[str, list[str]]:
    keys = {}
    for name in ("units", "channels", "topics"):
        keys[name] = list(yaml.safe_load((REGISTRY / f"{name}.yaml").read_text(encoding="utf-8")))
    return keys


def _q(text: str) -> str:
    """A one-line YAML scalar (a JSON string is a valid YAML double-quoted scalar)."""
    return json.dumps(" ".join(text.split()), ensure_ascii=False)


def _block(text: str, indent: int) -> str:
    pad = " " * indent
    return "|\n" + "\n".join(pad + line if line.strip() else "" for line in text.strip().split("\n"))


def _text(rng: random.Random, pools: tuple[list[str], ...], target: int, opening="", closing="") -> str:
    """Paragraphs drawn from the pools in turn (own scenario first) until about `target` characters."""
    chosen = [opening] if opening else []
    size = 0
    for pool in (*pools, GENERIC):
        for paragraph in rng.sample(pool, len(pool)):
            if paragraph in chosen:
                continue
            chosen.append(paragraph)
            size += len(paragraph)
            if size >= target:
                break
        if size >= target:
            break
    if closing:
        chosen.append(closing)
    return "\n\n".join(chosen)


def _event(fields: dict) -> str:
    """An event as YAML lines (flow style unless it carries text)."""
    if "text" not in fields:
        return "  - {" + ", ".join(f"{k}: {v}" for k, v in fields.items()) + "}\n"
    lines = []
    for index, (key, value) in enumerate(fields.items()):
        lead = "  - " if index == 0 else "    "
        lines.append(f"{lead}{key}: {_block(value, 6) if key == 'text' else value}")
    return "\n".join(lines) + "\n"


def _events(rng, pool, related, unit, start: date, today: date, earlier: list[str],
            urgent: bool = False) -> list[dict]:
    """A realistic event sequence, cut at `today` (so recent cases are still open)."""
    day = start + timedelta(days=rng.choice((0, 0, 0, 1)))
    events = [{"date": day, "type": "accepted"}]
    if rng.random() < 0.02 and earlier:  # a repeat, closed as a duplicate of an earlier case
        events.append({"date": day + timedelta(days=1), "type": "closed", "outcome": "duplicate",
                       "duplicate_of": rng.choice(earlier[-200:])})
        return [e for e in events if e["date"] <= today]

    def later(low: int, high: int) -> date:
        return events[-1]["date"] + timedelta(days=rng.randint(low, high))

    mode = rng.choices(("assign", "transfer", "self", "escalate"), (70, 15, 10, 5))[0]
    events.append({"date": later(0, 2), "type": "assigned", "unit": unit, "mode": mode})
    if rng.random() < 0.05:
        events.append({"date": later(0, 2), "type": "instructed",
                       "by": _q(rng.choice(["县长", "副县长", "县委书记"])),
                       "text": rng.choice(pool["instructions"])})
    stuck = rng.random() < 0.03  # never answered: overdue
    if rng.random() < 0.4 and not stuck:
        events.append({"date": later(1, 5), "type": "replied", "unit": unit, "final": "false",
                       "text": _text(rng, (pool["interim"],), rng.randint(60, 300),
                                     rng.choice(REPLY_OPENINGS))})
    if rng.random() < 0.03:
        events.append({"date": later(1, 4), "type": "supervised",
                       "ref": _q(f"青督〔{events[-1]['date'].year}〕{rng.randint(1, 300)}号"),
                       "due": later(14, 28)})
    if rng.random() < 0.08:
        extension = {"date": later(5, 12), "type": "extended", "approved_by": _q("县政府督查室"),
                     "reason": _q(rng.choice(pool["reasons"])), "days": rng.choice((5, 10, 15))}
        # an office does not extend a deadline that has long passed (validation refuses it): not
        # an urgent case's (5 working days), nor a supervision date
        if not urgent and not any(e["type"] == "supervised" and e["due"] < extension["date"] for e in events):
            events.append(extension)
    if stuck:
        return [e for e in events if e["date"] <= today]
    for round_ in range(2):
        events.append({"date": later(4, 16), "type": "replied", "unit": unit, "final": "true",
                       "text": _text(rng, (pool["replies"], related["replies"]),
                                     rng.choice((150, 300, 500, 800, 1100)),
                                     rng.choice(REPLY_OPENINGS), rng.choice(REPLY_CLOSINGS))})
        satisfaction = "satisfied"
        if rng.random() < 0.6:
            satisfaction = rng.choices(("satisfied", "basically-satisfied", "dissatisfied", "unreachable"),
                                       (60, 25, 10, 5))[0]
            events.append({"date": later(1, 6), "type": "visited",
                           "method": rng.choice(("phone", "phone", "in-person", "online")),
                           "satisfaction": satisfaction, "note": _q(rng.choice(pool["notes"]))})
        if satisfaction == "dissatisfied" and round_ == 0 and rng.random() < 0.4:
            events.append({"date": later(0, 2), "type": "reopened", "reason": _q("回访不满意，重新办理")})
            continue
        break
    outcome = rng.choices(("resolved", "explained", "unfounded", "referred", "withdrawn"),
                          (58, 30, 5, 5, 2))[0]
    closing = {"date": later(0, 3), "type": "closed", "outcome": outcome}
    if outcome == "referred":
        closing["referred_to"] = _q(rng.choice(["县信访局", "县人民法院", "湘江市住建局"]))
    events.append(closing)
    return [e for e in events if e["date"] <= today]


def generate_cases(n: int, seed: int, *, today: date = TODAY, days: int = 730,
                   pools: list[dict] | None = None) -> Iterator[tuple[str, str]]:
    """Yield (relative path, YAML text) for `n` valid cases received in the `days` before `today`."""
    rng = random.Random(seed)
    pools = pools or load_pools()
    keys = _registry_keys()
    channels = keys["channels"]
    channel_weights = [max(1, 8 - 2 * i) for i in range(len(channels))]
    first = datetime.combine(today - timedelta(days=days), datetime.min.time())
    span = days * 24 * 60 - 1440
    minutes = sorted(rng.randrange(span) for _ in range(n))
    by_topic: dict[str, dict[str, list[str]]] = {}
    for pool in pools:
        merged = by_topic.setdefault(pool["topics"][0], {"messages": [], "replies": []})
        merged["messages"] += pool["messages"]
        merged["replies"] += pool["replies"]
    ids: set[str] = set()
    earlier: list[str] = []
    for offset in minutes:
        received = first + timedelta(minutes=offset)
        pool = rng.choice(pools)
        while True:
            case_id = f"{received:%Y%m%d}-" + "".join(rng.choices(CROCKFORD, k=6))
            if case_id not in ids:
                ids.add(case_id)
                break
        unit = pool["unit"] if pool["unit"] in keys["units"] else rng.choice(keys["units"])
        topics = [t for t in pool["topics"] if t in keys["topics"]] or [rng.choice(keys["topics"])]
        if rng.random() < 0.1:
            extra = rng.choice(keys["topics"])
            topics += [extra] if extra not in topics else []
        area = rng.choice(pool["areas"] + PLACES)
        message = _text(rng, (pool["messages"], by_topic[pool["topics"][0]]["messages"]),
                        rng.choice((150, 250, 400, 600, 900, 1300)),
                        rng.choice(OPENINGS), rng.choice(CLOSINGS))
        title = rng.choice(pool["titles"])
        lines = [f"id: {case_id}", "title", f"received: {received:%Y-%m-%d %H:%M}",
                 f"channel: {rng.choices(channels, channel_weights)[0]}"]
        if rng.random() < 0.3:
            lines.append(f"source_url: https://example.org/threads/{rng.randint(10000, 9999999)}")
        lines += [f"category: {rng.choice(pool['categories'])}", f"topics: [{', '.join(topics)}]",
                  f"area: {_q(area)}", f"priority: {'urgent' if rng.random() < 0.05 else 'normal'}",
                  "author:", f"  alias: {_q(rng.choice(ALIASES))}",
                  f"  real_name: {'true' if rng.random() < 0.3 else 'false'}",
                  f"  contact_on_file: {'true' if rng.random() < 0.6 else 'false'}"]
        public = pool["public"] and rng.random() < 0.95
        # the build's leak scan fails on a non-public case's title anywhere in the site, so it
        # must not also be a public case's title (real titles rarely repeat word for word)
        lines[1] = f"title: {_q(title if public else area + '：' + title)}"
        lines += [f"public: {'true' if public else 'false'}", f"message: {_block(message, 2)}", "events:"]
        events = _events(rng, pool, by_topic[pool["topics"][0]], unit, received.date(), today, earlier,
                         urgent="priority: urgent" in lines)
        earlier.append(case_id)
        text = "\n".join(lines) + "\n" + "".join(_event(e) for e in events)
        yield f"cases/{received:%Y}/{received:%m}/{case_id}.yaml", text


def write_corpus(out: Path, n: int, seed: int, history: int = 0, **options) -> int:
    """Write the registry and `n` cases under `out`/cases; return the number of bytes written.

    With `history`, also make `out` a Git repository with a commit per event for that many
    cases (see the module's doc)."""
    cases = out / "cases"
    if cases.exists():
        shutil.rmtree(cases)
    shutil.copytree(REGISTRY, cases / "registry")
    written = 0
    folders: set[Path] = set()
    sampled: list[tuple[str, str]] = []
    every = max(1, n // history) if history else 0
    for index, (rel, text) in enumerate(generate_cases(n, seed, **options)):
        path = out / rel
        if path.parent not in folders:
            path.parent.mkdir(parents=True, exist_ok=True)
            folders.add(path.parent)
        data = text.encode("utf-8")
        with open(path, "wb") as handle:
            handle.write(data)
        written += len(data)
        if every and index % every == every - 1 and len(sampled) < history:
            sampled.append((rel, text))
    if history:
        write_history(out, sampled)
    return written


_EVENT_DAY = re.compile(r"date: (\d{4}-\d{2}-\d{2})")


def _versions(text: str) -> list[tuple[str, str, str]]:
    """(day, event type, the file as it stood after that event) for each event of a case."""
    head, _, events = text.partition("events:\n")
    chunks: list[str] = []
    for line in events.splitlines(keepends=True):
        if line.startswith("  - ") or not chunks:
            chunks.append(line)
        else:
            chunks[-1] += line
    versions = []
    for count in range(1, len(chunks) + 1):
        chunk = chunks[count - 1]
        day = _EVENT_DAY.search(chunk)
        kind = re.search(r"type: ([a-z]+)", chunk)
        versions.append((day.group(1) if day else "2000-01-01", kind.group(1) if kind else "event",
                         head + "events:\n" + "".join(chunks[:count])))
    return versions


def write_history(out: Path, sampled: list[tuple[str, str]]) -> int:
    """Make `out` a Git repository whose history adds the `sampled` cases event by event
    (with `git fast-import`: thousands of commits in seconds); return the number of commits."""
    sample = {rel for rel, _text in sampled}
    shutil.rmtree(out / ".git", ignore_errors=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(out)], check=True)
    commits: list[tuple[str, str, str, str]] = []  # (day, path, message, text)
    for rel, text in sampled:
        case_id = Path(rel).stem
        for day, kind, version in _versions(text):
            commits.append((day, rel, f"{case_id}: {kind}", version))
    commits.sort(key=lambda c: (c[0], c[1]))
    stream = bytearray()

    def data(payload: bytes) -> None:
        stream.extend(b"data %d\n" % len(payload) + payload + b"\n")

    def header(day: str, message: str) -> None:
        stamp = int(datetime.fromisoformat(day).timestamp()) + 10 * 3600
        stream.extend(b"commit refs/heads/main\n")
        stream.extend(f"committer 督查室 <office@example.org> {stamp} +0800\n".encode())
        data(message.encode("utf-8"))

    first = min((c[0] for c in commits), default="2024-01-01")
    header(first, "导入既有留言记录")
    for path in sorted((out / "cases").rglob("*.yaml")):
        rel = path.relative_to(out).as_posix()
        if rel not in sample:
            stream.extend(f"M 100644 inline {rel}\n".encode())
            data(path.read_bytes())
    for day, rel, message, text in commits:
        header(day, message)
        stream.extend(f"M 100644 inline {rel}\n".encode())
        data(text.encode("utf-8"))
    subprocess.run(["git", "fast-import", "--quiet"], cwd=out, input=bytes(stream), check=True)
    subprocess.run(["git", "reset", "-q"], cwd=out, check=True)  # the index: the files as written
    return len(commits) + 1


def main(argv: list[str] | None = None) -> int:
    """Command line: --count N --seed S --out DIR."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, required=True, help="number of cases")
    parser.add_argument("--seed", type=int, default=1, help="random seed (same seed, same corpus)")
    parser.add_argument("--out", type=Path, required=True, help="directory to write (its cases/ is replaced)")
    parser.add_argument("--days", type=int, default=730, help="spread cases over this many days before today")
    parser.add_argument("--today", type=date.fromisoformat, default=TODAY, help="the corpus's 'today'")
    parser.add_argument("--history", type=int, default=0, metavar="N",
                        help="make DIR a Git repository with a commit per event for N of the cases")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    size = write_corpus(args.out, args.count, args.seed, args.history, today=args.today, days=args.days)
    sys.stderr.write(f"wrote {args.count} cases ({size / 1e6:.1f} MB) to {args.out / 'cases'} "
                     f"in {time.perf_counter() - started:.1f} s\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

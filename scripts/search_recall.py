"""Measure the public search's recall as a reader's browser searches a built portal.

    python scripts/search_recall.py ROOT OUTPUT [--as-of DAY] [--words N]

Draws words from the public texts (jieba words of 2-4 characters, the words that begin titles,
place names, unit and topic names, case numbers), works out which published cases contain
each (title, message or any text of the timeline, as the case page shows them), and searches
each word with scripts/search_site.mjs (the site's own search-engine.js, in Node).
Prints, per kind of word, how many cases were found of those that contain it, and whether the
first results contain it; then whether filters (unit, topic, channel, category, year) narrow
without losing any. tests/test_search_recall.py runs it on the demo; docs/search.md has the
figures for the demo and a benchmark corpus.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEARCH_SITE = REPO / "scripts" / "search_site.mjs"
HAN_WORD = re.compile(r"^[\u4e00-\u9fff]{2,4}$")
PLACE_WORDS = ("县政府", "县人民", "人民政府", "街道", "社区", "乡镇", "镇政府", "村委会", "青溪县", "县城")
TOP = 3  # "its first results": the first three


@dataclass
class PublicCase:
    """What a reader can find of a published case: its text and its filter values."""

    id: str
    text: str  # title, message and every text of the timeline
    facts: str  # what the page says besides: case number, channel, topics, units, area
    filters: dict[str, list[str]]
    units: tuple[str, ...] = ()  # names of the units it names (its unit)
    topics: tuple[str, ...] = ()
    received: str = ""  # the order of results: newest first

    def everything(self) -> str:
        """All a search compares a query with, as it compares (NFKC, lower case)."""
        return unicodedata.normalize("NFKC", self.text + "\n" + self.facts).lower()


@dataclass
class KindFigures:
    """Figures for one kind of query."""

    queries: int = 0
    expected: int = 0  # cases that contain the queries (summed over queries)
    found: int = 0  # of those, found
    worst: list = field(default_factory=list)  # (recall, query, found, expected)
    top_ok: int = 0  # queries whose first results all contain the query
    top_bad: list = field(default_factory=list)
    results: int = 0  # results of all queries
    results_showing: int = 0  # of those, cases whose page shows the query

    @property
    def recall(self) -> float:
        return self.found / self.expected if self.expected else 1.0


def public_cases(root: Path, as_of: date) -> list[PublicCase]:
    """Every published case as the portal shows it (the public view, not the file)."""
    sys.path.insert(0, str(REPO))
    from caselog.site.model import load_site_data
    from caselog.site.search_records import html_text

    data = load_site_data(root, as_of, with_history=False)
    cases = []
    for state in data.published:
        view = data.view(state)
        texts = [view.title, html_text(view.message_html)]
        texts += [html_text(item.html) for item in view.timeline if item.html]
        # the values the search page's filters give: keys of the registry, and the year
        filters = {"year": [str(view.received_day.year)], "channel": [view.channel.key],
                   "topic": [t.key for t in view.topics]}
        if view.unit:
            filters["unit"] = [view.unit.key]
        facts = [view.id, view.channel.name, *(t.name for t in view.topics),
                 *(item.unit.name for item in view.timeline if item.unit), view.area or ""]
        if view.unit:
            facts.append(view.unit.name)
        cases.append(PublicCase(view.id, "\n".join(texts), "\n".join(facts), filters,
                                (view.unit.name,) if view.unit else (), tuple(t.name for t in view.topics),
                                view.received))
    return cases


def sample_words(cases: list[PublicCase], count: int, seed: int = 1) -> dict[str, list[str]]:
    """Queries by kind: jieba words, title starts, places, units, topics, case numbers."""
    from caselog.search.analyzer import segmenter

    jieba = segmenter()
    rng = random.Random(seed)
    words: set[str] = set()
    starts: set[str] = set()
    for case in cases:
        title = case.text.split("\n", 1)[0]
        cut = [w for w in jieba.cut(title) if HAN_WORD.match(w)]
        if cut and title.startswith(cut[0]):
            starts.add(cut[0])
        if re.match(r"[\u4e00-\u9fff]{3}", title):
            starts.add(title[:3])
        words.update(w for w in jieba.cut(case.text) if HAN_WORD.match(w))
    units = sorted({u for c in cases for u in c.units})
    topics = sorted({t for c in cases for t in c.topics})
    ids = [c.id for c in rng.sample(cases, min(len(cases), max(5, count // 10)))]
    return {
        "jieba words": rng.sample(sorted(words), min(count, len(words))),
        "title starts": rng.sample(sorted(starts), min(count // 2, len(starts))),
        "places": [w for w in PLACE_WORDS if any(w in c.text for c in cases)],
        "unit names": units,
        "topic names": topics,
        "case numbers": ids,
    }


def search(output: Path, queries: list[dict]) -> list[dict]:
    """Run queries through the built site's search (scripts/search_site.mjs)."""
    lines = "".join(json.dumps(q, ensure_ascii=False) + "\n" for q in queries)
    node = ["node", "--max-old-space-size=8192", str(SEARCH_SITE), str(output)]  # at 100k: every result read
    done = subprocess.run(node, input=lines, capture_output=True,
                          text=True, check=False)
    if done.returncode != 0:
        msg = f"search_site.mjs failed: {done.stderr[-2000:]}"
        raise RuntimeError(msg)
    return [json.loads(line) for line in done.stdout.splitlines()]


def contains(case: PublicCase, query: str, kind: str) -> bool:
    """Whether the case's title, message or replies hold `query`, or, for a unit or topic name,
    whether its page names it (a unit that handled it, a topic of it), or, for a case number,
    whether it is the case's (what a reader searching it wants)."""
    if kind in ("unit names", "topic names"):
        return shows(case, query)
    if kind == "case numbers" and query == case.id:
        return True
    return query.lower() in case.text.lower()


def shows(case: PublicCase, query: str) -> bool:
    """Whether the case's page shows `query` anywhere: texts, case number, unit, topics, channel."""
    return query.lower() in case.text.lower() or query.lower() in case.facts.lower()


def measure(root: Path, output: Path, as_of: date, count: int = 150) -> dict:
    """Recall and first-result figures by kind of query, and the filter check."""
    cases = public_cases(root, as_of)
    by_id = {c.id: c for c in cases}
    kinds = sample_words(cases, count)
    queries = [{"q": q, "kind": kind} for kind, words in kinds.items() for q in words]
    answers = search(output, [{"q": q["q"]} for q in queries])
    figures: dict[str, KindFigures] = defaultdict(KindFigures)
    for query, answer in zip(queries, answers, strict=True):
        kind, text = query["kind"], query["q"]
        expected = {c.id for c in cases if contains(c, text, kind)}
        found = set(answer["ids"]) & expected
        f = figures[kind]
        f.queries += 1
        f.expected += len(expected)
        f.found += len(found)
        f.worst.append((len(found) / len(expected) if expected else 1.0, text, len(found), len(expected)))
        f.results += len(answer["ids"])
        f.results_showing += sum(1 for i in answer["ids"] if i in by_id and shows(by_id[i], text))
        first = answer["ids"][:min(TOP, len(expected))]
        if kind == "case numbers":
            first = answer["ids"][:1]
        if all(i in expected for i in first) and (first or not expected):
            f.top_ok += 1
        else:
            f.top_bad.append(text)
    # filters: a word searched within each value of each filter finds exactly its cases with that value
    rng = random.Random(2)
    filter_queries = []
    for text in rng.sample(kinds["jieba words"], min(8, len(kinds["jieba words"]))):
        expected = [c for c in cases if contains(c, text, "jieba words")]
        for name in ("unit", "topic", "channel", "year"):
            for value in sorted({v for c in expected for v in c.filters.get(name, [])})[:3]:
                filter_queries.append({"q": text, "filters": {name: [value]},
                                       "expected": sorted(c.id for c in expected
                                                          if value in c.filters.get(name, []))})
    answers = search(output, [{"q": q["q"], "filters": q["filters"]} for q in filter_queries])
    lost, extra = 0, 0
    for query, answer in zip(filter_queries, answers, strict=True):
        got = set(answer["ids"])
        lost += len(set(query["expected"]) - got)
        name, values = next(iter(query["filters"].items()))
        extra += sum(1 for i in got if i in by_id and values[0] not in by_id[i].filters.get(name, []))
    excerpts_marked = sum(1 for a in answers if a["excerpts"] and "<mark>" in a["excerpts"][0])
    return {"cases": len(cases), "kinds": figures, "filter_queries": len(filter_queries),
            "filter_lost": lost, "filter_outside": extra,
            "excerpts_marked": (excerpts_marked, sum(1 for a in answers if a["excerpts"]))}


def report(result: dict) -> str:
    """The figures as a Markdown table."""
    lines = [f"{result['cases']:,} published cases.", "",
             "| queries | count | cases found / cases containing them | recall "
             "| first results contain the query | results whose page shows the query |",
             "|---|---|---|---|---|---|"]
    for kind, f in result["kinds"].items():
        lines.append(f"| {kind} | {f.queries} | {f.found:,} / {f.expected:,} | {f.recall:.1%} | "
                     f"{f.top_ok} of {f.queries} | {f.results_showing:,} of {f.results:,} |")
    lines += ["", f"Filters: {result['filter_queries']} searches within one value of unit, topic, "
                  f"channel or year; cases lost: {result['filter_lost']}, cases outside the filter: "
                  f"{result['filter_outside']}."]
    worst = sorted(w for f in result["kinds"].values() for w in f.worst)[:5]
    lines.append("Lowest recall: " + ", ".join(f"{q} {n}/{e}" for _, q, n, e in worst) + ".")
    bad = [q for f in result["kinds"].values() for q in f.top_bad]
    if bad:
        lines.append("First results without the query: " + "、".join(bad[:20]) + ".")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("output", type=Path)
    parser.add_argument("--as-of", type=date.fromisoformat, default=date.today())
    parser.add_argument("--words", type=int, default=150, help="jieba words to sample")
    args = parser.parse_args(argv)
    print(report(measure(args.root, args.output, args.as_of, args.words)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

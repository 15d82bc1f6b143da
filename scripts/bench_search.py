"""Measure the staff search on a case log: index build, incremental update, query and similar latency.

    python scripts/make_corpus.py --count 100000 --seed 100 --out /tmp/corpus100k
    python scripts/bench_search.py /tmp/corpus100k [--rebuild]

Latencies are measured in-process with one open searcher (process start-up and
jieba-rs's dictionary are left out; the first query pays for the latter and is
reported apart). Prints a Markdown table; `measure(root)` returns the figures
(scripts/benchmark.py's `staff_search` uses it, on a copy of its corpora: the
measurement edits a case file).
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from caselog.repository import list_case_files  # noqa: E402
from caselog.search.analyzer import segmenter  # noqa: E402
from caselog.search.index import update_index  # noqa: E402
from caselog.search.query import CaseSearcher, Filters  # noqa: E402
from caselog.search.similar import similar_to_case, similar_to_text  # noqa: E402

WORDS = ["电梯", "维修资金", "供暖", "暖气 不热", "路灯", "积水", "施工 噪音", "拖欠 工资",
         "农民工", "养老保险", "医保 报销", "幼儿园 学位", "公交 末班车", "停水", "自来水", "手机 信号",
         "流浪狗", "垃圾", "油烟", "排污", "摊贩", "宅基地", "土地 承包", "不动产权证",
         "公租房", "卫生院", "诈骗 短信", "谣言", "学校 红绿灯", "火车站", "充电桩", "物业",
         "小区 电梯 停运", "灌溉", "养殖场 异味", "信访"]
FIELDED = ['"维修 资金"', '"物业 公司"', "title:电梯", "title:供暖 OR title:暖气", "电梯 unit:housing-bureau",
           "topics:transport 公交", "category:complaint 噪音", "status:in-progress 工资", "area:石桥镇 公路",
           "received:2026-03 路灯", "积水 NOT 小区", "(路灯 OR 信号) 晚上", "医保 -报销", "拖欠*"]
FILTERED = [("电梯", Filters(status="in-progress")), ("工资", Filters(unit="hrss-bureau")),
            ("供暖", Filters(since=date(2026, 1, 1), until=date(2026, 3, 31))),
            ("积水", Filters(topic="water"))]
TEXTS = ["我们小区的电梯坏了快两个月了，一直没人修，物业说维修资金批不下来，老人上下楼很困难。",
         "县城到火车站晚上没有公交车，下了火车只能打黑车，希望开通接驳公交。",
         "工地老板拖欠我们十几个农民工半年工资，找了劳动监察也没有结果。"]


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, round(0.95 * len(ordered)) - 1)]


def measure(root: Path, rebuild: bool = False, seed: int = 1) -> dict:
    """Build (if asked or missing), update after one change, and time queries and similar cases."""
    figures: dict = {}
    report = update_index(root, rebuild=rebuild)
    figures["build_s"] = report.seconds if report.rebuilt else None
    figures["documents"], figures["size_mb"] = report.documents, report.size_bytes / 1e6
    rels, _ = list_case_files(root)
    segmenter()  # jieba-rs's dictionary, built once per process: left out of the in-process figures
    changed = root / random.Random(seed).choice(rels)
    changed.write_text(changed.read_text(encoding="utf-8"), encoding="utf-8")  # new mtime, same text
    figures["update_one_s"] = update_index(root).seconds
    figures["noop_update_s"] = update_index(root).seconds
    changed.write_text(changed.read_text(encoding="utf-8"), encoding="utf-8")
    started = time.perf_counter()
    command = [sys.executable, "-c", "from caselog.cli import main; main()", "-C", str(root), "index"]
    subprocess.run(command, check=True, capture_output=True)
    figures["index_command_s"] = time.perf_counter() - started
    with CaseSearcher(root) as searcher:
        started = time.perf_counter()
        searcher.search("电梯")
        figures["first_query_s"] = time.perf_counter() - started
        timings = []
        for text, filters in [(w, Filters()) for w in WORDS + FIELDED] + FILTERED:
            started = time.perf_counter()
            searcher.search(text, filters, limit=20)
            timings.append(time.perf_counter() - started)
        figures["queries"] = len(timings)
        figures["query_ms"] = tuple(1000 * t for t in _percentiles(timings))
        bare = []
        for text in WORDS:
            started = time.perf_counter()
            searcher.search(text, limit=20, snippets=False)
            bare.append(time.perf_counter() - started)
        figures["query_nosnippet_ms"] = tuple(1000 * t for t in _percentiles(bare))
        similar = []
        for rel in random.Random(seed).sample(rels, 20):
            started = time.perf_counter()
            similar_to_case(root, Path(rel).stem, 5, searcher)
            similar.append(time.perf_counter() - started)
        for text in TEXTS:
            started = time.perf_counter()
            similar_to_text(searcher, text, 5)
            similar.append(time.perf_counter() - started)
        figures["similar_ms"] = tuple(1000 * t for t in _percentiles(similar))
    return figures


def main(argv: list[str] | None = None) -> int:
    """Command line: ROOT [--rebuild]."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("root", type=Path, help="a case log (e.g. written by make_corpus.py)")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the index first and time it")
    args = parser.parse_args(argv)
    f = measure(args.root.resolve(), args.rebuild)
    build = f"{f['build_s']:.0f} s" if f["build_s"] is not None else "(not rebuilt)"
    print(f"| cases | index build | index size | update after 1 change | no-op update "
          f"| `caselog index` after 1 change | query median / p95 ({f['queries']} queries) "
          f"| words only, no snippets | similar median / p95 |")
    print("|---|---|---|---|---|---|---|---|---|")
    print(f"| {f['documents']:,} | {build} | {f['size_mb']:.0f} MB | {f['update_one_s']:.2f} s "
          f"| {f['noop_update_s']:.2f} s | {f['index_command_s']:.1f} s "
          f"| {f['query_ms'][0]:.0f} / {f['query_ms'][1]:.0f} ms "
          f"| {f['query_nosnippet_ms'][0]:.0f} / {f['query_nosnippet_ms'][1]:.0f} ms "
          f"| {f['similar_ms'][0]:.0f} / {f['similar_ms'][1]:.0f} ms |")
    print(f"first query (builds jieba-rs's dictionary): {f['first_query_s']:.2f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

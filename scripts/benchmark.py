"""Benchmark caselog against plain Pelican + Pagefind on generated case logs of N cases, in one run.

    python scripts/benchmark.py --bench-dir /work/bench      # every figure of issue 14: 30k and 100k
    python scripts/benchmark.py --sizes 300000               # once: the extrapolation check
    python scripts/benchmark.py --sizes 1000 --no-index      # a quick run
    python scripts/benchmark.py --markdown docs/benchmarks.md.new

For each N it takes the corpus in BENCH_DIR/cN (made there with scripts/make_corpus.py if it is
missing: seeded, with a Git history for 1 % of the cases) and works on a copy of it in
WORK_DIR/cN, made afresh for each run (the corpus itself is never written to: one case is edited
for "one case changed", and caselog keeps its caches beside the cases). It then runs the real
`caselog` command on the copy, one process per measurement, as staff and CI would:

  validate (cold)      `caselog validate` with no cache (a fresh clone)
  validate (warm)      again, the cache filled
  overdue, stats       `caselog overdue` / `caselog stats` (the first run after validate
                       derives each case's facts: "first"; then "again")
  build (fresh clone)  `caselog build` (with the public search index) with no caches and an
                       empty output: what CI does on a fresh clone
  build                the same with the case cache filled (output emptied first)
  one case changed     a case's reply edited, then `caselog build` again (incremental); the
                       search index files it rewrote are listed (only the case's period's)
  search fetch         a real Chromium (Playwright) opens /search/?q=电梯, waits until the
                       search is done (#search[data-state=done]) and the bytes it fetched
                       are summed
  recall               the public search's recall (scripts/search_recall.py: words drawn
                       from the texts, searched with the built site's own search code in Node)
  staff index          `caselog index --rebuild`

and, as the baseline, plain Pelican (default theme and settings) building the same N cases
as Markdown articles (title, date, message and replies: the text of the case page), and
Pagefind (`python -m pagefind --site`) over Pelican's pages. Each figure is wall-clock
seconds; "peak MB" is the largest memory of the command and all its worker processes together
(proportional set size, so pages forked workers share with their parent count once), sampled
every half second (reading it more often costs the measured commands a noticeable share of the
two cores). Pages per second count the HTML files each build wrote. `--no-search` builds
without the search index (and skips the search figures).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))

from make_corpus import generate_cases, write_corpus  # noqa: E402

AS_OF = "2026-11-23"
QUERY = "电梯"
SEARCH_INDEX = "search-index"  # the public search index's folder in the output


@dataclass
class Run:
    """One timed command."""

    seconds: float
    peak_mb: float
    output: str = ""


@dataclass
class Result:
    """Every figure measured at one N."""

    n: int
    runs: dict[str, Run] = field(default_factory=dict)
    pages: dict[str, int] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)


def _tree_memory(pid: int) -> int:
    """Proportional set size (bytes) of a process and all its descendants: forked workers share
    their parent's pages, and a plain sum of resident sizes would count those pages twice."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            with open(f"/proc/{current}/smaps_rollup", "rb") as handle:
                for line in handle:
                    if line.startswith(b"Pss:"):
                        total += int(line.split()[1]) * 1024
                        break
        except OSError:
            pass
        todo += children.get(current, [])
    return total


def run(command: list[str], cwd: Path, check: bool = True) -> Run:
    """Run a command, timing it and sampling its process tree's memory."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True)
    peak = 0
    done = threading.Event()

    def sample():
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_memory(process.pid))
            done.wait(0.5)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = process.communicate()
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    if check and process.returncode != 0:
        sys.exit(f"benchmark: {' '.join(command)} failed in {cwd}:\n{output[-3000:]}")
    return Run(seconds, peak / 2**20, output)


def corpus(n: int, seed: int, bench_dir: Path) -> Path:
    """bench_dir/cN with N cases (made once, reused while its stamp matches; never written to after)."""
    out = bench_dir / f"c{n}"
    stamp = out / ".corpus"
    wanted = f"{n} {seed} history"
    if not (stamp.is_file() and stamp.read_text() == wanted):
        print(f"making a corpus of {n:,} cases in {out}", file=sys.stderr)
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        write_corpus(out, n, seed, history=max(10, n // 100))
        stamp.write_text(wanted)
    return out


def working_copy(source: Path, work_dir: Path) -> Path:
    """A fresh copy of a corpus (its cases and Git history), to build, cache and edit in."""
    copy = work_dir / source.name
    shutil.rmtree(copy, ignore_errors=True)
    work_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run(["cp", "-a", str(source), str(copy)], check=True)  # keeps times, far faster than copytree
    return copy


def caselog(*args: str) -> list[str]:
    return [sys.executable, "-m", "caselog", *args]


def html_pages(output: Path) -> int:
    return sum(1 for _ in output.rglob("*.html"))


def change_one_case(root: Path, skip: int = 0) -> Path:
    """Edit the final reply of a closed public case, as a correction would (mtime moves on);
    `skip` passes over that many such cases (to change another one)."""
    for path in sorted((root / "cases").glob("*/*/*.yaml"), reverse=True):
        text = path.read_text(encoding="utf-8")
        if "public: true" in text and "type: closed" in text and "感谢您的监督！" in text:
            if skip:
                skip -= 1
                continue
            path.write_text(text.replace("感谢您的监督！", "感谢您的监督与支持！", 1), encoding="utf-8")
            stamp = time.time() - 5  # older than the cache's racy window, as a later run would find it
            os.utime(path, (stamp, stamp))
            return path
    sys.exit("benchmark: no case to change")


def search_bytes(output: Path) -> tuple[int, int, int]:
    """(bytes, requests, results shown) when a Chromium loads /search/?q=QUERY and the search is done."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return 0, 0, 0
    sys.path.insert(0, str(REPO / "tests"))
    from conftest import find_chromium

    browser_path = find_chromium()
    if browser_path is None:
        return 0, 0, 0
    import functools
    import http.server

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(output))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sizes: list[int] = []
    results = 0
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=browser_path)
            page = browser.new_page()
            page.on("requestfinished", lambda request: sizes.append(request.sizes()["responseBodySize"]))
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/search/?q={QUERY}")
            page.wait_for_selector('#search[data-state="done"]', state="attached", timeout=120_000)
            page.wait_for_load_state("networkidle")
            results = page.locator("#search-results li a").count()
            browser.close()
    finally:
        server.shutdown()
    return sum(sizes), len(sizes), results


def pelican_baseline(work_dir: Path, n: int, seed: int, search: bool) -> tuple[Run, int, Run | None]:
    """Plain Pelican building the corpus's cases as Markdown articles; then Pagefind over its pages."""
    base = work_dir / f"pelican-c{n}"
    content = base / "content"
    stamp = base / ".articles"
    if not (stamp.is_file() and stamp.read_text() == f"{n} {seed} 2"):
        shutil.rmtree(base, ignore_errors=True)
        content.mkdir(parents=True)
        for index, (_rel, text) in enumerate(generate_cases(n, seed)):
            (content / f"case-{index}.md").write_text(_as_markdown(text, f"case-{index}"), encoding="utf-8")
        (base / "pelicanconf.py").write_text(
            'SITENAME = "基准"\nSITEURL = ""\nPATH = "content"\nTIMEZONE = "Asia/Shanghai"\n'
            'DEFAULT_LANG = "zh"\nDEFAULT_PAGINATION = 10\n', encoding="utf-8")
        stamp.write_text(f"{n} {seed} 2")
    output = base / "output"
    shutil.rmtree(output, ignore_errors=True)
    result = run([sys.executable, "-m", "pelican", "content", "-o", "output", "-s", "pelicanconf.py", "-q"],
                 base)
    pagefind = None
    if search:
        pagefind = run([sys.executable, "-m", "pagefind", "--site", "output", "--quiet"], base)
    return result, html_pages(output), pagefind


def _as_markdown(text: str, slug: str) -> str:
    import yaml

    case = yaml.safe_load(text)
    category = case.get("category", "")
    parts = [f"Title: {case['title']}", f"Date: {case['received']}", f"Slug: {slug}", f"Category: {category}",
             f"Tags: {', '.join(case.get('topics', []))}", "", case.get("message", "")]
    for event in case.get("events", []):
        if event.get("text"):
            parts += ["", f"## {event['type']} {event['date']}", "", event["text"]]
    return "\n".join(parts) + "\n"


def files_of(folder: Path) -> dict[str, tuple[int, int, int]]:
    """path -> (size, modification time, inode) of every file under `folder`: what a build rewrote
    shows as a change (a file replaced has a new inode, a file written in place a new time)."""
    found = {}
    for base, _dirs, names in os.walk(folder):
        for name in names:
            stat = os.stat(os.path.join(base, name))
            found[os.path.relpath(os.path.join(base, name), folder)] = (stat.st_size, stat.st_mtime_ns,
                                                                        stat.st_ino)
    return found


def rewritten(before: dict, after: dict) -> str:
    """Which files of the search index changed, by the folder under it (its period)."""
    changed = sorted(rel for rel, seen in after.items() if before.get(rel) != seen)
    removed = len(before.keys() - after.keys())
    folders: dict[str, int] = {}
    for rel in changed:
        folder = rel.split(os.sep, 1)[0] if os.sep in rel else rel
        folders[folder] = folders.get(folder, 0) + 1
    listed = ", ".join(f"{folder} ({count})" for folder, count in folders.items()) or "none"
    return f"{len(changed):,} of {len(after):,} files: {listed}" + (f"; {removed} removed" if removed else "")


def measure_commands(root: Path, result: Result) -> None:
    """validate, overdue and stats, from no cache to a filled one."""
    shutil.rmtree(root / ".caselog", ignore_errors=True)
    result.runs["validate (cold)"] = run(caselog("validate"), root)
    result.runs["validate (warm)"] = run(caselog("validate"), root)
    result.runs["overdue (first)"] = run(caselog("overdue", "--as-of", AS_OF, "--format", "json"), root)
    result.runs["overdue"] = run(caselog("overdue", "--as-of", AS_OF, "--format", "json"), root)
    result.runs["stats"] = run(caselog("stats", "--as-of", AS_OF), root)


def measure_builds(root: Path, result: Result, search: bool) -> Path:
    """The full build on a fresh clone and with the cache filled, then a one-case change; the
    output directory."""
    output = root / "output"
    build = caselog("build", "--as-of", AS_OF, "--settings", str(REPO / "pelicanconf.py"),
                    "--output", str(output), *(() if search else ("--no-search",)))
    # every full build starts from an empty output directory, as the Pelican baseline does
    # (removing the last one is not timed); "fresh clone" also starts without caselog's caches
    shutil.rmtree(output, ignore_errors=True)
    shutil.rmtree(root / ".caselog", ignore_errors=True)
    result.runs["build (fresh clone)"] = run(build, root)
    shutil.rmtree(output)
    result.runs["build"] = run(build, root)
    result.pages["caselog"] = html_pages(output)
    result.notes["build"] = result.runs["build"].output.strip().splitlines()[-1]
    index = output / SEARCH_INDEX
    before = files_of(index) if search else {}
    changed = change_one_case(root)
    result.runs["one case changed"] = run(build, root)
    result.notes["one case changed"] = (f"{changed.stem} (received {changed.stem[:4]}-{changed.stem[4:6]}): "
                                        + result.runs["one case changed"].output.strip().splitlines()[-1])
    if search:
        after = files_of(index)
        size = sum(seen[0] for seen in after.values())
        result.notes["search index"] = f"{size / 1e6:.0f} MB in {len(after):,} files"
        result.notes["search files rewritten"] = rewritten(before, after)
    return output


def measure_search(root: Path, output: Path, result: Result, recall: bool) -> None:
    """What a browser fetches for one query, and (if `recall`) the search's recall."""
    fetched, requests, shown = search_bytes(output)
    if requests:
        result.notes["search fetch"] = (f"{fetched / 1024:.0f} KiB in {requests} requests, "
                                        f"{shown} results shown")
    if recall:
        from search_recall import measure as measure_recall
        from search_recall import report as recall_report

        result.notes["recall"] = recall_report(measure_recall(root, output, date.fromisoformat(AS_OF)))


def measure_staff_index(root: Path, result: Result) -> None:
    """The staff search index, built from nothing."""
    result.runs["staff index"] = run(caselog("index", "--rebuild"), root)


def measure(n: int, args) -> Result:
    """Every figure for N cases, on a fresh copy of the corpus."""
    root = working_copy(corpus(n, args.seed, args.bench_dir), args.work_dir)
    result = Result(n)
    search = not args.no_search
    try:
        measure_commands(root, result)
        output = measure_builds(root, result, search)
        if search:
            measure_search(root, output, result, recall=n <= args.recall_max)
        if not args.no_index:
            measure_staff_index(root, result)
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    if n <= args.baseline_max:
        plain, result.pages["pelican"], pagefind = pelican_baseline(args.work_dir, n, args.seed, search)
        result.runs["plain Pelican"] = plain
        if pagefind:
            result.runs["Pagefind over Pelican"] = pagefind
    return result


ROWS = ["validate (cold)", "validate (warm)", "overdue (first)", "overdue", "stats", "build (fresh clone)",
        "build", "one case changed", "staff index", "plain Pelican", "Pagefind over Pelican"]
NOTES = ["search index", "search files rewritten", "search fetch"]


def table(results: list[Result]) -> str:
    """The figures as a Markdown table, a column per N."""
    head = "| | " + " | ".join(f"{r.n:,} cases" for r in results) + " |"
    lines = [head, "|---" * (len(results) + 1) + "|"]
    for row in ROWS:
        cells = []
        for r in results:
            got = r.runs.get(row)
            cells.append(f"{got.seconds:.1f} s · {got.peak_mb:,.0f} MB" if got else "—")
        lines.append(f"| {row} | " + " | ".join(cells) + " |")
    cells = []
    for r in results:
        ours = r.pages.get("caselog", 0) / r.runs["build"].seconds
        cells.append(f"{ours:,.0f}")
    lines.append("| caselog build, pages/s | " + " | ".join(cells) + " |")
    cells = []
    for r in results:
        plain = r.runs.get("plain Pelican")
        cells.append(f"{r.pages['pelican'] / plain.seconds:,.0f}" if plain else "—")
    lines.append("| plain Pelican, pages/s | " + " | ".join(cells) + " |")
    for row in ("build (fresh clone)", "build"):
        cells = []
        for r in results:
            plain, pagefind = r.runs.get("plain Pelican"), r.runs.get("Pagefind over Pelican")
            if plain:
                baseline = plain.seconds + (pagefind.seconds if pagefind else 0)
                faster = baseline / r.runs[row].seconds
                said = f"{faster:.1f}× less time" if faster >= 1 else f"{1 / faster:.1f}× the time"
                cells.append(said)
            else:
                cells.append("—")
        against = "plain Pelican + Pagefind" if any("Pagefind over Pelican" in r.runs for r in results) \
            else "plain Pelican"
        lines.append(f"| {row} against {against} | " + " | ".join(cells) + " |")
    for note in NOTES:
        lines.append(f"| {note} | " + " | ".join(r.notes.get(note, "—") for r in results) + " |")
    return "\n".join(lines) + "\n"


def staff_search(sizes: list[int], seed: int, bench_dir: Path, import_rows: int = 10_000) -> str:
    """The staff search (`caselog index`, `search`, `similar`, the repeat check of `import`),
    on copies of the corpora (the index and a changed case stay in the copy): a Markdown table.

    Per N: `caselog index --rebuild` (time, peak memory), then scripts/bench_search.py's
    in-process figures (update after one change, no-op update, 54 queries with snippets,
    similar cases), then whole `caselog search` commands, a process each, with and without
    the index update that precedes a search. Then a 10,000-row archive export imported into
    a case log that has an index (the repeat check and the indexing of every new case are
    part of the command), and the same export imported without one, then `caselog index`.
    Commands show wall seconds and, in brackets, the CPU seconds they used (on a shared
    machine the wall clock also waits for the other users' work).
    """
    import tempfile

    from bench_search import WORDS
    from bench_search import measure as measure_in_process
    from make_export import MAPPING, message_rows, write_export

    def timed(command: list[str], cwd: Path) -> tuple[Run, float]:
        before = os.times()
        done = run(command, cwd)
        after = os.times()
        return done, (after.children_user - before.children_user) + (after.children_system
                                                                      - before.children_system)

    def spread(samples: list[float]) -> str:
        ordered = sorted(samples)
        p95 = ordered[min(len(ordered) - 1, round(0.95 * len(ordered)) - 1)]
        return f"{ordered[len(ordered) // 2]:.2f} / {p95:.2f}"

    rows = []
    with tempfile.TemporaryDirectory(prefix="caselog-staff-search-") as scratch:
        work = Path(scratch)
        for n in sizes:
            root = work / f"c{n}"
            shutil.copytree(corpus(n, seed, bench_dir) / "cases", root / "cases")
            build, build_cpu = timed(caselog("index", "--rebuild"), root)
            f = measure_in_process(root, seed=seed)
            commands = {flag: [timed(caselog("search", word, "--limit", "20", *flag), root)
                               for word in WORDS[:12]] for flag in ((), ("--no-update",))}
            cells = [f"{spread([r.seconds for r, _cpu in runs])} s ({spread([cpu for _r, cpu in runs])} s)"
                     for runs in commands.values()]
            rows.append(
                f"| {n:,} | {build.seconds:.1f} s ({build_cpu:.1f} s) · {build.peak_mb:,.0f} MB "
                f"| {f['size_mb']:.0f} MB | {f['update_one_s']:.2f} s | {f['noop_update_s']:.2f} s "
                f"| {f['index_command_s']:.1f} s | {f['query_ms'][0]:.1f} / {f['query_ms'][1]:.1f} ms "
                f"| {f['query_nosnippet_ms'][0]:.1f} / {f['query_nosnippet_ms'][1]:.1f} ms "
                f"| {f['similar_ms'][0]:.0f} / {f['similar_ms'][1]:.0f} ms | {cells[0]} | {cells[1]} |")
            shutil.rmtree(root)
        export, mapping = work / "export.xlsx", work / "mapping.yaml"
        write_export(export, message_rows(import_rows, seed), empty_rows=30_000)
        mapping.write_text(MAPPING, encoding="utf-8")
        imports = []
        for indexed in (True, False):
            log = work / f"import-{indexed}"
            shutil.copytree(REPO / "cases" / "registry", log / "cases" / "registry")
            if indexed:
                run(caselog("index"), log)
            done, cpu = timed(caselog("import", str(export), "--mapping", str(mapping)), log)
            wall, peak = done.seconds, done.peak_mb
            parts = f"{done.seconds:.1f} s ({cpu:.1f} s)"
            if not indexed:
                after, after_cpu = timed(caselog("index"), log)
                wall, cpu, peak = wall + after.seconds, cpu + after_cpu, max(peak, after.peak_mb)
                parts += f" + {after.seconds:.1f} s ({after_cpu:.1f} s)"
            what = ("into a log with an index (repeats checked, every case indexed by the import)" if indexed
                    else "into a log without an index, then `caselog index`")
            imports.append(f"| {import_rows:,}-row import {what} | {parts} = {wall:.1f} s ({cpu:.1f} s) "
                           f"| {peak:,.0f} MB | {done.output.strip().splitlines()[-1]} |")
    load = os.getloadavg()
    return "\n".join([
        "| cases | `index --rebuild` (CPU) · peak | index size | update after 1 change (in-process) "
        "| no-op update | `caselog index` after 1 change "
        "| query p50 / p95 (54 queries, in-process, with snippets) "
        "| words only, no snippets, p50 / p95 | similar p50 / p95 | `caselog search` p50 / p95 (CPU) "
        "| `caselog search --no-update` p50 / p95 (CPU) |",
        "|---" * 11 + "|", *rows, "",
        "| import | wall (CPU) | peak | the command's last line |", "|---|---|---|---|", *imports, "",
        f"Load average at the end: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} on {os.cpu_count()} cores.", ""])


def machine() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{os.cpu_count()} cores ({cpu}), {memory:.0f} GiB, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="30000,100000",
                        help="numbers of cases, comma-separated (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--bench-dir", type=Path, default=REPO / "bench",
                        help="where the corpora are (cN for N cases; made there if missing, never "
                             "written to otherwise; default: %(default)s)")
    parser.add_argument("--work-dir", type=Path, default=Path(tempfile.gettempdir()) / "caselog-benchmark",
                        help="where each corpus is copied to be built, cached and edited "
                             "(default: %(default)s)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the working copies (with their output and caches) after the run")
    parser.add_argument("--baseline-max", type=int, default=30000,
                        help="largest N to build with plain Pelican and Pagefind too (Pagefind needs "
                             "about 0.32 MB of memory a page: 30k pages take 10 GB)")
    parser.add_argument("--no-search", action="store_true",
                        help="build without the public search index (and skip the search figures)")
    parser.add_argument("--recall-max", type=int, default=100000,
                        help="largest N to measure the public search's recall at")
    parser.add_argument("--no-index", action="store_true",
                        help="skip the staff index build (scripts/bench_search.py measures it in depth)")
    parser.add_argument("--markdown", type=Path, help="also write the table and notes to this file")
    parser.add_argument("--staff-search", default="10000,100000", metavar="SIZES",
                        help="sizes to measure the staff search at, comma-separated; 'no' to skip "
                             "(only it: --sizes '' --staff-search 10000,100000)")
    args = parser.parse_args(argv)
    results = []
    for n in (int(size.replace("_", "")) for size in args.sizes.split(",") if size):
        print(f"measuring {n:,} cases", file=sys.stderr)
        results.append(measure(n, args))
        print(table(results), file=sys.stderr)
    command = " ".join(["python scripts/benchmark.py", *(argv if argv is not None else sys.argv[1:])])
    text = [f"Machine: {machine()}.", "", f"Command: `{command}`", "", table(results)]
    for r in results:
        text.append(f"- {r.n:,} cases: {r.notes.get('build', '')}; after one change: "
                    f"{r.notes.get('one case changed', '')}")
    for r in results:
        if "recall" in r.notes:
            text += ["", f"Public search recall at {r.n:,} cases (scripts/search_recall.py):", "",
                     r.notes["recall"]]
    if args.staff_search != "no":
        staff = [int(size.replace("_", "")) for size in args.staff_search.split(",") if size]
        text += ["", "Staff search (`staff_search`):", "", staff_search(staff, args.seed, args.bench_dir)]
    print("\n".join(text))
    if args.markdown:
        args.markdown.write_text("\n".join(text) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

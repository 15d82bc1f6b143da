"""Benchmark `caselog import` on an archive export with replies (docs/benchmarks.md).

    python scripts/bench_import.py                   # 10,000 rows, 3 repeats
    python scripts/bench_import.py --rows 2000 --repeats 1

Makes the export with scripts/make_export.py (seeded; about 60 % of the rows with a
reply, 30,000 empty rows after the last message, every quirk of a real sheet), then,
`--repeats` times: a fresh case log holding only the demo registry in bench/import/,
`caselog import` of the whole export (every row a new case), and the same command again
(a re-run: every row already imported, nothing written). Each run is the real command in
its own process, as staff would run it. Figures are wall-clock seconds and the CPU
seconds (user + system) the command used: on a shared machine the wall clock waits for
the other users' work, the CPU time does not.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))

from make_export import MAPPING, message_rows, write_export  # noqa: E402


def timed(command: list[str], cwd: Path) -> tuple[float, float, str]:
    """Wall seconds, CPU seconds and the last line of stderr of one command."""
    before = os.times()
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    after = os.times()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    if done.returncode not in (0, 1):
        sys.exit(f"{' '.join(command)} failed:\n{done.stderr}")
    return wall, cpu, done.stderr.strip().splitlines()[-1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    work = REPO / "bench" / "import"
    work.mkdir(parents=True, exist_ok=True)
    export = work / f"export-{args.rows}-{args.seed}.xlsx"
    if not export.exists():
        write_export(export, message_rows(args.rows, args.seed), empty_rows=30_000)
    mapping = work / "mapping.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    command = [sys.executable, "-m", "caselog", "import", str(export), "--mapping", str(mapping)]
    print(f"{args.rows} rows, {export.stat().st_size:,} bytes; wall s (CPU s)")
    for repeat in range(1, args.repeats + 1):
        log = work / "log"
        shutil.rmtree(log, ignore_errors=True)
        (log / "cases").mkdir(parents=True)
        shutil.copytree(REPO / "cases" / "registry", log / "cases" / "registry")
        first = timed(command, log)
        again = timed(command, log)
        print(f"run {repeat}: import {first[0]:.1f} s ({first[1]:.1f} s CPU); "
              f"re-run {again[0]:.1f} s ({again[1]:.1f} s CPU)")
        print(f"    {first[2]}\n    {again[2]}")
    load = os.getloadavg()
    print(f"load average at the end: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} ({os.cpu_count()} cores)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

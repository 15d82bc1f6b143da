"""Building the portal: Pelican with the caselog plugin (pages, data, search), then the output checks."""

from __future__ import annotations

import contextlib
import io
import logging
import shutil
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..errors import CaselogError
from ..i18n import _
from .scan import scan_output
from .search_index import INDEX


class BuildError(CaselogError):
    """The site could not be built, or the built site failed a check."""


@dataclass
class BuildReport:
    """What a build produced and how long each stage took (seconds)."""

    output: Path
    pages: int = 0
    case_pages: int = 0
    rendered: int = 0
    skipped: int = 0
    deleted: int = 0
    timings: dict = field(default_factory=dict)
    search_bundles: tuple[str, ...] = ()  # every search bundle (period), newest first
    search_written: tuple[str, ...] = ()  # the bundles this build wrote (their cases changed)
    window_end: date | None = None  # where the headline periods and charts end: as_of, or the newest message


class _Collect(logging.Handler):
    """Collects Pelican's warnings and errors: any of them fails the build (like --fatal warnings)."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.records: list[str] = []

    def emit(self, record):
        self.records.append(f"{record.levelname.lower()}: {record.getMessage()}")


def run_pelican(root: Path, settings_file: Path, output: Path, as_of: date, overrides: dict) -> dict:
    """Run Pelican in this process with the caselog plugin; return its final settings."""
    from pelican import Pelican
    from pelican.settings import read_settings

    settings = read_settings(str(settings_file), override={
        "OUTPUT_PATH": str(output), "CASELOG_ROOT": str(root), "CASELOG_AS_OF": as_of.isoformat(),
        **overrides})
    handler = _Collect()
    logger = logging.getLogger("pelican")
    logger.addHandler(handler)
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # Pelican's own "Done: ..." line
            Pelican(settings).run()
    finally:
        logger.removeHandler(handler)
    if handler.records:
        msg = _("Pelican reported problems (the build fails on any warning):\n  ") + "\n  ".join(
            handler.records)
        raise BuildError(msg)
    return settings


def build_site(root: Path, output: Path, as_of: date, *, settings_file: Path | None = None,
               search: bool = True, clean: bool = False, site_url: str | None = None) -> BuildReport:
    """Build the portal into `output` and check it; raise BuildError (or InvalidCase) on any problem."""
    settings_file = settings_file or root / "pelicanconf.py"
    if not settings_file.is_file():
        msg = _("no Pelican settings at {settings_file} (pass --settings FILE)").format(
                settings_file=settings_file)
        raise BuildError(msg)
    if clean and output.exists():
        shutil.rmtree(output)
    report = BuildReport(output)
    overrides = {"CASELOG_SEARCH": search, "CASELOG_GATE_LATER": True}  # checked after the search index
    if site_url is not None:
        overrides["SITEURL"] = site_url
    started = time.perf_counter()
    settings = run_pelican(root, settings_file, output, as_of, overrides)
    report.timings["pelican"] = time.perf_counter() - started
    result = settings.get("CASELOG_RESULT")
    if result is None:
        msg = _("the caselog plugin did not run: add 'caselog.site.pelican_plugin' to PLUGINS")
        raise BuildError(msg)
    report.pages, report.case_pages = result.pages, result.case_pages
    report.window_end = result.window_end
    report.rendered, report.skipped, report.deleted = result.rendered, result.skipped, result.deleted
    on_disk = sum(1 for _ in (output / "cases").glob("*/index.html")) if (output / "cases").is_dir() else 0
    if on_disk != result.case_pages:
        msg = (_("{on_disk} case pages in {output}/cases but {case_pages} closed public cases: the output "
                 "is out of step with the case log (rebuild with --clean)").format(
                 on_disk=on_disk, output=output, case_pages=result.case_pages))
        raise BuildError(msg)
    if result.search is not None:
        report.search_bundles = tuple(result.search.periods)
        report.search_written = tuple(result.search.written)
        report.timings["pelican"] -= result.search.seconds
        report.timings["search"] = result.search.seconds
    elif (output / INDEX).exists():
        shutil.rmtree(output / INDEX)
    if (output / "pagefind").is_dir():  # the search index of earlier versions (Pagefind)
        shutil.rmtree(output / "pagefind")
    started = time.perf_counter()
    check_output(root, output, result)
    report.timings["scan"] = time.perf_counter() - started
    return report


def check_output(root: Path, output: Path, result) -> None:
    """The publication gate on the output: raise BuildError naming every leak the scan finds.

    `caselog build` calls it after the search index; a plain `pelican` run calls it when Pelican is done
    (see pelican_plugin.py), so no way of building skips it."""
    leaks = scan_output(output, set(result.hidden_ids), set(result.secret_titles),
                        state_path=root / ".caselog" / "scan-state.pickle", checked=result.checked,
                        public_numbers=result.public_numbers, seen=result.seen)
    if leaks:
        # in path order: the same leaks read the same whichever files a cache spared reading
        leaks = sorted(leaks, key=lambda leak: (leak.path, leak.what))
        shown = "\n  ".join(str(leak) for leak in leaks[:50])
        msg = _("the built site leaks {count} item(s); it must not be published:\n  {shown}").format(
                count=len(leaks), shown=shown)
        raise BuildError(msg)


"""Rendering page specs to files: only what changed, on every core, and nothing stale left behind.

A manifest (kept outside the output, under .caselog/) records each page's
fingerprint; a page whose fingerprint and file are unchanged is not rendered
again. Files written by an earlier build that this build no longer produces
(say, a case that was made non-public) are deleted.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import CaselogError
from .forking import fork_slices
from .pages import PageSpec

PARALLEL_MIN_PAGES = 1500


@dataclass
class WriteStats:
    """What a write pass did."""

    rendered: int = 0
    written: int = 0
    skipped: int = 0
    deleted: int = 0
    files: dict = field(default_factory=dict)  # path -> fingerprint
    checked: dict = field(default_factory=dict)  # path -> leaks found in what was rendered for it


class UnsafeOutputPath(CaselogError):
    """An output path that would leave the output directory."""


def inside_output(output: Path, rel: str) -> Path:
    """output/rel, once rel is known to stay inside output (no absolute path, no '..', no '\\')."""
    parts = rel.split("/")
    if "\\" in rel or ":" in parts[0] or any(part in ("", ".", "..") for part in parts):
        msg = f"refusing to write {rel!r}: it is not a path inside the output directory {output}"
        raise UnsafeOutputPath(msg)
    return output / rel


def write_file(output: Path, rel: str, content: str, compare: bool = True) -> bool:
    """Write `content` to output/rel unless the file already holds exactly that (`compare`:
    read it to see); True if written.

    A file that exists is replaced atomically (a reader never sees half of it). A new file
    is written in place: if that is cut short, the build fails, its manifest is not saved,
    and the next build writes the file again."""
    path = inside_output(output, rel)
    data = content.encode("utf-8")
    try:
        if path.stat().st_size == len(data) and compare and path.read_bytes() == data:
            return False
    except FileNotFoundError:
        try:
            path.write_bytes(data)
        except FileNotFoundError:  # a new directory
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        return True
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return True


class PageWriter:
    """Renders PageSpecs with a Jinja environment into an output directory."""

    def __init__(self, env, output: Path, manifest_path: Path, salt: str, base_context: dict,
                 dated_context: dict | None = None, check: Callable[[str, str], list] | None = None):
        self.env = env
        # checks each rendered page before it is written (the leak scan's checks: the scan after
        # the build then need not read the page back)
        self.check = check
        self.output = output
        self.manifest_path = manifest_path
        self.salt = salt  # theme, translations and settings: a change re-renders everything
        self.base_context = base_context
        # what changes with as_of: only pages rendered on every build (no fingerprint) may show it,
        # or a skipped page would keep an earlier build's date
        self.dated_context = dated_context or {}
        self.previous = self._read_manifest()

    def _read_manifest(self) -> dict:
        try:
            manifest = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if manifest.get("output") != str(self.output.resolve()):
            return {}
        return manifest.get("files", {})

    def _key(self, spec: PageSpec) -> str | None:
        if spec.fingerprint is None:
            return None
        return hashlib.blake2b(f"{self.salt}|{spec.fingerprint}".encode(), digest_size=12).hexdigest()

    def _run(self, specs: list[PageSpec]) -> WriteStats:
        stats = WriteStats()
        for spec in specs:
            key = self._key(spec)
            if key is not None and self.previous.get(spec.path) == key and (self.output / spec.path).exists():
                stats.skipped += 1
                stats.files[spec.path] = key
                continue
            template = self.env.get_template(spec.template)
            dated = self.dated_context if spec.fingerprint is None else {}
            html = template.render({**self.base_context, **dated, **spec.context(), "page_path": spec.path})
            stats.rendered += 1
            if self.check is not None:
                stats.checked[spec.path] = self.check(spec.path, html)
            stats.written += write_file(self.output, spec.path, html)
            stats.files[spec.path] = key
        return stats

    def write(self, specs: list[PageSpec], jobs: int | None = None) -> WriteStats:
        """Render and write every spec (in `jobs` processes when there are many)."""
        jobs = jobs or os.cpu_count() or 1
        if jobs <= 1 or len(specs) < PARALLEL_MIN_PAGES:
            return self._run(specs)
        # forked: the children inherit the loaded case log and templates
        parts = fork_slices(self._run, specs, jobs)
        total = WriteStats()
        for part in parts:
            total.rendered += part.rendered
            total.written += part.written
            total.skipped += part.skipped
            total.files.update(part.files)
            total.checked.update(part.checked)
        return total

    def finish(self, stats: WriteStats, extra_files: dict[str, None]) -> None:
        """Delete files an earlier build wrote that this one did not; save the manifest."""
        produced = {**stats.files, **extra_files}
        for rel in self.previous:
            if rel not in produced:
                try:
                    inside_output(self.output, rel).unlink()
                    stats.deleted += 1
                except FileNotFoundError:
                    pass
                self._remove_empty_parents(self.output / rel)
        self.manifest_path.parent.mkdir(parents=True, exist_ok=True)
        self.manifest_path.write_text(json.dumps(
            {"output": str(self.output.resolve()), "files": produced}, sort_keys=True), encoding="utf-8")


    def _remove_empty_parents(self, path: Path) -> None:
        # an empty cases/<id>/ left behind would still name a case that is no longer public
        parent = path.parent
        while parent != self.output and self.output in parent.parents:
            try:
                parent.rmdir()
            except OSError:  # not empty, or already gone
                return
            parent = parent.parent

"""Rendering page specs to files: only what changed, on every core, and nothing stale left behind.

A manifest (kept outside the output, under .caselog/) records each page's
fingerprint; a page whose fingerprint and file are unchanged is not rendered
again. Files written by an earlier build that this build no longer produces
(say, a case that was made non-public) are deleted.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..cache import UNREADABLE, store
from ..errors import CaselogError
from ..i18n import _
from .forking import fork_slices
from .pages import PageSpec
from .text_checks import TextChecks

PARALLEL_MIN_PAGES = 1500
FORK_BLOCK = 4000  # pages of neighbouring cases rendered by a process of their own (see fork_slices)


@dataclass
class WriteStats:
    """What a write pass did."""

    rendered: int = 0
    written: int = 0
    skipped: int = 0
    deleted: int = 0
    files: dict = field(default_factory=dict)  # path -> fingerprint
    checked: dict = field(default_factory=dict)  # path -> leaks found in what was rendered for it
    passed: dict = field(default_factory=dict)  # path -> digest of its text, if it passed the checks
    seen: dict = field(default_factory=dict)  # path -> (size, mtime_ns) of files left as they were


class UnsafeOutputPath(CaselogError):
    """An output path that would leave the output directory."""


def inside_output(output: Path, rel: str) -> Path:
    """output/rel, once rel is known to stay inside output (no absolute path, no '..', no '\\')."""
    parts = rel.split("/")
    if "\\" in rel or ":" in parts[0] or any(part in ("", ".", "..") for part in parts):
        msg = _("refusing to write {rel!r}: it is not a path inside the output directory {output}").format(
                rel=rel, output=output)
        raise UnsafeOutputPath(msg)
    return output / rel


def write_file(output: Path, rel: str, content: str | bytes | list[bytes], compare: bool = True) -> bool:
    """Write `content` (text, its UTF-8, or a list of chunks of it) to output/rel unless the file
    already holds exactly that (`compare`: read it to see); True if written.

    A file that exists is replaced atomically (a reader never sees half of it). A new file
    is written in place: if that is cut short, the build fails, its manifest is not saved,
    and the next build writes the file again."""
    path = inside_output(output, rel)
    chunks = content if isinstance(content, list) else [
        content if isinstance(content, bytes) else content.encode("utf-8")]
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        size = None
    if compare and size == sum(map(len, chunks)) and path.read_bytes() == b"".join(chunks):
        return False
    if size is None:
        try:
            _write_chunks(path, chunks)
        except FileNotFoundError:  # a new directory
            path.parent.mkdir(parents=True, exist_ok=True)
            _write_chunks(path, chunks)
        return True
    tmp = path.with_name(f".{path.name}.tmp")
    _write_chunks(tmp, chunks)
    os.replace(tmp, path)
    return True


def _write_chunks(path: Path, chunks: list[bytes]) -> None:
    with open(path, "wb") as handle:
        handle.writelines(chunks)


class PageWriter:
    """Renders PageSpecs with a Jinja environment into an output directory."""

    def __init__(self, env, output: Path, manifest_path: Path, salt: str, base_context: dict,
                 dated_context: dict | None = None, check: TextChecks | None = None):
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
        self._prefix = f"{output}{os.sep}"

    def _read_manifest(self) -> dict:
        try:
            manifest = pickle.loads(self.manifest_path.read_bytes())
            if manifest["output"] == str(self.output.resolve()):
                return manifest["files"]
        except UNREADABLE:
            pass  # no manifest, or not one this version wrote: every page is rendered
        return {}

    def _key(self, fingerprint: str | None) -> str | None:
        if fingerprint is None:
            return None
        return hashlib.blake2b(f"{self.salt}|{fingerprint}".encode(), digest_size=12).hexdigest()

    def _unchanged(self, path: str, key: str | None, stats: WriteStats) -> bool:
        """Whether an earlier build wrote `path` from the same inputs (`key`) and it is still
        there; its size and time go into `stats.seen` (the scan after the build need not ask again)."""
        if key is None or self.previous.get(path) != key:
            return False
        try:
            seen = os.stat(self._prefix + path)
        except FileNotFoundError:
            return False
        stats.seen[path] = (seen.st_size, seen.st_mtime_ns)
        return True

    def _run(self, specs: list[PageSpec]) -> WriteStats:
        stats = WriteStats()
        for spec in specs:
            key = self._key(spec.fingerprint)
            template = self.env.get_template(spec.template)
            dated = self.dated_context if spec.fingerprint is None else {}
            html = template.render({**self.base_context, **dated, **spec.context(), "page_path": spec.path})
            stats.rendered += 1
            if self.check is not None:
                stats.checked[spec.path] = self.check(spec.path, html)
            stats.written += write_file(self.output, spec.path, html)
            stats.files[spec.path] = key
        if self.check is not None:
            stats.passed = self.check.take()
        return stats

    def write(self, specs: list[PageSpec], jobs: int | None = None) -> WriteStats:
        """Render and write every spec whose page changed (in `jobs` processes when there are many)."""
        skipped = WriteStats()
        to_render = []
        for spec in specs:  # deciding what to skip costs little: only rendering is worth forking for
            key = self._key(spec.fingerprint)
            if self._unchanged(spec.path, key, skipped):
                skipped.skipped += 1
                skipped.files[spec.path] = key
            else:
                to_render.append(spec)
        jobs = jobs or os.cpu_count() or 1
        if jobs <= 1 or len(to_render) < PARALLEL_MIN_PAGES:
            parts = [self._run(to_render)]
        else:  # forked: the children inherit the loaded case log and templates
            parts = fork_slices(self._run, to_render, jobs, block=FORK_BLOCK)
        total = skipped
        for part in parts:
            total.rendered += part.rendered
            total.written += part.written
            total.files.update(part.files)
            total.checked.update(part.checked)
            total.passed.update(part.passed)
        return total

    def write_data(self, rel: str, fingerprint: str, make: Callable[[object], str], source: object,
                   stats: WriteStats) -> None:
        """Write a data file only when its fingerprint changed or it is missing (`make(source)`
        makes its text, called only then); record it in `stats` like a page. Its text is
        checked by the caller (it is part of a larger file)."""
        key = self._key(fingerprint)
        if not self._unchanged(rel, key, stats):
            # a data file is not read back to compare: its fingerprint says it changed
            stats.written += write_file(self.output, rel, make(source), compare=False)
        stats.files[rel] = key

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
        # pickled: at 100,000 cases it lists some 310,000 files (as JSON, seconds to read and write)
        store(self.manifest_path, pickle.dumps({"output": str(self.output.resolve()), "files": produced},
                                               protocol=pickle.HIGHEST_PROTOCOL))


    def _remove_empty_parents(self, path: Path) -> None:
        # an empty cases/<id>/ left behind would still name a case that is no longer public
        parent = path.parent
        while parent != self.output and self.output in parent.parents:
            try:
                parent.rmdir()
            except OSError:  # not empty, or already gone
                return
            parent = parent.parent

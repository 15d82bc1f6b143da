"""The leak checks of the texts a build writes, remembered between builds by the digest of each text.

A build checks every page, feed and data file it renders before writing it (scan_written).
A full build into an empty output renders every page again, most of them exactly as the last
build did; checking one takes longer than rendering it. So the digests of the texts that
passed are kept in .caselog/text-checks.pickle by output file (those of files an incremental
build left as they were too), with what they were checked for: the detector (its version, the
office's public numbers, caselog's code) and the ids and titles of non-public cases. A text
whose digest is there passed every check then; it is looked at again only for the ids and
titles that were not secret then. Another detector starts afresh. So what the checks find
never depends on the cache: it only spares work.
"""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path, PurePosixPath

from ..cache import UNREADABLE, code_digest, store
from .scan import Leak, Secrets, _as_read, scan_text, secrets_in

DIGEST = 16  # bytes of blake2b: a text's identity


class TextChecks:
    """scan_written with a memory: call it with (output path, text); it returns the leaks."""

    def __init__(self, path: Path | None, secrets: Secrets):
        self.path = path
        self.secrets = secrets
        self.detector = f"{secrets.detector_key}|{code_digest()}"
        self.previous, ids, titles = self._load()
        self.known = frozenset(self.previous.values())
        self.new_secrets = secrets.added_since(ids, titles)
        self.same_secrets = ids == set(secrets.ids) and titles == set(secrets.titles)
        self.passed: dict[str, bytes] = {}  # output path -> digest of its text, if it passed here

    def _load(self) -> tuple[dict[str, bytes], set[str], set[str]]:
        try:
            state = pickle.loads(self.path.read_bytes()) if self.path else None
            if state["detector"] == self.detector:
                return dict(state["files"]), set(state["ids"]), set(state["titles"])
        except UNREADABLE:
            pass  # no cache, or not one this version can read: everything is checked
        return {}, set(), set()

    def __call__(self, rel: str, text: str) -> list[Leak]:
        digest = hashlib.blake2b(text.encode("utf-8"), digest_size=DIGEST).digest()
        if digest in self.known:
            if self.new_secrets.empty:
                leaks = []
            else:  # passed every check once: only what was not secret then is looked for
                leaks = [Leak(rel, what) for what in
                         secrets_in(*_as_read(PurePosixPath(rel).suffix, text), self.new_secrets)]
        else:
            leaks = scan_text(rel, *_as_read(PurePosixPath(rel).suffix, text), self.secrets)
        if not leaks:
            self.passed[rel] = digest
        return leaks

    def take(self) -> dict[str, bytes]:
        """The texts that passed here since the last take, by output path (a forked worker
        hands them back to the build)."""
        passed, self.passed = self.passed, {}
        return passed

    def save(self, passed: dict[str, bytes], produced) -> None:
        """Keep the texts that passed in this build, and those of the files in `produced` that
        it left as they were: only while the secrets are the same (those texts were checked
        for the secrets of then, and the scan after the build looks for new ones in them)."""
        if self.path is None:
            return
        files = {}
        if self.same_secrets:
            files = {rel: self.previous[rel] for rel in produced if rel in self.previous}
        files.update(passed)
        state = {"detector": self.detector, "ids": sorted(self.secrets.ids),
                 "titles": sorted(self.secrets.titles), "files": files}
        try:
            store(self.path, pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL))
        except OSError:
            pass  # a read-only cache directory: the next build checks everything again

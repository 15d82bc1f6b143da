"""After a build: scan every output file, the search index included, for personal data and
for any trace of a non-public case."""

from __future__ import annotations

import gzip
import html
import re
from dataclasses import dataclass
from pathlib import Path

from ..privacy import KINDS, find_personal_data

TEXT_SUFFIXES = {".html", ".xml", ".json", ".csv", ".txt", ".js", ".svg"}
_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Leak:
    """Something in the output that must not be there."""

    path: str
    what: str

    def __str__(self) -> str:
        return f"{self.path}: {self.what}"


def _text_of(path: Path) -> str | None:
    if path.suffix in TEXT_SUFFIXES:
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix in (".html", ".xml", ".svg"):
            text = html.unescape(_TAG.sub(" ", text))
        return text
    if path.suffix in (".pf_fragment", ".pf_meta", ".pf_index", ".pf_filter"):
        # Pagefind's index files are gzip-compressed; the fragments hold the indexed text
        raw = path.read_bytes()
        try:
            raw = gzip.decompress(raw)
        except OSError:
            pass
        return raw.decode("utf-8", errors="replace")
    return None


def scan_output(output: Path, secret_ids: set[str], secret_titles: set[str]) -> list[Leak]:
    """Every leak in the output directory: personal data, or ids/titles of non-public cases."""
    leaks: list[Leak] = []
    titles = {t for t in secret_titles if len(t) >= 6}
    for path in sorted(output.rglob("*")):
        rel = path.relative_to(output).as_posix()
        for case_id in secret_ids:
            if case_id in path.name:  # a file or directory named after the case is a trace too
                leaks.append(Leak(rel, f"path named after non-public case {case_id}"))
        if not path.is_file():
            continue
        if rel.startswith("pagefind/") and not path.suffix.startswith(".pf_"):
            continue  # Pagefind's own program files; its index (.pf_*) is scanned
        text = _text_of(path)
        if text is None:
            continue
        for finding in find_personal_data(text):
            leaks.append(Leak(rel, f"unmasked {KINDS[finding.kind]} ({finding.kind}) '{finding.text}'"))
        # ids and titles are looked for in the markup too: a link or attribute is a trace as well
        markup = html.unescape(path.read_text(encoding="utf-8", errors="replace")) if path.suffix in (
            ".html", ".xml", ".svg") else ""
        for case_id in secret_ids:
            if case_id in text or case_id in markup:
                leaks.append(Leak(rel, f"id of non-public case {case_id}"))
        for title in titles:
            if title in text or title in markup:
                leaks.append(Leak(rel, f"title of a non-public case '{title}'"))
    return leaks

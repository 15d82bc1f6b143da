"""Each published case's part of the open-data exports, made and checked once and kept between builds.

At 100,000 cases the exports are some 450 MB of text. Rebuilding them from every case and
reading them back for the leak scan took half of a one-case rebuild. Instead, each case's
fragments (its cases.json object, cases.csv row and requests.json object) are kept under
.caselog/ with the case's fingerprint, and checked for personal data and for traces of
non-public cases when they are made, with the same checks the scan makes on a file. A build
then joins the fragments; the scan does not read the files again (see scan_output's `checked`).

Fragments are made again when their case changed, when the code or registry that shapes them
changed, or when a case published at the last build is non-public now (its id or title might
sit in another case's text, which was checked when that case was still public).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
from pathlib import Path

from .. import __version__
from .exports import Fragments, case_fragments
from .forking import fork_slices
from .model import SiteData
from .scan import Leak, Secrets, scan_text

FORMAT = 1
PARALLEL_MIN = 2000
FILES = ("data/cases.json", "data/cases.csv", "open311/v2/requests.json")


def _salt(data: SiteData, site_url: str) -> str:
    digest = hashlib.blake2b(f"{FORMAT}|{__version__}|{site_url}|{data.registry_digest}".encode(),
                             digest_size=12)
    here = Path(__file__).parent
    for path in (here / "exports.py", here / "scan.py", here / "views.py", here.parent / "privacy.py"):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _check(items: list[tuple[str, Fragments]], secrets: Secrets) -> list[tuple[str, Leak]]:
    found = []
    for case_id, fragments in items:
        where = f" (in the record of case {case_id})"
        for rel, text in zip(FILES, (fragments.json, fragments.csv, fragments.open311), strict=True):
            found += [(case_id, leak) for leak in scan_text(rel, text, "", secrets, where)]
    return found


def export_fragments(data: SiteData, site_url: str, cache_path: Path | None, hidden_ids: frozenset[str],
                     secrets: Secrets, jobs: int | None = None
                     ) -> tuple[list[Fragments], dict[str, list[Leak]]]:
    """Every published case's fragments, in the published order, and what checking them found
    (by export file); reuses and updates the cache at `cache_path`.

    `hidden_ids` are the cases without a page, `secrets` finds them and non-public titles."""
    salt = _salt(data, site_url)
    entries: dict[str, tuple[str, Fragments]] = {}
    if cache_path is not None:
        with contextlib.suppress(OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError, KeyError):
            with cache_path.open("rb") as handle:
                stored = pickle.load(handle)
            if stored["salt"] == salt and not (hidden_ids & stored["published"]):
                entries = stored["entries"]
    chosen: list[Fragments] = []
    made: list[tuple[str, Fragments]] = []
    kept: dict[str, tuple[str, Fragments]] = {}
    for state in data.published:
        case_id = state.case.id
        fingerprint = data.case_fingerprint(state)
        entry = entries.get(case_id)
        if entry is None or entry[0] != fingerprint:
            entry = (fingerprint, case_fragments(data, state, site_url))
            made.append((case_id, entry[1]))
        kept[case_id] = entry
        chosen.append(entry[1])
    jobs = jobs or os.cpu_count() or 1
    if jobs > 1 and len(made) >= PARALLEL_MIN:
        found = [item for part in fork_slices(lambda items: _check(items, secrets), made, jobs)
                 for item in part]
    else:
        found = _check(made, secrets)
    leaks: dict[str, list[Leak]] = {rel: [] for rel in FILES}
    for _case_id, leak in found:
        leaks[leak.path].append(leak)
    if cache_path is not None and (made or len(kept) != len(entries)):
        bad = {case_id for case_id, _leak in found}  # checked again next time
        _save(cache_path, {"salt": salt, "published": frozenset(data.public_titles),
                           "entries": {k: v for k, v in kept.items() if k not in bad}})
    return chosen, leaks


def _save(cache_path: Path, stored: dict) -> None:
    cache_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = cache_path.with_name(cache_path.name + ".tmp")
    with tmp.open("wb") as handle:
        pickle.dump(stored, handle, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, cache_path)

"""Each published case's part of the open-data exports, made and checked once and kept between builds.

At 100,000 cases the exports are some 450 MB of text. Rebuilding them from every case and
reading them back for the leak scan took half of a one-case rebuild. Instead, each case's
fragments (its cases.json object, cases.csv row, requests.json object and requests.xml element) are kept under
.caselog/exports/ (a shard per month of receipt) with the case's fingerprint, and checked
for personal data and for traces of non-public cases when they are made, with the checks
the scan makes on a file. A build joins the fragments; the scan does not read the files
again (see scan_output's `checked`), and only the shards of changed months are rewritten.

Fragments are made again when their case changed, or when the code or registry that shapes them
changed. All are checked again with another detector (its version, the office's public numbers:
Secrets.detector_key); an id or title that is secret now and was not at the last check is
looked for in every kept fragment. So what the checks find never depends on the cache.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path

from .. import __version__
from ..cache import UNREADABLE, code_digest, store
from .exports import Fragments, case_fragments
from .forking import fork_slices
from .model import SiteData
from .scan import Leak, Secrets, scan_text

FORMAT = 3  # 3: fragments as UTF-8 bytes
FORK_BLOCK = 5000  # neighbouring cases' fragments checked by a process of their own
PARALLEL_MIN = 2000
FILES = ("data/cases.json", "data/cases.csv", "open311/v2/requests.json", "open311/v2/requests.xml")


def _salt(data: SiteData, site_url: str) -> str:
    digest = hashlib.blake2b(f"{FORMAT}|{__version__}|{site_url}|{data.registry_digest}|{code_digest()}"
                             .encode(), digest_size=12)
    return digest.hexdigest()


def _check(items: list[tuple[str, Fragments, bool]], secrets: Secrets, new_secrets: Secrets
           ) -> list[tuple[str, Leak]]:
    """What checking each (case id, fragments, checked before) finds: everything, or for fragments
    checked before with the same detector, the secrets that were not looked for then."""
    found = []
    for case_id, fragments, checked_before in items:
        where = f" (in the record of case {case_id})"
        for rel, text in zip(FILES, fragments.texts(), strict=True):
            if checked_before:
                found += [(case_id, Leak(rel, what + where)) for what in new_secrets.find(text)]
            else:
                found += [(case_id, leak) for leak in scan_text(rel, text, "", secrets, where)]
    return found


def export_fragments(data: SiteData, site_url: str, cache_dir: Path | None, hidden_ids: frozenset[str],
                     secrets: Secrets, jobs: int | None = None
                     ) -> tuple[list[Fragments], dict[str, list[Leak]]]:
    """Every published case's fragments, in the published order, and what checking them found
    (by export file); reuses and updates the cache in `cache_dir` (a shard per month).

    `hidden_ids` are the cases without a page, `secrets` finds them and non-public titles."""
    salt = _salt(data, site_url)
    entries, same_salt, checked = _load(cache_dir, salt) if cache_dir is not None else ({}, False, {})
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
    # kept fragments were checked for what was secret then: with another detector they are all
    # checked again; otherwise only for the ids and titles that are secret now and were not then
    same_detector = checked.get("detector") == secrets.detector_key
    new_secrets = secrets.added_since(checked.get("ids", set()), checked.get("titles", set()))
    fresh = {case_id for case_id, _ in made}
    to_check = [(case_id, fragments, False) for case_id, fragments in made]
    if not same_detector or not new_secrets.empty:
        to_check += [(case_id, entry[1], same_detector) for case_id, entry in kept.items()
                     if case_id not in fresh]
    jobs = jobs or os.cpu_count() or 1
    if jobs > 1 and len(to_check) >= PARALLEL_MIN:
        parts = fork_slices(lambda items: _check(items, secrets, new_secrets), to_check, jobs,
                            block=FORK_BLOCK)
        found = [item for part in parts for item in part]
    else:
        found = _check(to_check, secrets, new_secrets)
    leaks: dict[str, list[Leak]] = {rel: [] for rel in FILES}
    for _case_id, leak in found:
        leaks[leak.path].append(leak)
    if cache_dir is not None:
        # cases whose fragments leaked were made this build (so their months are in `changed`);
        # they are left out of the cache, to be made and checked again next time
        bad = {case_id for case_id, _leak in found}
        changed = ({_month(case_id) for case_id, _ in made} | {_month(i) for i in bad}
                   | {_month(i) for i in entries.keys() - kept.keys()})
        now = {"detector": secrets.detector_key, "ids": secrets.ids, "titles": secrets.titles}
        _save(cache_dir, salt, same_salt, now, now != checked,
              {k: v for k, v in kept.items() if k not in bad}, changed)
    return chosen, leaks


def _month(case_id: str) -> str:
    return case_id[:6]  # ids begin with the day received: YYYYMMDD


def _load(cache_dir: Path, salt: str) -> tuple[dict, bool, dict]:
    """The cached entries that may be used, whether the shards on disk share `salt`, and what
    they were checked with ({"detector": Secrets.detector_key, "ids": ..., "titles": ...})."""
    try:
        with (cache_dir / "state.pickle").open("rb") as handle:
            state = pickle.load(handle)
        if state["salt"] != salt:
            return {}, False, {}
        entries = {}
        for path in cache_dir.glob("*.fragments"):
            with path.open("rb") as handle:
                entries.update(pickle.load(handle))
    except UNREADABLE:
        return {}, False, {}
    return entries, True, state.get("checked", {})


def _save(cache_dir: Path, salt: str, same_salt: bool, checked: dict, checked_changed: bool,
          entries: dict, months: set[str]) -> None:
    """Rewrite the shards of `months` (only those changed), then the state that vouches for them
    (`checked`: what they are now checked with). Shards of another salt (`same_salt` false)
    are all replaced."""
    if same_salt and not months and not checked_changed:
        return  # nothing changed: the published cases are the entries, so the state holds too
    cache_dir.mkdir(parents=True, exist_ok=True)
    if not same_salt:
        for path in cache_dir.glob("*.fragments"):
            path.unlink()
        months = {_month(case_id) for case_id in entries}
    by_month: dict[str, dict] = {month: {} for month in months}
    for case_id, entry in entries.items():
        if _month(case_id) in by_month:
            by_month[_month(case_id)][case_id] = entry
    for month, shard in by_month.items():
        _dump(cache_dir / f"{month}.fragments", shard)
    _dump(cache_dir / "state.pickle", {"salt": salt, "checked": checked})


def _dump(path: Path, value) -> None:
    store(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))

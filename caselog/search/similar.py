"""Similar earlier cases: more-like-this over the key Chinese terms of a message.

The key terms of a text are its words weighted by how much more often they occur
in it than in the whole case log (whoosh's Bo1 model, as `key_terms_from_text`); the
search ORs them, each with its weight, over the title and body of the indexed
cases. A hit's `overlap` is the share of the key terms' total weight that the hit
contains, from 0 to 1: it does not depend on the size of the log or the length of
the text, so one threshold serves every office. `possible_repeats` (used by
`caselog new`) keeps hits whose overlap reaches REPEAT_OVERLAP, tuned on the demo
so that a paraphrase of a complaint is caught and unrelated cases are not.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, time
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import CaselogError, InvalidCase, LoadError
from ..i18n import _
from ..repository import case_path
from ..schema import Case, type_case
from ..yamlsafe import load_file
from . import INDEX_DIR, MANIFEST

if TYPE_CHECKING:
    from .query import CaseSearcher

KEY_TERMS = 20
MAX_DOC_SHARE = 0.1
MIN_QUERY_TERMS = 3
MAX_QUERY_TERMS = 10
REPEAT_OVERLAP = 0.45
REPEAT_MIN_TERMS = 6
REPEAT_LIMIT = 3


@dataclass(frozen=True)
class SimilarHit:
    """A similar case, with the key terms it shares (the reasons) and how much they weigh."""

    id: str
    title: str
    score: float
    overlap: float
    received: str
    status: str
    unit: str
    terms: tuple[str, ...]

    def as_json(self) -> dict:
        """The hit as a JSON row."""
        return {"id": self.id, "title": self.title, "score": round(self.score, 3),
                "overlap": round(self.overlap, 3), "received": self.received, "status": self.status,
                "unit": self.unit, "terms": list(self.terms)}


def read_case(root: Path, case_id: str) -> Case:
    """A case as written, without the registry checks (only its text and date are needed)."""
    rel = case_path(root, case_id).relative_to(root).as_posix()
    try:
        case, problems = type_case(load_file(root / rel, rel))
    except LoadError as exc:
        raise InvalidCase([exc.problem]) from None
    if case is None:
        raise InvalidCase(problems)
    return case


def message_text(case: Case) -> str:
    """What a repeat would share with a case: its title and message (not the replies)."""
    return f"{case.title}\n{case.message}"


def key_terms(searcher: CaseSearcher, text: str, count: int = KEY_TERMS) -> list[tuple[str, float]]:
    """The `count` words of `text` that most set it apart from the indexed cases, with weights
    (0 to 1).

    This is whoosh's `key_terms_from_text` (the Bo1 model), except that the text is cut as a
    query is, without the parts of long words that indexing adds, which would count twice.
    """
    from whoosh.classify import Bo1Model, Expander

    expander = Expander(searcher.searcher.reader(), "body", model=Bo1Model)
    expander.add(Counter(token.text for token in searcher.analyzer(text, mode="query")).items())
    return expander.expanded_terms(count, normalize=True)


def similar_to_text(searcher: CaseSearcher, text: str, limit: int = 5, *, exclude: str | None = None,
                    before: datetime | None = None) -> list[SimilarHit]:
    """The cases most like `text`, best first; optionally not `exclude` and received no later
    than `before`."""
    from whoosh.query import Or, Term

    from .query import ReceivedWindow, SearchError

    reader = searcher.searcher.reader()
    weights = dict(key_terms(searcher, text))
    if not weights:
        msg = _("the text has no words that occur in the indexed cases")
        raise SearchError(msg)
    query = Or([Term("body", word, boost=weights[word]) for word in _distinctive(reader, weights)])
    results = searcher.searcher.search(
        query, limit=limit, filter=ReceivedWindow(reader, None, before) if before else None,
        mask=Term("id", exclude) if exclude else None)
    docnums = [hit.docnum for hit in results]
    holders = {word: _holding(reader, word, docnums) for word in weights}
    total = sum(weights.values())
    hits = []
    for hit in results:
        terms = tuple(sorted((w for w in weights if hit.docnum in holders[w]), key=lambda w: -weights[w]))
        fields = hit.fields()
        hits.append(SimilarHit(
            id=fields["id"], title=fields["title"], score=hit.score,
            overlap=sum(weights[w] for w in terms) / total,
            received=fields["received"].strftime("%Y-%m-%d %H:%M"), status=fields.get("status", ""),
            unit=fields.get("unit", ""), terms=terms))
    return hits


def _distinctive(reader, weights: dict[str, float]) -> list[str]:
    """The key terms worth searching for: the MAX_QUERY_TERMS weightiest of those in at most
    MAX_DOC_SHARE of the cases (or the MIN_QUERY_TERMS rarest). Common words barely move
    the ranking but cost the most to score; every key term still counts in the overlap.
    At 100k cases, 10 terms instead of 20 halve the time and keep the best hit as good
    (mean overlap of the best hit 0.95 against 0.97)."""
    count = max(reader.doc_count(), 1)
    share = {word: reader.doc_frequency("body", word) / count for word in weights}
    kept = [word for word in weights if share[word] <= MAX_DOC_SHARE]
    if len(kept) < MIN_QUERY_TERMS:
        kept = sorted(weights, key=share.__getitem__)[:MIN_QUERY_TERMS]
    return sorted(kept, key=weights.__getitem__, reverse=True)[:MAX_QUERY_TERMS]


def _holding(reader, word: str, docnums: list[int]) -> set[int]:
    """Which of the documents contain `word` in their body (skipping through its postings)."""
    if not docnums or ("body", word) not in reader:
        return set()
    matcher = reader.postings("body", word)
    found = set()
    for docnum in sorted(docnums):
        if not matcher.is_active():
            break
        if matcher.id() < docnum:
            matcher.skip_to(docnum)
        if matcher.is_active() and matcher.id() == docnum:
            found.add(docnum)
    return found


def _moment(case: Case) -> datetime:
    received = case.received
    return received if isinstance(received, datetime) else datetime.combine(received, time.max)


def similar_to_case(root: Path, case_id: str, limit: int = 5,
                    searcher: CaseSearcher | None = None) -> tuple[Case, list[SimilarHit]]:
    """The case and the earlier cases most like it (never itself, never later ones)."""
    from .query import CaseSearcher

    case = read_case(root, case_id)
    own = searcher or CaseSearcher(root)
    try:
        hits = similar_to_text(own, message_text(case), limit, exclude=case.id, before=_moment(case))
    finally:
        if searcher is None:
            own.close()
    return case, hits


def possible_repeats(root: Path, case: Case) -> list[SimilarHit]:
    """Earlier cases that `case` (just registered) may repeat; [] when there is no index yet.

    The new case is then added to the index, so the next message is checked against it too.
    """
    return find_repeats(root, [case]).get(case.id, [])


def find_repeats(root: Path, cases: list[Case], add: bool = True) -> dict[str, list[SimilarHit]]:
    """{case id: possible repeats} for cases just written ({} when there is no index yet);
    then adds the cases to the index in one update (unless `add` is false: a dry run's cases
    are not written)."""
    if not cases or not (root / INDEX_DIR / MANIFEST).is_file():
        return {}  # no index: nothing to compare with, and no need to load whoosh and jieba
    from whoosh.index import LockError

    from .index import SearchIndexError, has_index, update_index
    from .query import CaseSearcher, SearchError

    if not has_index(root):
        return {}
    found = {}
    try:
        with CaseSearcher(root) as searcher:
            for case in cases:
                try:
                    hits = similar_to_text(searcher, message_text(case), REPEAT_LIMIT, exclude=case.id,
                                           before=_moment(case))
                except SearchError:
                    continue
                found[case.id] = [hit for hit in hits
                                  if hit.overlap >= REPEAT_OVERLAP and len(hit.terms) >= REPEAT_MIN_TERMS]
    except SearchIndexError:
        return {}
    if not add:
        return {case_id: hits for case_id, hits in found.items() if hits}
    rels = [f"cases/{c.received_day:%Y}/{c.received_day:%m}/{c.id}.yaml" for c in cases]
    try:
        update_index(root, only=rels)
    except (CaselogError, LockError):
        pass  # another command is updating the index; the next `caselog index` adds the cases
    return {case_id: hits for case_id, hits in found.items() if hits}

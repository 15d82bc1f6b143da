"""Similar earlier cases: more-like-this over the key Chinese terms of a message.

The key terms of a text are its words weighted by how much more often they occur
in it than in the whole case log (the Bo1 model of divergence from randomness, with
each word's share of the cases that hold it: Bo1 as whoosh's `key_terms_from_text`
computes it, with the document frequency tantivy gives for the collection frequency
whoosh used); the search ORs them, each with its weight, over the title and body of the indexed
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
from math import log2
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import CaselogError, InvalidCase, LoadError
from ..i18n import _
from ..repository import case_path
from ..schema import Case, type_case
from ..yamlsafe import load_file
from . import INDEX_DIR, MANIFEST
from .analyzer import query_words

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
    (0 to 1), best first (equal weights by word).

    Bo1: a word's weight is tf·log2((1 + f) / f) + log2(1 + f), where tf is how often the
    text holds it and f the share of the indexed cases that hold it; weights are divided by
    the same formula for the largest weight. The text is cut as a query is, without the
    parts of long words that indexing adds, which would count twice; words no indexed case
    holds are left out.
    """
    counts = Counter(query_words(text))
    cases = max(searcher.searcher.num_docs, 1)
    scored = []
    for word, tf in counts.items():
        held = holding_count(searcher, word)
        if held:
            share = held / cases
            scored.append((tf * log2((1 + share) / share) + log2(1 + share), word))
    if not scored:
        return []
    top = max(score for score, _word in scored)
    share = top / cases
    norm = (top * log2((1 + share) / share) + log2(1 + share)) if top else 1.0
    scored.sort(key=lambda pair: (-pair[0], pair[1]))
    return [(word, score / norm) for score, word in scored[:count]]


def holding_count(searcher: CaseSearcher, word: str) -> int:
    """How many indexed cases hold `word` in their body. Counted, not read from tantivy's term
    statistics: those still count a replaced case until its segment is merged away, and an
    updated index must answer as one built from scratch does."""
    import tantivy

    return searcher.searcher.search(tantivy.Query.term_query(searcher.schema, "body", word), 1).count


def similar_to_text(searcher: CaseSearcher, text: str, limit: int = 5, *, exclude: str | None = None,
                    before: datetime | None = None) -> list[SimilarHit]:
    """The cases most like `text`, best first; optionally not `exclude` and received no later
    than `before`."""
    import tantivy

    from .query import SearchError, received_window

    Query, Occur = tantivy.Query, tantivy.Occur
    schema = searcher.schema
    weights = dict(key_terms(searcher, text))
    if not weights:
        msg = _("the text has no words that occur in the indexed cases")
        raise SearchError(msg)
    words = Query.boolean_query([
        (Occur.Should, Query.boost_query(Query.term_query(schema, "body", word), weights[word]))
        for word in _distinctive(searcher, weights)])
    clauses = [(Occur.Must, words)]
    if before is not None:
        clauses.append((Occur.Must, Query.const_score_query(received_window(schema, None, before), 0.0)))
    if exclude:
        clauses.append((Occur.MustNot, Query.term_query(schema, "id", exclude)))
    found, _total = searcher.top(Query.boolean_query(clauses), limit)
    ids = [doc.get_first("id") for _score, doc in found]
    holders = {word: _holding(searcher, word, ids) for word in weights}
    total = sum(weights.values())
    hits = []
    for score, doc in found:
        case_id = doc.get_first("id")
        terms = tuple(sorted((w for w in weights if case_id in holders[w]), key=lambda w: -weights[w]))
        hits.append(SimilarHit(
            id=case_id, title=doc.get_first("title_text"), score=score,
            overlap=sum(weights[w] for w in terms) / total,
            received=doc.get_first("received").strftime("%Y-%m-%d %H:%M"),
            status=doc.get_first("status") or "", unit=doc.get_first("unit") or "", terms=terms))
    return hits


def _distinctive(searcher: CaseSearcher, weights: dict[str, float]) -> list[str]:
    """The key terms worth searching for: the MAX_QUERY_TERMS weightiest of those in at most
    MAX_DOC_SHARE of the cases (or the MIN_QUERY_TERMS rarest). Common words barely move
    the ranking but cost the most to score; every key term still counts in the overlap."""
    count = max(searcher.searcher.num_docs, 1)
    share = {word: holding_count(searcher, word) / count for word in weights}
    kept = [word for word in weights if share[word] <= MAX_DOC_SHARE]
    if len(kept) < MIN_QUERY_TERMS:
        kept = sorted(weights, key=share.__getitem__)[:MIN_QUERY_TERMS]
    return sorted(kept, key=weights.__getitem__, reverse=True)[:MAX_QUERY_TERMS]


def _holding(searcher: CaseSearcher, word: str, ids: list[str]) -> set[str]:
    """Which of the cases `ids` hold `word` in their body."""
    import tantivy

    if not ids:
        return set()
    Query, Occur = tantivy.Query, tantivy.Occur
    query = Query.boolean_query([(Occur.Must, Query.term_query(searcher.schema, "body", word)),
                                 (Occur.Must, Query.term_set_query(searcher.schema, "id", ids))])
    found = searcher.searcher.search(query, len(ids), count=False).hits
    return {searcher.searcher.doc(address).get_first("id") for _score, address in found}


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
        return {}  # no index: nothing to compare with, and no need to load tantivy and jieba
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
    written = {f"cases/{c.received_day:%Y}/{c.received_day:%m}/{c.id}.yaml": c for c in cases}
    try:
        update_index(root, only=list(written), cases=written)
    except CaselogError:
        pass  # another command is updating the index; the next `caselog index` adds the cases
    return {case_id: hits for case_id, hits in found.items() if hits}

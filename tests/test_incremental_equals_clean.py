"""The caches' contract, as a stateful property: after any sequence of changes to a case log
(add or edit cases, make one non-public, move --as-of, change the registry or the rules), an
incremental build writes the same files as a clean build from an empty output and no caches,
and reaches the same leak verdict.

Builds include the public search index (its shards are written only when their cases changed,
from records kept between builds) and the examples are kept small, so the whole property runs
in CI in a minute or two.
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import date, timedelta
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from caselog.errors import CaselogError
from caselog.site.build import build_site
from tests.conftest import DATA, REPO, write_case

SETTINGS = REPO / "pelicanconf.py"
TITLES = ["公交站台遮雨棚破损", "小区电梯长期停运", "路灯不亮影响出行", "学校门口交通拥堵", "农贸市场噪音扰民"]
UNITS = ["yueyanglou-housing", "transport-bureau", "qingxi-town"]
TOPICS = ["housing", "transport", "labour"]

CASE = """\
id: {id}
title: {title}
received: {day}
channel: mayor-mailbox
category: help
topics: [{topic}]
author:
  alias: 路过的网友
public: {public}
message: |
  {message}
events:
  - {{date: {day}, type: accepted}}
  - {{date: {day}, type: assigned, unit: {unit}}}
"""
CLOSING = """\
  - {{date: {replied}, type: replied, unit: {unit}, final: true, text: 已处理。}}
  - {{date: {replied}, type: closed, outcome: {outcome}}}
"""
# reopened after closing and closed again with another outcome: what a list shows of the case
# depends on as_of even though its file does not change
REOPENING = """\
  - {{date: {reopened}, type: reopened, reason: 群众不满意}}
  - {{date: {again}, type: replied, unit: {unit}, final: true, text: 再次处理。}}
  - {{date: {again}, type: closed, outcome: explained}}
"""
IDS = [f"202601{day:02d}-{suffix}" for day, suffix in
       [(5, "B0T1ME"), (8, "C1ATE0"), (12, "D2BFG1"), (15, "E3CHJ2"), (20, "F4DKM3"), (26, "G5EN04")]]


def _files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def _build(root: Path, out: Path, as_of: date) -> tuple[str, dict[str, bytes]]:
    try:
        build_site(root, out, as_of, settings_file=SETTINGS, search=True)
        verdict = "ok"
    except CaselogError as exc:
        verdict = str(exc)
    return verdict, _files(out) if out.exists() else {}


class CaseLogChanges(RuleBasedStateMachine):
    """A small case log under random changes, built incrementally after each."""

    @initialize()
    def start(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="caselog-prop-"))
        self.root = self.tmp / "log"
        shutil.copytree(DATA / "registry", self.root / "cases" / "registry")
        self.out = self.tmp / "out"
        self.as_of = date(2026, 3, 1)
        self.cases: dict[str, dict] = {}

    def _write(self, case_id: str) -> None:
        fields = self.cases[case_id]
        text = CASE.format(id=case_id, **fields)
        if fields["closed"]:
            text += CLOSING.format(**fields)
            if fields["reopen"]:
                text += REOPENING.format(**fields)
        write_case(self.root, case_id, text)

    @rule(index=st.integers(0, len(IDS) - 1), title=st.sampled_from(TITLES), public=st.booleans(),
          closed=st.booleans(), unit=st.sampled_from(UNITS), topic=st.sampled_from(TOPICS),
          cites=st.sampled_from(["", *TITLES, *IDS]), replied_after=st.sampled_from([2, 6, 12]),
          outcome=st.sampled_from(["resolved", "unfounded"]), reopen=st.booleans())
    def add_or_replace_case(self, index, title, public, closed, unit, topic, cites, replied_after, outcome,
                            reopen):
        case_id = IDS[index]
        day = date.fromisoformat(f"{case_id[:4]}-{case_id[4:6]}-{case_id[6:8]}")
        message = f"反映的问题：{title}。" + (f"另见“{cites}”。" if cites else "")
        replied = day + timedelta(days=replied_after)
        self.cases[case_id] = dict(title=title, day=day, public=str(public).lower(), closed=closed, unit=unit,
                                   topic=topic, message=message, replied=replied, outcome=outcome,
                                   reopen=reopen, reopened=replied + timedelta(days=10),
                                   again=replied + timedelta(days=20))
        self._write(case_id)

    @rule(data=st.data())
    def make_one_non_public(self, data):
        public = sorted(i for i, f in self.cases.items() if f["public"] == "true")
        if public:
            case_id = data.draw(st.sampled_from(public))
            self.cases[case_id]["public"] = "false"
            self._write(case_id)

    # days on either side of the replies, reopenings and second closings the cases can have
    @rule(as_of=st.sampled_from([date(2026, 1, 9), date(2026, 1, 16), date(2026, 1, 24), date(2026, 2, 3),
                                 date(2026, 2, 14), date(2026, 3, 1), date(2026, 6, 30)]))
    def move_as_of(self, as_of):
        self.as_of = as_of

    @rule(name=st.sampled_from(["县住房保障局", "岳阳楼区住房和城乡建设局"]))
    def rename_a_unit(self, name):
        path = self.root / "cases" / "registry" / "units.yaml"
        text = path.read_text(encoding="utf-8")
        start = text.index("yueyanglou-housing: {name: ") + len("yueyanglou-housing: {name: ")
        path.write_text(text[:start] + name + text[text.index(",", start):], encoding="utf-8")

    @rule(final_reply=st.sampled_from([15, 20]))
    def change_the_rules(self, final_reply):
        path = self.root / "cases" / "registry" / "rules.yaml"
        text = path.read_text(encoding="utf-8")
        start = text.index("normal: {first_reply: 5, final_reply: ") + len("normal: {first_reply: 5, final_reply: ")
        path.write_text(text[:start] + str(final_reply) + text[text.index("}", start):], encoding="utf-8")

    @invariant()
    def incremental_build_equals_clean_build(self):
        if not hasattr(self, "root"):
            return
        incremental = _build(self.root, self.out, self.as_of)
        fresh = self.tmp / "fresh"
        shutil.rmtree(fresh, ignore_errors=True)
        shutil.copytree(self.root / "cases", fresh / "cases")  # no .caselog/: no cache at all
        clean = _build(fresh, fresh / "out", self.as_of)
        assert incremental[0] == clean[0]
        if clean[0] == "ok":
            assert incremental[1].keys() == clean[1].keys()
            assert [p for p in clean[1] if incremental[1][p] != clean[1][p]] == []

    def teardown(self):
        if hasattr(self, "tmp"):
            shutil.rmtree(self.tmp, ignore_errors=True)


CaseLogChanges.TestCase.settings = settings(max_examples=6, stateful_step_count=5, deadline=None,
                                            suppress_health_check=[HealthCheck.too_slow])
test_incremental_build_equals_clean_build = CaseLogChanges.TestCase

"""The public search index's two halves agree: what caselog writes (search_index.py,
search_records.py) is what the page's search-engine.js reads, for random texts and queries,
bucket bytes, bitmaps and wide numbers included. Node runs the site's own script."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import unicodedata

import pytest
from conftest import REPO

from caselog.site.search_index import bucket_words, encode_buckets
from caselog.site.search_records import FACT, SearchRecord, normal, words

ENGINE = REPO / "theme" / "static" / "js" / "search-engine.js"
# what citizens' texts are made of: Chinese, full-width and half-width letters and digits,
# punctuation, case numbers and addresses with - . /, odd spaces, compatibility characters
POOL = list("县政府小区电梯维修资金物业住建局路灯噪音欠薪农民工学校") + list("ＡＢＣ１２３ａｂ") \
    + list("abcXYZ0123456789") + list("，。？！、：；（）…—“”-./ _") + ["\u3000", "\u00a0", "\t", "ﬁ", "Ⅻ", "㈱", "\u200b"]


def node(script: str, payload) -> list:
    if shutil.which("node") is None:
        pytest.fail("Node.js is needed to run the site's search code (scripts/setup.sh installs it)")
    program = f"""
const vm = require("node:vm"), fs = require("node:fs");
const sandbox = {{ TextEncoder, TextDecoder, Set, Map, WeakMap, Promise, Math, JSON, Array, String, RegExp }};
sandbox.globalThis = sandbox;
vm.runInNewContext(fs.readFileSync({json.dumps(str(ENGINE))}, "utf8"), sandbox);
const S = sandbox.CaselogSearch;
const input = JSON.parse(fs.readFileSync(0, "utf8"));
(async () => {{ {script} }})().then((out) => process.stdout.write(JSON.stringify(out)));
"""
    done = subprocess.run(["node", "-e", program], input=json.dumps(payload, ensure_ascii=False),
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def _letter(char: str) -> bool:
    return (char.isalnum() and not "\u3400" <= char <= "\u9fff") or char in "-./"


def test_normal_is_nfkc_in_lower_case():
    rng = random.Random(3)
    for _ in range(2000):
        text = "".join(rng.choices(POOL, k=rng.randint(0, 30)))
        assert normal(text) == unicodedata.normalize("NFKC", text).lower(), repr(text)


def test_a_query_cut_from_a_text_looks_up_only_words_the_text_has():
    rng = random.Random(1)
    cases = []
    for _ in range(400):
        text = "".join(rng.choices(POOL, k=rng.randint(5, 60)))
        seen = normal(text)
        # letters and digits are searched as whole words (a case number, G107), Chinese by any
        # part of two characters or more: a query never starts or ends inside a word
        cuts = [i for i in range(len(seen) + 1)
                if not (0 < i < len(seen) and _letter(seen[i - 1]) and _letter(seen[i]))]
        start = rng.choice(cuts[:-1])
        end = rng.choice([i for i in cuts if i > start])
        cases.append((text, seen[start:end]))
    # the page normalises the query itself (NFKC, lower case), as search_records.normal does
    parsed = node("return input.map((q) => S.parse(q));", [query for _, query in cases])
    for (text, query), answer in zip(cases, parsed, strict=True):
        held = words(normal(text))
        assert set(answer["words"]) <= held, (text, query, answer)
        for term in answer["terms"]:  # and the text holds every term, as the page checks
            assert term in normal(text), (text, query, term)


def test_buckets_read_back_the_same_in_python_and_in_the_page():
    rng = random.Random(2)
    for cases in (3, 70, 70_000):  # bitmaps in a small shard; numbers of four bytes past 65,536
        vocabulary = [f"{a}{b}" for a in "县政府小区电梯维修" for b in "资金物业路灯噪音"] + ["g107", "20260302-k7q2md"]
        chosen = {n: set(rng.sample(vocabulary, rng.randint(1, 12))) for n in rng.sample(range(cases), min(cases, 300))}
        records = [SearchRecord(str(n), frozenset(chosen.get(n, set()) | ({FACT + "路灯"} if n % 7 == 0 else set())),
                                "{}", ()) for n in range(cases)]
        buckets = encode_buckets(records)
        expected = {}
        for content in buckets:
            expected.update(bucket_words(content, cases))
        for word in {w for r in records for w in r.words}:
            assert expected[word] == sorted(n for n, r in enumerate(records) if word in r.words)
        found = node("""
            return input.words.map((w) => {
              const b = S.crc32(new TextEncoder().encode(w.startsWith("\\u0002") ? w.slice(1) : w)) & (input.buckets.length - 1);
              return S.lookUp(Uint8Array.from(input.buckets[b]).buffer, w, input.cases);
            });""", {"words": sorted(expected), "buckets": [list(b) for b in buckets], "cases": cases})
        assert dict(zip(sorted(expected), found, strict=True)) == expected

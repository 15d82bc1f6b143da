// Search a built portal as a reader's browser does, in Node: the site's own search-engine.js
// (how a query is cut, looked up, checked against the text, and excerpted), reading the
// index files from the output directory instead of the network.
//
//   node scripts/search_site.mjs OUTPUT < queries.jsonl > results.jsonl
//
// Each input line is {"q": "县政府", "filters": {"year": "2026"}} (filters optional, one value
// each, as the page's selects give); each output line is {"q", "count", "ids": every case found,
// in the page's order, "excerpts": of the first three, "exact", "fetched": bytes of index files
// read for the query (every result's file included), "ms"}. Used by tests/test_search_recall.py
// and scripts/benchmark.py.
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import vm from "node:vm";

const site = path.resolve(process.argv[2]);
const ORIGIN = "http://portal.invalid";
let fetched = 0;
const sandbox = { TextEncoder, TextDecoder, Set, Map, WeakMap, Promise, Math, JSON, Array, String, RegExp };
sandbox.globalThis = sandbox;
vm.runInNewContext(fs.readFileSync(path.join(site, "theme", "js", "search-engine.js"), "utf8"), sandbox);
const { CaselogSearch } = sandbox;

const engine = CaselogSearch.open(ORIGIN + "/search-index/", async (url) => {
  const content = fs.readFileSync(path.join(site, decodeURIComponent(new URL(url).pathname)));
  fetched += content.length;
  return content.buffer.slice(content.byteOffset, content.byteOffset + content.length);
});
await engine.index;

const lines = readline.createInterface({ input: process.stdin });
for await (const line of lines) {
  if (!line.trim()) { continue; }
  const { q, filters } = JSON.parse(line);
  const started = Date.now();
  fetched = 0;
  const one = {};
  for (const [key, value] of Object.entries(filters || {})) { one[key] = Array.isArray(value) ? value[0] : value; }
  const result = await engine.search(q, one);
  const page = await engine.read(result, 0, result.candidates.length);
  const ids = page.results.map((doc) => doc.id);
  const excerpts = page.results.slice(0, 3).map((doc) => CaselogSearch.excerpt(doc, result.query.terms));
  process.stdout.write(JSON.stringify({ q, count: ids.length, ids, excerpts, exact: result.exact,
    tooShort: result.tooShort, fetched, ms: Date.now() - started }) + "\n");
}

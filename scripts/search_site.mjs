// Search a built portal as a reader's browser does, in Node: the site's own search page settings,
// its search.js (how a query is cut, how an excerpt is made) and each bundle's pagefind.js,
// merged as the page merges them; files are read from the output directory.
//
//   node scripts/search_site.mjs OUTPUT < queries.jsonl > results.jsonl
//
// Each input line is {"q": "县政府", "filters": {"year": ["2026"]}} (filters optional); each
// output line is {"q", "count", "ids": every case found, best first, "excerpts": of the first
// three, "ms"}. Used by tests/test_search_recall.py and scripts/benchmark.py.
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import vm from "node:vm";
import { pathToFileURL } from "node:url";

const site = path.resolve(process.argv[2]);
const ORIGIN = "http://portal.invalid";

// the language Pagefind takes from the page (<html lang>), as in a browser: it decides how a query is cut
const page0 = fs.readFileSync(path.join(site, "search", "index.html"), "utf8");
const lang = (page0.match(/<html[^>]*\slang="([^"]*)"/) || [])[1] || "unknown";
globalThis.document = { currentScript: null,
  querySelector: (s) => (s === "html" ? { getAttribute: (n) => (n === "lang" ? lang : null) } : null) };

globalThis.fetch = async (url) => {
  const file = path.join(site, decodeURIComponent(new URL(url).pathname));
  return new Response(fs.readFileSync(file));
};

// the search page's own settings and search.js, with Pagefind's UI replaced by a recorder
const page = fs.readFileSync(path.join(site, "search", "index.html"), "utf8");
const unescape = (s) => s.replace(/&#(\d+);/g, (_, n) => String.fromCharCode(+n))
  .replace(/&quot;/g, "\"").replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
const attributes = {};
for (const m of page.matchAll(/(data-[a-z]+)="([^"]*)"/g)) { attributes[m[1]] = unescape(m[2]); }
let ui = null;
const sandbox = {
  document: { getElementById: (id) => (id === "search" ? { getAttribute: (n) => attributes[n] ?? null, querySelectorAll: () => [] } : null) },
  window: { location: { search: "" } },
  URLSearchParams, MutationObserver: class { observe() {} }, Intl,  // this realm's Intl, which pagefind.js uses
  PagefindUI: class { constructor(options) { ui = options; } triggerSearch() {} },
};
vm.runInNewContext(fs.readFileSync(path.join(site, "theme", "js", "search.js"), "utf8"), sandbox);
if (!ui) { throw new Error("search.js did not start Pagefind's UI (no search bundles?)"); }
// a site built before the bundles (one index at /pagefind/, the query as typed) is searched too
ui.bundlePath = ui.bundlePath || "/pagefind/";
ui.processTerm = ui.processTerm || ((term) => term);
ui.processResult = ui.processResult || ((result) => result);

const local = (bundlePath) => ORIGIN + new URL(bundlePath, ORIGIN + "/").pathname;
const pagefind = await import(pathToFileURL(path.join(site, new URL(ui.bundlePath, ORIGIN + "/").pathname, "pagefind.js")).href);
await pagefind.options({ basePath: local(ui.bundlePath), baseUrl: "/", ...(ui.ranking ? { ranking: ui.ranking } : {}) });
for (const { bundlePath, ...options } of ui.mergeIndex || []) { await pagefind.mergeIndex(local(bundlePath), options); }

const urls = new Map();  // result id -> url (a fragment is read once)
const lines = readline.createInterface({ input: process.stdin });
for await (const line of lines) {
  if (!line.trim()) { continue; }
  const { q, filters } = JSON.parse(line);
  const started = Date.now();
  const found = await pagefind.search(ui.processTerm(q), { filters: filters || {} });
  const ids = [];
  const excerpts = [];
  for (const [rank, result] of found.results.entries()) {
    if (!urls.has(result.id) || rank < 3) {
      const data = ui.processResult(await result.data());
      urls.set(result.id, data.url);
      if (rank < 3) { excerpts.push(data.excerpt); }
    }
    ids.push(urls.get(result.id).split("/").filter(Boolean).pop());
  }
  process.stdout.write(JSON.stringify({ q, count: ids.length, ids, excerpts, ms: Date.now() - started }) + "\n");
}

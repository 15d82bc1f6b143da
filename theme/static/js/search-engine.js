// The portal's search: reads the static index caselog writes under /search/
// (caselog/site/search_index.py has the layout) and finds the published cases holding a query.
// No page code here: search.js is the page; scripts/search_site.mjs runs this same file in Node.
(function (root) {
  "use strict";

  var HAN = "\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff";
  var LETTER = "(?:(?![" + HAN + "])[\\p{L}\\p{N}])";
  // must cut text as caselog/site/search_records.py `words` does
  var WORDS = new RegExp("([" + HAN + "]+)|" + LETTER + "+(?:[-./]" + LETTER + "+)*", "gu");
  var CASE_ID = /^\d{8}-[0-9a-z]{6}$/;
  var MAX_WORD_BYTES = 64;
  var FILTER = "\u0001";
  var SELF = FILTER + "id:";
  var FACT = "\u0002";  // a word only in the names of a case's unit, topics, channel...
  var encoder = new TextEncoder();
  var decoder = new TextDecoder();

  function normal(text) { return String(text).normalize("NFKC").toLowerCase(); }

  // The words of one term (a Chinese run, or a word of letters and digits) looked up in the
  // index: a pair, the threes of a longer run, other words whole; a lone Chinese character is
  // no index word.
  function termWords(term) {
    var found = [], match;
    WORDS.lastIndex = 0;
    while ((match = WORDS.exec(term)) !== null) {
      var run = match[0];
      if (match[1] && run.length === 2) {
        found.push(run);
      } else if (match[1]) {  // its threes (the index has every pair and every three)
        for (var i = 0; i + 2 < run.length; i++) { found.push(run.slice(i, i + 3)); }
      } else {
        found.push(run);
      }
    }
    return found.filter(function (w) { return encoder.encode(w).length <= MAX_WORD_BYTES; });
  }

  // A query: its terms (each Chinese run or other word in it: every result holds each as text)
  // and the index words to look up. A lone Chinese character is only checked as text.
  function parse(query) {
    var terms = [], words = [], exact = true, match;
    var text = normal(query);
    WORDS.lastIndex = 0;
    while ((match = WORDS.exec(text)) !== null) { terms.push(match[0]); }
    terms.forEach(function (term) {
      var own = termWords(term);
      // exact: the word looked up is the term itself, so no case found can fail the text check
      if (!(own.length === 1 && own[0] === term)) { exact = false; }
      own.forEach(function (w) { if (words.indexOf(w) < 0) { words.push(w); } });
    });
    return { terms: terms, words: words, exact: exact,
             caseId: terms.length === 1 && CASE_ID.test(terms[0]) ? terms[0] : null };
  }

  var CRC = (function () {
    var table = new Uint32Array(256);
    for (var n = 0; n < 256; n++) {
      var c = n;
      for (var k = 0; k < 8; k++) { c = c & 1 ? 0xEDB88320 ^ (c >>> 1) : c >>> 1; }
      table[n] = c >>> 0;
    }
    return table;
  })();

  function crc32(bytes) {
    var c = 0xFFFFFFFF;
    for (var i = 0; i < bytes.length; i++) { c = CRC[(c ^ bytes[i]) & 0xFF] ^ (c >>> 8); }
    return (c ^ 0xFFFFFFFF) >>> 0;
  }

  // The cases of `word` in a bucket of a shard of `cases` cases: a sorted array, or null.
  function lookUp(bucket, word, cases) {
    var bytes = new Uint8Array(bucket), key = encoder.encode(word);
    var width = cases <= 65536 ? 2 : 4, bitmapBytes = Math.floor((cases + 7) / 8), at = 0;
    while (at < bytes.length) {
      var size = bytes[at], same = size === key.length;
      for (var i = 0; same && i < size; i++) { same = bytes[at + 1 + i] === key[i]; }
      at += 1 + size;
      var count = 0, shift = 0, byte;
      do { byte = bytes[at++]; count += (byte & 0x7F) * Math.pow(2, shift); shift += 7; } while (byte >= 0x80);
      var bitmap = count * width > bitmapBytes, length = bitmap ? bitmapBytes : count * width;
      if (same) {
        var out = [];
        if (bitmap) {
          for (var n = 0; n < cases; n++) { if (bytes[at + (n >> 3)] >> (n & 7) & 1) { out.push(n); } }
        } else {
          for (var j = at; j < at + length; j += width) {
            out.push(width === 2 ? bytes[j] | bytes[j + 1] << 8
              : (bytes[j] | bytes[j + 1] << 8 | bytes[j + 2] << 16) + bytes[j + 3] * 16777216);
          }
        }
        return out;
      }
      at += length;
    }
    return null;
  }

  function intersect(lists) {
    lists.sort(function (a, b) { return a.length - b.length; });
    return lists.slice(1).reduce(function (kept, list) {
      var set = new Set(list);
      return kept.filter(function (n) { return set.has(n); });
    }, lists[0]);
  }

  // Opens the index at `base` (the site's /search/ address, ending in /); `get(url)` fetches a
  // file as an ArrayBuffer (the page: window.fetch).
  function open(base, get) {
    var files = new Map();  // address -> promise of its content: a file is fetched once
    function fetchOnce(path, asJson) {
      var url = base + path;
      if (!files.has(url)) {
        files.set(url, get(url).then(function (buffer) {
          return asJson ? JSON.parse(decoder.decode(buffer)) : buffer;
        }));
      }
      return files.get(url);
    }
    var index = fetchOnce("index.json", true);

    // The cases of a shard holding every word: {text: whose text holds them all, all: those and
    // the cases holding some only in the names of their unit, topics... (facts)}
    function shardCases(shard, words) {
      return Promise.all(words.map(function (word) {
        var bucket = crc32(encoder.encode(word)) & (shard.buckets - 1);
        return fetchOnce(shard.period + "/b/" + bucket + ".bin", false).then(function (content) {
          var text = lookUp(content, word, shard.cases) || [];
          var facts = word.charAt(0) === FILTER ? null : lookUp(content, FACT + word, shard.cases);
          var all = facts ? text.concat(facts).sort(function (a, b) { return a - b; }) : text;
          return { text: text, all: all };
        });
      })).then(function (found) {
        return { text: intersect(found.map(function (f) { return f.text; })),
                 all: intersect(found.map(function (f) { return f.all; })) };
      });
    }

    // Every case holding the query's words and the filters' values: {candidates: [[shard, n]]
    // newest first, exact: the count is final}. Candidates of a query that is not exact are
    // checked against their text as they are read (read below).
    function search(query, filters) {
      var parsed = parse(query || "");
      filters = filters || {};
      var words = parsed.words.slice();
      Object.keys(filters).forEach(function (key) {
        if (key !== "year" && filters[key]) { words.push(FILTER + key + ":" + filters[key]); }
      });
      return index.then(function (manifest) {
        if (!words.length || (parsed.terms.length && !parsed.words.length)) {
          return { query: parsed, candidates: [], exact: true, tooShort: parsed.terms.length > 0 };
        }
        var shards = manifest.shards.filter(function (s) { return !filters.year || String(s.year) === String(filters.year); });
        return Promise.all(shards.map(function (shard) { return shardCases(shard, words); })).then(function (found) {
          // newest first: the cases whose text holds every word, then those naming some
          var candidates = [], named = [];
          found.forEach(function (cases, i) {
            var inText = new Set(cases.text);
            cases.all.forEach(function (n) { (inText.has(n) ? candidates : named).push([shards[i], n]); });
          });
          candidates = candidates.concat(named);
          var first = parsed.caseId ? Promise.all(shards.map(function (shard) { return shardCases(shard, [SELF + parsed.caseId]); })) : Promise.resolve(null);
          return first.then(function (own) {
            if (own) {  // a search for a case number lists that case first
              var mine = [];
              own.forEach(function (cases, i) { cases.all.forEach(function (n) { mine.push(shards[i].period + "/" + n); }); });
              candidates.sort(function (a, b) {
                return (mine.indexOf(b[0].period + "/" + b[1]) >= 0) - (mine.indexOf(a[0].period + "/" + a[1]) >= 0);
              });
            }
            return { query: parsed, candidates: candidates, exact: parsed.exact, tooShort: false };
          });
        });
      });
    }

    function fragment(candidate) {
      return fetchOnce(candidate[0].period + "/f/" + candidate[1] + ".json", true);
    }

    // Does a case's text hold every term of the query?
    var seen = new WeakMap();  // a case's file -> its text as compared (made once)
    function holds(doc, query) {
      var text = seen.get(doc);
      if (text === undefined) {
        text = normal([doc.title, doc.id].concat(doc.texts, [doc.facts]).join("\n"));
        seen.set(doc, text);
      }
      return query.terms.every(function (term) { return text.indexOf(term) >= 0; });
    }

    // The next `count` results from candidate `from` on: {results: fragments, next: where the
    // following read starts, dropped: candidates that did not hold the query}.
    function read(result, from, count) {
      var out = [], dropped = 0, at = from;
      function more() {
        if (out.length >= count || at >= result.candidates.length) {
          return Promise.resolve({ results: out, next: at, dropped: dropped });
        }
        var batch = result.candidates.slice(at, at + (count - out.length));
        at += batch.length;
        return Promise.all(batch.map(fragment)).then(function (docs) {
          docs.forEach(function (doc) { if (holds(doc, result.query)) { out.push(doc); } else { dropped++; } });
          return more();
        });
      }
      return more();
    }

    return { index: index, search: search, read: read, holds: holds };
  }

  function escapeHtml(text) {
    return text.replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" }[c];
    });
  }

  // The words found, in the message or a reply: the stretch of text holding the most of them.
  function excerpt(doc, terms) {
    var best = null;
    doc.texts.forEach(function (text) {
      var lower = normal(text);
      terms.forEach(function (term) {
        for (var at = lower.indexOf(term); at >= 0; at = lower.indexOf(term, at + 1)) {
          var window = lower.slice(at, at + 60);
          var found = terms.filter(function (t) { return window.indexOf(t) >= 0; }).length;
          if (best === null || found > best.found) { best = { text: text, lower: lower, at: at, found: found }; }
        }
      });
    });
    if (best === null) {
      var first = doc.texts[0] || "";
      best = { text: first, lower: normal(first), at: 0 };
    }
    // NFKC can change a text's length: marks are placed only where it did not
    var same = best.lower.length === best.text.length;
    var start = Math.max(0, best.at - 20);
    var shown = best.text.slice(start, start + 90);
    var lower = best.lower.slice(start, start + 90);
    var marks = [];
    if (same) {
      terms.forEach(function (term) {
        for (var at = lower.indexOf(term); at >= 0; at = lower.indexOf(term, at + 1)) { marks.push([at, at + term.length]); }
      });
    }
    marks.sort(function (a, b) { return a[0] - b[0]; });
    var out = "", done = 0;
    marks.forEach(function (mark) {
      if (mark[0] < done) { return; }
      out += escapeHtml(shown.slice(done, mark[0])) + "<mark>" + escapeHtml(shown.slice(mark[0], mark[1])) + "</mark>";
      done = mark[1];
    });
    out += escapeHtml(shown.slice(done));
    return (start > 0 ? "…" : "") + out + (start + 90 < best.text.length ? "…" : "");
  }

  root.CaselogSearch = { open: open, parse: parse, normal: normal, termWords: termWords, crc32: crc32,
                         lookUp: lookUp, excerpt: excerpt };
})(typeof globalThis !== "undefined" ? globalThis : this);

// Starts Pagefind's UI (served from this site, never a CDN) over the search bundles of every
// period, cuts the query the way the index was cut, and runs the query from ?q=.
(function () {
  "use strict";
  var root = document.getElementById("search");
  if (!root || typeof PagefindUI === "undefined") { return; }
  function attribute(name, fallback) {
    try { return JSON.parse(root.getAttribute(name) || fallback); } catch (e) { return JSON.parse(fallback); }
  }
  // the index keeps stable keys (unit, topic, category, year, id); the page says what to call them
  var labels = attribute("data-labels", "{}");
  var bundles = attribute("data-bundles", "[]");
  if (!bundles.length) { return; }

  // Pagefind cuts a query in a Chinese page (html lang zh-CN) into words with the browser's
  // segmenter, which would cut the pairs below apart again (意标 → 意 标): on this page a word
  // segmenter keeps each word between spaces whole, and Pagefind searches in this page's thread
  // (noWorker below), not in a worker with a segmenter of its own. Nothing else here segments text.
  var NativeSegmenter = typeof Intl !== "undefined" ? Intl.Segmenter : undefined;
  if (NativeSegmenter) {
    Intl.Segmenter = function (locale, options) {
      if (!options || options.granularity !== "word") { return new NativeSegmenter(locale, options); }
      return {
        segment: function (text) {
          return String(text).split(/(\s+)/).filter(Boolean).map(function (piece) {
            return { segment: piece, isWordLike: !/^\s+$/.test(piece) };
          });
        }
      };
    };
  }

  // The index holds each run of Chinese characters as the overlapping pairs of its characters,
  // other words whole (caselog/site/search_records.py: search_words). A query is cut the same
  // way; a query of one run of three characters or more is searched as the phrase of its pairs
  // (next to each other, in order), so that it finds exactly the cases holding it.
  var HAN = "\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff";
  var WORDS = new RegExp("([" + HAN + "]+)|[^\\s\\p{P}\\p{S}_" + HAN + "]+(?:[-./][^\\s\\p{P}\\p{S}_" + HAN + "]+)*", "gu");
  var IS_PAIR = new RegExp("^[" + HAN + "]{2}$", "u");
  var CASE_ID = /^\d{8}-[0-9A-Za-z]{6}$/;
  var PART = "\u00b6";
  var MARK = "\u203f";  // before a case number (and, in the index, a lone character)
  var ONE_RUN = new RegExp("^[" + HAN + "]{3,}$", "u");

  // A query's words; a lone character stays as it is, so that it finds the pairs it begins.
  function searchWords(text) {
    var words = [], match;
    WORDS.lastIndex = 0;
    while ((match = WORDS.exec(text)) !== null) {
      var run = match[0];
      if (match[1] && run.length > 1) {
        for (var i = 0; i + 1 < run.length; i++) { words.push(run.slice(i, i + 2)); }
      } else {
        words.push(CASE_ID.test(run) ? MARK + run : run);
      }
    }
    return words;
  }

  var asked = [];  // the words of the last query, as typed: what an excerpt marks
  function processTerm(term) {
    asked = term.toLowerCase().match(WORDS) || [];
    var cut = searchWords(term).join(" ");
    var phrase = /^\s*".+"\s*$/.test(term) || (asked.length === 1 && ONE_RUN.test(asked[0]));
    return phrase ? "\"" + cut + "\"" : cut;
  }

  // A record's text back from its index words: the parts are title, message, each reply, facts.
  function recordParts(content) {
    var parts = [], text = "", previous = null;
    content.split(" ").forEach(function (word) {
      if (word === PART) { parts.push(text); text = ""; previous = null; return; }
      if (IS_PAIR.test(word)) {
        text += previous !== null && previous.charAt(1) === word.charAt(0) ? word.charAt(1) : word;
        previous = word;
        return;
      }
      if (word.charAt(0) === MARK) { word = word.slice(1); }
      if (/[0-9A-Za-z]$/.test(text) && /^[0-9A-Za-z]/.test(word)) { text += " "; }
      text += word;
      previous = null;
    });
    parts.push(text);
    return parts;
  }

  function escapeHtml(text) {
    return text.replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" }[c];
    });
  }

  // The words found, in the message or a reply: the stretch of text holding the most of them.
  function excerpt(content) {
    var parts = recordParts(content);
    var texts = parts.slice(1);
    var best = null;
    texts.forEach(function (text) {
      var lower = text.toLowerCase();
      asked.forEach(function (word) {
        for (var at = lower.indexOf(word); at >= 0; at = lower.indexOf(word, at + 1)) {
          var window = lower.slice(at, at + 60);
          var found = asked.filter(function (w) { return window.indexOf(w) >= 0; }).length;
          if (best === null || found > best.found) { best = { text: text, at: at, found: found }; }
        }
      });
    });
    if (best === null) { best = { text: texts[0] || "", at: 0 }; }
    var start = Math.max(0, best.at - 20);
    var shown = best.text.slice(start, start + 90);
    var marks = [];  // [from, to) of each word found in what is shown
    var lower = shown.toLowerCase();
    asked.forEach(function (word) {
      for (var at = lower.indexOf(word); at >= 0; at = lower.indexOf(word, at + 1)) { marks.push([at, at + word.length]); }
    });
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

  function renamedMeta(meta) {
    var out = {};
    Object.keys(meta || {}).forEach(function (key) {
      if (key === "facts") { return; }  // searched, not shown (the page shows them)
      out[key === "title" || key === "image" || key === "image_alt" ? key : (labels[key] || key)] = meta[key];
    });
    return out;
  }

  // a case found by the names of its unit, topics or channel (metadata "facts") comes after the
  // cases whose text holds the words
  var ranking = { metaWeights: { title: 5, facts: 0.5 } };
  var ui = new PagefindUI({
    element: "#search", bundlePath: bundles[0], ranking: ranking, noWorker: true,
    mergeIndex: bundles.slice(1).map(function (path) { return { bundlePath: path, ranking: ranking }; }),
    showSubResults: false, showImages: false, resetStyles: false,
    pageSize: 10, excerptLength: 40, showEmptyFilters: false,
    processTerm: processTerm,
    processResult: function (result) {
      result.excerpt = excerpt(result.content || "");
      result.meta = renamedMeta(result.meta);
      return result;
    }
  });

  // Pagefind writes a filter's key as its heading; show the interface name instead
  function relabelFilters() {
    var nodes = root.querySelectorAll(".pagefind-ui__filter-name, .pagefind-ui__filter-group-label");
    Array.prototype.forEach.call(nodes, function (node) {
      var key = node.getAttribute("data-key") || node.textContent.trim().toLowerCase();
      if (labels[key] && node.textContent !== labels[key]) {
        node.setAttribute("data-key", key);
        node.textContent = labels[key];
      }
    });
  }
  new MutationObserver(relabelFilters).observe(root, { childList: true, subtree: true });

  var query = new URLSearchParams(window.location.search).get("q");
  if (query) {
    query = query.trim();
    // the header box shows what was searched, so it can be corrected from there too
    var box = document.getElementById("site-search");
    if (box) { box.value = query; }
    ui.triggerSearch(query);
  }
})();

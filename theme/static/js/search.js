// Starts Pagefind's UI (served from this site, never a CDN) and runs the query from ?q=.
(function () {
  "use strict";
  var root = document.getElementById("search");
  if (!root || typeof PagefindUI === "undefined") { return; }
  // the index keeps stable keys (unit, topic, category, year, id); the page says what to call them
  var labels = {};
  try { labels = JSON.parse(root.getAttribute("data-labels") || "{}"); } catch (e) { labels = {}; }

  function renamedMeta(meta) {
    var out = {};
    Object.keys(meta || {}).forEach(function (key) {
      out[key === "title" || key === "image" || key === "image_alt" ? key : (labels[key] || key)] = meta[key];
    });
    return out;
  }

  var ui = new PagefindUI({
    element: "#search", showSubResults: false, showImages: false, resetStyles: false,
    pageSize: 10, excerptLength: 40, showEmptyFilters: false,
    processResult: function (result) { result.meta = renamedMeta(result.meta); return result; }
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

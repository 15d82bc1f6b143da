// Starts Pagefind's UI (served from this site, never a CDN) and runs the query from ?q=.
(function () {
  "use strict";
  if (typeof PagefindUI === "undefined") { return; }
  var ui = new PagefindUI({ element: "#search", showSubResults: false, showImages: false,
    resetStyles: false, pageSize: 10, excerptLength: 40 });
  var query = new URLSearchParams(window.location.search).get("q");
  if (query) { ui.triggerSearch(query); }
})();

// Gives Pagefind's search interface what assistive technology needs: the search box a label
// (Pagefind names it only by its title) and each result's title the role of a heading, so
// that a screen-reader user can move from result to result.
(function () {
  "use strict";
  var root = document.getElementById("search");
  if (!root) { return; }
  var label = root.getAttribute("data-input-label") || "";

  function fix() {
    var input = root.querySelector("input.pagefind-ui__search-input");
    if (input && label && input.getAttribute("aria-label") !== label) {
      input.setAttribute("aria-label", label);
    }
    Array.prototype.forEach.call(root.querySelectorAll(".pagefind-ui__result-title"), function (title) {
      if (title.getAttribute("role") !== "heading") {
        title.setAttribute("role", "heading");
        title.setAttribute("aria-level", "2");
      }
    });
  }
  new MutationObserver(fix).observe(root, { childList: true, subtree: true });
  fix();
})();

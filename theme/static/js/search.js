// The search page: a form, filters filled from the index, and the results, ten at a time.
// The search itself is search-engine.js; every word shown comes from the page (data-messages),
// in the interface's language. Text from the index is shown as text, never as markup.
(function () {
  "use strict";
  var root = document.getElementById("search");
  if (!root || typeof CaselogSearch === "undefined") { return; }
  var messages = JSON.parse(root.getAttribute("data-messages") || "{}");
  var site = root.getAttribute("data-site") || "";
  var form = document.getElementById("search-form");
  var input = document.getElementById("search-q");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var more = document.getElementById("search-more");
  var selects = Array.prototype.slice.call(form.querySelectorAll("select[data-filter]"));
  var PAGE = 10;

  var engine = CaselogSearch.open(root.getAttribute("data-index"), function (url) {
    return fetch(url).then(function (response) {
      if (!response.ok) { throw new Error(url + ": " + response.status); }
      return response.arrayBuffer();
    });
  });

  function say(key, values) {
    var text = messages[key] || key;
    Object.keys(values || {}).forEach(function (name) { text = text.split("{" + name + "}").join(values[name]); });
    return text;
  }

  function item(doc, terms) {
    var li = document.createElement("li");
    var heading = document.createElement("h2");
    var link = document.createElement("a");
    link.href = site + "/cases/" + encodeURIComponent(doc.id) + "/";
    link.textContent = doc.title;
    heading.appendChild(link);
    var meta = document.createElement("p");
    meta.className = "search-meta";
    meta.textContent = [messages.number + " " + doc.id, doc.day, doc.unit].filter(Boolean).join(" · ");
    var text = document.createElement("p");
    text.className = "search-excerpt";
    text.innerHTML = CaselogSearch.excerpt(doc, terms);  // escaped there: only <mark> is markup
    li.appendChild(heading);
    li.appendChild(meta);
    li.appendChild(text);
    return li;
  }

  var current = null, next = 0, dropped = 0, asked = 0;

  function chosen() {
    var filters = {};
    selects.forEach(function (select) { if (select.value) { filters[select.getAttribute("data-filter")] = select.value; } });
    return filters;
  }

  function describe(query) {
    var count = current.candidates.length - dropped;
    if (!count) { return say("none", { query: query }); }
    if (!query) { return say("listed", { count: count }); }
    var known = current.exact || next >= current.candidates.length;
    return say(known ? "found" : "about", { count: count, query: query });
  }

  function showMore(query, ticket) {
    root.setAttribute("data-state", "searching");
    return engine.read(current, next, PAGE).then(function (page) {
      if (ticket !== asked) { return; }
      page.results.forEach(function (doc) { list.appendChild(item(doc, current.query.terms)); });
      next = page.next;
      dropped += page.dropped;
      status.textContent = describe(query);
      more.hidden = next >= current.candidates.length;
      root.setAttribute("data-state", "done");
    });
  }

  function run() {
    var query = input.value.trim();
    var filters = chosen();
    var ticket = ++asked;
    var address = new URLSearchParams();
    if (query) { address.set("q", query); }
    Object.keys(filters).forEach(function (key) { address.set(key, filters[key]); });
    var search = address.toString();
    history.replaceState(null, "", window.location.pathname + (search ? "?" + search : ""));
    list.textContent = "";
    more.hidden = true;
    if (!query && !Object.keys(filters).length) {
      status.textContent = "";
      root.setAttribute("data-state", "idle");
      return Promise.resolve();
    }
    status.textContent = say("searching");
    root.setAttribute("data-state", "searching");
    return engine.search(query, filters).then(function (result) {
      if (ticket !== asked) { return; }
      current = result;
      next = 0;
      dropped = 0;
      if (result.tooShort) {
        status.textContent = say("short");
        root.setAttribute("data-state", "done");
        return;
      }
      return showMore(query, ticket);
    }).catch(function () {
      status.textContent = say("failed");
      root.setAttribute("data-state", "failed");
    });
  }

  form.addEventListener("submit", function (event) { event.preventDefault(); run(); });
  selects.forEach(function (select) { select.addEventListener("change", run); });
  more.addEventListener("click", function () {
    var first = list.children.length;
    showMore(input.value.trim(), asked).then(function () {
      var link = list.children[first] && list.children[first].querySelector("a");
      if (link) { link.focus(); }  // keyboard and screen-reader users go on from the new results
    });
  });

  var params = new URLSearchParams(window.location.search);
  engine.index.then(function (index) {
    selects.forEach(function (select) {
      var key = select.getAttribute("data-filter");
      (index.filters[key] || []).forEach(function (value) {
        var option = document.createElement("option");
        option.value = Array.isArray(value) ? value[0] : String(value);
        option.textContent = Array.isArray(value) ? value[1] : String(value);
        select.appendChild(option);
      });
      if (params.get(key)) { select.value = params.get(key); }
    });
    input.value = (params.get("q") || "").trim();
    run();
  }).catch(function () {
    status.textContent = say("failed");
    root.setAttribute("data-state", "failed");
  });
})();

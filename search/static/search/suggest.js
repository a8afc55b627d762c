// Search-as-you-type for the search box: an ARIA combobox listing titles and document numbers.
(function () {
  "use strict";
  var input = document.getElementById("search-q");
  var list = document.getElementById("search-suggestions");
  if (!input || !list || !input.dataset.suggestUrl) { return; }
  var timer = null, active = -1, items = [], lastQuery = null, controller = null;

  function close() {
    list.hidden = true; list.textContent = ""; items = []; active = -1;
    input.setAttribute("aria-expanded", "false"); input.removeAttribute("aria-activedescendant");
  }
  function choose(item) {
    if (item.url) { window.location.assign(item.url); return; }
    input.value = item.doc_number || item.title; close(); input.form.submit();
  }
  function highlight(index) {
    var nodes = list.querySelectorAll("li");
    nodes.forEach(function (node, i) { node.setAttribute("aria-selected", i === index ? "true" : "false"); });
    active = index;
    if (index >= 0) { input.setAttribute("aria-activedescendant", nodes[index].id); }
    else { input.removeAttribute("aria-activedescendant"); }
  }
  function render(suggestions) {
    list.textContent = ""; items = suggestions; active = -1;
    if (!suggestions.length) { close(); return; }
    suggestions.forEach(function (item, i) {
      var li = document.createElement("li");
      li.id = "search-suggestion-" + i; li.setAttribute("role", "option"); li.setAttribute("aria-selected", "false");
      li.textContent = item.title;
      if (item.doc_number) {
        var span = document.createElement("span"); span.className = "docno"; span.textContent = item.doc_number;
        li.appendChild(span);
      }
      li.addEventListener("mousedown", function (event) { event.preventDefault(); choose(item); });
      list.appendChild(li);
    });
    list.hidden = false; input.setAttribute("aria-expanded", "true");
  }
  function fetchSuggestions() {
    var q = input.value.trim();
    if (q === lastQuery) { return; }
    lastQuery = q;
    if (!q) { close(); return; }
    if (controller) { controller.abort(); }
    controller = new AbortController();
    var url = input.dataset.suggestUrl + "?q=" + encodeURIComponent(q);
    fetch(url, { headers: { "Accept": "application/json" }, signal: controller.signal })
      .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
      .then(function (data) { render(data.suggestions || []); })
      .catch(function () { /* aborted or offline: keep the box usable */ });
  }
  input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(fetchSuggestions, 150); });
  input.addEventListener("keydown", function (event) {
    if (list.hidden) { return; }
    if (event.key === "ArrowDown") { event.preventDefault(); highlight((active + 1) % items.length); }
    else if (event.key === "ArrowUp") { event.preventDefault(); highlight(active <= 0 ? items.length - 1 : active - 1); }
    else if (event.key === "Enter" && active >= 0) { event.preventDefault(); choose(items[active]); }
    else if (event.key === "Escape") { close(); }
  });
  input.addEventListener("blur", function () { setTimeout(close, 100); });
}());

// Draws disclosure charts from the JSON next to each chart (no inline scripts: CSP script-src 'self').
// The data table beside every chart stays the accessible source of the same numbers.
(function () {
  "use strict";
  function colours() {
    var hc = document.documentElement.classList.contains("mode-high-contrast");
    return hc ? ["#ffff00", "#7fd3ff", "#8aff9a", "#ff8a8a", "#ffffff", "#ffbf47"]
              : ["#a4161a", "#0b4f9c", "#1e6b2e", "#7a4f01", "#4a4a4a", "#6a1b9a"];
  }
  function draw(box) {
    var source = document.getElementById(box.getAttribute("data-chart-source"));
    if (!source || typeof Chart === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var palette = colours();
    var fg = getComputedStyle(document.body).color;
    var pie = data.type === "pie";
    var datasets = data.series.map(function (s, i) {
      return {
        label: s.label + (data.unit ? "（" + data.unit + "）" : ""),
        data: s.values.map(function (v) { return v === null ? null : Number(v); }),
        backgroundColor: pie ? data.labels.map(function (_, j) { return palette[j % palette.length]; }) : palette[i % palette.length],
        borderColor: pie ? fg : palette[i % palette.length]
      };
    });
    var canvas = document.createElement("canvas");
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", box.getAttribute("data-chart-label") || data.title);
    box.appendChild(canvas);
    new Chart(canvas, {
      type: data.type || "bar",
      data: { labels: data.labels, datasets: datasets },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        plugins: { legend: { labels: { color: fg } } },
        scales: pie ? {} : { x: { ticks: { color: fg } }, y: { ticks: { color: fg } } }
      }
    });
  }
  function init() {
    var boxes = document.querySelectorAll("[data-chart-source]");
    for (var i = 0; i < boxes.length; i++) { draw(boxes[i]); }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();

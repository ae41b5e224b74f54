// Draws the chart of /ui/stats from the JSON the page embeds (id="chart-data"), with
// the vendored Chart.js. Hidden (suppressed) cells are null: gaps, never zeros.
(function () {
  "use strict";
  function draw() {
    var data = document.getElementById("chart-data");
    var canvas = document.getElementById("chart");
    if (!data || !canvas || typeof Chart === "undefined") { return; }
    var spec = JSON.parse(data.textContent);
    if (!spec.labels.length) { canvas.parentNode.hidden = true; return; }
    var axis = spec.horizontal ? "y" : "x";
    var value = spec.horizontal ? "x" : "y";
    var scales = {};
    scales[axis] = { stacked: spec.stacked };
    scales[value] = { stacked: spec.stacked, beginAtZero: true,
      ticks: spec.percent ? { callback: function (v) { return Math.round(v * 100) + "%"; } } : {} };
    new Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets: spec.datasets.map(function (d) {
        return { label: d.label, data: d.data, spanGaps: false };
      }) },
      options: { indexAxis: axis, responsive: true, maintainAspectRatio: false,
        animation: false, scales: scales,
        plugins: { legend: { display: spec.datasets.length > 1 } } }
    });
  }
  function drawMap() {
    var box = document.getElementById("unmet-map");
    var data = document.getElementById("map-data");
    if (!box || !data || typeof L === "undefined") { return; }
    var points = JSON.parse(data.textContent);
    var map = L.map(box);
    L.tileLayer(box.getAttribute("data-tiles"), { maxZoom: 12 }).addTo(map);
    var most = Math.max.apply(null, points.map(function (p) { return p.unmet; }).concat([1]));
    var bounds = [];
    points.forEach(function (p) {
      var text = p.area + " (" + p.country.toUpperCase() + "): " + p.unmet + "\n" +
        p.services.map(function (s) { return s[0] + " " + s[1]; }).join(", ");
      L.circleMarker([p.lat, p.lon], { radius: 6 + 24 * Math.sqrt(p.unmet / most),
        color: "#b03a2e", weight: 1, fillOpacity: 0.45 }).bindTooltip(text).addTo(map);
      bounds.push([p.lat, p.lon]);
    });
    if (bounds.length) { map.fitBounds(bounds, { padding: [20, 20], maxZoom: 7 }); }
    else { map.setView([4.6, -74.08], 3); }
  }
  function start() { draw(); drawMap(); }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else { start(); }
}());

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
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else { draw(); }
}());

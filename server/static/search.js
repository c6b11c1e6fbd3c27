// Better with JavaScript: charts drawn with Chart.js from the tables the server wrote,
// and "/" puts the cursor into the search box. Without JavaScript the tables stay.
(function () {
  "use strict";

  function drawCharts() {
    if (typeof window.Chart === "undefined") {
      return;
    }
    document.querySelectorAll("figure.chart").forEach(function (figure) {
      var data = JSON.parse(figure.querySelector("script.chart-data").textContent);
      var holder = figure.querySelector(".chart-canvas");
      holder.hidden = false;
      figure.classList.add("has-charts");
      new window.Chart(figure.querySelector("canvas"), {
        type: "bar",
        data: {
          labels: data.labels,
          datasets: [{
            label: data.count_name || data.title,
            data: data.counts,
            backgroundColor: data.colours || "rgba(31, 95, 174, 0.75)",
          }],
        },
        options: {
          indexAxis: data.horizontal ? "y" : "x",
          maintainAspectRatio: false,
          animation: false,
          plugins: { legend: { display: false } },
          scales: {
            x: { ticks: { precision: data.horizontal ? 0 : undefined, autoSkip: !data.horizontal } },
            y: { ticks: { precision: data.horizontal ? undefined : 0, autoSkip: false,
                          callback: data.horizontal ? shortLabel : undefined } },
          },
        },
      });
    });
  }

  function shortLabel(value) {
    var label = this.getLabelForValue(value);
    return label.length > 22 ? label.slice(0, 21) + "…" : label;
  }

  function focusSearchOnSlash(event) {
    var box = document.getElementById("q");
    var typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName);
    if (event.key === "/" && box && !typing) {
      event.preventDefault();
      box.focus();
    }
  }

  document.addEventListener("keydown", focusSearchOnSlash);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawCharts);
  } else {
    drawCharts();
  }
})();

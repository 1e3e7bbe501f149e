// Draws every Plotly chart of a page from data in the HTML, so no page needs an inline
// script (the Content-Security-Policy allows scripts from our own files only).
//   <div data-plotly-figure="{...figure json...}"></div>            figure in an attribute
//   <div data-plotly-json="element-id"></div> + json_script         figure in a json_script
(function () {
  "use strict";
  var CONFIG = { displaylogo: false, responsive: true };
  function figureOf(el) {
    if (el.dataset.plotlyFigure) return JSON.parse(el.dataset.plotlyFigure);
    var source = document.getElementById(el.dataset.plotlyJson);
    return source ? JSON.parse(source.textContent) : null;
  }
  // A click on a point whose customdata is a page path ("/o/...") opens that page.
  function drill(el) {
    el.on("plotly_click", function (event) {
      var point = event.points && event.points[0];
      var data = point && point.customdata;
      var target = Array.isArray(data) ? data[0] : data;
      if (typeof target === "string" && target.charAt(0) === "/") window.location.href = target;
    });
  }
  function draw() {
    if (typeof Plotly === "undefined") return;
    document.querySelectorAll("[data-plotly-figure], [data-plotly-json]").forEach(function (el) {
      if (el.dataset.plotlyDrawn) return;
      var fig = figureOf(el);
      if (!fig) return;
      el.dataset.plotlyDrawn = "1";
      Plotly.newPlot(el, fig.data || [], fig.layout || {}, CONFIG);
      if (el.hasAttribute("data-plotly-drill")) drill(el);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
  document.addEventListener("htmx:afterSettle", draw);
})();

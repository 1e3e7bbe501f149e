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
  function draw() {
    if (typeof Plotly === "undefined") return;
    document.querySelectorAll("[data-plotly-figure], [data-plotly-json]").forEach(function (el) {
      if (el.dataset.plotlyDrawn) return;
      var fig = figureOf(el);
      if (!fig) return;
      el.dataset.plotlyDrawn = "1";
      Plotly.newPlot(el, fig.data || [], fig.layout || {}, CONFIG);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
  document.addEventListener("htmx:afterSettle", draw);
})();

// Draws every Plotly chart of a page from data in the HTML, so no page needs an inline
// script (the Content-Security-Policy allows scripts from our own files only).
//   <div data-plotly-json="element-id"></div> + <script type="application/json" id="element-id">
//   (cxalign/plots.py writes both; a template may use Django's json_script for the second)
// The chart library (1.3 MB) is fetched only by a page that has a chart to draw: its address
// comes from this script tag's data-plotly-src. Other scripts get it with window.cxalign.plotly().
(function () {
  "use strict";
  var CONFIG = { displaylogo: false, responsive: true };
  var SELECTOR = "[data-plotly-json]";
  var bundleUrl = document.currentScript && document.currentScript.getAttribute("data-plotly-src");
  var loading = null;

  function plotly() {
    if (window.Plotly) return Promise.resolve(window.Plotly);
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var tag = document.createElement("script");
        tag.src = bundleUrl;
        tag.onload = function () { resolve(window.Plotly); };
        tag.onerror = function () {
          loading = null;
          reject(new Error("The chart library did not load from " + bundleUrl));
        };
        document.head.appendChild(tag);
      });
    }
    return loading;
  }
  window.cxalign = window.cxalign || {};
  window.cxalign.plotly = plotly;

  function figureOf(el) {
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
  function onScreen(el) {
    return el.getBoundingClientRect().top < window.innerHeight + 100;
  }
  function idle(callback) {
    if (window.requestIdleCallback) window.requestIdleCallback(callback, { timeout: 200 });
    else window.setTimeout(callback, 0);
  }
  function plot(item) {
    window.Plotly.newPlot(item.el, item.fig.data || [], item.fig.layout || {}, CONFIG);
    item.el.dataset.plotlyDrawn = "1";
    if (item.el.hasAttribute("data-plotly-drill")) drill(item.el);
  }
  function draw() {
    var pending = [];
    document.querySelectorAll(SELECTOR).forEach(function (el) {
      if (el.dataset.plotlyDrawn) return;
      var fig = figureOf(el);
      if (!fig) return;
      el.dataset.plotlyDrawn = "pending";
      pending.push({ el: el, fig: fig });
    });
    if (!pending.length) return;
    plotly().then(function (Plotly) {
      // The charts on screen first; the others one at a time while the browser is idle.
      var later = pending.filter(function (item) { return !onScreen(item.el); });
      pending.filter(function (item) { return onScreen(item.el); }).forEach(plot);
      (function next() {
        if (later.length) idle(function () { plot(later.shift()); next(); });
      })();
    }, function (error) {
      pending.forEach(function (item) { delete item.el.dataset.plotlyDrawn; });
      console.error(error);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
  document.addEventListener("htmx:afterSettle", draw);
})();

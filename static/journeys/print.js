// The print view's emotion curve (static, no interaction) and the optional print dialog.
(function () {
  "use strict";
  const stages = JSON.parse(document.getElementById("jr-print-data").textContent);
  const target = document.getElementById("jr-emotion-chart");
  const title = document.querySelector("h1") ? document.querySelector("h1").textContent : "";
  const esc = (t) => String(t).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  if (target && stages.length) {
    const x = stages.map((s, i) => i);
    window.cxalign.plotly().then((Plotly) => Plotly.newPlot(target, [{
      x: x, y: stages.map((s) => s.emotion), type: "scatter", mode: "lines+markers", connectgaps: false,
      line: { shape: "spline", width: 3, color: "#3b5bdb" }, marker: { size: 11 },
    }], {
      title: { text: "Emotion across “" + esc(title) + "”", font: { size: 14 } },
      xaxis: { title: { text: "Stage (in journey order)" }, zeroline: false, tickvals: x, ticktext: stages.map((s) => esc(s.name)) },
      yaxis: { title: { text: "Emotion (−2 … +2)" }, range: [-2.5, 2.5], tickvals: [-2, -1, 0, 1, 2] },
      margin: { l: 60, r: 20, t: 45, b: 70 }, height: 280,
    }, { staticPlot: true, responsive: true })).then(() => {
      if (new URLSearchParams(window.location.search).get("print") === "1") window.print();
    });
  } else if (new URLSearchParams(window.location.search).get("print") === "1") {
    window.print();
  }
})();

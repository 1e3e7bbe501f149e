'use strict';
// plotly.js with the trace types CX Align draws, and nothing else (scatter is always in core).
// Adding a chart of another type? Add its trace here, rebuild (see build.js) and commit the file;
// tests/test_plotly_bundle.py fails until the bundle has every type the code uses.
var Plotly = require('plotly.js/lib/core');

Plotly.register([require('plotly.js/lib/bar'), require('plotly.js/lib/heatmap'), require('plotly.js/lib/sunburst')]);

module.exports = Plotly;

// Builds the vendored chart bundle the way plotly.js builds its own partial bundles
// (its esbuild-config.js), from the plotly.js package of the npm registry:
//   cd scripts/plotly && npm install && npm run build
const path = require('path');
const esbuild = require('esbuild');
const { environmentPlugin } = require('esbuild-plugin-environment');
const InlineCSSPlugin = require('esbuild-plugin-inline-css');
const { version } = require('plotly.js/package.json');

const outfile = path.join(__dirname, '..', '..', 'static', 'vendor', `plotly-${version}-cxalign.min.js`);
const banner = `/**
* plotly.js v${version}, custom bundle of CX Align: traces scatter, bar, heatmap, sunburst
* (built by scripts/plotly/build.js from the plotly.js package)
* Copyright 2012-2026, Plotly, Inc.
* All rights reserved.
* Licensed under the MIT license
*/`;

esbuild
    .build({
        entryPoints: [path.join(__dirname, 'entry.js')],
        outfile,
        format: 'iife',
        globalName: 'Plotly',
        bundle: true,
        minify: true,
        sourcemap: false,
        legalComments: 'eof',
        banner: { js: banner },
        plugins: [InlineCSSPlugin(), environmentPlugin({ NODE_DEBUG: false })],
        alias: { regl: '@plotly/regl', stream: 'stream-browserify' },
        define: { global: 'window', 'define.amd': 'false' },
        target: 'es2016',
        logLevel: 'info'
    })
    .catch(() => process.exit(1));

"""The vendored chart bundle draws every trace type the product's charts use.

The bundle (static/vendor/plotly-*-cxalign.min.js, built by scripts/plotly/) holds only the
trace types we draw, to keep pages fast; a chart of a type it lacks would stay blank.
"""

import re
from pathlib import Path

import plotly.graph_objects as go
from django.conf import settings
from plotly.basedatatypes import BaseTraceType

ROOT = Path(settings.BASE_DIR)
APPS = ["alignment", "feedback", "journeys", "strategy", "kpis", "cxalign"]
TRACE_TYPES = {
    name.lower()
    for name in dir(go)
    if isinstance(getattr(go, name), type) and issubclass(getattr(go, name), BaseTraceType)
}
PY_TRACE = re.compile(r"\bgo\.([A-Z]\w+)\(")
TYPE_KEY = re.compile(r"""["']?\btype["']?\s*[:=]\s*["'](\w+)["']""")


def _bundle() -> Path:
    (bundle,) = (ROOT / "static" / "vendor").glob("plotly-*-cxalign.min.js")
    return bundle


def trace_types_in_code() -> set[str]:
    """Trace types named by the Python chart builders and by our own scripts."""
    found = set()
    for path in [p for app in APPS for p in (ROOT / app).rglob("*.py")]:
        text = path.read_text()
        found |= {name.lower() for name in PY_TRACE.findall(text)}
        found |= set(TYPE_KEY.findall(text))
    for path in (ROOT / "static").rglob("*.js"):
        if "vendor" not in path.parts:
            found |= set(TYPE_KEY.findall(path.read_text()))
    return found & TRACE_TYPES


def test_code_scan_finds_the_charts_we_know():
    assert {"bar", "scatter", "heatmap", "sunburst"} <= trace_types_in_code()


def test_bundle_registers_every_trace_type_the_code_draws():
    bundled = set(re.findall(r'moduleType:"trace",name:"(\w+)"', _bundle().read_text()))
    missing = trace_types_in_code() - bundled
    assert not missing, f"Add {sorted(missing)} to scripts/plotly/entry.js and rebuild the bundle."


def test_bundle_is_the_small_one():
    assert _bundle().stat().st_size < 2_000_000

"""cxalign/plots.py: a chart's figure as a JSON script element that nothing can break out of."""

import json
import re

from cxalign.plots import plot_html


def _figure(html: str, element_id: str) -> dict:
    found = re.search(
        rf'<script type="application/json" id="{element_id}-data">(.*?)</script>', html
    )
    return json.loads(found.group(1))


def test_the_element_names_its_figure_and_the_figure_reads_back_the_same():
    figure = {"data": [{"type": "bar", "x": ["SMB"], "y": [42.5]}], "layout": {"title": "NPS"}}
    html = plot_html(json.dumps(figure), element_id="plot-nps", attrs='class="x" data-plotly-drill')
    assert html.startswith(
        '<div id="plot-nps" class="x" data-plotly-drill data-plotly-json="plot-nps-data">'
    )
    assert _figure(html, "plot-nps") == figure


def test_text_in_the_data_cannot_close_the_script_element():
    title = "</script><script>alert(1)</script> & <b>"
    html = plot_html(json.dumps({"layout": {"title": title}}), element_id="p")
    assert html.count("</script>") == 1
    assert "<script>alert" not in html
    assert _figure(html, "p")["layout"]["title"] == title


def test_without_an_id_the_element_gets_one_from_its_figure():
    one, again = plot_html('{"data": []}'), plot_html('{"data": []}')
    other = plot_html('{"data": [1]}')
    ids = [re.match(r'<div id="([^"]+)"', html).group(1) for html in (one, again, other)]
    assert ids[0] == ids[1] != ids[2] and ids[0].startswith("fig-")

"""Issue #12, item 12: a Content-Security-Policy on every response, and nothing inline that
it would block (scripts, handlers, javascript: links) in any template we ship."""

import re
from pathlib import Path

import pytest
from django.conf import settings

TEMPLATES = sorted((Path(settings.BASE_DIR) / "templates").rglob("*.html"))
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=\s*[\"']", re.I)


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/accounts/login/", "/healthz", "/accounts/password_reset/"])
def test_responses_carry_a_policy_that_allows_only_our_scripts(client, url):
    policy = _policy(client.get(url))
    assert policy["script-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]


@pytest.mark.django_db
def test_signed_in_pages_carry_the_policy(client, viewer, org):
    client.force_login(viewer.user)
    assert _policy(client.get(f"/o/{org.slug}/"))["script-src"] == ["'self'"]


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.name))
def test_templates_have_no_inline_script_or_handler(path):
    text = path.read_text()
    assert not INLINE_SCRIPT.search(text), "move the script to static/ (the CSP blocks it)"
    assert not INLINE_HANDLER.search(text), "use a data- attribute and static/js/app.js"
    assert "javascript:" not in text


@pytest.mark.django_db
def test_swagger_ui_loads_its_start_up_script_from_a_file(client, viewer):
    client.force_login(viewer.user)
    page = client.get("/api/docs/").content.decode()
    assert not INLINE_SCRIPT.search(page)
    script = re.search(r'<script src="([^"]*\?script=[^"]*)"', page)
    assert script, page[:500]
    assert client.get(script.group(1).replace("&amp;", "&")).status_code == 200


def test_feedback_charts_draw_without_inline_script():
    from feedback.charts import theme_trend_figure, trend_frame

    rows = [
        {"theme_id": 1, "theme__name": "Delivery", "month": "2026-01-01", "volume": 3,
         "scored": 3, "promoters": 1, "detractors": 1},
    ]  # fmt: skip
    html = theme_trend_figure(trend_frame(rows), metric="volume", title="Volume")
    assert "data-plotly-json=" in html and 'type="application/json"' in html
    # Data only: no script element a browser would run.
    assert not INLINE_SCRIPT.search(html)

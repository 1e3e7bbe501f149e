"""Browser tests: a live server, Debian's Chromium, and screenshots kept as artifacts."""

import os
from pathlib import Path

import pytest

from cxalign import background
from tests.factories import PASSWORD

ARTIFACTS = Path(os.environ.get("E2E_ARTIFACTS", "test-results/screenshots"))


@pytest.fixture
def screenshot(page):
    """screenshot("name") saves the current page under test-results/screenshots/."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def _take(name: str, target=None):
        path = ARTIFACTS / f"{name}.png"
        (target or page).screenshot(path=str(path), full_page=True)
        return path

    return _take


@pytest.fixture
def sign_in(live_server):
    """sign_in(page, membership) signs that user in through the real login form."""

    def _sign_in(page, membership, password: str = PASSWORD):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", membership.user.username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        return page

    return _sign_in


@pytest.fixture(autouse=True)
def _no_csp_violations(request):
    """Every browser test also proves the Content-Security-Policy blocked nothing we ship."""
    if "page" not in request.fixturenames:
        yield
        return
    page = request.getfixturevalue("page")
    violations = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    yield
    assert not violations, violations


@pytest.fixture
def embedded_server(live_server):
    """The live server runs enqueued tasks in threads, as `make run` does (cxalign.wsgi)."""
    background.use_threads(True)
    yield live_server
    assert background.wait_idle(180)
    background.use_threads(False)

"""Every page under /o/<org_slug>/, found from the URL conf: anonymous visitors are sent to
sign in, outsiders get 404, and a viewer's POST is refused. New pages are covered at once."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

ORG_PREFIX = "o/<slug:org_slug>/"


def _walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield prefix + str(entry.pattern), namespace + entry.name, entry


def _pages():
    pages = []
    for route, name, pattern in _walk(get_resolver().url_patterns):
        if route.startswith(ORG_PREFIX):
            converters = getattr(pattern.pattern, "converters", {})
            kwargs = {
                key: ("999999" if "int" in type(conv).__name__.lower() else "x")
                for key, conv in converters.items()
            }
            pages.append((name, kwargs))
    return pages


PAGES = _pages()


def _url(name, kwargs, org):
    return reverse(name, kwargs={**kwargs, "org_slug": org.slug})


def test_pages_were_found():
    assert {"orgs:home", "orgs:people", "orgs:units"} <= {name for name, _ in PAGES}


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "kwargs"), PAGES, ids=[p[0] for p in PAGES])
def test_anonymous_is_sent_to_sign_in(client, org, name, kwargs):
    response = client.get(_url(name, kwargs, org))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "kwargs"), PAGES, ids=[p[0] for p in PAGES])
def test_outsider_gets_404(client, outsider, org, name, kwargs):
    client.force_login(outsider.user)
    url = _url(name, kwargs, org)
    assert client.get(url).status_code == 404
    assert client.post(url, {}).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "kwargs"), PAGES, ids=[p[0] for p in PAGES])
def test_viewer_cannot_post(client, viewer, org, name, kwargs):
    client.force_login(viewer.user)
    assert client.post(_url(name, kwargs, org), {}).status_code in (403, 405)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "kwargs"), PAGES, ids=[p[0] for p in PAGES])
def test_no_page_answers_500_to_a_plain_get(client, admin, org, name, kwargs):
    """Missing ids, POST-only actions and empty organizations answer 404/405/200, never 500."""
    client.force_login(admin.user)
    assert client.get(_url(name, kwargs, org)).status_code < 500

"""Every organization-scoped endpoint, found from the URL conf: outsiders get 404, viewers
cannot write (403), anonymous callers get 401. New endpoints are covered without a new test."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

ORG_PREFIX = "api/v1/orgs/<slug:org_slug>/"
WRITE_METHODS = ("post", "put", "patch", "delete")


def _walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and entry.name:
            yield prefix + str(entry.pattern), entry


def _methods(callback) -> set[str]:
    actions = getattr(callback, "actions", None)
    if actions:
        return set(actions)
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    return {m for m in ("get", *WRITE_METHODS) if view_class and hasattr(view_class, m)}


def _org_routes():
    routes = []
    for route, pattern in _walk(get_resolver().url_patterns):
        if not route.startswith(ORG_PREFIX):
            continue
        kwargs = {"org_slug": "", **{name: "1" for name in pattern.pattern.regex.groupindex}}
        routes.append((pattern.name, sorted(kwargs), _methods(pattern.callback)))
    return routes


ROUTES = _org_routes()


def _url(name, kwarg_names, org):
    kwargs = {k: ("999999" if k != "org_slug" else org.slug) for k in kwarg_names}
    return reverse(name, kwargs=kwargs)


def test_routes_were_found():
    names = {name for name, _, _ in ROUTES}
    assert {"orgunit-list", "membership-detail", "invitation-list"} <= names


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "kwarg_names", "methods"), ROUTES, ids=[r[0] for r in ROUTES])
def test_outsider_gets_404(as_user, outsider, org, name, kwarg_names, methods):
    client = as_user(outsider)
    url = _url(name, kwarg_names, org)
    for method in sorted(methods):
        response = getattr(client, method)(url, {}, format="json")
        assert response.status_code == 404, (method, url, response.status_code)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "kwarg_names", "methods"), ROUTES, ids=[r[0] for r in ROUTES])
def test_viewer_cannot_write(as_user, viewer, org, name, kwarg_names, methods):
    client = as_user(viewer)
    url = _url(name, kwarg_names, org)
    for method in sorted(set(methods) & set(WRITE_METHODS)):
        response = getattr(client, method)(url, {}, format="json")
        assert response.status_code == 403, (method, url, response.status_code)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "kwarg_names", "methods"), ROUTES, ids=[r[0] for r in ROUTES])
def test_anonymous_gets_401(api_client, org, name, kwarg_names, methods):
    url = _url(name, kwarg_names, org)
    for method in sorted(methods):
        response = getattr(api_client, method)(url, {}, format="json")
        assert response.status_code == 401, (method, url, response.status_code)

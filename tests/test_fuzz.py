"""Issue #12, item 15: no input answers 500. Every list endpoint's query parameters (from the
OpenAPI schema), every page's query parameters, and every write endpoint's body get unicode
digits, huge and negative numbers, empty strings, lists where objects belong and deep nesting.

Endpoints and pages are found from the URL conf and the schema, so new ones are fuzzed too.
Deterministic (fixed values, Hypothesis derandomized) and bounded: about a minute on 2 cores.
"""

import json

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from cxalign.orgs.params import parse_id

NASTY_TEXT = [
    "²",  # a superscript: str.isdigit() says yes
    "١٢",  # Arabic-Indic digits: int() reads them
    "１２",  # full-width digits
    "99999999999999999999999",
    str(2**63),
    "-1",
    "-99999999999999999999",
    "",
    " ",
    "0",
    "1e309",
    "NaN",
    "null",
    "[]",
    "' OR 1=1 --",
    "%",
    "🙂🙂",
    "x" * 3000,
]
# Query strings: one request per value with every known parameter set to it (a subset of
# the above keeps the run near a minute; each still hits every parameter).
QUERY_VALUES = ["²", "١٢", "99999999999999999999999", "-1", "", "[]", "x" * 3000]
DEEP = "[" * 1200 + "]" * 1200
NASTY_JSON = ["²", "", 2**64, [1, 2], {"a": {"b": []}}]
# Pages render the whole demo organization (~0.3 s each here): the values that broke them.
PAGE_VALUES = ["²", "99999999999999999999999", "-1", ""]
# DRF's own list parameters, already well tested; fuzzed together with the rest only.
COMMON_PARAMS = {"page", "page_size", "search", "ordering"}
# Page parameters are not in a schema: the names our pages read (cycle, unit, parent, ...).
PAGE_PARAMS = [
    "cycle", "unit", "parent", "root", "theme", "touchpoint", "owner", "audience", "journey",
    "kpi", "segment", "page", "status", "q", "view", "leg", "confidence", "band", "mine",
    "date_from", "date_to", "format", "depth", "since", "as", "next", "run", "source",
]  # fmt: skip


def _walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield prefix + str(entry.pattern), entry


def _page_paths(org_slug: str) -> list[str]:
    """Pages under /o/<org>/ without ids in the path (lists and dashboards take parameters)."""
    paths = []
    for route, _pattern in _walk(get_resolver().url_patterns):
        if route.startswith("o/<slug:org_slug>/") and route.count("<") == 1:
            paths.append("/" + route.replace("<slug:org_slug>", org_slug))
    return paths


def _operations(schema: dict):
    for path, item in schema["paths"].items():
        for method, op in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield path, method, op


def _body_fields(schema: dict, op: dict) -> list[str]:
    content = op.get("requestBody", {}).get("content", {})
    body = content.get("application/json") or next(iter(content.values()), {})
    ref = body.get("schema", {}).get("$ref", "")
    component = schema["components"]["schemas"].get(ref.rsplit("/", 1)[-1], {})
    return sorted(component.get("properties", {}))


def _fill(path: str, org, sample_ids: dict) -> str | None:
    """The path with the demo organization and a real id of the resource, if it has one."""
    path = path.replace("{org_slug}", org.slug)
    if "{" not in path:
        return path
    list_path = path.split("{")[0]
    pk = sample_ids.get(list_path)
    if pk is None or path.count("{") > 1:
        return None
    return path.replace(path[path.index("{") : path.index("}") + 1], str(pk))


def _sample_ids(schema: dict, org) -> dict[str, int]:
    """One row of the demo organization per list endpoint, for its detail and actions."""
    ids = {}
    for path, method, _op in _operations(schema):
        if method != "get" or not path.endswith("/") or "{id}" in path:
            continue
        url = path.replace("{org_slug}", org.slug)
        if "{" in url:
            continue
        view = resolve(url).func
        queryset = getattr(getattr(view, "cls", None), "queryset", None)
        if queryset is None or not hasattr(queryset.model, "organization"):
            continue
        row = queryset.model._default_manager.filter(organization=org).order_by("pk").first()
        if row is not None:
            ids[url] = row.pk
    return ids


def _call(client, method: str, url: str, **kwargs) -> str | None:
    """One request inside a savepoint; a description of the failure if it answered 500."""
    try:
        with transaction.atomic():
            response = getattr(client, method)(url, **kwargs)
            status = response.status_code
            transaction.set_rollback(True)  # keep the demo data the same for every request
    except Exception as exc:  # the test client re-raises what the view raised
        return f"{method.upper()} {url} {str(kwargs)[:160]} -> {type(exc).__name__}: {exc}"[:400]
    if status >= 500:
        return f"{method.upper()} {url} {str(kwargs)[:160]} -> {status}"
    return None


@pytest.fixture(scope="module")
def api_schema():
    return SchemaGenerator().get_schema(request=None, public=True)


@pytest.fixture
def demo(db):
    from cxalign.orgs.demo import demo_load
    from cxalign.orgs.models import Membership

    demo_load()
    admin = Membership.objects.select_related("organization", "user").get(
        organization__slug="northwind", user__username="admin"
    )
    return admin


def _fuzz_api_queries(demo, api_schema) -> list[str]:
    org = demo.organization
    client = APIClient()
    client.force_authenticate(demo.user)
    ids = _sample_ids(api_schema, org)
    failures, fuzzed = [], 0
    for path, method, op in _operations(api_schema):
        names = [p["name"] for p in op.get("parameters", []) if p["in"] == "query"]
        url = _fill(path, org, ids)
        if method != "get" or not names or url is None:
            continue
        fuzzed += 1
        for value in QUERY_VALUES:
            failures.append(_call(client, "get", url, data=dict.fromkeys(names, value)))
        for name in set(names) - COMMON_PARAMS:  # one at a time: a 400 hides no later one
            failures.append(_call(client, "get", url, data={name: str(2**64)}))
    assert fuzzed > 20
    return [f for f in failures if f]


def _fuzz_pages(demo) -> list[str]:
    client = Client()
    client.force_login(demo.user)
    pages = _page_paths(demo.organization.slug)
    assert len(pages) > 15
    failures = []
    for url in pages:
        for value in PAGE_VALUES:
            failures.append(_call(client, "get", url, data=dict.fromkeys(PAGE_PARAMS, value)))
    return [f for f in failures if f]


def _bodies(fields: list[str]) -> list:
    bodies = [[], {"a": DEEP}]
    bodies += [dict.fromkeys(fields, value) for value in NASTY_JSON] if fields else []
    return bodies


def _fuzz_writes(demo, api_schema) -> list[str]:
    org = demo.organization
    client = APIClient()
    client.force_authenticate(demo.user)
    ids = _sample_ids(api_schema, org)
    failures, fuzzed = [], 0
    for path, method, op in _operations(api_schema):
        url = _fill(path, org, ids)
        if method not in ("post", "put", "patch") or url is None:
            continue
        fuzzed += 1
        for body in _bodies(_body_fields(api_schema, op)):
            failures.append(
                _call(client, method, url, data=json.dumps(body), content_type="application/json")
            )
        failures.append(_call(client, method, url, data=DEEP, content_type="application/json"))
    assert fuzzed > 30
    return [f for f in failures if f]


def test_no_query_parameter_or_body_answers_500(demo, api_schema):
    """One demo organization for all three sweeps: loading it costs more than the sweeps."""
    failures = [
        *_fuzz_api_queries(demo, api_schema),
        *_fuzz_pages(demo),
        *_fuzz_writes(demo, api_schema),
    ]
    assert not failures, f"{len(failures)} answered 500:\n" + "\n".join(failures[:60])


@settings(
    max_examples=60,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    value=st.one_of(
        st.text(max_size=30), st.integers().map(str), st.from_regex(r"\d{1,30}", fullmatch=True)
    )
)
def test_any_text_is_an_id_or_none_never_an_error(value):
    number = parse_id(value)
    assert number is None or (value.isascii() and value.isdigit() and 0 < number < 2**63)


@settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(value=st.one_of(st.text(max_size=25), st.integers().map(str)))
@pytest.mark.django_db
def test_id_filters_answer_200_or_400_for_any_text(as_user, viewer, org, value):
    client = as_user(viewer)
    for query, name in [
        ("feedback/responses/", "theme"),
        ("feedback/responses/", "touchpoint"),
        ("goals/tree/", "root"),
        ("goals/tree/", "unit"),
        ("goals/", "owner"),
        ("kpi-measurements/", "kpi"),
    ]:
        url = f"/api/v1/orgs/{org.slug}/{query}"
        assert _call(client, "get", url, data={name: value}) is None

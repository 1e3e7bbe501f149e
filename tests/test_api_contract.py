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


# Every create endpoint creates: a body is built from the serializer's own writable fields
# (related fields take a row of the demo organization), so a new endpoint is covered at once.
CREATE_ROUTES = [
    (name, kw) for name, kw, methods in ROUTES if name.endswith("-list") and "post" in methods
]


def _governing_model_body(org, generic):
    # One model per kind and organization: make room for the one the body creates.
    from strategy.models import GoverningModel

    GoverningModel.objects.filter(organization=org, kind=generic["kind"]).delete()
    return generic, "json"


def _cycle_body(org, generic):
    import datetime

    starts = datetime.date.fromisoformat(generic["starts_on"])
    ends = starts + datetime.timedelta(days=90)
    return {**generic, "ends_on": ends.isoformat(), "inputs_due_on": starts.isoformat()}, "json"


def _import_body(org, generic):
    from django.core.files.uploadedfile import SimpleUploadedFile

    csv = b"response_id,score,comment,responded_at\nr1,9,Great,2026-01-05\n"
    file = SimpleUploadedFile("contract.csv", csv, "text/csv")
    return {"file": file, "source": "Contract survey"}, "multipart"


def _goal_import_body(org, generic):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from strategy.models import Cycle

    csv = b"key,title,owner username\nCONTRACT,Contract goal,exec\n"
    cycle = Cycle.objects.for_org(org).order_by("-starts_on").first()
    return {"cycle": cycle.id, "file": SimpleUploadedFile("goals.csv", csv)}, "multipart"


def _checkin_body(org, generic):
    # A check-in of a KPI-measured goal states the KPI's current value.
    return {**generic, "value": "1"}, "json"


# Creates whose generic body needs a touch (a unique kind, dates in order, an upload).
CREATE_BODY_OVERRIDES = {
    "strategy-model-list": _governing_model_body,
    "strategy-cycle-list": _cycle_body,
    "feedback-import-list": _import_body,
    "strategy-goal-import-list": _goal_import_body,
    "strategy-checkin-list": _checkin_body,
    "alignment-run-list": lambda org, body: (_run_body(org), "json"),
}
# Endpoints that queue work and answer 202 Accepted with the row they created.
ACCEPTED = {"alignment-run-list", "strategy-goal-import-list"}


def _run_body(org) -> dict:
    from alignment.selectors import cycle_current

    return {"cycle": cycle_current(organization=org).id}


def _value(name, field, today):
    import datetime
    import uuid

    from rest_framework import serializers as s

    tag = uuid.uuid4().hex[:8]
    if isinstance(field, s.ManyRelatedField):
        return []
    if isinstance(field, s.PrimaryKeyRelatedField):
        row = field.get_queryset().order_by("pk").first()
        return row.pk if row is not None else None
    if isinstance(field, s.ChoiceField):
        return next(iter(field.choices))
    if isinstance(field, s.EmailField):
        return f"contract-{tag}@example.com"
    if isinstance(field, s.URLField):
        return "https://example.com/"
    if isinstance(field, s.BooleanField):
        return False
    if isinstance(field, s.IntegerField):
        return max(field.min_value or 1, 1) if field.max_value is None else field.max_value
    if isinstance(field, s.DecimalField | s.FloatField):
        low = field.min_value if field.min_value is not None else 1
        return str(low)
    if isinstance(field, s.DateTimeField):
        return datetime.datetime.combine(today, datetime.time(9)).isoformat() + "Z"
    if isinstance(field, s.DateField):
        return today.isoformat()
    if isinstance(field, s.JSONField | s.DictField):
        return {}
    if isinstance(field, s.ListField):
        return []
    if isinstance(field, s.SlugField):
        return f"contract-{tag}"
    if isinstance(field, s.CharField):
        limit = field.max_length or 40
        return f"Contract {name} {tag}"[:limit]
    return None


def _create_body(view_cls, context, today) -> dict:
    serializer = view_cls.serializer_class(context=context)
    body = {}
    for name, field in serializer.fields.items():
        if field.read_only or not field.required or name == "version":
            continue
        value = _value(name, field, today)
        if value is not None:
            body[name] = value
    return body


@pytest.fixture
def demo_admin(db):
    from cxalign.orgs.demo import demo_load
    from cxalign.orgs.models import Membership

    demo_load()
    return Membership.objects.select_related("organization", "user").get(
        organization__slug="northwind", user__username="admin"
    )


def _try_create(api_client, admin, name) -> str | None:
    """POST a generic body to one create endpoint; None when it created one row."""
    from django.urls import resolve
    from django.utils import timezone

    org = admin.organization
    url = reverse(name, kwargs={"org_slug": org.slug})
    view_cls = resolve(url).func.cls
    view = view_cls(request=None, kwargs={"org_slug": org.slug}, format_kwarg=None)
    context = {"organization": org, "membership": admin, "view": view}
    body = _create_body(view_cls, context, timezone.localdate())
    body, fmt = CREATE_BODY_OVERRIDES.get(name, lambda _org, b: (b, "json"))(org, body)
    model = view_cls.queryset.model
    before = model.objects.filter(organization=org).count()
    response = api_client.post(url, body, format=fmt)
    if response.status_code != (202 if name in ACCEPTED else 201):
        return f"{url} {body} -> {response.status_code} {response.content[:300]!r}"
    if model.objects.filter(organization=org).count() != before + 1:
        return f"{url} answered 201 but created no {model.__name__}"
    return None


@pytest.mark.django_db
def test_every_create_endpoint_creates(api_client, demo_admin):
    """One demo organization for all create endpoints (loading it per endpoint costs minutes)."""
    assert {"kpis-measurement-list", "strategy-model-list"} <= {n for n, _ in CREATE_ROUTES}
    api_client.force_authenticate(demo_admin.user)
    failures = [f for name, _ in CREATE_ROUTES if (f := _try_create(api_client, demo_admin, name))]
    assert not failures, "\n".join(failures)

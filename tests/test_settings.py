"""Health, settings, Celery wiring and demo data."""

import json
import os
import subprocess
import sys
import time

import pytest
from django.core.management import call_command

from cxalign.orgs.demo import DEMO_PASSWORD
from cxalign.orgs.models import Membership, Organization, OrgUnit
from cxalign.orgs.roles import Role
from cxalign.orgs.services import invitation_create
from cxalign.orgs.tasks import invitation_send


@pytest.mark.django_db
def test_healthz_reports_database_and_broker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["broker"]["ok"] is True


@pytest.mark.django_db
def test_healthz_answers_503_when_broker_is_down(client, settings):
    from cxalign.celery import app

    app.conf.task_always_eager = False
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"]["ok"] is False


def _settings_env(**overrides):
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    env.update(overrides)
    return env


def test_production_without_secret_key_refuses_to_start():
    result = subprocess.run(
        [sys.executable, "-c", "import django, os; django.setup()"],
        env=_settings_env(DEBUG="false", DJANGO_SETTINGS_MODULE="cxalign.settings"),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_bad_boolean_in_environment_is_named():
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=_settings_env(
            DEBUG="maybe", SECRET_KEY="x" * 50, DJANGO_SETTINGS_MODULE="cxalign.settings"
        ),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "DEBUG='maybe' is not a boolean" in result.stderr


# What a fresh clone sees: none of the settings that the test environment sets.
UNSET_FOR_EMBEDDED = {
    "DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY", "STATIC_MANIFEST", "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "CELERY_TASK_ALWAYS_EAGER",
}  # fmt: skip


def _embedded_settings(tmp_path, *expressions: str, **overrides) -> list[str]:
    """The values of settings expressions (`s` is the settings) on a fresh clone's setup."""
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        f"print(*[eval(e) for e in {list(expressions)!r}], sep='\\n')"
    )
    env = {k: v for k, v in os.environ.items() if k not in UNSET_FOR_EMBEDDED}
    env.update(DJANGO_SETTINGS_MODULE="cxalign.settings", CXALIGN_VAR_DIR=str(tmp_path))
    env.update(overrides)
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return result.stdout.splitlines()


def test_embedded_default_uses_sqlite_and_inline_tasks(tmp_path):
    values = _embedded_settings(
        tmp_path, "s.DATABASES['default']['ENGINE']", "s.CELERY_TASK_ALWAYS_EAGER"
    )
    assert values == ["django.db.backends.sqlite3", "True"]


def test_embedded_default_is_the_product_not_a_debug_server(tmp_path):
    names = ["DEBUG", "STATIC_MANIFEST", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE"]
    values = _embedded_settings(tmp_path, *[f"s.{n}" for n in names], "s.SECRET_KEY")
    # Branded error pages and hashed, compressed static files; plain HTTP on the loopback.
    assert values[:4] == ["False", "True", "False", "False"]
    # A random key, made once and kept: sessions survive a restart.
    key = values[4]
    assert len(key) >= 50 and "insecure" not in key
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert _embedded_settings(tmp_path, "s.SECRET_KEY") == [key]


def test_debug_mode_is_an_explicit_opt_in(tmp_path):
    values = _embedded_settings(tmp_path, "s.DEBUG", "s.STATIC_MANIFEST", DEBUG="true")
    assert values == ["True", "False"]


@pytest.mark.django_db
def test_demo_is_idempotent(capsys):
    call_command("demo", "--core-only")
    first = json.loads(capsys.readouterr().out)
    assert first["created"]["core"]["organizations"] == 2
    counts = (Organization.objects.count(), Membership.objects.count(), OrgUnit.objects.count())
    call_command("demo", "--core-only")
    second = json.loads(capsys.readouterr().out)
    assert second["created"]["core"] == {}
    assert counts == (
        Organization.objects.count(),
        Membership.objects.count(),
        OrgUnit.objects.count(),
    )


@pytest.mark.django_db
def test_demo_logins_have_the_documented_roles(client):
    call_command("demo", "--core-only")
    expected = {
        "admin": ("northwind", Role.ADMIN),
        "exec": ("northwind", Role.EXECUTIVE),
        "cxlead": ("northwind", Role.CX_LEAD),
        "manager": ("northwind", Role.MANAGER),
        "member": ("northwind", Role.MEMBER),
        "viewer": ("northwind", Role.VIEWER),
        "outsider": ("globex", Role.ADMIN),
    }
    for username, (slug, role) in expected.items():
        assert Membership.objects.get(user__username=username, organization__slug=slug).role == role
        response = client.post(
            "/accounts/login/", {"username": username, "password": DEMO_PASSWORD}
        )
        assert response.status_code == 302, username
        client.logout()
    assert set(
        Membership.objects.filter(organization__slug="globex").values_list(
            "user__username", flat=True
        )
    ) == {"outsider", "exec", "cxlead"}
    assert not Membership.objects.filter(
        user__username="outsider", organization__slug="northwind"
    ).exists()
    depth = 0
    unit = OrgUnit.objects.get(organization__slug="northwind", name="Support Desk")
    while unit.parent_id:
        depth += 1
        unit = unit.parent
    assert depth >= 3


@pytest.mark.django_db
def test_invitation_task_sends_once(mailoutbox, org, admin):
    invitation, token = invitation_create(
        organization=org, invited_by=admin, email="a@example.com", role=Role.VIEWER
    )
    assert invitation_send(invitation.id, token) == "sent"
    assert invitation_send(invitation.id, token) == "skipped"
    assert len(mailoutbox) == 1


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_invitation_is_mailed_by_a_real_worker(celery_worker, mailoutbox, org, admin):
    # invitation_create enqueues the mail after commit; the worker thread picks it up.
    invitation, _token = invitation_create(
        organization=org, invited_by=admin, email="b@example.com", role=Role.VIEWER
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        invitation.refresh_from_db()
        if invitation.sent_at:
            break
        time.sleep(0.1)
    assert invitation.sent_at is not None
    assert [m.to for m in mailoutbox] == [["b@example.com"]]

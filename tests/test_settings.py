"""Settings (cxalign/settings.py, read through cxalign/env.py): production refuses to start
without a secret, bad values are named, the embedded default is the product."""

import os
import subprocess
import sys


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

"""Benchmark of the alignment dashboard against a trivial Django JSON view, and the brief's PDF.

    DATABASE_URL=postgres://... .venv/bin/python bench/dashboard.py [--scale small]

Builds the engine bench's organization (bench/recompute.py: 1,000,000 responses, 200,000
customers, 5,000 goals, 2,000 touchpoints at full scale; 50,000 responses and 500 goals with
--scale small) and runs one recompute, then:

- counts the dashboard's queries when it renders its panels from the stored results
  (`dashboard_queries`, `dashboard_render_ms`) and when it serves them from the cache under an
  unchanged data stamp (`dashboard_queries_cached`), and takes the median server time of a few
  requests (Django's test client: the whole middleware stack, no network);
- starts gunicorn on PostgreSQL and drives it with `wrk` (16 connections) against the
  dashboard and against a trivial JSON view served by the same processes (this module adds it
  to the URLconf: gunicorn serves `dashboard:application` from bench/);
- times the planning brief's PDF.

Deletes what it made and prints one `key: value` a line. Needs PostgreSQL and `wrk` (Debian
package `wrk`).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
TRIVIAL = "bench/trivial/"
CONNECTIONS = 16

# ------------------------------------------------------------------ the WSGI app gunicorn serves

_app = None


def _load():
    """Our project's WSGI app with this module as its URLconf (the project's URLs plus a
    trivial JSON view), its URLconf loaded (the first reverse() imports every view)."""
    global _app
    if _app is None:
        sys.path.insert(0, str(ROOT))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxalign.settings")
        from django.conf import settings
        from django.core.wsgi import get_wsgi_application
        from django.urls import get_resolver

        _app = get_wsgi_application()
        settings.ROOT_URLCONF = __name__
        get_resolver().url_patterns  # noqa: B018
    return _app


def application(environ, start_response):
    return _load()(environ, start_response)


def trivial(request):
    from django.http import JsonResponse

    return JsonResponse({"ok": True})


def __getattr__(name: str):
    """`urlpatterns`, built on first use (Django is set up by then)."""
    if name != "urlpatterns":
        raise AttributeError(name)
    from django.urls import path

    from cxalign.urls import urlpatterns as project

    return [path(TRIVIAL, trivial), *project]


# ------------------------------------------------------------------ measuring


def engine_bench():
    sys.path.insert(0, str(BENCH))
    import recompute

    return recompute


def browser_cookies() -> tuple[str, str]:
    """(org slug, Cookie header) of an executive of the bench organization whose browser has
    opened a page before: its session cookie and its CSRF cookie, as a returning browser sends
    them (without the second, every answer would make a new CSRF secret and set its cookie)."""
    from django.conf import settings
    from django.test import Client

    from cxalign.orgs.models import Membership

    engine = engine_bench()
    executive = Membership.objects.select_related("user", "organization").get(
        organization__slug=engine.ORG, user__username=f"{engine.ORG}-0"
    )
    client = Client()
    client.force_login(executive.user)
    slug = executive.organization.slug
    client.get(f"/o/{slug}/alignment/dashboard/")
    names = (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME)
    return slug, "; ".join(f"{name}={client.cookies[name].value}" for name in names)


def in_process(org_slug: str, cookie: str, repeats: int) -> dict:
    """Queries and median server time of the dashboard, and the brief's PDF time."""
    from http.cookies import SimpleCookie

    from django.core.cache import cache
    from django.db import connection
    from django.test import Client

    client = Client()
    client.cookies = SimpleCookie(cookie)
    url = f"/o/{org_slug}/alignment/dashboard/"
    response = client.get(url)  # warm: URLconf, templates, plotly
    if response.status_code != 200:
        raise SystemExit(f"the dashboard answered {response.status_code}")

    def count(sql_list):
        return lambda execute, sql, *a: sql_list.append(sql) or execute(sql, *a)

    rendered, cached = [], []
    cache.clear()  # a render from the stored results, then the same page from the cache
    started = time.perf_counter()
    with connection.execute_wrapper(count(rendered)):
        client.get(url)
    render_ms = 1000 * (time.perf_counter() - started)
    with connection.execute_wrapper(count(cached)):
        client.get(url)
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        client.get(url)
        times.append(time.perf_counter() - started)
    started = time.perf_counter()
    pdf = client.get(f"/o/{org_slug}/alignment/brief.pdf")
    brief_s = time.perf_counter() - started
    if pdf.status_code != 200 or not pdf.content.startswith(b"%PDF"):
        raise SystemExit(f"the brief's PDF answered {pdf.status_code}")
    return {"queries": len(rendered), "queries_cached": len(cached), "render_ms": render_ms,
            "median_ms": 1000 * statistics.median(times), "brief_pdf_s": brief_s}  # fmt: skip


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gunicorn(env: dict, workers: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    args = [str(Path(sys.executable).parent / "gunicorn"), "--pythonpath", f"{BENCH},{ROOT}",
            "--workers", str(workers), "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
            "--preload", "--timeout", "120", "dashboard:application"]  # fmt: skip
    env = {**env, "BENCH_DASHBOARD_SERVE": "1"}
    server = subprocess.Popen(args, env=env, cwd=ROOT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(f"{base}/{TRIVIAL}", timeout=30).read()
            return server, base
        except OSError:
            time.sleep(0.2)
    stop(server)
    raise SystemExit("gunicorn did not start")


def stop(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)


def wrk(url: str, cookie: str, seconds: int) -> float:
    """Requests per second over `seconds` with CONNECTIONS connections; every answer a 200."""
    args = ["wrk", "-t", "2", "-c", str(CONNECTIONS), "-d", f"{seconds}s", "--timeout", "30s",
            "-H", f"Cookie: {cookie}", url]  # fmt: skip
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in out:
        raise SystemExit(f"wrk saw errors against {url}:\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def serve_and_load(env: dict, org_slug: str, cookie: str, seconds: int) -> dict:
    server, base = gunicorn(env, workers=(os.cpu_count() or 2) * 2)
    try:
        dashboard = f"{base}/o/{org_slug}/alignment/dashboard/"
        wrk(dashboard, cookie, 2)  # warm every worker (imports, chart cache)
        wrk(f"{base}/{TRIVIAL}", cookie, 1)
        dashboard_rps = wrk(dashboard, cookie, seconds)
        trivial_rps = wrk(f"{base}/{TRIVIAL}", cookie, seconds)
    finally:
        stop(server)
    return {"dashboard_rps": dashboard_rps, "trivial_rps": trivial_rps}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", choices=["small", "full"], default="full")
    parser.add_argument("--keep", action="store_true", help="keep the organization (to profile)")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("bench/dashboard.py measures gunicorn on PostgreSQL: set DATABASE_URL.")
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    env = {**os.environ, "CELERY_TASK_ALWAYS_EAGER": "true", "DEBUG": "false",
           "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-secret-key-" + "x" * 40),
           "STATIC_MANIFEST": "false", "SECURE_SSL_REDIRECT": "false",
           "SESSION_COOKIE_SECURE": "false", "CSRF_COOKIE_SECURE": "false",
           "DJANGO_SETTINGS_MODULE": "cxalign.settings"}  # fmt: skip
    os.environ.update(env)
    engine = engine_bench()
    engine.run_child("build", args.scale, env)
    try:
        engine.run_child("run", args.scale, env)
        engine.setup_django()
        org_slug, cookie = browser_cookies()
        measured = in_process(org_slug, cookie, repeats=15 if args.scale == "small" else 25)
        served = serve_and_load(env, org_slug, cookie, 10 if args.scale == "small" else 20)
    finally:
        if not args.keep:
            engine.run_child("cleanup", args.scale, env)
    print(f"dashboard_queries: {measured['queries']}")
    print(f"dashboard_queries_cached: {measured['queries_cached']}")
    print(f"dashboard_render_ms: {measured['render_ms']:.1f}")
    print(f"dashboard_median_ms: {measured['median_ms']:.1f}")
    print(f"dashboard_rps: {served['dashboard_rps']:.1f}")
    print(f"trivial_rps: {served['trivial_rps']:.1f}")
    print(f"ratio_to_trivial: {served['dashboard_rps'] / served['trivial_rps']:.2f}")
    print(f"brief_pdf_s: {measured['brief_pdf_s']:.2f}")


if os.environ.get("BENCH_DASHBOARD_SERVE"):
    _load()  # gunicorn --preload: loaded once in the master, shared by the forked workers


if __name__ == "__main__":
    main()

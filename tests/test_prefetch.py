"""A signed-in page's cache reads in one round trip (cxalign/prefetch.py, cxalign/cache.py):
the readers see what they would have read themselves, and nothing is trusted from the batch
that they would not have checked."""

import pytest
import redis.connection
from django.core.cache import cache
from django.test import Client

from cxalign import prefetch
from cxalign.cache import PREFETCHED
from tests.alignment.test_dashboard import build_company, cycle  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_commands(monkeypatch):
    """The commands sent to Redis while the fixture's list is being filled."""
    sent = []
    original = redis.connection.Connection.send_command

    def spy(self, *args, **kwargs):
        sent.append(args[0])
        return original(self, *args, **kwargs)

    monkeypatch.setattr(redis.connection.Connection, "send_command", spy)
    return sent


def _dashboard(org):
    return f"/o/{org.slug}/alignment/dashboard/"


def test_a_cached_dashboard_costs_one_round_trip_to_redis(
    client,
    org,
    executive,
    cycle,  # noqa: F811
    redis_commands,
):
    build_company(org, cycle, goals=1, flags=1)
    client.force_login(executive.user)
    for _ in range(3):
        assert client.get(_dashboard(org)).status_code == 200
    redis_commands.clear()
    response = client.get(_dashboard(org))
    assert response.status_code == 200 and response.context is None  # served whole
    assert redis_commands == ["MGET"]


def test_a_session_ended_elsewhere_is_refused_though_its_user_was_learnt(org, viewer):
    laptop, phone = Client(), Client()
    for device in (laptop, phone):
        device.force_login(viewer.user)
    for _ in range(2):
        assert laptop.get(f"/o/{org.slug}/").status_code == 200
    assert prefetch.SESSIONS[laptop.cookies["sessionid"].value] == viewer.user_id
    phone.post("/accounts/sign-out-everywhere/")
    assert laptop.get(f"/o/{org.slug}/").status_code == 302


@pytest.mark.filterwarnings("ignore::django.core.cache.backends.base.CacheKeyWarning")
def test_a_forged_session_cookie_gets_no_page(org, viewer, redis_commands):
    intruder = Client()
    for forged in ("0" * 32, "not a key " * 4, "x" * 300):
        intruder.cookies["sessionid"] = forged
        assert intruder.get(f"/o/{org.slug}/").status_code == 302
    assert redis_commands.count("MGET") == 1  # only the well-formed key was fetched ahead


def test_a_get_answers_from_the_batch_once_and_a_write_drops_it():
    cache.set("a", 1)
    cache.set("b", 2)
    token = PREFETCHED.set(cache.prefetch(["a", "b", "missing"]))
    try:
        cache.set("a", 10, 60)  # the write drops the fetched 1
        cache.delete("b")  # and the fetched 2
        assert cache.get("a") == 10
        assert cache.get("b", "gone") == "gone"
        assert cache.get("missing", "default") == "default"  # fetched as missing
        cache.set("missing", 3)
        assert cache.get("missing") == 3  # asked again: the batch gave its one answer
    finally:
        PREFETCHED.reset(token)


def test_what_is_learnt_stays_bounded(monkeypatch):
    monkeypatch.setattr(prefetch, "LEARNT_LIMIT", 3)
    learnt = {}
    for i in range(5):
        prefetch._remember(learnt, f"key{i}", i)
    assert len(learnt) <= 3 and learnt["key4"] == 4

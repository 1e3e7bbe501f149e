"""Issue #12, item 9: forwarded headers count only when a configured proxy sends them."""

import pytest
from django.test import RequestFactory

from cxalign.orgs.clientip import client_ip
from tests.factories import PASSWORD

TOKEN_URL = "/api/v1/auth/token/"


def request_from(peer, forwarded=None):
    extra = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_forwarded_for_is_ignored_without_configured_proxies(settings):
    settings.TRUSTED_PROXIES, settings.NUM_PROXIES = [], 0
    assert client_ip(request_from("203.0.113.9", "1.2.3.4")) == "203.0.113.9"


def test_trusted_proxy_vouches_for_the_client(settings):
    settings.TRUSTED_PROXIES, settings.NUM_PROXIES = ["10.0.0.2"], 0
    assert client_ip(request_from("10.0.0.2", "6.6.6.6, 198.51.100.7")) == "198.51.100.7"
    # A client that is not the proxy cannot pick its address.
    assert client_ip(request_from("203.0.113.9", "1.2.3.4")) == "203.0.113.9"


def test_num_proxies_counts_hops_from_our_side(settings):
    settings.TRUSTED_PROXIES, settings.NUM_PROXIES = [], 1
    assert client_ip(request_from("10.0.0.2", "6.6.6.6, 198.51.100.7")) == "198.51.100.7"
    assert client_ip(request_from("10.0.0.2")) == "10.0.0.2"


def test_garbage_in_forwarded_for_is_skipped(settings):
    settings.TRUSTED_PROXIES, settings.NUM_PROXIES = ["10.0.0.2"], 0
    assert client_ip(request_from("10.0.0.2", "198.51.100.7, not-an-ip")) == "198.51.100.7"


@pytest.mark.django_db
def test_rotating_forwarded_for_does_not_escape_the_token_throttle(api_client, viewer, settings):
    settings.TRUSTED_PROXIES, settings.NUM_PROXIES = [], 0
    codes = [
        api_client.post(
            TOKEN_URL,
            {"username": f"nobody-{i}", "password": "x"},  # no axes lockout: a new name each time
            format="json",
            HTTP_X_FORWARDED_FOR=f"10.9.{i}.1",
        ).status_code
        for i in range(22)
    ]
    assert codes[:20] == [401] * 20
    assert codes[20:] == [429, 429]


@pytest.mark.django_db
def test_axes_lockout_is_not_dodged_by_forwarded_for(api_client, viewer, settings):
    settings.TRUSTED_PROXIES, settings.NUM_PROXIES = [], 0
    for i in range(5):
        api_client.post(
            TOKEN_URL,
            {"username": viewer.user.username, "password": "nope"},
            format="json",
            HTTP_X_FORWARDED_FOR=f"10.8.{i}.1",
        )
    response = api_client.post(
        TOKEN_URL,
        {"username": viewer.user.username, "password": PASSWORD},
        format="json",
        HTTP_X_FORWARDED_FOR="10.8.99.1",
    )
    assert response.status_code == 429


def test_forwarded_proto_is_trusted_only_behind_a_proxy():
    from django.conf import settings

    # The test settings configure no proxy: nobody may claim HTTPS with a header.
    assert settings.SECURE_PROXY_SSL_HEADER is None
    assert settings.BEHIND_PROXY is False

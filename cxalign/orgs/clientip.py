"""The client's address, for rate limits (DRF throttles, django-axes, password reset).

`X-Forwarded-For` is written by whoever sends the request, so it is read only when the
request comes from a proxy we were told about: TRUSTED_PROXIES (their addresses) or
NUM_PROXIES (how many proxies stand in front of the app). By default neither is set and
the address is the TCP peer's (REMOTE_ADDR): a client rotating the header changes nothing.
"""

import ipaddress

from django.conf import settings
from rest_framework.throttling import ScopedRateThrottle


def _valid_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request) -> str:
    """The address rate limits count against (the peer's unless a trusted proxy vouches)."""
    meta = getattr(request, "META", request)
    peer = meta.get("REMOTE_ADDR", "") or ""
    trusted = set(settings.TRUSTED_PROXIES)
    hops = settings.NUM_PROXIES
    forwarded = [
        ip for ip in (_valid_ip(p) for p in meta.get("HTTP_X_FORWARDED_FOR", "").split(",")) if ip
    ]
    if hops:
        # The last NUM_PROXIES addresses were added by our proxies; the one before is the client.
        chain = [*forwarded, peer]
        return chain[-hops - 1] if len(chain) > hops else chain[0]
    if trusted and peer in trusted:
        # Walk back from our side; the first address no trusted proxy owns is the client.
        for ip in reversed(forwarded):
            if ip not in trusted:
                return ip
    return peer


class ClientIPScopedRateThrottle(ScopedRateThrottle):
    """ScopedRateThrottle counting per client_ip(), not per a client-supplied header."""

    def get_ident(self, request):
        return client_ip(request)

"""Where a form may send the user back to: our own pages only."""

from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request, fallback: str, *, param: str = "next") -> str:
    """The `next` of the request if it points at this site, else `fallback` (never off-site)."""
    target = request.POST.get(param) or request.GET.get(param) or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback

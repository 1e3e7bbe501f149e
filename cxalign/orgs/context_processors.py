"""The page header's organization switcher and the sidebar navigation."""

from django.apps import apps
from django.urls import NoReverseMatch, reverse

from cxalign.orgs.roles import role_at_least
from cxalign.orgs.selectors import memberships_of_user


def _switch_url(request, slug: str) -> str:
    match = request.resolver_match
    if match and match.url_name and set(match.kwargs) == {"org_slug"}:
        try:
            return reverse(match.view_name, kwargs={"org_slug": slug})
        except NoReverseMatch:
            pass
    return reverse("orgs:home", kwargs={"org_slug": slug})


def _nav(request, slug: str, role: str) -> list[dict]:
    sections: dict[str, list[dict]] = {}
    items = []
    for config in apps.get_app_configs():
        for entry in getattr(config, "nav", []):
            section, label, url_name, icon = entry[:4]
            min_role = entry[4] if len(entry) > 4 else "viewer"
            if not role_at_least(role, min_role):
                continue
            try:
                url = reverse(url_name, kwargs={"org_slug": slug})
            except NoReverseMatch:
                continue
            item = {"label": label, "url": url, "icon": icon, "active": False}
            sections.setdefault(section, []).append(item)
            items.append(item)
    # The longest link that prefixes the current path is the active one (/journeys/ must not
    # light up on /journeys/audiences/).
    matching = [item for item in items if request.path.startswith(item["url"])]
    if matching:
        max(matching, key=lambda item: len(item["url"]))["active"] = True
    return [{"title": title, "items": items} for title, items in sections.items()]


def org_context(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    match = request.resolver_match
    slug = match.kwargs.get("org_slug") if match else None
    # An organization's page has loaded them already (OrgViewMixin.membership).
    memberships = getattr(request, "user_memberships", None)
    if memberships is None:
        memberships = list(memberships_of_user(user=user))
    current = next((m for m in memberships if m.organization.slug == slug), None)
    context = {"user_memberships": memberships, "current_membership": current}
    if current is not None:
        context["org_switch"] = [
            {
                "organization": m.organization,
                "role": m.get_role_display(),
                "url": _switch_url(request, m.organization.slug),
                "current": m.id == current.id,
            }
            for m in memberships
        ]
        context["nav_sections"] = _nav(request, slug, current.role)
    return context

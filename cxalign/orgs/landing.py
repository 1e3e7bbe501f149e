"""Which organization "/" opens: the one the person used last, else the one where they have
the most to do (an app declares how to count that: `todo_counts` on its AppConfig)."""

from datetime import timedelta

from django.apps import apps
from django.utils import timezone
from django.utils.module_loading import import_string

from cxalign.orgs.models import Membership
from cxalign.orgs.people import person_forget
from cxalign.orgs.selectors import memberships_of_user

SESSION_KEY = "cxalign.last_org"
# While someone stays in one organization, its time is refreshed at most this often.
TOUCH_EVERY = timedelta(hours=1)


def membership_touch(request, membership: Membership) -> None:
    """Remember that the person opened a page of this organization: one UPDATE when they
    come from another organization (the session knows), else at most once per TOUCH_EVERY."""
    now = timezone.now()
    session = getattr(request, "session", None)
    same = session is not None and session.get(SESSION_KEY) == membership.organization_id
    recent = membership.last_used_at is not None and now - membership.last_used_at < TOUCH_EVERY
    if same and recent:
        return
    Membership.objects.filter(pk=membership.pk).update(last_used_at=now)
    person_forget(membership.user_id)
    membership.last_used_at = now
    if session is not None and not same:
        session[SESSION_KEY] = membership.organization_id


def landing_membership(*, user) -> Membership | None:
    """The membership "/" opens, or None for someone in no organization."""
    memberships = list(memberships_of_user(user=user))
    if len(memberships) < 2:
        return memberships[0] if memberships else None
    used = [m for m in memberships if m.last_used_at is not None]
    if used:
        return max(used, key=lambda m: m.last_used_at)
    counts = todo_counts(memberships)
    # Most to do first; a tie keeps the alphabetical order of the organizations.
    return max(memberships, key=lambda m: counts.get(m.id, 0))


def todo_counts(memberships: list[Membership]) -> dict[int, int]:
    """Open work per membership id, summed over the apps that declare `todo_counts`."""
    totals: dict[int, int] = {}
    for config in apps.get_app_configs():
        path = getattr(config, "todo_counts", None)
        if path:
            for membership_id, count in import_string(path)(memberships).items():
                totals[membership_id] = totals.get(membership_id, 0) + count
    return totals

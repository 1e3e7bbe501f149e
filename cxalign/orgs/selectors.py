"""Reads of the tenancy core."""

from django.db.models import Prefetch

from cxalign.orgs.models import Membership, Organization, OrgUnit

ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}


def object_history(obj, *, limit: int = 50) -> list[dict]:
    """Who changed `obj`, when and what (newest first), from its change history."""
    records = list(
        obj.history.select_related("history_user").order_by("-history_date")[: limit + 1]
    )
    entries = []
    for newer, older in zip(records[:limit], [*records[1:], None], strict=False):
        changes = []
        if older is not None and newer.history_type == "~":
            delta = newer.diff_against(older)
            changes = [
                {"field": change.field, "old": _plain(change.old), "new": _plain(change.new)}
                for change in delta.changes
                if change.field not in {"updated_at", "version"}
            ]
        user = newer.history_user
        entries.append(
            {
                "at": newer.history_date,
                "user": user.username if user else None,
                "action": ACTIONS.get(newer.history_type, newer.history_type),
                "changes": changes,
            }
        )
    return entries


def _plain(value):
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def memberships_of_user(*, user):
    """The organizations a user can switch between (one query)."""
    return (
        Membership.objects.filter(user=user, is_active=True)
        .select_related("organization")
        .order_by("organization__name")
    )


def membership_list(*, organization):
    return (
        Membership.objects.for_org(organization)
        .select_related("user", "unit", "reports_to__user")
        .order_by("user__username")
    )


def orgunit_tree(*, organization) -> list[dict]:
    """The unit tree as nested dicts, built from two queries whatever its size."""
    units = list(
        OrgUnit.objects.for_org(organization)
        .select_related("leader__user")
        .prefetch_related(
            Prefetch(
                "members", queryset=Membership.objects.filter(is_active=True).only("id", "unit")
            )
        )
        .order_by("name")
    )
    nodes = {
        unit.id: {"unit": unit, "children": [], "member_count": len(unit.members.all())}
        for unit in units
    }
    roots = []
    for unit in units:
        node = nodes[unit.id]
        parent = nodes.get(unit.parent_id)
        (parent["children"] if parent else roots).append(node)
    return roots


def organizations_of_user(*, user):
    return Organization.objects.filter(memberships__user=user, memberships__is_active=True)

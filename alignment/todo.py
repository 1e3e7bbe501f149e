"""How much someone has to do in an organization (read by cxalign.orgs.landing, declared as
`todo_counts` on AlignmentConfig): unresolved flags, active goals and open follow-ups they own."""

from django.db.models import Count

from alignment.models import Flag
from cxalign.orgs.models import Membership
from feedback.models import FollowUp
from strategy.models import Goal


def todo_counts(memberships: list[Membership]) -> dict[int, int]:
    """Open work per membership id (three queries, however many memberships)."""
    ids = [m.id for m in memberships]
    querysets = [
        Flag.objects.unresolved().filter(owner_id__in=ids),
        Goal.objects.filter(owner_id__in=ids, status=Goal.Status.ACTIVE),
        FollowUp.objects.filter(owner_id__in=ids).exclude(status=FollowUp.Status.RESOLVED),
    ]
    totals: dict[int, int] = {}
    for queryset in querysets:
        for row in queryset.order_by().values("owner_id").annotate(n=Count("id")):
            totals[row["owner_id"]] = totals.get(row["owner_id"], 0) + row["n"]
    return totals

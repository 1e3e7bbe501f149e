"""Who may write what in the strategy app: the one place pages, API and imports ask."""

from cxalign.orgs.models import Membership, OrgUnit
from cxalign.orgs.roles import Role, role_at_least


def reporting_line(*, member_id: int | None, organization) -> list[int]:
    """The ids of the people `member_id` reports to, nearest first (one query)."""
    if member_id is None:
        return []
    boss_of = dict(
        Membership.objects.for_org(organization)
        .filter(reports_to__isnull=False)
        .values_list("id", "reports_to_id")
    )
    return line_above(member_id, boss_of)


def line_above(member_id: int, boss_of: dict[int, int]) -> list[int]:
    """The ids above `member_id` in `boss_of` (member id -> their manager's), nearest first;
    a loop in the data stops the walk instead of running forever."""
    line, seen, current = [], {member_id}, boss_of.get(member_id)
    while current is not None and current not in seen:
        line.append(current)
        seen.add(current)
        current = boss_of.get(current)
    return line


def reports_below(*, member_id: int, organization) -> set[int]:
    """Everyone who reports to `member_id`, directly or down the line (one query)."""
    reports: dict[int, list[int]] = {}
    for mid, boss in (
        Membership.objects.for_org(organization)
        .filter(reports_to__isnull=False, is_active=True)
        .values_list("id", "reports_to_id")
    ):
        reports.setdefault(boss, []).append(mid)
    found, stack = set(), [member_id]
    while stack:
        for mid in reports.get(stack.pop(), ()):
            if mid not in found and mid != member_id:
                found.add(mid)
                stack.append(mid)
    return found


def unit_subtree(*, unit_id: int | None, organization) -> set[int]:
    """The unit and every unit below it (one query)."""
    if unit_id is None:
        return set()
    children: dict[int, list[int]] = {}
    for uid, parent in OrgUnit.objects.for_org(organization).values_list("id", "parent_id"):
        children.setdefault(parent, []).append(uid)
    found, stack = {unit_id}, [unit_id]
    while stack:
        for child in children.get(stack.pop(), ()):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def is_executive(member: Membership) -> bool:
    return role_at_least(member.role, Role.EXECUTIVE)


def goal_can_edit(*, goal, member: Membership) -> bool:
    """Executives and admins write every goal; managers write their own unit's goals
    (below corporate level), goals they own and goals their reports own."""
    if is_executive(member):
        return True
    if not role_at_least(member.role, Role.MANAGER):
        return False
    if goal.parent_id is None:
        return False
    if goal.owner_id == member.id:
        return True
    if goal.org_unit_id and goal.org_unit_id in unit_subtree(
        unit_id=member.unit_id, organization=member.organization
    ):
        return True
    return member.id in reporting_line(member_id=goal.owner_id, organization=member.organization)


def goal_edit_denied_message(goal=None) -> str:
    if goal is not None and goal.parent_id is None:
        return "Corporate goals are set by executives."
    return "Managers write the goals of their own unit, their own goals and their reports' goals."


def checkin_can_log(*, goal, member: Membership, line: list[int] | None = None) -> bool:
    """The goal's owner, the managers up the owner's reporting line, and admins."""
    if member.role == Role.VIEWER:
        return False
    if member.role == Role.ADMIN or goal.owner_id == member.id:
        return True
    if line is None:
        line = reporting_line(member_id=goal.owner_id, organization=member.organization)
    return member.id in line


CHECKIN_DENIED = "Only the goal's owner, the managers they report to, and admins log its check-ins."

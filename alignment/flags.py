"""Writes of misalignment flags: a run's findings become stored flags; people acknowledge and
reopen them.

States: open → acknowledged (a person says why it is accepted for now, at its magnitude then)
→ open again when a run finds it larger; any unresolved flag → resolved when a run no longer
raises it; resolved → open when a run raises it again. A flag's identity is its finding's key
(rule + subjects) within its cycle.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from alignment.models import Flag, Run
from alignment.rules.base import Finding
from cxalign.orgs.concurrency import versioned_save
from cxalign.orgs.history import history_snapshot
from cxalign.orgs.models import Membership, Organization
from cxalign.orgs.roles import Role, role_at_least
from strategy.models import Cycle

# What a run rewrites on a flag it raises again.
CONTENT = ["rule", "severity", "title", "subjects", "evidence", "magnitude", "owner_id",
           "owner_label", "unit_id", "last_run", "updated_at"]  # fmt: skip
STATE = ["state", "resolved_at", "version", "acknowledged_by", "acknowledged_at",
         "acknowledged_reason", "acknowledged_magnitude"]  # fmt: skip
# Django's bulk_update writes one CASE per field per row: small batches keep each statement cheap.
BATCH = 200
SNAPSHOT = [f for f in CONTENT if f not in ("last_run", "updated_at")]
ACK_DENIED = "Only a CX lead, an executive or the flag's owner acknowledges or reopens a flag."


def _content(flag: Flag, finding: Finding, run: Run, now) -> None:
    reopened = (flag.evidence or {}).get("reopened") if flag.state == Flag.State.OPEN else None
    flag.rule = finding.rule
    flag.severity = finding.severity
    flag.title = finding.title[:300]
    flag.subjects = [s.as_dict() for s in finding.subjects]
    flag.evidence = {**finding.evidence, **({"reopened": reopened} if reopened else {})}
    flag.magnitude = float(finding.magnitude)
    flag.owner_id = finding.owner_id
    flag.owner_label = finding.owner_label[:200]
    flag.unit_id = finding.unit_id
    flag.last_run = run
    flag.updated_at = now


def _snapshot(flag: Flag) -> tuple:
    """What a re-run may change on a flag, to tell whether it did."""
    return tuple(getattr(flag, name) for name in SNAPSHOT)


def _reopen(flag: Flag, why: str, now) -> None:
    """Mark `flag` open again and say why in its evidence (the history row says it too)."""
    note = {"at": now.isoformat(), "why": why, "from": flag.state}
    if flag.state == Flag.State.ACKNOWLEDGED:
        note.update(
            acknowledged_magnitude=flag.acknowledged_magnitude,
            acknowledged_reason=flag.acknowledged_reason,
            acknowledged_by_id=flag.acknowledged_by_id,
        )
    flag.evidence = {**(flag.evidence or {}), "reopened": note}
    flag.state = Flag.State.OPEN
    flag.resolved_at = None
    flag.acknowledged_by = None
    flag.acknowledged_at = None
    flag.acknowledged_reason = ""
    flag.acknowledged_magnitude = None
    flag._change_reason = why


def _next_state(flag: Flag, finding: Finding, run: Run, now) -> bool:
    """Apply a raised finding to a stored flag; True when its state changed."""
    was = flag.state
    accepted = flag.acknowledged_magnitude or 0.0
    _content(flag, finding, run, now)
    if was == Flag.State.RESOLVED:
        _reopen(flag, "Raised again by a recompute after it was resolved.", now)
    elif was == Flag.State.ACKNOWLEDGED and flag.magnitude > accepted:
        _reopen(flag, f"Worse than when acknowledged ({flag.magnitude:g} > {accepted:g}).", now)
    return flag.state != was


def _new_flag(organization, cycle, run, finding: Finding, now) -> Flag:
    flag = Flag(organization=organization, cycle=cycle, key=finding.key, first_run=run)
    _content(flag, finding, run, now)
    flag.created_at = now
    return flag


@transaction.atomic
def flags_sync(
    *, organization: Organization, cycle: Cycle, run: Run | None, findings: list[Finding]
) -> dict:
    """Store a run's findings as the cycle's flags; returns {"open", "new", "resolved"}:
    flags open after the sync (acknowledged ones not counted), flags created, flags resolved.
    A fixed number of queries whatever the number of flags."""
    now = timezone.now()
    raised = {}
    for finding in findings:  # the same key twice: the worse one counts
        if finding.key not in raised or finding.magnitude > raised[finding.key].magnitude:
            raised[finding.key] = finding
    stored = Flag.objects.select_for_update().filter(organization=organization, cycle=cycle)
    stored = {flag.key: flag for flag in stored}
    created, changed, touched, same = [], [], [], []
    for key, finding in raised.items():
        flag = stored.get(key)
        if flag is None:
            created.append(_new_flag(organization, cycle, run, finding, now))
            continue
        before = _snapshot(flag)
        if _next_state(flag, finding, run, now):
            flag.version += 1
            changed.append(flag)
        elif _snapshot(flag) != before:
            touched.append(flag)
        else:
            same.append(flag)
    resolved = [f for k, f in stored.items() if k not in raised and f.state != Flag.State.RESOLVED]
    for flag in resolved:
        flag.state, flag.resolved_at, flag.updated_at = Flag.State.RESOLVED, now, now
        flag.version += 1
        flag._change_reason = "No longer raised by the latest recompute."
    if created:
        Flag.objects.bulk_create(created)
        history_snapshot(Flag, [f.id for f in created], history_type="+",
                         reason="Raised by a recompute.", when=now)  # fmt: skip
    if changed or resolved:
        bulk_update_with_history(
            [*changed, *resolved], Flag, fields=[*CONTENT, *STATE], batch_size=BATCH
        )
    if touched:  # content only: no history row per flag per run
        Flag.objects.bulk_update(touched, fields=CONTENT, batch_size=BATCH)
    if same:  # most flags of a re-run: one statement, not a row-by-row CASE
        Flag.objects.filter(id__in=[f.id for f in same]).update(last_run=run, updated_at=now)
    flags = [*created, *changed, *touched, *same]
    return {
        "open": sum(1 for f in flags if f.state == Flag.State.OPEN),
        "new": len(created),
        "resolved": len(resolved),
    }


def flag_can_act(*, flag: Flag, member: Membership) -> bool:
    """CX leads and stronger roles act on any flag of their organization; owners on theirs."""
    if member.organization_id != flag.organization_id or not member.is_active:
        return False
    return role_at_least(member.role, Role.CX_LEAD) or member.id == flag.owner_id


@transaction.atomic
def flag_acknowledge(
    *, flag: Flag, member: Membership, reason: str, version: int | None = None
) -> Flag:
    """Accept an open flag for now, with a reason; a run that finds it worse reopens it."""
    if not flag_can_act(flag=flag, member=member):
        raise PermissionDenied(ACK_DENIED)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why this flag is accepted for now."})
    if flag.state != Flag.State.OPEN:
        raise ValidationError(
            {"state": f"Only an open flag can be acknowledged; this one is {flag.state}."}
        )
    flag.state = Flag.State.ACKNOWLEDGED
    flag.acknowledged_by = member
    flag.acknowledged_at = timezone.now()
    flag.acknowledged_reason = reason
    flag.acknowledged_magnitude = flag.magnitude
    flag._change_reason = f"Acknowledged by {member.display_name}: {reason}"[:100]
    return versioned_save(flag, expected_version=version or flag.version)


@transaction.atomic
def flag_reopen(*, flag: Flag, member: Membership, version: int | None = None) -> Flag:
    """Take back an acknowledgement: the flag is open again."""
    if not flag_can_act(flag=flag, member=member):
        raise PermissionDenied(ACK_DENIED)
    if flag.state != Flag.State.ACKNOWLEDGED:
        raise ValidationError(
            {"state": f"Only an acknowledged flag can be reopened; this one is {flag.state}."}
        )
    now = timezone.now()
    _reopen(flag, f"Reopened by {member.display_name}.", now)
    flag.evidence["reopened"]["by_id"] = member.id
    return versioned_save(flag, expected_version=version or flag.version)

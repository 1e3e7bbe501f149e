"""Writes of the strategy app: every rule about goals, cycles, check-ins and the rest."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from cxalign.orgs.concurrency import object_update, versioned_save
from cxalign.orgs.models import Membership, Organization
from cxalign.orgs.roles import Role, role_at_least
from strategy import rules
from strategy.models import (
    Capability,
    CheckIn,
    Commitment,
    Confidence,
    Cycle,
    Decision,
    Goal,
    GoverningModel,
    Initiative,
    KeyChoice,
    KPIEffect,
    Vision,
)
from strategy.rollup import clear_stale_progress, kpi_progress

# ---------------------------------------------------------------- vision and governing models


def vision_get(*, organization: Organization) -> Vision:
    """The organization's vision row, created empty on first use."""
    vision, _ = Vision.objects.get_or_create(organization=organization)
    return vision


@transaction.atomic
def vision_update(*, vision: Vision, data: dict, version: int) -> Vision:
    return object_update(instance=vision, data=data, version=version)


def governing_models_ensure(*, organization: Organization) -> list[GoverningModel]:
    """The five governing models, in their canonical order, created empty when missing."""
    existing = {m.kind: m for m in GoverningModel.objects.for_org(organization)}
    for kind in GoverningModel.Kind.values:
        if kind not in existing:
            existing[kind], _ = GoverningModel.objects.get_or_create(
                organization=organization, kind=kind
            )
    return [existing[k] for k in GoverningModel.Kind.values]


def _check_member(member, organization, field: str, *, min_role: str | None = None) -> None:
    if member is None:
        return
    if member.organization_id != organization.id or not member.is_active:
        raise ValidationError({field: "Choose an active member of this organization."})
    if min_role and not role_at_least(member.role, min_role):
        raise ValidationError(
            {
                field: f"{member.display_name} is {member.get_role_display()}; this needs "
                f"{Role(min_role).label} or higher."
            }  # fmt: skip
        )


@transaction.atomic
def governing_model_update(*, model: GoverningModel, data: dict, version: int) -> GoverningModel:
    data.pop("kind", None)
    _check_member(data.get("owner"), model.organization, "owner", min_role=Role.EXECUTIVE)
    return object_update(instance=model, data=data, version=version)


@transaction.atomic
def keychoice_create(*, model: GoverningModel, **fields) -> KeyChoice:
    if "position" not in fields or fields["position"] is None:
        last = model.choices.order_by("-position").values_list("position", flat=True).first()
        fields["position"] = (last or 0) + 1
    choice = KeyChoice(organization=model.organization, model=model, **fields)
    _check_kpi(choice.kpi, model.organization)
    choice.full_clean()
    choice.save()
    return choice


@transaction.atomic
def keychoice_update(*, choice: KeyChoice, data: dict, version: int) -> KeyChoice:
    if "model" in data and data["model"].id != choice.model_id:
        raise ValidationError({"model": "A key choice stays with its governing model."})
    _check_kpi(data.get("kpi"), choice.organization)
    return object_update(instance=choice, data=data, version=version)


def keychoice_delete(*, choice: KeyChoice) -> None:
    choice.delete()


def _check_kpi(kpi, organization, field: str = "kpi") -> None:
    if kpi is not None and kpi.organization_id != organization.id:
        raise ValidationError({field: "Choose a KPI of this organization."})


# ---------------------------------------------------------------- cycles


@transaction.atomic
def cycle_create(*, organization: Organization, **fields) -> Cycle:
    cycle = Cycle(organization=organization, **fields)
    if Cycle.objects.for_org(organization).filter(name=cycle.name).exists():
        raise ValidationError({"name": f"There is already a cycle named “{cycle.name}”."})
    cycle.full_clean()
    cycle.save()
    return cycle


@transaction.atomic
def cycle_update(*, cycle: Cycle, data: dict, version: int) -> Cycle:
    name = data.get("name", cycle.name)
    if Cycle.objects.for_org(cycle.organization).filter(name=name).exclude(pk=cycle.pk).exists():
        raise ValidationError({"name": f"There is already a cycle named “{name}”."})
    if "starts_on" in data and "inputs_due_on" not in data:
        # Moving the start moves the default inputs-due date with it.
        data["inputs_due_on"] = None
    return object_update(instance=cycle, data=data, version=version)


@transaction.atomic
def cycle_carry_over(*, source: Cycle, target: Cycle) -> dict:
    """Copy the source cycle's unfinished goals into `target`, keeping the cascade's shape.

    Safe to repeat: goals already carried into `target` are skipped. A goal whose parent was
    finished (so not carried) becomes a top-level goal of the target cycle.
    """
    if source.organization_id != target.organization_id:
        raise ValidationError({"target": "Choose a cycle of the same organization."})
    if source.id == target.id:
        raise ValidationError({"target": "Choose a different cycle to carry goals into."})
    if target.status == Cycle.Status.CLOSED:
        raise ValidationError({"target": "That cycle is closed; reopen it or choose another."})
    done = dict(
        Goal.objects.filter(cycle=target, carried_from__cycle=source).values_list(
            "carried_from_id", "id"
        )
    )
    goals = list(Goal.objects.filter(cycle=source, status=Goal.Status.ACTIVE))
    taken_keys = set(
        Goal.objects.filter(cycle=target).exclude(key="").values_list("key", flat=True)
    )
    # Each level is written in one bulk insert (with history), parents' level first, so 5,000
    # goals take a few queries instead of 10,000.
    depth = _carry_depths(goals)
    levels: dict[int, list[Goal]] = {}
    for goal in goals:
        if goal.id not in done:
            levels.setdefault(depth[goal.id], []).append(goal)
    copies = dict(done)  # source goal id -> its copy's id
    created = 0
    for level in sorted(levels):
        created += _carry_level(levels[level], target=target, copies=copies, taken=taken_keys)
    return {"carried": created, "already_there": len(done), "unfinished": len(goals)}


def _carry_depths(goals: list[Goal]) -> dict[int, int]:
    """Each goal's depth among the goals carried (a goal whose parent is not carried is 0)."""
    by_id = {g.id: g for g in goals}
    depth: dict[int, int] = {}
    for goal in goals:
        chain, current = [], goal
        while current is not None and current.id not in depth:
            chain.append(current)
            current = by_id.get(current.parent_id)
            if current is not None and current in chain:  # a loop cannot be stored, but be safe
                current = None
        base = depth[current.id] + 1 if current is not None else 0
        for offset, g in enumerate(reversed(chain)):
            depth[g.id] = base + offset
    return depth


def _carry_level(goals: list[Goal], *, target: Cycle, copies: dict, taken: set[str]) -> int:
    """Copy one level of goals into `target` (their parents are copied already)."""
    batch = []
    for goal in goals:
        key = goal.key if goal.key and goal.key not in taken else ""
        taken.add(key)
        batch.append(
            _carried_copy(goal, target=target, parent_id=copies.get(goal.parent_id), key=key)
        )
    made = bulk_create_with_history(batch, Goal, batch_size=500)
    if any(c.pk is None for c in made):  # databases that do not return ids
        made = list(
            Goal.objects.filter(
                cycle=target, carried_from_id__in=[c.carried_from_id for c in batch]
            )
        )
    unnamed = []
    for copy in made:
        copies[copy.carried_from_id] = copy.id
        if not copy.key:
            copy.key = f"G{copy.pk}"
            unnamed.append(copy)
    Goal.objects.bulk_update(unnamed, ["key"], batch_size=500)
    return len(made)


def _carried_copy(goal: Goal, *, target: Cycle, parent_id: int | None, key: str) -> Goal:
    return Goal(
        organization_id=goal.organization_id,
        cycle=target,
        parent_id=parent_id,
        key=key,
        title=goal.title,
        description=goal.description,
        owner_id=goal.owner_id,
        org_unit_id=goal.org_unit_id,
        leg=goal.leg,
        measure=goal.measure,
        kpi_id=goal.kpi_id,
        # Next cycle starts where this one got to.
        baseline=goal.current_value if goal.current_value is not None else goal.baseline,
        target=goal.target,
        measure_unit=goal.measure_unit,
        weight=goal.weight,
        due_on=None,
        carried_from_id=goal.id,
    )


# ---------------------------------------------------------------- goals


def _ancestor_ids(*, parent_id: int | None, cycle_id: int) -> list[int]:
    """Ids from `parent_id` up to the top, from one query over the cycle."""
    parent_of = dict(Goal.objects.filter(cycle_id=cycle_id).values_list("id", "parent_id"))
    chain, seen, current = [], set(), parent_id
    while current is not None and current not in seen:
        chain.append(current)
        seen.add(current)
        current = parent_of.get(current)
    return chain


def goal_validate(*, goal: Goal) -> None:
    """The cascade's rules: same organization and cycle as the parent, no loops, right owner."""
    org = goal.organization
    if goal.cycle.organization_id != org.id:
        raise ValidationError({"cycle": "Choose a cycle of this organization."})
    parent = goal.parent
    if parent is not None:
        if parent.organization_id != org.id:
            raise ValidationError({"parent": "Choose a parent goal of this organization."})
        if parent.cycle_id != goal.cycle_id:
            raise ValidationError(
                {
                    "parent": f"The parent goal belongs to another cycle ({parent.cycle}); "
                    f"a goal contributes to a goal of its own cycle ({goal.cycle})."
                }  # fmt: skip
            )
        if goal.pk and goal.pk in _ancestor_ids(parent_id=parent.id, cycle_id=goal.cycle_id):
            raise ValidationError(
                {"parent": "A goal cannot contribute to itself or to one of its own sub-goals."}
            )
    if goal.org_unit_id and goal.org_unit.organization_id != org.id:
        raise ValidationError({"org_unit": "Choose a unit of this organization."})
    _check_kpi(goal.kpi, org)
    # A top-level goal owned outside the C-team is allowed: the engine flags it (orphan_goal).
    _check_member(goal.owner, org, "owner", min_role=Role.MANAGER)
    if goal.measure == Goal.Measure.KPI and goal.kpi_id and not goal.measure_unit:
        raise ValidationError(
            {
                "measure_unit": f"A KPI target needs a unit; {goal.kpi.name} is measured in "
                f"{goal.kpi.unit}."
            }  # fmt: skip
        )
    goal.full_clean()


def _check_may_write(*, goal: Goal, by: Membership | None) -> None:
    if by is not None and not rules.goal_can_edit(goal=goal, member=by):
        raise PermissionDenied(rules.goal_edit_denied_message(goal))


@transaction.atomic
def goal_create(*, organization: Organization, by: Membership | None = None, **fields) -> Goal:
    """A new goal; `by` (the writer) must be allowed to own a goal at that place."""
    goal = Goal(organization=organization, **fields)
    _check_may_write(goal=goal, by=by)
    goal_validate(goal=goal)
    goal.save()
    if not goal.key:
        goal.key = f"G{goal.pk}"
        Goal.objects.filter(pk=goal.pk).update(key=goal.key)
    return goal


@transaction.atomic
def goal_update(*, goal: Goal, data: dict, version: int, by: Membership | None = None) -> Goal:
    _check_may_write(goal=goal, by=by)
    if "cycle" in data and data["cycle"].id != goal.cycle_id:
        raise ValidationError(
            {"cycle": "A goal stays in its cycle; carry unfinished goals over instead."}
        )
    for field, value in data.items():
        setattr(goal, field, value)
    _check_may_write(goal=goal, by=by)  # also where the goal is being moved to
    goal_validate(goal=goal)
    clear_stale_progress(goal)
    return versioned_save(goal, expected_version=version)


@transaction.atomic
def goal_delete(*, goal: Goal, by: Membership | None = None) -> None:
    _check_may_write(goal=goal, by=by)
    if goal.children.exists():
        raise ValidationError(
            "Other goals contribute to this one; move or delete them first, or mark it dropped."
        )
    goal.delete()


# ---------------------------------------------------------------- check-ins


@transaction.atomic
def checkin_log(
    *,
    goal: Goal,
    author: Membership,
    confidence: str,
    statement: str,
    value: Decimal | None = None,
    progress: Decimal | None = None,
) -> CheckIn:
    """Add a dated check-in (history is never rewritten) and mirror it onto the goal."""
    if not rules.checkin_can_log(goal=goal, member=author):
        raise PermissionDenied(rules.CHECKIN_DENIED)
    statement = (statement or "").strip()
    errors = {}
    if not statement:
        errors["statement"] = "Say in a sentence or two how this goal contributes to the one above."
    if goal.status != Goal.Status.ACTIVE:
        errors["__all__"] = f"This goal is {goal.get_status_display().lower()}; reopen it first."
    if goal.measure == Goal.Measure.KPI:
        if value is None:
            errors["value"] = f"Give the KPI's current value in {goal.measure_unit}."
        else:
            progress = kpi_progress(baseline=goal.baseline, target=goal.target, value=value)
            progress = None if progress is None else Decimal(str(round(progress, 4)))
    elif goal.measure == Goal.Measure.MILESTONE:
        if value is not None:
            errors["value"] = "A milestone has no KPI value; give its progress instead."
        if progress is None:
            errors["progress"] = "Give the milestone's progress, from 0 to 100 %."
        elif not (0 <= progress <= 1):
            errors["progress"] = "Progress goes from 0 to 100 %."
    elif value is not None or progress is not None:
        errors["progress"] = (
            "This goal is not measurable yet; give your confidence and statement only."
            if goal.measure == Goal.Measure.NONE
            else "This goal's progress comes from its contributing goals; "
            "give your confidence and statement only."
        )
    if confidence not in Confidence.values:
        errors["confidence"] = "Choose on track, at risk or off track."
    if errors:
        raise ValidationError(errors)
    checkin = CheckIn.objects.create(
        organization=goal.organization,
        goal=goal,
        author=author,
        value=value,
        progress=progress,
        confidence=confidence,
        statement=statement,
    )
    # Derived fields only: no version bump, so a check-in never conflicts with an edit.
    mirror = {"confidence": confidence, "last_checkin_at": checkin.created_at}
    if goal.measure in (Goal.Measure.KPI, Goal.Measure.MILESTONE):
        mirror.update(current_value=value, progress=progress)
    Goal.objects.filter(pk=goal.pk).update(**mirror)
    for field, val in mirror.items():
        setattr(goal, field, val)
    return checkin


# ---------------------------------------------------------------- commitments


@transaction.atomic
def commitment_save(
    *,
    cycle: Cycle,
    executive: Membership,
    statement: str,
    goal: Goal | None = None,
    version: int | None = None,
    by: Membership | None = None,
) -> Commitment:
    """State (or restate) an executive's contribution to the corporate CX goal."""
    org = cycle.organization
    _check_member(executive, org, "executive", min_role=Role.EXECUTIVE)
    if by is not None and by.id != executive.id and by.role != Role.ADMIN:
        raise PermissionDenied("Executives state their own commitment.")
    if goal is not None and (goal.cycle_id != cycle.id or goal.parent_id is not None):
        raise ValidationError({"goal": "Choose a corporate goal of the same cycle."})
    if not (statement or "").strip():
        raise ValidationError({"statement": "Say what you will contribute to the CX goal."})
    existing = Commitment.objects.filter(cycle=cycle, executive=executive).first()
    if existing is None:
        return Commitment.objects.create(
            organization=org, cycle=cycle, executive=executive, goal=goal, statement=statement
        )
    if version is None:
        version = existing.version
    return object_update(
        instance=existing, data={"statement": statement, "goal": goal}, version=version
    )


# ---------------------------------------------------------------- initiatives


def _check_initiative(initiative: Initiative, goals, by: Membership | None) -> None:
    org = initiative.organization
    if initiative.cycle.organization_id != org.id:
        raise ValidationError({"cycle": "Choose a cycle of this organization."})
    if initiative.org_unit_id and initiative.org_unit.organization_id != org.id:
        raise ValidationError({"org_unit": "Choose a unit of this organization."})
    _check_member(initiative.owner, org, "owner")
    for goal in goals or ():
        if goal.organization_id != org.id:
            raise ValidationError({"goals": "Choose goals of this organization."})
        if goal.cycle_id != initiative.cycle_id:
            raise ValidationError({"goals": f"“{goal.title}” belongs to another cycle."})
    if by is not None and not rules.is_executive(by):
        units = rules.unit_subtree(unit_id=by.unit_id, organization=org)
        if initiative.org_unit_id not in units:
            raise PermissionDenied("Managers write the initiatives of their own unit.")


@transaction.atomic
def initiative_create(
    *, organization: Organization, goals=(), by: Membership | None = None, **fields
) -> Initiative:
    initiative = Initiative(organization=organization, **fields)
    _check_initiative(initiative, goals, by)
    initiative.full_clean()
    initiative.save()
    initiative.goals.set(goals)
    return initiative


@transaction.atomic
def initiative_update(
    *, initiative: Initiative, data: dict, version: int, by: Membership | None = None
) -> Initiative:
    goals = data.pop("goals", None)
    if by is not None:
        _check_initiative(initiative, (), by)  # may the writer touch it where it is now?
    for field, value in data.items():
        setattr(initiative, field, value)
    _check_initiative(initiative, goals, by)
    initiative = object_update(instance=initiative, data={}, version=version)
    if goals is not None:
        initiative.goals.set(goals)
    return initiative


@transaction.atomic
def initiative_delete(*, initiative: Initiative, by: Membership | None = None) -> None:
    _check_initiative(initiative, (), by)
    initiative.delete()


@transaction.atomic
def effect_create(*, initiative: Initiative, by: Membership | None = None, **fields) -> KPIEffect:
    _check_initiative(initiative, (), by)
    effect = KPIEffect(organization=initiative.organization, initiative=initiative, **fields)
    _check_kpi(effect.kpi, initiative.organization)
    if effect.affected_unit_id and effect.affected_unit.organization_id != effect.organization_id:
        raise ValidationError({"affected_unit": "Choose a unit of this organization."})
    effect.full_clean()
    effect.save()
    return effect


@transaction.atomic
def effect_update(
    *, effect: KPIEffect, data: dict, version: int, by: Membership | None = None
) -> KPIEffect:
    _check_initiative(effect.initiative, (), by)
    if "initiative" in data and data["initiative"].id != effect.initiative_id:
        raise ValidationError({"initiative": "An effect stays with its initiative."})
    _check_kpi(data.get("kpi"), effect.organization)
    return object_update(instance=effect, data=data, version=version)


@transaction.atomic
def effect_delete(*, effect: KPIEffect, by: Membership | None = None) -> None:
    _check_initiative(effect.initiative, (), by)
    effect.delete()


# ---------------------------------------------------------------- decisions


def _check_decision(decision: Decision, goals, initiatives) -> None:
    org = decision.organization
    if decision.cycle_id and decision.cycle.organization_id != org.id:
        raise ValidationError({"cycle": "Choose a cycle of this organization."})
    _check_member(decision.decided_by, org, "decided_by")
    for goal in goals or ():
        if goal.organization_id != org.id:
            raise ValidationError({"goals": "Choose goals of this organization."})
    for initiative in initiatives or ():
        if initiative.organization_id != org.id:
            raise ValidationError({"initiatives": "Choose initiatives of this organization."})


def _record_override(decision: Decision, by: Membership | None, was_override: bool) -> None:
    if decision.override and not was_override:
        decision.override_by = by
        decision.override_at = timezone.now()
    elif not decision.override:
        decision.override_by = None
        decision.override_at = None
        decision.override_reason = ""


@transaction.atomic
def decision_create(
    *,
    organization: Organization,
    goals=(),
    initiatives=(),
    by: Membership | None = None,
    **fields,
) -> Decision:
    """Log a decision; a customer disapproval needs a mitigation or a recorded override."""
    decision = Decision(organization=organization, **fields)
    if decision.decided_by_id is None:
        decision.decided_by = by
    _check_decision(decision, goals, initiatives)
    _record_override(decision, by, was_override=False)
    decision.full_clean()
    decision.save()
    decision.goals.set(goals)
    decision.initiatives.set(initiatives)
    return decision


@transaction.atomic
def decision_update(
    *, decision: Decision, data: dict, version: int, by: Membership | None = None
) -> Decision:
    goals = data.pop("goals", None)
    initiatives = data.pop("initiatives", None)
    was_override = decision.override
    for field, value in data.items():
        setattr(decision, field, value)
    _check_decision(decision, goals, initiatives)
    _record_override(decision, by, was_override=was_override)
    decision = object_update(instance=decision, data={}, version=version)
    if goals is not None:
        decision.goals.set(goals)
    if initiatives is not None:
        decision.initiatives.set(initiatives)
    return decision


# ---------------------------------------------------------------- capabilities


@transaction.atomic
def capability_create(*, organization: Organization, **fields) -> Capability:
    capability = Capability(organization=organization, **fields)
    if Capability.objects.for_org(organization).filter(name=capability.name).exists():
        raise ValidationError({"name": f"There is already a capability named “{capability.name}”."})
    _check_member(capability.owner, organization, "owner")
    capability.full_clean()
    capability.save()
    return capability


@transaction.atomic
def capability_update(*, capability: Capability, data: dict, version: int) -> Capability:
    name = data.get("name", capability.name)
    if (
        Capability.objects.for_org(capability.organization)
        .filter(name=name)
        .exclude(pk=capability.pk)
        .exists()
    ):
        raise ValidationError({"name": f"There is already a capability named “{name}”."})
    _check_member(data.get("owner"), capability.organization, "owner")
    return object_update(instance=capability, data=data, version=version)

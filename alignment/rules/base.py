"""The shape every misalignment rule shares: a context in, findings out.

A rule is a function `(ctx: RuleContext) -> list[Finding]` registered with `@rule("name")`.
It reads the organization's rows through the context (scoped, cached) and the run's figures
(`ctx.figures`, the links document of `alignment.engine.figures`); it writes nothing. The
service `flags_sync` turns findings into stored flags, keyed by rule and subjects.
"""

import datetime
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from django.urls import reverse

from cxalign.orgs.models import Membership, Organization
from cxalign.orgs.roles import Role
from strategy.models import Cycle

SEVERITIES = ("high", "medium", "low")
# Stand-ins for integer URL arguments while a URL template is reversed (never a real id).
URL_MARKER = 987_654_321_000


@dataclass(frozen=True)
class Subject:
    """An object a flag points at: `type` is goal, unit, member, initiative, touchpoint,
    segment, theme, audience, decision, model, cycle, kpi or data."""

    type: str
    id: int | str
    label: str
    url: str = ""

    def as_dict(self) -> dict:
        return {"type": self.type, "id": self.id, "label": self.label, "url": self.url}


@dataclass
class Finding:
    """One raised flag before it is stored."""

    rule: str
    severity: str
    title: str
    subjects: list[Subject]
    evidence: dict = field(default_factory=dict)
    owner_id: int | None = None
    owner_label: str = ""
    unit_id: int | None = None
    # How bad it is, in the rule's own terms (larger is worse); a larger value reopens an
    # acknowledged flag.
    magnitude: float = 0.0

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"Unknown severity {self.severity!r}")

    @property
    def key(self) -> str:
        """The flag's identity: its rule and the objects it points at (order-free)."""
        parts = sorted(f"{s.type}:{s.id}" for s in self.subjects)
        return hashlib.sha256("|".join([self.rule, *parts]).encode()).hexdigest()[:64]


@dataclass
class RuleContext:
    """What every rule may read: the organization, the cycle, the run's figures and today."""

    organization: Organization
    cycle: Cycle
    figures: dict
    today: datetime.date
    now: datetime.datetime

    def url(self, name: str, *args) -> str:
        """A page URL of this organization, e.g. ctx.url("strategy:goal_detail", goal.id).

        Integer arguments fill a template reversed once per URL name (a run links thousands of
        flags to their pages; reverse() costs a tenth of a millisecond each)."""
        if not all(type(arg) is int for arg in args):
            return reverse(name, args=[self.organization.slug, *args])
        templates = self.__dict__.setdefault("_url_templates", {})
        key = (name, len(args))
        if key not in templates:
            markers = [URL_MARKER + index for index in range(len(args))]
            url = reverse(name, args=[self.organization.slug, *markers])
            url = url.replace("{", "{{").replace("}", "}}")
            for index, marker in enumerate(markers):
                url = url.replace(str(marker), f"{{{index}}}")
            templates[key] = url
        return templates[key].format(*args)

    @cached_property
    def members(self) -> dict[int, Membership]:
        """Active memberships by id, with user and unit."""
        rows = Membership.objects.for_org(self.organization).active()
        return {m.id: m for m in rows.select_related("user", "unit")}

    @cached_property
    def c_team(self) -> list[Membership]:
        """The C-team: active members with the executive role."""
        return [m for m in self.members.values() if m.role == Role.EXECUTIVE]

    def member_label(self, member_id: int | None) -> str:
        member = self.members.get(member_id) if member_id else None
        return member.display_name if member else ""


Rule = Callable[[RuleContext], list[Finding]]
RULES: dict[str, Rule] = {}


def rule(name: str) -> Callable[[Rule], Rule]:
    """Register a rule under its contract name."""

    def register(func: Rule) -> Rule:
        if name in RULES:
            raise ValueError(f"Rule {name} is registered twice")
        RULES[name] = func
        func.rule_name = name
        return func

    return register


def evaluate(ctx: RuleContext, names: list[str] | None = None) -> list[Finding]:
    """Run every registered rule (or the named ones) and return their findings."""
    from alignment.rules import catalogue  # noqa: F401  (registers the rules)

    findings: list[Finding] = []
    for name, func in RULES.items():
        if names is None or name in names:
            findings.extend(func(ctx))
    return findings

"""Demo organizations, people and units. Idempotent: a second run changes nothing."""

import importlib
import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from cxalign.orgs.models import Membership, Organization, OrgUnit
from cxalign.orgs.roles import Role

DEMO_PASSWORD = "cxalign-demo"
# Apps whose demo.py adds their part, lowest layer first; each exposes load(demo: Demo) -> dict.
DEMO_APPS = ["strategy", "journeys", "feedback", "kpis", "alignment"]

User = get_user_model()


def demo_data(app_label: str, name: str):
    """A demo data file of an app (`<app>/demo_data/<name>`): JSON, decimals kept exact."""
    path = Path(apps.get_app_config(app_label).path) / "demo_data" / name
    return json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)


@dataclass
class Demo:
    northwind: Organization
    globex: Organization
    people: dict[str, Membership] = field(default_factory=dict)  # "northwind:exec" -> Membership
    units: dict[str, OrgUnit] = field(default_factory=dict)  # "northwind:Sales" -> OrgUnit
    created: dict[str, int] = field(default_factory=dict)
    _hash: str = ""

    def password_hash(self) -> str:
        """The demo password hashed once (a hash costs about a second; the demo has 16 logins)."""
        if not self._hash:
            self._hash = make_password(DEMO_PASSWORD)
        return self._hash

    def member(self, org: Organization, username: str) -> Membership:
        return self.people[f"{org.slug}:{username}"]

    def unit(self, org: Organization, name: str) -> OrgUnit:
        return self.units[f"{org.slug}:{name}"]

    def count(self, key: str, created: bool) -> None:
        if created:
            self.created[key] = self.created.get(key, 0) + 1


NORTHWIND_UNITS = [
    # (name, kind, parent)
    ("Northwind", OrgUnit.Kind.COMPANY, None),
    ("Commercial", OrgUnit.Kind.DIVISION, "Northwind"),
    ("Operations", OrgUnit.Kind.DIVISION, "Northwind"),
    ("Finance & Risk", OrgUnit.Kind.DIVISION, "Northwind"),
    ("Customer Experience", OrgUnit.Kind.DIVISION, "Northwind"),
    ("People & Culture", OrgUnit.Kind.DIVISION, "Northwind"),
    ("Sales", OrgUnit.Kind.DEPARTMENT, "Commercial"),
    ("Marketing", OrgUnit.Kind.DEPARTMENT, "Commercial"),
    ("Customer Success", OrgUnit.Kind.DEPARTMENT, "Commercial"),
    ("Production", OrgUnit.Kind.DEPARTMENT, "Operations"),
    ("Logistics", OrgUnit.Kind.DEPARTMENT, "Operations"),
    ("Customer Service", OrgUnit.Kind.DEPARTMENT, "Operations"),
    ("Finance", OrgUnit.Kind.DEPARTMENT, "Finance & Risk"),
    ("Risk & Compliance", OrgUnit.Kind.DEPARTMENT, "Finance & Risk"),
    ("CX Office", OrgUnit.Kind.DEPARTMENT, "Customer Experience"),
    ("Digital", OrgUnit.Kind.DEPARTMENT, "Customer Experience"),
    ("Human Resources", OrgUnit.Kind.DEPARTMENT, "People & Culture"),
    ("Inside Sales", OrgUnit.Kind.TEAM, "Sales"),
    ("Field Sales", OrgUnit.Kind.TEAM, "Sales"),
    ("Support Desk", OrgUnit.Kind.TEAM, "Customer Service"),
]

NORTHWIND_PEOPLE = [
    # (username, first, last, role, unit, title, reports to)
    ("admin", "Alex", "Admin", Role.ADMIN, "Northwind", "IT administrator", None),
    ("exec", "Dana", "Whitfield", Role.EXECUTIVE, "Northwind", "Chief Executive Officer", None),
    ("cfo", "Marcus", "Lee", Role.EXECUTIVE, "Finance & Risk", "Chief Financial Officer", "exec"),
    ("coo", "Priya", "Nair", Role.EXECUTIVE, "Operations", "Chief Operating Officer", "exec"),
    ("cro", "Tomás", "Ortega", Role.EXECUTIVE, "Risk & Compliance", "Chief Risk Officer", "cfo"),
    ("cco", "Hannah", "Berg", Role.EXECUTIVE, "Commercial", "Chief Commercial Officer", "exec"),
    ("cxlead", "Sam", "Rivera", Role.CX_LEAD, "CX Office", "Chief Customer Officer", "exec"),
    (
        "manager",
        "Morgan",
        "Hale",
        Role.MANAGER,
        "Customer Service",
        "Head of Customer Service",
        "coo",
    ),
    ("msales", "Jordan", "Price", Role.MANAGER, "Sales", "Head of Sales", "cco"),
    ("mmarketing", "Riley", "Chen", Role.MANAGER, "Marketing", "Head of Marketing", "cco"),
    ("mproduction", "Casey", "Novak", Role.MANAGER, "Production", "Head of Production", "coo"),
    ("mhr", "Avery", "Stone", Role.MANAGER, "Human Resources", "Head of HR", "exec"),
    ("msupport", "Jamie", "Kaur", Role.MANAGER, "Support Desk", "Support Desk Lead", "manager"),
    ("member", "Taylor", "Brooks", Role.MEMBER, "Customer Service", "Service designer", "manager"),
    ("viewer", "Robin", "Quinn", Role.VIEWER, "Finance", "Financial analyst", "cfo"),
]

GLOBEX_UNITS = [
    ("Globex", OrgUnit.Kind.COMPANY, None),
    ("Globex Sales", OrgUnit.Kind.DEPARTMENT, "Globex"),
    ("Globex Support", OrgUnit.Kind.DEPARTMENT, "Globex"),
]

GLOBEX_PEOPLE = [
    ("outsider", "Olivia", "Outsider", Role.ADMIN, "Globex", "Head of Operations", None),
    ("exec", "Dana", "Whitfield", Role.EXECUTIVE, "Globex", "Advisory board member", None),
    ("cxlead", "Sam", "Rivera", Role.CX_LEAD, "Globex Support", "CX agency partner", None),
]


def _units(demo: Demo, org: Organization, rows) -> None:
    for name, kind, parent in rows:
        unit, created = OrgUnit.objects.get_or_create(
            organization=org,
            name=name,
            defaults={"kind": kind, "parent": demo.units.get(f"{org.slug}:{parent}")},
        )
        demo.units[f"{org.slug}:{name}"] = unit
        demo.count("units", created)


def demo_person(
    demo: Demo, org: Organization, username, first, last, role, unit, title, reports_to
) -> Membership:
    """A demo login (password cxalign-demo) with its membership; never resets a changed one."""
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"first_name": first, "last_name": last, "email": f"{username}@example.com"},
    )
    if created:
        user.password = demo.password_hash()
        user.save(update_fields=["password"])
    demo.count("users", created)
    membership, created = Membership.objects.get_or_create(
        organization=org,
        user=user,
        defaults={
            "role": role,
            "unit": demo.units.get(f"{org.slug}:{unit}"),
            "title": title,
            "reports_to": demo.people.get(f"{org.slug}:{reports_to}"),
        },
    )
    demo.people[f"{org.slug}:{username}"] = membership
    demo.count("memberships", created)
    return membership


@transaction.atomic
def demo_load(*, only_core: bool = False) -> dict:
    """Create the demo organizations and people, then let each app add its own demo data."""
    northwind, c1 = Organization.objects.get_or_create(
        slug="northwind", defaults={"name": "Northwind Traders"}
    )
    globex, c2 = Organization.objects.get_or_create(
        slug="globex", defaults={"name": "Globex Corporation"}
    )
    demo = Demo(northwind=northwind, globex=globex)
    demo.count("organizations", c1)
    demo.count("organizations", c2)
    _units(demo, northwind, NORTHWIND_UNITS)
    _units(demo, globex, GLOBEX_UNITS)
    for row in NORTHWIND_PEOPLE:
        demo_person(demo, northwind, *row)
    for row in GLOBEX_PEOPLE:
        demo_person(demo, globex, *row)
    leaders = {
        "Northwind": "exec",
        "Operations": "coo",
        "Customer Service": "manager",
        "CX Office": "cxlead",
        "Sales": "msales",
        "Globex": "outsider",
    }
    for unit_name, username in leaders.items():
        org = globex if unit_name == "Globex" else northwind
        OrgUnit.objects.filter(id=demo.unit(org, unit_name).id, leader__isnull=True).update(
            leader=demo.member(org, username)
        )
    summary = {"core": dict(demo.created)}
    if not only_core:
        for app in DEMO_APPS:
            try:
                module = importlib.import_module(f"{app}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{app}.demo":
                    raise
                continue
            summary[app] = module.load(demo)
    return summary

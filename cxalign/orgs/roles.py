"""Roles, weakest to strongest in what they may write, and the one check that compares them."""

from django.db import models


class Role(models.TextChoices):
    VIEWER = "viewer", "Viewer"
    MEMBER = "member", "Member"
    MANAGER = "manager", "Manager"
    CX_LEAD = "cx_lead", "CX lead"
    EXECUTIVE = "executive", "Executive"
    ADMIN = "admin", "Admin"


RANK = {role: rank for rank, role in enumerate(Role.values)}

# What each role may write; shown in the README and on the People page.
ROLE_SUMMARY = {
    Role.VIEWER: "Reads everything in the organization; writes nothing.",
    Role.MEMBER: "Maps journeys and touchpoints; triages feedback and follow-ups.",
    Role.MANAGER: "Owns their unit's goals and logs check-ins; everything a member does.",
    Role.CX_LEAD: "Audiences, KPIs, feedback imports, themes, recompute; everything a manager does.",
    Role.EXECUTIVE: "Governing models, corporate goals, decisions, vision; everything a CX lead does.",
    Role.ADMIN: "People, invitations, roles and org units; everything.",
}


def role_at_least(role: str, required: str) -> bool:
    """True when `role` is as strong as `required` or stronger."""
    return RANK[role] >= RANK[required]

"""Receivers of the feedback app. Journeys sit below feedback, so feedback listens to them."""

from __future__ import annotations

from feedback.services import responses_link_touchpoint
from journeys.models import Touchpoint

LOADED_NAME = "_feedback_loaded_name"


def touchpoint_loaded(sender, instance: Touchpoint, **kwargs) -> None:
    """Remember the name a touchpoint had when loaded, to tell a rename from another edit."""
    # Read from __dict__: a deferred name must not cost a query per loaded touchpoint.
    setattr(instance, LOADED_NAME, instance.__dict__.get("name"))


def touchpoint_saved(sender, instance: Touchpoint, created: bool, **kwargs) -> None:
    """A touchpoint made, renamed or restored takes over the responses that name it."""
    update_fields = kwargs.get("update_fields") or ()
    renamed = getattr(instance, LOADED_NAME, None) != instance.name
    restored = "deleted_at" in update_fields
    setattr(instance, LOADED_NAME, instance.name)
    if instance.deleted_at is None and (created or renamed or restored):
        responses_link_touchpoint(touchpoint=instance)

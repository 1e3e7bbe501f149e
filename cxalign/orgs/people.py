"""The signed-in person, read once and kept in the shared cache.

Every page reads the same rows before it does anything: the user (is the session still theirs,
are they active) and their active memberships (may they see this organization, with which
role). With Redis (`settings.SHARED_CACHE`) both come from one cache entry per user instead of
two queries; the embedded default keeps reading the database (its cache is per process, where
a change made in one process would not reach the others).

The entry is forgotten whenever one of its rows changes: a user, a membership, an organization
or a unit saved or deleted (signals below), and a membership's last visit (`membership_touch`,
which writes with `update()`). Forgotten now and again after the transaction commits, so that
a page that read the old rows before the commit does not keep them; TTL_S bounds what a write
that bypasses all of this could leave behind.

Each load gets a new `edition`: a page cached for this person (the dashboard) names the edition
it was rendered for, so any change to the person's rows gives their pages a new key.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

KEY = "orgs:person:v1:{}"
TTL_S = 60


def person_get(user_id):
    """The user with this id, carrying `cx_memberships` (their active memberships with
    organizations, units and the user) and `cx_edition`; None when there is no such user."""
    if not settings.SHARED_CACHE:
        return _user(user_id)
    key = KEY.format(user_id)
    entry = cache.get(key)
    if entry is None:
        user = _user(user_id)
        memberships = _memberships(user) if user is not None else []
        entry = (user, memberships, secrets.token_hex(8))
        cache.set(key, entry, TTL_S)
    user, memberships, edition = entry
    if user is not None:
        user.cx_memberships, user.cx_edition = memberships, edition
    return user


def _user(user_id):
    return get_user_model()._default_manager.filter(pk=user_id).first()


def _memberships(user) -> list:
    from cxalign.orgs.selectors import memberships_of_user

    return list(memberships_of_user(user=user).select_related("user", "unit"))


def person_forget(*user_ids) -> None:
    """Forget these people's entries, now and once the current transaction commits."""
    keys = [KEY.format(i) for i in user_ids if i is not None]
    if not keys:
        return
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))


# ---------------------------------------------------------------- what makes an entry stale


def _user_changed(sender, instance, **kwargs):
    person_forget(instance.pk)


def _membership_changed(sender, instance, **kwargs):
    person_forget(instance.user_id)


def _organization_changed(sender, instance, **kwargs):
    from cxalign.orgs.models import Membership

    person_forget(
        *Membership.objects.filter(organization_id=instance.pk).values_list("user_id", flat=True)
    )


def _unit_changed(sender, instance, **kwargs):
    from cxalign.orgs.models import Membership

    person_forget(*Membership.objects.filter(unit_id=instance.pk).values_list("user_id", flat=True))


def connect_signals() -> None:
    from cxalign.orgs.models import Membership, Organization, OrgUnit

    for model, receiver in (
        (get_user_model(), _user_changed),
        (Membership, _membership_changed),
        (Organization, _organization_changed),
        (OrgUnit, _unit_changed),
    ):
        for signal in (post_save, post_delete):
            signal.connect(receiver, sender=model, dispatch_uid=f"cx_person_{model.__name__}")

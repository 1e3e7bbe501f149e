"""The signed-in person, read once and kept in the shared cache.

Every page reads the same rows before it does anything: the user (is the session still theirs,
are they active) and their active memberships (may they see this organization, with which
role). With Redis (`settings.SHARED_CACHE`) both come from one cache entry per user instead of
two queries; the embedded default keeps reading the database (its cache is per process, where
a change made in one process would not reach the others).

Each person has a *generation* (a random token in the cache), and an entry is taken only under
the generation it was loaded under. Any change to the person's rows sets a new generation: a
user, a membership, an organization or a unit saved or deleted (signals below), and a
membership's last visit (`membership_touch`, which writes with `update()`). It is set now and
again after the transaction commits, and the generation is read before the rows, so rows read
before a commit are never taken for current, however late they reach the cache. TTL_S bounds
what a write that bypasses all of this could leave behind.

The generation is also the person's `edition`: a page cached for this person (the dashboard)
names the edition it was rendered for, so any change to the person's rows renews their pages.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_delete

KEY = "orgs:person:v2:{}"
GENERATION_KEY = "orgs:person-generation:{}"
TTL_S = 60
GENERATION_TTL_S = 24 * 3600  # longer than any entry: a lost generation reads as "0"


def person_get(user_id):
    """The user with this id, carrying `cx_memberships` (their active memberships with
    organizations, units and the user) and `cx_edition`; None when there is no such user."""
    if not settings.SHARED_CACHE:
        return _user(user_id)
    key, generation_key = KEY.format(user_id), GENERATION_KEY.format(user_id)
    # The generation is read before the rows: a change committed after this read has set a
    # new one, so rows read too early are never taken for current.
    found = cache.get_many([generation_key, key])
    generation, entry = found.get(generation_key, "0"), found.get(key)
    if entry is None or entry[0] != generation:
        user = _user(user_id)
        memberships = _memberships(user) if user is not None else []
        entry = (generation, user, memberships)
        cache.set(key, entry, TTL_S)
    _generation, user, memberships = entry
    if user is not None:
        user.cx_memberships, user.cx_edition = memberships, generation
    return user


def _user(user_id):
    return get_user_model()._default_manager.filter(pk=user_id).first()


def _memberships(user) -> list:
    from cxalign.orgs.selectors import memberships_of_user

    return list(memberships_of_user(user=user).select_related("user", "unit"))


def person_forget(*user_ids) -> None:
    """Give these people a new generation, now and once the current transaction commits:
    their cached entries (and pages cached for their edition) are read anew."""
    keys = [GENERATION_KEY.format(i) for i in user_ids if i is not None]
    if keys:
        _new_generations(keys)
        transaction.on_commit(lambda: _new_generations(keys))


def _new_generations(keys: list[str]) -> None:
    cache.set_many({key: secrets.token_hex(8) for key in keys}, GENERATION_TTL_S)


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
    ):
        for signal in (post_save, post_delete):
            signal.connect(receiver, sender=model, dispatch_uid=f"cx_person_{model.__name__}")
    # Before the delete: it sets its members' unit to NULL, after which they cannot be found.
    for signal in (post_save, pre_delete):
        signal.connect(_unit_changed, sender=OrgUnit, dispatch_uid="cx_person_OrgUnit")

"""The signed-in person, read once and kept in the shared cache.

Every page reads the same rows before it does anything: the user (is the session still theirs,
are they active) and their active memberships (may they see this organization, with which
role). With Redis (`settings.SHARED_CACHE`) both come from one cache entry per user instead of
two queries; the embedded default keeps reading the database (its cache is per process, where
a change made in one process would not reach the others).

Each person has a *generation* (cxalign/generations.py), and an entry is taken only under the
generation it was loaded under. Any change to the person's rows sets a new generation: a
user, a membership, an organization or a unit saved or deleted (signals below), and a
membership's last visit (`membership_touch`, which writes with `update()`). It is set now and
again after the transaction commits, and the generation is read before the rows, so rows read
before a commit are never taken for current, however late they reach the cache. TTL_S bounds
what a write that bypasses all of this could leave behind.

The generation is also the person's `edition`: a page cached for this person (the dashboard)
names the edition it was rendered for, so any change to the person's rows renews their pages.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models.signals import post_delete, post_save, pre_delete

from cxalign.generations import generation_get, generations_renew

KEY = "orgs:person:v3:{}"
GENERATION_KEY = "orgs:person-generation:{}"
TTL_S = 60
GENERATION_TTL_S = 24 * 3600


def person_get(user_id):
    """The user with this id, carrying `cx_memberships` (their active memberships with
    organizations, units and the user) and `cx_edition`; None when there is no such user."""
    if not settings.SHARED_CACHE:
        return _user(user_id)
    (user, memberships), generation = generation_get(*keys(user_id), lambda: _load(user_id), TTL_S)
    if user is not None:
        user.cx_memberships, user.cx_edition = memberships, generation
    return user


def keys(user_id) -> list[str]:
    """The person's entry and generation (cxalign/prefetch.py reads them ahead)."""
    return [KEY.format(user_id), GENERATION_KEY.format(user_id)]


def _load(user_id) -> tuple:
    user = _user(user_id)
    return user, (_memberships(user) if user is not None else [])


def _user(user_id):
    return get_user_model()._default_manager.filter(pk=user_id).first()


def _memberships(user) -> list:
    from cxalign.orgs.selectors import memberships_of_user

    return list(memberships_of_user(user=user).select_related("user", "unit"))


def person_forget(*user_ids) -> None:
    """Give these people a new generation, now and once the current transaction commits:
    their cached entries (and pages cached for their edition) are read anew."""
    renewed = [GENERATION_KEY.format(i) for i in user_ids if i is not None]
    generations_renew(renewed, GENERATION_TTL_S)


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

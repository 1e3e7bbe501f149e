"""How a session finds its user."""

from django.contrib.auth.backends import ModelBackend

from cxalign.orgs.people import person_get


class PersonBackend(ModelBackend):
    """Django's model backend, reading the signed-in user (and their memberships) through
    `cxalign.orgs.people`: the shared cache when there is one, else the database."""

    def get_user(self, user_id):
        user = person_get(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None

"""API tokens (django-rest-knox: hashed at rest, with an expiry) and sign-out everywhere.

Tokens expire after API_TOKEN_TTL_DAYS, are revoked when the password changes (whoever
changes it: the password page, a reset link, the admin or `changepassword`), and when the
user signs out everywhere. A user lists and revokes their own tokens on their profile page.
"""

from dataclasses import dataclass
from datetime import datetime
from importlib import import_module

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.db import transaction
from django.utils import timezone
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.models import AuthToken
from rest_framework.exceptions import AuthenticationFailed

User = get_user_model()


class TokenAuthentication(KnoxTokenAuthentication):
    """knox's `Authorization: Token <token>`; a token that is not UTF-8 is a 401, not a 500."""

    def authenticate_credentials(self, token: bytes):
        try:
            token.decode("utf-8")
        except UnicodeDecodeError:
            raise AuthenticationFailed("Invalid token.") from None
        return super().authenticate_credentials(token)


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expiry: datetime | None


def api_token_issue(*, user) -> IssuedToken:
    """A new API token for the user; only its hash is stored."""
    instance, token = AuthToken.objects.create(user=user)
    return IssuedToken(token=token, expiry=instance.expiry)


def api_tokens_of_user(*, user) -> list[AuthToken]:
    """The user's tokens that still work, newest first (expired ones are not listed)."""
    now = timezone.now()
    return list(
        AuthToken.objects.filter(user=user)
        .exclude(expiry__lt=now)
        .only("token_key", "created", "expiry", "user_id")
        .order_by("-created")
    )


def api_token_revoke(*, user, token_key: str) -> int:
    """Revoke one of the user's own tokens by the key shown on the profile page."""
    deleted, _ = AuthToken.objects.filter(user=user, token_key=token_key).delete()
    return deleted


def api_tokens_revoke_all(*, user_id: int) -> int:
    deleted, _ = AuthToken.objects.filter(user_id=user_id).delete()
    return deleted


@transaction.atomic
def sign_out_everywhere(*, user) -> dict:
    """Revoke every API token and end every browser session of the user."""
    tokens = api_tokens_revoke_all(user_id=user.pk)
    # A rare, user-initiated action: decoding every stored session is acceptable here and
    # avoids a per-request check on every page.
    user_key = str(user.pk)
    ended = [
        s.pk
        for s in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if s.get_decoded().get("_auth_user_id") == user_key
    ]
    Session.objects.filter(pk__in=ended).delete()
    # With SESSION_ENGINE cached_db a copy of each session is in the cache too: gone now, and
    # again after the commit (a page loading the session before the commit would put it back).
    prefix = getattr(import_module(settings.SESSION_ENGINE).SessionStore, "cache_key_prefix", None)
    if prefix is not None:
        keys, sessions = [prefix + key for key in ended], caches[settings.SESSION_CACHE_ALIAS]
        sessions.delete_many(keys)
        transaction.on_commit(lambda: sessions.delete_many(keys))
    return {"tokens": tokens, "sessions": len(ended)}


def _remember_password(sender, instance, **kwargs):
    instance._cx_loaded_password = instance.password


def _revoke_tokens_on_password_change(sender, instance, created, **kwargs):
    loaded = getattr(instance, "_cx_loaded_password", None)
    if not created and loaded is not None and loaded != instance.password:
        # In the same transaction as the new password: both happen or neither does.
        api_tokens_revoke_all(user_id=instance.pk)
    instance._cx_loaded_password = instance.password


def connect_signals() -> None:
    from django.db.models.signals import post_init, post_save

    post_init.connect(_remember_password, sender=User, dispatch_uid="cx_remember_password")
    post_save.connect(
        _revoke_tokens_on_password_change, sender=User, dispatch_uid="cx_revoke_tokens"
    )

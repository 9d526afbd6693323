"""Sessions a user can see and revoke (the token families of ``TOKEN_FAMILIES``), and
logging out everywhere.

``SessionListView`` (GET): the requesting user's live sessions, newest first, the one of the
token making the request marked ``current``. ``SessionDetailView`` (DELETE ``<session_id>``):
revoke one of them; its refresh token is refused from then on. A user only ever sees and
revokes their own: another user's session is a 404, exactly like one that does not exist.
Both are re-exported by :mod:`ferrojwt.views`. They authenticate with the project's
``DEFAULT_AUTHENTICATION_CLASSES`` and need the ``ferrojwt.token_blacklist`` app::

    path("api/sessions/", SessionListView.as_view()),
    path("api/sessions/<str:session_id>/", SessionDetailView.as_view()),

``LogoutAllView`` (POST, authenticated): :func:`ferrojwt.revocation.logout_all` for the
requesting user (every refresh token and session revoked; with ``ACCESS_TOKEN_REVOCATION``
every access token issued until now refused from the next request on). It needs neither
families nor, for access tokens alone, the blacklist app.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, QuerySet
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from .models import TokenUser
from .settings import api_settings
from .utils import aware_utcnow

if TYPE_CHECKING:
    from .token_blacklist.models import TokenFamily

__all__ = [
    "LogoutAllSerializer",
    "LogoutAllView",
    "SessionDetailView",
    "SessionListView",
    "SessionSerializer",
    "live_sessions",
]


def live_sessions(user: Any) -> QuerySet[TokenFamily]:
    """``user``'s sessions that are neither revoked, expired nor logged out, newest first.
    ``user`` is a user instance or the stateless ``TokenUser`` (matched by ``USER_ID_FIELD``)."""
    from .token_blacklist.models import BlacklistedToken, TokenFamily

    if isinstance(user, TokenUser):
        owner = {f"user__{api_settings.USER_ID_FIELD}": user.pk}
    else:
        owner = {"user_id": user.pk}
    # A session whose current refresh token was blacklisted (logged out) is over too.
    logged_out = BlacklistedToken.objects.filter(token__jti=OuterRef("current_jti"))
    return (
        TokenFamily.objects.filter(**owner, revoked_at__isnull=True, expires_at__gt=aware_utcnow())
        .exclude(Exists(logged_out))
        .order_by("-created_at")
    )


class SessionSerializer(serializers.Serializer[Any]):
    """One session as the API shows it (its id is the family id of its tokens)."""

    id = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    last_refreshed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    expires_at = serializers.DateTimeField(read_only=True)
    user_agent = serializers.CharField(read_only=True)
    ip_address = serializers.IPAddressField(read_only=True, allow_null=True)
    current = serializers.SerializerMethodField()

    def get_current(self, family: Any) -> bool:  # a TokenFamily (Any: resolvable at run time)
        return bool(family.pk == self.context.get("current"))


def _current_family(request: Request) -> Any:
    token = request.auth
    getter = getattr(token, "get", None)
    return getter(api_settings.TOKEN_FAMILY_CLAIM) if callable(getter) else None


class SessionListView(generics.ListAPIView[Any]):
    """GET: the requesting user's live sessions, the current one marked."""

    permission_classes = (IsAuthenticated,)
    serializer_class = SessionSerializer
    pagination_class = None

    def get_queryset(self) -> QuerySet[TokenFamily]:
        return live_sessions(self.request.user)

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "current": _current_family(self.request)}


class SessionDetailView(generics.DestroyAPIView[Any]):
    """DELETE: revoke one of the requesting user's sessions (204); any other id is a 404."""

    permission_classes = (IsAuthenticated,)
    serializer_class = SessionSerializer
    lookup_url_kwarg = "session_id"

    def get_queryset(self) -> QuerySet[TokenFamily]:
        return live_sessions(self.request.user)

    def get_object(self) -> TokenFamily:
        found = self.get_queryset().filter(pk=self.kwargs[self.lookup_url_kwarg]).first()
        if found is None:
            raise NotFound()  # another user's session reads exactly like none at all
        return found

    def perform_destroy(self, instance: TokenFamily) -> None:
        from .revocation import revoke_family

        revoke_family(instance.pk, reason="revoked")


class LogoutAllSerializer(serializers.Serializer[Any]):
    """The body of a logout-all: nothing (the user is the authenticated one)."""


class LogoutAllView(generics.GenericAPIView[Any]):
    """POST (no body): revoke every session of the requesting user (204)."""

    permission_classes = (IsAuthenticated,)
    serializer_class = LogoutAllSerializer

    def post(self, request: Request) -> Response:
        from .revocation import logout_all

        # A cache that cannot take the marker is a 503: the user must not be told that
        # access tokens already issued are dead (the refresh tokens are blacklisted).
        logout_all(request.user, raise_if_incomplete=True)
        return Response(status=status.HTTP_204_NO_CONTENT)

"""Sessions a user can see and revoke: the token families of ``TOKEN_FAMILIES``.

``SessionListView`` (GET): the requesting user's live sessions, newest first, the one of the
token making the request marked ``current``. ``SessionDetailView`` (DELETE ``<session_id>``):
revoke one of them; its refresh token is refused from then on. A user only ever sees and
revokes their own: another user's session is a 404, exactly like one that does not exist.
Both are re-exported by :mod:`ferrojwt.views`. They authenticate with the project's
``DEFAULT_AUTHENTICATION_CLASSES`` and need the ``ferrojwt.token_blacklist`` app::

    path("api/sessions/", SessionListView.as_view()),
    path("api/sessions/<str:session_id>/", SessionDetailView.as_view()),
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .models import TokenUser
from .settings import api_settings
from .utils import aware_utcnow

if TYPE_CHECKING:
    from .token_blacklist.models import TokenFamily

__all__ = ["SessionDetailView", "SessionListView", "SessionSerializer", "live_sessions"]


def live_sessions(user: Any) -> QuerySet[TokenFamily]:
    """``user``'s sessions that are neither revoked nor expired, newest first. ``user`` is a
    user instance or the stateless ``TokenUser`` (matched by ``USER_ID_FIELD``)."""
    from .token_blacklist.models import TokenFamily

    if isinstance(user, TokenUser):
        owner = {f"user__{api_settings.USER_ID_FIELD}": user.pk}
    else:
        owner = {"user_id": user.pk}
    return TokenFamily.objects.filter(
        **owner, revoked_at__isnull=True, expires_at__gt=aware_utcnow()
    ).order_by("-created_at")


class SessionSerializer(serializers.Serializer[Any]):
    """One session as the API shows it (its id is the family id of its tokens)."""

    id = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    last_refreshed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    expires_at = serializers.DateTimeField(read_only=True)
    user_agent = serializers.CharField(read_only=True)
    ip_address = serializers.IPAddressField(read_only=True, allow_null=True)
    current = serializers.SerializerMethodField()

    def get_current(self, family: TokenFamily) -> bool:
        return bool(family.pk == self.context.get("current"))


def _current_family(request: Request) -> Any:
    token = request.auth
    getter = getattr(token, "get", None)
    return getter(api_settings.TOKEN_FAMILY_CLAIM) if callable(getter) else None


class SessionListView(APIView):
    """GET: the requesting user's live sessions, the current one marked."""

    permission_classes = (IsAuthenticated,)
    serializer_class = SessionSerializer

    def get(self, request: Request) -> Response:
        context = {"current": _current_family(request)}
        sessions = SessionSerializer(live_sessions(request.user), many=True, context=context)
        return Response(sessions.data)


class SessionDetailView(APIView):
    """DELETE: revoke one of the requesting user's sessions (204); any other id is a 404."""

    permission_classes = (IsAuthenticated,)

    def delete(self, request: Request, session_id: str) -> Response:
        from .revocation import revoke_family

        if not live_sessions(request.user).filter(pk=session_id).exists():
            raise NotFound()
        revoke_family(session_id, reason="revoked")
        return Response(status=status.HTTP_204_NO_CONTENT)

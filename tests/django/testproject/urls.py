"""The token endpoints and two protected views, from the package ``settings.JWT_PACKAGE``."""

from importlib import import_module

from django.conf import settings
from django.contrib import admin
from django.urls import path
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView


class WhoAmI(APIView):
    """The authenticated user and the token's claims (uses the default authentication)."""

    permission_classes = (IsAuthenticated,)

    def get(self, request: Request) -> Response:
        return Response(
            {
                "user": str(request.user.pk),
                "user_class": type(request.user).__name__,
                "token_type": request.auth.get("token_type"),
            }
        )


def token_urls(package: str) -> list:
    """The URLs of simplejwt's "Getting started", served by ``package``'s views."""
    jwt_views = import_module(f"{package}.views")
    jwt_auth = import_module(f"{package}.authentication")

    class Authenticated(WhoAmI):
        authentication_classes = (jwt_auth.JWTAuthentication,)

    class Stateless(WhoAmI):
        authentication_classes = (jwt_auth.JWTStatelessUserAuthentication,)

    return [
        path("api/token/", jwt_views.TokenObtainPairView.as_view(), name="token_obtain_pair"),
        path("api/token/refresh/", jwt_views.TokenRefreshView.as_view(), name="token_refresh"),
        path("api/token/verify/", jwt_views.TokenVerifyView.as_view(), name="token_verify"),
        path(
            "api/token/blacklist/", jwt_views.TokenBlacklistView.as_view(), name="token_blacklist"
        ),
        path("api/token/sliding/", jwt_views.token_obtain_sliding, name="token_obtain_sliding"),
        path(
            "api/token/sliding/refresh/",
            jwt_views.token_refresh_sliding,
            name="token_refresh_sliding",
        ),
        path("api/whoami/", WhoAmI.as_view(), name="whoami"),
        path("api/whoami/explicit/", Authenticated.as_view(), name="whoami_explicit"),
        path("api/whoami/stateless/", Stateless.as_view(), name="whoami_stateless"),
    ]


urlpatterns = [path("admin/", admin.site.urls), *token_urls(settings.JWT_PACKAGE)]

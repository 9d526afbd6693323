"""URLs of the demo: the four token endpoints, the demo resources, the API docs, the admin,
the JWKS, the sessions and logout-all (ferrojwt); with JWT_COOKIES=1 also the logout endpoint
and the browser page."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.contrib.staticfiles.views import serve as serve_static
from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from demo import browser, views
from demo.jwt import views as jwt_views

urlpatterns = [
    path("api/token/", jwt_views.TokenObtainPairView.as_view(), name="token_obtain_pair"),
    path("api/token/refresh/", jwt_views.TokenRefreshView.as_view(), name="token_refresh"),
    path("api/token/verify/", jwt_views.TokenVerifyView.as_view(), name="token_verify"),
    path("api/token/blacklist/", jwt_views.TokenBlacklistView.as_view(), name="token_blacklist"),
    path("api/ping/", views.PingView.as_view(), name="ping"),
    path("api/me/", views.MeView.as_view(), name="me"),
    path("api/me/stateless/", views.StatelessMeView.as_view(), name="me_stateless"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("admin/", admin.site.urls),
]
if settings.JWT_PACKAGE == "ferrojwt":
    # The public keys that verify the tokens, for other services' JWKS clients.
    urlpatterns.append(path(".well-known/jwks.json", jwt_views.JWKSView.as_view(), name="jwks"))
    # The user's sessions (token families) and logging out everywhere (ferrojwt.sessions).
    urlpatterns += [
        path("api/sessions/", jwt_views.SessionListView.as_view(), name="sessions"),
        path(
            "api/sessions/<str:session_id>/",
            jwt_views.SessionDetailView.as_view(),
            name="session",
        ),
        path("api/logout/all/", jwt_views.LogoutAllView.as_view(), name="logout_all"),
    ]
if settings.JWT_COOKIES:
    urlpatterns += [
        path("api/token/logout/", jwt_views.LogoutView.as_view(), name="token_logout"),
        path("browser/", browser.page, name="browser"),
    ]
if settings.SERVE_STATIC:
    # The static files straight from the apps (no collectstatic), when no nginx is in front.
    urlpatterns.append(re_path(r"^static/(?P<path>.*)$", serve_static, {"insecure": True}))

handler400 = "demo.errors.bad_request"
handler403 = "demo.errors.permission_denied"
handler404 = "demo.errors.not_found"
handler500 = "demo.errors.server_error"

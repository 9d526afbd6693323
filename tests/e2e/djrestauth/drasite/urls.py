from __future__ import annotations

from django.urls import include, path

from drasite import views

urlpatterns = [
    path("api/ping/", views.ping),
    path("api/jwt-modules/", views.jwt_modules),
    path("auth/", include("dj_rest_auth.urls")),
]

"""Sessions a user can see and revoke (ferrojwt.sessions), and their admin page.

Each login is a session (``TOKEN_FAMILIES``). The list shows the requesting user's live
sessions with their client and the current one marked; DELETE revokes one, whose refresh
token is refused from then on; another user's session is a 404 and stays live.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.admin.sites import site
from django.urls import path
from ferrojwt.authentication import JWTStatelessUserAuthentication
from ferrojwt.token_blacklist.models import TokenFamily
from ferrojwt.tokens import RefreshToken
from ferrojwt.views import SessionDetailView, SessionListView
from freezegun import freeze_time
from rest_framework.test import APIClient
from testproject.testing import PASSWORD, jwt_settings
from testproject.urls import urlpatterns as project_urls

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


class StatelessSessionListView(SessionListView):
    authentication_classes = (JWTStatelessUserAuthentication,)


urlpatterns = [
    *project_urls,
    path("api/sessions/", SessionListView.as_view()),
    path("api/sessions/stateless/", StatelessSessionListView.as_view()),
    path("api/sessions/<str:session_id>/", SessionDetailView.as_view()),
]

FAMILIES = {"ROTATE_REFRESH_TOKENS": True, "BLACKLIST_AFTER_ROTATION": True, "TOKEN_FAMILIES": True}
BLACKLISTED = {"detail": "Token is blacklisted", "code": "token_not_valid"}
NOT_FOUND = {"detail": "Not found."}


def login(username: str, agent: str, ip: str) -> dict[str, str]:
    reply = APIClient().post(
        "/api/token/",
        {"username": username, "password": PASSWORD},
        HTTP_USER_AGENT=agent,
        REMOTE_ADDR=ip,
    )
    assert reply.status_code == 200, reply.json()
    return dict(reply.json())


def as_user(access: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


def fam(token: str) -> str:
    return str(RefreshToken(token, verify=False)["fam"])


def test_a_user_sees_their_live_sessions_the_current_one_marked(make_user: Any) -> None:
    make_user("alice")
    make_user("bob")
    with jwt_settings(**FAMILIES):
        with freeze_time("2030-01-01 10:00:00"):
            laptop = login("alice", "Firefox/140", "198.51.100.1")
        with freeze_time("2030-01-01 11:00:00"):
            phone = login("alice", "MobileApp/3.2", "2001:db8::7")
        login("bob", "curl/8", "192.0.2.9")
        with freeze_time("2030-01-01 11:03:00"):
            reply = as_user(phone["access"]).get("/api/sessions/")
    assert reply.status_code == 200
    assert reply.json() == [
        {
            "id": fam(phone["refresh"]),
            "created_at": "2030-01-01T11:00:00Z",
            "last_refreshed_at": None,
            "expires_at": "2030-01-02T11:00:00Z",
            "user_agent": "MobileApp/3.2",
            "ip_address": "2001:db8::7",
            "current": True,
        },
        {
            "id": fam(laptop["refresh"]),
            "created_at": "2030-01-01T10:00:00Z",
            "last_refreshed_at": None,
            "expires_at": "2030-01-02T10:00:00Z",
            "user_agent": "Firefox/140",
            "ip_address": "198.51.100.1",
            "current": False,
        },
    ]


def test_revoked_and_expired_sessions_are_not_listed(make_user: Any) -> None:
    make_user("alice")
    with jwt_settings(**FAMILIES, ACCESS_TOKEN_LIFETIME=timedelta(hours=2)):
        with freeze_time("2030-01-01 10:00:00"):
            old = login("alice", "Old/1", "192.0.2.1")
        with freeze_time("2030-01-02 09:00:00"):
            gone = login("alice", "Gone/1", "192.0.2.2")
            kept = login("alice", "Kept/1", "192.0.2.3")
            assert (
                as_user(kept["access"]).delete(f"/api/sessions/{fam(gone['refresh'])}/").status_code
                == 204
            )
        with freeze_time("2030-01-02 10:00:01"):  # the first login's session has expired
            listed = as_user(kept["access"]).get("/api/sessions/").json()
    assert [s["id"] for s in listed] == [fam(kept["refresh"])]
    assert fam(old["refresh"]) not in [s["id"] for s in listed]


def test_revoking_a_session_refuses_its_refresh_token(make_user: Any) -> None:
    make_user("alice")
    with jwt_settings(**FAMILIES):
        stolen = login("alice", "Unknown/0", "203.0.113.66")
        mine = login("alice", "Firefox/140", "198.51.100.1")
        reply = as_user(mine["access"]).delete(f"/api/sessions/{fam(stolen['refresh'])}/")
        assert reply.status_code == 204
        refreshed = APIClient().post("/api/token/refresh/", {"refresh": stolen["refresh"]})
        assert (refreshed.status_code, refreshed.json()) == (401, BLACKLISTED)
        family = TokenFamily.objects.get(pk=fam(stolen["refresh"]))
        assert family.revoked_reason == "revoked" and family.revoked_at is not None
        # Deleting it again: it is no longer a live session.
        again = as_user(mine["access"]).delete(f"/api/sessions/{fam(stolen['refresh'])}/")
        assert (again.status_code, again.json()) == (404, NOT_FOUND)
        # The user's other session still refreshes.
        assert (
            APIClient().post("/api/token/refresh/", {"refresh": mine["refresh"]}).status_code == 200
        )


def test_a_user_can_never_see_or_revoke_another_users_session(make_user: Any) -> None:
    make_user("alice")
    make_user("mallory")
    with jwt_settings(**FAMILIES):
        alice = login("alice", "Firefox/140", "198.51.100.1")
        mallory = login("mallory", "Evil/1", "203.0.113.66")
        listed = as_user(mallory["access"]).get("/api/sessions/").json()
        assert [s["id"] for s in listed] == [fam(mallory["refresh"])]
        reply = as_user(mallory["access"]).delete(f"/api/sessions/{fam(alice['refresh'])}/")
        assert (reply.status_code, reply.json()) == (404, NOT_FOUND)
        assert TokenFamily.objects.get(pk=fam(alice["refresh"])).revoked_at is None
        assert (
            APIClient().post("/api/token/refresh/", {"refresh": alice["refresh"]}).status_code
            == 200
        )


def test_the_views_need_authentication(make_user: Any) -> None:
    make_user("alice")
    with jwt_settings(**FAMILIES):
        alice = login("alice", "Firefox/140", "198.51.100.1")
        assert APIClient().get("/api/sessions/").status_code == 401
        assert APIClient().delete(f"/api/sessions/{fam(alice['refresh'])}/").status_code == 401
        assert TokenFamily.objects.get().revoked_at is None


def test_the_stateless_authentication_lists_the_same_sessions(make_user: Any) -> None:
    make_user("alice")
    with jwt_settings(**FAMILIES):
        alice = login("alice", "Firefox/140", "198.51.100.1")
        listed = as_user(alice["access"]).get("/api/sessions/stateless/").json()
    assert [(s["id"], s["current"]) for s in listed] == [(fam(alice["refresh"]), True)]


def test_refreshing_records_the_time_and_keeps_the_session(make_user: Any) -> None:
    make_user("alice")
    with jwt_settings(**FAMILIES):
        with freeze_time("2030-01-01 10:00:00"):
            pair = login("alice", "Firefox/140", "198.51.100.1")
        with freeze_time("2030-01-01 10:20:00"):
            rotated = APIClient().post("/api/token/refresh/", {"refresh": pair["refresh"]}).json()
            [session] = as_user(rotated["access"]).get("/api/sessions/").json()
    assert session["id"] == fam(pair["refresh"]) == fam(rotated["refresh"])
    assert session["last_refreshed_at"] == "2030-01-01T10:20:00Z"
    assert session["expires_at"] == "2030-01-02T10:20:00Z"
    assert session["current"] is True


def test_admin_lists_sessions_and_revokes_the_selected(make_user: Any) -> None:
    make_user("alice")
    admin_user = make_user("root", is_staff=True, is_superuser=True)
    client = APIClient()
    client.force_login(admin_user)
    with jwt_settings(**FAMILIES):
        pair = login("alice", "Firefox/140", "198.51.100.1")
        family_id = fam(pair["refresh"])
        page = client.get("/admin/token_blacklist/tokenfamily/")
        assert page.status_code == 200 and family_id in page.content.decode()
        assert (
            client.get(f"/admin/token_blacklist/tokenfamily/{family_id}/change/").status_code == 200
        )
        done = client.post(
            "/admin/token_blacklist/tokenfamily/",
            {"action": "revoke_sessions", "_selected_action": [family_id]},
        )
        assert done.status_code == 302
        assert TokenFamily.objects.get().revoked_reason == "admin"
        refreshed = APIClient().post("/api/token/refresh/", {"refresh": pair["refresh"]})
        assert (refreshed.status_code, refreshed.json()) == (401, BLACKLISTED)
    assert TokenFamily in site._registry


def test_a_session_logged_out_by_the_blacklist_view_is_not_listed(make_user: Any) -> None:
    make_user("alice")
    with jwt_settings(**FAMILIES):
        gone = login("alice", "Gone/1", "192.0.2.2")
        kept = login("alice", "Kept/1", "192.0.2.3")
        reply = APIClient().post("/api/token/blacklist/", {"refresh": gone["refresh"]})
        assert reply.status_code == 200
        listed = as_user(kept["access"]).get("/api/sessions/").json()
        assert [s["id"] for s in listed] == [fam(kept["refresh"])]
        # and it cannot be "revoked" again through the detail view
        again = as_user(kept["access"]).delete(f"/api/sessions/{fam(gone['refresh'])}/")
        assert (again.status_code, again.json()) == (404, NOT_FOUND)

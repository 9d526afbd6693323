"""Read-only admin pages for the outstanding and blacklisted tokens, and the sessions (token
families), which an admin can revoke."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import BlacklistedToken, OutstandingToken, TokenFamily

if TYPE_CHECKING:
    # ModelAdmin is generic only in django-stubs; at run time it takes no parameters.
    _OutstandingTokenAdmin = admin.ModelAdmin[OutstandingToken]
    _BlacklistedTokenAdmin = admin.ModelAdmin[BlacklistedToken]
    _TokenFamilyAdmin = admin.ModelAdmin[TokenFamily]
else:
    _OutstandingTokenAdmin = _BlacklistedTokenAdmin = _TokenFamilyAdmin = admin.ModelAdmin


class OutstandingTokenAdmin(_OutstandingTokenAdmin):
    list_display = ("jti", "user", "created_at", "expires_at")
    search_fields = ("user__id", "jti")
    ordering = ("user",)
    actions = None

    def get_queryset(self, request: HttpRequest) -> QuerySet[OutstandingToken]:
        return super().get_queryset(request).select_related("user")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Viewing only: the change form may be displayed but never submitted.
        return request.method in ("GET", "HEAD") and super().has_change_permission(request, obj)


class BlacklistedTokenAdmin(_BlacklistedTokenAdmin):
    list_display = (
        "token_jti",
        "token_user",
        "token_created_at",
        "token_expires_at",
        "blacklisted_at",
    )
    search_fields = ("token__user__id", "token__jti")
    ordering = ("token__user",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[BlacklistedToken]:
        return super().get_queryset(request).select_related("token__user")

    @admin.display(description=_("jti"), ordering="token__jti")
    def token_jti(self, obj: BlacklistedToken) -> str:
        return obj.token.jti

    @admin.display(description=_("user"), ordering="token__user")
    def token_user(self, obj: BlacklistedToken) -> Any:
        return obj.token.user

    @admin.display(description=_("created at"), ordering="token__created_at")
    def token_created_at(self, obj: BlacklistedToken) -> datetime | None:
        return obj.token.created_at

    @admin.display(description=_("expires at"), ordering="token__expires_at")
    def token_expires_at(self, obj: BlacklistedToken) -> datetime:
        return obj.token.expires_at


class TokenFamilyAdmin(_TokenFamilyAdmin):
    """The sessions (``TOKEN_FAMILIES``): read-only, with an action revoking the selected."""

    list_display = (
        "id",
        "user",
        "created_at",
        "last_refreshed_at",
        "expires_at",
        "ip_address",
        "revoked_at",
        "revoked_reason",
    )
    list_filter = ("revoked_reason",)
    search_fields = ("id", "user__id", "ip_address")
    ordering = ("-created_at",)
    actions = ("revoke_sessions",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[TokenFamily]:
        return super().get_queryset(request).select_related("user")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Revoke the selected sessions", permissions=["change"])
    def revoke_sessions(self, request: HttpRequest, queryset: QuerySet[TokenFamily]) -> None:
        from ferrojwt.revocation import revoke_family

        revoked = 0
        for family_id in queryset.filter(revoked_at__isnull=True).values_list("pk", flat=True):
            revoked += revoke_family(family_id, reason="admin") is not None
        self.message_user(request, f"{revoked} session(s) revoked.")


admin.site.register(OutstandingToken, OutstandingTokenAdmin)
admin.site.register(BlacklistedToken, BlacklistedTokenAdmin)
admin.site.register(TokenFamily, TokenFamilyAdmin)

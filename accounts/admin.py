from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from .models import Invitation, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["full_name"]
    list_display = ["full_name", "email", "role", "partnership", "job_title", "is_active"]
    list_filter = ["role", "is_active", "is_staff", "partnership__region"]
    search_fields = ["full_name", "email", "job_title", "partnership__name"]
    autocomplete_fields = ["partnership"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Person", {"fields": ["full_name", "job_title"]}),
        ("Role", {"fields": ["role", "partnership"]}),
        (
            "Permissions",
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "full_name", "role", "partnership", "password1", "password2"],
            },
        ),
    ]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Invitations are sent from the portal's "Invite someone" page; the admin only shows them."""

    list_display = ["user", "invited_by", "created_at", "expires_at", "accepted_at", "revoked_at"]
    list_select_related = ["user", "invited_by"]
    search_fields = ["user__email", "user__full_name"]
    readonly_fields = [
        "user",
        "token_hash",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "revoked_at",
    ]

    def has_add_permission(self, request):
        return False

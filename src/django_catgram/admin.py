from typing import TYPE_CHECKING

from django.contrib import admin
from django.http import HttpRequest

from django_catgram.models import Achievement, AchievementCat, Cat, LoginSession

# Django's admin classes take no type arguments at run time; django-stubs' do.
if TYPE_CHECKING:
    AchievementCatInlineBase = admin.TabularInline[AchievementCat, Cat]
    CatAdminBase = admin.ModelAdmin[Cat]
    AchievementAdminBase = admin.ModelAdmin[Achievement]
    LoginSessionAdminBase = admin.ModelAdmin[LoginSession]
else:
    AchievementCatInlineBase = admin.TabularInline
    CatAdminBase = AchievementAdminBase = LoginSessionAdminBase = admin.ModelAdmin


class AchievementCatInline(AchievementCatInlineBase):
    model = AchievementCat
    extra = 1
    autocomplete_fields = ["achievement"]


@admin.register(Cat)
class CatAdmin(CatAdminBase):
    """Cats with their achievements inline, searchable by name."""

    list_display = ["name", "color", "birth_year", "owner"]
    list_filter = ["color", "birth_year", "achievements"]
    search_fields = ["name"]
    raw_id_fields = ["owner"]
    list_select_related = ["owner"]
    # Photos change through the API, which re-encodes them and makes their thumbnails.
    readonly_fields = ["image", "thumbnail"]
    inlines = [AchievementCatInline]


@admin.register(Achievement)
class AchievementAdmin(AchievementAdminBase):
    list_display = ["name"]
    search_fields = ["name"]


@admin.register(LoginSession)
class LoginSessionAdmin(LoginSessionAdminBase):
    """Who is logged in where; deleting a session ends its tokens (made by logins only)."""

    list_display = ["user", "created", "last_used", "ip", "user_agent", "expires_at"]
    search_fields = ["user__username"]
    list_select_related = ["user"]
    readonly_fields = ["user", "created", "last_used", "expires_at", "ip", "user_agent"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

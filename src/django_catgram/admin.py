from typing import TYPE_CHECKING

from django.contrib import admin

from django_catgram.models import Achievement, AchievementCat, Cat

# Django's admin classes take no type arguments at run time; django-stubs' do.
if TYPE_CHECKING:
    AchievementCatInlineBase = admin.TabularInline[AchievementCat, Cat]
    CatAdminBase = admin.ModelAdmin[Cat]
    AchievementAdminBase = admin.ModelAdmin[Achievement]
else:
    AchievementCatInlineBase = admin.TabularInline
    CatAdminBase = AchievementAdminBase = admin.ModelAdmin


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

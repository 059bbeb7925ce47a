"""Admin pages: categories and the help center's brand are admin data; articles are browsed
here and edited in the workspace (where their versions are kept)."""

from django.contrib import admin

from okienko.core.admin_mixins import ReadOnlyAdmin
from okienko.kb.models import Article, Brand, Category


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    prepopulated_fields = {"slug": ["name"]}
    ordering = ["position", "name"]


@admin.register(Brand)
class BrandAdmin(admin.ModelAdmin):
    list_display = ["name", "primary_colour", "header_colour"]


@admin.register(Article)
class ArticleAdmin(ReadOnlyAdmin):
    list_display = ["title", "language", "status", "visibility", "category", "owner", "views"]
    list_filter = ["status", "visibility", "language", "category"]
    search_fields = ["title", "slug"]

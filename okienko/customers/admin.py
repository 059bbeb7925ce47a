from django.contrib import admin

from okienko.core.admin_mixins import ReadOnlyAdmin, ReadOnlyInline
from okienko.customers.models import (
    Consent,
    Customer,
    CustomerMerge,
    Identity,
    Organisation,
    Tier,
)


@admin.register(Tier)
class TierAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    prepopulated_fields = {"slug": ["name"]}


class IdentityInline(ReadOnlyInline):
    model = Identity
    fields = ["kind", "address", "is_verified", "created_at"]


class ConsentInline(ReadOnlyInline):
    model = Consent
    fields = [
        "purpose",
        "is_given",
        "text",
        "source",
        "source_reference",
        "recorded_at",
        "recorded_by",
    ]


@admin.register(Customer)
class CustomerAdmin(ReadOnlyAdmin):
    list_display = ["name", "tier", "organisation", "language", "created_at"]
    list_filter = ["tier", "language"]
    search_fields = ["name", "identities__address"]
    inlines = [IdentityInline, ConsentInline]
    list_select_related = ["tier", "organisation"]


@admin.register(Organisation)
class OrganisationAdmin(ReadOnlyAdmin):
    list_display = ["name", "nip", "tier", "domain", "is_shared_tickets"]
    search_fields = ["name", "nip", "domain"]


@admin.register(CustomerMerge)
class CustomerMergeAdmin(ReadOnlyAdmin):
    list_display = ["source", "target", "acting_user", "created_at"]

from django.contrib import admin
from django.db.models import Count
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Agency,
    BespokeSupportProject,
    LocalAuthority,
    Methodology,
    Partnership,
    PartnershipAgency,
    Region,
    Theme,
)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "ons_name", "ons_code", "authority_count"]
    search_fields = ["name", "ons_name", "ons_code"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(authority_count=Count("local_authorities"))

    @admin.display(description="Local authorities", ordering="authority_count")
    def authority_count(self, obj):
        return obj.authority_count


@admin.register(LocalAuthority)
class LocalAuthorityAdmin(admin.ModelAdmin):
    list_display = ["name", "ons_code", "kind", "region"]
    list_filter = ["kind", "region"]
    search_fields = ["name", "ons_code"]
    list_select_related = ["region"]


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Theme, Methodology)
class NamedTermAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class BespokeSupportProjectInline(admin.TabularInline):
    model = BespokeSupportProject
    fields = ["local_area", "programme_year", "bsp_type", "number_of_local_authorities"]
    extra = 0
    show_change_link = True


class PartnershipAgencyInline(admin.TabularInline):
    model = PartnershipAgency
    fields = ["position", "agency"]
    autocomplete_fields = ["agency"]
    extra = 0


@admin.register(Partnership)
class PartnershipAdmin(admin.ModelAdmin):
    list_display = ["name", "region"]
    list_filter = ["region"]
    search_fields = ["name", "local_authorities__name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["local_authorities"]
    list_select_related = ["region"]
    inlines = [PartnershipAgencyInline, BespokeSupportProjectInline]


@admin.register(BespokeSupportProject)
class BespokeSupportProjectAdmin(SimpleHistoryAdmin):
    list_display = [
        "local_area",
        "programme_year",
        "bsp_type",
        "region",
        "number_of_local_authorities",
        "focus_as_stated",
        "delivery_mode",
        "commenced",
    ]
    list_filter = [
        "programme_year",
        "bsp_type",
        "region",
        "delivery_mode",
        "themes",
        "methodologies",
    ]
    search_fields = ["local_area", "partnership__name", "focus_as_stated"]
    autocomplete_fields = ["partnership", "delivery_partners", "tce_lead"]
    filter_horizontal = ["themes", "methodologies"]
    list_select_related = ["region", "partnership"]
    date_hierarchy = "commenced"

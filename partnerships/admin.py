from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import Count
from simple_history.admin import SimpleHistoryAdmin

from reports.versions import refuse_stale_version

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


class BSPAdminForm(forms.ModelForm):
    """The admin's BSP form takes part in the report's version check: the details at the top of
    a learning report (its "details" page) are the BSP's fields, versioned by the report's
    ``details_version``. An admin save over details someone saved since the page was opened is
    refused; an admin change raises the version, so a details page opened before it conflicts
    instead of overwriting it."""

    report_details_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        report = self._report()
        if report is not None and "report_details_version" in self.fields:
            self.fields["report_details_version"].initial = report.details_version

    def _report(self):
        if self.instance.pk is None:
            return None
        return getattr(self.instance, "learning_report", None)

    def _changes_report_details(self) -> bool:
        shown = {*BespokeSupportProject.REPORT_DETAILS_FIELDS, "methodologies"}
        return self._report() is not None and bool(shown & set(self.changed_data))

    def clean(self):
        cleaned = super().clean()
        if self._changes_report_details():
            refuse_stale_version(
                self._report(),
                "details_version",
                cleaned.get("report_details_version"),
                "Someone saved this BSP's details on its learning report since you opened the "
                "page, so nothing was saved: open it again to see them, then make your change.",
            )
        return cleaned

    def save(self, commit=True):
        if self._changes_report_details():
            report = self._report()
            type(report).objects.filter(pk=report.pk).update(
                details_version=models.F("details_version") + 1
            )
        return super().save(commit=commit)


class BespokeSupportProjectInline(admin.TabularInline):
    model = BespokeSupportProject
    form = BSPAdminForm
    fields = [
        "local_area",
        "programme_year",
        "bsp_type",
        "number_of_local_authorities",
        "report_details_version",
    ]
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
    form = BSPAdminForm
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

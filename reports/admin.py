from django import forms
from django.contrib import admin, messages
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Addendum,
    Compendium,
    DraftPdf,
    Edition,
    EditionSection,
    ImportedFile,
    LearningReport,
    PendingImport,
    ReportEvent,
    ReportPdf,
    ReportSection,
    SectionComment,
    Signature,
    SignoffLink,
    SignoffReminder,
)
from .pdfs import seal
from .versions import refuse_stale_version


class VersionCheckedForm(forms.ModelForm):
    """An admin form that, like the authoring pages, saves only over the version it was opened
    at: someone else's save in between is a form error, never silently overwritten. A save that
    changes anything raises the version, so the pages' own version checks see the admin's edit.

    ``version_field`` names the model's version; ``checked_fields`` the fields it guards.
    """

    version_field = "version"
    checked_fields: tuple[str, ...] = ()
    based_on_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["based_on_version"].initial = getattr(self.instance, self.version_field)

    def _guarded_change(self) -> bool:
        return self.instance.pk is not None and any(
            name in self.changed_data for name in self.checked_fields
        )

    def clean(self):
        cleaned = super().clean()
        if self._guarded_change():
            refuse_stale_version(
                self.instance,
                self.version_field,
                cleaned.get("based_on_version"),
                "Someone saved this since you opened the page, so nothing was saved: open it "
                "again to see their version, then make your change.",
            )
        return cleaned

    def save(self, commit=True):
        if self._guarded_change():
            setattr(self.instance, self.version_field, self.cleaned_data["based_on_version"] + 1)
        return super().save(commit=commit)


class SectionAdminForm(VersionCheckedForm):
    checked_fields = ("body", "status")


class ReportAdminForm(VersionCheckedForm):
    version_field = "details_version"
    checked_fields = ("title",)


class ReportSectionInline(admin.StackedInline):
    model = ReportSection
    form = SectionAdminForm
    fields = ["key", "status", "version", "body", "based_on_version"]
    readonly_fields = ["version"]
    extra = 0


class SignatureInline(admin.TabularInline):
    """Signatures are evidence: the admin shows them and never edits them."""

    model = Signature
    fields = ["kind", "name", "role", "signed_on", "signed_by", "content_hash", "superseded_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


PUBLISHED_WARNING = (
    "“{title}” is published: the public reads edition {number} of {date}. Saving a change to its "
    "title or text here does not change that edition. It opens a revision (the report becomes "
    "a draft again, and its signatures stop counting), which must be signed off by the local "
    "area, countersigned and published before the public sees the change. Every step is in the "
    "audit log."
)


class WarnsBeforeChangingPublished:
    """Change forms of a published report (or one of its sections) say, before anything is
    saved, what a change does: it opens a revision, and the published edition stays up. The
    change itself goes through the same service as in the portal (the receivers of
    ``reports.signoff`` call ``services.void_signoff...``, which opens the revision)."""

    def report_of(self, obj):
        return obj

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        report = self.report_of(obj) if obj is not None else None
        if request.method == "GET" and report is not None and report.is_public:
            edition = report.published_edition
            messages.warning(
                request,
                PUBLISHED_WARNING.format(
                    title=edition.title,
                    number=edition.number,
                    date=f"{edition.published_at:%-d %B %Y}",
                ),
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def response_change(self, request, obj):
        report = LearningReport.objects.select_related("published_edition").get(
            pk=self.report_of(obj).pk
        )
        if report.is_under_revision:
            messages.warning(
                request,
                f"“{report.published_edition.title}” has a revision in progress: the public "
                f"reads edition {report.published_edition.number} until the revision is signed "
                "off, countersigned and published.",
            )
        return super().response_change(request, obj)


@admin.register(LearningReport)
class LearningReportAdmin(WarnsBeforeChangingPublished, SimpleHistoryAdmin):
    form = ReportAdminForm
    list_display = ["title", "status", "consent_to_publish", "published_at", "updated_at"]
    list_filter = ["status", "consent_to_publish", "bsp__region", "bsp__programme_year"]
    search_fields = ["title", "bsp__local_area", "bsp__partnership__name"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["bsp"]
    list_select_related = ["bsp"]
    # The state and what goes with it change only through the transition table (workflow.py).
    readonly_fields = [
        "status",
        "consent_to_publish",
        "published_at",
        "published_edition",
        "withdrawn_at",
        "withdrawal_reason",
        "details_version",
        "created_at",
        "updated_at",
    ]
    inlines = [ReportSectionInline, SignatureInline]


@admin.register(ReportSection)
class ReportSectionAdmin(WarnsBeforeChangingPublished, SimpleHistoryAdmin):
    list_display = ["report", "key", "status", "version", "updated_at", "updated_by"]
    list_filter = ["key", "status"]
    search_fields = ["report__title", "body"]
    list_select_related = ["report", "updated_by"]
    form = SectionAdminForm
    readonly_fields = ["version", "updated_at", "updated_by"]

    def report_of(self, obj):
        return obj.report

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Signature)
class SignatureAdmin(admin.ModelAdmin):
    list_display = ["report", "kind", "name", "role", "signed_on", "superseded_at"]
    list_filter = ["kind"]
    search_fields = ["report__title", "name"]
    list_select_related = ["report"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


class ShowOnlyAdmin(admin.ModelAdmin):
    """Made by the portal: shown, never added or changed here (deleting is allowed)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ShowOnlyAdmin):
    """A record: never deleted either."""

    def has_delete_permission(self, request, obj=None):
        return False


class EditionSectionInline(admin.StackedInline):
    model = EditionSection
    fields = ["key", "body"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Edition)
class EditionAdmin(ReadOnlyAdmin):
    """Published editions are the record of what the public read: shown, never changed."""

    list_display = ["report", "number", "published_at", "published_by", "change_note"]
    search_fields = ["report__title", "title", "change_note"]
    list_select_related = ["report", "published_by"]
    readonly_fields = [f.name for f in Edition._meta.fields]
    inlines = [EditionSectionInline]


@admin.register(Addendum)
class AddendumAdmin(ReadOnlyAdmin):
    """Addenda are signed records: shown, never changed here."""

    list_display = ["report", "title", "written_by", "written_at", "published_at"]
    search_fields = ["report__title", "title", "body"]
    list_select_related = ["report", "written_by"]
    readonly_fields = [f.name for f in Addendum._meta.fields]


@admin.register(ReportEvent)
class ReportEventAdmin(ReadOnlyAdmin):
    """The audit log, read-only."""

    list_display = ["created_at", "report", "transition", "from_status", "to_status", "actor"]
    list_filter = ["transition", "to_status"]
    search_fields = ["report__title", "comment", "actor__email"]
    list_select_related = ["report", "actor"]
    readonly_fields = [
        "report",
        "actor",
        "transition",
        "from_status",
        "to_status",
        "comment",
        "content_hash",
        "created_at",
    ]


class StoredPdfAdmin(ShowOnlyAdmin):
    """Stored PDFs are made by the portal: the admin shows them, and the renders that failed;
    deleting one makes it render again on the next download (and forgets its failures)."""

    RENDER_COLUMNS = ["pages", "size", "rendered_at", "render_seconds", "queued_at", "failures"]
    list_filter = ["failures"]
    list_select_related = ["report"]


@admin.register(ReportPdf)
class ReportPdfAdmin(StoredPdfAdmin):
    list_display = ["report", "edition", *StoredPdfAdmin.RENDER_COLUMNS]
    readonly_fields = [f.name for f in ReportPdf._meta.fields]

    def changelist_view(self, request, extra_context=None):
        if seal.is_configured():
            messages.info(
                request,
                "Published PDFs are sealed with the certificate in PDF_SEAL_CERT (those stored "
                "before it was set are not).",
            )
        else:
            messages.warning(
                request, "PDFs are not sealed: PDF_SEAL_KEY and PDF_SEAL_CERT are not set."
            )
        return super().changelist_view(request, extra_context)


@admin.register(DraftPdf)
class DraftPdfAdmin(StoredPdfAdmin):
    """Drafts' PDFs, made for the people who may read the report. The file itself is private:
    it has no address here, only the draft PDF view serves it."""

    list_display = ["report", *StoredPdfAdmin.RENDER_COLUMNS]
    readonly_fields = [f.name for f in DraftPdf._meta.fields if f.name != "file"]
    exclude = ["file"]


@admin.register(ImportedFile)
class ImportedFileAdmin(ReadOnlyAdmin):
    """The documents drafts were imported from: a record of the import (the file itself is
    private, with no address here; the sign-off block is as the document had it, not a
    signature)."""

    list_display = ["original_name", "report", "imported_by", "imported_at"]
    list_select_related = ["report", "imported_by"]
    exclude = ["file"]
    readonly_fields = [f.name for f in ImportedFile._meta.fields if f.name != "file"]


@admin.register(PendingImport)
class PendingImportAdmin(ShowOnlyAdmin):
    """Uploads waiting for their check (gone after a day if abandoned)."""

    list_display = ["original_name", "bsp", "uploaded_by", "uploaded_at"]
    list_select_related = ["bsp", "uploaded_by"]
    exclude = ["file"]
    readonly_fields = [f.name for f in PendingImport._meta.fields if f.name != "file"]


@admin.register(SectionComment)
class SectionCommentAdmin(ReadOnlyAdmin):
    """Reviewers' comments are part of the record of the review: shown, never edited here."""

    list_display = ["created_at", "report", "section_key", "author", "sent_with"]
    list_filter = ["section_key"]
    search_fields = ["report__title", "body", "author__email"]
    list_select_related = ["report", "author", "sent_with"]


@admin.register(SignoffLink)
class SignoffLinkAdmin(ReadOnlyAdmin):
    """Who was sent a sign-off link, by whom, and whether it was used. The token is not stored."""

    list_display = ["sent_at", "report", "recipient", "sent_by", "expires_at", "used_at"]
    search_fields = ["report__title", "recipient__email"]
    list_select_related = ["report", "recipient", "sent_by"]


@admin.register(Compendium)
class CompendiumAdmin(ShowOnlyAdmin):
    list_display = ["title", "state", "progress", "pages", "created_at", "finished_at"]
    list_filter = ["state", "programme_year", "section_key"]
    readonly_fields = [f.name for f in Compendium._meta.fields]


@admin.register(SignoffReminder)
class SignoffReminderAdmin(ReadOnlyAdmin):
    """The sign-off reminders sent (manage.py send_signoff_reminders), one of each kind per date."""

    list_display = ["sent_at", "report", "kind", "due_on"]
    list_filter = ["kind"]
    list_select_related = ["report"]

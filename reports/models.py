import datetime
import functools
import hashlib
import uuid

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import connection, models
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from simple_history.models import HistoricalRecords

from partnerships.models import BespokeSupportProject

from . import details, richtext
from .addresses import report_address
from .cards import CARD_FIELDS, ReportCard
from .search import matching, search
from .sql import column
from .template_sections import SECTION_CHOICES, SECTION_KEYS, SECTIONS, SECTIONS_BY_KEY


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    AWAITING_SIGNOFF = "awaiting_signoff", "Awaiting local sign-off"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    SIGNED_OFF = "signed_off", "Signed off by the local area"
    COUNTERSIGNED = "countersigned", "Countersigned by the TCE project lead"
    PUBLISHED = "published", "Published"
    NOT_FOR_PUBLICATION = "not_for_publication", "Signed off, not for publication"
    WITHDRAWN = "withdrawn", "Withdrawn from the microsite"


# The local area has not signed the report (yet, or again after re-opening).
BEFORE_SIGNOFF = frozenset({Status.DRAFT, Status.AWAITING_SIGNOFF, Status.CHANGES_REQUESTED})


# The public notice of a report taken down for sensitive personal data (``Transition.TAKE_DOWN``):
# the admin's reason is private, in the audit log.
TAKEN_DOWN_NOTICE = "This report was removed because it contained sensitive personal data."


# A report's search document (reports/microsite/search_index.py): its whole text and its vector,
# which only a search reads. Every other query of reports leaves them out.
SEARCH_COLUMNS = ("search_vector", "search_text")


# What a report's own page reads of the report (LearningReportQuerySet.for_page): its address,
# dates and BSP (type, year, region and partnership). Its editions are read on their own.
PAGE_FIELDS = (
    "slug",
    "title",
    "published_at",
    "published_edition",
    "withdrawn_at",
    "bsp__bsp_type",
    "bsp__programme_year",
    "bsp__region__name",
    "bsp__region__slug",
    "bsp__partnership__name",
    "bsp__partnership__slug",
)


@functools.cache
def _current_edition_fields() -> tuple[str, ...]:
    """Every field of a report's current edition (``for_page``)."""
    return tuple(f"published_edition__{field.name}" for field in Edition._meta.concrete_fields)


class LearningReportQuerySet(models.QuerySet):
    def published(self):
        """The one definition of what the public may see: reports with a published edition,
        not withdrawn. The public reads that edition (``published_edition``), never the working
        copy, which may be under revision."""
        return self.filter(published_edition__isnull=False, withdrawn_at__isnull=True)

    def withdrawn(self):
        """Withdrawn from the microsite and not published since (perhaps re-opened for revision
        meanwhile): their public address shows the withdrawal notice."""
        return self.filter(withdrawn_at__isnull=False)

    def taken_down(self):
        """Withdrawn at once for sensitive personal data (``Transition.TAKE_DOWN``) and not
        published since: their addresses answer 410 Gone with the removal notice."""
        return self.withdrawn().filter(withdrawal_reason=TAKEN_DOWN_NOTICE)

    def ever_public(self):
        """Published now or withdrawn after publication: what the microsite's state depends on."""
        return self.filter(published_edition__isnull=False)

    def for_listing(self):
        """With what a public list shows of each report (its BSP, partnership, region and
        published edition: a card names no theme or methodology, so none is fetched). A listing
        never shows the search columns: reading them would fetch every listed report's whole
        text and search vector."""
        return self.select_related(
            "bsp", "bsp__partnership", "bsp__region", "published_edition"
        ).defer(*SEARCH_COLUMNS)

    def cards(self) -> list[ReportCard]:
        """These reports' cards (``ReportCard``: what a card shows, ``cards.CARD_FIELDS``, and a
        search's snippet when ``with_snippets`` has cut one), in their order, read as values in
        one query: four model instances a row (a report, its edition, BSP and region) took
        0.7 ms to make for a page of 20."""
        snippets = [
            name for name in ("search_snippet", "search_terms") if name in self.query.annotations
        ]
        return [ReportCard(*row) for row in self.values_list(*CARD_FIELDS, *snippets)]

    def for_page(self):
        """With what a report's own page shows of the report itself (``PAGE_FIELDS``), its
        current edition, and whether it has published addenda (``has_published_addenda``: most
        have none, and their page then makes no query for them). The page reads the edition's
        signatures and sections, and any earlier editions and addenda, on their own. (Joining
        the two signatures too, seven tables, took PostgreSQL 1.1 ms to plan, against 0.4.)"""
        return (
            self.select_related("bsp__region", "bsp__partnership", "published_edition")
            .only(*PAGE_FIELDS, *_current_edition_fields())
            .annotate(has_published_addenda=_has_published_addenda())
        )

    def newest(self, count: int) -> list:
        """The ``count`` most recently published of these, as cards, in one query: PostgreSQL
        walks the newest-first index of published reports (``report_published_newest``),
        joining what a card shows to each row it keeps until it has ``count`` (at 10,000
        reports, 1.3 ms for a region's 6 where taking the ids first, then the cards, took 1.9)."""
        return self.order_by("-published_at", "title")[:count].cards()

    def search(self, query: str):
        """Reports matching ``query`` (websearch syntax), annotated with ``search_rank`` and
        ``search_snippet``: full-text search on PostgreSQL, a plain-text fallback elsewhere."""
        return search(self, query)

    def matching(self, query: str):
        """The reports that ``search`` finds, without rank or snippet: for counting them."""
        return matching(self, query)

    def related_to(self, report):
        """Other reports from the same region or sharing a focus theme with ``report``.

        The theme test is a correlated ``EXISTS`` on each candidate, not ``bsp IN`` (every BSP
        sharing a theme, thousands at 10,000 reports, gathered before the first row): walked
        newest first, a page of related reports reads a few rows, whatever the corpus. It is
        written in SQL (``_shares_a_theme_with``): the same test made of two subqueries of the
        ORM took 0.6 ms a page to build."""
        return self.exclude(pk=report.pk).filter(
            models.Q(bsp__region_id=report.bsp.region_id)
            | models.Q(_shares_a_theme_with(report.bsp_id))
        )  # each report once, no DISTINCT needed


def _has_published_addenda():
    """Whether a report has a published addendum: a condition on the reports table
    (``LearningReportQuerySet.for_page``), written in SQL from the models' own table and column
    names (the ORM's ``Exists`` took 0.3 ms a page to build)."""
    quote = connection.ops.quote_name
    addenda = quote(Addendum._meta.db_table)
    report_id = column(LearningReport, "id")
    of_report = quote(Addendum._meta.get_field("report").column)
    published = quote(Addendum._meta.get_field("published_at").column)
    return RawSQL(  # noqa: S611  # nosec B611
        f"EXISTS (SELECT 1 FROM {addenda} addendum "  # noqa: S608  # nosec B608
        f"WHERE addendum.{of_report} = {report_id} AND addendum.{published} IS NOT NULL)",
        [],
        output_field=models.BooleanField(),
    )


def _shares_a_theme_with(bsp_id):
    """Whether a report's BSP shares a focus theme with the BSP ``bsp_id``: a condition on the
    reports table (``LearningReportQuerySet.related_to``), made of the models' own table and
    column names; ``bsp_id`` is a parameter."""
    quote = connection.ops.quote_name
    themes = BespokeSupportProject._meta.get_field("themes")
    tags = quote(themes.remote_field.through._meta.db_table)
    bsp, theme = quote(themes.m2m_column_name()), quote(themes.m2m_reverse_name())
    report_bsp = column(LearningReport, "bsp")
    # Every name here is the models' own, quoted; the one value is a parameter.
    return RawSQL(  # noqa: S611  # nosec B611
        f"EXISTS (SELECT 1 FROM {tags} mine JOIN {tags} theirs "  # noqa: S608  # nosec B608
        f"ON theirs.{theme} = mine.{theme} "
        f"WHERE mine.{bsp} = %s AND theirs.{bsp} = {report_bsp})",
        [bsp_id],
        output_field=models.BooleanField(),
    )


class ReadsSections:
    """What a report's working copy and a published edition both offer their readers (the
    page, the PDF, open data: ``reports.rendering.build_document``): their ``sections``."""

    @cached_property
    def sections_by_key(self):
        return {section.key: section for section in self.sections.all()}

    def shown_sections(self, *, with_openings=False):
        """The sections in template order, leaving out empty optional ones.

        Each is shown under its own heading, except the opening of a group (``opens_group``, e.g.
        the introduction of "Joining the dots"), which only the whole text includes: the page,
        the PDF and the data export ask for it with ``with_openings``.
        """
        by_key = self.sections_by_key
        return [
            by_key[spec.key]
            for spec in SECTIONS
            if spec.key in by_key
            and (with_openings or not spec.opens_group)
            and (spec.required or by_key[spec.key].has_content)
        ]


def content_hash(sections) -> str:
    """SHA-256 of sections' text (what a signature vouches for), in template order."""
    digest = hashlib.sha256()
    for section in sorted(sections, key=lambda s: SECTION_KEYS.index(s.key)):
        digest.update(section.key.encode())
        digest.update(b"\x00")
        digest.update(section.body.encode())
        digest.update(b"\x00")
    return digest.hexdigest()


class LearningReport(ReadsSections, models.Model):
    """The Project Learning Report of one BSP, with its sign-off block.

    Its sections are the working copy, which authors change. What the public reads is the
    ``published_edition``: the content frozen when it was last published (see ``Edition``).
    """

    bsp = models.OneToOneField(
        BespokeSupportProject,
        on_delete=models.PROTECT,
        related_name="learning_report",
        verbose_name="BSP",
    )
    title = models.CharField(max_length=200, help_text="Usually the local area's name.")
    slug = models.SlugField(max_length=200, unique=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    consent_to_publish = models.BooleanField(
        "agreement to share on the microsite",
        null=True,
        blank=True,
        help_text="Ticked by the local area at sign-off; unknown until then.",
    )
    published_at = models.DateTimeField(
        null=True, blank=True, help_text="When its first edition was published."
    )
    # The edition the public reads: set by publishing, kept while a revision is worked on, and
    # replaced only by publishing the next edition. Withdrawal (``withdrawn_at``) hides it.
    published_edition = models.OneToOneField(
        "Edition",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_reason = models.TextField(blank=True)
    signoff_due_on = models.DateField(
        "sign-off due on",
        null=True,
        blank=True,
        help_text="When the local area is asked to sign off by (set when it is sent to them).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Made from the published edition by reports.microsite.search_index (on each publication).
    # The vector is filled on PostgreSQL only and has a GIN index there (see
    # migration); the plain text serves the SQLite fallback and the highlighted snippets.
    search_vector = SearchVectorField(null=True, editable=False)
    search_text = models.TextField(blank=True, editable=False)
    # The version of the details page (the title and the BSP's details): every save there raises
    # it and says which version it started from, so a save based on an older one is refused.
    details_version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords(excluded_fields=["search_vector", "search_text"])
    objects = LearningReportQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=Status.values), name="report_status_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(status=Status.PUBLISHED) | models.Q(consent_to_publish=True),
                name="report_published_only_with_consent",
                violation_error_message="A report is published only with the local area's consent.",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=Status.WITHDRAWN) | ~models.Q(withdrawal_reason=""),
                name="report_withdrawn_has_reason",
                violation_error_message="Give the public reason for withdrawing the report.",
            ),
            models.CheckConstraint(
                condition=models.Q(details_version__gte=1), name="report_details_version_positive"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "published_at"]),
            # The public's newest-first lists (home, listing, places, learning by section) read
            # the first rows of this, not every published report.
            models.Index(
                models.F("published_at").desc(),
                "title",
                condition=models.Q(published_edition__isnull=False, withdrawn_at__isnull=True),
                name="report_published_newest",
            ),
        ]

    def __str__(self):
        return f"Project Learning Report: {self.title}"

    def get_absolute_url(self):
        return report_address(self.slug)

    def editions_newest_first(self) -> list:
        """Every published edition of this report, newest (its current one) first, with their
        signatures. Each publication adds the next edition, so a report whose current edition
        is its first has no other: that one (as ``for_page`` read it with the report) is
        returned with its two signatures read in one query, and no list of editions is read."""
        current = self.published_edition
        if current is None or current.number > 1:
            return list(
                self.editions.select_related("local_signature", "tce_signature").order_by("-number")
            )
        current.report = self  # its address names the report
        signed = Signature.objects.in_bulk([current.local_signature_id, current.tce_signature_id])
        current.local_signature = signed[current.local_signature_id]
        current.tce_signature = signed[current.tce_signature_id]
        return [current]

    def get_review_url(self):
        return reverse("reports:report-review", kwargs={"slug": self.slug})

    @property
    def awaiting_signoff_by(self):
        """The date the local area is asked to sign off by, while the report waits for it."""
        return self.signoff_due_on if self.status == Status.AWAITING_SIGNOFF else None

    @property
    def signoff_overdue(self) -> bool:
        """Waiting for the local area's sign-off past the date it was asked for."""
        return (
            self.status == Status.AWAITING_SIGNOFF
            and self.signoff_due_on is not None
            and self.signoff_due_on < timezone.localdate()
        )

    @property
    def status_phrase(self) -> str:
        """The status inside a sentence: "it is countersigned by the TCE project lead"."""
        label = self.get_status_display()
        return label[:1].lower() + label[1:]

    @property
    def is_public(self):
        """On the microsite now (as its published edition)."""
        return self.published_edition_id is not None and self.withdrawn_at is None

    @property
    def is_taken_down(self):
        """Taken down for sensitive personal data and not published since (as the queryset's
        ``taken_down``): its addresses answer 410 Gone."""
        return self.withdrawn_at is not None and self.withdrawal_reason == TAKEN_DOWN_NOTICE

    @property
    def published_before(self) -> bool:
        """An edition was published already: publishing again makes the next one, with a note
        of what changed."""
        return self.editions.exists()

    @property
    def is_under_revision(self):
        """Published, and its working copy is being changed: the edition stays up meanwhile."""
        return self.is_public and self.status != Status.PUBLISHED

    @property
    def details_rows(self):
        """The working copy's "Details of Bespoke Support Project" table, from the BSP."""
        return details.rows(self.bsp)

    @property
    def awaits_local_area(self) -> bool:
        """Not yet signed off: the local area may still write its own section."""
        return self.status in BEFORE_SIGNOFF

    @cached_property
    def current_signatures(self):
        """{"local_area": Signature, "tce_lead": Signature} for the signatures not superseded."""
        return {s.kind: s for s in self.signatures.all() if s.superseded_at is None}

    def content_hash(self):
        """SHA-256 of the text a signature vouches for: every section, in template order."""
        return content_hash(self.sections.all())

    # -- What the audit log says about where the report is now --------------------------------

    def last_changes_request(self):
        """The local area's latest request for changes, with its comments."""
        return (
            self.events.select_related("actor")
            .prefetch_related("comments")
            .latest_of(Transition.REQUEST_CHANGES)
        )

    def voided_signoff(self):
        """The event that voided the sign-off, while the report has not been signed off since."""
        last = self.events.latest_of(Transition.VOID_SIGNOFF, Transition.SIGN_OFF)
        return last if last is not None and last.transition == Transition.VOID_SIGNOFF else None

    def reopening(self):
        """Why a withdrawn report was re-opened, while it waits to be published again."""
        if self.withdrawn_at is None or self.status == Status.WITHDRAWN:
            return None
        return self.events.select_related("actor").latest_of(Transition.REOPEN)


class SectionStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"


class SectionText(models.Model):
    """The text of one section of the report template: a working copy's or an edition's."""

    key = models.CharField(max_length=40, choices=SECTION_CHOICES)
    body = models.TextField(blank=True, help_text="Sanitised HTML.")

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.body = richtext.sanitise(self.body)
        super().save(*args, **kwargs)

    @property
    def spec(self):
        return SECTIONS_BY_KEY[self.key]

    @property
    def heading(self):
        return self.spec.heading

    @property
    def has_content(self):
        return bool(richtext.to_text(self.body))

    @property
    def word_count(self):
        return richtext.word_count(self.body)


class ReportSection(SectionText):
    """One section of one report: its own text, version and status, so edits never collide."""

    report = models.ForeignKey(LearningReport, on_delete=models.CASCADE, related_name="sections")
    version = models.PositiveIntegerField(default=1)
    status = models.CharField(
        max_length=15, choices=SectionStatus.choices, default=SectionStatus.NOT_STARTED
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["report", "key"]
        constraints = [
            models.UniqueConstraint(fields=["report", "key"], name="section_unique_per_report"),
            models.CheckConstraint(
                condition=models.Q(key__in=SECTION_KEYS), name="section_key_in_template"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=SectionStatus.values), name="section_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(version__gte=1), name="section_version_positive"
            ),
        ]

    def __str__(self):
        return f"{self.report.title}: {self.heading}"


class Signature(models.Model):
    """A signature in the sign-off block. Never edited: a new one supersedes it."""

    class Kind(models.TextChoices):
        LOCAL_AREA = "local_area", "Signed by local area"
        TCE_LEAD = "tce_lead", "Signed by TCE project lead"

    # What the local area confirms when it signs off (reports.safeguarding), stored as
    # ``checked_identifiability``.
    IDENTIFIABILITY_CONFIRMATION = (
        "I have checked that this report does not identify any child, family or member of staff"
    )

    class Method(models.TextChoices):
        ACCOUNT = "account", "Signed in to the portal"
        LINK = "link", "With a sign-off link sent by e-mail"
        # Signed on paper before the portal, and recorded from the signed document.
        DOCUMENT = "document", "On the signed document, recorded in the portal"

    report = models.ForeignKey(LearningReport, on_delete=models.PROTECT, related_name="signatures")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signatures",
        help_text="The account that signed, when the signatory has one.",
    )
    name = models.CharField("full name", max_length=200)
    role = models.CharField(max_length=200, blank=True)
    signed_on = models.DateField("date")
    recorded_at = models.DateTimeField(auto_now_add=True)
    content_hash = models.CharField(max_length=64, help_text="SHA-256 of the content signed.")
    superseded_at = models.DateTimeField(null=True, blank=True)
    method = models.CharField(
        max_length=10,
        choices=Method.choices,
        default=Method.ACCOUNT,
        help_text="How the signature was made.",
    )
    # The local area's confirmation of the safeguarding check, asked at sign-off and stored with
    # the signature it was given with (reports.safeguarding).
    checked_identifiability = models.BooleanField(
        "confirmed that the report identifies no one",
        default=False,
        help_text=f"The signatory confirmed: “{IDENTIFIABILITY_CONFIRMATION}.”",
    )

    class Meta:
        ordering = ["report", "recorded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "kind"],
                condition=models.Q(superseded_at__isnull=True),
                name="signature_one_current_per_kind",
                violation_error_message="This report already carries that signature.",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=["local_area", "tce_lead"]), name="signature_kind_valid"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.name} ({self.signed_on:%-d %B %Y})"

    @property
    def is_current(self):
        return self.superseded_at is None


class Transition(models.TextChoices):
    """The changes of a report's state, as the audit log names them. Which states each starts
    from and leads to, and who may make it, is the transition table in ``workflow.py``."""

    SUBMIT = "submit", "Send for local sign-off"
    REQUEST_CHANGES = "request_changes", "Request changes"
    SIGN_OFF = "sign_off", "Sign off"
    COUNTERSIGN = "countersign", "Countersign"
    PUBLISH = "publish", "Publish on the microsite"
    WITHDRAW = "withdraw", "Withdraw from the microsite"
    REOPEN = "reopen", "Re-open for revision"
    REVISE = "revise", "Start a revision"
    GIVE_CONSENT = "give_consent", "Agree to publication"
    WITHDRAW_CONSENT = "withdraw_consent", "Withdraw agreement to publication"
    VOID_SIGNOFF = "void_signoff", "Content changed since sign-off"
    # Not changes of the report's state: an addendum to a published report (reports.addenda).
    SIGN_ADDENDUM = "sign_addendum", "Addendum written and signed"
    PUBLISH_ADDENDUM = "publish_addendum", "Addendum countersigned and published"
    # Not a change of state either: a draft's text and details imported from a document.
    IMPORT = "import", "Imported from a document"
    # Nor this: an author judged a finding of the safeguarding check not to identify anyone.
    DISMISS_FINDING = "dismiss_finding", "Safeguarding finding dismissed"
    # Withdrawal at once because the published text contains sensitive personal data: every
    # public surface, and the stored files deleted (reports.safeguarding.takedown).
    TAKE_DOWN = "take_down", "Taken down: sensitive personal data"


class ReportEventQuerySet(models.QuerySet):
    def latest_of(self, *transitions: Transition):
        """The most recent of these transitions, or None."""
        return self.filter(transition__in=transitions).order_by("-created_at", "-pk").first()


class ReportEvent(models.Model):
    """The append-only audit log: every change of a report's state, who made it and why."""

    report = models.ForeignKey(LearningReport, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="report_events",
        help_text="Empty when the portal itself made the change (e.g. content changed after "
        "sign-off).",
    )
    transition = models.CharField(max_length=40, choices=Transition.choices)
    from_status = models.CharField(max_length=20, choices=Status.choices)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    comment = models.TextField(blank=True)
    content_hash = models.CharField(max_length=64)
    # A default, not auto_now_add: the demo data records real past sign-offs at their own dates.
    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)

    objects = ReportEventQuerySet.as_manager()

    class Meta:
        ordering = ["report", "created_at", "pk"]
        verbose_name = "report event"

    def __str__(self):
        return f"{self.report.title}: {self.from_status} → {self.to_status} ({self.transition})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("The audit log is append-only: events are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("The audit log is append-only: events are never deleted.")


class Edition(ReadsSections, models.Model):
    """A published edition of a report: the content as it was signed, countersigned and
    published, frozen. Never changed; the next publication makes the next edition.

    It holds the title, every section's text (``EditionSection``), the details table as it read
    (``details``: rows of label and value), the two signatures it was published with and the
    hash of its sections. The public pages, search, feed, sitemap, open data and PDF read the
    report's current edition (``LearningReport.published_edition``); earlier ones stay at their
    own addresses with their own PDFs.
    """

    report = models.ForeignKey(LearningReport, on_delete=models.PROTECT, related_name="editions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    details = models.JSONField(help_text="The details table as published: [label, value] rows.")
    local_signature = models.ForeignKey(
        Signature, on_delete=models.PROTECT, related_name="+", verbose_name="local area signature"
    )
    tce_signature = models.ForeignKey(
        Signature,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="TCE project lead's countersignature",
    )
    content_hash = models.CharField(max_length=64, help_text="SHA-256 of the sections published.")
    change_note = models.TextField(
        blank=True, help_text="What changed since the edition before (public). None for the first."
    )
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    event = models.OneToOneField(
        ReportEvent,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="edition",
        help_text="The publication that made it.",
    )

    class Meta:
        ordering = ["report", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "number"], name="edition_number_unique_per_report"
            ),
            models.CheckConstraint(
                condition=models.Q(number__gte=1), name="edition_number_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(number=1) | ~models.Q(change_note=""),
                name="edition_after_the_first_has_change_note",
                violation_error_message="Say what changed since the previous edition.",
            ),
        ]

    def __str__(self):
        return f"{self.title}, edition {self.number} ({self.published_at:%-d %B %Y})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("A published edition is never changed: publish a new one.")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse(
            "reports:edition-detail", kwargs={"slug": self.report.slug, "number": self.number}
        )

    @property
    def is_current(self):
        return self.report.published_edition_id == self.pk

    # The same reading interface as the working copy (``reports.rendering.build_document``).
    awaits_local_area = False
    consent_to_publish = True  # an edition is published only with the local area's agreement

    @property
    def details_rows(self):
        return [tuple(row) for row in self.details]

    @property
    def current_signatures(self):
        return {"local_area": self.local_signature, "tce_lead": self.tce_signature}


class EditionSection(SectionText):
    """One section's text in a published edition, as it was published."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="sections")

    class Meta:
        ordering = ["edition", "key"]
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "key"], name="edition_section_unique_per_edition"
            ),
            models.CheckConstraint(
                condition=models.Q(key__in=SECTION_KEYS), name="edition_section_key_in_template"
            ),
        ]

    def __str__(self):
        return f"{self.edition}: {self.heading}"

    @property
    def report(self):
        return self.edition.report


class Addendum(models.Model):
    """A dated addendum to a published report ("Six months on"): what happened since. Written by
    the local area or the TCE project lead and signed by both, as a report is; it never changes
    the published edition, its text or its signatures. Never edited once written.

    Published (``published_at``) once both sides have signed; then shown under the report, in its
    PDF and its feed, and found by search.
    """

    class Side(models.TextChoices):
        LOCAL_AREA = "local_area", "the local area"
        TCE_LEAD = "tce_lead", "the TCE project lead"

    report = models.ForeignKey(LearningReport, on_delete=models.PROTECT, related_name="addenda")
    edition = models.ForeignKey(
        Edition,
        on_delete=models.PROTECT,
        related_name="addenda",
        help_text="The edition that was published when it was written.",
    )
    title = models.CharField(
        max_length=200, help_text='What it is, e.g. "Six months on" or "One year on".'
    )
    body = models.TextField(help_text="Sanitised HTML.")
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    written_at = models.DateTimeField(default=timezone.now, editable=False)
    content_hash = models.CharField(max_length=64, help_text="SHA-256 of the title and text.")
    local_name = models.CharField("signed by the local area: name", max_length=200, blank=True)
    local_role = models.CharField("role", max_length=200, blank=True)
    local_signed_on = models.DateField("date signed by the local area", null=True, blank=True)
    local_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    tce_name = models.CharField("signed by the TCE project lead: name", max_length=200, blank=True)
    tce_role = models.CharField("role", max_length=200, blank=True)
    tce_signed_on = models.DateField("date countersigned", null=True, blank=True)
    tce_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["report", "written_at", "pk"]
        verbose_name_plural = "addenda"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(published_at__isnull=True)
                | (models.Q(local_signed_on__isnull=False) & models.Q(tce_signed_on__isnull=False)),
                name="addendum_published_only_when_signed_by_both",
            ),
            models.CheckConstraint(condition=~models.Q(body=""), name="addendum_not_empty"),
        ]

    def __str__(self):
        return f"{self.report.title}: {self.title}"

    def save(self, *args, **kwargs):
        self.body = richtext.sanitise(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return f"{self.report.get_absolute_url()}#{self.anchor}"

    @property
    def anchor(self):
        return f"addendum-{self.pk}"

    def signed_by(self, side) -> bool:
        field = "local_signed_on" if side == self.Side.LOCAL_AREA else "tce_signed_on"
        return getattr(self, field) is not None

    @property
    def waiting_for(self):
        """The side whose signature it waits for, or None once published."""
        for side in self.Side:
            if not self.signed_by(side):
                return side
        return None

    @staticmethod
    def hash_of(title: str, body: str) -> str:
        return hashlib.sha256(f"{title}\x00{body}".encode()).hexdigest()


class SectionComment(models.Model):
    """A reviewer's comment on one section. It goes back to the authors with the next review
    decision (changes requested, or signed off), to which it is then tied."""

    report = models.ForeignKey(LearningReport, on_delete=models.PROTECT, related_name="comments")
    section_key = models.CharField("section", max_length=40, choices=SECTION_CHOICES)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="section_comments"
    )
    body = models.TextField("comment")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    sent_with = models.ForeignKey(
        ReportEvent,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="comments",
        help_text="The review decision that sent this comment to the authors; empty while the "
        "reviewer is still reviewing.",
    )

    class Meta:
        ordering = ["report", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(section_key__in=SECTION_KEYS), name="comment_section_in_template"
            ),
            models.CheckConstraint(condition=~models.Q(body=""), name="comment_not_empty"),
        ]

    def __str__(self):
        return f"{self.report.title}: comment on {self.heading}"

    @property
    def heading(self):
        return SECTIONS_BY_KEY[self.section_key].heading


class ReviewVisit(models.Model):
    """When a person last looked at a report's review page, so that on resubmission they are
    shown what changed since then (``baseline_at``: their last look before that submission)."""

    report = models.ForeignKey(LearningReport, on_delete=models.CASCADE, related_name="visits")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_visits"
    )
    last_viewed_at = models.DateTimeField()
    baseline_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "user"], name="review_visit_unique"),
        ]

    def __str__(self):
        return f"{self.user} last viewed {self.report.title} at {self.last_viewed_at}"


class SignoffLinkQuerySet(models.QuerySet):
    def live(self):
        return self.filter(
            used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )


class SignoffLink(models.Model):
    """A sign-off link e-mailed to a local lead: bound to one report, expiring, spent once
    used to sign. The token in the e-mail (django-sesame) names the recipient and this link."""

    report = models.ForeignKey(
        LearningReport, on_delete=models.PROTECT, related_name="signoff_links"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="signoff_links"
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="signoff_links_sent"
    )
    sent_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    # When its sender was told that it expired unused (send_signoff_reminders).
    expiry_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    # When it stopped working unused, because the report was signed off (with another link, or
    # by someone signed in): nobody can use it any more.
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = SignoffLinkQuerySet.as_manager()

    class Meta:
        ordering = ["report", "-sent_at"]
        verbose_name = "sign-off link"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("sent_at")),
                name="signoff_link_expires_after_sending",
            ),
        ]

    def __str__(self):
        return f"Sign-off link for {self.report.title} to {self.recipient.email}"

    @property
    def scope(self):
        return f"signoff-link:{self.pk}"

    @property
    def is_live(self):
        return self.used_at is None and self.revoked_at is None and self.expires_at > timezone.now()


class StoredPdf(models.Model):
    """What every stored render keeps: the file, the source it was rendered from, the queue slot
    and the failures.

    ``fingerprint`` is ``reports.pdfs.document.PdfSource.fingerprint`` of what was rendered: when
    the source now has another fingerprint (a new layout, a renamed region, a changed draft), the
    file is out of date and is never served. ``queued_at`` is set while a render waits in the
    task queue, so many requests for a missing file queue one render, not many.
    """

    fingerprint = models.CharField(max_length=64, blank=True)
    size = models.PositiveIntegerField(default=0, help_text="Bytes.")
    pages = models.PositiveIntegerField(default=0)
    rendered_at = models.DateTimeField(null=True, blank=True)
    render_seconds = models.FloatField(null=True, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    # Renders that failed for the source ``failed_fingerprint`` (a new source starts again at
    # zero): after ``MAX_RENDER_ATTEMPTS`` the portal stops trying and says so.
    MAX_RENDER_ATTEMPTS = 3
    failures = models.PositiveSmallIntegerField(default=0)
    failed_fingerprint = models.CharField(max_length=64, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        abstract = True

    @property
    def is_rendered(self):
        return bool(self.file and self.fingerprint)

    def given_up_on(self, fingerprint: str) -> bool:
        """Rendering this source failed too often: nobody should wait for it."""
        return self.failed_fingerprint == fingerprint and self.failures >= self.MAX_RENDER_ATTEMPTS


class ReportPdf(StoredPdf):
    """The stored PDF of a published edition (public storage: served to everyone)."""

    edition = models.OneToOneField(Edition, on_delete=models.CASCADE, related_name="pdf")
    report = models.ForeignKey(LearningReport, on_delete=models.CASCADE, related_name="pdfs")
    file = models.FileField(upload_to="reports/pdf/", blank=True, max_length=255)
    # Of the stored bytes (sealed, when sealing is configured): "Check a PDF" finds an uploaded
    # file's edition by it.
    sha256 = models.CharField("SHA-256", max_length=64, blank=True, db_index=True)

    class Meta:
        verbose_name = "report PDF"
        verbose_name_plural = "report PDFs"

    def __str__(self):
        return f"PDF of {self.edition}"


def private_storage():
    """``STORAGES["private"]``: files with no web address, served only by views that check
    access (``tce_portal.storage``)."""
    return storages["private"]


class DraftPdf(StoredPdf):
    """The PDF of a report's working copy (marked as not published), rendered in the background
    for the people who may read the report.

    One per report: a render of a newer working copy (another ``fingerprint``) replaces the file.
    The file is in the private storage, never under a public address: only the draft PDF view,
    which checks who asks, serves it.
    """

    report = models.OneToOneField(
        LearningReport, on_delete=models.CASCADE, related_name="draft_pdf"
    )
    file = models.FileField(
        upload_to="drafts/", storage=private_storage, blank=True, max_length=255
    )

    class Meta:
        verbose_name = "draft PDF"
        verbose_name_plural = "draft PDFs"

    def __str__(self):
        return f"Draft PDF of {self.report}"


class ImportedFile(models.Model):
    """A document a draft was imported from (``reports.importing``), kept as it was uploaded.

    The file is in the private storage: it may hold what was never meant to be published
    (comments, tracked changes, names). Its sign-off block is recorded here as the document has
    it, never as a ``Signature``: nobody signed anything in the portal.
    """

    report = models.ForeignKey(
        LearningReport, on_delete=models.PROTECT, related_name="imported_files"
    )
    original_name = models.CharField(max_length=255, help_text="The file's name when uploaded.")
    file = models.FileField(upload_to="imports/", storage=private_storage, max_length=255)
    sha256 = models.CharField("SHA-256", max_length=64)
    imported_at = models.DateTimeField(default=timezone.now, editable=False)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    warnings = models.JSONField(default=list, blank=True)
    # The details table and the sign-off block as the document has them (``Proposal.details``
    # and ``Proposal.signoff``, as dictionaries).
    details = models.JSONField(default=list, blank=True)
    signoff = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["report", "imported_at"]

    def __str__(self):
        return f"{self.original_name}, imported into {self.report.title}"


class PendingImport(models.Model):
    """A file uploaded to be imported, waiting (in the private storage) while the person who
    uploaded it checks what the portal found in it. Accepted, it becomes an ``ImportedFile`` of
    the new draft and this goes; abandoned, it goes after a day (``KEEP_FOR``)."""

    KEEP_FOR = datetime.timedelta(days=1)

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    bsp = models.ForeignKey(BespokeSupportProject, on_delete=models.CASCADE, related_name="+")
    original_name = models.CharField(max_length=255)
    file = models.FileField(upload_to="imports/pending/", storage=private_storage, max_length=255)
    uploaded_at = models.DateTimeField(default=timezone.now, editable=False)

    class State(models.TextChoices):
        WAITING = "waiting", "Waiting to be read"
        READING = "reading", "Being read"
        READ = "read", "Read"
        REFUSED = "refused", "Could not be read"

    # The file is read in the background (``reports.importing.tasks.read_pending_import``); the
    # check page shows its progress meanwhile, then what it found (``reading``, the
    # ``ImportedDocument`` as a dictionary), or why it could not be read (``refusal``).
    state = models.CharField(max_length=10, choices=State.choices, default=State.WAITING)
    queued_at = models.DateTimeField(null=True, blank=True)
    reading = models.JSONField(null=True, blank=True)
    refusal = models.TextField(blank=True)

    def __str__(self):
        return f"{self.original_name} (waiting to be imported)"

    @classmethod
    def keep(cls, data: bytes, *, name: str, bsp, user) -> "PendingImport":
        """Keep an upload for its check; abandoned uploads older than ``KEEP_FOR`` go."""
        for stale in cls.objects.filter(uploaded_at__lt=timezone.now() - cls.KEEP_FOR):
            stale.discard()
        pending = cls(uploaded_by=user, bsp=bsp, original_name=name[:255])
        pending.file.save(f"{uuid.uuid4().hex}", ContentFile(data), save=False)
        pending.save()
        return pending

    def read(self) -> bytes:
        with self.file.open("rb") as stored:
            return stored.read()

    def discard(self) -> None:
        self.file.delete(save=False)
        self.delete()


class Compendium(models.Model):
    """One PDF of many published reports (a programme year, or a search result), built in the
    background; the page that asked for it follows ``state`` and ``progress``. With a
    ``section_key`` it holds just that section of each report (learning by section).

    The same selection of the same content is built once: ``fingerprint`` (of the reports as they
    were when it was asked for) is unique, and a changed report makes a new compendium.
    """

    class State(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        BUILDING = "building", "Being prepared"
        READY = "ready", "Ready"
        FAILED = "failed", "Could not be prepared"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    title = models.CharField(max_length=200)
    programme_year = models.PositiveSmallIntegerField(null=True, blank=True)
    # A programme year of more than VOLUME_SIZE reports comes in volumes (by title).
    VOLUME_SIZE = 50
    volume = models.PositiveSmallIntegerField(null=True, blank=True)
    report_slugs = models.JSONField(default=list, help_text="The reports, in the order shown.")
    section_key = models.CharField(
        "section",
        max_length=40,
        choices=SECTION_CHOICES,
        blank=True,
        help_text="One section of the report template from each report; blank: whole reports.",
    )
    fingerprint = models.CharField(max_length=64, unique=True)
    # What it was made from, so that whether it is current is two cheap comparisons, not a
    # rebuild of its HTML (``reports.pdfs.storage.compendium_made_from``). Empty for those made
    # before it was recorded: they are checked the slow way.
    made_from = models.JSONField(default=dict, blank=True, editable=False)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Per cent.")
    stage = models.CharField(max_length=100, blank=True)
    file = models.FileField(upload_to="reports/compendiums/", blank=True, max_length=255)
    size = models.PositiveIntegerField(default=0, help_text="Bytes.")
    pages = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "compendiums"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="compendium_progress_percent"
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=["queued", "building", "ready", "failed"]),
                name="compendium_state_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(section_key="") | models.Q(section_key__in=SECTION_KEYS),
                name="compendium_section_in_template",
            ),
        ]

    def __str__(self):
        return f"{self.title} ({len(self.report_slugs)} reports, {self.get_state_display()})"

    def get_absolute_url(self):
        return reverse("reports:compendium-detail", kwargs={"pk": self.pk})

    @property
    def is_ready(self):
        return self.state == self.State.READY and bool(self.file)

    @property
    def is_finished(self):
        return self.state in (self.State.READY, self.State.FAILED)


class SignoffReminder(models.Model):
    """A reminder e-mailed about a report waiting for the local area's sign-off: one of each kind
    per due date (so the daily command never sends the same reminder twice)."""

    class Kind(models.TextChoices):
        BEFORE = "before", "Before the due date"
        DUE = "due", "On the due date"

    report = models.ForeignKey(LearningReport, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    due_on = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["report", "kind", "due_on"], name="one_reminder_per_kind_and_due_date"
            )
        ]

    def __str__(self):
        return f"{self.report.title}: {self.get_kind_display().lower()} ({self.due_on})"


class FindingDismissal(models.Model):
    """An author's judgement, with a reason, that a passage the identifiability check found
    (``reports.safeguarding``) does not identify anyone. It holds while that passage, of that
    kind, is in that part of the report; the reviewer sees it before signing."""

    report = models.ForeignKey(
        LearningReport, on_delete=models.CASCADE, related_name="finding_dismissals"
    )
    # A section's key, or "details" for the details table.
    part = models.CharField(max_length=40)
    kind = models.CharField(max_length=20)
    text = models.CharField("passage", max_length=300)
    reason = models.TextField(help_text="Why this passage does not identify anyone.")
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    dismissed_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["report", "part", "dismissed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "part", "kind", "text"],
                name="finding_dismissed_once",
                violation_error_message="This finding has already been dismissed.",
            )
        ]

    def __str__(self):
        return f"{self.report.title}: “{self.text}” ({self.kind})"


class PrivateNote(models.Model):
    """A note on a section for the programme's people on the report: its delivery partners, its
    TCE project lead and the programme admins (``access.can_see_private_notes``). Never shown to
    the local area or the public: not on the microsite, in a PDF, in search, in a feed or in
    open data."""

    report = models.ForeignKey(
        LearningReport, on_delete=models.CASCADE, related_name="private_notes"
    )
    section_key = models.CharField("section", max_length=40, choices=SECTION_CHOICES)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField("note")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["report", "section_key", "created_at"]
        verbose_name = "private note"

    def __str__(self):
        return f"Note on {self.report.title}: {self.get_section_key_display()}"


class PublicFigure(models.Model):
    """A figure about the whole published corpus that the public pages show (how many reports,
    the facet counts of the listing, the programme's totals...), worked out by the first page
    that needs it after a change and read by every page after it: ``microsite/summary.py``.
    Every row is deleted whenever the public pages' cache is cleared."""

    key = models.CharField(max_length=100, primary_key=True)
    value = models.JSONField()
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = "public figure"

    def __str__(self):
        return self.key

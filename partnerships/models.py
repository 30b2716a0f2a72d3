import datetime

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords


class Region(models.Model):
    """One of England's 9 regions, named as the programme names it ("Eastern", "Greater London")."""

    ons_code = models.CharField(
        "ONS code",
        max_length=9,
        unique=True,
        validators=[RegexValidator(r"^E12\d{6}$", "Enter an ONS region code such as E12000008.")],
    )
    name = models.CharField(max_length=100, unique=True, help_text="As the programme names it.")
    ons_name = models.CharField("ONS name", max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("reports:region-detail", kwargs={"slug": self.slug})


class AuthorityKind(models.TextChoices):
    COUNTY = "county", "County council"
    UNITARY = "unitary", "Unitary authority"
    METROPOLITAN_DISTRICT = "metropolitan district", "Metropolitan district"
    LONDON_BOROUGH = "london borough", "London borough"


class LocalAuthority(models.Model):
    Kind = AuthorityKind

    ons_code = models.CharField(
        "ONS code",
        max_length=9,
        unique=True,
        validators=[
            RegexValidator(r"^E(06|08|09|10)\d{6}$", "Enter an ONS code such as E06000043.")
        ],
    )
    name = models.CharField(max_length=100, help_text="As the ONS writes it.")
    kind = models.CharField(max_length=25, choices=AuthorityKind.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="local_authorities")

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "local authorities"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=AuthorityKind.values), name="local_authority_kind_valid"
            ),
        ]

    def __str__(self):
        return self.name


class Agency(models.Model):
    """An organisation that takes part in partnerships: a council, a police force, a health body."""

    name = models.CharField(max_length=200, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self):
        return self.name


class Partnership(models.Model):
    """A local safeguarding children partnership (or a group of them working together)."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="partnerships")
    local_authorities = models.ManyToManyField(
        LocalAuthority, related_name="partnerships", blank=True
    )
    core_partner_agencies = models.ManyToManyField(
        Agency, through="PartnershipAgency", related_name="partnerships", blank=True
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("reports:partnership-detail", kwargs={"slug": self.slug})

    def agencies_in_order(self):
        """The core partner agencies in the order the partnership lists them.

        Reads the prefetched memberships when the query asked for them (`with_agencies()`).
        """
        memberships = self.memberships.all()
        if "memberships" not in getattr(self, "_prefetched_objects_cache", {}):
            memberships = memberships.select_related("agency")
        return [membership.agency for membership in memberships]


def with_agencies(path=""):
    """A Prefetch of a partnership's ordered agencies, at ``path`` ("bsp__partnership__")."""
    return models.Prefetch(
        f"{path}memberships", queryset=PartnershipAgency.objects.select_related("agency")
    )


class PartnershipAgency(models.Model):
    """An agency's place in a partnership's list of core partners (the list keeps its order)."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="memberships"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="memberships")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["partnership", "position"]
        verbose_name = "core partner agency"
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "agency"], name="partnership_agency_once"
            ),
        ]

    def __str__(self):
        return f"{self.agency} in {self.partnership}"


class Theme(models.Model):
    """A focus theme of BSPs (Partnership, Data, Culture...)."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Methodology(models.Model):
    """How a BSP's change goal was pursued (Partnership, Theory of Change, Data, Bespoke...)."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "methodologies"

    def __str__(self):
        return self.name


class BSPType(models.TextChoices):
    STANDARD = "standard", "Standard"
    COMPLEX = "complex", "Complex"
    REGIONAL = "regional", "Regional"


BSP_TYPE_MEANINGS = {
    BSPType.STANDARD: "Single area partnership; transferable learning.",
    BSPType.COMPLEX: (
        "Addressing a complex risk or issue, with potential to generate key learning and/or tools "
        "that could directly support other local areas' development."
    ),
    BSPType.REGIONAL: (
        "Complex partnership arrangements over multiple local authority, health or police force "
        "boundaries; broad-based regional impact."
    ),
}


class DeliveryMode(models.TextChoices):
    DIGITAL = "digital", "Digital"
    FACE_TO_FACE = "face_to_face", "Face to face"
    MIXED = "mixed", "Mixed"


class BespokeSupportProjectQuerySet(models.QuerySet):
    def for_listing(self):
        return self.select_related("partnership", "region").prefetch_related(
            "themes", "methodologies"
        )

    def in_programme_year(self, year):
        return self.filter(programme_year=year)


class BespokeSupportProject(models.Model):
    """A time-limited project with a local area, as in the annual report's register (appendix 1)."""

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="bsps")
    local_area = models.CharField(
        max_length=200, help_text="The local area as the programme's register writes it."
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="bsps",
        help_text="Usually the partnership's region; kept here as the register states it.",
    )
    bsp_type = models.CharField("BSP type", max_length=10, choices=BSPType.choices)
    size = models.CharField(
        "BSP size",
        max_length=100,
        blank=True,
        help_text='As the report template states it, e.g. "Standard" or "Unitary".',
    )
    methodologies = models.ManyToManyField(Methodology, related_name="bsps", blank=True)
    methodology_as_stated = models.CharField(
        max_length=200,
        blank=True,
        help_text='The methodology as the report words it, e.g. "Bespoke - Disruption/ Data".',
    )
    delivery_mode = models.CharField(
        max_length=15, choices=DeliveryMode.choices, blank=True, help_text="Blank when not known."
    )
    delivery_mode_as_stated = models.CharField(
        max_length=100, blank=True, help_text='As the report words it, e.g. "Digital Delivery".'
    )
    commenced = models.DateField(
        "date BSP commenced",
        null=True,
        blank=True,
        help_text="Month precision: stored as the first day of the month.",
    )
    commenced_as_stated = models.CharField(
        "date BSP commenced as stated",
        max_length=100,
        blank=True,
        help_text='As the report words it, e.g. "Nov 2020".',
    )
    agencies_as_stated = models.CharField(
        "core partner agencies as stated",
        max_length=300,
        blank=True,
        help_text='As the report words them, e.g. "TSCP core group (police, health, education, '
        'voluntary sector partners)". Left empty, the core partner agencies of the partnership '
        "are listed.",
    )
    programme_year = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(2019)],
        help_text="The year the programme year starts (April): 2020 means 2020-21.",
    )
    themes = models.ManyToManyField(
        Theme, related_name="bsps", blank=True, help_text="None means the focus is not known."
    )
    focus_as_stated = models.CharField(
        max_length=200,
        blank=True,
        help_text='As the register writes it, e.g. "Partnership / data".',
    )
    number_of_local_authorities = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1)]
    )
    local_authorities_as_stated = models.CharField(
        "local authority areas as stated",
        max_length=200,
        blank=True,
        help_text='As the report words it, e.g. "Single authority".',
    )
    regional_area_as_stated = models.CharField(
        max_length=200, blank=True, help_text='As the report words it, e.g. "Sussex Police".'
    )
    delivery_partners = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="assigned_bsps",
        blank=True,
        limit_choices_to={"role": "delivery_partner"},
    )
    tce_lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_bsps",
        limit_choices_to={"role": "tce_lead"},
        verbose_name="TCE project lead",
    )

    # Who changed the details and when (the report's details page, the admin): a record, as for
    # sections. The assigned people and the register's themes are not report content.
    history = HistoricalRecords(m2m_fields=["methodologies"])

    # The fields that the "Details of Bespoke Support Project (BSP)" table of the learning report
    # is made from (with ``methodologies``): changed after sign-off, they void the signatures.
    REPORT_DETAILS_FIELDS = (
        "partnership",
        "region",
        "bsp_type",
        "size",
        "agencies_as_stated",
        "number_of_local_authorities",
        "local_authorities_as_stated",
        "regional_area_as_stated",
        "methodology_as_stated",
        "delivery_mode",
        "delivery_mode_as_stated",
        "commenced",
        "commenced_as_stated",
    )
    objects = BespokeSupportProjectQuerySet.as_manager()

    class Meta:
        ordering = ["-programme_year", "local_area"]
        verbose_name = "bespoke support project"
        constraints = [
            models.UniqueConstraint(
                fields=["programme_year", "local_area"], name="bsp_unique_area_per_year"
            ),
            models.CheckConstraint(
                condition=models.Q(bsp_type__in=BSPType.values), name="bsp_type_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(delivery_mode__in=[*DeliveryMode.values, ""]),
                name="bsp_delivery_mode_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(number_of_local_authorities__gte=1),
                name="bsp_at_least_one_local_authority",
                violation_error_message="A BSP covers at least one local authority.",
            ),
            models.CheckConstraint(
                condition=models.Q(programme_year__gte=2019),
                name="bsp_programme_year_from_2019",
                violation_error_message="The programme started in 2019.",
            ),
            models.CheckConstraint(
                condition=models.Q(commenced__isnull=True) | models.Q(commenced__day=1),
                name="bsp_commenced_first_of_month",
                violation_error_message="Record the month the BSP commenced (the first day).",
            ),
        ]
        indexes = [
            models.Index(fields=["programme_year", "bsp_type"]),
            models.Index(fields=["delivery_mode"]),
        ]

    def __str__(self):
        return f"{self.local_area} ({self.programme_year_label})"

    def save(self, *args, **kwargs):
        if self.commenced:
            self.commenced = self.commenced.replace(day=1)
        super().save(*args, **kwargs)

    @property
    def programme_year_label(self):
        return programme_year_label(self.programme_year)

    @property
    def facts_line(self) -> str:
        """ "South West · Extra-familial BSP · 2021-22": its region, type and programme year, as
        a public list names them under a report's title (a card, a learning extract)."""
        return facts_line(self.region.name, self.bsp_type, self.programme_year)

    @property
    def type_meaning(self):
        return BSP_TYPE_MEANINGS[self.bsp_type]

    @property
    def focus_is_known(self):
        return bool(self.focus_as_stated)


def facts_line(region: str, bsp_type: str, programme_year: int) -> str:
    """ "South West · Extra-familial BSP · 2021-22": a BSP's region (its name), type (its
    value, written as its label) and programme year."""
    label = BSP_TYPE_LABELS.get(bsp_type, bsp_type)
    return f"{region} · {label} BSP · {programme_year_label(programme_year)}"


BSP_TYPE_LABELS = dict(BSPType.choices)


def programme_year_label(year: int) -> str:
    """2020 -> "2020-21", the programme's April-to-March year."""
    return f"{year}-{(year + 1) % 100:02d}"


def programme_year_for(day: datetime.date) -> int:
    return day.year if day.month >= 4 else day.year - 1

"""What a patient sends (an enquiry with its consents, cities and record files) and what happens to
it (events on its timeline), with the rules that keep them consistent."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.files.storage import storages
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from enquiries import uploads

# Letters and digits a person cannot confuse when reading a reference aloud or on paper:
# no 0/O, 1/I/L, or U (read as V). 30 symbols, 8 of them: about 6.6e11 references.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_ATTEMPTS = 5


def new_reference():
    """A fresh, unguessable, human-friendly reference such as CT-7KQ4-M2XP."""
    symbols = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"CT-{symbols[:4]}-{symbols[4:]}"


def medical_records_storage():
    return storages["medical_records"]


class City(models.Model):
    """A Chinese city with CAR-T centres that patients may prefer; coordinators manage the list."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    active = models.BooleanField(
        _("offered on the form"),
        default=True,
        help_text=_("Inactive cities stay on old enquiries."),
    )
    order = models.PositiveSmallIntegerField(_("order on the form"), default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("city")
        verbose_name_plural = _("cities")

    def __str__(self):
        return self.name


class EnquiryQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(status__in=Enquiry.Status.closed_values())

    def awaiting_first_reply_past_due(self, now=None):
        return self.open().filter(
            first_replied_at__isnull=True, first_reply_due_at__lt=now or timezone.now()
        )


class Enquiry(models.Model):
    """One patient's request for help as they sent it, plus the workflow fields coordinators use."""

    class Relationship(models.TextChoices):
        PATIENT = "patient", _("I am the patient")
        FAMILY_OR_FRIEND = "family_or_friend", _("A family member or friend of the patient")
        DOCTOR = "doctor", _("The patient's doctor")

    class Gender(models.TextChoices):
        FEMALE = "female", _("Female")
        MALE = "male", _("Male")
        OTHER = "other", _("Other")
        PREFER_NOT_TO_SAY = "prefer_not_to_say", _("Prefer not to say")

    class ContactChannel(models.TextChoices):
        EMAIL = "email", _("Email")
        PHONE = "phone", _("Phone call")
        WHATSAPP = "whatsapp", _("WhatsApp")
        WECHAT = "wechat", _("WeChat")
        TELEGRAM = "telegram", _("Telegram")

    class Diagnosis(models.TextChoices):
        LARGE_B_CELL_LYMPHOMA = "large_b_cell_lymphoma", _("Large B-cell lymphoma (e.g. DLBCL)")
        FOLLICULAR_LYMPHOMA = "follicular_lymphoma", _("Follicular lymphoma")
        MANTLE_CELL_LYMPHOMA = "mantle_cell_lymphoma", _("Mantle cell lymphoma")
        B_ALL = "b_all", _("B-cell acute lymphoblastic leukaemia (B-ALL)")
        CLL = "cll", _("Chronic lymphocytic leukaemia (CLL)")
        MULTIPLE_MYELOMA = "multiple_myeloma", _("Multiple myeloma")
        OTHER_BLOOD_CANCER = "other_blood_cancer", _("Another blood cancer")
        SOLID_TUMOUR = "solid_tumour", _("A solid tumour")
        OTHER = "other", _("Something else")
        NOT_SURE = "not_sure", _("Not sure")

    class DiseaseStatus(models.TextChoices):
        NEWLY_DIAGNOSED = "newly_diagnosed", _("Newly diagnosed")
        IN_REMISSION = "in_remission", _("In remission")
        RELAPSED = "relapsed", _("Relapsed (came back after treatment)")
        REFRACTORY = "refractory", _("Refractory (did not respond to treatment)")
        NOT_SURE = "not_sure", _("Not sure")

    class PriorTreatmentLines(models.TextChoices):
        NONE = "0", _("None yet")
        ONE = "1", _("1")
        TWO = "2", _("2")
        THREE = "3", _("3")
        FOUR_OR_MORE = "4+", _("4 or more")
        NOT_SURE = "not_sure", _("Not sure")

    class YesNoNotSure(models.TextChoices):
        YES = "yes", _("Yes")
        NO = "no", _("No")
        NOT_SURE = "not_sure", _("Not sure")

    class TargetTested(models.TextChoices):
        CD19 = "cd19", _("CD19")
        BCMA = "bcma", _("BCMA")
        OTHER = "other", _("Another target")
        NOT_SURE = "not_sure", _("Not tested / not sure")

    class DailySelfCare(models.TextChoices):
        # A plain-language ECOG performance status: what a coordinator needs to know first.
        FULLY_ACTIVE = "fully_active", _("Fully active, no restrictions")
        LIGHT_ACTIVITY = (
            "light_activity",
            _("Can walk and do light work, but not hard physical work"),
        )
        SELF_CARE = (
            "self_care",
            _("Can care for themselves but cannot work; up more than half the day"),
        )
        LIMITED_SELF_CARE = (
            "limited_self_care",
            _("Needs some help; in bed or a chair more than half the day"),
        )
        DEPENDENT = "dependent", _("Needs help with everything; mostly in bed")
        NOT_SURE = "not_sure", _("Not sure")

    class TravelTimeframe(models.TextChoices):
        AS_SOON_AS_POSSIBLE = "asap", _("As soon as possible")
        WITHIN_1_MONTH = "within_1_month", _("Within 1 month")
        IN_1_TO_3_MONTHS = "in_1_to_3_months", _("In 1 to 3 months")
        LATER = "later", _("Later")
        NOT_SURE = "not_sure", _("Not sure")

    class Status(models.TextChoices):
        NEW = "new", _("New")
        IN_REVIEW = "in_review", _("In review")
        AWAITING_RECORDS = "awaiting_records", _("Awaiting records")
        WITH_HOSPITAL = "with_hospital", _("With hospital")
        TREATMENT_PLANNED = "treatment_planned", _("Treatment planned")
        CLOSED_TREATED = "closed_treated", _("Closed: treated")
        CLOSED_NOT_ELIGIBLE = "closed_not_eligible", _("Closed: not eligible")
        CLOSED_WITHDREW = "closed_withdrew", _("Closed: patient withdrew")
        CLOSED_NO_RESPONSE = "closed_no_response", _("Closed: no response")
        SPAM = "spam", _("Spam")

        @classmethod
        def closed_values(cls):
            return [value for value in cls.values if value.startswith("closed_")] + [cls.SPAM]

    class Priority(models.TextChoices):
        LOW = "low", _("Low")
        NORMAL = "normal", _("Normal")
        HIGH = "high", _("High")
        URGENT = "urgent", _("Urgent")

    class NotificationStatus(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        RETRYING = "retrying", _("Failed, will retry")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed, gave up")

    # What identifies it.
    reference = models.CharField(_("reference"), max_length=12, unique=True, editable=False)
    submission_token = models.UUIDField(
        _("submission token"),
        unique=True,
        editable=False,
        help_text=_("One per displayed form: a repeated post of the same form finds this enquiry."),
    )
    submitted_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    language = models.CharField(_("language of the form"), max_length=10)

    # Who is filling it in.
    relationship = models.CharField(
        _("who is filling in the form"), max_length=20, choices=Relationship
    )
    enquirer_name = models.CharField(_("enquirer's name"), max_length=200, blank=True)
    referring_hospital = models.CharField(_("doctor's hospital"), max_length=200, blank=True)

    # The patient.
    patient_name = models.CharField(_("patient's full name"), max_length=200)
    gender = models.CharField(_("gender"), max_length=20, choices=Gender, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"))
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    country = CountryField(_("country of residence"), blank_label=_("Choose a country"))

    # Contact.
    email = models.EmailField(_("email"), max_length=254)
    phone = models.CharField(
        _("phone"), max_length=32, blank=True, help_text=_("International format (E.164).")
    )
    preferred_contact_channel = models.CharField(
        _("preferred contact channel"),
        max_length=20,
        choices=ContactChannel,
        default=ContactChannel.EMAIL,
    )
    preferred_language = models.CharField(_("preferred language"), max_length=100, blank=True)
    best_time_to_reach = models.CharField(_("best time to reach"), max_length=200, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=16, blank=True)

    # Medical pre-screen: every answer may be blank (skipped) or "not sure".
    diagnosis = models.CharField(_("diagnosis"), max_length=30, choices=Diagnosis, blank=True)
    diagnosis_details = models.CharField(_("diagnosis in their words"), max_length=300, blank=True)
    disease_status = models.CharField(
        _("disease status"), max_length=20, choices=DiseaseStatus, blank=True
    )
    prior_treatment_lines = models.CharField(
        _("prior lines of treatment"), max_length=10, choices=PriorTreatmentLines, blank=True
    )
    prior_stem_cell_transplant = models.CharField(
        _("prior stem-cell transplant"), max_length=10, choices=YesNoNotSure, blank=True
    )
    prior_car_t = models.CharField(
        _("prior CAR-T therapy"), max_length=10, choices=YesNoNotSure, blank=True
    )
    target_tested = models.CharField(
        _("target tested"), max_length=10, choices=TargetTested, blank=True
    )
    daily_self_care = models.CharField(
        _("day-to-day fitness"), max_length=20, choices=DailySelfCare, blank=True
    )
    medical_summary = models.TextField(_("summary in their words"), max_length=4000, blank=True)

    # Treatment in China.
    preferred_cities = models.ManyToManyField(
        City, verbose_name=_("preferred cities"), related_name="enquiries", blank=True
    )
    no_city_preference = models.BooleanField(_("no city preference"), default=False)
    travel_timeframe = models.CharField(
        _("hopes to travel"), max_length=20, choices=TravelTimeframe, blank=True
    )
    companion_travelling = models.CharField(
        _("a companion will travel"), max_length=10, choices=YesNoNotSure, blank=True
    )

    # Where they came from: a therapy_info page's slug (text, never a foreign key) and UTM tags.
    source_page_slug = models.CharField(_("came from page"), max_length=200, blank=True)
    utm_source = models.CharField("utm_source", max_length=200, blank=True)
    utm_medium = models.CharField("utm_medium", max_length=200, blank=True)
    utm_campaign = models.CharField("utm_campaign", max_length=200, blank=True)
    utm_term = models.CharField("utm_term", max_length=200, blank=True)
    utm_content = models.CharField("utm_content", max_length=200, blank=True)

    # Workflow, for the coordinators' back office.
    status = models.CharField(_("status"), max_length=30, choices=Status, default=Status.NEW)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned coordinator"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_enquiries",
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority, default=Priority.NORMAL
    )
    next_follow_up_on = models.DateField(_("next follow-up"), null=True, blank=True)
    first_replied_at = models.DateTimeField(_("first replied"), null=True, blank=True)
    first_reply_due_at = models.DateTimeField(_("first reply due"))

    # Whether the acknowledgement and the coordinators' notification went out.
    notification_status = models.CharField(
        _("notification emails"),
        max_length=10,
        choices=NotificationStatus,
        default=NotificationStatus.PENDING,
    )
    notification_attempts = models.PositiveSmallIntegerField(_("sending attempts"), default=0)
    acknowledgement_sent_at = models.DateTimeField(
        _("acknowledgement sent to patient"), null=True, blank=True
    )
    coordinators_notified_at = models.DateTimeField(
        _("coordinators notified"), null=True, blank=True
    )

    objects = EnquiryQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("enquiry")
        verbose_name_plural = _("enquiries")
        indexes = [models.Index(fields=["status", "-submitted_at"])]

    def __str__(self):
        return self.reference

    def save(self, *args, **kwargs):
        if self.first_reply_due_at is None:
            self.first_reply_due_at = self.submitted_at + timedelta(
                hours=settings.FIRST_REPLY_PROMISE_HOURS
            )
        super().save(*args, **kwargs)

    def insert_with_unique_reference(self):
        """Insert the enquiry under a fresh reference, drawing again on the rare collision.

        Any other integrity error (e.g. the same submission token posted twice) is raised."""
        for _attempt in range(REFERENCE_ATTEMPTS):
            self.reference = new_reference()
            try:
                with transaction.atomic():
                    self.save(force_insert=True)
                return
            except IntegrityError:
                if not Enquiry.objects.filter(reference=self.reference).exists():
                    raise
        raise IntegrityError("Could not draw an unused enquiry reference.")

    @property
    def notifications_sent(self):
        return self.notification_status == self.NotificationStatus.SENT

    def record_event(self, kind, *, actor=None, **details):
        """Add an event to the timeline. `details` must never hold personal or health data."""
        return EnquiryEvent.objects.create(enquiry=self, kind=kind, actor=actor, details=details)


class Consent(models.Model):
    """What the patient agreed to (or did not), in the words and language they were shown."""

    class Kind(models.TextChoices):
        HEALTH_DATA_PROCESSING = "health_data_processing", _("Processing of health data")
        HOSPITAL_SHARING = "hospital_sharing", _("Sharing with partner hospitals in China")
        MARKETING_EMAIL = "marketing_email", _("News by email")

    enquiry = models.ForeignKey(Enquiry, on_delete=models.CASCADE, related_name="consents")
    kind = models.CharField(_("consent to"), max_length=30, choices=Kind)
    given = models.BooleanField(_("given"))
    text_version = models.CharField(_("text version"), max_length=20)
    text = models.TextField(_("text as shown"))
    language = models.CharField(_("language"), max_length=10)
    given_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["enquiry_id", "kind", "given_at"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    def __str__(self):
        return f"{self.get_kind_display()}: {self.given}"


class RecordFile(models.Model):
    """A medical record a patient uploaded, stored privately under a random name."""

    enquiry = models.ForeignKey(Enquiry, on_delete=models.CASCADE, related_name="record_files")
    file = models.FileField(_("file"), storage=medical_records_storage, max_length=200)
    original_name = models.CharField(_("original file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=50)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        ordering = ["enquiry_id", "uploaded_at", "pk"]
        verbose_name = _("medical record file")
        verbose_name_plural = _("medical record files")

    def __str__(self):
        return f"{self.content_type}, {self.size} bytes"

    @classmethod
    def store(cls, enquiry, uploaded_file):
        """Write the upload to private storage under a random name; return the unsaved record.

        Its `file.name` is what to delete if the transaction fails."""
        content_type = uploads.detect_content_type(uploaded_file)
        if content_type is None:
            raise ValueError("Only files the form accepted may be stored.")
        record = cls(
            enquiry=enquiry,
            original_name=uploaded_file.name[:255],
            content_type=content_type,
            size=uploaded_file.size,
            sha256=uploads.sha256_of(uploaded_file),
        )
        record.file.save(uploads.random_storage_name(content_type), uploaded_file, save=False)
        return record


class EnquiryEvent(models.Model):
    """One thing that happened to an enquiry, for its timeline. Never holds personal data."""

    class Kind(models.TextChoices):
        RECEIVED = "received", _("Received")
        NOTIFICATION_SENT = "notification_sent", _("Notification sent")
        NOTIFICATION_FAILED = "notification_failed", _("Notification failed")

    enquiry = models.ForeignKey(Enquiry, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("what happened"), max_length=30, choices=Kind)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["enquiry_id", "created_at", "pk"]
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def __str__(self):
        return self.get_kind_display()

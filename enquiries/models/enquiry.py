"""The enquiry: what one patient sent, its reference, and the workflow coordinators run on it."""

import secrets
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import (
    Case,
    Exists,
    OuterRef,
    Q,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from enquiries import duplicates, records, sla
from enquiries.models.emails import OutgoingEmail
from enquiries.models.timeline import EnquiryEvent, Note, staff_name

# Letters and digits a person cannot confuse when reading a reference aloud or on paper:
# no 0/O, 1/I/L, or U (read as V). 30 symbols, 8 of them: about 6.6e11 references.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_ATTEMPTS = 5


def new_reference():
    """A fresh, unguessable, human-friendly reference such as CT-7KQ4-M2XP."""
    symbols = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"CT-{symbols[:4]}-{symbols[4:]}"


@dataclass
class AttachedFiles:
    """What became of the files a patient sent again with a form already stored."""

    added: int = 0
    already_there: int = 0
    over_the_limit: int = 0
    # Closed, spam or anonymised: the enquiry takes no more files (retention would never remove
    # them from an anonymised one), so none of them was stored.
    enquiry_closed: bool = False


def overdue_condition(now=None):
    """Open enquiries whose first-reply promise has passed unanswered, or whose follow-up is past
    its deadline (the close of its working day, enquiries.sla.follow_up_due). A Q, so aggregates
    can count it too; both deadlines are stored and indexed."""
    now = now or timezone.now()
    return Enquiry.open_condition() & (
        Q(first_replied_at__isnull=True, first_reply_due_at__lt=now) | Q(follow_up_due_at__lt=now)
    )


@dataclass(frozen=True)
class NextDue:
    """The deadline an open enquiry is held to next: when, and which one (an OverdueReason)."""

    at: datetime
    kind: str

    def is_overdue(self, now):
        return self.at < now


class EnquiryQuerySet(models.QuerySet):
    def open(self):
        return self.filter(Enquiry.open_condition())

    def overdue(self, now=None):
        return self.filter(overdue_condition(now))

    def delete_with_files(self):
        """Delete these enquiries with everything hanging off them (consents, files, notes,
        events, referrals, plans, documents for the patient) and, once that is committed, their
        files in storage. Returns the references."""
        enquiries = list(self.prefetch_related("record_files", "case_documents", "referrals"))
        files = [file for enquiry in enquiries for file in enquiry.stored_files()]
        Enquiry.objects.filter(pk__in=[enquiry.pk for enquiry in enquiries]).delete()
        transaction.on_commit(lambda: records.delete_stored_files(files))
        return [enquiry.reference for enquiry in enquiries]

    def with_news_from_patient(self):
        """Enquiries holding a message or files from the patient that no coordinator has seen."""
        return self.filter(news_from_patient_at__isnull=False)

    def with_email_trouble(self, now=None):
        """Enquiries with an email that gave up, or that is still unsent after
        ENQUIRY_EMAIL_STUCK_MINUTES (a dead worker, a mail server down for long)."""
        troubled = OutgoingEmail.objects.needing_attention(now).filter(enquiry=OuterRef("pk"))
        return self.filter(Exists(troubled))

    def with_possible_duplicate_flag(self):
        """Annotates `has_possible_duplicate`: one indexed EXISTS per key. Use it on a page of
        rows (pk__in=…), never under an OFFSET: the database computes it for skipped rows too."""
        others = Enquiry.objects.exclude(pk=OuterRef("pk"))

        def same(key):
            # A blank key matches nothing; the CASE keeps the database from scanning the
            # thousands of rows that share the blank value (40 % of enquiries give no phone).
            return Case(
                When(**{key: ""}, then=Value(False)),
                default=Exists(others.filter(**{key: OuterRef(key)})),
                output_field=models.BooleanField(),
            )

        return self.annotate(
            has_possible_duplicate=Q(same("email_key")) | Q(same("phone_key")) | Q(same("name_key"))
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
        # Set only by close_as_duplicate_of(), which also says of which enquiry.
        DUPLICATE = "duplicate", _("Closed: duplicate")
        SPAM = "spam", _("Spam")

    # Nobody works an enquiry in one of these any more: never overdue, takes no more files, and
    # retention counts from when it entered one (closed_at). Every other status is open.
    CLOSED_STATUSES = frozenset(
        {
            Status.CLOSED_TREATED,
            Status.CLOSED_NOT_ELIGIBLE,
            Status.CLOSED_WITHDREW,
            Status.CLOSED_NO_RESPONSE,
            Status.DUPLICATE,
            Status.SPAM,
        }
    )

    class Priority(models.TextChoices):
        LOW = "low", _("Low")
        NORMAL = "normal", _("Normal")
        HIGH = "high", _("High")
        URGENT = "urgent", _("Urgent")

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
    # The label of the privacy notice in force when the patient sent the form (text, never a
    # foreign key: the notice lives in therapy_info, which enquiries never imports).
    privacy_notice_version = models.CharField(
        _("privacy notice version"), max_length=20, blank=True
    )

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
    # Where a coordinator finds the patient on WeChat or Telegram, when that is the channel.
    messenger_id = models.CharField(_("WeChat or Telegram ID"), max_length=64, blank=True)
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
        "therapy_info.City",
        verbose_name=_("preferred cities"),
        related_name="enquiries",
        blank=True,
    )
    no_city_preference = models.BooleanField(_("no city preference"), default=False)
    # Chosen with "Start my treatment here" on a programme's page; coordinators see it.
    preferred_programme = models.ForeignKey(
        "therapy_info.Programme",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("preferred hospital"),
    )
    # When a coordinator asked the patient, on the case page, to agree to sharing with hospitals.
    hospital_sharing_requested_at = models.DateTimeField(
        _("asked to agree to sharing with hospitals"), null=True, blank=True
    )
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
    # The close of the follow-up date's working day (enquiries.sla.follow_up_due), kept in step by
    # save() and moved with the working calendar, so "overdue" is one indexed comparison.
    follow_up_due_at = models.DateTimeField(
        _("follow-up due"), null=True, blank=True, editable=False
    )
    first_replied_at = models.DateTimeField(_("first replied"), null=True, blank=True)
    first_reply_due_at = models.DateTimeField(_("first reply due"))
    # When it entered a closed status (or spam): retention counts from here (enquiries.retention).
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, db_index=True)
    # Set once retention has blanked the personal data; the row stays as an aggregate fact.
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)
    # Since when the patient has sent something (a file, a message) no coordinator has seen yet.
    news_from_patient_at = models.DateTimeField(
        _("new from the patient since"), null=True, blank=True, db_index=True
    )

    # Where the answers point (enquiries.pathways), stored for the list's filters: consistent
    # with an approved product's label, or taken by an open trial. Computed when the enquiry
    # arrives and again, for open enquiries, when the products, rules or trials change.
    matches_approved_label = models.BooleanField(
        _("matches an approved label"), default=False, editable=False
    )
    has_possible_trial = models.BooleanField(_("possible trial"), default=False, editable=False)
    pathway_checked_at = models.DateTimeField(
        _("pathway checked"), null=True, blank=True, editable=False
    )

    # The enquiry of the same person this one was closed as a duplicate of (status DUPLICATE).
    # SET_NULL, not PROTECT: erasing the surviving enquiry must never be blocked by a duplicate
    # outside the erased set (the person's expansion is bounded, enquiries.person).
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("duplicate of"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="duplicates",
    )

    # Normalised copies of what identifies a person, kept in step by save() and indexed, so the
    # list can flag possible duplicates with a cheap lookup (enquiries.duplicates).
    email_key = models.CharField(max_length=254, blank=True, editable=False, db_index=True)
    phone_key = models.CharField(max_length=32, blank=True, editable=False, db_index=True)
    name_key = models.CharField(max_length=220, blank=True, editable=False, db_index=True)

    objects = EnquiryQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("enquiry")
        verbose_name_plural = _("enquiries")
        indexes = [
            models.Index(fields=["status", "-submitted_at"]),
            # The "overdue" filter and the dashboard's overdue list.
            models.Index(fields=["follow_up_due_at"], name="enquiry_follow_up_due_idx"),
            models.Index(fields=["first_reply_due_at"], name="enquiry_first_reply_due_idx"),
            # The list's pathway filters, in the list's order: a filtered page reads 50 rows.
            models.Index(
                fields=["matches_approved_label", "-submitted_at"],
                name="enquiry_label_match_idx",
            ),
            models.Index(
                fields=["has_possible_trial", "-submitted_at"], name="enquiry_possible_trial_idx"
            ),
        ]
        permissions = [
            ("export_enquiries", _("Can export enquiries to CSV")),
            ("reassign_enquiries", _("Can assign enquiries to any coordinator")),
            ("download_record_files", _("Can download medical record files")),
            (
                "export_patient_data",
                _("Can export everything held about a patient (subject access request)"),
            ),
            ("erase_enquiry", _("Can erase an enquiry and its files at the patient's request")),
        ]

    DUPLICATE_SOURCE_FIELDS = frozenset({"email", "phone", "patient_name", "birth_year"})
    DUPLICATE_KEY_FIELDS = frozenset({"email_key", "phone_key", "name_key"})

    def __str__(self):
        return self.reference

    def save(self, *args, **kwargs):
        # Here, so every way an enquiry is made (the form, seeding, tests) is held to the promise;
        # the rule itself is the service promise's (enquiries.sla).
        if self.first_reply_due_at is None:
            self.first_reply_due_at = sla.first_reply_due(self.submitted_at)
        # schedule_follow_up() sets the follow-up's deadline with the date; an enquiry made with
        # a date (seeding, tests) gets it here.
        if self.next_follow_up_on is None:
            self.follow_up_due_at = None
        elif self.follow_up_due_at is None:
            self.follow_up_due_at = sla.follow_up_due(
                self.next_follow_up_on, sla.current_calendar()
            )
        self.refresh_duplicate_keys()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and self.DUPLICATE_SOURCE_FIELDS & set(update_fields):
            kwargs["update_fields"] = {*update_fields, *self.DUPLICATE_KEY_FIELDS}
        super().save(*args, **kwargs)

    def refresh_duplicate_keys(self):
        self.email_key = duplicates.email_key(self.email)
        self.phone_key = duplicates.phone_key(self.phone)
        self.name_key = duplicates.name_key(self.patient_name, self.birth_year)

    @classmethod
    def open_condition(cls):
        """Open enquiries as a Q, for querysets and aggregates; `is_open` is the same rule for
        one enquiry in memory."""
        # Sorted: the same SQL on every run, whatever order the set iterates in.
        return ~Q(status__in=sorted(cls.CLOSED_STATUSES))

    @property
    def is_open(self):
        return self.status not in self.CLOSED_STATUSES

    class OverdueReason(models.TextChoices):
        FIRST_REPLY = "first_reply"
        FOLLOW_UP = "follow_up"

    def overdue_reason(self, now=None):
        """Why the enquiry is overdue (the first reply wins), or None: the same rule as
        EnquiryQuerySet.overdue(), for one enquiry already in memory."""
        now = now or timezone.now()
        if not self.is_open:
            return None
        if self.first_replied_at is None and self.first_reply_due_at < now:
            return self.OverdueReason.FIRST_REPLY
        if self.follow_up_due_at is not None and self.follow_up_due_at < now:
            return self.OverdueReason.FOLLOW_UP
        return None

    def next_due(self):
        """The deadline this enquiry is held to next, a NextDue, or None when it is closed or
        nothing is due: the earlier of the first reply's (while unanswered) and the follow-up's.
        Overdue or not: NextDue.is_overdue says, by the same rule as overdue_reason()."""
        if not self.is_open:
            return None
        deadlines = []
        if self.first_replied_at is None:
            deadlines.append(NextDue(self.first_reply_due_at, self.OverdueReason.FIRST_REPLY))
        if self.follow_up_due_at is not None:
            deadlines.append(NextDue(self.follow_up_due_at, self.OverdueReason.FOLLOW_UP))
        # The first reply wins a tie, as in overdue_reason().
        return min(deadlines, key=lambda deadline: deadline.at, default=None)

    def is_overdue(self, now=None):
        return self.overdue_reason(now) is not None

    # The workflow. The admin's forms and actions call these, never set the fields themselves,
    # so every change leaves an event with who made it. Each returns whether anything changed.

    def change_status(self, new_status, *, by):
        old_status = self.status
        if new_status == old_status:
            return False
        if new_status == self.Status.DUPLICATE:
            raise ValueError("Close an enquiry as a duplicate with close_as_duplicate_of().")
        was_open = self.is_open
        self.status = new_status
        if self.is_open:
            self.closed_at = None
        elif was_open:
            self.closed_at = timezone.now()
        # Out of "duplicate", it is nobody's duplicate any more.
        self.duplicate_of = None
        self.save(update_fields=["status", "closed_at", "duplicate_of"])
        self.record_event(
            EnquiryEvent.Kind.STATUS_CHANGED, actor=by, old=old_status, new=new_status
        )
        return True

    def close_as_duplicate_of(self, other, *, by):
        """Close this enquiry as a duplicate of `other`, an open enquiry of the same person
        (enquiries.person) that is not itself a duplicate: the patient is followed on `other`
        from now on. Both timelines say so. Raises PermissionDenied without the change
        permission, ValidationError when `other` cannot be the one to follow."""
        from enquiries.person import person_of  # the person module imports this one

        if not by.has_perm("enquiries.change_enquiry"):
            raise PermissionDenied("Only coordinators may close an enquiry as a duplicate.")
        with transaction.atomic():
            this, other = (
                Enquiry.objects.select_for_update().get(pk=pk) for pk in (self.pk, other.pk)
            )
            this.check_can_be_closed_as_duplicate_of(other)
            if other.pk not in person_of(this).pks:
                raise ValidationError(
                    _("%(other)s is not an enquiry of the same person as %(this)s.")
                    % {"other": other.reference, "this": this.reference}
                )
            old_status = this.status
            this.status = self.Status.DUPLICATE
            this.duplicate_of = other
            this.closed_at = timezone.now()
            this.save(update_fields=["status", "duplicate_of", "closed_at"])
            this.record_event(
                EnquiryEvent.Kind.CLOSED_AS_DUPLICATE,
                actor=by,
                of=other.reference,
                old=old_status,
            )
            other.record_event(
                EnquiryEvent.Kind.DUPLICATE_CLOSED_INTO_THIS, actor=by, duplicate=this.reference
            )
        for name in ("status", "duplicate_of", "closed_at"):
            setattr(self, name, getattr(this, name))
        return True

    def check_can_be_closed_as_duplicate_of(self, other):
        """The rules that need no search for the person: not itself, both open, no chains."""
        if other.pk == self.pk:
            raise ValidationError(_("An enquiry cannot be a duplicate of itself."))
        if not self.is_open:
            raise ValidationError(
                _("%(this)s is already closed (%(status)s).")
                % {"this": self.reference, "status": self.get_status_display()}
            )
        if other.status == self.Status.DUPLICATE:
            # No chains: the patient and the coordinators follow one enquiry, not a trail.
            raise ValidationError(
                _(
                    "%(other)s is itself closed as a duplicate: close this one as a duplicate "
                    "of the enquiry it points to."
                )
                % {"other": other.reference}
            )
        if not other.is_open:
            raise ValidationError(
                _("%(other)s is closed (%(status)s): the patient cannot be followed there.")
                % {"other": other.reference, "status": other.get_status_display()}
            )
        if self.duplicates.exists():
            raise ValidationError(
                _(
                    "Other enquiries were closed as duplicates of %(this)s: it stays the one "
                    "to follow."
                )
                % {"this": self.reference}
            )

    def can_be_assigned(self, to, *, by):
        """Leads give any enquiry to anyone; a coordinator takes an unassigned enquiry for
        themself, or hands back their own."""
        if by.has_perm("enquiries.reassign_enquiries"):
            return True
        return self.assigned_to_id in (None, by.pk) and (to is None or to.pk == by.pk)

    def assign(self, to, *, by):
        if (to.pk if to else None) == self.assigned_to_id:
            return False
        if not self.can_be_assigned(to, by=by):
            raise PermissionDenied("Only lead coordinators may reassign an enquiry.")
        old_name = staff_name(self.assigned_to)
        self.assigned_to = to
        self.save(update_fields=["assigned_to"])
        self.record_event(EnquiryEvent.Kind.ASSIGNED, actor=by, old=old_name, new=staff_name(to))
        return True

    def change_priority(self, new_priority, *, by):
        old_priority = self.priority
        if new_priority == old_priority:
            return False
        self.priority = new_priority
        self.save(update_fields=["priority"])
        self.record_event(
            EnquiryEvent.Kind.PRIORITY_CHANGED, actor=by, old=old_priority, new=new_priority
        )
        return True

    def schedule_follow_up(self, on, *, by):
        if on == self.next_follow_up_on:
            return False
        self.next_follow_up_on = on
        self.follow_up_due_at = sla.follow_up_due(on, sla.current_calendar()) if on else None
        self.save(update_fields=["next_follow_up_on", "follow_up_due_at"])
        self.record_event(
            EnquiryEvent.Kind.FOLLOW_UP_SCHEDULED, actor=by, on=on.isoformat() if on else None
        )
        return True

    def mark_news_from_patient_seen(self, *, by):
        """A coordinator has seen what the patient sent: the flag goes, the patient's messages
        count as read, and the timeline says who saw them."""
        if self.news_from_patient_at is None:
            return False
        now = timezone.now()
        self.news_from_patient_at = None
        self.save(update_fields=["news_from_patient_at"])
        self.messages.filter(sender="patient", read_at__isnull=True).update(read_at=now)
        self.record_event(EnquiryEvent.Kind.NEWS_FROM_PATIENT_SEEN, actor=by)
        return True

    def record_first_reply(self, *, by, at=None):
        """The first-reply promise is kept once: a later call changes nothing."""
        if self.first_replied_at is not None:
            return False
        self.first_replied_at = at or timezone.now()
        self.save(update_fields=["first_replied_at"])
        self.record_event(EnquiryEvent.Kind.FIRST_REPLY_RECORDED, actor=by)
        return True

    def add_note(self, text, *, by):
        note = Note.objects.create(enquiry=self, author=by, text=text)
        # The event says a note exists; its text stays on the note.
        self.record_event(EnquiryEvent.Kind.NOTE_ADDED, actor=by, note=note.pk)
        return note

    # What retention blanks: everything a patient typed or a link carried that could name or
    # describe them. Kept as aggregate facts: relationship, gender, decade of birth, country,
    # the chosen diagnosis and treatment answers, cities, consents, source page and workflow.
    ANONYMISED_TEXT_FIELDS = (
        "enquirer_name",
        "referring_hospital",
        "patient_name",
        "email",
        "phone",
        "messenger_id",
        "preferred_language",
        "best_time_to_reach",
        "time_zone",
        "diagnosis_details",
        "medical_summary",
        "utm_source",
        "utm_medium",
        "utm_campaign",
        "utm_term",
        "utm_content",
    )

    def stored_files(self):
        """Every file of this enquiry in private storage: the patient's records, the referrals'
        summaries and the documents given to the patient."""
        return [
            *(record.file for record in self.record_files.all()),
            *(document.file for document in self.case_documents.all()),
            *(
                referral.summary_document
                for referral in self.referrals.all()
                if referral.summary_document
            ),
        ]

    def anonymise(self, *, at=None):
        """Blank the personal data, empty the notes, delete the files (from storage once
        committed); the enquiry stays for the figures. Its referrals stay as facts (which
        programme, when, its answer, a plan's cost and the patient's decision) without their
        package, the programme's words or a plan's texts. Anonymising twice changes nothing."""
        if self.anonymised_at is not None:
            return False
        files = self.stored_files()
        with transaction.atomic():
            for name in self.ANONYMISED_TEXT_FIELDS:
                setattr(self, name, "")
            self.birth_date = None
            self.birth_year = self.birth_year // 10 * 10
            self.anonymised_at = at or timezone.now()
            self.save()
            self.notes.update(text="")
            # The conversation is as personal as the notes; the links would open a blank page.
            self.messages.update(text="")
            self.case_links.all().delete()
            self.record_files.all().delete()
            self.case_documents.all().delete()
            self.anonymise_referrals()
            # The email records hold no address, but their Message-IDs match the mail
            # provider's logs, which do.
            self.emails.all().delete()
            self.record_event(EnquiryEvent.Kind.ANONYMISED, files=len(files))
            transaction.on_commit(lambda: records.delete_stored_files(files))
        return True

    def anonymise_referrals(self):
        """What retention keeps of the referrals: the programme, how and when, its answer, the
        plans' dates, cost and the patient's decision. Not what went (the summary, the files'
        names), how it went otherwise, the programme's words, nor what a plan proposed and
        included: any of them may describe the patient."""
        from enquiries.models.referrals import Referral, ReferralFile, TreatmentPlan

        ReferralFile.objects.filter(referral__enquiry=self).delete()
        Referral.objects.filter(enquiry=self).update(
            summary_document="", summary_sha256="", sent_to="", answer_note=""
        )
        TreatmentPlan.objects.filter(referral__enquiry=self).update(
            proposal="", includes="", excludes=""
        )

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

    def attach_record_files(self, uploaded_files):
        """Add the files a patient sent again with this enquiry's form (a resend after a dropped
        connection, or the back button and a new file): in one transaction with an event, those
        already attached (same SHA-256) skipped, never more than MAX_FILES in all. If anything
        fails, nothing is kept: no rows, no files. A closed, spam or anonymised enquiry takes
        none (`enquiry_closed`)."""
        outcome = AttachedFiles()
        with records.atomic_with_files() as store_all:
            # Two resends at once must not both find room for the last file, and a coordinator
            # closing it (or retention anonymising it) meanwhile must not see files arrive.
            current = (
                Enquiry.objects.select_for_update()
                .only("pk", "status", "anonymised_at")
                .get(pk=self.pk)
            )
            if not current.takes_files_sent_again:
                outcome.enquiry_closed = True
                return outcome
            known = set(self.record_files.values_list("sha256", flat=True))
            room = records.MAX_FILES - self.record_files.count()
            new_files = []
            for uploaded in uploaded_files:
                digest = records.sha256_of(uploaded)
                if digest in known:
                    outcome.already_there += 1
                elif room <= 0:
                    outcome.over_the_limit += 1
                else:
                    new_files.append(uploaded)
                    known.add(digest)
                    room -= 1
            outcome.added = len(store_all(self, new_files))
            if outcome.added:
                self.record_event(EnquiryEvent.Kind.FILES_ADDED, files=outcome.added)
        return outcome

    @property
    def has_case_page(self):
        """Whether the patient's links open a case page: not for spam, nor once anonymised (an
        erased enquiry is gone with its links)."""
        return self.status != self.Status.SPAM and self.anonymised_at is None

    @property
    def takes_files_sent_again(self):
        return self.anonymised_at is None and self.is_open

    def record_event(self, kind, *, actor=None, **details):
        """Add an event to the timeline. `details` must never hold personal or health data."""
        return EnquiryEvent.objects.create(enquiry=self, kind=kind, actor=actor, details=details)

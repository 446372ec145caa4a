"""What the back office knows about a coordinator beyond their account (the languages they speak,
whether they take new enquiries, when they are away, their time zone), and the lead
coordinators' switch for giving new enquiries out automatically (enquiries.assignment)."""

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from enquiries.working_calendar import validate_time_zone

# A coordinator without a profile, or a new profile nobody edited: English only. The back office
# is in English, so that much every coordinator reads; the other languages are a person's word.
DEFAULT_LANGUAGES = ("en",)
DEFAULT_TIME_ZONE = "Asia/Shanghai"


def default_languages():
    return list(DEFAULT_LANGUAGES)


def validate_languages(value):
    """A list of the site's language codes (settings.LANGUAGES), each once."""
    codes = {code for code, _name in settings.LANGUAGES}
    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        raise ValidationError(_("A list of language codes."))
    unknown = sorted(set(value) - codes)
    if unknown:
        raise ValidationError(
            _("Not a language of the site: %(codes)s."), params={"codes": ", ".join(unknown)}
        )
    if len(set(value)) != len(value):
        raise ValidationError(_("Each language once."))


def language_name(code):
    """A language code of the site as a person reads it ("Russian"), in the active language."""
    return dict(settings.LANGUAGES).get(code, code)


class CoordinatorProfile(models.Model):
    """One coordinator's languages and availability, which automatic assignment reads, and their
    time zone. A coordinator edits their own; lead coordinators edit anyone's."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("coordinator"),
        on_delete=models.CASCADE,
        related_name="coordinator_profile",
    )
    languages = models.JSONField(
        _("languages spoken"),
        default=default_languages,
        blank=True,
        validators=[validate_languages],
        help_text=_("New enquiries in these languages may be given to this coordinator."),
    )
    accepting_new_enquiries = models.BooleanField(
        _("takes new enquiries"),
        default=True,
        help_text=_("Untick to be left out when new enquiries are given out automatically."),
    )
    away_until = models.DateField(
        _("away until"),
        null=True,
        blank=True,
        help_text=_(
            "Away through this day, included: no new enquiries until the day after. Days are "
            "those of the working calendar's time zone."
        ),
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default=DEFAULT_TIME_ZONE,
        validators=[validate_time_zone],
        help_text=_("Where this coordinator works: the back office shows times in it."),
    )
    # Round-robin: the coordinator given a new enquiry longest ago (or never) is next.
    last_auto_assigned_at = models.DateTimeField(
        _("last given a new enquiry automatically"), null=True, blank=True, editable=False
    )

    class Meta:
        ordering = ["user__first_name", "user__last_name", "user__username"]
        verbose_name = _("coordinator profile")
        verbose_name_plural = _("coordinator profiles")
        permissions = [
            ("change_any_coordinator_profile", _("Can change any coordinator's profile")),
        ]

    def __str__(self):
        from enquiries.models.timeline import staff_name

        return staff_name(self.user)

    @classmethod
    def for_user(cls, user):
        """The user's profile, created with the defaults if they have none yet."""
        profile, _created = cls.objects.get_or_create(user=user)
        return profile

    def speaks(self, language):
        return language in self.languages

    def is_away_on(self, day):
        return self.away_until is not None and day <= self.away_until

    def takes_new_enquiries_on(self, day):
        return self.accepting_new_enquiries and not self.is_away_on(day)

    def zone(self):
        return zoneinfo.ZoneInfo(self.time_zone)

    def languages_display(self):
        return ", ".join(str(language_name(code)) for code in self.languages) or "—"


class AssignmentPool(models.TextChoices):
    """Among whom automatic assignment chose (enquiries.assignment), as its timeline event says."""

    SPEAKS_LANGUAGE = "speaks_language", _("coordinators who speak the language")
    AVAILABLE = "available", _("coordinators who take new enquiries")
    ALL_ACTIVE = "all_active", _("all active coordinators")


class AssignmentRule(models.Model):
    """The one switch lead coordinators turn: new enquiries are given out automatically, or stay
    unassigned until someone takes them."""

    assign_new_enquiries_automatically = models.BooleanField(
        _("assign new enquiries automatically"),
        default=True,
        help_text=_(
            "Each new enquiry goes to the coordinator given one longest ago among those who take "
            "new enquiries, are not away and speak the patient's language; if none speaks it, "
            "among all who take new enquiries and are not away; if none is, among all active "
            "coordinators."
        ),
    )

    class Meta:
        verbose_name = _("assignment rule")
        verbose_name_plural = _("assignment rule")

    def __str__(self):
        return str(_("Assignment of new enquiries"))

    @classmethod
    def load(cls):
        """The rule; the migration creates it, and a database without it gets the default."""
        rule, _created = cls.objects.get_or_create(pk=1)
        return rule

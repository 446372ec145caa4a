"""What a patient agreed to, in the words and language they were shown."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Consent(models.Model):
    """What the patient agreed to (or did not), in the words and language they were shown."""

    class Kind(models.TextChoices):
        HEALTH_DATA_PROCESSING = "health_data_processing", _("Processing of health data")
        HOSPITAL_SHARING = "hospital_sharing", _("Sharing with partner hospitals in China")
        MARKETING_EMAIL = "marketing_email", _("News by email")

    enquiry = models.ForeignKey(
        "enquiries.Enquiry", on_delete=models.CASCADE, related_name="consents"
    )
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
        given = _("given") if self.given else _("not given")
        return f"{self.get_kind_display()}: {given}"

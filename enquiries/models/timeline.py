"""What happened to an enquiry (its timeline) and the coordinators' internal notes."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enquiries.models.staff import AssignmentPool, language_name


class EnquiryEvent(models.Model):
    """One thing that happened to an enquiry, for its timeline. Never holds personal data."""

    class Kind(models.TextChoices):
        RECEIVED = "received", _("Received")
        FILES_ADDED = "files_added", _("Files added by the patient")
        NOTIFICATION_SENT = "notification_sent", _("Notification sent")
        NOTIFICATION_FAILED = "notification_failed", _("Notification failed")
        STATUS_CHANGED = "status_changed", _("Status changed")
        ASSIGNED = "assigned", _("Assigned")
        ASSIGNED_AUTOMATICALLY = "assigned_automatically", _("Assigned automatically")
        PRIORITY_CHANGED = "priority_changed", _("Priority changed")
        FOLLOW_UP_SCHEDULED = "follow_up_scheduled", _("Follow-up scheduled")
        FIRST_REPLY_RECORDED = "first_reply_recorded", _("First reply sent")
        NOTE_ADDED = "note_added", _("Note added")
        RECORD_DOWNLOADED = "record_downloaded", _("Record downloaded")
        EXPORTED = "exported", _("Exported")
        PATIENT_DATA_EXPORTED = (
            "patient_data_exported",
            _("Patient's data exported (access request)"),
        )
        ANONYMISED = "anonymised", _("Anonymised (retention period over)")
        FILES_UPLOADED = "files_uploaded", _("Files uploaded by the patient on their case page")
        MESSAGE_FROM_PATIENT = "message_from_patient", _("Message from the patient")
        CASE_LINK_SENT = "case_link_sent", _("A fresh case page link was sent to the patient")
        NEWS_FROM_PATIENT_SEEN = "news_from_patient_seen", _("What the patient sent was seen")
        MESSAGE_TO_PATIENT = "message_to_patient", _("Message to the patient")
        PATIENT_READ_MESSAGES = (
            "patient_read_messages",
            _("The patient read the coordinators' messages"),
        )
        CLOSED_AS_DUPLICATE = "closed_as_duplicate", _("Closed as a duplicate")
        DUPLICATE_CLOSED_INTO_THIS = (
            "duplicate_closed_into_this",
            _("Another enquiry was closed as a duplicate of this one"),
        )
        HOSPITAL_SHARING_REQUESTED = (
            "hospital_sharing_requested",
            _("The patient was asked to agree to sharing with hospitals"),
        )
        HOSPITAL_SHARING_GIVEN = (
            "hospital_sharing_given",
            _("The patient agreed to sharing with hospitals on the case page"),
        )
        REFERRED = "referred", _("Referred to a programme")
        REFERRAL_ANSWERED = "referral_answered", _("The programme answered")
        PLAN_RECORDED = "plan_recorded", _("Treatment plan recorded")
        PLAN_ACCEPTED = "plan_accepted", _("The patient accepted a treatment plan")
        PLAN_DECLINED = "plan_declined", _("The patient declined a treatment plan")
        DOCUMENT_ADDED = "document_added", _("Document added for the patient")

    enquiry = models.ForeignKey(
        "enquiries.Enquiry", on_delete=models.CASCADE, related_name="events"
    )
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

    def describe(self):
        """One readable line for the timeline, in the reader's language."""
        line = TIMELINE_LINES.get(self.kind)
        return line(self) if line else self.get_kind_display()


def _status_changed(event):
    from enquiries.models.enquiry import Enquiry  # the enquiry module imports this one

    return _("Status: %(old)s → %(new)s") % {
        "old": choice_label(Enquiry.Status, event.details.get("old")),
        "new": choice_label(Enquiry.Status, event.details.get("new")),
    }


def _assigned(event):
    if event.details.get("new"):
        return _("Assigned to %(name)s") % {"name": event.details["new"]}
    return _("Unassigned (was %(name)s)") % {"name": event.details.get("old") or "—"}


def _assigned_automatically(event):
    details = event.details
    language = language_name(details.get("language", ""))
    why = {
        AssignmentPool.SPEAKS_LANGUAGE: _("speaks %(language)s"),
        AssignmentPool.AVAILABLE: _(
            "no coordinator taking new enquiries speaks %(language)s: round-robin among all "
            "who take them"
        ),
        AssignmentPool.ALL_ACTIVE: _(
            "no coordinator takes new enquiries now: round-robin among all active coordinators"
        ),
    }.get(details.get("pool"))
    line = _("Assigned automatically to %(name)s") % {"name": details.get("new") or "—"}
    if why is None:
        return line
    return _("%(line)s (%(why)s)") % {"line": line, "why": why % {"language": language}}


def _priority_changed(event):
    from enquiries.models.enquiry import Enquiry  # the enquiry module imports this one

    return _("Priority: %(old)s → %(new)s") % {
        "old": choice_label(Enquiry.Priority, event.details.get("old")),
        "new": choice_label(Enquiry.Priority, event.details.get("new")),
    }


def _follow_up_scheduled(event):
    if event.details.get("on"):
        return _("Next follow-up set to %(date)s") % {"date": event.details["on"]}
    return _("Next follow-up date cleared")


def _received(event):
    return _("Received with %(count)s file(s)") % {"count": event.details.get("files", 0)}


def _files_added(event):
    return _("%(count)s file(s) added by the patient (the form sent again)") % {
        "count": event.details.get("files", 0)
    }


def _files_uploaded(event):
    return _("%(count)s file(s) uploaded by the patient on their case page") % {
        "count": event.details.get("files", 0)
    }


def _notification(event):
    return _("%(what)s: %(recipient)s email (attempt %(attempt)s)") % {
        "what": event.get_kind_display(),
        "recipient": event.details.get("recipient", ""),
        "attempt": event.details.get("attempt", 1),
    }


def _patient_read_messages(event):
    return _("The patient read %(count)s message(s) from the coordinators on their case page") % {
        "count": event.details.get("messages", 0)
    }


def _record_downloaded(event):
    return _("Medical record file #%(file)s downloaded") % {"file": event.details.get("file")}


def _closed_as_duplicate(event):
    from enquiries.models.enquiry import Enquiry  # the enquiry module imports this one

    return _("Closed as a duplicate of %(reference)s (was: %(old)s)") % {
        "reference": event.details.get("of", "—"),
        "old": choice_label(Enquiry.Status, event.details.get("old")),
    }


def _duplicate_closed_into_this(event):
    return _("%(reference)s was closed as a duplicate of this enquiry") % {
        "reference": event.details.get("duplicate", "—")
    }


def _referred(event):
    from enquiries.models.referrals import Referral  # that module imports this one

    programme = event.details.get("programme")
    if not programme:
        return event.get_kind_display()
    if event.details.get("method") == Referral.Method.EMAIL:
        return _("Referred to %(programme)s by email to its international office") % {
            "programme": programme
        }
    return _("Referred to %(programme)s, sent by other means") % {"programme": programme}


def _referral_answered(event):
    from enquiries.models.referrals import Referral  # that module imports this one

    programme = event.details.get("programme")
    if not programme:
        return event.get_kind_display()
    return _("%(programme)s answered: %(answer)s") % {
        "programme": programme,
        "answer": choice_label(Referral.Status, event.details.get("status")),
    }


def _plan_recorded(event):
    programme = event.details.get("programme")
    if not programme:
        return event.get_kind_display()
    return _("Treatment plan from %(programme)s recorded (valid until %(date)s)") % {
        "programme": programme,
        "date": event.details.get("valid_until") or "—",
    }


def _plan_decided(event):
    programme = event.details.get("programme")
    if not programme:
        return event.get_kind_display()
    if event.kind == EnquiryEvent.Kind.PLAN_ACCEPTED:
        return _("The patient accepted the treatment plan of %(programme)s") % {
            "programme": programme
        }
    return _("The patient declined the treatment plan of %(programme)s") % {"programme": programme}


def _document_added(event):
    from enquiries.models.records import kind_and_size  # that module's models import this one

    details = event.details
    if "type" not in details:
        return event.get_kind_display()
    line = _("Document added for the patient: %(file)s") % {
        "file": kind_and_size(details["type"], details.get("size", 0))
    }
    if details.get("programme"):
        line = _("%(line)s, with the plan of %(programme)s") % {
            "line": line,
            "programme": details["programme"],
        }
    return line


# How each kind of event reads on the timeline; a kind not listed reads as its label, which says
# all there is to say ("Exported", "Note added").
TIMELINE_LINES = {
    EnquiryEvent.Kind.STATUS_CHANGED: _status_changed,
    EnquiryEvent.Kind.ASSIGNED: _assigned,
    EnquiryEvent.Kind.ASSIGNED_AUTOMATICALLY: _assigned_automatically,
    EnquiryEvent.Kind.PRIORITY_CHANGED: _priority_changed,
    EnquiryEvent.Kind.FOLLOW_UP_SCHEDULED: _follow_up_scheduled,
    EnquiryEvent.Kind.RECEIVED: _received,
    EnquiryEvent.Kind.FILES_ADDED: _files_added,
    EnquiryEvent.Kind.FILES_UPLOADED: _files_uploaded,
    EnquiryEvent.Kind.NOTIFICATION_SENT: _notification,
    EnquiryEvent.Kind.NOTIFICATION_FAILED: _notification,
    EnquiryEvent.Kind.RECORD_DOWNLOADED: _record_downloaded,
    EnquiryEvent.Kind.PATIENT_READ_MESSAGES: _patient_read_messages,
    EnquiryEvent.Kind.CLOSED_AS_DUPLICATE: _closed_as_duplicate,
    EnquiryEvent.Kind.DUPLICATE_CLOSED_INTO_THIS: _duplicate_closed_into_this,
    EnquiryEvent.Kind.REFERRED: _referred,
    EnquiryEvent.Kind.REFERRAL_ANSWERED: _referral_answered,
    EnquiryEvent.Kind.PLAN_RECORDED: _plan_recorded,
    EnquiryEvent.Kind.PLAN_ACCEPTED: _plan_decided,
    EnquiryEvent.Kind.PLAN_DECLINED: _plan_decided,
    EnquiryEvent.Kind.DOCUMENT_ADDED: _document_added,
}


def choice_label(choices, value):
    """The label of a stored choice, or the raw value if the choice has since been removed."""
    try:
        return choices(value).label
    except ValueError:
        return value or "—"


def staff_name(user):
    """How a staff member is named on timelines (never a patient's data)."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


class Note(models.Model):
    """An internal note by a coordinator. Notes are only ever added: a correction is a new note,
    so the record of what was known when stays honest."""

    enquiry = models.ForeignKey("enquiries.Enquiry", on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("written"), default=timezone.now)
    text = models.TextField(_("note"), max_length=4000)

    class Meta:
        ordering = ["enquiry_id", "created_at", "pk"]
        verbose_name = _("internal note")
        verbose_name_plural = _("internal notes")

    def __str__(self):
        return _("Note by %(author)s") % {"author": staff_name(self.author) or "—"}

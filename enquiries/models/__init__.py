"""The enquiries app's models, one module per concept; everything is importable from here."""

from enquiries.models.audit import AuditEntry, StaffLockout, StaffLockoutQuerySet
from enquiries.models.case import CaseLink, CaseMessage
from enquiries.models.consents import Consent
from enquiries.models.emails import OutgoingEmail, OutgoingEmailQuerySet
from enquiries.models.enquiry import (
    REFERENCE_ALPHABET,
    REFERENCE_ATTEMPTS,
    AttachedFiles,
    Enquiry,
    EnquiryQuerySet,
    NextDue,
    new_reference,
    overdue_condition,
)
from enquiries.models.records import RecordFile, medical_records_storage
from enquiries.models.referrals import CaseDocument, Referral, ReferralFile, TreatmentPlan
from enquiries.models.replies import ReplyTemplate
from enquiries.models.staff import AssignmentRule, CoordinatorProfile
from enquiries.models.timeline import EnquiryEvent, Note, choice_label, staff_name
from enquiries.working_calendar import PublicHoliday, WorkingCalendar

__all__ = [
    "REFERENCE_ALPHABET",
    "REFERENCE_ATTEMPTS",
    "AssignmentRule",
    "AttachedFiles",
    "AuditEntry",
    "CaseDocument",
    "CaseLink",
    "CaseMessage",
    "Consent",
    "CoordinatorProfile",
    "Enquiry",
    "EnquiryEvent",
    "EnquiryQuerySet",
    "NextDue",
    "Note",
    "OutgoingEmail",
    "OutgoingEmailQuerySet",
    "PublicHoliday",
    "RecordFile",
    "Referral",
    "ReferralFile",
    "ReplyTemplate",
    "StaffLockout",
    "StaffLockoutQuerySet",
    "TreatmentPlan",
    "WorkingCalendar",
    "choice_label",
    "medical_records_storage",
    "new_reference",
    "overdue_condition",
    "staff_name",
]

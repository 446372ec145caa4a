"""The coordinators' back office in Django admin, one module per concept: the enquiry list and page
(enquiry), its filters, inlines, actions and extra pages (views), writing to the patient and the
reply templates (replies), the audit log and lockouts (audit), the working calendar (calendar),
coordinators' profiles and the automatic assignment switch (staff), and the permissions of what
only shows (read_only). Importing the package registers them all."""

from enquiries.admin import audit, calendar, replies, staff  # noqa: F401 (registers their admins)
from enquiries.admin.enquiry import WORKFLOW_FIELDS, EnquiryAdmin

__all__ = ["WORKFLOW_FIELDS", "EnquiryAdmin"]

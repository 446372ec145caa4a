"""A minimal back office until the coordinators' one is built: cities to manage, and enquiries
visible read-only with their consents, files and timeline."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from enquiries.models import City, Consent, Enquiry, EnquiryEvent, RecordFile


@admin.register(City)
class CityAdmin(admin.ModelAdmin):
    list_display = ["name", "active", "order"]
    list_editable = ["active", "order"]
    search_fields = ["name"]


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ConsentInline(ReadOnlyInline):
    model = Consent
    fields = ["kind", "given", "text_version", "language", "given_at", "text"]


class RecordFileInline(ReadOnlyInline):
    model = RecordFile
    # No file link: downloads come through a permission-checked view (the back-office issue).
    fields = ["original_name", "content_type", "size", "sha256", "uploaded_at"]


class EnquiryEventInline(ReadOnlyInline):
    model = EnquiryEvent
    fields = ["created_at", "kind", "actor", "details"]


@admin.register(Enquiry)
class EnquiryAdmin(admin.ModelAdmin):
    list_display = [
        "reference",
        "submitted_at",
        "patient_name",
        "country",
        "diagnosis",
        "status",
        "notification_status",
    ]
    list_filter = ["status", "notification_status", "diagnosis", "language"]
    list_select_related = ["assigned_to"]
    search_fields = ["reference", "patient_name", "email", "phone"]
    date_hierarchy = "submitted_at"
    inlines = [ConsentInline, RecordFileInline, EnquiryEventInline]
    fieldsets = [
        (None, {"fields": ["reference", "submitted_at", "language", "notification_status"]}),
        (
            _("Workflow"),
            {"fields": ["status", "assigned_to", "priority", "next_follow_up_on"]},
        ),
        (
            _("About the enquirer"),
            {"fields": ["relationship", "enquirer_name", "referring_hospital"]},
        ),
        (
            _("The patient"),
            {"fields": ["patient_name", "gender", "birth_year", "birth_date", "country"]},
        ),
        (
            _("Contact"),
            {
                "fields": [
                    "email",
                    "phone",
                    "preferred_contact_channel",
                    "preferred_language",
                    "best_time_to_reach",
                    "time_zone",
                ]
            },
        ),
        (
            _("Medical situation"),
            {
                "fields": [
                    "diagnosis",
                    "diagnosis_details",
                    "disease_status",
                    "prior_treatment_lines",
                    "prior_stem_cell_transplant",
                    "prior_car_t",
                    "target_tested",
                    "daily_self_care",
                    "medical_summary",
                ]
            },
        ),
        (
            _("Treatment in China"),
            {
                "fields": [
                    "preferred_cities",
                    "no_city_preference",
                    "travel_timeframe",
                    "companion_travelling",
                ]
            },
        ),
        (
            _("Where they came from"),
            {
                "fields": [
                    "source_page_slug",
                    "utm_source",
                    "utm_medium",
                    "utm_campaign",
                    "utm_term",
                    "utm_content",
                ]
            },
        ),
    ]
    editable_fields = {"status", "assigned_to", "priority", "next_follow_up_on"}

    def get_readonly_fields(self, request, obj=None):
        # What the patient sent is never edited; only the workflow fields are.
        return [
            field
            for _name, options in self.fieldsets
            for field in options["fields"]
            if field not in self.editable_fields
        ]

    def has_add_permission(self, request):
        return False

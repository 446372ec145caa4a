"""The back office's roles: Django groups, created by a migration, that staff accounts belong to."""

from django.utils.translation import gettext_lazy as _

COORDINATORS = "Coordinators"
LEAD_COORDINATORS = "Lead coordinators"
CONTENT_EDITORS = "Content editors"
MEDICAL_REVIEWERS = "Medical reviewers"

# What `manage.py create_staff_user --role …` accepts, and the group each role means.
ROLES = {
    "coordinator": COORDINATORS,
    "lead": LEAD_COORDINATORS,
    "content_editor": CONTENT_EDITORS,
    "medical_reviewer": MEDICAL_REVIEWERS,
}

# Who can be given an enquiry: active staff in either coordinators' group.
ASSIGNABLE_GROUPS = [COORDINATORS, LEAD_COORDINATORS]

ROLE_DESCRIPTIONS = {
    "coordinator": _(
        "sees and works enquiries, adds notes, downloads records, refers cases to programmes "
        "and records their answers"
    ),
    "lead": _(
        "also reassigns, exports, erases a person's enquiries at their request, reads the "
        "audit log, unlocks staff logins"
    ),
    "content_editor": _("edits the CAR-T pages only; never sees an enquiry"),
    "medical_reviewer": _(
        "checks and publishes the CAR-T pages, records their medical review; never sees an enquiry"
    ),
}


def assignable_staff():
    """Active staff in a coordinators' group: who an enquiry can be given to."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True, groups__name__in=ASSIGNABLE_GROUPS)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )

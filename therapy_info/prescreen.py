"""The enquiry form's pre-screen answers as the approved products' label rules and the trials refer
to them: the same keys and words as enquiries' Enquiry choices (therapy_info never imports
enquiries; tests/therapy_info/test_prescreen_vocabulary.py keeps the two in step), without the
"not sure" answers, which a rule never names: a patient who is not sure is asked, never excluded.

The diagnosis keys are therapy_info.programmes.Disease."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DiseaseStatus(models.TextChoices):
    """Enquiry.DiseaseStatus without "not sure"."""

    NEWLY_DIAGNOSED = "newly_diagnosed", _("Newly diagnosed")
    IN_REMISSION = "in_remission", _("In remission")
    RELAPSED = "relapsed", _("Relapsed (came back after treatment)")
    REFRACTORY = "refractory", _("Refractory (did not respond to treatment)")


class DailySelfCare(models.TextChoices):
    """Enquiry.DailySelfCare (a plain-language ECOG performance status) without "not sure"."""

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


class Target(models.TextChoices):
    """Enquiry.TargetTested without "not tested / not sure": the marker a CAR-T product is made
    against, as the form asks whether the patient's cancer was tested for it."""

    CD19 = "cd19", _("CD19")
    BCMA = "bcma", _("BCMA")
    OTHER = "other", _("Another target")


class PriorTherapy(models.TextChoices):
    """What a label or a trial says of a treatment the patient may have had before (a stem-cell
    transplant, CAR-T): nothing (any answer fits), or allowed, required, not allowed."""

    NOT_STATED = "", "Not stated: any answer fits"
    ALLOWED = "allowed", "Allowed"
    REQUIRED = "required", "Required"
    NOT_ALLOWED = "not_allowed", "Not allowed"


# How the form's "prior lines of treatment" answers count; "4+" is four or more.
PRIOR_LINES = {"0": 0, "1": 1, "2": 2, "3": 3, "4+": 4}
PRIOR_LINES_OPEN_ENDED = "4+"

# The form's questions as the enquiry form names them (Enquiry's fields' verbose names, kept in
# step by tests/therapy_info/test_products_and_trials_admin.py): what is still to ask is said
# with them.
QUESTIONS = {
    "diagnosis": _("diagnosis"),
    "disease_status": _("disease status"),
    "prior_treatment_lines": _("prior lines of treatment"),
    "prior_stem_cell_transplant": _("prior stem-cell transplant"),
    "prior_car_t": _("prior CAR-T therapy"),
    "target_tested": _("target tested"),
    "daily_self_care": _("day-to-day fitness"),
    "birth_year": _("year of birth"),
    "birth_date": _("date of birth"),
}

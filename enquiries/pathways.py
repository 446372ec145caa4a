"""Where each enquiry's answers point, stored on the enquiry for the list's filters ("matches an
approved label", "possible trial"; enquiries.matching decides): set when the enquiry arrives
(intake), and for every open enquiry again when a product, a rule or a trial changes (a task,
queued once per transaction by the signal receivers here) and daily (`manage.py
refresh_pathways`, as ages move with the calendar). The enquiry page and the patient's pages
compute the pathway afresh; only the list reads what is stored."""

from django.db import transaction
from django.utils import timezone

from enquiries.matching import Answers, Catalogue, forget_catalogue, match
from enquiries.models import Enquiry
from therapy_info.criteria import ANSWER_FIELDS

REFRESH_BATCH = 1_000


def points_to(answers, catalogue, today):
    """(consistent with an approved label, a possible trial) for these answers."""
    pathway = match(answers, catalogue, today=today)
    return bool(pathway.consistent_labels), bool(pathway.trials)


def set_pathway_flags(enquiry, catalogue=None, now=None):
    """Sets the enquiry's stored flags from its answers (not saved); the catalogue from the cache
    unless given."""
    now = now or timezone.now()
    catalogue = catalogue or Catalogue.current()
    enquiry.matches_approved_label, enquiry.has_possible_trial = points_to(
        Answers.of(enquiry), catalogue, timezone.localdate(now)
    )
    enquiry.pathway_checked_at = now


def refresh_pathways(enquiries=None):
    """Computes the flags of `enquiries` (the open ones by default) against the catalogue as it
    is in the database now, and records when each was checked: one UPDATE per thousand rows of
    the same outcome. Returns (how many were checked, how many changed)."""
    if enquiries is None:
        enquiries = Enquiry.objects.open()
    now = timezone.now()
    today = timezone.localdate(now)
    catalogue = Catalogue.load()
    by_outcome = {}
    changed = 0
    read = ("pk", *ANSWER_FIELDS, "matches_approved_label", "has_possible_trial")
    for enquiry in enquiries.only(*read).iterator(REFRESH_BATCH):
        flags = points_to(Answers.of(enquiry), catalogue, today)
        changed += flags != (enquiry.matches_approved_label, enquiry.has_possible_trial)
        by_outcome.setdefault(flags, []).append(enquiry.pk)
    for (label, trial), pks in by_outcome.items():
        for start in range(0, len(pks), REFRESH_BATCH):
            Enquiry.objects.filter(pk__in=pks[start : start + REFRESH_BATCH]).update(
                matches_approved_label=label, has_possible_trial=trial, pathway_checked_at=now
            )
    return sum(map(len, by_outcome.values())), changed


# ---- Signal receivers --------------------------------------------------------------------------


def connect_signals():
    """Connects the receivers below (enquiries.apps): the flags follow the products, rules and
    trials; the cached catalogue also follows what the Pathway panel shows of them (a source's
    page and reference, the programmes that run a trial, a trial's sites)."""
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from therapy_info.models import Page, Reference
    from therapy_info.products import ApprovedProduct, LabelRule
    from therapy_info.programmes import Programme
    from therapy_info.trials import ClinicalTrial

    for signal in (post_save, post_delete):
        for model in (ApprovedProduct, LabelRule, ClinicalTrial):
            signal.connect(
                catalogue_changed, sender=model, dispatch_uid=f"pathways-{model.__name__}-{signal}"
            )
        for model in (Page, Reference, Programme):
            signal.connect(
                catalogue_shown_changed,
                sender=model,
                dispatch_uid=f"pathways-shown-{model.__name__}-{signal}",
            )
    m2m_changed.connect(
        catalogue_shown_changed,
        sender=ClinicalTrial.sites.through,
        dispatch_uid="pathways-trial-sites",
    )


def catalogue_shown_changed(**kwargs):
    """Something the pathway panel shows of the catalogue changed (a source's page or reference,
    a programme that runs a trial, a trial's sites): the cached catalogue goes."""
    forget_catalogue()


def catalogue_changed(**kwargs):
    """A product, a rule or a trial changed: the cached catalogue goes, and once the change is
    committed the open enquiries' flags are computed again by a task, queued once however many
    rows the transaction changed (a product saved with its rules, an import of 500 trials)."""
    forget_catalogue()
    connection = transaction.get_connection()
    # Django keeps the callbacks of the transaction (savepoints rolled back drop theirs) in
    # run_on_commit: the refresh is queued once per transaction, not once per row.
    if not any(callback is _queue_refresh for _ids, callback, _robust in connection.run_on_commit):
        transaction.on_commit(_queue_refresh)


def _queue_refresh():
    # Nothing to refresh before the first enquiry (load_content on a new database).
    if Enquiry.objects.open().exists():
        from enquiries.tasks import refresh_open_pathways  # tasks imports this module

        refresh_open_pathways.enqueue()

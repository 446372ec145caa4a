"""Which pathways an enquiry's pre-screen answers point to: the approved products whose label they
are consistent with (every condition of the label that the form asks is met, listed), the open
trials that could take the patient (and why), and what is still needed to decide (the questions
unanswered or answered "not sure", the label conditions the form does not ask, the records of the
diagnosis's checklist not sent yet). An automatic starting point for the medical team, never a
decision.

"Not sure" or no answer never excludes: it becomes a question. An answer excludes a label or a
trial only when it contradicts what the label or the trial states; what they do not state lets
every answer through. A target test never excludes either: testing one marker says nothing of
another.

Matching is pure Python over a Catalogue loaded once (four queries: products with their rules,
open trials with their sites), so that one enquiry against 50 products and 500 trials costs well
under 5 ms of CPU (scripts/bench_matching.py, in `make bench`):

    catalogue = Catalogue.load()
    pathway = match(Answers.of(enquiry), catalogue, today=timezone.localdate(),
                    checklist=missing_records(checklist_for(enquiry.diagnosis), sent_keys))
    pathway.consistent_labels, pathway.possible_labels, pathway.trials, pathway.still_needed

or `pathway_for(enquiry)`, which reads the checklist and the files sent too. Pages read the
catalogue from the cache, `Catalogue.current()`, forgotten whenever a product, a rule, a trial or
what they show changes (enquiries.pathways). How one rule or one trial's criteria read the answers
is therapy_info.criteria's (the products' admin tries rules with the same checks).
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import OuterRef, Prefetch, StringAgg, Subquery, Value
from django.utils import timezone, translation

from enquiries.models import Enquiry, RecordFile
from therapy_info.criteria import (
    ANSWER,
    ANSWER_FIELDS,
    LABEL_CONDITION,
    RECORD,
    TARGET_NAMES,
    Answers,
    Check,
    Question,
    RuleEntry,
    answer_question,
    match_rule,
)
from therapy_info.products import ApprovedProduct, LabelRule
from therapy_info.programmes import Disease
from therapy_info.records_checklists import checklist_for
from therapy_info.trials import STALE_AFTER, ClinicalTrial

# ---- The catalogue: products and trials, read once -------------------------------------------

# The catalogue as last read, in the cache every server process shares: the enquiry page and
# intake read it from there rather than with four queries. Forgotten whenever a product, a rule,
# a trial or what they show changes (enquiries.pathways' signal receivers); a day bounds what a
# missed signal costs.
CATALOGUE_CACHE_KEY = "enquiries:pathway-catalogue"
CATALOGUE_CACHE_SECONDS = 24 * 60 * 60


@dataclass(frozen=True)
class TrialEntry:
    registry_id: str
    title: str
    phase: str
    recruitment_status: str
    diseases: frozenset
    targets: tuple
    minimum_age: int | None
    maximum_age: int | None
    minimum_prior_lines: int | None
    prior_car_t: str
    last_verified_on: datetime.date
    link: str
    programmes: tuple

    @classmethod
    def of(cls, trial):
        return cls(
            registry_id=trial.registry_id,
            title=trial.title,
            phase=trial.phase,
            recruitment_status=trial.get_recruitment_status_display(),
            diseases=frozenset(trial.diseases),
            targets=tuple(trial.targets),
            minimum_age=trial.minimum_age,
            maximum_age=trial.maximum_age,
            minimum_prior_lines=trial.minimum_prior_lines,
            prior_car_t=trial.prior_car_t,
            last_verified_on=trial.last_verified_on,
            link=trial.link,
            programmes=tuple(programme.name for programme in trial.sites.all()),
        )

    def is_stale(self, today):
        return self.last_verified_on < today - STALE_AFTER


@dataclass(frozen=True)
class Catalogue:
    """The rules and the open trials, indexed by the diagnosis they take."""

    rules_by_disease: dict
    trials_by_disease: dict

    @classmethod
    def of(cls, products, trials):
        """From rows (products with their rules, open trials with their sites) or unsaved ones."""
        rules_by_disease, trials_by_disease = {}, {}
        for product in products:
            for rule in product.rules.all():
                rules_by_disease.setdefault(rule.disease, []).append(RuleEntry.of(product, rule))
        for trial in trials:
            if not trial.is_open:
                continue
            entry = TrialEntry.of(trial)
            for disease in entry.diseases:
                trials_by_disease.setdefault(disease, []).append(entry)
        return cls(
            {disease: tuple(rules) for disease, rules in rules_by_disease.items()},
            {disease: tuple(trials) for disease, trials in trials_by_disease.items()},
        )

    @classmethod
    def load(cls):
        """Four queries: the products, their rules with their sources, the open trials, their
        sites."""
        rules = LabelRule.objects.select_related("source_reference__page").order_by("order", "pk")
        products = ApprovedProduct.objects.prefetch_related(Prefetch("rules", queryset=rules))
        trials = ClinicalTrial.objects.open().prefetch_related("sites")
        return cls.of(products, trials)

    @classmethod
    def current(cls):
        """The catalogue from the cache; on a miss, loaded (four queries) and stored there."""
        catalogue = cache.get(CATALOGUE_CACHE_KEY)
        if catalogue is None:
            # Its texts (a source page's title, a programme's name) in the staff's language,
            # whichever page read it first: a patient's form in Chinese stores it too.
            with translation.override(settings.LANGUAGE_CODE):
                catalogue = cls.load()
            cache.set(CATALOGUE_CACHE_KEY, catalogue, CATALOGUE_CACHE_SECONDS)
        return catalogue


def forget_catalogue():
    """The cached catalogue goes now, and again once the transaction commits: a reader between
    the change and the commit may have stored the catalogue as it was."""
    cache.delete(CATALOGUE_CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(CATALOGUE_CACHE_KEY))


# ---- Matching -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrialMatch:
    trial: TrialEntry
    why: tuple
    open_questions: tuple
    is_stale: bool


@dataclass(frozen=True)
class Pathway:
    labels: tuple = ()
    trials: tuple = ()
    still_needed: tuple = ()
    # The oldest check of the trials listed: what the matches are dated by.
    trials_checked_on: datetime.date | None = None
    # The oldest and newest day someone checked what matching read for this diagnosis (the
    # rules' own citations, the open trials), None when none of it is dated; and how many rules
    # read have a page's reference for source, which carries no date of its own.
    checked_between: tuple | None = None
    undated_rules: int = 0

    @property
    def consistent_labels(self):
        return [label for label in self.labels if label.is_consistent]

    @property
    def possible_labels(self):
        return [label for label in self.labels if not label.is_consistent]


def _match_trial(trial, answers, today):
    check = Check()
    check.met.append(f"takes {Disease(answers.diagnosis).label}")
    check.met.append(trial.recruitment_status.lower())
    check.age(answers, today, trial.minimum_age, trial.maximum_age)
    check.prior_lines(answers.prior_treatment_lines, trial.minimum_prior_lines)
    check.prior_therapy("prior_car_t", answers.prior_car_t, trial.prior_car_t, "prior CAR-T")
    if check.excluded:
        return None
    tested = TARGET_NAMES.get(answers.target_tested)
    if tested and tested in trial.targets:
        check.met.append(f"targets {tested}, the marker tested")
    return TrialMatch(trial, tuple(check.met), tuple(check.questions), trial.is_stale(today))


def _still_needed(questions, checklist):
    """The form's questions in the form's order, each once; then the label conditions, each once
    with the products whose labels ask it; then the records not sent."""
    order = {name: position for position, name in enumerate(ANSWER_FIELDS)}
    answers = sorted(
        {question for question in questions if question.kind == ANSWER},
        key=lambda question: order.get(question.key, len(order)),
    )
    products_by_condition = {}
    for question in questions:
        if question.kind == LABEL_CONDITION:
            products = products_by_condition.setdefault(question.text, [])
            if question.key and question.key not in products:
                products.append(question.key)
    conditions = [
        Question(LABEL_CONDITION, text, ", ".join(products))
        for text, products in products_by_condition.items()
    ]
    return (*answers, *conditions, *checklist)


def match(answers, catalogue, *, today, checklist=()):
    """The Pathway of these answers; `checklist`: the records still to send (missing_records)."""
    if answers.diagnosis not in Disease.values:
        # "Something else" is an answer no label or trial names (the coordinator reads the
        # patient's words); no answer, or "not sure", is the first question to ask.
        questions = (
            []
            if answers.diagnosis == Enquiry.Diagnosis.OTHER
            else [answer_question("diagnosis", answers.diagnosis)]
        )
        return Pathway(still_needed=_still_needed(questions, checklist))
    labels, trials, questions = [], [], []
    rules_read = catalogue.rules_by_disease.get(answers.diagnosis, ())
    trials_read = catalogue.trials_by_disease.get(answers.diagnosis, ())
    for rule in rules_read:
        matched = match_rule(rule, answers, today)
        if matched is not None:
            labels.append(matched)
            questions.extend((*matched.open_questions, *matched.to_confirm))
    for trial in trials_read:
        matched = _match_trial(trial, answers, today)
        if matched is not None:
            trials.append(matched)
            questions.extend(matched.open_questions)
    # Consistent labels first, then those with questions open; each group as the catalogue has it.
    labels.sort(key=lambda label: not label.is_consistent)
    return Pathway(
        labels=tuple(labels),
        trials=tuple(trials),
        still_needed=_still_needed(questions, checklist),
        trials_checked_on=min((trial.trial.last_verified_on for trial in trials), default=None),
        checked_between=_checked_between(rules_read, trials_read),
        undated_rules=sum(1 for rule in rules_read if rule.source_checked_on is None),
    )


def _checked_between(rules, trials):
    days = [rule.source_checked_on for rule in rules if rule.source_checked_on is not None]
    days += [trial.last_verified_on for trial in trials]
    return (min(days), max(days)) if days else None


def sent_checklist_items():
    """The checklist items an enquiry's files were sent as, as one text (a key is a slug: no
    spaces), in a subquery of the enquiry's own query: `.annotate(sent_checklist_items=…)`."""
    keys = (
        RecordFile.objects.filter(enquiry=OuterRef("pk"))
        .exclude(checklist_item="")
        .order_by()
        .values("enquiry")
        .annotate(keys=StringAgg("checklist_item", Value(" ")))
        .values("keys")
    )
    return Subquery(keys)


def sent_item_keys(enquiry):
    """The checklist items the enquiry's files were sent as: from its own query when it was
    annotated with sent_checklist_items(), else one query."""
    if hasattr(enquiry, "sent_checklist_items"):
        return set((enquiry.sent_checklist_items or "").split())
    return set(
        enquiry.record_files.exclude(checklist_item="").values_list("checklist_item", flat=True)
    )


def missing_records(checklist, sent_item_keys):
    """The checklist's records no file was sent for, as Questions (the needed ones marked)."""
    if checklist is None:
        return ()
    return tuple(
        Question(RECORD, str(item.label), item.key, item.required)
        for item, sent in checklist.ticked(sent_item_keys)
        if not sent
    )


def pathway_for(enquiry, catalogue=None, today=None):
    """The enquiry's Pathway: reads its checklist (two queries) and the files it was sent (one),
    and the catalogue (four) unless given one."""
    catalogue = catalogue or Catalogue.load()
    checklist = missing_records(checklist_for(enquiry.diagnosis), sent_item_keys(enquiry))
    return match(
        Answers.of(enquiry), catalogue, today=today or timezone.localdate(), checklist=checklist
    )

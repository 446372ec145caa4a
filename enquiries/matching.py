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

or `pathway_for(enquiry)`, which reads the checklist and the files sent too.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import timezone

from enquiries.models import Enquiry
from therapy_info.prescreen import PRIOR_LINES, PRIOR_LINES_OPEN_ENDED, PriorTherapy, Target
from therapy_info.products import ApprovedProduct, LabelRule
from therapy_info.programmes import Disease
from therapy_info.records_checklists import checklist_for
from therapy_info.trials import STALE_AFTER, ClinicalTrial

NOT_SURE = "not_sure"
YES = Enquiry.YesNoNotSure.YES
NO = Enquiry.YesNoNotSure.NO
# The form's answers in the order the form asks them: the questions still open come in this order.
ANSWER_FIELDS = [
    "diagnosis",
    "disease_status",
    "prior_treatment_lines",
    "prior_stem_cell_transplant",
    "prior_car_t",
    "target_tested",
    "daily_self_care",
    "birth_year",
    "birth_date",
]
# The marker names trials write for the form's target answers.
TARGET_NAMES = {Target.CD19: "CD19", Target.BCMA: "BCMA"}

ANSWER = "answer"
LABEL_CONDITION = "label condition"
RECORD = "record"


@dataclass(frozen=True)
class Answers:
    """An enquiry's pre-screen answers, as the form stores them ("" when skipped)."""

    diagnosis: str = ""
    disease_status: str = ""
    prior_treatment_lines: str = ""
    prior_stem_cell_transplant: str = ""
    prior_car_t: str = ""
    target_tested: str = ""
    daily_self_care: str = ""
    birth_year: int | None = None
    birth_date: datetime.date | None = None

    @classmethod
    def of(cls, enquiry):
        return cls(**{name: getattr(enquiry, name) for name in ANSWER_FIELDS})

    def ages(self, today):
        """(youngest, oldest) the patient can be today; None when the year of birth is missing."""
        if self.birth_date is not None:
            born = self.birth_date
            age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
            return age, age
        if self.birth_year:
            return today.year - self.birth_year - 1, today.year - self.birth_year
        return None


@dataclass(frozen=True)
class Question:
    """Something still needed to decide: a form question (key: its field), a label condition the
    form does not ask (key: the products whose labels ask it), or a record of the checklist (key:
    the item's key)."""

    kind: str
    text: str
    key: str = ""
    required: bool = False


def answer_question(name, value):
    label = Enquiry._meta.get_field(name).verbose_name
    state = "not sure" if value == NOT_SURE else "not answered"
    return Question(ANSWER, f"{label} ({state})", name)


def _known(value):
    return value not in ("", None, NOT_SURE)


# ---- The catalogue: products and trials, read once -------------------------------------------


@dataclass(frozen=True)
class RuleEntry:
    """A label rule as matching reads it, with its product."""

    product_slug: str
    product_name: str
    generic_name: str
    key: str
    indication: str
    disease: str
    disease_statuses: frozenset
    minimum_prior_lines: int | None
    prior_transplant: str
    prior_car_t: str
    target_required: str
    minimum_age: int | None
    maximum_age: int | None
    fitness: frozenset
    questions_not_asked: tuple
    source: str
    source_link: str

    @classmethod
    def of(cls, product, rule):
        return cls(
            product_slug=product.slug,
            product_name=product.name,
            generic_name=product.generic_name,
            key=rule.key,
            indication=rule.indication,
            disease=rule.disease,
            disease_statuses=frozenset(rule.disease_statuses),
            minimum_prior_lines=rule.minimum_prior_lines,
            prior_transplant=rule.prior_transplant,
            prior_car_t=rule.prior_car_t,
            target_required=rule.target_required,
            minimum_age=rule.minimum_age,
            maximum_age=rule.maximum_age,
            fitness=frozenset(rule.fitness),
            questions_not_asked=tuple(rule.questions_not_asked()),
            source=rule.source_text() if rule.has_source else "",
            source_link=rule.source_link() if rule.has_source else "",
        )


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


# ---- Matching -----------------------------------------------------------------------------------


@dataclass
class _Check:
    """The conditions of one label or trial against the answers, as they are checked."""

    met: list = field(default_factory=list)
    questions: list = field(default_factory=list)
    excluded: bool = False

    def answer_in(self, name, value, allowed, labels, what):
        """An answer that must be one of `allowed` (empty: not stated, any answer fits)."""
        if not allowed:
            return
        if not _known(value):
            self.questions.append(answer_question(name, value))
        elif value in allowed:
            self.met.append(f"{what}: {labels(value)}")
        else:
            self.excluded = True

    def prior_lines(self, value, minimum):
        if minimum is None:
            return
        if not _known(value) or value not in PRIOR_LINES:
            self.questions.append(answer_question("prior_treatment_lines", value))
        elif PRIOR_LINES[value] >= minimum:
            shown = "4 or more" if value == PRIOR_LINES_OPEN_ENDED else value
            self.met.append(f"prior lines of treatment: {shown} (at least {minimum})")
        else:
            self.excluded = True

    def prior_therapy(self, name, value, rule, what):
        if rule not in (PriorTherapy.REQUIRED, PriorTherapy.NOT_ALLOWED):
            return
        wanted = YES if rule == PriorTherapy.REQUIRED else NO
        if not _known(value):
            self.questions.append(answer_question(name, value))
        elif value == wanted:
            stated = PriorTherapy(rule).label.lower()
            self.met.append(f"{what}: {'yes' if value == YES else 'no'} ({stated})")
        else:
            self.excluded = True

    def age(self, answers, today, minimum, maximum):
        if minimum is None and maximum is None:
            return
        ages = answers.ages(today)
        if ages is None:
            self.questions.append(answer_question("birth_year", answers.birth_year))
            return
        youngest, oldest = ages
        low = minimum if minimum is not None else 0
        high = maximum if maximum is not None else 10_000
        if low <= youngest and oldest <= high:
            age = youngest if youngest == oldest else f"{youngest} or {oldest}"
            limits = (
                f"{minimum if minimum is not None else 'any'} to "
                f"{maximum if maximum is not None else 'any'}"
            )
            self.met.append(f"age: {age} ({limits})")
        elif oldest < low or youngest > high:
            self.excluded = True
        else:
            # The year alone leaves the patient on either side of the limit.
            self.questions.append(answer_question("birth_date", answers.birth_date))


def _status_label(value):
    return Enquiry.DiseaseStatus(value).label


def _fitness_label(value):
    return Enquiry.DailySelfCare(value).label


@dataclass(frozen=True)
class LabelMatch:
    """A label the answers do not contradict. Consistent when every condition of the label that
    the form asks is met; the conditions it does not ask are still to confirm."""

    rule: RuleEntry
    met: tuple
    open_questions: tuple
    to_confirm: tuple = ()

    @property
    def is_consistent(self):
        return not self.open_questions


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

    @property
    def consistent_labels(self):
        return [label for label in self.labels if label.is_consistent]

    @property
    def possible_labels(self):
        return [label for label in self.labels if not label.is_consistent]


def _match_rule(rule, answers, today):
    check = _Check()
    check.met.append(f"diagnosis: {Disease(rule.disease).label}")
    check.answer_in(
        "disease_status",
        answers.disease_status,
        rule.disease_statuses,
        _status_label,
        "disease status",
    )
    check.prior_lines(answers.prior_treatment_lines, rule.minimum_prior_lines)
    check.prior_therapy(
        "prior_stem_cell_transplant",
        answers.prior_stem_cell_transplant,
        rule.prior_transplant,
        "prior stem-cell transplant",
    )
    check.prior_therapy("prior_car_t", answers.prior_car_t, rule.prior_car_t, "prior CAR-T")
    if rule.target_required:
        if answers.target_tested == rule.target_required:
            check.met.append(f"tested for {TARGET_NAMES.get(rule.target_required, 'the target')}")
        elif not _known(answers.target_tested):
            check.questions.append(answer_question("target_tested", answers.target_tested))
        else:
            # Another marker was tested: the label's own test is still to be asked for.
            name = TARGET_NAMES.get(rule.target_required, "the label's target")
            check.questions.append(Question(LABEL_CONDITION, f"Was the cancer tested for {name}?"))
    check.age(answers, today, rule.minimum_age, rule.maximum_age)
    check.answer_in(
        "daily_self_care", answers.daily_self_care, rule.fitness, _fitness_label, "fitness"
    )
    if check.excluded:
        return None
    to_confirm = tuple(
        Question(LABEL_CONDITION, text, rule.product_name) for text in rule.questions_not_asked
    )
    return LabelMatch(rule, tuple(check.met), tuple(check.questions), to_confirm)


def _match_trial(trial, answers, today):
    check = _Check()
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
    for rule in catalogue.rules_by_disease.get(answers.diagnosis, ()):
        matched = _match_rule(rule, answers, today)
        if matched is not None:
            labels.append(matched)
            questions.extend((*matched.open_questions, *matched.to_confirm))
    for trial in catalogue.trials_by_disease.get(answers.diagnosis, ()):
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
    sent = enquiry.record_files.exclude(checklist_item="").values_list("checklist_item", flat=True)
    checklist = missing_records(checklist_for(enquiry.diagnosis), set(sent))
    return match(
        Answers.of(enquiry), catalogue, today=today or timezone.localdate(), checklist=checklist
    )

"""How an approved product's label rule, or any criteria stated the same way (a trial's), reads a
patient's pre-screen answers: each condition met (said in words), still to ask ("not sure" or no
answer: never excluded), or contradicted (excluded). enquiries.matching builds an enquiry's
pathway from these checks; the approved products' admin tries a product's rules, as typed, on
answers a lead makes up ("try these answers"), with the very same checks.

The answers are the enquiry form's keys and values (therapy_info.prescreen keeps the vocabulary,
since therapy_info never imports enquiries)."""

import datetime
from dataclasses import dataclass, field

from therapy_info.prescreen import (
    PRIOR_LINES,
    PRIOR_LINES_OPEN_ENDED,
    QUESTIONS,
    DailySelfCare,
    DiseaseStatus,
    PriorTherapy,
    Target,
)
from therapy_info.programmes import Disease

NOT_SURE = "not_sure"
YES = "yes"
NO = "no"
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
    """A patient's pre-screen answers, as the form stores them ("" when skipped)."""

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
    def of(cls, answered):
        """The answers of anything that holds them under the form's names (an enquiry)."""
        return cls(**{name: getattr(answered, name) for name in ANSWER_FIELDS})

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
    state = "not sure" if value == NOT_SURE else "not answered"
    return Question(ANSWER, f"{QUESTIONS[name]} ({state})", name)


def _known(value):
    return value not in ("", None, NOT_SURE)


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
    # When someone last checked the rule's own citation; None for a page's reference, whose
    # page says when its list was checked.
    source_checked_on: datetime.date | None = None

    @classmethod
    def of(cls, product, rule):
        """From a product and one of its rules, saved or as typed in the admin (unsaved)."""
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
            source_checked_on=(
                rule.source_checked_on if rule.source_reference_id is None else None
            ),
        )


@dataclass
class Check:
    """The conditions of one label or trial against the answers, as they are checked."""

    met: list = field(default_factory=list)
    questions: list = field(default_factory=list)
    excluded: bool = False
    # What contradicted the answers, in words: the test panel says why a rule does not match.
    excluded_by: list = field(default_factory=list)

    def exclude(self, why):
        self.excluded = True
        self.excluded_by.append(why)

    def answer_in(self, name, value, allowed, labels, what):
        """An answer that must be one of `allowed` (empty: not stated, any answer fits)."""
        if not allowed:
            return
        if not _known(value):
            self.questions.append(answer_question(name, value))
        elif value in allowed:
            self.met.append(f"{what}: {labels(value)}")
        else:
            self.exclude(f"{what}: {labels(value)} (the label allows {_listed(allowed, labels)})")

    def prior_lines(self, value, minimum):
        if minimum is None:
            return
        if not _known(value) or value not in PRIOR_LINES:
            self.questions.append(answer_question("prior_treatment_lines", value))
            return
        shown = "4 or more" if value == PRIOR_LINES_OPEN_ENDED else value
        if PRIOR_LINES[value] >= minimum:
            self.met.append(f"prior lines of treatment: {shown} (at least {minimum})")
        else:
            self.exclude(f"prior lines of treatment: {shown} (at least {minimum} needed)")

    def prior_therapy(self, name, value, rule, what):
        if rule not in (PriorTherapy.REQUIRED, PriorTherapy.NOT_ALLOWED):
            return
        wanted = YES if rule == PriorTherapy.REQUIRED else NO
        if not _known(value):
            self.questions.append(answer_question(name, value))
            return
        stated = PriorTherapy(rule).label.lower()
        if value == wanted:
            self.met.append(f"{what}: {'yes' if value == YES else 'no'} ({stated})")
        else:
            self.exclude(f"{what}: {'yes' if value == YES else 'no'} ({stated})")

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
        age = youngest if youngest == oldest else f"{youngest} or {oldest}"
        limits = (
            f"{minimum if minimum is not None else 'any'} to "
            f"{maximum if maximum is not None else 'any'}"
        )
        if low <= youngest and oldest <= high:
            self.met.append(f"age: {age} ({limits})")
        elif oldest < low or youngest > high:
            self.exclude(f"age: {age} ({limits})")
        else:
            # The year alone leaves the patient on either side of the limit.
            self.questions.append(answer_question("birth_date", answers.birth_date))


def _listed(values, labels):
    return ", ".join(sorted(str(labels(value)) for value in values))


def status_label(value):
    return DiseaseStatus(value).label


def fitness_label(value):
    return DailySelfCare(value).label


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


def check_rule(rule, answers, today):
    """Every condition of the rule against the answers (a Check), the diagnosis first."""
    check = Check()
    if answers.diagnosis != rule.disease:
        check.exclude(f"diagnosis: not {Disease(rule.disease).label}")
        return check
    check.met.append(f"diagnosis: {Disease(rule.disease).label}")
    check.answer_in(
        "disease_status",
        answers.disease_status,
        rule.disease_statuses,
        status_label,
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
        "daily_self_care", answers.daily_self_care, rule.fitness, fitness_label, "fitness"
    )
    return check


def match_rule(rule, answers, today):
    """The LabelMatch of a rule whose diagnosis the answers name, or None when an answer
    contradicts the rule."""
    check = check_rule(rule, answers, today)
    if check.excluded:
        return None
    to_confirm = tuple(
        Question(LABEL_CONDITION, text, rule.product_name) for text in rule.questions_not_asked
    )
    return LabelMatch(rule, tuple(check.met), tuple(check.questions), to_confirm)

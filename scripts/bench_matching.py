"""`make bench` (also alone): the CPU time of matching one enquiry's answers against 50 approved
products (two label rules each) and 500 open trials (enquiries.matching). Goal: under 5 ms.

    python scripts/bench_matching.py [--products 50] [--trials 500] [--rounds 2000]

The catalogue is built in memory as Catalogue.load() builds it from the database (no database is
needed: matching never queries), spread over the form's diagnoses; the answers vary over the form's
choices, "not sure" included. Each match is timed with time.process_time (this process's CPU).
Prints the median and 90th percentile and one JSON line for scripts/bench.py."""

import argparse
import datetime
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def quantile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def catalogue(products, trials, today, rng):
    from enquiries.matching import Catalogue, RuleEntry, TrialEntry
    from therapy_info.prescreen import DailySelfCare, DiseaseStatus, PriorTherapy
    from therapy_info.programmes import Disease

    diseases = Disease.values
    rules_by_disease, trials_by_disease = {}, {}
    for number in range(products):
        for rule_number in range(2):
            disease = rng.choice(diseases)
            rule = RuleEntry(
                product_slug=f"product-{number}",
                product_name=f"Product {number}",
                generic_name=f"product {number}",
                key=f"rule-{rule_number}",
                indication="Adults with relapsed or refractory disease after two lines.",
                disease=disease,
                disease_statuses=frozenset([DiseaseStatus.RELAPSED, DiseaseStatus.REFRACTORY]),
                minimum_prior_lines=rng.choice([None, 1, 2, 3]),
                prior_transplant=rng.choice(PriorTherapy.values),
                prior_car_t=rng.choice(PriorTherapy.values),
                target_required=rng.choice(["", "cd19", "bcma"]),
                minimum_age=18,
                maximum_age=rng.choice([None, 70, 75]),
                fitness=frozenset(rng.sample(DailySelfCare.values, 2)),
                questions_not_asked=("Did the treatments include a proteasome inhibitor?",),
                source="approved-in-china [1]",
                source_link="https://example.org/source",
            )
            rules_by_disease.setdefault(disease, []).append(rule)
    for number in range(trials):
        entry = TrialEntry(
            registry_id=f"NCT9{number:07d}",
            title=f"Trial {number}",
            phase="Phase 1/Phase 2",
            recruitment_status="Recruiting",
            diseases=frozenset(rng.sample(diseases, rng.choice([1, 1, 2, 4]))),
            targets=tuple(rng.sample(["CD19", "CD20", "CD22", "BCMA", "GPRC5D"], 2)),
            minimum_age=rng.choice([None, 14, 18]),
            maximum_age=rng.choice([None, 65, 70, 75]),
            minimum_prior_lines=rng.choice([None, 1, 2, 3]),
            prior_car_t=rng.choice(PriorTherapy.values),
            last_verified_on=today - datetime.timedelta(days=rng.randrange(0, 200)),
            link="https://clinicaltrials.gov/study/NCT90000000",
            programmes=("A programme",),
        )
        for disease in entry.diseases:
            trials_by_disease.setdefault(disease, []).append(entry)
    return Catalogue(
        {disease: tuple(rules) for disease, rules in rules_by_disease.items()},
        {disease: tuple(trials) for disease, trials in trials_by_disease.items()},
    )


def answer_sets(count, rng):
    from enquiries.matching import Answers, Question
    from enquiries.models import Enquiry

    def pick(choices):
        return rng.choice([*choices.values, ""])

    checklist = tuple(Question("record", f"Record {n}", f"record_{n}", n < 3) for n in range(6))
    sets = []
    for _ in range(count):
        answers = Answers(
            diagnosis=rng.choice(Enquiry.Diagnosis.values[:6]),
            disease_status=pick(Enquiry.DiseaseStatus),
            prior_treatment_lines=pick(Enquiry.PriorTreatmentLines),
            prior_stem_cell_transplant=pick(Enquiry.YesNoNotSure),
            prior_car_t=pick(Enquiry.YesNoNotSure),
            target_tested=pick(Enquiry.TargetTested),
            daily_self_care=pick(Enquiry.DailySelfCare),
            birth_year=rng.randrange(1940, 2010),
        )
        sets.append((answers, checklist))
    return sets


def measure(products, trials, rounds):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    # Settings only: matching touches no database and sends nothing.
    os.environ.setdefault("DEBUG", "true")
    import django

    django.setup()
    from enquiries.matching import match

    rng = random.Random(18)  # noqa: S311  (the same made-up catalogue every run)
    today = datetime.date(2026, 11, 28)
    built = catalogue(products, trials, today, rng)
    sets = answer_sets(rounds, rng)
    for answers, checklist in sets[:50]:
        match(answers, built, today=today, checklist=checklist)
    timings, listed = [], []
    for answers, checklist in sets:
        started = time.process_time()
        pathway = match(answers, built, today=today, checklist=checklist)
        timings.append((time.process_time() - started) * 1000)
        listed.append(len(pathway.labels) + len(pathway.trials))
    return {
        "products": products,
        "rules": sum(len(rules) for rules in built.rules_by_disease.values()),
        "trials": trials,
        "rounds": rounds,
        "median_ms": statistics.median(timings),
        "p90_ms": quantile(timings, 0.9),
        "max_ms": max(timings),
        "listed_median": statistics.median(listed),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=50)
    parser.add_argument("--trials", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=2000)
    args = parser.parse_args()
    figures = measure(args.products, args.trials, args.rounds)
    print(
        f"Matching one enquiry against {figures['products']} products ({figures['rules']} label "
        f"rules) and {figures['trials']} open trials, {figures['rounds']} enquiries: CPU median "
        f"{figures['median_ms']:.3f} ms, p90 {figures['p90_ms']:.3f} ms, max "
        f"{figures['max_ms']:.3f} ms (goal under 5 ms); {figures['listed_median']:.0f} labels "
        "and trials listed per enquiry (median)."
    )
    print("MATCHING " + json.dumps(figures))


if __name__ == "__main__":
    main()

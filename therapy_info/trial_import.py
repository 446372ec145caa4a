"""Reads a ClinicalTrials.gov API v2 study file (what an operator downloads from the registry; the
portal never calls out) into the clinical trials, by registry id: the engine of
`manage.py import_trials FILE`.

The file is the API's answer to /studies (`{"studies": [...]}`), the website's JSON download (a
list of studies) or one study (`{"protocolSection": …}`). Each study is read from:

    protocolSection.identificationModule   nctId (required), briefTitle / officialTitle
    protocolSection.statusModule           overallStatus, lastUpdatePostDateStruct.date
    protocolSection.sponsorCollaboratorsModule.leadSponsor.name
    protocolSection.conditionsModule       conditions
    protocolSection.designModule           phases
    protocolSection.armsInterventionsModule.interventions[].name   (for the targets)
    protocolSection.eligibilityModule      minimumAge, maximumAge ("18 Years", "6 Months")
    protocolSection.contactsLocationsModule.locations[]            facility, city, country

The whole file is read and checked before anything is written, then written in one transaction:
a file that is not a study file, or any study that cannot be read, imports nothing. The file's
date (when it was downloaded: `--verified-on`) becomes each trial's last check; a trial checked
more recently than that is left as it is, so an older file never undoes a newer one.

A trial's targets and diagnoses are read from its titles, conditions and interventions by the
word lists below; they follow the registry until an editor changes them (then they are the
editor's). Prior lines and prior CAR-T are never in the registry's structured fields: editors set
them from the criteria. A programme is linked as a site when its offers name the trial's registry
number or its name is a location's facility; links are added, never removed (editors may add
others)."""

import json
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from therapy_info.programmes import Disease, Programme, ProgrammeOffer
from therapy_info.trials import REGISTRY_ID_RE, ClinicalTrial, RecruitmentStatus, registry_link

PHASE_NAMES = {
    "EARLY_PHASE1": "Early phase 1",
    "PHASE1": "Phase 1",
    "PHASE2": "Phase 2",
    "PHASE3": "Phase 3",
    "PHASE4": "Phase 4",
    "NA": "Not applicable",
}
AGE_RE = re.compile(r"\A\s*(\d+)\s+(year|month|week|day|hour|minute)s?\s*\Z", re.I)
DAYS_IN = {"year": 365.25, "month": 30.44, "week": 7, "day": 1, "hour": 1 / 24, "minute": 1 / 1440}

# The markers CAR-T products in China are made against, as registries write them; a word of a
# title or an intervention names one. Anti-CD19 and CD19/CD20 both name theirs.
TARGET_WORDS = {
    "CD19": r"CD19",
    "CD20": r"CD20",
    "CD22": r"CD22",
    "CD7": r"CD7",
    "CD5": r"CD5",
    "CD30": r"CD30",
    "CD38": r"CD38",
    "CD70": r"CD70",
    "CD123": r"CD123",
    "BCMA": r"BCMA",
    "GPRC5D": r"GPRC5D",
    "CLL1": r"CLL-?1",
    "GPC3": r"GPC3",
    "CLDN18.2": r"(?:CLDN|Claudin)\s?18\.2",
    "EGFR": r"EGFR",
    "HER2": r"HER2",
    "MSLN": r"MSLN|mesothelin",
    "GD2": r"GD2",
    "B7-H3": r"B7-?H3",
}
TARGET_RES = {
    name: re.compile(rf"(?<![A-Za-z0-9]){pattern}(?![A-Za-z0-9])", re.I)
    for name, pattern in TARGET_WORDS.items()
}
B_CELL_LYMPHOMAS = [
    Disease.LARGE_B_CELL_LYMPHOMA,
    Disease.FOLLICULAR_LYMPHOMA,
    Disease.MANTLE_CELL_LYMPHOMA,
    Disease.OTHER_BLOOD_CANCER,
]
# (words in a condition or title, the form's diagnoses they stand for), first match per phrase.
# A broad name ("B-cell lymphoma", "non-Hodgkin lymphoma") takes every B-cell lymphoma the form
# knows: a possible trial to look at, which an editor narrows when the criteria say more.
DISEASE_WORDS = [
    (r"myeloma|\b(?:rr)?mm\b", [Disease.MULTIPLE_MYELOMA]),
    (r"large[- ]b[- ]cell|\bdlbcl\b|\blbcl\b", [Disease.LARGE_B_CELL_LYMPHOMA]),
    (r"follicular", [Disease.FOLLICULAR_LYMPHOMA]),
    (r"mantle[- ]cell", [Disease.MANTLE_CELL_LYMPHOMA]),
    (r"chronic lymphocytic|\bcll\b", [Disease.CLL]),
    (r"\bt[- ]cell acute|\bt[- ]all\b|\bt[- ]lymphoblastic", [Disease.OTHER_BLOOD_CANCER]),
    (
        r"acute lymphoblastic|acute lymphocytic|\bb[- ]all\b|\bb[- ]cell leuka?emia",
        [Disease.B_ALL],
    ),
    (
        r"non[- ]hodgkin|\bb[- ]nhl\b|\bb[- ]cell lymphoma|lymphoma,? b[- ]cell|b cell lymphoma",
        B_CELL_LYMPHOMAS,
    ),
    (r"acute myeloid|\baml\b|myelogenous", [Disease.OTHER_BLOOD_CANCER]),
    (
        r"solid tumou?r|carcinoma|glioblastoma|glioma|sarcoma|neuroblastoma|"
        r"(?:lung|gastric|liver|pancreatic|ovarian|breast|colorectal) cancer",
        [Disease.SOLID_TUMOUR],
    ),
]
DISEASE_RES = [(re.compile(pattern, re.I), keys) for pattern, keys in DISEASE_WORDS]

# The same words as load_content's, which loads the shipped snapshots with this importer.
CREATED = "created"
UPDATED = "updated"
UNCHANGED = "unchanged"
SKIPPED_NEWER = "skipped: checked more recently than this file"


class StudyFileError(ValueError):
    """The file cannot be imported; nothing was written."""


@dataclass
class ImportReport:
    lines: list = field(default_factory=list)

    def add(self, outcome, registry_id):
        self.lines.append((outcome, registry_id))

    def count(self, outcome):
        return sum(1 for line_outcome, _id in self.lines if line_outcome == outcome)

    def summary(self):
        return (
            f"{self.count(CREATED)} created, {self.count(UPDATED)} updated, "
            f"{self.count(UNCHANGED)} unchanged, {self.count(SKIPPED_NEWER)} skipped"
        )


def _dig(data, *keys):
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def studies_in(document):
    """The studies of a parsed file, or StudyFileError when it is not a study file."""
    if isinstance(document, dict) and "studies" in document:
        studies = document["studies"]
    elif isinstance(document, dict) and "protocolSection" in document:
        studies = [document]
    elif isinstance(document, list):
        studies = document
    else:
        raise StudyFileError(
            "This is not a ClinicalTrials.gov study file: expected the API's "
            '{"studies": [...]}, a list of studies, or one study with a "protocolSection".'
        )
    if not isinstance(studies, list) or not studies:
        raise StudyFileError("The file holds no studies.")
    for position, study in enumerate(studies, start=1):
        if not isinstance(study, dict) or not isinstance(study.get("protocolSection"), dict):
            raise StudyFileError(
                f"Study {position} of {len(studies)} has no protocolSection: this is not a "
                "ClinicalTrials.gov API v2 study."
            )
    return studies


def age_in_years(text, *, which):
    """ "18 Years" → 18, "6 Months" → 0; missing or "N/A" → None (no limit)."""
    if text in (None, "", "N/A"):
        return None
    match = AGE_RE.match(str(text))
    if match is None:
        raise StudyFileError(f"{which} {text!r} is not an age like “18 Years” or “6 Months”.")
    amount, unit = int(match.group(1)), match.group(2).lower()
    return int(amount * DAYS_IN[unit] // DAYS_IN["year"])


def phase_label(phases):
    if not phases:
        return ""
    if not isinstance(phases, list):
        raise StudyFileError(f"designModule.phases is {phases!r}, not a list.")
    return "/".join(PHASE_NAMES.get(str(phase), str(phase)) for phase in phases)


def targets_named(texts):
    found = []
    for name, pattern in TARGET_RES.items():
        if any(pattern.search(text) for text in texts):
            found.append(name)
    return found


def diseases_named(texts):
    found = []
    for text in texts:
        for pattern, keys in DISEASE_RES:
            if pattern.search(text):
                found.extend(key for key in keys if key not in found)
                break
    return [key for key in Disease.values if key in found]


def _texts(value):
    return [str(item) for item in value] if isinstance(value, list) else []


def study_values(study):
    """The ClinicalTrial columns a study gives (the registry's), plus what is read from them."""
    protocol = study["protocolSection"]
    registry_id = _dig(protocol, "identificationModule", "nctId")
    if not isinstance(registry_id, str) or not registry_id.strip():
        raise StudyFileError("A study has no protocolSection.identificationModule.nctId.")
    registry_id = registry_id.strip()
    if not REGISTRY_ID_RE.match(registry_id) or not registry_id.startswith("NCT"):
        raise StudyFileError(f"{registry_id!r} is not an NCT number (NCT and 8 digits).")
    try:
        return registry_id, _values(registry_id, protocol)
    except StudyFileError as error:
        raise StudyFileError(f"{registry_id}: {error}") from error


def _values(registry_id, protocol):
    identification = protocol.get("identificationModule") or {}
    title = (identification.get("briefTitle") or identification.get("officialTitle") or "").strip()
    if not title:
        raise StudyFileError("no briefTitle or officialTitle.")
    status = _dig(protocol, "statusModule", "overallStatus") or ""
    if status not in RecruitmentStatus.values:
        raise StudyFileError(f"overallStatus {status!r} is not one of the registry's statuses.")
    conditions = _texts(_dig(protocol, "conditionsModule", "conditions"))
    interventions = [
        str(intervention.get("name", ""))
        for intervention in _dig(protocol, "armsInterventionsModule", "interventions") or []
        if isinstance(intervention, dict)
    ]
    titles = [title, str(identification.get("officialTitle") or "")]
    eligibility = protocol.get("eligibilityModule") or {}
    locations = _dig(protocol, "contactsLocationsModule", "locations") or []
    return {
        "title": title,
        "phase": phase_label(_dig(protocol, "designModule", "phases")),
        "recruitment_status": status,
        "sponsor": str(_dig(protocol, "sponsorCollaboratorsModule", "leadSponsor", "name") or ""),
        "conditions": conditions,
        "targets_from_registry": targets_named(titles + interventions),
        "diseases_from_registry": diseases_named(conditions + titles),
        "minimum_age": age_in_years(eligibility.get("minimumAge"), which="minimumAge"),
        "maximum_age": age_in_years(eligibility.get("maximumAge"), which="maximumAge"),
        "site_names": "\n".join(_site_name(location) for location in locations if location),
        "facilities": [
            str(location.get("facility"))
            for location in locations
            if isinstance(location, dict) and location.get("facility")
        ],
        "link": registry_link(registry_id),
        "registry_last_update": str(
            _dig(protocol, "statusModule", "lastUpdatePostDateStruct", "date") or ""
        ),
    }


def _site_name(location):
    if not isinstance(location, dict):
        return str(location)
    parts = [location.get(name) for name in ("facility", "city", "country")]
    return ", ".join(str(part) for part in parts if part)


def _name_key(name):
    return " ".join(name.casefold().split())


class TrialImporter:
    """Imports the studies of one file; programmes are read once for all of them."""

    def __init__(self, verified_on):
        self.verified_on = verified_on
        self.report = ImportReport()
        offers = ProgrammeOffer.objects.exclude(registry_id="").values_list(
            "registry_id", "programme_id"
        )
        self.programmes_by_registry_id = {}
        for registry_id, programme_id in offers:
            self.programmes_by_registry_id.setdefault(registry_id, set()).add(programme_id)
        self.programmes_by_name = {
            _name_key(name): pk for pk, name in Programme.objects.values_list("pk", "name")
        }

    def prepare(self, studies):
        """Reads and checks every study; returns [(trial, its site programme ids, whether it
        changed)] of the trials to write."""
        values_by_id = {}
        for study in studies:
            registry_id, values = study_values(study)
            if registry_id in values_by_id:
                raise StudyFileError(f"{registry_id} is in the file twice.")
            values_by_id[registry_id] = values
        existing = {
            trial.registry_id: trial
            for trial in ClinicalTrial.objects.filter(registry_id__in=values_by_id)
        }
        prepared, errors = [], []
        for registry_id, values in values_by_id.items():
            trial = existing.get(registry_id) or ClinicalTrial(registry_id=registry_id)
            facilities = values.pop("facilities")
            if trial.pk and trial.last_verified_on > self.verified_on:
                # An older file (the shipped snapshot, loaded on every deploy) never undoes a
                # newer check.
                self.report.add(SKIPPED_NEWER, registry_id)
                continue
            changed = self._apply(trial, values)
            try:
                trial.full_clean(exclude=["registry_id"] if trial.pk else None)
            except ValidationError as error:
                messages = "; ".join(
                    f"{name}: {' '.join(problems)}" for name, problems in error.message_dict.items()
                )
                errors.append(f"{registry_id}: {messages}")
                continue
            sites = set(self.programmes_by_registry_id.get(registry_id, set()))
            sites |= {
                self.programmes_by_name[_name_key(name)]
                for name in facilities
                if _name_key(name) in self.programmes_by_name
            }
            prepared.append((trial, sites, changed))
        if errors:
            raise StudyFileError("\n".join(errors))
        return prepared

    def _apply(self, trial, values):
        """Sets the registry's values on the trial; True when anything changed."""
        changed = trial.pk is None
        for name in ("targets", "diseases"):
            # Still what the registry said last time: no editor changed it.
            if trial.pk is None or getattr(trial, name) == getattr(trial, f"{name}_from_registry"):
                values[name] = values[f"{name}_from_registry"]
        if trial.last_verified_on != self.verified_on:
            values["last_verified_on"] = self.verified_on
        for name, value in values.items():
            if getattr(trial, name) != value:
                setattr(trial, name, value)
                changed = True
        return changed

    def save(self, prepared):
        for trial, sites, changed in prepared:
            is_new = trial.pk is None
            if changed:
                trial.save()
            linked = set(trial.sites.values_list("pk", flat=True)) if not is_new else set()
            missing = sites - linked
            if missing:
                trial.sites.add(*missing)
            if is_new:
                outcome = CREATED
            elif changed or missing:
                outcome = UPDATED
            else:
                outcome = UNCHANGED
            self.report.add(outcome, trial.registry_id)


def read_study_file(path):
    try:
        with open(path, encoding="utf-8") as file:
            return json.load(file)
    except UnicodeDecodeError as error:
        raise StudyFileError(f"{path} is not a text file: {error}") from error
    except json.JSONDecodeError as error:
        raise StudyFileError(f"{path} is not JSON: {error}") from error


def import_trials(document, *, verified_on, dry_run=False):
    """Imports the studies of a parsed study file; returns the ImportReport. Nothing is written
    when any study cannot be read (StudyFileError) or when dry_run."""
    studies = studies_in(document)
    with transaction.atomic():
        importer = TrialImporter(verified_on)
        importer.save(importer.prepare(studies))
        if dry_run:
            transaction.set_rollback(True)
    return importer.report

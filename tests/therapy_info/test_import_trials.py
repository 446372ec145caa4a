"""`manage.py import_trials FILE`: a ClinicalTrials.gov API v2 study file becomes the trials, by
registry number; a second run changes nothing; a file that is not a study file, or any study that
cannot be read, is refused with a clear message and nothing imported; an older file never undoes a
newer check; editors' readings survive the next import.

fixtures/ctgov-studies-24.json holds 24 made-up studies (NCT990000xx, numbers the registry has not
assigned) in the registry's shape: statuses, phases, ages in years and months, a study with only
an official title, one without locations, one without a phase, one without a status."""

import copy
import datetime
import json
import uuid
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from therapy_info.programmes import City, Programme, ProgrammeOffer, ProgrammeSource
from therapy_info.trials import ClinicalTrial

pytestmark = pytest.mark.django_db

FIXTURE = Path(__file__).parent / "fixtures" / "ctgov-studies-24.json"
CHECKED_ON = "2026-11-20"


@pytest.fixture(autouse=True)
def no_shipped_trials():
    """The test database's load_content brought the shipped snapshot: these tests start empty."""
    ClinicalTrial.objects.all().delete()


@pytest.fixture
def studies():
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


@pytest.fixture
def write(tmp_path):
    def write_file(document, name="studies.json"):
        path = tmp_path / name
        text = document if isinstance(document, str) else json.dumps(document)
        path.write_text(text, encoding="utf-8")
        return str(path)

    return write_file


def run(path, *args):
    out = StringIO()
    call_command("import_trials", path, "--verified-on", CHECKED_ON, *args, stdout=out)
    return out.getvalue()


def snapshot():
    return {
        trial.registry_id: (trial.updated_at, trial.last_verified_on)
        for trial in ClinicalTrial.objects.all()
    }


def test_the_24_studies_of_a_registry_file_become_trials():
    output = run(str(FIXTURE))

    assert ClinicalTrial.objects.count() == 24
    assert "Trials: 24 created, 0 updated, 0 unchanged, 0 skipped." in output


def test_a_study_is_read_into_the_trials_fields():
    run(str(FIXTURE))

    trial = ClinicalTrial.objects.get(registry_id="NCT99000001")
    assert trial.title == (
        "BCMA CAR-T Cells in Relapsed or Refractory Multiple Myeloma (fixture study 1)"
    )
    assert trial.recruitment_status == "RECRUITING"
    assert trial.phase == "Phase 1"
    assert trial.sponsor == "Fixture Hospital 0"
    assert trial.conditions == ["Multiple Myeloma"]
    assert trial.targets == ["BCMA"]
    assert trial.diseases == ["multiple_myeloma"]
    assert (trial.minimum_age, trial.maximum_age) == (18, 75)
    assert trial.site_names == "Fixture Hospital 0, Beijing, China"
    assert trial.link == "https://clinicaltrials.gov/study/NCT99000001"
    assert trial.registry_last_update == "2026-10-01"
    assert trial.last_verified_on == datetime.date(2026, 11, 20)


@pytest.mark.parametrize(
    ("registry_id", "field", "expected"),
    [
        ("NCT99000002", "minimum_age", 0),  # "6 Months"
        ("NCT99000002", "maximum_age", None),  # no upper limit
        ("NCT99000002", "phase", "Phase 1/Phase 2"),
        ("NCT99000002", "diseases", ["large_b_cell_lymphoma"]),
        (
            "NCT99000003",
            "title",
            "A Single-arm, Open-label Study of CD19 Chimeric Antigen Receptor "
            "T Cells in Patients With Follicular Lymphoma",
        ),
        ("NCT99000004", "site_names", ""),
        ("NCT99000004", "targets", ["CD19", "CD20"]),
        (
            "NCT99000005",
            "site_names",
            "Fixture Hospital 4, Hangzhou, China\nSecond Fixture Site, Shanghai, China",
        ),
        ("NCT99000005", "diseases", ["b_all"]),
        ("NCT99000006", "phase", ""),
        ("NCT99000006", "diseases", ["cll"]),
        ("NCT99000007", "recruitment_status", ""),
        ("NCT99000007", "targets", ["CLL1"]),
        ("NCT99000008", "diseases", ["solid_tumour"]),
        ("NCT99000008", "targets", ["B7-H3"]),
        (
            "NCT99000010",
            "diseases",
            [
                "large_b_cell_lymphoma",
                "follicular_lymphoma",
                "mantle_cell_lymphoma",
                "other_blood_cancer",
            ],
        ),
        ("NCT99000011", "diseases", []),  # lupus: never matched to an enquiry
        ("NCT99000012", "diseases", ["other_blood_cancer"]),  # T-ALL, not B-ALL
    ],
)
def test_the_registrys_shapes_are_read(registry_id, field, expected):
    run(str(FIXTURE))

    assert getattr(ClinicalTrial.objects.get(registry_id=registry_id), field) == expected


def test_a_second_run_of_the_same_file_changes_nothing():
    run(str(FIXTURE))
    before = snapshot()

    output = run(str(FIXTURE))

    assert "Trials: 0 created, 0 updated, 24 unchanged, 0 skipped." in output
    assert snapshot() == before


def test_a_study_changed_in_a_later_file_is_updated_and_the_others_are_checked_again(
    studies, write
):
    run(str(FIXTURE))
    studies["studies"][0]["protocolSection"]["statusModule"]["overallStatus"] = "COMPLETED"

    out = StringIO()
    call_command("import_trials", write(studies), "--verified-on", "2026-11-27", stdout=out)

    assert "Trials: 0 created, 24 updated, 0 unchanged, 0 skipped." in out.getvalue()
    trial = ClinicalTrial.objects.get(registry_id="NCT99000001")
    assert trial.recruitment_status == "COMPLETED"
    assert trial.last_verified_on == datetime.date(2026, 11, 27)


def test_an_older_file_never_undoes_a_newer_check(studies, write):
    run(str(FIXTURE))
    studies["studies"][0]["protocolSection"]["statusModule"]["overallStatus"] = "WITHDRAWN"

    out = StringIO()
    call_command("import_trials", write(studies), "--verified-on", "2026-11-01", stdout=out)

    assert "24 skipped" in out.getvalue()
    assert ClinicalTrial.objects.get(registry_id="NCT99000001").recruitment_status == "RECRUITING"


def test_an_editors_diagnoses_survive_the_next_import_while_untouched_ones_follow_the_registry(
    studies, write
):
    run(str(FIXTURE))
    edited = ClinicalTrial.objects.get(registry_id="NCT99000010")
    edited.diseases = ["large_b_cell_lymphoma"]
    edited.minimum_prior_lines = 2
    edited.save()
    for study in studies["studies"][9:11]:
        study["protocolSection"]["conditionsModule"]["conditions"] = ["Multiple Myeloma"]

    call_command("import_trials", write(studies), "--verified-on", "2026-11-27", stdout=StringIO())

    edited.refresh_from_db()
    assert edited.diseases == ["large_b_cell_lymphoma"]
    assert edited.minimum_prior_lines == 2
    assert ClinicalTrial.objects.get(registry_id="NCT99000011").diseases == ["multiple_myeloma"]


def test_a_programme_running_the_trial_is_linked_as_its_site_and_stays_linked(studies, write):
    city = City.objects.create(name=f"City {uuid.uuid4()}")
    by_name = Programme.objects.create(slug="fixture-0", name="Fixture Hospital 0", city=city)
    by_offer = Programme.objects.create(slug="offers-it", name="Another hospital", city=city)
    source = ProgrammeSource.objects.create(
        programme=by_offer,
        number=1,
        citation="A listing.",
        url="https://example.org/listing",
        last_verified_on=datetime.date(2026, 11, 1),
    )
    ProgrammeOffer.objects.create(
        programme=by_offer,
        kind=ProgrammeOffer.Kind.TRIAL,
        name="A trial",
        target="CD19",
        diseases=["large_b_cell_lymphoma"],
        registry_id="NCT99000002",
        source=source,
    )

    run(str(FIXTURE))
    studies["studies"][0]["protocolSection"]["contactsLocationsModule"]["locations"] = []
    call_command("import_trials", write(studies), "--verified-on", "2026-11-27", stdout=StringIO())

    assert list(ClinicalTrial.objects.get(registry_id="NCT99000001").sites.all()) == [by_name]
    assert list(ClinicalTrial.objects.get(registry_id="NCT99000002").sites.all()) == [by_offer]
    assert not ClinicalTrial.objects.get(registry_id="NCT99000003").sites.exists()


def test_one_study_alone_and_a_list_of_studies_are_read_too(studies, write):
    run(write(studies["studies"][0], "one.json"))
    run(write(studies["studies"][1:3], "list.json"))

    assert sorted(ClinicalTrial.objects.values_list("registry_id", flat=True)) == [
        "NCT99000001",
        "NCT99000002",
        "NCT99000003",
    ]


def test_a_dry_run_says_what_it_would_do_and_writes_nothing():
    output = run(str(FIXTURE), "--dry-run")

    assert "Dry run, nothing written: would be 24 created" in output
    assert not ClinicalTrial.objects.exists()


def _without_nct_id(studies):
    del studies["studies"][12]["protocolSection"]["identificationModule"]["nctId"]
    return studies


def _with(position, module, name, value):
    def change(studies):
        studies["studies"][position]["protocolSection"][module][name] = value
        return studies

    return change


def _twice(studies):
    studies["studies"].append(copy.deepcopy(studies["studies"][3]))
    return studies


def _without_titles(studies):
    studies["studies"][8]["protocolSection"]["identificationModule"].pop("briefTitle")
    studies["studies"][8]["protocolSection"]["identificationModule"].pop("officialTitle")
    return studies


def _without_protocol(studies):
    studies["studies"][5] = {"derivedSection": {}}
    return studies


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        (lambda studies: "<html>Not found</html>", "is not JSON"),
        (lambda studies: {"nextPageToken": "abc"}, "This is not a ClinicalTrials.gov study file"),
        (lambda studies: {"studies": []}, "The file holds no studies."),
        (_without_protocol, "Study 6 of 24 has no protocolSection"),
        (_without_nct_id, "A study has no protocolSection.identificationModule.nctId."),
        (_with(4, "identificationModule", "nctId", "NCT123"), "'NCT123' is not an NCT number"),
        (_without_titles, "NCT99000009: no briefTitle or officialTitle."),
        (_with(7, "statusModule", "overallStatus", "OPEN"), "NCT99000008: overallStatus 'OPEN'"),
        (_with(9, "eligibilityModule", "minimumAge", "eighteen"), "minimumAge 'eighteen'"),
        (_with(9, "eligibilityModule", "maximumAge", "12 Years"), "NCT99000010: maximum_age"),
        (_twice, "NCT99000004 is in the file twice."),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_with_its_reason_and_nothing_imported(
    studies, write, broken, message
):
    with pytest.raises(CommandError) as refused:
        run(write(broken(studies)))

    assert message in str(refused.value)
    assert "Nothing was imported." in str(refused.value)
    assert not ClinicalTrial.objects.exists()


def test_a_bad_study_in_a_later_file_leaves_the_trials_as_they_were(studies, write):
    run(str(FIXTURE))
    before = snapshot()
    studies["studies"][0]["protocolSection"]["statusModule"]["overallStatus"] = "COMPLETED"
    studies["studies"][20]["protocolSection"]["eligibilityModule"]["minimumAge"] = "soon"

    with pytest.raises(CommandError):
        call_command("import_trials", write(studies), "--verified-on", "2026-11-27")

    assert snapshot() == before
    assert ClinicalTrial.objects.get(registry_id="NCT99000001").recruitment_status == "RECRUITING"


def test_a_missing_file_is_refused():
    with pytest.raises(CommandError, match="No such file"):
        run("/nonexistent/studies.json")


def test_a_check_date_in_the_future_is_refused():
    with pytest.raises(CommandError, match="is in the future"):
        call_command("import_trials", str(FIXTURE), "--verified-on", "2999-01-01")

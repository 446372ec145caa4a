"""`manage.py seed_enquiries --count 100000`: many realistic, varied fake enquiries for load tests
and benchmarks, written with bulk inserts (100,000 in well under a minute on PostgreSQL).
Never run it against production: every row is invented."""

import random
import uuid
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from enquiries import notifications, sla
from enquiries.models import (
    REFERENCE_ALPHABET,
    Enquiry,
    EnquiryEvent,
    Note,
    OutgoingEmail,
)
from therapy_info.programmes import City

FIRST_NAMES = [
    "Anna",
    "Ivan",
    "Maria",
    "Ahmed",
    "Olga",
    "Jan",
    "Fatima",
    "Li",
    "Sofia",
    "Omar",
    "Elena",
    "Pavel",
    "Aisha",
    "Tomas",
    "Nadia",
    "Yusuf",
    "Eva",
    "Karim",
    "Irina",
    "Ali",
]
LAST_NAMES = [
    "Novak",
    "Petrov",
    "Garcia",
    "Hassan",
    "Ivanova",
    "Svoboda",
    "Khan",
    "Wang",
    "Rossi",
    "Haddad",
    "Popescu",
    "Kowalski",
    "Nasser",
    "Horvat",
    "Yilmaz",
    "Sato",
]
COUNTRIES = [
    "RU",
    "KZ",
    "UA",
    "CZ",
    "PL",
    "DE",
    "AE",
    "SA",
    "EG",
    "TR",
    "IN",
    "PK",
    "ID",
    "VN",
    "TH",
    "MY",
    "NG",
    "KE",
    "BR",
    "US",
    "GB",
    "IL",
    "IR",
    "UZ",
]
LANGUAGES = ["en", "en", "en", "ru", "ar", "zh-hans"]
NOTES = [
    "Asked for the latest PET-CT report.",
    "Called the family; they will send records.",
    "Sent to the hospital for an opinion.",
    "Waiting for the biopsy report.",
]
BATCH = 5000


def seeded_reference(rng, used):
    while True:
        symbols = "".join(rng.choice(REFERENCE_ALPHABET) for _ in range(8))
        reference = f"CT-{symbols[:4]}-{symbols[4:]}"
        if reference not in used:
            used.add(reference)
            return reference


class Command(BaseCommand):
    help = "Insert many fake enquiries (with cities, events and notes) for load tests."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=1000)
        parser.add_argument("--days", type=int, default=730, help="Spread over this many days.")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, count, days, seed, **options):
        cities = list(City.objects.all())
        if not cities:
            raise CommandError("No cities: run `manage.py migrate` first.")
        staff = list(get_user_model().objects.filter(is_staff=True)[:20])
        # Repeatable fake data, not secrets: a seeded generator is what we want.
        rng = random.Random(seed)  # noqa: S311
        now = timezone.now()
        used = set(Enquiry.objects.values_list("reference", flat=True))
        # A duplicate needs the enquiry it duplicates (Enquiry.close_as_duplicate_of).
        statuses = [s for s in Enquiry.Status.values if s != Enquiry.Status.DUPLICATE]
        # Most enquiries are old and closed; the recent ones are still being worked.
        open_statuses = ["new", "in_review", "awaiting_records", "with_hospital"]
        diagnoses = Enquiry.Diagnosis.values
        calendar = sla.current_calendar()
        created = 0
        started = timezone.now()
        while created < count:
            size = min(BATCH, count - created)
            enquiries = []
            for _number in range(size):
                submitted = now - timedelta(seconds=rng.randint(0, days * 86400))
                recent = (now - submitted).days < 30
                status = rng.choice(open_statuses if recent else statuses)
                name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
                email = f"{name.replace(' ', '.').lower()}{rng.randint(1, 4000)}@example.org"
                phone = f"+7{rng.randint(9000000000, 9999999999)}" if rng.random() < 0.6 else ""
                birth_year = rng.randint(1940, 2015)
                replied = None
                if status != "new" and rng.random() < 0.9:
                    replied = submitted + timedelta(minutes=rng.randint(20, 60 * 40))
                follow_up_on = (
                    (submitted + timedelta(days=rng.randint(1, 30))).date()
                    if status in open_statuses and status != "new"
                    else None
                )
                enquiry = Enquiry(
                    reference=seeded_reference(rng, used),
                    submission_token=uuid.uuid4(),
                    submitted_at=submitted,
                    language=rng.choice(LANGUAGES),
                    relationship=rng.choice(Enquiry.Relationship.values),
                    patient_name=name,
                    gender=rng.choice(Enquiry.Gender.values),
                    birth_year=birth_year,
                    country=rng.choice(COUNTRIES),
                    email=email,
                    phone=phone,
                    diagnosis=rng.choice(diagnoses),
                    disease_status=rng.choice(Enquiry.DiseaseStatus.values),
                    medical_summary="Seeded enquiry for load tests.",
                    travel_timeframe=rng.choice(Enquiry.TravelTimeframe.values),
                    status=status,
                    assigned_to=rng.choice(staff) if staff and status != "new" else None,
                    priority=rng.choice(Enquiry.Priority.values),
                    next_follow_up_on=follow_up_on,
                    follow_up_due_at=(
                        sla.follow_up_due(follow_up_on, calendar) if follow_up_on else None
                    ),
                    first_replied_at=replied,
                    first_reply_due_at=sla.first_reply_due(submitted, calendar),
                )
                # bulk_create skips save(), which fills these in.
                enquiry.refresh_duplicate_keys()
                enquiries.append(enquiry)
            with transaction.atomic():
                Enquiry.objects.bulk_create(enquiries)
                if enquiries[0].pk is None:  # databases that do not return ids (none we use)
                    raise CommandError("This database does not return ids from bulk inserts.")
                Through = Enquiry.preferred_cities.through
                Through.objects.bulk_create(
                    Through(enquiry_id=enquiry.pk, city_id=city.pk)
                    for enquiry in enquiries
                    for city in rng.sample(cities, rng.randint(0, 2))
                )
                EnquiryEvent.objects.bulk_create(
                    EnquiryEvent(
                        enquiry_id=enquiry.pk,
                        kind=EnquiryEvent.Kind.RECEIVED,
                        created_at=enquiry.submitted_at,
                        details={"files": 0},
                    )
                    for enquiry in enquiries
                )
                # Every email of every enquiry went out a minute after it arrived.
                OutgoingEmail.objects.bulk_create(
                    OutgoingEmail(
                        enquiry_id=enquiry.pk,
                        kind=kind,
                        recipient_role=role,
                        status=OutgoingEmail.Status.SENT,
                        attempts=1,
                        created_at=enquiry.submitted_at,
                        last_attempt_at=enquiry.submitted_at + timedelta(minutes=1),
                        sent_at=enquiry.submitted_at + timedelta(minutes=1),
                        message_id=f"<seed-{uuid.uuid4().hex}@seed.invalid>",
                    )
                    for enquiry in enquiries
                    for kind, (role, _send) in notifications.SENDERS.items()
                )
                Note.objects.bulk_create(
                    Note(
                        enquiry_id=enquiry.pk,
                        author=enquiry.assigned_to,
                        created_at=enquiry.submitted_at + timedelta(days=1),
                        text=rng.choice(NOTES),
                    )
                    for enquiry in enquiries
                    if enquiry.assigned_to is not None and rng.random() < 0.3
                )
            created += size
            self.stdout.write(f"{created}/{count} enquiries")
        seconds = (timezone.now() - started).total_seconds()
        self.stdout.write(f"Seeded {created} enquiries in {seconds:.1f} s.")

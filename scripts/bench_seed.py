"""Seeds the benchmark's database fast, and logs a coordinator in for the admin measurements.

    python scripts/bench_seed.py enquiries N   # N realistic enquiries with cities, notes, events
    python scripts/bench_seed.py staff-session # prints the key of a logged-in, 2FA-verified session

Used by scripts/bench.py when the back office's own seeder (manage.py seed_enquiries) is missing.
Rows go in with bulk_create in batches: 100,000 enquiries take about a minute, not an hour.
Runs with whatever settings the environment gives (DJANGO_SETTINGS_MODULE, DATABASE_URL)."""

# ruff: noqa: S311  (sample data, not secrets)
import os
import random
import sys
import time
import uuid
from datetime import timedelta
from importlib import import_module
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django

django.setup()

from django.apps import apps  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from enquiries.models import City, Enquiry, EnquiryEvent, new_reference  # noqa: E402

BATCH = 2_000
FIRST_NAMES = ["Anna", "Omar", "Li", "Olga", "James", "Fatima", "Wei", "Ivan", "Maria", "Ahmed"]
LAST_NAMES = ["Novak", "Haddad", "Zhang", "Petrova", "Smith", "Rahman", "Chen", "Ivanov", "Garcia"]
COUNTRIES = ["CZ", "AE", "RU", "KZ", "GB", "SA", "EG", "DE", "US", "UA", "IN", "NG"]
LANGUAGES = ["en", "en", "en", "ru", "ar", "zh-hans"]
NOTES = [
    "Called the patient; records promised by Friday.",
    "Pathology report received, forwarded to the hospital.",
    "Patient asked about costs; sent the overview.",
    "Hospital asked for the latest PET-CT.",
]


def coordinators():
    User = get_user_model()
    users = []
    for number in range(1, 6):
        user, _created = User.objects.get_or_create(
            username=f"coordinator{number}", defaults={"is_staff": True}
        )
        users.append(user)
    return users


def choose(choices):
    return random.choice(choices.values)


def new_enquiry(now, refs, staff):
    submitted_at = now - timedelta(minutes=random.randint(0, 2 * 365 * 24 * 60))
    reference = new_reference()
    while reference in refs:
        reference = new_reference()
    refs.add(reference)
    first, last = random.choice(FIRST_NAMES), random.choice(LAST_NAMES)
    enquiry = Enquiry(
        reference=reference,
        submission_token=uuid.uuid4(),
        submitted_at=submitted_at,
        first_reply_due_at=submitted_at + timedelta(hours=settings.FIRST_REPLY_PROMISE_HOURS),
        language=random.choice(LANGUAGES),
        relationship=choose(Enquiry.Relationship),
        patient_name=f"{first} {last}",
        gender=choose(Enquiry.Gender),
        birth_year=random.randint(1940, 2015),
        country=random.choice(COUNTRIES),
        email=f"{first}.{last}.{len(refs)}@example.org".lower(),
        diagnosis=choose(Enquiry.Diagnosis),
        disease_status=choose(Enquiry.DiseaseStatus),
        travel_timeframe=choose(Enquiry.TravelTimeframe),
        medical_summary="Two lines of chemotherapy; relapsed after the second.",
        status=choose(Enquiry.Status),
        priority=choose(Enquiry.Priority),
        assigned_to=random.choice([None, *staff]),
        notification_status=Enquiry.NotificationStatus.SENT,
    )
    # The back office's duplicate keys, when the model has them (computed in save() otherwise).
    if hasattr(enquiry, "refresh_duplicate_keys"):
        enquiry.refresh_duplicate_keys()
    return enquiry


def seed_enquiries(count):
    random.seed(7)
    now = timezone.now()
    staff = coordinators()
    city_ids = list(City.objects.values_list("pk", flat=True))
    Through = Enquiry.preferred_cities.through
    Note = apps.get_model("enquiries", "Note") if "note" in apps.all_models["enquiries"] else None
    refs = set(Enquiry.objects.values_list("reference", flat=True))
    started = time.monotonic()
    done = 0
    while done < count:
        size = min(BATCH, count - done)
        with transaction.atomic():
            enquiries = Enquiry.objects.bulk_create(
                [new_enquiry(now, refs, staff) for _ in range(size)]
            )
            links, events, notes = [], [], []
            for enquiry in enquiries:
                for city_id in random.sample(city_ids, k=min(len(city_ids), random.randint(0, 2))):
                    links.append(Through(enquiry_id=enquiry.pk, city_id=city_id))
                events.append(
                    EnquiryEvent(
                        enquiry=enquiry,
                        kind=EnquiryEvent.Kind.RECEIVED,
                        created_at=enquiry.submitted_at,
                    )
                )
                events.append(
                    EnquiryEvent(
                        enquiry=enquiry,
                        kind=EnquiryEvent.Kind.NOTIFICATION_SENT,
                        created_at=enquiry.submitted_at + timedelta(seconds=30),
                        details={"recipient": "coordinators", "attempt": 1},
                    )
                )
                if Note is not None and random.random() < 0.5:
                    notes.append(
                        Note(
                            enquiry=enquiry,
                            author=enquiry.assigned_to or staff[0],
                            created_at=enquiry.submitted_at + timedelta(hours=2),
                            text=random.choice(NOTES),
                        )
                    )
            Through.objects.bulk_create(links)
            EnquiryEvent.objects.bulk_create(events)
            if Note is not None:
                Note.objects.bulk_create(notes)
        done += size
        if done % 20_000 == 0 or done == count:
            print(f"  seeded {done:,} enquiries ({time.monotonic() - started:.0f} s)", flush=True)


def staff_session():
    """A superuser's session as after a full login (password and TOTP), without a browser."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from portal import staff_sessions

    User = get_user_model()
    user, _created = User.objects.get_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    user.set_unusable_password()
    user.save()
    device, _created = TOTPDevice.objects.get_or_create(
        user=user, name="bench", defaults={"confirmed": True}
    )
    now = int(time.time())
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[staff_sessions.LOGGED_IN_AT] = now
    session[staff_sessions.LAST_ACTIVITY_AT] = now
    session.create()
    print(session.session_key)


if __name__ == "__main__":
    if sys.argv[1:2] == ["enquiries"]:
        seed_enquiries(int(sys.argv[2]))
    elif sys.argv[1:] == ["staff-session"]:
        staff_session()
    else:
        sys.exit(__doc__)

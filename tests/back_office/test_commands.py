"""The back office's management commands: creating staff in a role, seeding fake enquiries."""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from enquiries.models import Enquiry


def test_create_staff_user_puts_them_in_their_role_with_a_one_time_password(db, capsys):
    call_command("create_staff_user", email="Cora@Example.org", role="coordinator")
    output = capsys.readouterr().out
    password = re.search(r"shown only now\): (\S+)", output).group(1)
    user = get_user_model().objects.get(username="cora@example.org")
    assert user.is_staff and not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == ["Coordinators"]
    assert user.check_password(password)
    assert user.has_perm("enquiries.change_enquiry")
    assert not user.has_perm("enquiries.export_enquiries")


def test_create_staff_user_makes_a_medical_reviewer(db, capsys):
    call_command("create_staff_user", email="rita@example.org", role="medical_reviewer")

    user = get_user_model().objects.get(username="rita@example.org")
    assert list(user.groups.values_list("name", flat=True)) == ["Medical reviewers"]
    assert user.has_perm("therapy_info.review_medical_content")
    assert not user.has_perm("enquiries.view_enquiry")


def test_create_staff_user_refuses_an_existing_user(db):
    call_command("create_staff_user", email="lead@example.org", role="lead")
    with pytest.raises(CommandError, match="already exists"):
        call_command("create_staff_user", email="lead@example.org", role="lead")


def test_create_staff_user_refuses_an_unknown_role(db):
    with pytest.raises(CommandError):
        call_command("create_staff_user", email="x@example.org", role="admin")


def test_seed_enquiries_writes_varied_enquiries_with_duplicate_keys(db, coordinator):
    call_command("seed_enquiries", count=300, stdout=io.StringIO())
    assert Enquiry.objects.count() == 300
    assert Enquiry.objects.values("country").distinct().count() > 5
    assert not Enquiry.objects.filter(email_key="").exists()
    assert Enquiry.preferred_cities.through.objects.exists()

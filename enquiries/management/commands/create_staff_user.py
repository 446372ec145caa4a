"""`manage.py create_staff_user --email … --role coordinator|lead|content_editor`: a staff account
in one role, with a generated password printed once (nothing is emailed), to be replaced at first
login."""

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction

from enquiries.roles import ROLES
from portal.models import PasswordChangeRequired


class Command(BaseCommand):
    help = "Create a staff account in one back-office role and print its one-time password."

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True, help="Also the login name.")
        parser.add_argument("--role", required=True, choices=sorted(ROLES))
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")

    def handle(self, *args, email, role, first_name, last_name, **options):
        email = email.strip().lower()
        try:
            validate_email(email)
        except Exception as error:
            raise CommandError(f"Not an email address: {email!r}") from error
        User = get_user_model()
        if User.objects.filter(username=email).exists():
            raise CommandError(f"A user {email} already exists; change their groups in admin.")
        try:
            group = Group.objects.get(name=ROLES[role])
        except Group.DoesNotExist as error:
            raise CommandError("The role groups are missing: run `manage.py migrate`.") from error
        # Shown once, here; the admin asks its owner for their own password at first login.
        password = secrets.token_urlsafe(15)
        with transaction.atomic():
            user = User.objects.create_user(
                username=email,
                email=email,
                password=password,
                first_name=first_name,
                last_name=last_name,
                is_staff=True,
            )
            user.groups.add(group)
            PasswordChangeRequired.objects.create(user=user)
        self.stdout.write(f"Created {email} in {group.name}.")
        self.stdout.write(f"One-time password (shown only now): {password}")

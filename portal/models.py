"""Staff account state every app's back office relies on: an account still on its one-time
password (portal.admin_site asks for a new one before any other admin page)."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class PasswordChangeRequired(models.Model):
    """A staff account whose password someone else chose (the one `create_staff_user` printed):
    its owner must pick their own at first login. The row goes once they have."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="staff member",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    since = models.DateTimeField("since", default=timezone.now)

    class Meta:
        verbose_name = "password change required"
        verbose_name_plural = "password changes required"
        # Written by the code only (create_staff_user, the password change page).
        default_permissions = ()

    def __str__(self):
        return str(self.user)

"""Staff sessions end after a period without activity (idle timeout) and, however active, after a
fixed time since login (absolute timeout): a forgotten back-office tab does not stay open."""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

LOGGED_IN_AT = "portal_logged_in_at"
LAST_ACTIVITY_AT = "portal_last_activity_at"
# Writing the session on every request costs a database write; a minute's precision is plenty.
ACTIVITY_WRITE_INTERVAL_SECONDS = 60


@receiver(user_logged_in)
def remember_login_time(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[LOGGED_IN_AT] = now
        request.session[LAST_ACTIVITY_AT] = now


class StaffSessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            self.enforce_timeouts(request)
        return self.get_response(request)

    def enforce_timeouts(self, request):
        now = int(time.time())
        session = request.session
        logged_in_at = session.setdefault(LOGGED_IN_AT, now)
        last_activity_at = session.get(LAST_ACTIVITY_AT, now)
        idle_seconds = settings.STAFF_SESSION_IDLE_MINUTES * 60
        absolute_seconds = settings.STAFF_SESSION_ABSOLUTE_HOURS * 3600
        if now - last_activity_at > idle_seconds or now - logged_in_at > absolute_seconds:
            logout(request)
            return
        if now - last_activity_at >= ACTIVITY_WRITE_INTERVAL_SECONDS:
            session[LAST_ACTIVITY_AT] = now

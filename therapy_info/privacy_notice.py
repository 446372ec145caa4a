"""The privacy notice in force: for the public page, and for the enquiry form, which records the
version a patient saw (enquiries imports it from here; therapy_info never imports enquiries)."""

from django.utils import timezone

from therapy_info import content_cache
from therapy_info.models import PrivacyNotice


def current_notice():
    """{"version", "effective_on", "body_html"} of the version in force today, in the active
    language, or None. Cached per content version and day: an editor's save is seen at once, and
    a version dated for tomorrow takes over at midnight without a save."""
    today = timezone.localdate()

    def build():
        notice = PrivacyNotice.objects.current(on=today)
        if notice is None:
            return None
        return {
            "version": notice.version,
            "effective_on": notice.effective_on,
            "body_html": notice.body_html,
        }

    return content_cache.cached(f"privacy-notice:{today.isoformat()}", build)


def current_version():
    """The label of the version in force, or "" when there is none."""
    notice = current_notice()
    return notice["version"] if notice else ""

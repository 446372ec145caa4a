"""Template context every page needs. Nothing here touches the database, so error pages render
even when the database is down."""

from django.conf import settings


def site(request):
    return {
        "SITE_NAME": settings.SITE_NAME,
        "CONTACT_EMAIL": settings.CONTACT_EMAIL,
    }

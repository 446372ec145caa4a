"""Views of the project itself: the contact page, the language switcher, health check, robots.txt,
security.txt, error pages."""

import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.db.models import Case, Count, F, Min, When
from django.db.models.functions import Greatest
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_tasks_db.models import DBTaskResult, get_date_max

from portal import context_processors

logger = logging.getLogger(__name__)


def contact(request):
    return render(request, "portal/contact.html")


@never_cache
@require_GET
def switch_language(request, language):
    """The language switcher's links: remember the reader's choice, then show the same page in
    that language. A link (GET) rather than a form posting to set_language: no CSRF token in every
    page, so public pages stay cacheable and the switcher works without JavaScript; the only state
    it changes is the reader's own display language."""
    if language not in dict(settings.LANGUAGES):
        raise Http404
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        with translation.override(language):
            next_url = reverse("home")
    response = HttpResponseRedirect(next_url)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


@never_cache
@require_GET
def healthz(request):
    """Reports each dependency: the database, the cache and the task queue (how many tasks are
    due and how long the oldest has waited). Answers 503 only when the database is down: without
    the cache the site is slower, without a worker emails wait, but both still take enquiries.
    Says nothing personal: counts and ages only."""
    cache_status = _cache_status()
    try:
        task_queue = _task_queue()
    except DatabaseError:
        logger.exception("Health check: the database did not answer")
        body = {"status": "unavailable", "database": "down", "cache": cache_status}
        return JsonResponse(body, status=503)
    return JsonResponse(
        {
            "status": "ok" if cache_status == "ok" else "degraded",
            "database": "ok",
            "cache": cache_status,
            "task_queue": task_queue,
        }
    )


def _cache_status():
    # A key of its own: two health checks at once must not read each other's value.
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "ok", 10)
    answered = cache.get(key) == "ok"
    cache.delete(key)
    return "ok" if answered else "down"


def _task_queue():
    """The tasks due to run (READY, and their run_after passed or unset) and how long the oldest
    has waited, in one query: the one that also proves the database answers."""
    # django-tasks-db marks "run as soon as possible" with the largest date, not NULL.
    waiting_since = Case(
        When(run_after=get_date_max(), then=F("enqueued_at")),
        default=Greatest("enqueued_at", "run_after"),
    )
    due = DBTaskResult.objects.ready().aggregate(count=Count("pk"), oldest=Min(waiting_since))
    oldest = due["oldest"]
    age = None if oldest is None else max(0, int((timezone.now() - oldest).total_seconds()))
    return {"waiting": due["count"], "oldest_age_seconds": age}


@require_GET
def robots_txt(request):
    # The admin's address is deliberately not named here: robots.txt is public.
    lines = [
        "User-agent: *",
        "Disallow: /*/start/thank-you/",
        # The language switcher's links: each page's languages are in its hreflang alternates.
        "Disallow: /i18n/",
        f"Sitemap: {request.build_absolute_uri(reverse('django.contrib.sitemaps.views.sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


@require_GET
def security_txt(request):
    """RFC 9116: where to report a vulnerability. Expires is kept within the next year, as the RFC
    asks, by computing it from the date of the request."""
    expires = (timezone.now() + timedelta(days=180)).replace(microsecond=0)
    lines = [
        f"Contact: {settings.SECURITY_CONTACT}",
        f"Expires: {expires.isoformat().replace('+00:00', 'Z')}",
        "Preferred-Languages: en, zh",
        f"Canonical: {request.build_absolute_uri(request.path)}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


# Error pages. They use only templates and settings, never the database, so they render when the
# database is down; 500 renders without context processors, as Django's own handler does.


def bad_request(request, exception=None):
    return render(request, "400.html", status=400)


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # Only the site's own context processor: the others may need the request or the database.
    template = loader.get_template("500.html")
    return HttpResponse(template.render(context_processors.site(request)), status=500)


def csrf_failure(request, reason=""):
    # The reason is for developers; patients get a calm explanation of what to do.
    return render(request, "403_csrf.html", status=403)

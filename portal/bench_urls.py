"""The portal's URLs plus two only `make bench` uses (portal.bench_settings): never in production.

/bench/reference is the yardstick: a constant answer through the same middleware as every page,
so each page's requests/s divided by its requests/s says what the page itself costs.
/bench/csrf-token hands out a fresh CSRF cookie and token, as the form page would, so the load
generator can post each submission with its own token without rendering the form first."""

from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.urls import path

from portal.urls import *  # noqa: F403  (the handlers as well as the patterns)
from portal.urls import urlpatterns as portal_urlpatterns


def reference(request):
    return HttpResponse(b"ok", content_type="text/plain")


def csrf_token(request):
    return HttpResponse(get_token(request), content_type="text/plain")


urlpatterns = [
    path("bench/reference", reference),
    path("bench/csrf-token", csrf_token),
    *portal_urlpatterns,
]

"""Whole public pages served from the cache to anonymous readers, without touching the database.

A page is stored only when it is the same for everyone: a GET of a view named in
settings.PAGE_CACHE_VIEWS, answered 200, by a request without a session or messages cookie, with
no cookie set, no CSRF token in the body and nothing that forbids caching. Its key holds the
content version: the apps call bump_version() when what their pages show changes (an editor's
save or publish, the working calendar), which makes every stored page stale at once;
PAGE_CACHE_SECONDS bounds how long a page outlives a deploy.

The CSP nonce is never frozen into a stored page: it is swapped for a placeholder when stored and
for this request's fresh nonce when served, so the body and the Content-Security-Policy header
(added afterwards by the outer CSP middleware) always carry the same, new nonce.
"""

import hashlib
import uuid

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils.cache import get_max_age, patch_cache_control, patch_vary_headers

VERSION_KEY = "page_cache:content-version"

# Never valid in HTML, so it cannot be mistaken for page text.
NONCE_PLACEHOLDER = b"\x00csp-nonce\x00"
# Campaign tags do not change what a page says: links carrying them get the page stored from the
# bare URL.
TRACKING_PARAMETERS = {"gclid", "fbclid", "msclkid"}
# What a stored page may vary on: the language is in the URL, and readers with cookies that
# change a page (session, messages) never get a stored page.
ALLOWED_VARY = {"cookie", "accept-language"}


def content_version():
    """The version every stored page's key holds (apps may key their own cached content by it
    too, so that one bump makes that stale as well)."""
    return cache.get_or_set(VERSION_KEY, lambda: uuid.uuid4().hex, None)


def _new_version():
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)


def bump_version():
    """Makes every stored page stale, now and again when the transaction commits: a reader
    between the save and the commit may have stored the old page under the new version."""
    _new_version()
    transaction.on_commit(_new_version)


def _is_tracking_parameter(name):
    return name.startswith("utm_") or name in TRACKING_PARAMETERS


class PageCacheMiddleware:
    """Serves and stores whole pages; sits just inside the security, CSP and whitenoise
    middleware, so their headers are added fresh to every response, hit or miss."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.timeout = settings.PAGE_CACHE_SECONDS
        self.browser_max_age = settings.PAGE_CACHE_BROWSER_SECONDS
        self.view_names = frozenset(settings.PAGE_CACHE_VIEWS)
        self.personal_cookies = {settings.SESSION_COOKIE_NAME, CookieStorage.cookie_name}

    def __call__(self, request):
        anonymous_read = self.timeout > 0 and self._is_anonymous_read(request)
        if not anonymous_read:
            response = self.get_response(request)
            if self._is_cacheable_view(request, response):
                # Someone logged in (or with messages waiting): never in a shared cache.
                patch_cache_control(response, private=True, no_cache=True)
                patch_vary_headers(response, ["Cookie"])
            return response

        key = self._key(request)
        stored = cache.get(key)
        if stored is not None:
            response = self._from_cache(request, stored)
            if response is not None:
                return response

        response = self.get_response(request)
        # Stored only from a bare URL: a page may echo its query string (the language links).
        if not request.GET and self._may_store(request, response):
            patch_cache_control(response, public=True, max_age=self.browser_max_age)
            patch_vary_headers(response, ["Cookie"])
            cache.set(key, self._to_cache(request, response), self.timeout)
        return response

    def _is_anonymous_read(self, request):
        if request.method != "GET":
            return False
        if self.personal_cookies & request.COOKIES.keys():
            return False
        return all(_is_tracking_parameter(name) for name in request.GET)

    def _key(self, request):
        # The host and scheme are part of the page (canonical and absolute links). get_host()
        # also refuses a host that is not in ALLOWED_HOSTS, as the view would have.
        url = f"{request.scheme}://{request.get_host()}{request.path}"
        digest = hashlib.sha256(url.encode()).hexdigest()
        return f"page:{content_version()}:{digest}"

    def _is_cacheable_view(self, request, response):
        match = getattr(request, "resolver_match", None)
        return (
            response.status_code == 200 and match is not None and match.view_name in self.view_names
        )

    def _may_store(self, request, response):
        if not self._is_cacheable_view(request, response) or response.streaming:
            return False
        if response.cookies:
            return False
        cache_control = response.get("Cache-Control", "")
        if any(word in cache_control for word in ("private", "no-cache", "no-store")):
            return False
        if get_max_age(response) == 0:
            return False
        vary = {part.strip().lower() for part in response.get("Vary", "").split(",") if part}
        if not vary <= ALLOWED_VARY:
            return False
        # A CSRF token belongs to one reader; a page with a form is never shared.
        return b"csrfmiddlewaretoken" not in response.content

    def _to_cache(self, request, response):
        body = response.content
        nonce = getattr(request, "_csp_nonce", None)
        nonce_used = bool(nonce)
        if nonce_used:
            body = body.replace(str(nonce).encode(), NONCE_PLACEHOLDER)
        headers = [
            (name, value)
            for name, value in response.headers.items()
            if name.lower() not in ("content-length", "set-cookie")
        ]
        return (response.status_code, headers, body, nonce_used)

    def _from_cache(self, request, stored):
        status, headers, body, nonce_used = stored
        if nonce_used:
            nonce = getattr(request, "_csp_nonce", None)
            if nonce is None:
                return None
            # Evaluating the lazy nonce makes the CSP middleware put it in the header too.
            body = body.replace(NONCE_PLACEHOLDER, str(nonce).encode())
        response = HttpResponse(body, status=status)
        for name, value in headers:
            response.headers[name] = value
        response.headers["Content-Length"] = str(len(body))
        return response

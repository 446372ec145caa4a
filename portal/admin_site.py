"""The back office's admin site: Django's admin, plus two-factor authentication (TOTP) for staff
when STAFF_REQUIRE_2FA is on (always in production; a setting turns it off for local work)."""

import base64

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib import admin
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.ratelimit import FixedWindowLimit

# Per address, on top of django-axes' per-account lockout: one address trying many accounts (or
# one account from behind many names) is slowed down too. Counters live in the shared cache.
login_attempts = FixedWindowLimit(
    "staff-login",
    window_seconds=15 * 60,
    limit=lambda: settings.STAFF_LOGIN_ATTEMPTS_PER_15_MINUTES,
)


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Six-digit code from your authenticator app"),
        min_length=6,
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


def two_factor_required():
    return settings.STAFF_REQUIRE_2FA


def is_verified(user):
    # OTPMiddleware adds is_verified(); a user logged in during this very request lacks it.
    return getattr(user, "is_verified", lambda: False)()


def qr_code_svg(text):
    """An inline SVG of the QR code: no image request, nothing for the CSP to allow."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return image.to_string(encoding="unicode")


class PortalAdminSite(admin.AdminSite):
    site_header = _("CAR-T portal back office")
    site_title = _("CAR-T portal back office")
    index_title = _("Back office")

    def has_permission(self, request):
        if not super().has_permission(request):
            return False
        return not two_factor_required() or is_verified(request.user)

    def get_urls(self):
        urls = [path("two-factor/", self.admin_two_factor, name="two_factor")]
        return urls + super().get_urls()

    @method_decorator(never_cache)
    def login(self, request, extra_context=None):
        user = request.user
        if user.is_active and user.is_staff and not self.has_permission(request):
            # Password accepted earlier in this session; the second factor is still missing.
            return redirect("admin:two_factor")
        if request.method == "POST" and login_attempts.exceeded(request):
            context = {**self.each_context(request), "title": _("Too many login attempts")}
            return render(request, "admin/login_rate_limited.html", context, status=429)
        response = super().login(request, extra_context)
        password_accepted = request.method == "POST" and request.user.is_authenticated
        if password_accepted and request.user.is_staff and not self.has_permission(request):
            return redirect("admin:two_factor")
        return response

    @method_decorator(never_cache)
    def admin_two_factor(self, request):
        """Asks for the code of the staff member's authenticator; on the first login, shows the
        QR code to set one up and confirms it with a first code."""
        user = request.user
        if not (user.is_authenticated and user.is_active and user.is_staff):
            return redirect("admin:login")
        if not two_factor_required() or is_verified(user):
            return redirect("admin:index")

        enrolling = not user_has_device(user)
        device = None
        if enrolling:
            device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
            if device is None:
                device = TOTPDevice.objects.create(user=user, name="default", confirmed=False)
        else:
            device = TOTPDevice.objects.filter(user=user, confirmed=True).first()

        form = TokenForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            if device.verify_token(form.cleaned_data["token"]):
                if enrolling:
                    device.confirmed = True
                    device.save(update_fields=["confirmed"])
                otp_login(request, device)
                next_url = request.GET.get("next", "")
                if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
                    next_url = reverse("admin:index")
                return redirect(next_url)
            form.add_error("token", _("That code is not valid. Check the time on your phone."))

        context = {
            **self.each_context(request),
            "title": _("Two-factor authentication"),
            "form": form,
            "enrolling": enrolling,
        }
        if enrolling:
            context["qr_code_svg"] = qr_code_svg(device.config_url)
            context["secret"] = base64.b32encode(device.bin_key).decode()
        return render(request, "admin/two_factor.html", context)

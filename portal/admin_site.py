"""The back office's admin site: Django's admin, plus two-factor authentication (TOTP) for staff
when STAFF_REQUIRE_2FA is on (always in production; a setting turns it off for local work), and a
new password chosen by its owner before an account on a one-time password sees anything else."""

import base64
from functools import update_wrapper

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.forms import AdminPasswordChangeForm
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import ValidationError
from django.dispatch import receiver
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.models import PasswordChangeRequired
from portal.ratelimit import FixedWindowLimit

# Set at login when the account is still on its one-time password, so that each admin request
# reads the session it already has rather than asking the database.
FIRST_LOGIN_PENDING = "portal_first_login_pending"
# What an account on a one-time password may still open: the page that ends that state, and a
# way out. The two-factor step is not an admin view: it comes first (see admin_view).
OPEN_BEFORE_PASSWORD_CHANGE = {"password_change", "password_change_done", "logout", "jsi18n"}

# Per address, on top of django-axes' per-account lockout: one address trying many accounts (or
# one account from behind many names) is slowed down too. Counters live in the shared cache.
login_attempts = FixedWindowLimit(
    "staff-login",
    window_seconds=15 * 60,
    limit=lambda: settings.STAFF_LOGIN_ATTEMPTS_PER_15_MINUTES,
)


@receiver(user_logged_in, dispatch_uid="portal-password-change-required")
def remember_password_change_required(sender, request, user, **kwargs):
    has_session = request is not None and hasattr(request, "session")
    if has_session and PasswordChangeRequired.objects.filter(user=user).exists():
        request.session[FIRST_LOGIN_PENDING] = True


class NewPasswordForm(AdminPasswordChangeForm):
    """Django's password change form, refusing to keep the old password as the new one."""

    def clean(self):
        cleaned_data = super().clean()
        old_password = cleaned_data.get("old_password")
        if old_password and cleaned_data.get("new_password1") == old_password:
            self.add_error(
                "new_password1",
                ValidationError(
                    _("Choose a password different from the one you were given."),
                    code="password_unchanged",
                ),
            )
        return cleaned_data


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
    password_change_form = NewPasswordForm

    def has_permission(self, request):
        if not super().has_permission(request):
            return False
        return not two_factor_required() or is_verified(request.user)

    def admin_view(self, view, cacheable=False):
        """Every admin page, and in front of them all, the password change for an account still on
        its one-time password.

        Checked only once the session passes has_permission, so the order is: password, second
        factor (set up on the first login), then a new password. The password change is a full
        admin page; asking for it before the second factor would let a session with only the
        printed password change the account's password."""
        protected = super().admin_view(view, cacheable)

        def inner(request, *args, **kwargs):
            if (
                request.session.get(FIRST_LOGIN_PENDING)
                and request.resolver_match.url_name not in OPEN_BEFORE_PASSWORD_CHANGE
                and self.has_permission(request)
            ):
                messages.info(
                    request,
                    _(
                        "Choose your own password before you continue: the one you were given "
                        "was for your first login only."
                    ),
                )
                response = redirect("admin:password_change")
                add_never_cache_headers(response)
                return response
            return protected(request, *args, **kwargs)

        return update_wrapper(inner, protected)

    @method_decorator(never_cache)
    def password_change(self, request, extra_context=None):
        response = super().password_change(request, extra_context)
        if request.method == "POST" and response.status_code == 302:
            PasswordChangeRequired.objects.filter(user=request.user).delete()
            request.session.pop(FIRST_LOGIN_PENDING, None)
        return response

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

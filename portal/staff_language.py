"""The back office speaks English: staff share one vocabulary with each other and with the
coordinators' emails, whatever language a staff member's browser asks for."""

from django.conf import settings
from django.utils import translation


class AdminInEnglishMiddleware:
    """Sits right after LocaleMiddleware, which picks a language for URLs without a language
    prefix (the admin is one) from the cookie or Accept-Language; here the admin gets English."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = "/" + settings.ADMIN_URL.lstrip("/")

    def __call__(self, request):
        if request.path_info.startswith(self.admin_prefix):
            translation.activate(settings.LANGUAGE_CODE)
            request.LANGUAGE_CODE = settings.LANGUAGE_CODE
        return self.get_response(request)

"""Template context every page needs. Nothing here touches the database, so error pages render
even when the database is down."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse, translate_url
from django.utils.translation import get_language, get_language_from_path, get_language_info


@dataclass(frozen=True)
class Organisation:
    """Who runs the site, from settings.ORGANISATION; what is not set is not shown."""

    legal_name: str = ""
    address_lines: tuple = ()
    phone: str = ""
    whatsapp: str = ""
    wechat_id: str = ""

    @property
    def phone_link(self):
        return "tel:" + "".join(c for c in self.phone if c.isdigit() or c == "+")

    @property
    def whatsapp_link(self):
        # wa.me takes the international number's digits only.
        return "https://wa.me/" + "".join(c for c in self.whatsapp if c.isdigit())

    @property
    def is_set(self):
        return any((self.legal_name, self.address_lines, self.phone, self.whatsapp, self.wechat_id))


def site(request):
    organisation = settings.ORGANISATION
    return {
        "SITE_NAME": settings.SITE_NAME,
        "CONTACT_EMAIL": settings.CONTACT_EMAIL,
        "ORGANISATION": Organisation(
            **{**organisation, "address_lines": tuple(organisation.get("address_lines", ()))}
        ),
    }


@dataclass(frozen=True)
class LanguageLink:
    code: str
    # The language's name in itself ("Русский"): a reader finds their own language by it.
    name: str
    # This same page in that language (the home page when there is no such page).
    url: str
    is_current: bool

    @property
    def switch_url(self):
        """Remembers the choice (the language cookie) on the way to the page."""
        query = urlencode({"next": self.url})
        return f"{reverse('switch_language', args=[self.code])}?{query}"


def languages(request):
    """The language switcher's links and the hreflang alternates of the current page."""
    current = get_language()
    # A page inside i18n_patterns that resolved: it exists in every language.
    is_localized_page = (
        get_language_from_path(request.path_info) is not None
        and getattr(request, "resolver_match", None) is not None
    )
    links = []
    for code, _name in settings.LANGUAGES:
        if is_localized_page:
            url = translate_url(request.get_full_path(), code)
        else:
            url = translate_url(reverse("home"), code)
        links.append(
            LanguageLink(
                code=code,
                name=get_language_info(code)["name_local"],
                url=url,
                is_current=code == current,
            )
        )
    alternates = []
    if is_localized_page:
        alternates = [
            (code, request.build_absolute_uri(translate_url(request.path, code)))
            for code, _name in settings.LANGUAGES
        ]
        # The address without a language picks the reader's language (as in sitemap.xml).
        english = dict(alternates)[settings.LANGUAGE_CODE]
        alternates.append(("x-default", english.replace(f"/{settings.LANGUAGE_CODE}/", "/", 1)))
    return {"language_links": links, "hreflang_alternates": alternates}

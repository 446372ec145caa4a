"""Admin for the cities patients choose from and the hospitals' CAR-T programmes."""

from django.contrib import admin
from modeltranslation.admin import TranslationAdmin

from therapy_info.admin.content import LanguageWidgetsMixin
from therapy_info.programmes import City


@admin.register(City)
class CityAdmin(LanguageWidgetsMixin, TranslationAdmin):
    """The cities the form offers, named in each language of the form. Leads add and change them
    (enquiries 0004 gives only leads change_city); coordinators see the list."""

    list_display = ["name", "active", "order"]
    list_editable = ["active", "order"]
    search_fields = ["name"]

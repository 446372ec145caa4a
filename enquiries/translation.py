"""Which enquiry texts have a column per language (django-modeltranslation): the city names the
form offers, which leads write in every language (an empty one falls back to the English)."""

from modeltranslation.translator import TranslationOptions, register

from enquiries.models import City


@register(City)
class CityTranslation(TranslationOptions):
    fields = ("name",)

"""Django's makemessages, without msgmerge's fuzzy matching: for a new message it guesses the
translation of a similar old one ("same email" → "by email"), and a guessed translation of another
sentence is worse than none. New messages arrive untranslated; the catalog tests say which a
patient would see."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]

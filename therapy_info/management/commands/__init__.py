"""The therapy_info app's manage.py commands."""

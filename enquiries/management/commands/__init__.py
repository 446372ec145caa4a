"""The enquiries app's manage.py commands."""

"""Management commands of the therapy_info app."""

"""Database migrations of the enquiries app."""

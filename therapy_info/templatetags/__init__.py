"""Template tags of therapy_info."""

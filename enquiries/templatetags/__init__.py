"""Template tags of enquiries."""

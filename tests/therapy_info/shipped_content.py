"""Changing a copy of the shipped content files, as a release with new content would."""


def rewrite(path, old, new):
    """Replace `old` (which must be there) with `new` in one content file."""
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")

"""Fixtures for the security and data-protection tests, shared with the form and back-office
suites: private storage in a temporary folder, staff in each role, logged-in clients."""

from tests.back_office.conftest import (  # noqa: F401 (fixtures)
    content_editor,
    coordinator,
    lead,
    login,
    make_staff,
)
from tests.enquiries.conftest import (  # noqa: F401 (fixtures)
    private_media,
    start_url,
    stored_files,
    submit,
)

"""Medical record uploads: what we accept (by content, never by name), limits, and an upload
handler that stops reading oversized or surplus files before they fill the disk."""

import hashlib
import secrets

from django.core.files.uploadhandler import FileUploadHandler, SkipFile

MAX_FILE_SIZE = 10 * 1024 * 1024
MAX_FILES = 5

# The first bytes of each file type we accept, and the extension we store it under.
SIGNATURES = [
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
]
EXTENSIONS = {content_type: extension for _, content_type, extension in SIGNATURES}


def detect_content_type(uploaded_file):
    """The file's type from its first bytes, or None when it is not one we accept."""
    uploaded_file.seek(0)
    head = uploaded_file.read(16)
    uploaded_file.seek(0)
    for signature, content_type, _ in SIGNATURES:
        if head.startswith(signature):
            return content_type
    return None


def sha256_of(uploaded_file):
    digest = hashlib.sha256()
    uploaded_file.seek(0)
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    uploaded_file.seek(0)
    return digest.hexdigest()


def random_storage_name(content_type):
    """A name that says nothing about the patient or the original file, so neither a directory
    listing nor a leaked path reveals anything; two hex characters shard the directory."""
    token = secrets.token_hex(16)
    return f"records/{token[:2]}/{token}.{EXTENSIONS[content_type]}"


class LimitedUploadHandler(FileUploadHandler):
    """Runs before Django's own handlers: skips (stops reading) a file once it passes the size
    limit, and any file beyond the count limit, and remembers it so the form can say so.

    Without it, nothing bounds what a client may upload: Django's body limits exclude files."""

    def __init__(self, request=None):
        super().__init__(request)
        self.files_seen = 0
        self.skipped_too_large = 0
        self.skipped_too_many = 0
        self.surplus = False

    def new_file(self, field_name, file_name, *args, **kwargs):
        super().new_file(field_name, file_name, *args, **kwargs)
        self.files_seen += 1
        self.surplus = self.files_seen > MAX_FILES
        if self.surplus:
            self.skipped_too_many += 1

    def receive_data_chunk(self, raw_data, start):
        # SkipFile is raised here, not in new_file(): the parser then closes the handlers' files,
        # and only once every handler has started this file is that the file being skipped.
        if self.surplus:
            raise SkipFile
        if start + len(raw_data) > MAX_FILE_SIZE:
            self.skipped_too_large += 1
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None

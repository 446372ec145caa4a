"""Medical record files: what we accept (by content, never by name) and how many, the upload
handlers that stop reading surplus bytes, storage under random names with clean-up on failure,
and the one safe name a record is given back under (downloads, the subject-access archive)."""

import hashlib
import logging
import os
import secrets
import unicodedata
from contextlib import contextmanager

from botocore.exceptions import BotoCoreError, ClientError
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.db import transaction

from enquiries.models.records import RecordFile

logger = logging.getLogger(__name__)

MAX_FILE_SIZE = 10 * 1024 * 1024
MAX_FILES = 5

# The first bytes of each file type we accept, and the extension we store it under.
SIGNATURES = [
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
]
EXTENSIONS = {content_type: extension for _, content_type, extension in SIGNATURES}
# Endings that already say the detected type: a patient's "scan.JPEG" keeps its name.
KNOWN_ENDINGS = {
    "application/pdf": (".pdf",),
    "image/jpeg": (".jpg", ".jpeg", ".jpe"),
    "image/png": (".png",),
}
# Characters Windows refuses in file names, and the separators of every system.
RESERVED_IN_FILE_NAMES = set('<>:"/\\|?*')
# Unicode categories that never belong in a file name shown to a person: controls (a line break
# starts a header of its own), invisible formatting (a right-to-left override shows
# "scan\u202efdp.exe" as "scanexe.pdf"), line and paragraph separators.
INVISIBLE_CATEGORIES = {"Cc", "Cf", "Zl", "Zp"}
MAX_FILE_NAME_LENGTH = 100
# What the records storage raises when it fails: the file system's errors, and the S3 client's
# (django-storages passes botocore's exceptions through).
STORAGE_ERRORS = (OSError, BotoCoreError, ClientError)


def detect_content_type(uploaded_file):
    """The file's type from its first bytes, or None when it is not one we accept."""
    uploaded_file.seek(0)
    head = uploaded_file.read(16)
    uploaded_file.seek(0)
    for signature, content_type, _ in SIGNATURES:
        if head.startswith(signature):
            return content_type
    return None


# HEIC/HEIF, the photo format of iPhones: an ISO media file ("ftyp" box) with one of these brands.
# Refused, like every type we cannot read, but with a message that says how to send a JPEG.
HEIC_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}


def is_heic(uploaded_file):
    uploaded_file.seek(0)
    head = uploaded_file.read(12)
    uploaded_file.seek(0)
    return head[4:8] == b"ftyp" and head[8:12] in HEIC_BRANDS


def safe_file_name(original_name, content_type, *, fallback="record"):
    """The name a downloaded or exported record gets: the patient's own name without any path,
    control or invisible character, short, and always ending in the detected type's extension.

    A wrong ending is kept and the right one appended ("report.html" → "report.html.pdf"):
    the operating system opens a file by its last extension, so the file opens as what it is,
    and nothing the patient called it is lost (a dot inside "Dr.Li scan" is no extension)."""
    name = clean_file_name(original_name)
    extension = "." + EXTENSIONS[content_type]
    if name.lower().endswith(KNOWN_ENDINGS[content_type]):
        stem, extension = os.path.splitext(name)
    else:
        stem = name
    stem = stem[: MAX_FILE_NAME_LENGTH - len(extension)].rstrip(" .") or fallback
    return stem + extension


def clean_file_name(original_name):
    """A file name without any path, control or invisible character, reserved sign, or
    surrounding spaces and dots (possibly empty). safe_file_name also makes it end in its type."""
    name = original_name.replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFC", name)
    name = "".join(
        "_" if char in RESERVED_IN_FILE_NAMES else char
        for char in name
        if unicodedata.category(char) not in INVISIBLE_CATEGORIES
    )
    return " ".join(name.split()).strip(" .")


def sha256_of(uploaded_file):
    digest = hashlib.sha256()
    uploaded_file.seek(0)
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    uploaded_file.seek(0)
    return digest.hexdigest()


def random_storage_name(content_type, folder="records", extension=None):
    """A name that says nothing about the patient or the original file, so neither a directory
    listing nor a leaked path reveals anything; two hex characters shard the directory."""
    token = secrets.token_hex(16)
    return f"{folder}/{token[:2]}/{token}.{extension or EXTENSIONS[content_type]}"


def store(enquiry, uploaded_file, *, model=RecordFile, folder="records", **fields):
    """Write the upload to private storage under a random name; return the unsaved record (with
    `fields`, such as the checklist item the patient named): a RecordFile, or another `model`
    with the same file fields (a CaseDocument).

    Its `file.name` is what to delete if the transaction fails."""
    content_type = detect_content_type(uploaded_file)
    if content_type is None:
        raise ValueError("Only files the form accepted may be stored.")
    record = model(
        enquiry=enquiry,
        original_name=uploaded_file.name[:255],
        content_type=content_type,
        size=uploaded_file.size,
        sha256=sha256_of(uploaded_file),
        **fields,
    )
    name = random_storage_name(content_type, folder)
    try:
        record.file.save(name, uploaded_file, save=False)
    except BaseException:
        # A write cut short (a full disk, a dropped connection to S3) can leave part of it.
        discard_stored_files(record.file.storage, [name])
        raise
    return record


class FileWrites:
    """The files a transaction writes to private storage (atomic_with_files), so that they can be
    removed if it fails. Called as `store_all(enquiry, uploaded_files, **fields)`, it stores the
    patient's record files and inserts their rows."""

    def __init__(self):
        # (storage, name) of each file written.
        self.written = []

    def __call__(self, enquiry, uploaded_files, **fields):
        stored = [self.store(enquiry, uploaded, **fields) for uploaded in uploaded_files]
        RecordFile.objects.bulk_create(stored)
        return stored

    def store(self, enquiry, uploaded_file, **fields):
        """One upload written as store() writes it; the row is the caller's to save."""
        record = store(enquiry, uploaded_file, **fields)
        self.written.append((record.file.storage, record.file.name))
        return record

    def write(self, field_file, name, content):
        """Write `content` (a django.core.files File) under `name` through a model's FileField,
        without saving its row."""
        try:
            field_file.save(name, content, save=False)
        except BaseException:
            discard_stored_files(field_file.storage, [name])
            raise
        self.written.append((field_file.storage, field_file.name))

    def discard(self):
        for storage, name in self.written:
            discard_stored_files(storage, [name])


@contextmanager
def atomic_with_files():
    """A transaction that may write files to private storage, with the FileWrites that write them
    (`store_all`). If the transaction fails, its commit included, every file it wrote is removed
    from storage."""
    writes = FileWrites()
    try:
        with transaction.atomic():
            yield writes
    except BaseException:
        writes.discard()
        raise


def discard_stored_files(storage, names):
    """Remove the files of a write that failed. Never raises: the failure being handled matters
    more, and a storage that cannot delete now leaves a file only its random name describes."""
    for name in names:
        try:
            storage.delete(name)
        except STORAGE_ERRORS as error:
            logger.warning(
                "A record file of a failed write could not be removed (%s): %s",
                type(error).__name__,
                name,
            )


def delete_stored_files(files):
    """Remove files from storage; one already gone is not an error (a retried run)."""
    for file in files:
        file.storage.delete(file.name)


class UploadReceipt:
    """What became of a post's files while Django read its body: filled in by the upload handler
    receive_uploads() or skip_uploads() put in place, asked by the view and the form."""

    def __init__(self):
        # Files not read further: past the size limit, or beyond the count.
        self.skipped_too_large = 0
        self.skipped_too_many = 0
        # A post read for its fields only (skip_uploads): whether it held any file.
        self.files_skipped = False
        self.close_delimiter = None
        self.body_end = None

    @property
    def incomplete(self):
        """Whether the body was cut short (it lacks the closing delimiter every client sends).

        Django's parser keeps what arrived without an error: it drops a file cut in the middle
        and calls upload_interrupted(), which it also calls when the last file was merely
        skipped (too large), and it does not notice a cut anywhere else. Hence the end."""
        if self.body_end is None or self.close_delimiter is None:
            return False
        return self.close_delimiter not in self.body_end.last_bytes


def receive_uploads(request):
    """Put the file limits in place on a post before anything reads its body (the CSRF check
    does): a file past the size limit, or beyond the count, is skipped unread. Returns the
    receipt that says, once the body is read, what was skipped and whether it all arrived."""
    receipt = UploadReceipt()
    request.upload_handlers.insert(0, LimitedUploadHandler(request, receipt))
    return receipt


def skip_uploads(request):
    """Have a post's fields read and none of its files (each is read past, never stored), before
    anything reads its body. Returns the receipt that says whether the post held any file."""
    receipt = UploadReceipt()
    request.upload_handlers = [SkipFilesHandler(request, receipt)]
    return receipt


class BodyEnd:
    """Passes a request body through unchanged, keeping its last bytes: whether the multipart
    body ended with its closing delimiter says whether all of it arrived."""

    KEEP = 256

    def __init__(self, stream):
        self._stream = stream
        self.last_bytes = b""

    def read(self, *args, **kwargs):
        data = self._stream.read(*args, **kwargs)
        self.last_bytes = (self.last_bytes + data[-self.KEEP :])[-self.KEEP :]
        return data

    def readline(self, *args, **kwargs):
        line = self._stream.readline(*args, **kwargs)
        self.last_bytes = (self.last_bytes + line[-self.KEEP :])[-self.KEEP :]
        return line


class LimitedUploadHandler(FileUploadHandler):
    """Runs before Django's own handlers: skips (stops reading) a file once it passes the size
    limit, and any file beyond the count limit, and notes it on the receipt so the form can say
    so. It also lets the receipt tell a body cut short (a dropped connection) from a complete one.

    Without it, nothing bounds what a client may upload: Django's body limits exclude files."""

    def __init__(self, request, receipt):
        super().__init__(request)
        self.receipt = receipt
        self.files_seen = 0
        self.surplus = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        # The parser reads the body through the request, which reads its stream: watching that
        # stream sees every byte that arrives (the request's own `_stream`: there is no public
        # hook for the raw bytes). A body already read into memory is complete or not as is.
        self.receipt.close_delimiter = b"--" + boundary + b"--"
        stream = getattr(self.request, "_stream", None)
        if input_data is self.request and stream is not None:
            self.receipt.body_end = BodyEnd(stream)
            self.request._stream = self.receipt.body_end
        return None

    def new_file(self, field_name, file_name, *args, **kwargs):
        super().new_file(field_name, file_name, *args, **kwargs)
        self.files_seen += 1
        self.surplus = self.files_seen > MAX_FILES
        if self.surplus:
            self.receipt.skipped_too_many += 1

    def receive_data_chunk(self, raw_data, start):
        # SkipFile is raised here, not in new_file(): the parser then closes the handlers' files,
        # and only once every handler has started this file is that the file being skipped.
        if self.surplus:
            raise SkipFile
        if start + len(raw_data) > MAX_FILE_SIZE:
            self.receipt.skipped_too_large += 1
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None


class SkipFilesHandler(FileUploadHandler):
    """Reads a multipart body's fields and none of its files: each file is skipped as it starts
    (its bytes are read past, never stored), and the receipt notes that the post held one."""

    def __init__(self, request, receipt):
        super().__init__(request)
        self.receipt = receipt

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.receipt.files_skipped = True
        raise SkipFile

    def receive_data_chunk(self, raw_data, start):
        return None

    def file_complete(self, file_size):
        return None

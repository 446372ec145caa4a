"""Django's SMTP backend with two timeouts: a short one to reach the mail server, the long one
RFC 5321 asks for once it answers.

smtplib has a single timeout, used for the TCP connect as well as every answer. The long wait is
right for a server that has our message and answers late; it is wrong for a host that drops
packets or never greets us: each email would hold the worker that long before failing."""

from django.core.mail.backends.smtp import EmailBackend as DjangoEmailBackend


class EmailBackend(DjangoEmailBackend):
    """`timeout` is the wait for each answer once connected; `connect_timeout` bounds the
    opening: the connection, the greeting, STARTTLS and the login."""

    def __init__(self, *args, connect_timeout=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.connect_timeout = connect_timeout

    def open(self):
        if self.connect_timeout is None:
            return super().open()
        with self._lock:
            read_timeout = self.timeout
            # Django's open() passes self.timeout to smtplib: lend it the connect timeout.
            self.timeout = self.connect_timeout
            try:
                opened = super().open()
            finally:
                self.timeout = read_timeout
            if opened and read_timeout is not None:
                # smtplib reads its answers through a file over this socket, which follows the
                # socket's timeout; smtplib's own attribute is what a later connect() would use.
                self.connection.timeout = read_timeout
                self.connection.sock.settimeout(read_timeout)
            return opened

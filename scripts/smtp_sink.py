"""A real SMTP server on 127.0.0.1 (aiosmtpd) for the mail tests and `make burst`: it counts what
arrives by Message-ID and can misbehave the way mail servers do.

    with SmtpSink() as sink:                  # listening on sink.port
        sink.answer_delay = 3                 # slow: the message is taken, the answer comes late
        sink.hold_sessions.set()              # every session waits at RCPT until cleared
        sink.copies()                         # Counter of Message-IDs received

A message counts as received once its data has arrived, before the answer is given: a server
that is slow to answer has taken the message all the same (that is how a late answer makes a
second copy when the client gives up and sends again)."""

import asyncio
import email
import socket
import threading
from collections import Counter

from aiosmtpd.controller import Controller

HOST = "127.0.0.1"


def free_port():
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class SmtpSink:
    def __init__(self, port=None):
        self.port = port or free_port()
        self.answer_delay = 0.0
        # While set, sessions wait before accepting a recipient; `held` tells one is waiting.
        self.hold_sessions = threading.Event()
        self.held = threading.Event()
        self.received = []  # (Message-ID, recipients) in arrival order
        self._lock = threading.Lock()
        self._controller = None

    # aiosmtpd's handler hooks.

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        while self.hold_sessions.is_set():
            self.held.set()
            await asyncio.sleep(0.05)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content)
        with self._lock:
            self.received.append((message["Message-ID"], tuple(envelope.rcpt_tos)))
        if self.answer_delay:
            await asyncio.sleep(self.answer_delay)
        return "250 Message accepted for delivery"

    # Use.

    def start(self):
        self._controller = Controller(self, hostname=HOST, port=self.port)
        self._controller.start()
        return self

    def stop(self):
        if self._controller is not None:
            self.hold_sessions.clear()
            self._controller.stop()
            self._controller = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def url(self):
        return f"smtp://{HOST}:{self.port}"

    def copies(self):
        """How many copies of each Message-ID arrived."""
        with self._lock:
            return Counter(message_id for message_id, _recipients in self.received)

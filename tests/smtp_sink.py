"""An SMTP server on this machine that a test (or the fault benchmark) controls.

It keeps every message it receives. It can be stopped (its port refuses
connections, as a mail server that is down), made to hang (it accepts the
connection and never says a word, as a server that is stuck), and started
again (it recovers).
"""

import socket
import threading
from collections import Counter
from email import message_from_bytes
from email.message import Message

from aiosmtpd.controller import Controller


def free_port() -> int:
    """Return a port of this machine where nothing listens now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Keeper:
    def __init__(self, sink: "SmtpSink"):
        self.sink = sink

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        message = message_from_bytes(envelope.original_content or envelope.content)
        with self.sink.lock:
            self.sink.messages.append(message)
        return "250 Message accepted for delivery"


class _Silence(threading.Thread):
    """Accept connections on the port and never answer them."""

    def __init__(self, port: int):
        super().__init__(daemon=True)
        self.listener = socket.create_server(("127.0.0.1", port), reuse_port=False)
        self.listener.settimeout(0.2)
        self.held: list[socket.socket] = []
        self.stopping = threading.Event()

    def run(self):
        while not self.stopping.is_set():
            try:
                connection, _address = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.held.append(connection)

    def stop(self):
        self.stopping.set()
        self.join(timeout=5)
        for connection in self.held:
            connection.close()
        self.listener.close()


class SmtpSink:
    """One SMTP port: up (keeps messages), down (refuses), or hanging (silent)."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.messages: list[Message] = []
        self.lock = threading.Lock()
        self._server: Controller | None = None
        self._silence: _Silence | None = None

    @property
    def state(self) -> str:
        if self._server:
            return "up"
        return "hanging" if self._silence else "down"

    def start(self) -> None:
        """Receive mail on the port."""
        self.stop()
        self._server = Controller(
            _Keeper(self), hostname="127.0.0.1", port=self.port, ready_timeout=10
        )
        self._server.start()

    def hang(self) -> None:
        """Take connections on the port and never answer them."""
        self.stop()
        self._silence = _Silence(self.port)
        self._silence.start()

    def stop(self) -> None:
        """Refuse connections on the port."""
        if self._server:
            self._server.stop()
            self._server = None
        if self._silence:
            self._silence.stop()
            self._silence = None

    def received(self) -> Counter:
        """Return how many times each Message-ID arrived."""
        with self.lock:
            return Counter(message["Message-ID"] for message in self.messages)

    def recipients(self) -> list[str]:
        with self.lock:
            return sorted(message["To"] for message in self.messages)

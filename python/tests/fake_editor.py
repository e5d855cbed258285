"""The editor's end of a live session, as small as a test needs: a private folder with a Unix
socket, a token, the environment variables, and the recorder's messages read with the package's
own framing (docs/live-protocol.md)."""
import os
import secrets
import socket
import tempfile

from backprop_stepper.live_protocol import (
    PROTOCOL_VERSION, SOCKET_VARIABLE, TOKEN_VARIABLE, message_values, receive_message, send_message,
)

TIMEOUT = 60.0  # no test waits longer than this for the recorder (a loaded machine imports torch slowly)


class FakeEditor:
    def __init__(self):
        self.folder = tempfile.mkdtemp(prefix="bps-")  # mode 0700
        self.path = os.path.join(self.folder, "live.sock")
        self.token = secrets.token_hex(16)
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(self.path)
        self.server.listen(4)
        self.server.settimeout(TIMEOUT)
        self.conn = None

    def env(self) -> dict:
        return {**os.environ, SOCKET_VARIABLE: self.path, TOKEN_VARIABLE: self.token}

    def accept(self) -> dict:
        """Waits for the recorder and returns its hello."""
        self.conn, _ = self.server.accept()
        self.conn.settimeout(TIMEOUT)
        return self.receive()

    def receive(self) -> dict:
        return message_values(*receive_message(self.conn))

    def send(self, message: dict) -> None:
        send_message(self.conn, message)

    def send_raw(self, data: bytes) -> None:
        self.conn.sendall(data)

    def welcome(self, stop_at="all", stop_on_non_finite=True, token=None) -> None:
        self.send({"type": "welcome", "protocol": PROTOCOL_VERSION, "token": self.token if token is None else token,
                   "stopAt": stop_at, "stopOnNonFinite": stop_on_non_finite})

    def go(self, stop_at="all", stop_on_non_finite=True) -> None:
        self.send({"type": "continue", "stopAt": stop_at, "stopOnNonFinite": stop_on_non_finite})

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
        self.server.close()
        if os.path.exists(self.path):
            os.unlink(self.path)
        os.rmdir(self.folder)

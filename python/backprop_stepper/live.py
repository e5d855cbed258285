"""The recorder's end of a live session (docs/live-protocol.md): connect to the editor, pause
the script at operation boundaries, obey the editor's commands.

The session never lets the script hang on a dead or misbehaving editor: a closed connection or
an invalid message prints one line to stderr and ends the process (status 3). `stop` ends it
with status 0. Ending is os._exit, because a boundary is inside a forward or backward hook,
where an exception would be caught and re-wrapped by torch or by the user's code.
"""
import atexit
import hmac
import os
import socket
import sys
import traceback
from typing import Any, Callable, Optional

import torch

from .live_protocol import (
    MAX_EDITOR_JSON, PROTOCOL_VERSION, SOCKET_VARIABLE, TOKEN_VARIABLE, ProtocolError,
    parse_command, receive_message, send_message,
)

EXIT_STOPPED = 0
EXIT_PROTOCOL_ERROR = 3
WELCOME_TIMEOUT = 30.0


def live_requested(live: Optional[bool]) -> bool:
    """live=None: live exactly when the editor started the script (its socket variable is set)."""
    if live is None:
        return bool(os.environ.get(SOCKET_VARIABLE))
    if live and not os.environ.get(SOCKET_VARIABLE):
        raise RuntimeError(
            f"Recorder(live=True): {SOCKET_VARIABLE} is not set; live mode needs the script to be started by the "
            "editor (Backprop: Step Through PyTorch Script…, or a 'backprop' launch configuration with \"program\")"
        )
    return bool(live)


def _first_non_finite(value: Any, path: str = "") -> Optional[str]:
    """The field path (StepTrace names, e.g. "update.weights") of the first NaN or ±Infinity."""
    if isinstance(value, torch.Tensor):
        return path if value.is_floating_point() and not bool(torch.isfinite(value).all()) else None
    if isinstance(value, float):
        return None if value - value == 0 else path
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = ((None, item) for item in value)
    else:
        return None
    for key, item in items:
        found = _first_non_finite(item, path if key is None else f"{path}.{key}" if path else key)
        if found is not None:
            return found
    return None


def non_finite_in(known: dict, layer: Optional[int]) -> Optional[dict]:
    """{"quantity", "layer"} of the first non-finite value in a pause's data, or None."""
    scopes = [(entry, entry["index"]) for entry in known.get("layers", [])]
    if "layer" in known:
        scopes.append((known["layer"], layer))
    rest = {key: value for key, value in known.items() if key not in ("layer", "layers")}
    for scope, index in scopes + [(rest, None)]:
        quantity = _first_non_finite(scope)
        if quantity is not None:
            return {"quantity": quantity, "layer": index}
    return None


def _reason(error: Exception) -> str:
    if isinstance(error, ProtocolError):
        return str(error)
    return f"the connection to the editor failed ({getattr(error, 'strerror', None) or error})"


class LiveSession:
    """One connection to the editor, from hello to end."""

    def __init__(self, hello: dict):
        path, token = os.environ.get(SOCKET_VARIABLE, ""), os.environ.get(TOKEN_VARIABLE, "")
        self._sock: Optional[socket.socket] = None
        self._stop_at: Any = ()
        self._stop_on_non_finite = False
        self._pause_requested = False
        self._step_exception: Optional[BaseException] = None  # the last exception that left a step block
        if not token:
            self._end_badly(f"{TOKEN_VARIABLE} is not set (the editor sets it together with {SOCKET_VARIABLE})")
        if not hasattr(socket, "AF_UNIX"):
            self._end_badly("live mode talks over a Unix socket, which this platform's Python does not have (Linux and macOS do)")
        try:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.connect(path)
        except OSError as error:
            self._end_badly(f"cannot connect to the editor at {path!r} ({error.strerror or error})")
        self._sock = sock
        self._previous_excepthook = sys.excepthook
        sys.excepthook = self._on_uncaught
        atexit.register(self._on_exit)
        try:
            send_message(sock, {"type": "hello", "protocol": PROTOCOL_VERSION, "token": token, "pid": os.getpid(), **hello})
            sock.settimeout(WELCOME_TIMEOUT)
            try:
                message = self._receive()
            except socket.timeout:
                raise ProtocolError(f"the editor did not answer hello within {WELCOME_TIMEOUT:g} s") from None
            sock.settimeout(None)
            command = parse_command(message, ("welcome", "refuse"))
        except (ProtocolError, OSError) as error:
            self._end_badly(_reason(error))
        if command.kind == "refuse":
            self._end_badly(f"the editor refused the session: {command.text}", tell_editor=False)
        if not hmac.compare_digest(command.token.encode("utf-8"), token.encode("utf-8")):
            self._end_badly("the peer's welcome has a wrong token: it is not the editor that started this script")
        self._obey(command)

    # ---- boundaries

    def boundary(self, place: dict, data: Callable[[], dict]) -> None:
        """At an operation boundary: pause here if the editor asked for it, and wait for its command.
        place: step, epoch, batch, phase, layer, module. data(): what is known here (tensors)."""
        if self._sock is None:
            return
        self._check_for_pause()
        reason, known, non_finite = None, None, None
        if self._pause_requested:
            reason = "pause"
        elif self._matches(place):
            reason = "stopAt"
        if self._stop_on_non_finite:
            known = data()
            non_finite = non_finite_in(known, place["layer"])
            if non_finite is not None:
                reason = "nonFinite"
        if reason is None:
            return
        self._pause_requested = False
        message = {"type": "paused", **place, "reason": reason, "nonFinite": non_finite,
                   "data": known if known is not None else data()}
        try:
            send_message(self._sock, message)
            command = parse_command(self._receive(), ("continue", "stop"))
        except (ProtocolError, OSError) as error:
            self._end_badly(_reason(error))
        self._obey(command)

    def _receive(self) -> dict:
        """The editor's next message: a small command, no data block."""
        return receive_message(self._sock, MAX_EDITOR_JSON, 0)[0]

    def _matches(self, place: dict) -> bool:
        if self._stop_at == "all":
            return True
        return any(phase == place["phase"] and (module is None or module == place["module"]) for phase, module in self._stop_at)

    def _check_for_pause(self) -> None:
        """While running, the editor may have sent pause (or stop): read it without waiting."""
        try:
            while self._sock is not None and self._readable():
                command = parse_command(self._receive(), ("pause", "stop"))
                self._obey(command)
        except (ProtocolError, OSError) as error:
            self._end_badly(_reason(error))

    def _readable(self) -> bool:
        """Whether a message (or the connection's end) is waiting, without blocking."""
        try:
            self._sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT)
            return True  # a byte, or b"" for a closed connection: reading says which
        except BlockingIOError:
            return False

    def _obey(self, command) -> None:
        if command.kind == "stop":
            self._send_end("stopped", "the editor stopped the session")
            print("backprop_stepper: the editor stopped the script", file=sys.stderr, flush=True)
            self._exit(EXIT_STOPPED)
        if command.kind == "pause":
            self._pause_requested = True
        else:  # welcome, continue
            self._stop_at, self._stop_on_non_finite = command.stop_at, command.stop_on_non_finite

    # ---- messages outside pauses

    def send_step(self, record: dict) -> None:
        self._send({"type": "step", "record": record})

    def remember_exception(self, error: BaseException) -> None:
        """Its traceback is read at exit: by then it runs from where the script caught it down."""
        self._step_exception = error

    def forget_exception(self) -> None:
        """A new step began: the script went on after the exception it caught."""
        self._step_exception = None

    def close(self) -> None:
        """rec.close(): no more pauses; the process goes on without the editor."""
        self._step_exception = None
        self._send_end("closed", "the recorder was closed")
        self._disconnect()

    def _send(self, message: dict) -> None:
        if self._sock is None:
            return
        try:
            self._check_for_pause()
            send_message(self._sock, message)
        except (ProtocolError, OSError) as error:
            self._end_badly(_reason(error))

    def _send_end(self, reason: str, text: str) -> None:
        if self._sock is None:
            return
        try:
            send_message(self._sock, {"type": "end", "reason": reason, "message": text})
        except OSError:
            pass

    def _disconnect(self) -> None:
        if self._sock is not None:
            try:
                self._sock.close()
            finally:
                self._sock = None

    def _send_exception(self, kind, value, trace) -> None:
        if self._sock is None:
            return
        try:
            send_message(self._sock, {
                "type": "exception",
                "exceptionType": kind.__name__,
                "message": str(value),
                "traceback": "".join(traceback.format_exception(kind, value, trace)),
            })
        except OSError:
            pass
        self._send_end("exception", f"{kind.__name__}: {value}")
        self._disconnect()

    def _on_uncaught(self, kind, value, trace) -> None:
        self._send_exception(kind, value, trace)
        self._previous_excepthook(kind, value, trace)

    def _on_exit(self) -> None:
        error = self._step_exception
        if error is not None:
            self._send_exception(type(error), error, error.__traceback__)
        self._send_end("finished", "the script ended")
        self._disconnect()

    def _end_badly(self, why: str, tell_editor: bool = True) -> None:
        print(f"backprop_stepper: live session ended: {why}", file=sys.stderr, flush=True)
        if tell_editor:
            self._send_end("protocolError", why)
        self._exit(EXIT_PROTOCOL_ERROR)

    def _exit(self, status: int) -> None:
        self._disconnect()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)

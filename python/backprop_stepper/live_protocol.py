"""The live protocol, version 1 (docs/live-protocol.md): frames on a socket and the editor's messages.

A frame is the binary trace frame (docs/trace-format.md §4): a 16-byte prefix, padded JSON, a
data block holding the tensors. Everything read is checked against the limits and the message
definitions before anyone acts on it; what does not fit raises ProtocolError with one sentence
saying what was wrong.
"""
import json
import socket
from typing import Any, Optional, Tuple

from .trace_io import FRAME_PREFIX, TraceFormatError, encode_frame, frame_values

PROTOCOL_VERSION = 1
SOCKET_VARIABLE = "BACKPROP_STEPPER_SOCKET"
TOKEN_VARIABLE = "BACKPROP_STEPPER_TOKEN"

MAX_JSON = 16 * 1024 * 1024
MAX_DATA = 1024 * 1024 * 1024
MAX_EDITOR_JSON = 64 * 1024  # the editor's messages are small commands without data
MAX_PLACES = 10_000

PHASES = ("forward", "loss", "backward", "update")


class ProtocolError(Exception):
    """A message that breaks the protocol, or a connection that closed: the session ends."""


class ConnectionClosed(ProtocolError):
    pass


def send_message(sock: socket.socket, message: dict) -> None:
    """One message as one frame; torch tensors in it travel in the data block."""
    frame = encode_frame(message)
    for chunk in frame.chunks:
        sock.sendall(chunk)


def _receive_exactly(sock: socket.socket, size: int, what: str) -> bytearray:
    buffer = bytearray(size)
    view = memoryview(buffer)
    received = 0
    while received < size:
        count = sock.recv_into(view[received:], size - received)
        if count == 0:
            if received == 0 and what == "a message":
                raise ConnectionClosed("the connection was closed")
            raise ConnectionClosed(f"the connection was closed in the middle of {what} ({received} of {size} bytes)")
        received += count
    return buffer


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON (non-finite numbers are the strings \"NaN\", \"Infinity\", \"-Infinity\")")


def receive_message(sock: socket.socket, max_json: int = MAX_JSON, max_data: int = MAX_DATA) -> Tuple[dict, memoryview]:
    """The next message's JSON object and its data block, or ProtocolError (nothing over the
    limits is read: the prefix alone decides)."""
    prefix = _receive_exactly(sock, FRAME_PREFIX.size, "a message")
    json_length, reserved, data_length = FRAME_PREFIX.unpack(prefix)
    if reserved != 0:
        raise ProtocolError(f"bad frame prefix: the reserved field is {reserved}, must be 0")
    if json_length > max_json:
        raise ProtocolError(f"message JSON of {json_length} bytes is over the limit of {max_json}")
    if data_length > max_data:
        raise ProtocolError(f"message data of {data_length} bytes is over the limit of {max_data}")
    if (FRAME_PREFIX.size + json_length) % 8 or data_length % 8:
        raise ProtocolError(f"bad frame: JSON length {json_length} and data length {data_length} must keep 8-byte alignment")
    text = _receive_exactly(sock, json_length, "a message's JSON")
    data = _receive_exactly(sock, data_length, "a message's data") if data_length else bytearray()
    try:
        message = json.loads(text.decode("utf-8"), parse_constant=_no_constants)
    except (ValueError, UnicodeDecodeError) as error:
        raise ProtocolError(f"a message is not JSON ({error})") from None
    if not isinstance(message, dict):
        raise ProtocolError(f"a message must be a JSON object, got {type(message).__name__}")
    if not isinstance(message.get("type"), str):
        raise ProtocolError("a message has no \"type\" string")
    return message, memoryview(data)


def message_values(message: dict, data: memoryview) -> dict:
    """A received message with its tensors as nested lists (the editor side's view; used by tests)."""
    try:
        return frame_values(message, data, f"message {message['type']!r}")
    except TraceFormatError as error:
        raise ProtocolError(str(error)) from None


# ---- the editor's messages (docs/live-protocol.md §4)


def _fields(message: dict, required: Tuple[str, ...]) -> None:
    kind = message["type"]
    expected = {"type", *required}
    missing = [name for name in required if name not in message]
    if missing:
        raise ProtocolError(f"{kind!r} message: missing field {missing[0]!r}")
    unknown = sorted(set(message) - expected)
    if unknown:
        raise ProtocolError(f"{kind!r} message: unknown field {unknown[0]!r}")


def _flag(message: dict, name: str) -> bool:
    value = message[name]
    if not isinstance(value, bool):
        raise ProtocolError(f"{message['type']!r} message: {name} must be true or false, got {value!r}")
    return value


def _stop_at(message: dict) -> Any:
    """ "all" or a tuple of (phase, module or None) places."""
    value = message["stopAt"]
    where = f"{message['type']!r} message: stopAt"
    if value == "all":
        return "all"
    if not isinstance(value, list):
        raise ProtocolError(f'{where} must be "all" or a list of places, got {value!r}')
    if len(value) > MAX_PLACES:
        raise ProtocolError(f"{where} has {len(value)} places, more than {MAX_PLACES}")
    places = []
    for i, place in enumerate(value):
        if not isinstance(place, dict) or set(place) != {"phase", "module"}:
            raise ProtocolError(f'{where}[{i}] must be an object with exactly "phase" and "module", got {place!r}')
        if place["phase"] not in PHASES:
            raise ProtocolError(f"{where}[{i}].phase must be one of {', '.join(PHASES)}, got {place['phase']!r}")
        if place["module"] is not None and not isinstance(place["module"], str):
            raise ProtocolError(f"{where}[{i}].module must be a module name or null, got {place['module']!r}")
        places.append((place["phase"], place["module"]))
    return tuple(places)


class Command:
    """A validated message from the editor: kind, and for welcome/continue where to stop next."""

    def __init__(self, kind: str, stop_at: Any = None, stop_on_non_finite: bool = False,
                 token: Optional[str] = None, text: Optional[str] = None):
        self.kind, self.stop_at, self.stop_on_non_finite, self.token, self.text = kind, stop_at, stop_on_non_finite, token, text


def parse_command(message: dict, allowed: Tuple[str, ...]) -> Command:
    """The editor's message as a Command, if it is valid and one of `allowed` now."""
    kind = message["type"]
    if kind not in ("welcome", "refuse", "continue", "pause", "stop"):
        raise ProtocolError(f"unknown message type {kind!r} from the editor")
    if kind not in allowed:
        raise ProtocolError(f"{kind!r} is not allowed now (expected {' or '.join(repr(a) for a in allowed)})")
    if kind == "welcome":
        _fields(message, ("protocol", "token", "stopAt", "stopOnNonFinite"))
        version = message["protocol"]
        if version != PROTOCOL_VERSION or isinstance(version, bool):
            raise ProtocolError(f"the editor speaks live protocol {version!r}, this recorder {PROTOCOL_VERSION}; update one of them")
        if not isinstance(message["token"], str):
            raise ProtocolError("'welcome' message: token must be a string")
        return Command(kind, _stop_at(message), _flag(message, "stopOnNonFinite"), token=message["token"])
    if kind == "continue":
        _fields(message, ("stopAt", "stopOnNonFinite"))
        return Command(kind, _stop_at(message), _flag(message, "stopOnNonFinite"))
    if kind == "refuse":
        _fields(message, ("message",))
        if not isinstance(message["message"], str):
            raise ProtocolError("'refuse' message: message must be a string")
        return Command(kind, text=message["message"])
    _fields(message, ())
    return Command(kind)

"""The live protocol's framing and the editor's messages (docs/live-protocol.md §2, §4): round
trips through a real socket pair, and malformed or hostile input refused with one clear
ProtocolError, never a hang (the socket has a timeout that would fail the test instead)."""
import json
import math
import socket
import struct

import pytest
import torch

from backprop_stepper.live_protocol import (
    MAX_EDITOR_JSON, PROTOCOL_VERSION, ProtocolError, message_values, parse_command, receive_message, send_message,
)
from backprop_stepper.trace_io import FRAME_PREFIX

EDITOR_COMMANDS = ("welcome", "refuse", "continue", "pause", "stop")


@pytest.fixture
def pair():
    a, b = socket.socketpair()
    a.settimeout(5)
    b.settimeout(5)
    yield a, b
    a.close()
    b.close()


def frame(text: bytes, data: bytes = b"", reserved: int = 0) -> bytes:
    text += b" " * ((-(FRAME_PREFIX.size + len(text))) % 8)
    return FRAME_PREFIX.pack(len(text), reserved, len(data)) + text + data


def test_a_message_with_tensors_round_trips_exactly(pair):
    a, b = pair
    weights = torch.randn(4, 3, dtype=torch.float64)
    weights[1, 2] = math.nan
    jacobian = torch.randn(1, 3, 3, dtype=torch.float32)  # 36 bytes, padded to 40
    message = {"type": "paused", "step": 3, "loss": math.inf, "module": "NaN",
               "data": {"layer": {"weights": weights, "localGrad": jacobian, "bias": None, "units": 4}}}
    send_message(a, message)
    received, data = receive_message(b)
    assert data.nbytes == 4 * 3 * 8 + 40
    values = message_values(received, data)
    assert values["step"] == 3 and values["loss"] == math.inf and values["module"] == "NaN"
    got = torch.tensor(values["data"]["layer"]["weights"], dtype=torch.float64)
    assert torch.equal(torch.isnan(got), torch.isnan(weights))
    assert torch.equal(got.nan_to_num(0.5), weights.nan_to_num(0.5))
    assert torch.equal(torch.tensor(values["data"]["layer"]["localGrad"], dtype=torch.float32), jacobian)
    assert values["data"]["layer"]["bias"] is None and values["data"]["layer"]["units"] == 4


def test_messages_follow_each_other_on_one_connection(pair):
    a, b = pair
    for i in range(3):
        send_message(a, {"type": "step", "record": {"step": i, "z": torch.full((2, 2), float(i), dtype=torch.float64)}})
    for i in range(3):
        values = message_values(*receive_message(b))
        assert values["record"] == {"step": i, "z": [[float(i)] * 2] * 2}


def test_the_editor_commands_parse():
    welcome = parse_command({"type": "welcome", "protocol": PROTOCOL_VERSION, "token": "t",
                             "stopAt": [{"phase": "backward", "module": "2"}, {"phase": "update", "module": None}],
                             "stopOnNonFinite": False}, ("welcome",))
    assert welcome.stop_at == (("backward", "2"), ("update", None)) and welcome.stop_on_non_finite is False
    assert parse_command({"type": "continue", "stopAt": "all", "stopOnNonFinite": True}, ("continue",)).stop_at == "all"
    assert parse_command({"type": "continue", "stopAt": [], "stopOnNonFinite": True}, ("continue",)).stop_at == ()
    assert parse_command({"type": "stop"}, ("stop",)).kind == "stop"


# (bytes the peer sends, the start of the error): every one is refused at once.
HOSTILE_FRAMES = {
    "not JSON": (frame(b"{not json"), "a message is not JSON"),
    "not UTF-8": (frame(b'{"type": "\xff"}'), "a message is not JSON"),
    "a JSON array": (frame(b'["continue"]'), "a message must be a JSON object, got list"),
    "no type": (frame(b'{"kind": "continue"}'), 'a message has no "type" string'),
    "a NaN literal": (frame(b'{"type": "continue", "x": NaN}'), "a message is not JSON"),
    "reserved not 0": (frame(b'{"type": "pause"}', reserved=7), "bad frame prefix: the reserved field is 7"),
    "oversize JSON": (FRAME_PREFIX.pack(2**31, 0, 0), f"message JSON of {2**31} bytes is over the limit of {MAX_EDITOR_JSON}"),
    "data from the editor": (frame(b'{"type": "pause"}', data=bytes(8)), "message data of 8 bytes is over the limit of 0"),
    "misaligned": (FRAME_PREFIX.pack(5, 0, 0) + b'{"a":', "bad frame: JSON length 5"),
}


@pytest.mark.parametrize("name", HOSTILE_FRAMES)
def test_a_hostile_frame_is_refused_with_a_clear_error(pair, name):
    a, b = pair
    data, error = HOSTILE_FRAMES[name]
    a.sendall(data)
    with pytest.raises(ProtocolError) as caught:
        receive_message(b, MAX_EDITOR_JSON, 0)
    assert str(caught.value).startswith(error)


@pytest.mark.parametrize("sent,error", [
    (b"", "the connection was closed"),
    (FRAME_PREFIX.pack(8, 0, 0)[:10], "the connection was closed in the middle of a message (10 of 16 bytes)"),
    (FRAME_PREFIX.pack(24, 0, 0) + b'{"type": "pau', "the connection was closed in the middle of a message's JSON (13 of 24 bytes)"),
])
def test_a_truncated_frame_ends_with_a_clear_error_not_a_hang(pair, sent, error):
    a, b = pair
    a.sendall(sent)
    a.close()
    with pytest.raises(ProtocolError, match=None) as caught:
        receive_message(b, MAX_EDITOR_JSON, 0)
    assert str(caught.value) == error


@pytest.mark.parametrize("message,allowed,error", [
    ({"type": "launch"}, EDITOR_COMMANDS, "unknown message type 'launch' from the editor"),
    ({"type": "pause"}, ("continue", "stop"), "'pause' is not allowed now (expected 'continue' or 'stop')"),
    ({"type": "continue", "stopOnNonFinite": True}, EDITOR_COMMANDS, "'continue' message: missing field 'stopAt'"),
    ({"type": "stop", "force": True}, EDITOR_COMMANDS, "'stop' message: unknown field 'force'"),
    ({"type": "continue", "stopAt": "some", "stopOnNonFinite": True}, EDITOR_COMMANDS,
     "'continue' message: stopAt must be \"all\" or a list of places, got 'some'"),
    ({"type": "continue", "stopAt": [{"phase": "fwd", "module": None}], "stopOnNonFinite": True}, EDITOR_COMMANDS,
     "'continue' message: stopAt[0].phase must be one of forward, loss, backward, update, got 'fwd'"),
    ({"type": "continue", "stopAt": [{"phase": "forward", "module": 2}], "stopOnNonFinite": True}, EDITOR_COMMANDS,
     "'continue' message: stopAt[0].module must be a module name or null, got 2"),
    ({"type": "continue", "stopAt": [{"phase": "forward"}], "stopOnNonFinite": True}, EDITOR_COMMANDS,
     "'continue' message: stopAt[0] must be an object with exactly \"phase\" and \"module\", got {'phase': 'forward'}"),
    ({"type": "continue", "stopAt": "all", "stopOnNonFinite": "yes"}, EDITOR_COMMANDS,
     "'continue' message: stopOnNonFinite must be true or false, got 'yes'"),
    ({"type": "welcome", "protocol": 2, "token": "t", "stopAt": "all", "stopOnNonFinite": True}, EDITOR_COMMANDS,
     "the editor speaks live protocol 2, this recorder 1; update one of them"),
    ({"type": "welcome", "protocol": True, "token": "t", "stopAt": "all", "stopOnNonFinite": True}, EDITOR_COMMANDS,
     "the editor speaks live protocol True, this recorder 1; update one of them"),
    ({"type": "welcome", "protocol": 1, "token": 7, "stopAt": "all", "stopOnNonFinite": True}, EDITOR_COMMANDS,
     "'welcome' message: token must be a string"),
    ({"type": "refuse", "message": None}, EDITOR_COMMANDS, "'refuse' message: message must be a string"),
])
def test_an_invalid_command_is_refused_naming_what_is_wrong(message, allowed, error):
    with pytest.raises(ProtocolError) as caught:
        parse_command(json.loads(json.dumps(message)), allowed)
    assert str(caught.value) == error


def test_too_many_places_are_refused():
    places = [{"phase": "forward", "module": None}] * 10_001
    with pytest.raises(ProtocolError, match="stopAt has 10001 places, more than 10000"):
        parse_command({"type": "continue", "stopAt": places, "stopOnNonFinite": True}, ("continue",))


def test_the_prefix_is_little_endian_as_in_trace_files(pair):
    a, b = pair
    send_message(a, {"type": "pause"})
    prefix = b.recv(16)
    assert struct.unpack("<IIQ", prefix)[1:] == (0, 0) and (16 + struct.unpack("<I", prefix[:4])[0]) % 8 == 0

"""Trace files, format version 1 (docs/trace-format.md): writing and reading both encodings.

A record handed to a writer is plain data (dicts, lists, numbers, strings, None) with
torch.Tensor values where the trace holds tensors. The JSON Lines writer turns tensors into
nested lists; the binary writer moves them into raw little-endian blocks and leaves a tensor
reference in the frame's JSON.
"""
import array
import ctypes
import json
import math
import struct
import sys
from typing import Any, BinaryIO, List, NamedTuple, Optional, Tuple

import torch

FORMAT = "backprop-stepper-trace"
FORMAT_VERSION = 1
MAGIC = b"BPTRACE\n"
FRAME_PREFIX = struct.Struct("<IIQ")  # jsonLength, reserved (0), dataLength
ALIGN = 8

# Non-finite numbers have no JSON literal; the project writes them as these strings.
NON_FINITE = {"Infinity": math.inf, "-Infinity": -math.inf, "NaN": math.nan}
# Fields whose values are text, so a module named "NaN" is not read as a number.
TEXT_FIELDS = frozenset(
    ["format", "name", "kind", "module", "activationModule", "activation", "type", "torchClass", "dtype", "torch"]
)

BINARY_EXTENSION = ".bptrace"


class TraceFormatError(ValueError):
    """A trace file that cannot be read: the message names the file, the line or frame, and the problem."""


def encoding_for(path: str, format: Optional[str]) -> str:
    """"json" or "binary": the explicit format, or the one the file name implies."""
    if format is None:
        return "binary" if str(path).endswith(BINARY_EXTENSION) else "json"
    if format not in ("json", "binary"):
        raise ValueError(f'format must be "json" or "binary", got {format!r}')
    return format


def _number(value: float) -> Any:
    return value if math.isfinite(value) else ("NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity"))


def _nested(values: Any) -> Any:
    """A tolist() result with its non-finite floats replaced by their strings."""
    if isinstance(values, list):
        return [_nested(v) for v in values]
    return _number(values) if isinstance(values, float) else values


def tensor_to_json(tensor: torch.Tensor) -> Any:
    values = tensor.tolist()
    if tensor.is_floating_point() and not bool(torch.isfinite(tensor).all()):
        return _nested(values)
    return values


def _to_json(value: Any, tensor: Any) -> Any:
    """Plain JSON data: `tensor` decides what a tensor becomes; floats get the non-finite strings."""
    if isinstance(value, torch.Tensor):
        return tensor(value)
    if isinstance(value, dict):
        return {k: _to_json(v, tensor) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_to_json(v, tensor) for v in value]
    if isinstance(value, float):
        return _number(value)
    return value


def _dumps(value: Any) -> str:
    # allow_nan=False: a non-finite number that escaped the string encoding is a bug, not a file.
    return json.dumps(value, separators=(",", ":"), allow_nan=False)


class JsonLinesWriter:
    def __init__(self, file: BinaryIO):
        self._file = file

    def write_header(self, header: dict) -> None:
        self._write(_to_json(header, tensor_to_json))

    def write_step(self, record: dict) -> None:
        self._write(_to_json(record, tensor_to_json))

    def _write(self, value: Any) -> None:
        self._file.write(_dumps(value).encode("utf-8") + b"\n")
        self._file.flush()


def _block_dtype(tensor: torch.Tensor) -> torch.dtype:
    if tensor.dtype in (torch.float64, torch.float32):
        return tensor.dtype
    # float16/bfloat16 widen to float32 exactly; integer state is stored as float64.
    return torch.float32 if tensor.is_floating_point() else torch.float64


def _raw(tensor: torch.Tensor) -> Any:
    """The bytes of a contiguous CPU tensor, little-endian, without copying where possible."""
    size = tensor.numel() * tensor.element_size()
    view = (ctypes.c_char * size).from_address(tensor.data_ptr())
    if sys.byteorder == "little":
        return view
    swapped = array.array("d" if tensor.dtype == torch.float64 else "f")
    swapped.frombytes(bytes(view))
    swapped.byteswap()
    return swapped


class Frame(NamedTuple):
    """One encoded frame (§4): `chunks` (prefix, padded JSON, each tensor's bytes and padding) to
    be written in order; the raw chunks view `blocks`' memory, so keep the Frame while writing."""
    chunks: List[Any]
    blocks: List[torch.Tensor]


def encode_frame(record: Any) -> Frame:
    """`record` as one frame, its tensors moved into the data block as tensor references."""
    blocks: List[torch.Tensor] = []
    offset = 0

    def reference(tensor: torch.Tensor) -> Any:
        nonlocal offset
        if tensor.dim() == 0:
            return _number(tensor.item()) if tensor.is_floating_point() else tensor.item()
        block = tensor.detach().to(device="cpu", dtype=_block_dtype(tensor)).contiguous()
        ref = {"$tensor": {"offset": offset, "shape": list(block.shape), "dtype": str(block.dtype)[len("torch."):]}}
        blocks.append(block)
        offset += _padded(block.numel() * block.element_size())
        return ref

    text = _dumps(_to_json(record, reference)).encode("utf-8")
    text += b" " * ((-(FRAME_PREFIX.size + len(text))) % ALIGN)
    sizes = [b.numel() * b.element_size() for b in blocks]
    chunks: List[Any] = [FRAME_PREFIX.pack(len(text), 0, sum(_padded(s) for s in sizes)), text]
    for block, size in zip(blocks, sizes):
        if size:
            chunks.append(_raw(block))
        if _padded(size) != size:
            chunks.append(bytes(_padded(size) - size))
    return Frame(chunks, blocks)


class BinaryWriter:
    def __init__(self, file: BinaryIO):
        self._file = file
        file.write(MAGIC)

    def write_header(self, header: dict) -> None:
        self.write_step(header)

    def write_step(self, record: dict) -> None:
        frame = encode_frame(record)
        for chunk in frame.chunks:
            self._file.write(chunk)
        self._file.flush()


def _padded(size: int) -> int:
    return size + (-size) % ALIGN


def open_writer(path: str, format: Optional[str]):
    encoding = encoding_for(path, format)
    file = open(path, "wb")
    return JsonLinesWriter(file) if encoding == "json" else BinaryWriter(file), file


# ---- reading


def _check_header(header: Any, where: str) -> dict:
    version = header.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise TraceFormatError(f"{where}: the header's version must be a whole number ≥ 1, got {version!r}")
    if version > FORMAT_VERSION:
        raise TraceFormatError(
            f"{where}: trace format version {version} is newer than this reader ({FORMAT_VERSION}); "
            "update backprop_stepper"
        )
    return header


def _is_header(value: Any) -> bool:
    return isinstance(value, dict) and value.get("format") == FORMAT


def _numbers(value: Any, key: Optional[str] = None) -> Any:
    """JSON data with the non-finite strings read back as floats (outside text fields)."""
    if isinstance(value, dict):
        return {k: _numbers(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_numbers(v, key) for v in value]
    if isinstance(value, str) and key not in TEXT_FIELDS and value in NON_FINITE:
        return NON_FINITE[value]
    return value


def _read_json_lines(path: str, data: bytes) -> Tuple[dict, List[dict]]:
    header = {"format": FORMAT, "version": 1}
    steps = []
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    for number, line in enumerate(lines, start=1):
        where = f"{path}:{number}"
        try:
            value = json.loads(line)
        except (ValueError, UnicodeDecodeError) as error:
            raise TraceFormatError(f"{where}: not a JSON object ({error})") from None
        if not isinstance(value, dict):
            raise TraceFormatError(f"{where}: expected a JSON object, got {type(value).__name__}")
        if _is_header(value):
            if number != 1:
                raise TraceFormatError(f"{where}: a file header is only allowed on line 1")
            header = _check_header(value, where)
        else:
            steps.append(_numbers(value))
    return header, steps


def _nest(flat: List[float], shape: List[int]) -> Any:
    if len(shape) <= 1:
        return flat
    inner = len(flat) // shape[0] if shape[0] else 0
    return [_nest(flat[i * inner:(i + 1) * inner], shape[1:]) for i in range(shape[0])]


def _resolve(value: Any, data: memoryview, where: str) -> Any:
    if isinstance(value, dict):
        ref = value.get("$tensor")
        if ref is not None and len(value) == 1:
            try:
                offset, shape, dtype = ref["offset"], list(ref["shape"]), ref["dtype"]
                code = {"float64": "d", "float32": "f"}[dtype]
            except (KeyError, TypeError):
                raise TraceFormatError(f"{where}: bad tensor reference {ref!r}") from None
            count = math.prod(shape)
            end = offset + count * (8 if code == "d" else 4)
            if not isinstance(offset, int) or offset < 0 or offset % ALIGN or end > len(data):
                raise TraceFormatError(
                    f"{where}: tensor at bytes [{offset}, {end}) does not fit the frame's {len(data)} data bytes"
                )
            values = array.array(code)
            values.frombytes(data[offset:end])
            if sys.byteorder != "little":
                values.byteswap()
            return _nest(values.tolist(), shape)
        return {k: _resolve(v, data, where) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, data, where) for v in value]
    return value


def frame_values(meta: Any, data: memoryview, where: str) -> Any:
    """A frame's JSON with its tensor references read from the data block (nested lists) and the
    non-finite strings read as floats; TraceFormatError naming `where` for a bad reference."""
    return _numbers(_resolve(meta, data, where))


def _read_binary(path: str, data: bytes) -> Tuple[dict, List[dict]]:
    header = None
    steps = []
    position = len(MAGIC)
    frame = 0
    while position < len(data):
        where = f"{path}: frame {frame} at byte {position}"
        if position + FRAME_PREFIX.size > len(data):
            raise TraceFormatError(f"{where}: truncated (the frame prefix is cut off)")
        json_length, _reserved, data_length = FRAME_PREFIX.unpack_from(data, position)
        start = position + FRAME_PREFIX.size
        end = start + json_length + data_length
        if end > len(data):
            raise TraceFormatError(f"{where}: truncated (the frame needs {end - position} bytes, {len(data) - position} are left)")
        try:
            meta = json.loads(data[start:start + json_length])
        except (ValueError, UnicodeDecodeError) as error:
            raise TraceFormatError(f"{where}: its JSON cannot be read ({error})") from None
        if frame == 0:
            if not _is_header(meta):
                raise TraceFormatError(f"{where}: expected the file header")
            header = _check_header(meta, where)
        else:
            steps.append(frame_values(meta, memoryview(data)[start + json_length:end], where))
        position = end
        frame += 1
    if header is None:
        raise TraceFormatError(f"{path}: the file header (frame 0) is missing")
    return header, steps


def read_trace(path: str) -> Tuple[dict, List[dict]]:
    """(header, steps) of a trace file in either encoding; tensors as nested lists of floats."""
    with open(path, "rb") as file:
        data = file.read()
    if data.startswith(MAGIC):
        return _read_binary(str(path), data)
    return _read_json_lines(str(path), data)

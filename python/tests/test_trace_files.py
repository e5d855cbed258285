"""The two encodings of docs/trace-format.md: the binary layout read by hand from the spec,
both encodings holding the same numbers, non-finite values, version and damage checks, and
the package installing with pip."""
import copy
import json
import math
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from torch import nn

from backprop_stepper import Recorder, TraceFormatError, read_trace

D = torch.float64
PYTHON_DIR = Path(__file__).resolve().parents[1]


def mse(p, t):
    return ((p - t) ** 2).sum(1).mean()


def record(model, path, x, y, steps=2):
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    with Recorder(model, optimizer, path, loss_fn=mse) as rec:
        for _ in range(steps):
            with rec.step(x, y):
                optimizer.zero_grad()
                mse(model(x), y).backward()
                optimizer.step()


def frames(path):
    """The binary file read with nothing but the spec: magic, then (u32 json, u32 0, u64 data) frames."""
    data = Path(path).read_bytes()
    assert data[:8] == b"BPTRACE\n"
    position, out = 8, []
    while position < len(data):
        assert position % 8 == 0
        json_length, reserved, data_length = struct.unpack_from("<IIQ", data, position)
        assert reserved == 0 and (16 + json_length) % 8 == 0 and data_length % 8 == 0
        start = position + 16
        meta = json.loads(data[start:start + json_length])
        out.append((meta, data[start + json_length:start + json_length + data_length], start + json_length))
        position = start + json_length + data_length
    assert position == len(data)
    return out


def test_binary_layout_follows_the_spec(tmp_path):
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2), nn.Sigmoid()).to(D)
    x, y = torch.randn(5, 3, dtype=D), torch.rand(5, 2, dtype=D)
    record(model, tmp_path / "t.bptrace", x, y)
    (header, header_data, _), (step, block, block_start), _second = frames(tmp_path / "t.bptrace")
    assert header["format"] == "backprop-stepper-trace" and header["version"] == 1 and header_data == b""
    z = step["layers"][0]["z"]["$tensor"]
    assert z["shape"] == [5, 4] and z["dtype"] == "float64" and z["offset"] % 8 == 0 and block_start % 8 == 0
    values = struct.unpack_from("<20d", block, z["offset"])
    expected = (x @ step_weights(step, block).T + step_bias(step, block))
    torch.testing.assert_close(torch.tensor(values, dtype=D).reshape(5, 4), expected, rtol=1e-12, atol=1e-14)
    assert isinstance(step["loss"], float) and step["batch"] == [0, 1, 2, 3, 4]
    assert step["optimizer"]["state"]["layers[0].bias"]["step"] == 1  # a 0-dimensional tensor becomes a number


def step_weights(step, block):
    ref = step["layers"][0]["weights"]["$tensor"]
    return torch.tensor(struct.unpack_from("<12d", block, ref["offset"]), dtype=D).reshape(4, 3)


def step_bias(step, block):
    ref = step["layers"][0]["bias"]["$tensor"]
    return torch.tensor(struct.unpack_from("<4d", block, ref["offset"]), dtype=D)


def test_both_encodings_hold_the_same_records(tmp_path):
    model = nn.Sequential(nn.Conv2d(1, 1, 2), nn.Flatten(), nn.Linear(9, 3), nn.Softmax(dim=1)).to(D)
    twin = copy.deepcopy(model)
    x, y = torch.randn(2, 1, 4, 4, dtype=D), torch.eye(3, dtype=D)[:2]
    record(model, tmp_path / "t.jsonl", x, y)
    record(twin, tmp_path / "t.bptrace", x, y)
    json_header, json_steps = read_trace(tmp_path / "t.jsonl")
    binary_header, binary_steps = read_trace(tmp_path / "t.bptrace")
    assert json_header == binary_header
    assert json_steps == binary_steps
    assert len(json_steps) == 2 and json_steps[1]["layers"][2]["localGrad"][0][1][1] > 0


def test_float32_blocks_are_float32(tmp_path):
    model = nn.Sequential(nn.Linear(3, 3), nn.Sigmoid())
    record(model, tmp_path / "t.bptrace", torch.randn(3, 3), torch.rand(3, 3), steps=1)
    _, (step, block, _), = frames(tmp_path / "t.bptrace")
    ref = step["layers"][0]["a"]["$tensor"]
    assert ref["dtype"] == "float32"
    values = struct.unpack_from("<9f", block, ref["offset"])
    _, [decoded] = read_trace(tmp_path / "t.bptrace")
    assert [v for row in decoded["layers"][0]["a"] for v in row] == list(values)


@pytest.mark.parametrize("suffix", ["jsonl", "bptrace"])
def test_non_finite_numbers(suffix, tmp_path):
    model = nn.Sequential(nn.Linear(2, 2), nn.Sigmoid()).to(D)
    with torch.no_grad():
        model[0].weight[0, 0] = math.inf
    x = torch.tensor([[1.0, 0.0], [-1.0, 0.0], [0.0, 0.0]], dtype=D)  # z = +inf, −inf, nan (inf·0)
    y = torch.zeros(3, 2, dtype=D)
    record(model, tmp_path / f"t.{suffix}", x, y, steps=1)
    if suffix == "jsonl":
        text = (tmp_path / "t.jsonl").read_text()

        def refuse(constant):
            raise AssertionError(f"bare {constant} in the JSON")

        step = json.loads(text.splitlines()[1], parse_constant=refuse)
        assert [row[0] for row in step["layers"][0]["z"]] == ["Infinity", "-Infinity", "NaN"]
    _, [step] = read_trace(tmp_path / f"t.{suffix}")
    column = [row[0] for row in step["layers"][0]["z"]]
    assert column[0] == math.inf and column[1] == -math.inf and math.isnan(column[2])
    assert math.isnan(step["loss"]) and math.isnan(step["dataLoss"])


def test_a_newer_version_is_refused_naming_line_1(tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_text('{"format": "backprop-stepper-trace", "version": 2}\n{"step": 1}\n')
    with pytest.raises(TraceFormatError, match=r"t\.jsonl:1: trace format version 2 is newer than this reader \(1\)"):
        read_trace(path)


def test_engine_traces_without_a_header_and_damaged_lines(tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_text('{"step": 1, "loss": "NaN", "layers": [{"activation": "relu"}]}\n{"step": 2}\n{"step": 3, "loss"\n')
    with pytest.raises(TraceFormatError, match=r"t\.jsonl:3: not a JSON object"):
        read_trace(path)
    path.write_text('{"step": 1, "loss": "NaN", "layers": [{"module": "NaN"}]}\n')
    header, [step] = read_trace(path)
    assert header["version"] == 1 and math.isnan(step["loss"]) and step["layers"][0]["module"] == "NaN"


def test_a_truncated_binary_file_names_the_frame(tmp_path):
    model = nn.Sequential(nn.Linear(3, 2), nn.Sigmoid()).to(D)
    record(model, tmp_path / "t.bptrace", torch.randn(4, 3, dtype=D), torch.rand(4, 2, dtype=D))
    data = (tmp_path / "t.bptrace").read_bytes()
    (tmp_path / "cut.bptrace").write_bytes(data[:-10])
    with pytest.raises(TraceFormatError, match=r"cut\.bptrace: frame 2 at byte \d+: truncated"):
        read_trace(tmp_path / "cut.bptrace")


def test_pip_installs_the_package(tmp_path):
    """`pip install ./python` (offline here, so without build isolation) gives an importable package."""
    source, target = tmp_path / "python", tmp_path / "site"
    # A copy, because setuptools builds in the source tree (build/, *.egg-info).
    shutil.copytree(PYTHON_DIR, source, ignore=shutil.ignore_patterns("tests", "__pycache__", "build", "*.egg-info"))
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--target", str(target), str(source)],
        check=True, cwd=tmp_path,
    )
    shown = subprocess.run(
        [sys.executable, "-c", "import backprop_stepper as b; print(b.__file__, b.__version__)"],
        check=True, capture_output=True, text=True, cwd=tmp_path, env={"PYTHONPATH": str(target)},
    ).stdout
    assert shown.startswith(str(target)) and shown.split()[1] == "0.1.0"

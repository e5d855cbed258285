"""Live mode against a fake editor (a socket server in the test): the recorder in a separate
process pauses at every operation boundary in order, the paused tensors equal an independent
autograd computation, places, pause, stop, non-finite values, hostile or vanishing editors.

The scripts run in forked processes (torch is imported once) except where the interpreter's own
ending matters (an uncaught exception, the example script), which run as real `python` processes.
"""
import copy
import multiprocessing
import os
import subprocess
import sys
import textwrap

import pytest
import torch
from torch import nn

from backprop_stepper import Recorder, live, read_trace
from backprop_stepper.live_protocol import FRAME_PREFIX
from fake_editor import TIMEOUT, FakeEditor

D = torch.float64
PYTHON_DIR = os.path.join(os.path.dirname(__file__), "..")
REPOSITORY = os.path.join(PYTHON_DIR, "..")
ONE_STEP = [("forward", 0), ("forward", 1), ("forward", 2), ("loss", None),
            ("backward", 2), ("backward", 1), ("backward", 0), ("update", None)]


def mse(output, target):
    return ((output - target) ** 2).sum(1).mean()


def mlp():
    return nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 4), nn.ReLU(), nn.Linear(4, 2), nn.Sigmoid()).to(D)


def mlp_and_four_samples():
    return mlp(), torch.randn(4, 3, dtype=D), torch.rand(4, 2, dtype=D)


def train(model, x, y, steps, path=None):
    """The user's loop: nothing live-specific but creating the Recorder."""
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    rec = Recorder(model, optimizer, path, loss_fn=mse)
    for _ in range(steps):
        with rec.step(x, y):
            optimizer.zero_grad()
            mse(model(x), y).backward()
            optimizer.step()
    rec.close()


def _child(env, stderr_path, target, args):
    os.environ.clear()
    os.environ.update(env)
    with open(stderr_path, "w") as err:
        os.dup2(err.fileno(), 2)
    sys.stderr = open(2, "w", closefd=False)  # pytest's capture object is not fd 2
    try:
        target(*args)
    except BaseException:  # what the interpreter does with an uncaught exception
        sys.excepthook(*sys.exc_info())
        sys.stderr.flush()
        os._exit(1)


class Script:
    """`target(*args)` in a forked process started with the editor's environment."""

    def __init__(self, editor, tmp_path, target, *args):
        self.stderr_path = str(tmp_path / "stderr.txt")
        self.process = multiprocessing.get_context("fork").Process(target=_child, args=(editor.env(), self.stderr_path, target, args))
        self.process.start()

    def wait(self):
        self.process.join(TIMEOUT)
        assert not self.process.is_alive(), "the script did not end"
        with open(self.stderr_path) as err:
            return self.process.exitcode, err.read()

    def kill(self):
        if self.process.is_alive():
            self.process.kill()
        self.process.join()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.kill()


@pytest.fixture
def editor():
    fake = FakeEditor()
    yield fake
    fake.close()


def reference(model, x, y):
    """One step on copies of the parameters, by hand: z = x·Wᵀ + b, a = f(z); autograd for ∂J."""
    functions = [torch.tanh, torch.relu, torch.sigmoid]
    linears = [m for m in model if isinstance(m, nn.Linear)]
    layers, h = [], x
    for linear, f in zip(linears, functions):
        w = linear.weight.detach().clone().requires_grad_()
        b = linear.bias.detach().clone().requires_grad_()
        z = h @ w.T + b
        a = f(z)
        layers.append({"input": h, "z": z, "a": a, "weights": w, "bias": b})
        h = a
    loss = mse(h, y)
    wanted = [t for layer in layers for t in (layer["a"], layer["z"], layer["weights"], layer["bias"])]
    grads = iter(torch.autograd.grad(loss, wanted))
    for layer in layers:
        layer["upstream"], layer["delta"], layer["gradWeights"], layer["gradBias"] = (next(grads) for _ in range(4))
    return loss.item(), h, layers


def close(actual, expected):
    torch.testing.assert_close(torch.tensor(actual, dtype=D), expected.detach(), rtol=1e-12, atol=1e-14)


def test_one_step_operation_by_operation_in_order_with_the_tensors_autograd_gives(editor, tmp_path):
    model, x, y = mlp(), torch.randn(5, 3, dtype=D), torch.rand(5, 2, dtype=D)
    loss, output, expected = reference(model, x, y)
    with Script(editor, tmp_path, train, copy.deepcopy(model), x, y, 2, str(tmp_path / "live.jsonl")) as script:
        hello = editor.accept()
        assert hello["type"] == "hello" and hello["protocol"] == 1 and hello["token"] == editor.token
        assert (hello["rank"], hello["worldSize"], hello["dtype"]) == (0, 1, "float64")
        assert [(m["name"], m["type"], m["role"]) for m in hello["model"]["modules"]] == [
            ("0", "Linear", "dense"), ("1", "Tanh", "activation"), ("2", "Linear", "dense"),
            ("3", "ReLU", "activation"), ("4", "Linear", "dense"), ("5", "Sigmoid", "activation")]
        assert hello["model"]["modules"][0]["parameters"] == [{"name": "weight", "shape": [4, 3]}, {"name": "bias", "shape": [4]}]
        editor.welcome("all")
        pauses = []
        for _ in ONE_STEP:
            pause = editor.receive()
            assert pause["type"] == "paused" and pause["reason"] == "stopAt" and pause["nonFinite"] is None
            assert (pause["step"], pause["epoch"], pause["batch"]) == (1, 1, [0, 1, 2, 3, 4])
            pauses.append(pause)
            editor.go("all")
        assert [(p["phase"], p["layer"]) for p in pauses] == ONE_STEP
        assert [p["module"] for p in pauses] == ["0", "2", "4", None, "4", "2", "0", None]

        for index, pause in enumerate(pauses[:3]):  # forward: what the layer computed, nothing backward yet
            layer, want = pause["data"]["layer"], expected[index]
            for field in ("input", "z", "a", "weights", "bias"):
                close(layer[field], want[field])
            assert layer["delta"] is None and layer["gradWeights"] is None and layer["weightsAfter"] is None
        assert pauses[3]["data"]["loss"] == pytest.approx(loss, rel=1e-14)
        close(pauses[3]["data"]["output"], output)
        for pause in pauses[4:7]:  # backward: ∂J/∂a, ∂J/∂z and the parameter gradients now
            layer, want = pause["data"]["layer"], expected[pause["layer"]]
            for field in ("upstream", "delta", "gradWeights", "gradBias"):
                close(layer[field], want[field])
            assert layer["update"] == {"weights": None, "bias": None}
        # backward of layer 2 comes before layer 1's gradients exist
        assert pauses[4]["data"]["layer"]["index"] == 2 and pauses[4]["data"]["layer"]["delta"] is not None
        update = pauses[7]["data"]
        assert update["optimizer"]["type"] == "sgd"
        for layer, want in zip(update["layers"], expected):
            # SGD with momentum, first step: the buffer is the gradient, the update −lr·gradient
            close(layer["update"]["weights"], -0.1 * want["gradWeights"])
            close(layer["weightsAfter"], want["weights"] - 0.1 * want["gradWeights"])

        step = editor.receive()
        assert step["type"] == "step" and step["record"]["step"] == 1
        for layer, want in zip(step["record"]["layers"], expected):
            close(layer["gradWeights"], want["gradWeights"])
        second = editor.receive()
        assert (second["step"], second["phase"], second["layer"]) == (2, "forward", 0)
        editor.go([])  # run to the end
        assert editor.receive()["record"]["step"] == 2
        end = editor.receive()
        assert end == {"type": "end", "reason": "closed", "message": "the recorder was closed"}
        status, stderr = script.wait()
        assert status == 0, stderr
        _, steps = read_trace(tmp_path / "live.jsonl")  # the file gets the same records
        assert [s["step"] for s in steps] == [1, 2] and steps[0]["layers"][2]["delta"] == step["record"]["layers"][2]["delta"]


def train_mixed(steps):
    torch.manual_seed(0)
    # Linear+ReLU, an opaque layer without parameters, a Linear that no activation follows
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Dropout(0.5), nn.Linear(4, 2)).to(D)
    x, y = torch.randn(4, 3, dtype=D), torch.rand(4, 2, dtype=D)
    optimizer = torch.optim.Adam(model.parameters())
    rec = Recorder(model, optimizer)
    for _ in range(steps):
        with rec.step(x, y):
            optimizer.zero_grad()
            mse(model(x), y).backward()
            optimizer.step()
    rec.close()


def test_opaque_layers_and_a_linear_without_activation_pause_in_order(editor, tmp_path):
    with Script(editor, tmp_path, train_mixed, 1) as script:
        hello = editor.accept()
        assert [m["role"] for m in hello["model"]["modules"]] == ["dense", "activation", "opaque", "dense"]
        editor.welcome("all")
        pauses = []
        for _ in ONE_STEP:
            pauses.append(editor.receive())
            editor.go("all")
        assert [(p["phase"], p["layer"], p["module"]) for p in pauses] == [
            ("forward", 0, "0"), ("forward", 1, "2"), ("forward", 2, "3"), ("loss", None, None),
            ("backward", 2, "3"), ("backward", 1, "2"), ("backward", 0, "0"), ("update", None, None)]
        dropout_forward, dropout_backward = pauses[1]["data"]["layer"], pauses[5]["data"]["layer"]
        assert dropout_forward["kind"] == "opaque" and dropout_forward["gradOutput"] is None
        last = pauses[4]["data"]["layer"]
        assert last["activation"] == "identity" and last["upstream"] == last["delta"]
        # ∂J/∂(dropout's output) is what the next Linear passes back: δ·W
        close(dropout_backward["gradOutput"], torch.tensor(last["delta"], dtype=D) @ torch.tensor(last["weights"], dtype=D))
        status, stderr = script.wait()
        assert status == 0, stderr


def test_places_pause_and_stop(editor, tmp_path):
    with Script(editor, tmp_path, train, *mlp_and_four_samples(), 100_000) as script:
        editor.accept()
        editor.welcome([{"phase": "backward", "module": "2"}, {"phase": "loss", "module": None}])
        seen = []
        for i in range(4):
            pause = editor.receive()
            while pause["type"] == "step":
                pause = editor.receive()
            seen.append((pause["step"], pause["phase"], pause["module"]))
            if i < 3:
                editor.go([{"phase": "backward", "module": "2"}, {"phase": "loss", "module": None}])
        assert seen == [(1, "loss", None), (1, "backward", "2"), (2, "loss", None), (2, "backward", "2")]
        editor.go([])  # runs on, until the pause below
        editor.send({"type": "pause"})
        while True:
            message = editor.receive()
            if message["type"] == "paused":
                break
            assert message["type"] == "step"
        assert message["reason"] == "pause" and message["step"] >= 2
        editor.send({"type": "stop"})
        assert editor.receive() == {"type": "end", "reason": "stopped", "message": "the editor stopped the session"}
        status, stderr = script.wait()
        assert status == 0 and "the editor stopped the script" in stderr


def train_into_nan(model, x, y):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    rec = Recorder(model, optimizer, loss_fn=mse)
    for step in range(3):
        batch = x.clone()
        if step == 1:
            batch[2, 1] = float("nan")
        with rec.step(batch, y):
            optimizer.zero_grad()
            mse(model(batch), y).backward()
            optimizer.step()
    rec.close()


def test_a_non_finite_value_pauses_where_it_first_appears(editor, tmp_path):
    with Script(editor, tmp_path, train_into_nan, *mlp_and_four_samples()) as script:
        editor.accept()
        editor.welcome([], stop_on_non_finite=True)
        assert editor.receive()["type"] == "step"
        pause = editor.receive()
        assert (pause["step"], pause["phase"], pause["layer"], pause["reason"]) == (2, "forward", 0, "nonFinite")
        assert pause["nonFinite"] == {"quantity": "input", "layer": 0}
        editor.send({"type": "stop"})
        assert editor.receive()["reason"] == "stopped"
        assert script.wait()[0] == 0


def test_a_dropped_connection_while_paused_ends_the_script_with_a_clear_message(editor, tmp_path):
    with Script(editor, tmp_path, train, *mlp_and_four_samples(), 10) as script:
        editor.accept()
        editor.welcome("all")
        assert editor.receive()["phase"] == "forward"
        editor.conn.close()
        editor.conn = None
        status, stderr = script.wait()
        assert status == 3
        assert stderr.strip() == "backprop_stepper: live session ended: the connection was closed"


def test_a_dropped_connection_while_running_ends_the_script_too(editor, tmp_path):
    with Script(editor, tmp_path, train, *mlp_and_four_samples(), 10_000_000) as script:  # would run for hours
        editor.accept()
        editor.welcome([])
        assert editor.receive()["type"] == "step"  # running
        editor.conn.close()
        editor.conn = None
        status, stderr = script.wait()
        assert status == 3
        # seen at the next boundary (closed), or by the next step message (broken pipe)
        assert stderr.strip() in ("backprop_stepper: live session ended: the connection was closed",
                                  "backprop_stepper: live session ended: the connection to the editor failed (Broken pipe)",
                                  "backprop_stepper: live session ended: the connection to the editor failed (Connection reset by peer)")


HOSTILE = {
    "wrong token": (lambda e: e.welcome("all", token="0" * 32),
                    "the peer's welcome has a wrong token: it is not the editor that started this script"),
    "bad JSON": (lambda e: e.send_raw(FRAME_PREFIX.pack(8, 0, 0) + b"{welcome"), "a message is not JSON"),
    "oversize": (lambda e: e.send_raw(FRAME_PREFIX.pack(65536 + 8, 0, 0)), "message JSON of 65544 bytes is over the limit of 65536"),
    "data from the editor": (lambda e: e.send_raw(FRAME_PREFIX.pack(16, 0, 8) + b"{\"type\": \"pause\"}  "),
                             "message data of 8 bytes is over the limit of 0"),
    "wrong types": (lambda e: e.send({"type": "welcome", "protocol": 1, "token": e.token, "stopAt": 3, "stopOnNonFinite": True}),
                    "'welcome' message: stopAt must be \"all\" or a list of places, got 3"),
    "a command before welcome": (lambda e: e.go("all"), "'continue' is not allowed now (expected 'welcome' or 'refuse')"),
    "truncated": (lambda e: (e.send_raw(FRAME_PREFIX.pack(64, 0, 0) + b'{"type": "welcome"'), e.conn.shutdown(1)),
                  "the connection was closed in the middle of a message's JSON (18 of 64 bytes)"),
    "refused": (lambda e: e.send({"type": "refuse", "message": "another session is running"}),
                "the editor refused the session: another session is running"),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_editor_ends_the_script_with_one_clear_line(editor, tmp_path, name):
    act, why = HOSTILE[name]
    with Script(editor, tmp_path, train, *mlp_and_four_samples(), 10) as script:
        editor.accept()
        act(editor)
        status, stderr = script.wait()
        assert status == 3
        assert stderr.startswith(f"backprop_stepper: live session ended: {why}")
        if name not in ("refused", "truncated"):  # the recorder says why before it goes
            end = editor.receive()
            assert end["type"] == "end" and end["reason"] == "protocolError" and end["message"].startswith(why)


def train_with_a_short_welcome_timeout(model, x, y):
    live.WELCOME_TIMEOUT = 0.5  # in this process only: the real 30 s would slow the suite
    train(model, x, y, 10)


def test_an_editor_that_never_answers_hello_ends_the_script(editor, tmp_path):
    with Script(editor, tmp_path, train_with_a_short_welcome_timeout, *mlp_and_four_samples()) as script:
        assert editor.accept()["type"] == "hello"
        status, stderr = script.wait()
        assert status == 3
        assert stderr.strip() == "backprop_stepper: live session ended: the editor did not answer hello within 0.5 s"


def test_no_editor_at_the_socket_path_ends_the_script(editor, tmp_path):
    editor.server.close()
    os.unlink(editor.path)
    script = Script(editor, tmp_path, train, *mlp_and_four_samples(), 10)
    status, stderr = script.wait()
    assert status == 3
    assert stderr.strip() == f"backprop_stepper: live session ended: cannot connect to the editor at {editor.path!r} (No such file or directory)"


def test_a_hostile_command_while_paused_ends_the_script(editor, tmp_path):
    with Script(editor, tmp_path, train, *mlp_and_four_samples(), 10) as script:
        editor.accept()
        editor.welcome("all")
        assert editor.receive()["type"] == "paused"
        editor.send({"type": "pause"})  # already paused
        assert editor.receive()["message"] == "'pause' is not allowed now (expected 'continue' or 'stop')"
        assert script.wait()[0] == 3


def run_python(editor, script_path, *args):
    env = {**editor.env(), "PYTHONPATH": PYTHON_DIR, "OMP_NUM_THREADS": "1"}
    return subprocess.Popen([sys.executable, str(script_path), *args], env=env, cwd=str(script_path.parent),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def train_with_a_wrong_shape(model, x, y):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    rec = Recorder(model, optimizer)
    for step in range(2):
        with rec.step(x):
            optimizer.zero_grad()
            model(x if step == 0 else x[:, :2]).sum().backward()  # step 2: a shape error
            optimizer.step()


def test_an_uncaught_exception_is_sent_with_its_traceback(editor, tmp_path):
    with Script(editor, tmp_path, train_with_a_wrong_shape, *mlp_and_four_samples()) as script:
        editor.accept()
        editor.welcome([])
        assert editor.receive()["type"] == "step"
        exception = editor.receive()
        assert exception["type"] == "exception" and exception["exceptionType"] == "RuntimeError"
        assert "mat1 and mat2 shapes cannot be multiplied" in exception["message"]
        assert exception["traceback"].startswith("Traceback (most recent call last):")
        assert "in train_with_a_wrong_shape" in exception["traceback"]
        assert editor.receive() == {"type": "end", "reason": "exception", "message": "RuntimeError: " + exception["message"]}
        status, stderr = script.wait()
        assert status == 1 and "mat1 and mat2 shapes cannot be multiplied" in stderr  # the usual traceback too


def test_an_exception_that_a_launcher_catches_before_exiting_is_still_sent(editor, tmp_path):
    # torch.multiprocessing.spawn runs each rank like this: the exception never reaches sys.excepthook.
    script = tmp_path / "rank.py"
    script.write_text(textwrap.dedent("""
        import sys
        import traceback
        import torch
        from torch import nn
        from backprop_stepper import Recorder

        def run():
            model = nn.Sequential(nn.Linear(3, 2), nn.Tanh()).double()
            optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
            rec = Recorder(model, optimizer)
            x = torch.randn(4, 3, dtype=torch.float64)
            for step in range(2):
                with rec.step(x):
                    model(x if step == 0 else x[:, :2]).sum().backward()

        try:
            run()
        except Exception:
            traceback.print_exc()
            sys.exit(1)
    """))
    process = run_python(editor, script)
    try:
        editor.accept()
        editor.welcome([])
        assert editor.receive()["type"] == "step"
        exception = editor.receive()
        assert exception["type"] == "exception" and "mat1 and mat2 shapes cannot be multiplied" in exception["message"]
        # the whole traceback, as the launcher printed it: from the module down to the failing line
        assert exception["traceback"].startswith("Traceback (most recent call last):")
        assert 'rank.py", line 18, in <module>' in exception["traceback"]
        assert 'rank.py", line 15, in run' in exception["traceback"]
        assert "_user_code" not in exception["traceback"]
        assert editor.receive()["reason"] == "exception"
        process.communicate(timeout=TIMEOUT)
        assert process.returncode == 1
    finally:
        process.kill()
        process.wait()


def test_the_example_script_runs_live_without_changes(editor, tmp_path):
    example = tmp_path / "train.py"
    example.write_bytes(open(os.path.join(REPOSITORY, "examples", "pytorch", "train.py"), "rb").read())
    process = run_python(editor, example, "--steps", "3", "--trace", "xor.trace.jsonl")
    try:
        hello = editor.accept()
        assert [m["name"] for m in hello["model"]["modules"]] == ["0", "1", "2", "3"]
        editor.welcome([{"phase": "update", "module": None}])
        for step in (1, 2, 3):
            update = editor.receive()
            assert (update["step"], update["phase"]) == (step, "update")
            editor.go([{"phase": "update", "module": None}])
            assert editor.receive()["record"]["step"] == step
        assert editor.receive()["reason"] == "closed"
        stdout, stderr = process.communicate(timeout=TIMEOUT)
        assert process.returncode == 0, stderr
        assert stdout.splitlines()[-1].startswith("step 3: loss ")
        assert len(read_trace(tmp_path / "xor.trace.jsonl")[1]) == 3
    finally:
        process.kill()
        process.wait()


def test_live_true_without_the_editor_says_what_is_missing(monkeypatch):
    monkeypatch.delenv("BACKPROP_STEPPER_SOCKET", raising=False)
    model = mlp()
    with pytest.raises(RuntimeError, match="BACKPROP_STEPPER_SOCKET is not set; live mode needs the script to be started by the editor"):
        Recorder(model, torch.optim.SGD(model.parameters(), lr=0.1), live=True)
    with pytest.raises(ValueError, match="give the trace file's path"):
        Recorder(model, torch.optim.SGD(model.parameters(), lr=0.1))


def train_with_split(path, give_split):
    """ReLU hidden layer whose unit 1 is dead on the whole split (bias −100, |x| < 1), a Dropout
    after it (the RNG matters), batches of 4 of 12 samples; the split given to the recorder or not."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Dropout(0.3), nn.Linear(3, 1)).to(D)
    with torch.no_grad():
        model[0].bias[1] = -100.0
    x = torch.rand(12, 2, dtype=D) * 2 - 1
    y = torch.rand(12, 1, dtype=D)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    rec = Recorder(model, optimizer, path, loss_fn=mse, train_inputs=x if give_split else None)
    for batch in range(3):
        rows = slice(4 * batch, 4 * batch + 4)
        with rec.step(x[rows], y[rows]):
            optimizer.zero_grad()
            mse(model(x[rows]), y[rows]).backward()
            optimizer.step()
    rec.close()
    return x


def run_live_collecting_forward_pauses(editor, tmp_path, path, give_split):
    with Script(editor, tmp_path, train_with_split, path, give_split) as script:
        hello = editor.accept()
        editor.welcome("all")
        forwards = []
        while True:
            message = editor.receive()
            if message["type"] == "end":
                break
            if message["type"] == "paused":
                if message["phase"] == "forward":
                    forwards.append(message)
                editor.go("all")
        status, stderr = script.wait()
        assert status == 0, stderr
    return hello, forwards


def test_with_train_inputs_each_dense_forward_pause_names_the_units_dead_on_the_whole_split(editor, tmp_path):
    torch.manual_seed(0)
    nn.Linear(2, 3), nn.Linear(3, 1)  # the same draws as train_with_split, to get its x
    x = torch.rand(12, 2, dtype=D) * 2 - 1
    hello, forwards = run_live_collecting_forward_pauses(editor, tmp_path, str(tmp_path / "split.jsonl"), True)
    assert hello["trainSamples"] == 12
    dense = [p for p in forwards if p["data"]["layer"].get("kind") == "dense"]
    assert [(p["step"], p["layer"]) for p in dense] == [(1, 0), (1, 2), (2, 0), (2, 2), (3, 0), (3, 2)]
    assert all("deadUnits" not in p["data"] for p in forwards if p["data"]["layer"].get("kind") != "dense")
    for pause in dense:
        layer = pause["data"]["layer"]
        if pause["layer"] == 0:
            # Independently: z of all 12 samples with the weights this step's forward used.
            z = x @ torch.tensor(layer["weights"], dtype=D).T + torch.tensor(layer["bias"], dtype=D)
            expected = [u for u in range(3) if bool((z[:, u] <= 0).all())]
            assert 1 in expected, "unit 1 is dead by construction"
            assert pause["data"]["deadUnits"] == expected
        else:
            assert isinstance(pause["data"]["deadUnits"], list)


def test_train_inputs_leave_training_exactly_as_it_is_and_without_them_pauses_carry_no_dead_units(editor, tmp_path):
    _, with_split = run_live_collecting_forward_pauses(editor, tmp_path, str(tmp_path / "with.jsonl"), True)
    second = FakeEditor()
    try:
        hello, without = run_live_collecting_forward_pauses(second, tmp_path, str(tmp_path / "without.jsonl"), False)
    finally:
        second.close()
    assert hello["trainSamples"] is None
    assert all("deadUnits" not in p["data"] for p in without)
    assert len(with_split) == len(without)
    _, a = read_trace(tmp_path / "with.jsonl")
    _, b = read_trace(tmp_path / "without.jsonl")
    # The Dropout masks, losses, gradients and weights are bit for bit the same: the RNG, the
    # buffers and autograd were left as they were.
    assert a == b


def test_train_inputs_that_are_not_a_batch_of_tensors_are_refused_with_the_argument_named():
    model = nn.Sequential(nn.Linear(2, 1)).to(D)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(TypeError, match=r"Recorder: train_inputs must be a tensor \(or a tuple of tensors\) with the training samples first, got int"):
        Recorder(model, optimizer, "unused.jsonl", train_inputs=5)

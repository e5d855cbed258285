"""What the recorder attaches, when, and what it leaves behind: hooks only inside recorded
blocks, nothing after close() or an exception, training itself unchanged; every-k, module
choice, batch/epoch bookkeeping and argument errors."""
import contextlib
import copy

import pytest
import torch
from torch import nn

from backprop_stepper import Recorder, read_trace

D = torch.float64
BACKWARD = torch.autograd.backward


def mse(p, t):
    return ((p - t) ** 2).sum(1).mean()


def mlp():
    return nn.Sequential(nn.Linear(3, 4), nn.ReLU(inplace=True), nn.Linear(4, 2), nn.Sigmoid()).to(D)


def hook_count(model):
    return sum(len(m._forward_hooks) + len(m._forward_pre_hooks) + len(m._backward_hooks) for m in model.modules())


def assert_untouched(model, optimizer):
    assert hook_count(model) == 0
    assert "step" not in vars(optimizer)
    assert torch.autograd.backward is BACKWARD
    assert model[1].inplace is True


def train_step(model, optimizer, x, y):
    optimizer.zero_grad()
    loss = mse(model(x), y)
    loss.backward()
    optimizer.step()


def data():
    return torch.randn(6, 3, dtype=D), torch.rand(6, 2, dtype=D)


def test_hooks_exist_only_inside_a_recorded_block_and_are_gone_after_close(tmp_path):
    model, (x, y) = mlp(), data()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    rec = Recorder(model, optimizer, tmp_path / "t.jsonl", loss_fn=mse)
    assert_untouched(model, optimizer)
    with rec.step(x, y):
        assert hook_count(model) > 0 and "step" in vars(optimizer) and torch.autograd.backward is not BACKWARD
        train_step(model, optimizer, x, y)
    assert_untouched(model, optimizer)
    rec.close()
    rec.close()  # twice is fine
    assert_untouched(model, optimizer)
    with pytest.raises(RuntimeError, match="closed"):
        with rec.step(x, y):
            pass


def test_an_exception_in_the_block_removes_the_hooks_and_writes_no_step(tmp_path):
    model, (x, y) = mlp(), data()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    with Recorder(model, optimizer, tmp_path / "t.jsonl", loss_fn=mse) as rec:
        with rec.step(x, y):
            train_step(model, optimizer, x, y)
        with pytest.raises(ZeroDivisionError):
            with rec.step(x, y):
                model(x)
                1 / 0
        assert_untouched(model, optimizer)
        with rec.step(x, y):  # and recording goes on
            train_step(model, optimizer, x, y)
    _, steps = read_trace(tmp_path / "t.jsonl")
    assert [s["step"] for s in steps] == [1, 3]


def test_recording_does_not_change_training(tmp_path):
    """Dropout masks, BatchNorm statistics and the weights are bit-for-bit those of the same loop unrecorded,
    although lossAfter runs an extra forward pass in training mode."""
    torch.manual_seed(7)
    model = nn.Sequential(nn.Linear(3, 8), nn.BatchNorm1d(8), nn.Tanh(), nn.Dropout(0.3), nn.Linear(8, 2), nn.Sigmoid()).to(D)
    twin = copy.deepcopy(model)
    batches = [data() for _ in range(4)]

    def train(net, path=None):
        torch.manual_seed(99)
        optimizer = torch.optim.Adam(net.parameters(), lr=0.01)
        rec = Recorder(net, optimizer, path, loss_fn=mse) if path else None
        draws = []
        for x, y in batches:
            with rec.step(x, y) if rec else contextlib.nullcontext():
                train_step(net, optimizer, x, y)
                draws.append(torch.rand(2))  # the loop's own randomness after the update
        if rec:
            rec.close()
        return torch.stack(draws)

    assert torch.equal(train(twin), train(model, tmp_path / "t.jsonl"))
    for a, b in zip(model.state_dict().values(), twin.state_dict().values()):
        assert torch.equal(a, b)
    _, steps = read_trace(tmp_path / "t.jsonl")
    assert len(steps) == 4 and all(s["lossAfter"] is not None for s in steps)


def test_every_k_records_steps_1_then_every_kth_and_attaches_nothing_in_between(tmp_path):
    model, (x, y) = mlp(), data()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    attached = []
    with Recorder(model, optimizer, tmp_path / "t.bptrace", every=3) as rec:
        for _ in range(7):
            with rec.step(x, y):
                attached.append(hook_count(model) > 0)
                train_step(model, optimizer, x, y)
    header, steps = read_trace(tmp_path / "t.bptrace")
    assert header["every"] == 3
    assert [s["step"] for s in steps] == [1, 4, 7]
    assert attached == [True, False, False, True, False, False, True]


def test_chosen_modules_only(tmp_path):
    model, (x, y) = mlp(), data()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    with Recorder(model, optimizer, tmp_path / "t.jsonl", modules=["2"]) as rec:
        with rec.step(x, y):
            train_step(model, optimizer, x, y)
    _, [step] = read_trace(tmp_path / "t.jsonl")
    [layer] = step["layers"]
    assert (layer["module"], layer["activation"], layer["activationModule"]) == ("2", "sigmoid", "3")
    # The unrecorded layer's parameters keep their torch names in the optimizer state.
    assert step["optimizer"]["paramGroups"][0]["params"] == ["0.weight", "0.bias", "layers[0].weights", "layers[0].bias"]
    with pytest.raises(ValueError, match=r"modules\[0\]: the model has no module named 'fc'"):
        Recorder(model, optimizer, tmp_path / "u.jsonl", modules=["fc"])
    with pytest.raises(ValueError, match=r"modules\[1\]: .* is not a module of the model"):
        Recorder(model, optimizer, tmp_path / "u.jsonl", modules=[model[0], nn.Linear(1, 1)])


def test_batch_positions_epochs_and_indices(tmp_path):
    model = mlp()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    x, y = data()
    with Recorder(model, optimizer, tmp_path / "t.jsonl") as rec:
        for epoch in (1, 2):
            for rows in (slice(0, 4), slice(4, 6)):
                with rec.step(x[rows], y[rows], epoch=epoch):
                    train_step(model, optimizer, x[rows], y[rows])
        with rec.step(x[:2], y[:2], epoch=3, indices=torch.tensor([5, 2])):
            train_step(model, optimizer, x[:2], y[:2])
    _, steps = read_trace(tmp_path / "t.jsonl")
    assert [(s["step"], s["epoch"], s["batch"]) for s in steps] == [
        (1, 1, [0, 1, 2, 3]), (2, 1, [4, 5]), (3, 2, [0, 1, 2, 3]), (4, 2, [4, 5]), (5, 3, [5, 2])]


def test_lr_scheduler_wrapping_the_optimizer_keeps_working(tmp_path):
    model, (x, y) = mlp(), data()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
    scheduler_step = vars(optimizer)["step"]  # the scheduler counts optimizer steps through its own wrapper
    with Recorder(model, optimizer, tmp_path / "t.jsonl") as rec:
        for _ in range(2):
            with rec.step(x, y):
                train_step(model, optimizer, x, y)
            scheduler.step()
    assert vars(optimizer)["step"] is scheduler_step
    _, steps = read_trace(tmp_path / "t.jsonl")
    assert [s["optimizer"]["paramGroups"][0]["lr"] for s in steps] == [0.1, 0.05]


def test_bad_arguments_get_one_clear_message(tmp_path):
    model = mlp()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(TypeError, match="model must be a torch.nn.Module"):
        Recorder(lambda x: x, optimizer, tmp_path / "t.jsonl")
    with pytest.raises(TypeError, match="optimizer must be a torch.optim.Optimizer"):
        Recorder(model, None, tmp_path / "t.jsonl")
    with pytest.raises(ValueError, match="every must be a whole number"):
        Recorder(model, optimizer, tmp_path / "t.jsonl", every=0)
    with pytest.raises(ValueError, match='format must be "json" or "binary"'):
        Recorder(model, optimizer, tmp_path / "t.jsonl", format="csv")
    with Recorder(model, optimizer, tmp_path / "t.jsonl") as rec:
        with pytest.raises(TypeError, match="x must be a tensor"):
            with rec.step([1, 2], None):
                pass
        with pytest.raises(RuntimeError, match="cannot nest"):
            with rec.step(torch.zeros(1, 3, dtype=D)):
                with rec.step(torch.zeros(1, 3, dtype=D)):
                    pass
        assert hook_count(model) == 0


def test_a_model_that_needs_more_than_x_gets_no_loss_after_and_a_warning(tmp_path):
    class Masked(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(3, 2)

        def forward(self, x, mask):
            return torch.sigmoid(self.fc(x)) * mask

    model = Masked().to(D)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    x, y = data()
    mask = torch.ones(6, 2, dtype=D)
    with Recorder(model, optimizer, tmp_path / "t.jsonl", loss_fn=mse) as rec:
        with pytest.warns(UserWarning, match=r"step 1: lossAfter not recorded: .*TypeError"):
            with rec.step(x, y):
                optimizer.zero_grad()
                mse(model(x, mask), y).backward()
                optimizer.step()
    _, [step] = read_trace(tmp_path / "t.jsonl")
    assert step["lossAfter"] is None and step["dataLoss"] == step["loss"]
    assert step["layers"][0]["module"] == "fc"


def test_a_loss_fn_that_does_not_fit_output_and_y_is_named(tmp_path):
    model, (x, y) = mlp(), data()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    with Recorder(model, optimizer, tmp_path / "t.jsonl", loss_fn=lambda output: output.sum()) as rec:
        with pytest.raises(TypeError, match=r"step 1: loss_fn\(output, y\) .* raised TypeError"):
            with rec.step(x, y):
                train_step(model, optimizer, x, y)
        assert_untouched(model, optimizer)


def test_a_tuple_x_is_the_model_s_arguments(tmp_path):
    class Pair(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(3, 2)

        def forward(self, left, right):
            return torch.sigmoid(self.fc(left + right))

    model = Pair().to(D)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    left, right, y = torch.randn(4, 3, dtype=D), torch.randn(4, 3, dtype=D), torch.rand(4, 2, dtype=D)
    with Recorder(model, optimizer, tmp_path / "t.jsonl", loss_fn=mse) as rec:
        with rec.step((left, right), y):
            optimizer.zero_grad()
            mse(model(left, right), y).backward()
            optimizer.step()
    _, [step] = read_trace(tmp_path / "t.jsonl")
    with torch.no_grad():
        assert step["lossAfter"] == mse(model(left, right), y).item()
    assert step["batch"] == [0, 1, 2, 3]


def test_close_inside_a_block_removes_the_hooks_at_once(tmp_path):
    model, (x, y) = mlp(), data()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    rec = Recorder(model, optimizer, tmp_path / "t.jsonl")
    with pytest.raises(RuntimeError, match="closed during the step; the step is not written"):
        with rec.step(x, y):
            train_step(model, optimizer, x, y)
            rec.close()
            assert_untouched(model, optimizer)
    header, steps = read_trace(tmp_path / "t.jsonl")
    assert header["version"] == 1 and steps == []


def test_a_second_forward_pass_in_the_block_adds_no_layers(tmp_path):
    model, (x, y) = mlp(), data()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    with Recorder(model, optimizer, tmp_path / "t.jsonl") as rec:
        with rec.step(x, y):
            train_step(model, optimizer, x, y)
            with torch.no_grad():
                model(x)  # e.g. the loop's own evaluation after the update
    _, [step] = read_trace(tmp_path / "t.jsonl")
    assert [(l["kind"], l["module"], l["activationModule"]) for l in step["layers"]] == [
        ("dense", "0", "1"), ("dense", "2", "3")]

"""Modules that are not Linear + activation: recorded as opaque layers (input, output,
∂J/∂output, own parameters), checked against the same computation done by hand; and float32
models recorded in float32."""
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from backprop_stepper import Recorder, read_trace

D = torch.float64


def tensor(values, dtype=D):
    return torch.tensor(values, dtype=dtype)


def close(actual, expected, rtol=1e-12, atol=1e-14):
    torch.testing.assert_close(tensor(actual, expected.dtype), expected, rtol=rtol, atol=atol)


def mse(p, t):
    return ((p - t) ** 2).sum(1).mean()


def record_one_step(model, x, y, path, lr=0.1):
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    with Recorder(model, optimizer, path, loss_fn=mse) as rec:
        with rec.step(x, y):
            optimizer.zero_grad()
            mse(model(x), y).backward()
            optimizer.step()
    return read_trace(path)


def test_conv_relu_flatten_before_a_dense_layer(tmp_path):
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Flatten(), nn.Linear(8, 3), nn.Sigmoid()).to(D)
    x, y = torch.randn(4, 1, 4, 4, dtype=D), torch.rand(4, 3, dtype=D)
    conv, linear = model[0], model[3]
    # The same step by hand on copies of the parameters.
    kernel = conv.weight.detach().clone().requires_grad_()
    shift = conv.bias.detach().clone().requires_grad_()
    w, b = linear.weight.detach().clone(), linear.bias.detach().clone()
    feature = F.conv2d(x, kernel, shift)
    rectified = torch.relu(feature)
    flat = rectified.reshape(4, 8)
    loss = mse(torch.sigmoid(flat @ w.T + b), y)
    grad_feature, grad_rectified, grad_flat, grad_kernel, grad_shift = torch.autograd.grad(
        loss, [feature, rectified, flat, kernel, shift])

    _, [step] = record_one_step(model, x, y, tmp_path / "t.jsonl")

    kinds = [(l["kind"], l.get("type"), l["module"]) for l in step["layers"]]
    assert kinds == [("opaque", "Conv2d", "0"), ("opaque", "ReLU", "1"), ("opaque", "Flatten", "2"), ("dense", None, "3")]
    c, r, f, d = step["layers"]
    close(c["input"], x)
    close(c["output"], feature.detach())
    close(c["gradOutput"], grad_feature)
    close(r["output"], rectified.detach())
    close(r["gradOutput"], grad_rectified)
    assert r["parameters"] == {} and f["parameters"] == {}
    close(f["gradOutput"], grad_flat)
    close(d["input"], flat.detach())
    assert set(c["parameters"]) == {"weight", "bias"}
    for name, before, grad in [("weight", kernel, grad_kernel), ("bias", shift, grad_shift)]:
        entry = c["parameters"][name]
        close(entry["before"], before.detach())
        close(entry["grad"], grad)
        close(entry["update"], -0.1 * grad)
        close(entry["after"], getattr(conv, name).detach(), rtol=0, atol=0)
    state_names = step["optimizer"]["paramGroups"][0]["params"]
    assert state_names == ["layers[0].weight", "layers[0].bias", "layers[3].weights", "layers[3].bias"]


def test_dropout_and_batchnorm_are_opaque_with_their_own_numbers(tmp_path):
    model = nn.Sequential(nn.Linear(3, 5), nn.BatchNorm1d(5), nn.Tanh(), nn.Dropout(0.5), nn.Linear(5, 2), nn.Sigmoid()).to(D)
    x, y = torch.randn(6, 3, dtype=D), torch.rand(6, 2, dtype=D)
    _, [step] = record_one_step(model, x, y, tmp_path / "t.bptrace")
    first, norm, tanh, dropout, last = step["layers"]
    assert (first["kind"], first["activation"]) == ("dense", "identity")  # BatchNorm sits between Linear and Tanh
    assert (norm["type"], tanh["type"], dropout["type"]) == ("BatchNorm1d", "Tanh", "Dropout")
    z = tensor(first["z"])
    expected = (z - z.mean(0)) / torch.sqrt(z.var(0, unbiased=False) + 1e-5)  # gamma = 1, beta = 0 at the start
    close(norm["output"], expected, rtol=1e-10)
    # Dropout keeps each value scaled by 1/(1 − p) or zeroes it.
    inputs, outputs = tensor(dropout["input"]), tensor(dropout["output"])
    kept = outputs != 0
    close(outputs[kept].tolist(), 2 * inputs[kept])
    # ∂J/∂(dropout output) is what the next dense layer's input receives: deltaᵀ… i.e. delta·W.
    close(dropout["gradOutput"], tensor(last["delta"]) @ tensor(last["weights"]))
    assert tensor(last["input"]).equal(outputs)


def test_custom_module_with_its_own_parameter(tmp_path):
    class Scale(nn.Module):
        def __init__(self):
            super().__init__()
            self.gain = nn.Parameter(torch.tensor([1.5, -0.5], dtype=D))

        def forward(self, v):
            return v * self.gain

    model = nn.Sequential(nn.Linear(3, 2), Scale(), nn.Sigmoid()).to(D)
    x, y = torch.randn(4, 3, dtype=D), torch.rand(4, 2, dtype=D)
    _, [step] = record_one_step(model, x, y, tmp_path / "t.jsonl")
    _dense, scale, sigmoid = step["layers"]
    assert (scale["kind"], scale["type"], sigmoid["kind"]) == ("opaque", "Scale", "opaque")
    # ∂J/∂gain = Σ_samples input ⊙ ∂J/∂output.
    close(scale["parameters"]["gain"]["grad"], (tensor(scale["input"]) * tensor(scale["gradOutput"])).sum(0))
    assert "layers[1].gain" in step["optimizer"]["paramGroups"][0]["params"]


@pytest.mark.parametrize("suffix", ["jsonl", "bptrace"])
def test_float32_model_is_recorded_in_float32(suffix, tmp_path):
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2), nn.Sigmoid())
    x, y = torch.randn(5, 3), torch.rand(5, 2)
    w = model[0].weight.detach().clone()
    b = model[0].bias.detach().clone()
    header, [step] = record_one_step(model, x, y, tmp_path / f"t.{suffix}")
    assert header["dtype"] == "float32"
    assert {layer["dtype"] for layer in step["layers"]} == {"float32"}
    layer = step["layers"][0]
    for field in ("input", "z", "a", "localGrad", "delta", "weights", "gradWeights", "weightsAfter"):
        values = tensor(layer[field])
        assert torch.equal(values, values.float().double()), f"{field} holds values float32 cannot represent"
    close(layer["z"], x @ w.T + b, rtol=1e-6, atol=1e-6)
    close(layer["weightsAfter"], model[0].weight.detach(), rtol=0, atol=0)


def test_loss_after_reuses_the_steps_dropout_mask(tmp_path):
    model = nn.Sequential(nn.Linear(3, 6), nn.Dropout(0.5), nn.Linear(6, 2), nn.Sigmoid()).to(D)
    x, y = torch.randn(5, 3, dtype=D), torch.rand(5, 2, dtype=D)
    _, [step] = record_one_step(model, x, y, tmp_path / "t.jsonl")
    first, dropout, last = step["layers"]
    mask = (tensor(dropout["output"]) != 0).to(D) * 2  # kept values are scaled by 1/(1 − p)
    hidden = (x @ tensor(first["weightsAfter"]).T + tensor(first["biasAfter"])) * mask
    expected = mse(torch.sigmoid(hidden @ tensor(last["weightsAfter"]).T + tensor(last["biasAfter"])), y)
    close(step["lossAfter"], expected)

"""Dense layers (nn.Linear + activation module): every recorded field against an independent
PyTorch computation of the same step (manual forward on copies of the weights, autograd for the
gradients, closed forms for the optimizer)."""
import copy

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from backprop_stepper import Recorder, read_trace

D = torch.float64


def tensor(values):
    return values.to(D) if isinstance(values, torch.Tensor) else torch.tensor(values, dtype=D)


def close(actual, expected, rtol=1e-12, atol=1e-14):
    torch.testing.assert_close(tensor(actual), expected.to(D), rtol=rtol, atol=atol)


def cross_entropy(p, t):
    return -(t * torch.log(p)).sum(1).mean()


# (module in the model, the same function written independently, engine name)
ACTIVATIONS = {
    "none": (None, lambda z: z, "identity"),
    "identity": (nn.Identity, lambda z: z, "identity"),
    "sigmoid": (nn.Sigmoid, torch.sigmoid, "sigmoid"),
    "tanh": (nn.Tanh, torch.tanh, "tanh"),
    "relu": (nn.ReLU, torch.relu, "relu"),
    "leaky-relu": (lambda: nn.LeakyReLU(0.2), lambda z: F.leaky_relu(z, 0.2), "leaky-relu"),
    "softmax": (lambda: nn.Softmax(dim=1), lambda z: torch.softmax(z, 1), "softmax"),
}


def build(activation):
    module, _, _ = ACTIVATIONS[activation]
    hidden = [nn.Linear(3, 4)] + ([module()] if module else [])
    model = nn.Sequential(*hidden, nn.Linear(4, 3), nn.Softmax(dim=1)).to(D)
    with torch.no_grad():
        model[0].bias[0] = 0.0  # with the zero input row below, z[0][0] is exactly 0: the kink
    return model


def batch():
    x = torch.randn(5, 3, dtype=D)
    x[0] = 0.0
    y = torch.eye(3, dtype=D)[torch.tensor([0, 2, 1, 1, 0])]
    return x, y


def reference(model, x, y, function):
    """The step computed by hand on copies of the parameters: z = x·Wᵀ + b, a = f(z), autograd for ∂J."""
    linears = [m for m in model if isinstance(m, nn.Linear)]
    params = [(l.weight.detach().clone().requires_grad_(), l.bias.detach().clone().requires_grad_()) for l in linears]
    functions = [function, lambda z: torch.softmax(z, 1)]
    layers, h = [], x
    for (w, b), f in zip(params, functions):
        z = h @ w.T + b
        a = f(z)
        layers.append({"input": h, "z": z, "a": a, "w": w, "b": b})
        h = a
    loss = cross_entropy(h, y)
    wanted = [t for layer in layers for t in (layer["z"], layer["a"], layer["w"], layer["b"])]
    grads = iter(torch.autograd.grad(loss, wanted))
    for layer in layers:
        layer["delta"], layer["upstream"], layer["gradW"], layer["gradB"] = next(grads), next(grads), next(grads), next(grads)
    return loss, layers


def record(model, optimizer, path, x, y, steps=1):
    rec = Recorder(model, optimizer, path, loss_fn=cross_entropy)
    for _ in range(steps):
        with rec.step(x, y):
            optimizer.zero_grad()
            loss = cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
    rec.close()
    return read_trace(path)


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_dense_fields_equal_an_independent_computation(activation, tmp_path):
    model = build(activation)
    _, function, name = ACTIVATIONS[activation]
    x, y = batch()
    before = copy.deepcopy(model)
    expected_loss, expected = reference(before, x, y, function)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

    _, [step] = record(model, optimizer, tmp_path / "t.jsonl", x, y)

    assert [l["activation"] for l in step["layers"]] == [name, "softmax"]
    assert [l["kind"] for l in step["layers"]] == ["dense", "dense"]
    assert step["layers"][0]["activationModule"] == (None if activation == "none" else "1")
    close(step["loss"], expected_loss.detach())
    assert step["dataLoss"] == step["loss"] and step["regLoss"] == 0.0
    with torch.no_grad():
        close(step["lossAfter"], cross_entropy(model(x), y))
    after = [m for m in model if isinstance(m, nn.Linear)]
    for layer, ref, linear in zip(step["layers"], expected, after):
        assert layer["units"] == linear.out_features and layer["dtype"] == "float64"
        for field, key in [("input", "input"), ("z", "z"), ("a", "a"), ("upstream", "upstream"), ("delta", "delta"),
                           ("weights", "w"), ("bias", "b"), ("gradWeights", "gradW"), ("gradBias", "gradB")]:
            close(layer[field], ref[key].detach())
        # The optimizer really left these weights; SGD's update is −lr·∂J/∂W.
        close(layer["weightsAfter"], linear.weight.detach(), rtol=0, atol=0)
        close(layer["biasAfter"], linear.bias.detach(), rtol=0, atol=0)
        close(layer["update"]["weights"], -0.1 * ref["gradW"])
        close(layer["update"]["bias"], -0.1 * ref["gradB"])


@pytest.mark.parametrize("activation", [a for a in ACTIVATIONS if a != "softmax"])
def test_local_gradient_is_the_derivative_autograd_takes(activation, tmp_path):
    model = build(activation)
    _, function, name = ACTIVATIONS[activation]
    x, y = batch()
    _, [step] = record(model, torch.optim.SGD(model.parameters(), lr=0.1), tmp_path / "t.jsonl", x, y)
    layer = step["layers"][0]
    z = tensor(layer["z"]).requires_grad_()
    (derivative,) = torch.autograd.grad(function(z).sum(), z)  # element-wise f: ∂Σf/∂z = f′(z)
    close(layer["localGrad"], derivative)
    if name in ("relu", "leaky-relu"):
        assert layer["z"][0][0] == 0.0
        assert layer["localGrad"][0][0] == (0.0 if name == "relu" else 0.2)
        assert layer["slope"] == 0.2 if name == "leaky-relu" else "slope" not in layer
    # The chain rule the inspector shows: delta = upstream ⊙ f′(z).
    close(layer["delta"], tensor(layer["upstream"]) * tensor(layer["localGrad"]))


def test_softmax_jacobian_closed_form_and_chain_rule(tmp_path):
    model = build("tanh")
    x, y = batch()
    _, [step] = record(model, torch.optim.SGD(model.parameters(), lr=0.1), tmp_path / "t.jsonl", x, y)
    out = step["layers"][1]
    jacobians = tensor(out["localGrad"])
    assert jacobians.shape == (5, 3, 3)
    for i, z in enumerate(tensor(out["z"])):
        expected = torch.autograd.functional.jacobian(lambda v: torch.softmax(v, 0), z)
        close(jacobians[i], expected)
    # delta_i = J_iᵀ · upstream_i, and for softmax + cross-entropy delta = (p − t)/N.
    close(out["delta"], torch.einsum("nij,ni->nj", jacobians, tensor(out["upstream"])))
    close(out["delta"], (tensor(out["a"]) - y) / 5)


def test_weight_gradient_is_delta_transposed_times_input(tmp_path):
    model = build("relu")
    x, y = batch()
    _, [step] = record(model, torch.optim.SGD(model.parameters(), lr=0.1), tmp_path / "t.jsonl", x, y)
    for layer in step["layers"]:
        delta = tensor(layer["delta"])
        close(layer["gradWeights"], delta.T @ tensor(layer["input"]))
        close(layer["gradBias"], delta.sum(0))


def test_sgd_momentum_state_and_update_follow_torch_rule(tmp_path):
    model = build("sigmoid")
    x, y = batch()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    _, steps = record(model, optimizer, tmp_path / "t.jsonl", x, y, steps=2)
    g1 = tensor(steps[0]["layers"][0]["gradWeights"])
    g2 = tensor(steps[1]["layers"][0]["gradWeights"])
    buffer = 0.9 * g1 + g2  # b₁ = g₁ (first step), b₂ = momentum·b₁ + g₂
    state = steps[1]["optimizer"]["state"]["layers[0].weights"]
    close(state["momentum_buffer"], buffer)
    close(steps[1]["layers"][0]["update"]["weights"], -0.05 * buffer)
    assert steps[1]["optimizer"]["type"] == "sgd"
    assert steps[1]["optimizer"]["torchClass"].endswith(".SGD")
    [group] = steps[1]["optimizer"]["paramGroups"]
    assert group["lr"] == 0.05 and group["momentum"] == 0.9
    assert group["params"] == ["layers[0].weights", "layers[0].bias", "layers[1].weights", "layers[1].bias"]
    # Step 2 starts from step 1's weights.
    assert steps[1]["layers"][0]["weights"] == steps[0]["layers"][0]["weightsAfter"]


def test_adam_state_follows_the_closed_form(tmp_path):
    model = build("tanh")
    x, y = batch()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01, betas=(0.8, 0.9))
    _, [step] = record(model, optimizer, tmp_path / "t.jsonl", x, y)
    layer = step["layers"][1]
    g = tensor(layer["gradBias"])
    state = step["optimizer"]["state"]["layers[1].bias"]
    assert state["step"] == 1
    close(state["exp_avg"], 0.2 * g)
    close(state["exp_avg_sq"], 0.1 * g * g)
    # First Adam step: m̂ = g, v̂ = g², so θ moves by −lr·g/(|g| + eps).
    close(layer["update"]["bias"], -0.01 * g / (g.abs() + 1e-8), rtol=1e-9)


def test_loss_the_user_adds_to_is_split_into_data_and_regularization(tmp_path):
    model = build("tanh")
    x, y = batch()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    penalty = 0.01 * (model[0].weight.detach() ** 2).sum().item()
    rec = Recorder(model, optimizer, tmp_path / "t.jsonl", loss_fn=cross_entropy)
    with rec.step(x, y):
        optimizer.zero_grad()
        loss = cross_entropy(model(x), y) + 0.01 * (model[0].weight ** 2).sum()
        loss.backward()
        optimizer.step()
    rec.close()
    _, [step] = read_trace(tmp_path / "t.jsonl")
    assert step["loss"] == loss.item()
    close(step["regLoss"], tensor(penalty))
    close(step["dataLoss"] + step["regLoss"], tensor(step["loss"]), rtol=1e-15, atol=0)


def test_without_loss_fn_the_loss_is_what_backward_started_from(tmp_path):
    model = build("relu")
    x, y = batch()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    rec = Recorder(model, optimizer, tmp_path / "t.jsonl")
    with rec.step(x, y):
        optimizer.zero_grad()
        loss = cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
    rec.close()
    _, [step] = read_trace(tmp_path / "t.jsonl")
    assert step["loss"] == step["dataLoss"] == loss.item()
    assert step["regLoss"] == 0.0 and step["lossAfter"] is None


def test_in_place_relu_is_recorded_with_separate_upstream_and_delta(tmp_path):
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(inplace=True), nn.Linear(4, 3), nn.Softmax(dim=1)).to(D)
    x, y = batch()
    _, expected = reference(copy.deepcopy(model), x, y, torch.relu)
    _, [step] = record(model, torch.optim.SGD(model.parameters(), lr=0.1), tmp_path / "t.jsonl", x, y)
    layer = step["layers"][0]
    close(layer["upstream"], expected[0]["upstream"])
    close(layer["delta"], expected[0]["delta"])
    close(layer["z"], expected[0]["z"].detach())
    assert model[1].inplace is True


def test_two_backward_passes_in_one_step_add_up_like_grad_does(tmp_path):
    model = build("tanh")
    x, y = batch()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    twin = copy.deepcopy(model)
    _, [single] = record(twin, torch.optim.SGD(twin.parameters(), lr=0.1), tmp_path / "one.jsonl", x, y)
    rec = Recorder(model, optimizer, tmp_path / "t.jsonl", loss_fn=cross_entropy)
    with rec.step(x, y):
        optimizer.zero_grad()
        loss = cross_entropy(model(x), y)
        loss.backward(retain_graph=True)
        loss.backward()  # gradients accumulate: the step descends 2·J
        optimizer.step()
    rec.close()
    _, [double] = read_trace(tmp_path / "t.jsonl")
    assert double["loss"] == 2 * single["loss"]
    for one, two in zip(single["layers"], double["layers"]):
        for field in ("upstream", "delta", "gradWeights", "gradBias"):
            close(two[field], 2 * tensor(one[field]))
        close(two["gradWeights"], tensor(two["delta"]).T @ tensor(two["input"]))


def test_reg_fn_gives_the_regularization_before_and_after_the_update(tmp_path):
    model = build("tanh")
    x, y = batch()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

    def l2():
        return 0.01 * sum((m.weight ** 2).sum() for m in model if isinstance(m, nn.Linear))

    weights_before = [m.weight.detach().clone() for m in model if isinstance(m, nn.Linear)]
    rec = Recorder(model, optimizer, tmp_path / "t.jsonl", loss_fn=cross_entropy, reg_fn=l2)
    with rec.step(x, y):
        optimizer.zero_grad()
        loss = cross_entropy(model(x), y) + l2()
        loss.backward()
        optimizer.step()
    rec.close()
    _, [step] = read_trace(tmp_path / "t.jsonl")
    close(step["regLoss"], 0.01 * sum((w ** 2).sum() for w in weights_before), rtol=1e-15, atol=0)
    close(step["dataLoss"] + step["regLoss"], tensor(loss.item()), rtol=1e-15, atol=0)
    with torch.no_grad():
        close(step["lossAfter"], cross_entropy(model(x), y) + l2(), rtol=1e-15, atol=0)
    # The penalty's gradient is in gradWeights (data part + regularization part, DESIGN.md §3).
    layer = step["layers"][0]
    close(layer["gradWeights"], tensor(layer["delta"]).T @ tensor(layer["input"]) + 0.02 * weights_before[0])


def test_lbfgs_closure_gives_the_gradients_at_the_starting_weights(tmp_path):
    model = build("tanh")
    x, y = batch()
    optimizer = torch.optim.LBFGS(model.parameters(), lr=0.5, max_iter=4)
    _, expected = reference(copy.deepcopy(model), x, y, torch.tanh)
    with Recorder(model, optimizer, tmp_path / "t.jsonl", loss_fn=cross_entropy) as rec:
        with rec.step(x, y):
            def closure():
                optimizer.zero_grad()
                loss = cross_entropy(model(x), y)
                loss.backward()
                return loss
            optimizer.step(closure)
    _, [step] = read_trace(tmp_path / "t.jsonl")
    assert step["optimizer"]["type"] == "lbfgs"
    for layer, ref, linear in zip(step["layers"], expected, [model[0], model[2]]):
        close(layer["gradWeights"], ref["gradW"])
        close(layer["delta"], ref["delta"])
        close(layer["weightsAfter"], linear.weight.detach(), rtol=0, atol=0)
        close(layer["update"]["weights"], linear.weight.detach() - ref["w"].detach())
    assert step["optimizer"]["state"]["layers[0].weights"]["func_evals"] > 1


def test_one_activation_module_reused_after_several_linears(tmp_path):
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1, self.fc2, self.out = nn.Linear(3, 4), nn.Linear(4, 4), nn.Linear(4, 3)
            self.act, self.softmax = nn.Tanh(), nn.Softmax(dim=1)

        def forward(self, v):
            return self.softmax(self.out(self.act(self.fc2(self.act(self.fc1(v))))))

    model = Net().to(D)
    x, y = batch()
    _, [step] = record(model, torch.optim.SGD(model.parameters(), lr=0.1), tmp_path / "t.jsonl", x, y)
    assert [(l["module"], l["activation"], l["activationModule"]) for l in step["layers"]] == [
        ("fc1", "tanh", "act"), ("fc2", "tanh", "act"), ("out", "softmax", "softmax")]
    second = step["layers"][1]
    close(second["input"], torch.tanh(tensor(step["layers"][0]["z"])))
    close(second["a"], torch.tanh(tensor(second["z"])))
    close(second["delta"], tensor(second["upstream"]) * (1 - tensor(second["a"]) ** 2))

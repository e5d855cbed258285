"""Recorder: turns an unchanged PyTorch training loop into StepTrace records (docs/trace-format.md).

Hooks live only inside a recorded `with rec.step(x, y):` block: they are attached on entry and
removed on exit, also when the block raises, so between steps, on steps that are not recorded
and after close() the model, the optimizer and torch.autograd are exactly as the user made them.

Inside a recorded block:
- forward hooks on the recorded modules copy what goes in and out, and the parameters the
  forward used; tensor hooks on their outputs copy ∂J/∂output when backward reaches them;
- torch.autograd.backward is wrapped to read J (the scalar backward is called on);
- optimizer.step is wrapped (torch 1.13 has no optimizer step hooks) to copy the gradients it
  is given, the parameters it leaves and its state;
- live or under data parallelism, hooks on the parameters copy the gradient each backward pass
  computes before it reaches .grad (and DDP's all-reduce): the rank's local gradient.

Live (docs/live-protocol.md), the same hooks are the operation boundaries where the editor may
pause the script: a layer's forward when it is whole (its activation module ran, or the next
module starts), the loss when backward() is called, a layer's backward when its parameters'
gradients have arrived, the update when optimizer.step returns.
"""
import contextlib
import os
import warnings
from typing import Any, Dict, Iterable, List, Optional, Tuple, Union

import torch
from torch import nn

from . import __version__
from .activations import Activation, activation_of, local_gradient
from .live import LiveSession, live_requested
from .trace_io import FORMAT, FORMAT_VERSION, open_writer


class _Buffers:
    """CPU copies that later in-place changes (optimizer steps, in-place ops) cannot touch, made
    into last recorded step's memory under the same key: a step is written before the next one
    starts, and fresh megabytes every step cost more in page faults than the copying itself."""

    def __init__(self):
        self._kept: Dict[Any, torch.Tensor] = {}

    def _buffer(self, key: Any, like: torch.Tensor) -> torch.Tensor:
        kept = self._kept.get(key)
        if kept is None or kept.shape != like.shape or kept.dtype != like.dtype:
            kept = self._kept[key] = torch.empty(like.shape, dtype=like.dtype)
        return kept

    def copy(self, key: Any, tensor: torch.Tensor) -> torch.Tensor:
        source = tensor.detach()
        return self._buffer(key, source).copy_(source)

    def difference(self, key: Any, after: Optional[torch.Tensor], before: Optional[torch.Tensor]) -> Optional[torch.Tensor]:
        if after is None or before is None:
            return None
        return torch.sub(after, before, out=self._buffer(key, after))

    def clear(self) -> None:
        self._kept.clear()


def _dtype_name(dtype: torch.dtype) -> str:
    return str(dtype)[len("torch."):]


def _first_tensor(values: Any) -> Optional[torch.Tensor]:
    if isinstance(values, torch.Tensor):
        return values
    if isinstance(values, (tuple, list)):
        return next((v for v in values if isinstance(v, torch.Tensor)), None)
    return None


def _plain(value: Any) -> Any:
    """A hyperparameter as JSON-ready data (tuples → lists, tensors → numbers or lists, others → repr)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, torch.Tensor):
        return value.item() if value.dim() == 0 else value.tolist()
    return repr(value)


class _Gradient:
    """The gradient autograd computes for a tensor (∂J/∂(a module's output), or a parameter's own
    contribution before it is added to .grad), summed over the backward passes that reach it."""

    def __init__(self, capture: "_StepCapture", key: Any, tensor: torch.Tensor, on_arrival: Any = None):
        self.value: Optional[torch.Tensor] = None
        self._buffers, self._key, self._on_arrival = capture.buffers, key, on_arrival
        if tensor.requires_grad:
            capture.handles.append(tensor.register_hook(self._add))

    def _add(self, grad: torch.Tensor) -> None:
        if self.value is None:
            self.value = self._buffers.copy(self._key, grad)
        else:
            self.value += grad.detach().to(self.value.device)
        if self._on_arrival is not None:
            self._on_arrival()


class _Parameters:
    """Each recorded parameter's value in the forward, the gradient this process's backward
    computed for it (local: before .grad and any all-reduce), the gradient optimizer.step was
    given, and its value after optimizer.step."""

    def __init__(self, capture: "_StepCapture", distributed: bool, watch: bool):
        self.buffers = capture.buffers
        self.distributed = distributed
        self.watch = watch  # local gradients are needed: live pauses, or data parallelism
        self.before: Dict[torch.Tensor, torch.Tensor] = {}
        self.local: Dict[torch.Tensor, torch.Tensor] = {}
        self.grad: Dict[torch.Tensor, Optional[torch.Tensor]] = {}
        self.after: Dict[torch.Tensor, torch.Tensor] = {}

    def remember(self, capture: "_StepCapture", module: nn.Module, on_backward: Any) -> bool:
        """Copies the module's own parameters (those no earlier layer owns) and, when local
        gradients are needed, watches them: a hook on the parameter sees the gradient of each
        backward pass before it is added to .grad (and before DDP's reducer all-reduces it);
        on_backward() runs each time all of them have theirs. False when nothing is watched
        (then nothing calls on_backward)."""
        owned = [p for p in module.parameters(recurse=False) if p not in self.before]
        for p in owned:
            self.before[p] = self.buffers.copy((p, "before"), p)
        watched = [p for p in owned if p.requires_grad] if self.watch else []
        arrived: set = set()

        def hook(p: torch.Tensor, grad: torch.Tensor) -> None:
            if not capture.counting_backward:  # a later evaluation of an optimizer's closure
                return
            local = self.local.get(p)
            self.local[p] = self.buffers.copy((p, "local"), grad) if local is None else local.add_(grad.detach())
            arrived.add(p)
            if len(arrived) == len(watched):
                arrived.clear()
                on_backward()

        for p in watched:
            capture.handles.append(p.register_hook(lambda grad, p=p: hook(p, grad)))
        return bool(watched)

    def local_grad(self, p: Optional[torch.Tensor]) -> Optional[torch.Tensor]:
        return self.local.get(p)

    def take_gradients(self) -> None:
        for p in self.before:
            self.grad[p] = None if p.grad is None else self.buffers.copy((p, "grad"), p.grad)

    def take_values_after(self) -> None:
        for p in self.before:
            self.after[p] = self.buffers.copy((p, "after"), p)

    def fields(self, p: Optional[torch.Tensor]) -> Tuple[Any, Any, Any, Any]:
        """before, grad, update (after − before), after; None where unknown. Before optimizer.step
        the grad of one process is its local gradient (all there is yet); under data parallelism
        the reduced gradient is not known until then."""
        if p is None:
            return None, None, None, None
        before, after = self.before.get(p), self.after.get(p)
        grad = self.grad[p] if p in self.grad else (None if self.distributed else self.local_grad(p))
        return before, grad, self.buffers.difference((p, "update"), after, before), after


class _DenseLayer:
    """nn.Linear and the element-wise activation module its output goes into (if any)."""

    def __init__(self, capture: "_StepCapture", index: int, name: str, linear: nn.Linear, x: torch.Tensor, z: torch.Tensor):
        self.index, self.name, self.linear = index, name, linear
        self.input = capture.buffers.copy((linear, "input"), x)
        self.z = capture.buffers.copy((linear, "z"), z)
        watched = capture.params.remember(capture, linear, lambda: capture.backward_done(self))
        # Without parameters that require grad, this layer's backward is done with ∂J/∂z.
        self.delta = _Gradient(capture, (linear, "delta"), z, None if watched else lambda: capture.backward_done(self))
        self.activation = Activation("identity", None)
        self.activation_name: Optional[str] = None
        self.a: Optional[torch.Tensor] = None
        self.upstream: Optional[_Gradient] = None

    def set_activation(self, capture: "_StepCapture", activation: Activation, name: str, a: torch.Tensor) -> None:
        self.activation, self.activation_name = activation, name
        self.a = capture.buffers.copy((self.linear, "a"), a)
        self.upstream = _Gradient(capture, (self.linear, "upstream"), a)

    def parameter_names(self) -> Dict[torch.Tensor, str]:
        names = {self.linear.weight: f"layers[{self.index}].weights"}
        if self.linear.bias is not None:
            names[self.linear.bias] = f"layers[{self.index}].bias"
        return names

    def record(self, params: _Parameters) -> dict:
        a = self.z if self.a is None else self.a
        weights, grad_weights, update_weights, weights_after = params.fields(self.linear.weight)
        bias, grad_bias, update_bias, bias_after = params.fields(self.linear.bias)
        record = {
            "index": self.index,
            "units": self.linear.out_features,
            "activation": self.activation.name,
            "input": self.input,
            "z": self.z,
            "a": a,
            "localGrad": local_gradient(self.activation, self.z, a),
            "upstream": (self.delta if self.upstream is None else self.upstream).value,
            "delta": self.delta.value,
            "weights": weights,
            "bias": bias,
            "gradWeights": grad_weights,
            "gradBias": grad_bias,
            "update": {"weights": update_weights, "bias": update_bias},
            "weightsAfter": weights_after,
            "biasAfter": bias_after,
            "kind": "dense",
            "module": self.name,
            "activationModule": self.activation_name,
            "dtype": _dtype_name(self.z.dtype),
        }
        if self.activation.slope is not None:
            record["slope"] = self.activation.slope
        if params.distributed:
            record["localGradWeights"] = params.local_grad(self.linear.weight)
            record["localGradBias"] = params.local_grad(self.linear.bias)
        return record


class _OpaqueLayer:
    """Any other module: what went in, what came out, ∂J/∂output and its own parameters."""

    def __init__(self, capture: "_StepCapture", index: int, name: str, module: nn.Module, inputs: Any, output: Any):
        self.index, self.name, self.module = index, name, module
        x, y = _first_tensor(inputs), _first_tensor(output)
        self.input = None if x is None else capture.buffers.copy((module, "input"), x)
        self.output = None if y is None else capture.buffers.copy((module, "output"), y)
        self.own = dict(module.named_parameters(recurse=False))
        watched = capture.params.remember(capture, module, lambda: capture.backward_done(self))
        # Without parameters that require grad, this layer's backward is done with ∂J/∂output.
        on_gradient = None if watched else (lambda: capture.backward_done(self))
        self.grad_output = None if y is None else _Gradient(capture, (module, "gradOutput"), y, on_gradient)

    def parameter_names(self) -> Dict[torch.Tensor, str]:
        return {p: f"layers[{self.index}].{attribute}" for attribute, p in self.own.items()}

    def record(self, params: _Parameters) -> dict:
        parameters = {}
        for attribute, p in self.own.items():
            before, grad, update, after = params.fields(p)
            parameters[attribute] = {"before": before, "grad": grad, "update": update, "after": after}
            if params.distributed:
                parameters[attribute]["localGrad"] = params.local_grad(p)
        dtype = next((t.dtype for t in (self.output, self.input) if t is not None and t.is_floating_point()), None)
        return {
            "index": self.index,
            "kind": "opaque",
            "module": self.name,
            "type": type(self.module).__name__,
            "dtype": None if dtype is None else _dtype_name(dtype),
            "input": self.input,
            "output": self.output,
            "gradOutput": None if self.grad_output is None else self.grad_output.value,
            "parameters": parameters,
        }


class _StepCapture:
    """Everything one recorded step observes, and the hooks that observe it."""

    def __init__(self, recorder: "Recorder", place: dict):
        self.recorder = recorder
        self.place = place  # step, epoch, batch: where the live session's pauses are
        self.buffers = recorder._buffers
        self.layers: List[Union[_DenseLayer, _OpaqueLayer]] = []
        distributed = recorder.world_size > 1
        self.params = _Parameters(self, distributed, watch=distributed or recorder._live is not None)
        self.counting_backward = True  # the backward pass running is one whose gradients are recorded
        self.seen: set = set()
        self.pending: Optional[Tuple[_DenseLayer, torch.Tensor]] = None  # a Linear waiting for its activation
        self.output: Optional[torch.Tensor] = None
        self.losses: List[Optional[float]] = []  # the scalars backward() was called on
        self.in_optimizer = False
        self.stepped = False  # optimizer.step() ran inside the block
        self.finished = False  # detached: wrappers that outlive the block pass straight through
        self.optimizer_state: Optional[Dict[torch.Tensor, dict]] = None
        self.regularization: Optional[float] = None  # reg_fn() with the weights the gradients were taken at
        self.handles: list = []
        self.undo: list = []  # callables that restore what attach() changed, in reverse order
        self.dead_units: Optional[Dict[nn.Linear, List[int]]] = None  # live, with train_inputs: Recorder._dead_units

    # ---- attach / detach

    def attach(self) -> None:
        rec = self.recorder
        for module in rec._hooked:
            if rec._live is not None:
                self.handles.append(module.register_forward_pre_hook(self._on_forward_start))
            self.handles.append(module.register_forward_hook(self._on_forward))
            # An in-place activation would overwrite z, and ∂J/∂z with it: record its
            # out-of-place twin instead (same numbers).
            if getattr(module, "inplace", None) is True:
                module.inplace = False
                self.undo.append(lambda m=module: setattr(m, "inplace", True))
        self.handles.append(rec.model.register_forward_hook(self._on_model_output))
        self._wrap_optimizer_step(rec.optimizer)
        self._wrap_backward()

    def detach(self) -> None:
        self.finished = True
        for handle in self.handles:
            handle.remove()
        self.handles.clear()
        while self.undo:
            self.undo.pop()()

    def _wrap_optimizer_step(self, optimizer: torch.optim.Optimizer) -> None:
        had_own = "step" in vars(optimizer)
        original = optimizer.step

        def step(*args, **kwargs):
            if self.finished or self.stepped or self.in_optimizer:
                return original(*args, **kwargs)
            self.in_optimizer = True
            self.regularization = self.recorder._regularization()
            self.params.take_gradients()
            try:
                result = original(*args, **kwargs)
            finally:
                self.in_optimizer = False
            self.stepped = True
            self.params.take_values_after()
            self.optimizer_state = self._optimizer_state()
            self._boundary("update", None, lambda: {
                "layers": [layer.record(self.params) for layer in self.layers],
                "optimizer": self.optimizer_record(),
            })
            return result

        optimizer.step = step

        def restore():
            # Something (an LR scheduler) may have wrapped our wrapper since: then leave it in
            # place; it passes straight through once this capture is finished.
            if vars(optimizer).get("step") is step:
                if had_own:
                    optimizer.step = original
                else:
                    del optimizer.step

        self.undo.append(restore)

    def _wrap_backward(self) -> None:
        original = torch.autograd.backward

        def backward(tensors, *args, **kwargs):
            # J is what backward starts from; inside optimizer.step (a closure, as L-BFGS calls it)
            # only if none came before: then that first evaluation, at the step's starting weights,
            # also gives the gradients.
            first_in_closure = not self.finished and self.in_optimizer and not self.losses
            self.counting_backward = first_in_closure or not (self.finished or self.in_optimizer)
            if self.counting_backward:
                roots = [tensors] if isinstance(tensors, torch.Tensor) else list(tensors)
                for root in roots:
                    self.losses.append(root.detach().item() if root.numel() == 1 else None)
                self._forward_done_if_pending()
                self._boundary("loss", None, lambda: {"loss": self.loss(), "output": self.output})
            result = original(tensors, *args, **kwargs)
            if first_in_closure:
                self.params.take_gradients()
            return result

        torch.autograd.backward = backward

        def restore():
            if torch.autograd.backward is backward:
                torch.autograd.backward = original

        self.undo.append(restore)

    # ---- hooks

    def _boundary(self, phase: str, layer: Optional[Union["_DenseLayer", "_OpaqueLayer"]], data: Any) -> None:
        """An operation boundary: the live session (if any) may pause the script here."""
        live = self.recorder._live
        if live is None or self.finished:
            return
        place = {**self.place, "phase": phase, "layer": None if layer is None else layer.index,
                 "module": None if layer is None else layer.name}
        live.boundary(place, data)

    def _layer_done(self, phase: str, layer: Union["_DenseLayer", "_OpaqueLayer"]) -> None:
        def data() -> dict:
            known = {"layer": layer.record(self.params)}
            if phase == "forward" and self.dead_units is not None and isinstance(layer, _DenseLayer):
                known["deadUnits"] = self.dead_units.get(layer.linear, [])
            return known

        self._boundary(phase, layer, data)

    def backward_done(self, layer: Union["_DenseLayer", "_OpaqueLayer"]) -> None:
        if self.counting_backward:
            self._layer_done("backward", layer)

    def _forward_done_if_pending(self) -> None:
        """A Linear that no activation module followed is a whole (identity) layer now."""
        if self.pending is not None:
            layer, self.pending = self.pending[0], None
            self._layer_done("forward", layer)

    def _pairs_with_pending(self, module: nn.Module, x: Optional[torch.Tensor]) -> bool:
        return self.pending is not None and x is self.pending[1] and activation_of(module) is not None

    def _on_forward_start(self, module: nn.Module, inputs: Any) -> None:
        if not self._pairs_with_pending(module, _first_tensor(inputs)):
            self._forward_done_if_pending()

    def _on_forward(self, module: nn.Module, inputs: Any, output: Any) -> None:
        rec = self.recorder
        x = _first_tensor(inputs)
        if self._pairs_with_pending(module, x) and isinstance(output, torch.Tensor):
            # Activations hold no state: one module reused after several Linears pairs with each.
            layer, self.pending = self.pending[0], None
            layer.set_activation(self, activation_of(module), rec._names[module], output)
            self.seen.add(module)
            self._layer_done("forward", layer)
            return
        self._forward_done_if_pending()
        if module in self.seen:  # a module called again in the same step: its first call is recorded
            return
        self.seen.add(module)
        if module not in rec._selected:
            return
        name = rec._names[module]
        if isinstance(module, nn.Linear) and x is not None and x.dim() == 2 and isinstance(output, torch.Tensor):
            layer = _DenseLayer(self, len(self.layers), name, module, x, output)
            self.layers.append(layer)
            self.pending = (layer, output)
            return
        opaque = _OpaqueLayer(self, len(self.layers), name, module, inputs, output)
        self.layers.append(opaque)
        self._layer_done("forward", opaque)

    def _on_model_output(self, _module: nn.Module, _inputs: Any, output: Any) -> None:
        self._forward_done_if_pending()
        if self.output is None and isinstance(output, torch.Tensor):
            self.output = output.detach().clone()

    # ---- the record

    def _optimizer_state(self) -> Dict[torch.Tensor, dict]:
        state = self.recorder.optimizer.state
        return {
            p: {key: self.buffers.copy((p, "state", key), v) if isinstance(v, torch.Tensor) else v for key, v in state[p].items()}
            for group in self.recorder.optimizer.param_groups
            for p in group["params"]
            if p in state
        }

    def loss(self) -> Optional[float]:
        if not self.losses or None in self.losses:
            return None
        return float(sum(self.losses))

    def layer_records(self) -> List[dict]:
        if not self.stepped:  # optimizer.step() was not called in the block: gradients as they are now
            self.params.take_gradients()
        return [layer.record(self.params) for layer in self.layers]

    def optimizer_record(self) -> dict:
        rec = self.recorder
        optimizer = rec.optimizer
        names: Dict[torch.Tensor, str] = {}
        for layer in self.layers:
            names.update(layer.parameter_names())
        for name, p in rec.network.named_parameters():
            names.setdefault(p, name)
        everything = [p for group in optimizer.param_groups for p in group["params"]]
        name_of = {p: names.get(p, f"params[{i}]") for i, p in enumerate(everything)}
        groups = []
        for group in optimizer.param_groups:
            entry = {key: _plain(value) for key, value in group.items() if key != "params"}
            entry["params"] = [name_of[p] for p in group["params"]]
            groups.append(entry)
        state = self.optimizer_state if self.optimizer_state is not None else self._optimizer_state()
        return {
            "type": type(optimizer).__name__.lower(),
            "torchClass": f"{type(optimizer).__module__}.{type(optimizer).__name__}",
            "paramGroups": groups,
            "state": {
                name_of[p]: {
                    key: (v.item() if v.dim() == 0 else v) if isinstance(v, torch.Tensor) else _plain(v)
                    for key, v in entries.items()
                }
                for p, entries in state.items()
            },
        }


def _resolve_modules(model: nn.Module, modules: Optional[Iterable[Union[str, nn.Module]]]) -> set:
    if modules is None:
        # Leaves and modules that own parameters; pure containers are not layers.
        return {
            m for m in model.modules()
            if next(m.children(), None) is None or next(m.parameters(recurse=False), None) is not None
        }
    by_name = dict(model.named_modules())
    inside = set(by_name.values())
    chosen = set()
    for i, item in enumerate(modules):
        if isinstance(item, str):
            if item not in by_name:
                known = ", ".join(repr(n) for n in by_name)
                raise ValueError(f"Recorder: modules[{i}]: the model has no module named {item!r}; its modules are {known}")
            chosen.add(by_name[item])
        elif isinstance(item, nn.Module) and item in inside:
            chosen.add(item)
        else:
            raise ValueError(f"Recorder: modules[{i}]: {item!r} is not a module of the model (give a module or its name)")
    return chosen


def _distributed() -> Tuple[int, int]:
    """(rank, world size) of torch.distributed's default group, (0, 1) without one."""
    import torch.distributed as dist

    if dist.is_available() and dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return 0, 1


def rank_path(path: str, rank: int, world_size: int) -> str:
    """The trace file of one rank: "{rank}" in the path is replaced by the rank; without it, with
    more than one rank, ".rank<r>" goes before the file name's first dot (run.trace.jsonl →
    run.rank1.trace.jsonl), so ranks never write one file."""
    path = str(path)
    if "{rank}" in path:
        return path.replace("{rank}", str(rank))
    if world_size == 1:
        return path
    folder, name = os.path.split(path)
    stem, dot, rest = name.partition(".")
    return os.path.join(folder, f"{stem}.rank{rank}{dot}{rest}")


def _role(module: nn.Module) -> str:
    if isinstance(module, nn.Linear):
        return "dense"
    return "activation" if activation_of(module) is not None else "opaque"


class Recorder:
    """Records every `every`-th training step of `model` and `optimizer` to a trace file, and in
    live mode lets the editor step through them (docs/live-protocol.md).

    ```
    rec = Recorder(model, optimizer, "run.trace.jsonl", loss_fn=loss_fn)
    for x, y in loader:
        with rec.step(x, y):
            optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            optimizer.step()
    rec.close()
    ```
    path: "*.bptrace" is written in the binary encoding, anything else as JSON Lines, unless
    format="json" or "binary". loss_fn(output, y): gives dataLoss/regLoss and lossAfter.
    reg_fn(): the regularization term the loop adds to the loss (from the model's weights), if
    any: gives regLoss exactly and puts it into lossAfter.
    modules: the modules (or their names in model.named_modules()) to record; default all
    leaf modules and modules that own parameters. A chosen Linear brings its activation along.
    live: None (default) is live exactly when the editor started the script (it sets
    BACKPROP_STEPPER_SOCKET); then every operation boundary may pause the script. path may be
    None in live mode (the steps go to the editor only).
    train_inputs: the whole training split's inputs (what the model is called with, batch first).
    Live, the editor's dead-ReLU filter needs them: at the start of every recorded step the
    recorder runs the model's layers on them with the current weights (no_grad; the RNG, the
    buffers and autograd left as they were) and sends, with each dense layer's forward pause, the
    units whose z ≤ 0 on every one of them. Costs one forward pass over them per recorded step.
    Under torch.distributed each rank records its own shard (model may be the
    DistributedDataParallel wrapper or the module inside) into rank_path(path, rank, world size).
    """

    def __init__(
        self,
        model: nn.Module,
        optimizer: torch.optim.Optimizer,
        path: Optional[str] = None,
        loss_fn: Any = None,
        every: int = 1,
        modules: Optional[Iterable[Union[str, nn.Module]]] = None,
        format: Optional[str] = None,
        reg_fn: Any = None,
        live: Optional[bool] = None,
        train_inputs: Any = None,
    ):
        if not isinstance(model, nn.Module):
            raise TypeError(f"Recorder: model must be a torch.nn.Module, got {type(model).__name__}")
        if not isinstance(optimizer, torch.optim.Optimizer):
            raise TypeError(f"Recorder: optimizer must be a torch.optim.Optimizer, got {type(optimizer).__name__}")
        if loss_fn is not None and not callable(loss_fn):
            raise TypeError(f"Recorder: loss_fn must be callable as loss_fn(output, y), got {type(loss_fn).__name__}")
        if reg_fn is not None and not callable(reg_fn):
            raise TypeError(f"Recorder: reg_fn must be callable without arguments, got {type(reg_fn).__name__}")
        if isinstance(every, bool) or not isinstance(every, int) or every < 1:
            raise ValueError(f"Recorder: every must be a whole number ≥ 1, got {every!r}")
        if train_inputs is not None:
            first = _first_tensor(train_inputs)
            if first is None or first.dim() == 0 or first.shape[0] == 0:
                raise TypeError(f"Recorder: train_inputs must be a tensor (or a tuple of tensors) with the training samples first, got {type(train_inputs).__name__}")
        self.train_inputs = train_inputs
        is_live = live_requested(live)
        if path is None and not is_live:
            raise ValueError("Recorder: give the trace file's path (only a live session, started by the editor, needs none)")
        self.model, self.optimizer, self.loss_fn, self.reg_fn, self.every = model, optimizer, loss_fn, reg_fn, every
        # Under DistributedDataParallel the layers are the wrapped module's, named as in one process.
        self.network = model.module if isinstance(model, nn.parallel.DistributedDataParallel) else model
        self.rank, self.world_size = _distributed()
        self._names = {module: name for name, module in self.network.named_modules()}
        self._selected = _resolve_modules(self.network, modules)
        # Activation modules are watched too, so a recorded Linear finds the activation it feeds.
        self._hooked = [m for m in self.network.modules() if m in self._selected or activation_of(m) is not None]
        self.path = None if path is None else rank_path(path, self.rank, self.world_size)
        self._writer, self._file = open_writer(self.path, format) if self.path is not None else (None, None)
        self.steps = 0  # rec.step blocks entered, recorded or not
        self._epoch: Optional[int] = None
        self._samples_in_epoch = 0
        self._capture: Optional[_StepCapture] = None
        self._buffers = _Buffers()
        self.closed = False
        dtype = next((p.dtype for p in model.parameters() if p.is_floating_point()), None)
        producer = {"name": "backprop_stepper", "version": __version__, "torch": torch.__version__}
        dtype_name = None if dtype is None else _dtype_name(dtype)
        if self._writer is not None:
            header = {"format": FORMAT, "version": FORMAT_VERSION, "producer": producer, "dtype": dtype_name, "every": every}
            if self.world_size > 1:
                header.update(rank=self.rank, worldSize=self.world_size)
            self._writer.write_header(header)
        self._live: Optional[LiveSession] = None
        if is_live:
            self._live = LiveSession({
                "producer": producer, "dtype": dtype_name, "rank": self.rank, "worldSize": self.world_size,
                "trainSamples": None if train_inputs is None else int(_first_tensor(train_inputs).shape[0]),
                "model": {"type": type(self.network).__name__, "modules": [
                    {"name": self._names[m], "type": type(m).__name__, "role": _role(m),
                     "parameters": [{"name": n, "shape": list(p.shape)} for n, p in m.named_parameters(recurse=False)]}
                    for m in self._hooked
                ]},
            })

    @contextlib.contextmanager
    def step(self, x: Any, y: Any = None, *, epoch: Optional[int] = None, indices: Optional[Iterable[int]] = None):
        """One training step on the batch (x, y): records it if it is the 1st, (1+every)-th, ... step.

        x is what the model is called with (model(x), or model(*x) for a tuple), its first
        dimension the batch. epoch: the 1-based epoch (default 1); the sample positions in
        `batch` restart when it changes. indices: the dataset indices of the batch, if known.
        """
        if self.closed:
            raise RuntimeError("Recorder.step: the recorder is closed")
        if self._capture is not None:
            raise RuntimeError("Recorder.step: a step is already being recorded; steps cannot nest")
        first = _first_tensor(x)
        if first is None or first.dim() == 0:
            raise TypeError(f"Recorder.step: x must be a tensor (or a tuple of tensors) with the batch first, got {type(x).__name__}")
        rows = first.shape[0]
        self.steps += 1
        if epoch is not None and epoch != self._epoch:
            self._epoch, self._samples_in_epoch = epoch, 0
        batch = [int(i) for i in indices] if indices is not None else list(range(self._samples_in_epoch, self._samples_in_epoch + rows))
        self._samples_in_epoch += rows
        if (self.steps - 1) % self.every != 0:
            with self._user_code():
                yield
            return
        rng_state = torch.get_rng_state() if self.loss_fn is not None else None
        capture = self._capture = _StepCapture(self, {"step": self.steps, "epoch": epoch or 1, "batch": batch})
        if self._live is not None and self.train_inputs is not None:
            capture.dead_units = self._dead_units()
        try:
            capture.attach()
            with self._user_code():
                yield
        finally:
            capture.detach()
            self._capture = None
        if self.closed:
            raise RuntimeError("Recorder.step: the recorder was closed during the step; the step is not written")
        record = self._record(capture, x, y, epoch or 1, batch, rng_state)
        if self._writer is not None:
            self._writer.write_step(record)
        if self._live is not None:
            self._live.send_step(record)

    @contextlib.contextmanager
    def _user_code(self):
        """The loop's code inside a step block. Live, an exception leaving it is kept for the
        editor: if the process then exits without the interpreter's uncaught-exception hook
        (torch.multiprocessing.spawn catches a rank's exception and calls sys.exit), it is
        still reported as the exception that ended the script."""
        if self._live is not None:
            self._live.forget_exception()
        try:
            yield
        except Exception as error:
            if self._live is not None:
                self._live.remember_exception(error)
            raise

    def _record(self, capture: _StepCapture, x: Any, y: Any, epoch: int, batch: List[int], rng_state) -> dict:
        loss = capture.loss()
        data_loss = None
        if self.loss_fn is not None and capture.output is not None:
            try:
                with torch.no_grad():
                    data_loss = float(self.loss_fn(capture.output, y))
            except Exception as error:
                raise TypeError(
                    f"Recorder: step {self.steps}: loss_fn(output, y) on the model's output and the y given to "
                    f"rec.step raised {type(error).__name__}: {error}; give a loss_fn of (output, y), or none"
                ) from error
        reg_loss = capture.regularization if capture.stepped else self._regularization()
        if reg_loss is not None:  # reg_fn given
            if data_loss is None and loss is not None:
                data_loss = loss - reg_loss
        elif data_loss is not None:
            reg_loss = None if loss is None else loss - data_loss
        else:
            data_loss, reg_loss = loss, (None if loss is None else 0.0)
        loss_after = self._loss_after(x, y, rng_state) if self.loss_fn is not None and capture.stepped else None
        distributed = {"rank": self.rank, "worldSize": self.world_size} if self.world_size > 1 else {}
        return {
            "step": self.steps,
            **distributed,
            "epoch": epoch,
            "batch": batch,
            "loss": loss,
            "dataLoss": data_loss,
            "regLoss": reg_loss,
            "lossAfter": loss_after,
            "layers": capture.layer_records(),
            "optimizer": capture.optimizer_record(),
        }

    def _loss_after(self, x: Any, y: Any, rng_state: torch.Tensor) -> Optional[float]:
        """loss_fn (+ reg_fn) on the same batch with the updated weights, leaving training exactly as it was:
        the RNG restarts from the step's start (dropout draws the same masks on CPU)."""
        try:
            with self._aside(rng_state):
                output = self._call_model(x)
                return float(self.loss_fn(output, y)) + (self._regularization() or 0.0)
        except Exception as error:  # lossAfter is extra: a model that needs more than x must not stop training
            warnings.warn(
                f"Recorder: step {self.steps}: lossAfter not recorded: calling the model with the step's x "
                f"and loss_fn on its output raised {type(error).__name__}: {error}",
                stacklevel=4,
            )
            return None

    def _dead_units(self) -> Dict[nn.Linear, List[int]]:
        """Per recorded nn.Linear, the units whose z ≤ 0 for every sample of train_inputs with the
        current weights: what the live dead-ReLU filter confirms a unit dead on the batch with."""
        linears = [m for m in self._hooked if isinstance(m, nn.Linear) and m in self._selected]
        never_positive: Dict[nn.Linear, List[int]] = {}

        def keep(module, _inputs, z):
            never_positive.setdefault(module, (z <= 0).reshape(-1, z.shape[-1]).all(dim=0).nonzero().flatten().tolist())

        handles = [m.register_forward_hook(keep) for m in linears]
        try:
            with self._aside(torch.get_rng_state()):
                self._call_model(self.train_inputs)
        except Exception as error:
            raise ValueError(f"Recorder: train_inputs: calling the model on them raised {type(error).__name__}: {error}") from error
        finally:
            for handle in handles:
                handle.remove()
        return never_positive

    def _call_model(self, x: Any) -> Any:
        model = self.network  # without DistributedDataParallel's collectives: this rank's own shard
        return model(*x) if isinstance(x, (tuple, list)) else model(x)

    @contextlib.contextmanager
    def _aside(self, rng_state: torch.Tensor):
        """A forward pass outside training: no autograd, the RNG started from rng_state and put
        back afterwards, module buffers (BatchNorm statistics) restored."""
        model = self.network
        saved = [(b, b.clone()) for b in model.buffers()]
        devices = sorted({p.device.index or 0 for p in model.parameters() if p.device.type == "cuda"})
        try:
            with torch.random.fork_rng(devices=devices), torch.no_grad():
                torch.set_rng_state(rng_state)
                yield
        finally:
            with torch.no_grad():
                for buffer, value in saved:
                    buffer.copy_(value)

    def _regularization(self) -> Optional[float]:
        if self.reg_fn is None:
            return None
        with torch.no_grad():
            return float(self.reg_fn())

    def close(self) -> None:
        """Removes any hooks still attached and closes the file. Safe to call twice."""
        if self._capture is not None:
            self._capture.detach()
        if not self.closed:
            self.closed = True
            if self._file is not None:
                self._file.close()
            if self._live is not None:
                self._live.close()
            self._buffers.clear()

    def __enter__(self) -> "Recorder":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

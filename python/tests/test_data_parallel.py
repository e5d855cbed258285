"""Data-parallel training (torch.distributed, gloo on CPU, DistributedDataParallel) through the
example script's own rank function: each rank's trace against one process's full-batch training
and autograd on the rank's shard; live, both ranks pause together at the same places."""
import importlib.util
import os
import time

import pytest
import torch
import torch.multiprocessing as mp

from backprop_stepper import Recorder, read_trace
from backprop_stepper.live_protocol import SOCKET_VARIABLE, TOKEN_VARIABLE
from backprop_stepper.recorder import rank_path
from fake_editor import TIMEOUT, FakeEditor

D = torch.float64
EXAMPLE = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "pytorch", "data_parallel.py")
spec = importlib.util.spec_from_file_location("data_parallel_example", EXAMPLE)
example = importlib.util.module_from_spec(spec)
spec.loader.exec_module(example)

STEPS, LR, WORKERS = 3, 0.5, 2


def start_ranks(trace):
    """The example's run_rank in WORKERS forked processes (spawn would import torch again per rank)."""
    return mp.start_processes(example.run_rank, args=(WORKERS, example.free_port(), STEPS, LR, trace),
                              nprocs=WORKERS, start_method="fork", join=False)


def join_all(context):
    """Waits for every rank (ProcessContext.join returns after each process that ends); an
    exception in a rank is raised here."""
    deadline = time.monotonic() + TIMEOUT
    while not context.join(max(0.0, deadline - time.monotonic())):
        assert time.monotonic() < deadline, "the ranks did not end"


def close(actual, expected):
    torch.testing.assert_close(torch.tensor(actual, dtype=D), expected.detach().to(D), rtol=1e-12, atol=1e-15)


def full_batch_run():
    """One process, the whole batch, the same SGD: per step the parameters and their gradients."""
    model = example.network()
    optimizer = torch.optim.SGD(model.parameters(), lr=LR)
    x, t = example.data()
    steps = []
    for _ in range(STEPS):
        optimizer.zero_grad()
        example.mse(model(x), t).backward()
        steps.append([(m.weight.detach().clone(), m.bias.detach().clone(), m.weight.grad.clone(), m.bias.grad.clone())
                      for m in (model[0], model[2])])
        optimizer.step()
    return steps


def shard_gradients(weights, share):
    """Autograd on one rank's share alone, at the given parameters: the rank's local gradient."""
    model = example.network()
    with torch.no_grad():
        for m, (w, b) in zip((model[0], model[2]), weights):
            m.weight.copy_(w)
            m.bias.copy_(b)
    x, t = example.data()
    example.mse(model(x[share]), t[share]).backward()
    return [(m.weight.grad, m.bias.grad) for m in (model[0], model[2])]


def test_two_ranks_reduced_gradient_is_the_full_batch_gradient_and_the_mean_of_the_local_ones(tmp_path):
    trace = str(tmp_path / "dp.rank{rank}.jsonl")
    join_all(start_ranks(trace))
    traces = [read_trace(trace.replace("{rank}", str(r))) for r in range(WORKERS)]
    assert [(h["rank"], h["worldSize"]) for h, _ in traces] == [(0, 2), (1, 2)]
    reference = full_batch_run()
    x, _ = example.data()
    shares = [list(range(0, 8)), list(range(8, 16))]
    for step in range(STEPS):
        records = [steps[step] for _, steps in traces]
        for rank, record in enumerate(records):
            assert (record["step"], record["rank"], record["worldSize"], record["batch"]) == (step + 1, rank, 2, shares[rank])
            close(record["layers"][0]["input"], x[shares[rank]])
        for index, (weights, bias, grad_weights, grad_bias) in enumerate(reference[step]):
            for rank, record in enumerate(records):
                layer = record["layers"][index]
                close(layer["weights"], weights)
                close(layer["gradWeights"], grad_weights)  # all-reduced = one process's full batch
                close(layer["gradBias"], grad_bias)
                local = shard_gradients([(w, b) for w, b, _, _ in reference[step]], shares[rank])[index]
                close(layer["localGradWeights"], local[0])  # this rank's own, before the all-reduce
                close(layer["localGradBias"], local[1])
                close(layer["weightsAfter"], weights - LR * grad_weights)
            mean_weights = sum(torch.tensor(r["layers"][index]["localGradWeights"], dtype=D) for r in records) / WORKERS
            mean_bias = sum(torch.tensor(r["layers"][index]["localGradBias"], dtype=D) for r in records) / WORKERS
            close(records[0]["layers"][index]["gradWeights"], mean_weights)
            close(records[0]["layers"][index]["gradBias"], mean_bias)
            # the shards really differ: the check above is not one rank compared with itself
            assert not torch.allclose(torch.tensor(records[0]["layers"][index]["localGradWeights"]),
                                      torch.tensor(records[1]["layers"][index]["localGradWeights"]))


def manual_all_reduce_rank(rank, world_size, port, trace):
    """A loop without DDP: the gradients are all-reduced by hand between backward and step."""
    import torch.distributed as dist

    os.environ["MASTER_ADDR"], os.environ["MASTER_PORT"] = "127.0.0.1", str(port)
    dist.init_process_group("gloo", rank=rank, world_size=world_size)
    model = example.network()
    optimizer = torch.optim.SGD(model.parameters(), lr=LR)
    x, t = example.data()
    share = torch.arange(example.SAMPLES).chunk(world_size)[rank]
    rec = Recorder(model, optimizer, trace, loss_fn=example.mse)
    with rec.step(x[share], t[share], indices=share.tolist()):
        optimizer.zero_grad()
        example.mse(model(x[share]), t[share]).backward()
        for p in model.parameters():
            dist.all_reduce(p.grad)
            p.grad /= world_size
        optimizer.step()
    rec.close()
    dist.destroy_process_group()


def test_a_loop_that_all_reduces_by_hand_records_local_and_reduced_gradients(tmp_path):
    trace = str(tmp_path / "manual.jsonl")
    join_all(mp.start_processes(manual_all_reduce_rank, args=(WORKERS, example.free_port(), trace),
                                nprocs=WORKERS, start_method="fork", join=False))
    records = [read_trace(rank_path(trace, r, WORKERS))[1][0] for r in range(WORKERS)]
    reference = full_batch_run()[0]
    for index, (weights, bias, grad_weights, grad_bias) in enumerate(reference):
        for rank, record in enumerate(records):
            layer = record["layers"][index]
            close(layer["gradWeights"], grad_weights)
            close(layer["gradBias"], grad_bias)
            local = shard_gradients([(w, b) for w, b, _, _ in reference], [list(range(0, 8)), list(range(8, 16))][rank])[index]
            close(layer["localGradWeights"], local[0])
            close(layer["localGradBias"], local[1])


def test_live_every_rank_connects_and_the_ranks_pause_together(tmp_path, monkeypatch):
    editor = FakeEditor()
    for name in (SOCKET_VARIABLE, TOKEN_VARIABLE):  # the ranks inherit them, as from the editor
        monkeypatch.setenv(name, editor.env()[name])
    context = start_ranks(str(tmp_path / "live.rank{rank}.jsonl"))
    try:
        connections = []
        for _ in range(WORKERS):
            hello = editor.accept()
            connections.append((hello["rank"], editor.conn))
        assert sorted(rank for rank, _ in connections) == [0, 1]
        assert hello["worldSize"] == 2 and hello["model"]["type"] == "Sequential"
        ranks = [conn for _, conn in sorted(connections, key=lambda c: c[0])]

        def each(action):
            results = []
            for conn in ranks:
                editor.conn = conn
                results.append(action())
            return results

        each(lambda: editor.welcome("all"))
        order = []
        for _ in range(6):  # forward 0, 1, loss, backward 1, 0, update
            pauses = each(editor.receive)
            assert len({(p["step"], p["phase"], p["layer"]) for p in pauses}) == 1
            order.append((pauses[0]["phase"], pauses[0]["layer"]))
            if pauses[0]["phase"] == "backward":  # local gradients now, the reduced one is not known yet
                layer = [p["data"]["layer"] for p in pauses]
                assert all(l["gradWeights"] is None and l["localGradWeights"] is not None for l in layer)
            if pauses[0]["phase"] == "update":
                for index in range(2):
                    reduced = [torch.tensor(p["data"]["layers"][index]["gradWeights"], dtype=D) for p in pauses]
                    local = [torch.tensor(p["data"]["layers"][index]["localGradWeights"], dtype=D) for p in pauses]
                    torch.testing.assert_close(reduced[0], reduced[1], rtol=0, atol=0)
                    torch.testing.assert_close(reduced[0], (local[0] + local[1]) / 2, rtol=1e-12, atol=1e-15)
            each(lambda: editor.go("all" if len(order) < 6 else []))
        assert order == [("forward", 0), ("forward", 1), ("loss", None), ("backward", 1), ("backward", 0), ("update", None)]
        for _ in range(STEPS):
            assert [m["type"] for m in each(editor.receive)] == ["step", "step"]
        assert [m["reason"] for m in each(editor.receive)] == ["closed", "closed"]
        join_all(context)
    finally:
        for process in context.processes:
            if process.is_alive():
                process.kill()
        for _, conn in connections:
            conn.close()
        editor.conn = None
        editor.close()


@pytest.mark.parametrize("path,rank,world,expected", [
    ("run.trace.jsonl", 0, 1, "run.trace.jsonl"),
    ("out/run.trace.jsonl", 1, 2, "out/run.rank1.trace.jsonl"),
    ("out/r{rank}/run.bptrace", 3, 4, "out/r3/run.bptrace"),
])
def test_each_rank_writes_its_own_file(path, rank, world, expected):
    assert rank_path(path, rank, world) == expected

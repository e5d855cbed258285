"""Data-parallel training on several processes, recorded per rank: many workers, one mini-batch.

    PYTHONPATH=python /usr/bin/python3 examples/pytorch/data_parallel.py --workers 2 --steps 5
    PYTHONPATH=python /usr/bin/python3 -m torch.distributed.run --nproc_per_node 2 --redirects 1 --tee 1 examples/pytorch/data_parallel.py

(--redirects 1 --tee 1: torch 1.13's launcher cannot read their default "0" on Python 3.11; README.)

Each worker (rank) takes an equal share of the same batch of 16 samples, computes the gradient of
its own share's loss, and DistributedDataParallel all-reduces the gradients to their mean, which
every rank's SGD step uses. Because the shares are equal halves, that mean is exactly the gradient
one process computes on the whole batch: the lecture's mini-batch gradient, computed by many
workers. Each rank writes its trace (dp.rank0.trace.jsonl, dp.rank1.trace.jsonl) with its local
gradients (localGradWeights) and the reduced one (gradWeights); --check then compares, for the
first step, the mean of the ranks' local gradients and one process's full-batch gradient with the
reduced gradient.
"""
import argparse
import os
import socket

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch import nn

from backprop_stepper import Recorder, read_trace

SAMPLES = 16


def mse(output, target):
    """J = (1/N) Σᵢ ‖yᵢ − tᵢ‖²: summed over output units, averaged over the (rank's) batch."""
    return ((output - target) ** 2).sum(dim=1).mean()


def network() -> nn.Module:
    torch.manual_seed(0)  # the same initial weights in every process (DDP also copies rank 0's)
    return nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 1), nn.Sigmoid()).to(torch.float64)


def data():
    generator = torch.Generator().manual_seed(1)
    x = torch.randn(SAMPLES, 3, generator=generator, dtype=torch.float64)
    t = (x.sum(dim=1, keepdim=True) > 0).to(torch.float64)
    return x, t


def train(steps: int, lr: float, trace: str) -> None:
    """One rank's training loop (torch.distributed already initialized)."""
    rank, world_size = dist.get_rank(), dist.get_world_size()
    model = nn.parallel.DistributedDataParallel(network())
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    x, t = data()
    share = torch.arange(SAMPLES).chunk(world_size)[rank]  # this rank's sample indices
    rec = Recorder(model, optimizer, trace, loss_fn=mse)
    for _ in range(steps):
        with rec.step(x[share], t[share], indices=share.tolist()):
            optimizer.zero_grad()
            loss = mse(model(x[share]), t[share])
            loss.backward()  # DDP all-reduces the gradients to their mean over the ranks here
            optimizer.step()
    rec.close()


def run_rank(rank: int, world_size: int, port: int, steps: int, lr: float, trace: str) -> None:
    """A process of torch.multiprocessing: joins the group on this machine, trains, leaves."""
    os.environ["MASTER_ADDR"], os.environ["MASTER_PORT"] = "127.0.0.1", str(port)
    dist.init_process_group("gloo", rank=rank, world_size=world_size)
    try:
        train(steps, lr, trace)
    finally:
        dist.destroy_process_group()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def full_batch_gradient():
    """One process, the whole batch: the gradients the reduced ones must equal."""
    model = network()
    x, t = data()
    mse(model(x), t).backward()
    return [[model[0].weight.grad, model[0].bias.grad], [model[2].weight.grad, model[2].bias.grad]]


def check(trace: str, world_size: int) -> float:
    """Prints and returns the largest difference, at step 1, between the reduced gradient and
    (a) the mean of the ranks' local gradients, (b) one process's full-batch gradient."""
    firsts = [read_trace(trace.replace("{rank}", str(r)))[1][0] for r in range(world_size)]
    worst = 0.0
    for index, full in enumerate(full_batch_gradient()):
        for field, local_field, expected in (("gradWeights", "localGradWeights", full[0]), ("gradBias", "localGradBias", full[1])):
            reduced = torch.tensor(firsts[0]["layers"][index][field], dtype=torch.float64)
            mean = sum(torch.tensor(s["layers"][index][local_field], dtype=torch.float64) for s in firsts) / world_size
            by_mean, by_full = (mean - reduced).abs().max().item(), (expected - reduced).abs().max().item()
            print(f"layer {index + 1} {field}: |mean of local − reduced| = {by_mean:.3g}, |full batch − reduced| = {by_full:.3g}")
            worst = max(worst, by_mean, by_full)
    return worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2, help="processes (ranks) with torch.multiprocessing (default 2)")
    parser.add_argument("--steps", type=int, default=5, help="training steps (default 5)")
    parser.add_argument("--lr", type=float, default=0.5, help="SGD learning rate (default 0.5)")
    parser.add_argument("--trace", default="dp.rank{rank}.trace.jsonl", help="trace files, {rank} is the rank")
    parser.add_argument("--check", action="store_true", help="compare the gradients of step 1 afterwards")
    args = parser.parse_args()
    if "LOCAL_RANK" in os.environ:  # started by torch.distributed.run, which set RANK, WORLD_SIZE, MASTER_*
        dist.init_process_group("gloo")
        try:
            train(args.steps, args.lr, args.trace)
        finally:
            dist.destroy_process_group()
        return
    mp.spawn(run_rank, args=(args.workers, free_port(), args.steps, args.lr, args.trace), nprocs=args.workers)
    if args.check:
        check(args.trace, args.workers)


if __name__ == "__main__":
    main()

"""A small plain PyTorch training loop, recorded by backprop_stepper: XOR with a 2-3-1 network.

    PYTHONPATH=python /usr/bin/python3 examples/pytorch/train.py --steps 20 --trace xor.trace.jsonl

Started by the editor ("Backprop: Step Through PyTorch Script…", or a `backprop` launch
configuration with "program": "examples/pytorch/train.py"), the same script pauses at every
layer's forward and backward, the loss and the update: the Recorder sees the editor's
environment variables and goes live. Nothing in the loop changes.
"""
import argparse

import torch
from torch import nn

from backprop_stepper import Recorder


def mse(output, target):
    """J = (1/N) Σᵢ ‖yᵢ − tᵢ‖²: summed over output units, averaged over the batch (DESIGN.md §4)."""
    return ((output - target) ** 2).sum(dim=1).mean()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20, help="training steps (default 20)")
    parser.add_argument("--lr", type=float, default=0.5, help="SGD learning rate (default 0.5)")
    parser.add_argument("--trace", default="train.trace.jsonl", help="trace file (default train.trace.jsonl)")
    args = parser.parse_args()

    torch.manual_seed(0)
    x = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], dtype=torch.float64)
    t = torch.tensor([[0.0], [1.0], [1.0], [0.0]], dtype=torch.float64)
    model = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1), nn.Sigmoid()).to(torch.float64)
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr)

    rec = Recorder(model, optimizer, args.trace, loss_fn=mse)
    for step in range(1, args.steps + 1):
        with rec.step(x, t):
            optimizer.zero_grad()
            loss = mse(model(x), t)
            loss.backward()
            optimizer.step()
        print(f"step {step}: loss {loss.item():.6f}")
    rec.close()


if __name__ == "__main__":
    main()

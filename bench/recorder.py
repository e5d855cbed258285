"""Recording cost (issue 13): a 784-128-10, batch-64 SGD step in float64 with plain PyTorch,
unrecorded vs recorded by backprop_stepper.Recorder to JSON Lines vs to the binary form.

One thread; the three run in turn within each repetition (interleaved), on the same model and
batch, and each ratio is the median of the per-repetition ratios. The recorder gets loss_fn, so
the record is complete (lossAfter costs one more forward pass). Files go to the temp folder and
are deleted after each repetition, so the figures include writing to the page cache but not
waiting for the disk. Prints the markdown body of the section; `npm run bench` runs it from
bench/recorderCost.ts; it also runs alone: /usr/bin/python3 bench/recorder.py
"""
import os
import statistics
import sys
import tempfile
import time

import torch
from torch import nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
from backprop_stepper import Recorder  # noqa: E402

REPETITIONS = 9
STEPS = {"unrecorded": 20, "binary": 20, "json": 2}  # per repetition; JSON Lines is much slower
TARGET = 3.0  # recorded binary ≤ 3× unrecorded


def cross_entropy(p, t):
    return -(t * torch.log(p)).sum(1).mean()


def main():
    torch.set_num_threads(1)
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10), nn.Softmax(dim=1)).double()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    x = torch.rand(64, 784, dtype=torch.float64)
    y = torch.eye(10, dtype=torch.float64)[torch.randint(0, 10, (64,))]

    def train_step():
        optimizer.zero_grad()
        cross_entropy(model(x), y).backward()
        optimizer.step()

    folder = tempfile.mkdtemp(prefix="bench-recorder-")
    sizes = {}

    def timed(kind):
        """(wall-clock, CPU) seconds per step of `kind` over STEPS[kind] steps."""
        steps = STEPS[kind]
        if kind == "unrecorded":
            wall, cpu = time.perf_counter(), time.process_time()
            for _ in range(steps):
                train_step()
            return (time.perf_counter() - wall) / steps, (time.process_time() - cpu) / steps
        path = os.path.join(folder, "run.trace.jsonl" if kind == "json" else "run.bptrace")
        rec = Recorder(model, optimizer, path, loss_fn=cross_entropy)
        header = os.path.getsize(path)
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(steps):
            with rec.step(x, y):
                train_step()
        times = (time.perf_counter() - wall) / steps, (time.process_time() - cpu) / steps
        rec.close()
        sizes[kind] = (os.path.getsize(path) - header) // steps
        os.remove(path)
        return times

    kinds = list(STEPS)
    for kind in kinds:  # warm-up
        timed(kind)
    runs = {kind: [] for kind in kinds}
    for _ in range(REPETITIONS):
        for kind in kinds:
            runs[kind].append(timed(kind))
    os.rmdir(folder)

    base = runs["unrecorded"]

    def ratio(kind, clock=0):
        return statistics.median(r[clock] / b[clock] for r, b in zip(runs[kind], base))

    def per_step(kind, clock=0):
        return statistics.median(r[clock] for r in runs[kind])

    lines = [
        f"torch {torch.__version__}, one thread, float64, SGD (lr 0.01), ReLU hidden layer, softmax output with "
        f"cross-entropy; loss_fn given, so every field including lossAfter is recorded. Medians of {REPETITIONS} "
        f"repetitions after a warm-up, the three run in turn within each repetition "
        f"({STEPS['unrecorded']} / {STEPS['binary']} / {STEPS['json']} steps), ratios are medians of per-repetition ratios; "
        "CPU time (this process, user + system) is shown too because it is steadier than the wall clock on a busy machine. "
        "Run alone: `/usr/bin/python3 bench/recorder.py`.",
        "",
        "| 784-128-10, batch 64 | ms per step | steps/s | × unrecorded | CPU ms per step | × unrecorded (CPU) | bytes written per step |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    labels = {"unrecorded": "unrecorded PyTorch step", "binary": "recorded, binary (`.bptrace`)", "json": "recorded, JSON Lines"}
    for kind in ("unrecorded", "binary", "json"):
        seconds, cpu = per_step(kind), per_step(kind, 1)
        size = f"{sizes[kind]:,}" if kind in sizes else "—"
        times = "1" if kind == "unrecorded" else f"{ratio(kind):.2f}"
        cpu_times = "1" if kind == "unrecorded" else f"{ratio(kind, 1):.2f}"
        lines.append(f"| {labels[kind]} | {seconds * 1e3:.2f} | {1 / seconds:,.0f} | {times} | {cpu * 1e3:.2f} | {cpu_times} | {size} |")
    verdict = "meets" if ratio("binary") <= TARGET else "misses"
    lines += ["", f"Target (issue 13): recorded binary at most {TARGET:g}× an unrecorded step: {verdict} it ({ratio('binary'):.2f}×)."]
    print("\n".join(lines))


if __name__ == "__main__":
    main()

"""Child process of bench/engineVsTfjs.ts: the bench's network, loss, SGD and batches in PyTorch
on one thread, in float64 and float32, timed the way the parent times the engine.

argv[1]: JSON {"sizes", "activations", "loss", "batch", "batches", "learningRate", "x", "y"}, where x
and y name files of little-endian float64 samples (samples × inputs, samples × outputs) written by
the parent. Then on each line of stdin "<dtype> <count>": runs count training steps (the batches in
turn) and answers with the seconds they took, one line; "version": torch's version; "peak": the
float64 GFLOP/s of one thread multiplying 512 × 512 matrices (BLAS's fused multiply-add loop), the
machine's practical float64 limit.
"""
import json
import sys
import time

import torch

torch.set_num_threads(1)
config = json.loads(sys.argv[1])
sizes, batch, batches = config["sizes"], config["batch"], config["batches"]


def read(path, width):
    with open(path, "rb") as file:
        data = torch.frombuffer(bytearray(file.read()), dtype=torch.float64)
    return data.reshape(-1, width)


x_all, y_all = read(config["x"], sizes[0]), read(config["y"], sizes[-1])
ACTIVATIONS = {"relu": torch.nn.ReLU, "identity": torch.nn.Identity}


def trainer(dtype):
    torch.manual_seed(1)
    layers = []
    for l, activation in enumerate(config["activations"]):
        layers.append(torch.nn.Linear(sizes[l], sizes[l + 1]))
        # softmax is folded into the cross-entropy, as the engine folds it (∂J/∂z = p − t).
        if activation != "softmax":
            layers.append(ACTIVATIONS[activation]())
    model = torch.nn.Sequential(*layers).to(dtype)
    optimizer = torch.optim.SGD(model.parameters(), lr=config["learningRate"])
    data = [
        (x_all[k * batch:(k + 1) * batch].to(dtype), y_all[k * batch:(k + 1) * batch].to(dtype))
        for k in range(batches)
    ]
    if config["loss"] == "cross-entropy":
        loss_of = lambda out, y: torch.nn.functional.cross_entropy(out, y)
    else:
        loss_of = lambda out, y: ((out - y) ** 2).sum(1).mean()
    state = {"k": 0}

    def step():
        x, y = data[state["k"]]
        state["k"] = (state["k"] + 1) % batches
        optimizer.zero_grad()
        loss_of(model(x), y).backward()
        optimizer.step()

    return step


def peak():
    a = torch.rand(512, 512, dtype=torch.float64)
    b = torch.rand(512, 512, dtype=torch.float64)
    torch.mm(a, b)
    best = float("inf")
    for _ in range(7):
        start = time.perf_counter()
        for _ in range(5):
            torch.mm(a, b)
        best = min(best, (time.perf_counter() - start) / 5)
    return 2 * 512**3 / best / 1e9


steps = {"float64": trainer(torch.float64), "float32": trainer(torch.float32)}
for line in sys.stdin:
    if line.strip() == "version":
        print(torch.__version__, flush=True)
        continue
    if line.strip() == "peak":
        print(peak(), flush=True)
        continue
    dtype, count = line.split()
    step = steps[dtype]
    start = time.perf_counter()
    for _ in range(int(count)):
        step()
    print(time.perf_counter() - start, flush=True)

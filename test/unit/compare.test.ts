// Trajectories and the loss surface: every run starts from the same weights, each run's losses
// are a plain Trainer's, paths and grid share the slice coordinates, and the grid holds J.
import * as assert from 'node:assert/strict';
import { loadModel } from '../../src/engine/model';
import { createNetwork, parameters, type Network } from '../../src/engine/network';
import { evaluateRows } from '../../src/engine/evaluation';
import { Rng } from '../../src/engine/rng';
import { Trainer } from '../../src/engine/trainer';
import type { ModelFile } from '../../src/engine/types';
import type { TrainingData } from '../../src/engine/trainer';
import { compareRuns, parseBatchRuns, parseOptimizerRuns } from '../../src/engine/experiments/compare';
import { parseParameterRef, randomSlice } from '../../src/engine/experiments/slice';
import { runCli } from '../../src/cli/main';

function load(spec: object): { model: ModelFile; data: TrainingData } {
  const loaded = loadModel(JSON.stringify(spec));
  assert.ok(loaded.model && loaded.data, JSON.stringify(loaded.diagnostics));
  return { model: loaded.model, data: loaded.data };
}

const spiral = {
  seed: 4, inputs: 2,
  layers: [{ units: 6, activation: 'tanh' }, { units: 3, activation: 'softmax' }],
  loss: 'cross-entropy', regularization: { l2: 0.001 },
  optimizer: { type: 'sgd', learningRate: 0.2 },
  data: { generator: 'spiral', samples: 90, classes: 3, noise: 0.1 },
  split: { train: 0.8, validation: 0.2 },
  batch: { mode: 'mini-batch', size: 16, shuffle: true },
};

/** The network a model file builds, with flat θ₀ + α·d₁ + β·d₂ as its weights. */
function networkAt(model: ModelFile, theta: Float64Array): Network {
  const net = createNetwork(model, new Rng(model.seed ?? 0));
  let offset = 0;
  for (const p of parameters(net)) {
    p.set(theta.subarray(offset, offset + p.length));
    offset += p.length;
  }
  return net;
}

function flat(net: Network): Float64Array {
  return Float64Array.from(parameters(net).flatMap((p) => Array.from(p)));
}

describe('compare: runs from the same start', () => {
  const { model, data } = load(spiral);
  const runs = [...parseBatchRuns('batch,mini-batch:16,stochastic', model), ...parseOptimizerRuns('momentum,adam,lbfgs', model)];
  const result = compareRuns(model, data, { runs, epochs: 2, slice: { kind: 'random', seed: 3 }, grid: 7 });

  it('starts every run from bitwise-identical weights: the start projects to exactly (0, 0), on the slice', () => {
    for (const run of result.runs) {
      assert.deepEqual(run.path[0], [0, 0], run.label);
      assert.equal(run.offSlice[0], 0, run.label);
    }
    const starts = runs.map((run) => flat(new Trainer({ ...model, optimizer: run.optimizer, batch: run.batch }, data).network));
    for (const s of starts) assert.deepEqual(s, starts[0]);
  });

  it("records each run's losses exactly as a plain Trainer run of the same settings", () => {
    const handWritten: Record<string, ModelFile['optimizer']> = {
      momentum: { type: 'sgd', learningRate: 0.2, momentum: 0.9 },
      adam: { type: 'adam', learningRate: 0.2 },
      lbfgs: { type: 'lbfgs' },
    };
    result.runs.forEach((run, r) => {
      const optimizer = handWritten[run.label] ?? model.optimizer;
      const batch = run.label in handWritten ? model.batch : runs[r].batch;
      const trainer = new Trainer({ ...model, optimizer, batch }, data, { trace: false });
      const losses: number[] = [];
      for (let s = 0; s < run.steps; s++) losses.push(trainer.step().loss!);
      assert.deepEqual(run.stepLoss, losses, run.label);
      assert.equal(run.steps, 2 * trainer.plan.batchesPerEpoch, run.label);
      // Epoch-end figures from the trainer's own evaluation of the training split.
      const trainEnds = trainer.evaluations.filter((e) => e.split === 'train').map((e) => e.loss);
      assert.equal(trainEnds.length, 2);
      trainEnds.forEach((loss, e) => assert.ok(Math.abs(run.epochLoss[e + 1] - loss) <= 1e-12 * loss, `${run.label} epoch ${e + 1}`));
      assert.deepEqual(run.epochEnds, [trainer.plan.batchesPerEpoch, 2 * trainer.plan.batchesPerEpoch]);
      assert.equal(run.path.length, run.steps + 1);
    });
    assert.deepEqual(result.runs.map((r) => r.batch.mode), ['batch', 'mini-batch', 'stochastic', 'mini-batch', 'mini-batch', 'batch']);
  });

  it('holds at each grid node J on the whole training split at θ₀ + α·d₁ + β·d₂', () => {
    const reference = new Trainer(model, data).network;
    const slice = randomSlice(reference, 3);
    const theta0 = flat(reference);
    assert.equal(result.grid.loss.length, 7);
    assert.ok(result.grid.loss.every((row) => row.length === 7));
    for (const [i, j] of [[0, 0], [3, 5], [6, 2]]) {
      const alpha = result.grid.alphas[i];
      const beta = result.grid.betas[j];
      const theta = theta0.map((t, k) => t + alpha * slice.directions[0][k] + beta * slice.directions[1][k]);
      const expected = evaluateRows(networkAt(model, theta), { loss: model.loss, regularization: model.regularization }, data.dataset, data.split.train).loss;
      assert.ok(Math.abs(result.grid.loss[j][i] - expected) <= 1e-12 * expected, `node (${i}, ${j})`);
    }
  });

  it('fits the grid around every path point', () => {
    const { alphas, betas } = result.grid;
    for (const run of result.runs) {
      for (const [a, b] of run.path) {
        assert.ok(a >= alphas[0] && a <= alphas[alphas.length - 1] && b >= betas[0] && b <= betas[betas.length - 1]);
      }
    }
  });
});

describe('compare: the slice', () => {
  it('along two parameters, the path is those parameters\' changes and the rest is off the slice', () => {
    const { model, data } = load(spiral);
    const params: [string, string] = ['layers[0].weights[2][1]', 'layers[1].bias[0]'];
    const r = compareRuns(model, data, { runs: parseBatchRuns('mini-batch:16', model), epochs: 1, slice: { kind: 'parameters', parameters: params }, grid: 3 });
    const trainer = new Trainer(model, data, { trace: false });
    const w0 = trainer.network.layers[0].weights[2 * 2 + 1];
    const b0 = trainer.network.layers[1].bias[0];
    assert.deepEqual(r.slice.start, [w0, b0]);
    assert.deepEqual(r.slice.labels, params);
    for (let s = 1; s <= r.runs[0].steps; s++) {
      trainer.step();
      assert.deepEqual(r.runs[0].path[s], [trainer.network.layers[0].weights[5] - w0, trainer.network.layers[1].bias[0] - b0]);
    }
    assert.ok(r.runs[0].offSlice[r.runs[0].steps] > 0);
  });

  it('with two parameters in all, random directions span the plane: the path stays on it and rebuilds θ', () => {
    const { model, data } = load({
      seed: 2, inputs: 1, layers: [{ units: 1, activation: 'sigmoid', weights: [[-2]], bias: [2] }],
      loss: 'mse', optimizer: { type: 'sgd', learningRate: 0.5 },
      data: { x: [[-2], [-1], [0], [1], [2]], y: [[0], [0.1], [0.4], [0.9], [1]] },
    });
    const r = compareRuns(model, data, { runs: parseOptimizerRuns('sgd,adam', model), epochs: 10, slice: { kind: 'random', seed: 8 }, grid: 5 });
    const slice = randomSlice(new Trainer(model, data).network, 8);
    const trainer = new Trainer(model, data, { trace: false });
    for (let s = 1; s <= 10; s++) {
      trainer.step();
      const [a, b] = r.runs[0].path[s];
      const theta = flat(trainer.network);
      theta.forEach((t, k) => assert.ok(Math.abs(slice.origin[k] + a * slice.directions[0][k] + b * slice.directions[1][k] - t) < 1e-12));
      assert.ok(r.runs[0].offSlice[s] < 1e-12);
    }    // One-number filters keep only a sign: the second direction is redrawn until the two span the plane.
    for (let seed = 0; seed < 20; seed++) {
      const [d1, d2] = randomSlice(new Trainer(model, data).network, seed).directions;
      assert.ok(Math.abs(d1[0] * d2[1] - d1[1] * d2[0]) > 1e-9, `seed ${seed}`);
    }
  });

  it('normalizes random directions filter by filter (a unit\'s weights) to θ₀, biases per layer, seeded', () => {
    const { model, data } = load(spiral);
    const net = new Trainer(model, data).network;
    const slice = randomSlice(net, 5);
    const norm = (a: ArrayLike<number>, from: number, to: number) => Math.sqrt(Array.from(a).slice(from, to).reduce((s, v) => s + v * v, 0));
    for (const d of slice.directions) {
      let offset = 0;
      for (const layer of net.layers) {
        for (let u = 0; u < layer.units; u++) {
          const from = u * layer.inputs;
          assert.ok(Math.abs(norm(d, offset + from, offset + from + layer.inputs) - norm(layer.weights, from, from + layer.inputs)) < 1e-12);
        }
        offset += layer.weights.length;
        assert.ok(Math.abs(norm(d, offset, offset + layer.units) - norm(layer.bias, 0, layer.units)) < 1e-12);
        offset += layer.units;
      }
    }
    assert.deepEqual(randomSlice(net, 5).directions, slice.directions);
    assert.notDeepEqual(randomSlice(net, 6).directions, slice.directions);
    const layerWise = randomSlice(net, 5, 'layer');
    const w0 = net.layers[0].weights;
    assert.ok(Math.abs(norm(layerWise.directions[0], 0, w0.length) - norm(w0, 0, w0.length)) < 1e-12);
  });

  it('reads parameter names as in the model file and names what is wrong', () => {
    const { model, data } = load(spiral);
    const net = new Trainer(model, data).network;
    // layers[0]: 6×2 weights + 6 biases = 18 numbers, then layers[1].weights is 3×6.
    assert.equal(parseParameterRef('layers[1].weights[2][4]', net).index, 18 + 2 * 6 + 4);
    assert.equal(parseParameterRef('layers[0].bias[5]', net).index, 12 + 5);
    assert.throws(() => parseParameterRef('layers[2].bias[0]', net), /layers\[0\] \.\. layers\[1\]/);
    assert.throws(() => parseParameterRef('layers[0].weights[6][0]', net), /units 0 \.\. 5/);
    assert.throws(() => parseParameterRef('layers[0].weights[0][2]', net), /inputs 0 \.\. 1/);
    assert.throws(() => parseParameterRef('layers[0].bias[0][0]', net), /one index/);
    assert.throws(() => parseParameterRef('w1', net), /layers\[L\]\.weights\[OUT\]\[IN\]/);
  });
});

describe('compare: run lists', () => {
  const { model } = load(spiral);
  it('keeps the model\'s optimizer block for its own type, passes learningRate to other first-order types, defaults for full-batch ones', () => {
    const runs = parseOptimizerRuns('sgd, momentum, nesterov, adam:betas=0.8/0.99:amsgrad=true, lbfgs:historySize=5', model);
    assert.deepEqual(runs.map((r) => r.optimizer), [
      { type: 'sgd', learningRate: 0.2 },
      { type: 'sgd', learningRate: 0.2, momentum: 0.9 },
      { type: 'sgd', learningRate: 0.2, momentum: 0.9, nesterov: true },
      { type: 'adam', learningRate: 0.2, betas: [0.8, 0.99], amsgrad: true },
      { type: 'lbfgs', historySize: 5 },
    ]);
    assert.ok(runs.every((r) => r.batch === model.batch));
    assert.throws(() => parseOptimizerRuns('sgd,adamax', model), /unknown name "adamax"/);
    assert.throws(() => parseOptimizerRuns('adam:lr', model), /key=value/);
  });

  it('reads training units and keeps the model\'s shuffle setting', () => {
    assert.deepEqual(parseBatchRuns('batch,mini-batch:8,stochastic', model).map((r) => r.batch), [
      { mode: 'batch', shuffle: true }, { mode: 'mini-batch', size: 8, shuffle: true }, { mode: 'stochastic', shuffle: true },
    ]);
    assert.throws(() => parseBatchRuns('mini-batch', model), /mini-batch:N/);
    assert.throws(() => parseBatchRuns('online', model), /unknown training unit "online"/);
  });
});

describe('compare command', () => {
  function cli(args: string[]) {
    let out = '';
    let err = '';
    const code = runCli(args, { out: (t) => (out += t), err: (t) => (err += t), color: false });
    return { code, out, err };
  }

  it('--json prints a CompareResult: runs with curves and paths, a G × G grid', () => {
    const r = cli(['compare', 'examples/07-optimizer-race-surface.backprop.json', '--optimizers', 'sgd,momentum,adam,lbfgs', '--epochs', '3', '--grid', '9', '--json']);
    assert.equal(r.code, 0, r.err);
    const json = JSON.parse(r.out);
    assert.deepEqual(Object.keys(json).sort(), ['epochs', 'grid', 'model', 'parameterCount', 'runs', 'slice', 'trainingSamples']);
    assert.deepEqual(json.runs.map((run: { label: string }) => run.label), ['sgd', 'momentum', 'adam', 'lbfgs']);
    for (const run of json.runs) {
      assert.equal(run.stepLoss.length, 3);
      assert.equal(run.epochLoss.length, 4);
      assert.equal(run.path.length, 4);
      assert.deepEqual(run.path[0], [0, 0]);
    }
    assert.equal(json.grid.alphas.length, 9);
    assert.equal(json.grid.loss.length, 9);
    assert.equal(json.slice.kind, 'random');
  });

  it('prints a readable summary, and usage errors for bad lists', () => {
    const r = cli(['compare', 'examples/07-optimizer-race-surface.backprop.json', '--runs', 'batch', '--epochs', '2', '--params', 'layers[0].weights[0][0],layers[0].bias[0]', '--grid', '3']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /J on the whole training split/);
    const both = cli(['compare', 'examples/xor.backprop.json', '--runs', 'batch', '--optimizers', 'sgd']);
    assert.equal(both.code, 2);
    const badParam = cli(['compare', 'examples/xor.backprop.json', '--runs', 'batch', '--params', 'layers[9].bias[0],layers[0].bias[0]']);
    assert.equal(badParam.code, 2);
    assert.match(badParam.err, /layers\[9\]\.bias\[0\]: the model has/);
    const badOptimizer = cli(['compare', 'examples/xor.backprop.json', '--optimizers', 'adam:foo=1']);
    assert.equal(badOptimizer.code, 2);
    assert.match(badOptimizer.err, /run "adam:foo=1": optimizer\.foo/);
  });
});

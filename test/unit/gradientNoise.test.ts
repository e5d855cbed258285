// The gradient-noise experiment: σ against closed forms and finite differences, the measured
// spread against σ/√n (with the finite-population factor for the trainer's draws), the lecture's
// 100 vs 10,000 table, and the CLI's JSON.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadModel } from '../../src/engine/model';
import { batchLoss, createNetwork, lossAndGradients, parameters, type Network } from '../../src/engine/network';
import { Rng } from '../../src/engine/rng';
import type { ModelFile } from '../../src/engine/types';
import type { TrainingData } from '../../src/engine/trainer';
import {
  gradientNoise, gradientSpread, lectureBatchTable, logLogSlope, populationCorrection,
} from '../../src/engine/experiments/gradientNoise';
import { perSampleGradients } from '../../src/engine/experiments/perSampleGradients';
import { runCli } from '../../src/cli/main';
import { net as explicitNet } from './helpers/engineNets';

function load(spec: object): { model: ModelFile; data: TrainingData; net: Network } {
  const loaded = loadModel(JSON.stringify(spec));
  assert.ok(loaded.model && loaded.data, JSON.stringify(loaded.diagnostics));
  return { model: loaded.model, data: loaded.data, net: createNetwork(loaded.model, new Rng(loaded.model.seed ?? 0)) };
}

const moons = {
  seed: 3, inputs: 2,
  layers: [{ units: 8, activation: 'tanh' }, { units: 2, activation: 'softmax' }],
  loss: 'cross-entropy', optimizer: { type: 'sgd', learningRate: 0.1 },
  data: { generator: 'moons', samples: 4000, noise: 0.2 },
};

function relative(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1e-300);
}

function cli(args: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = runCli(args, { out: (t) => (out += t), err: (t) => (err += t), color: false });
  return { code, out, err };
}

describe('per-sample gradients', () => {
  it('row r equals the gradient of sample r alone, for every loss pairing', () => {
    const pairings = [
      { output: 'identity', loss: 'mse' }, { output: 'tanh', loss: 'mae' },
      { output: 'softmax', loss: 'cross-entropy' }, { output: 'sigmoid', loss: 'binary-cross-entropy' },
    ] as const;
    for (const { output, loss } of pairings) {
      const net = explicitNet(3, [{ units: 4, activation: 'tanh' }, { units: 2, activation: output }], loss, 7);
      const rows = 5;
      const x = Float64Array.from({ length: rows * 3 }, (_, i) => Math.sin(i + 1));
      const y = Float64Array.from({ length: rows * 2 }, (_, i) => (loss === 'cross-entropy' ? (i % 2 === Math.floor(i / 2) % 2 ? 1 : 0) : 0.5 + 0.4 * Math.cos(i)));
      const table = perSampleGradients(net, loss, x, y, rows);
      const width = table.length / rows;
      for (let r = 0; r < rows; r++) {
        const alone = lossAndGradients(net, { loss }, x.subarray(r * 3, r * 3 + 3), y.subarray(r * 2, r * 2 + 2), 1).grads;
        let offset = 0;
        for (const g of alone) {
          for (let i = 0; i < g.length; i++) {
            assert.ok(Math.abs(table[r * width + offset + i] - g[i]) <= 1e-12 * Math.max(1, Math.abs(g[i])), `${output}/${loss} row ${r} parameter ${offset + i}`);
          }
          offset += g.length;
        }
      }
    }
  });
});

describe('σ, the per-sample spread of the gradient', () => {
  it('matches the closed form of linear least squares: ∇_w ℓᵢ = 2rᵢxᵢ, ∇_b ℓᵢ = 2rᵢ', () => {
    const { data, net } = load({
      seed: 1, inputs: 2, layers: [{ units: 1, activation: 'identity', weights: [[0.3, -0.7]], bias: [0.2] }],
      loss: 'mse', optimizer: { type: 'sgd' }, data: { generator: 'linear', samples: 500, noise: 0.3 },
    });
    const { dataset, split } = data;
    const perSample = split.train.map((row) => {
      const [x1, x2] = [dataset.x[2 * row], dataset.x[2 * row + 1]];
      const r = 0.3 * x1 - 0.7 * x2 + 0.2 - dataset.y[row];
      return [2 * r * x1, 2 * r * x2, 2 * r];
    });
    const mean = [0, 1, 2].map((j) => perSample.reduce((s, g) => s + g[j], 0) / perSample.length);
    const sigma = Math.sqrt(perSample.reduce((s, g) => s + g.reduce((t, v, j) => t + (v - mean[j]) ** 2, 0), 0) / perSample.length);
    const spread = gradientSpread(net, { loss: 'mse' }, data);
    assert.ok(relative(spread.sigma, sigma) < 1e-12, `${spread.sigma} vs ${sigma}`);
    mean.forEach((m, j) => assert.ok(Math.abs(spread.gradient[j] - m) < 1e-12));
  });

  it('matches central finite differences of each sample loss on a small tanh network', () => {
    const { model, data, net } = load({
      seed: 5, inputs: 2, layers: [{ units: 3, activation: 'tanh' }, { units: 2, activation: 'softmax' }],
      loss: 'cross-entropy', optimizer: { type: 'sgd' }, data: { generator: 'moons', samples: 40, noise: 0.2 },
    });
    const live = parameters(net);
    const { dataset, split } = data;
    const gradientOf = (row: number): number[] => {
      const x = dataset.x.subarray(row * 2, row * 2 + 2);
      const y = dataset.y.subarray(row * 2, row * 2 + 2);
      const out: number[] = [];
      for (const p of live) {
        for (let i = 0; i < p.length; i++) {
          const keep = p[i];
          const h = 1e-5 * Math.max(1, Math.abs(keep));
          p[i] = keep + h;
          const up = batchLoss(net, { loss: model.loss }, x, y, 1);
          p[i] = keep - h;
          const down = batchLoss(net, { loss: model.loss }, x, y, 1);
          p[i] = keep;
          out.push((up - down) / (2 * h));
        }
      }
      return out;
    };
    const grads = split.train.map(gradientOf);
    const mean = grads[0].map((_, j) => grads.reduce((s, g) => s + g[j], 0) / grads.length);
    const sigma = Math.sqrt(grads.reduce((s, g) => s + g.reduce((t, v, j) => t + (v - mean[j]) ** 2, 0), 0) / grads.length);
    const spread = gradientSpread(net, { loss: model.loss }, data);
    assert.ok(relative(spread.sigma, sigma) < 1e-6, `${spread.sigma} vs ${sigma}`);
  });

  it('leaves regularization out: its gradient is the same for every batch', () => {
    const plain = load(moons);
    const withReg = load({ ...moons, regularization: { l1: 0.01, l2: 0.1 } });
    const a = gradientSpread(plain.net, { loss: plain.model.loss, regularization: plain.model.regularization }, plain.data);
    const b = gradientSpread(withReg.net, { loss: withReg.model.loss, regularization: withReg.model.regularization }, withReg.data);
    assert.equal(b.sigma, a.sigma);
    assert.deepEqual(b.gradient, a.gradient);
  });
});

describe('the measured spread of mini-batch gradients', () => {
  const { model, data, net } = load(moons);
  const lossSpec = { loss: model.loss };

  for (const sampling of ['epochs', 'replacement'] as const) {
    it(`follows σ/√n within 20% with a log-log slope of −0.5 ± 0.1 (${sampling === 'epochs' ? "the trainer's draws" : 'independent draws'})`, () => {
      const r = gradientNoise(net, lossSpec, data, { sizes: [1, 4, 16, 64], draws: 300, seed: 11, sampling });
      assert.equal(r.samples, data.split.train.length);
      r.sizes.forEach((n, i) => {
        const factor = sampling === 'epochs' ? Math.sqrt((r.samples - n) / (r.samples - 1)) : 1;
        assert.ok(relative(r.predicted[i], (r.sigma / Math.sqrt(n)) * factor) < 1e-12);
        assert.ok(Math.abs(r.std[i] / r.predicted[i] - 1) < 0.2, `n = ${n}: measured ${r.std[i]}, predicted ${r.predicted[i]}`);
      });
      // Sizes ≪ N: the raw slope and the slope with the population factor divided out both follow −0.5.
      assert.ok(Math.abs(r.slope + 0.5) < 0.1, `slope ${r.slope}`);
      assert.ok(Math.abs(r.correctedSlope + 0.5) < 0.1, `corrected slope ${r.correctedSlope}`);
    });
  }

  it('shrinks by the finite-population factor when n is a large share of N (the trainer draws without replacement)', () => {
    const small = load({ ...moons, data: { generator: 'moons', samples: 200, noise: 0.2 } });
    const r = gradientNoise(small.net, lossSpec, small.data, { sizes: [20, 100, 150, 190], draws: 400, seed: 4 });
    r.sizes.forEach((n, i) => {
      const withReplacement = r.sigma / Math.sqrt(n);
      assert.ok(Math.abs(r.std[i] / r.predicted[i] - 1) < 0.2, `n = ${n}: ${r.std[i]} vs corrected ${r.predicted[i]}`);
      if (n >= 150) assert.ok(r.std[i] < 0.6 * withReplacement, `n = ${n}: ${r.std[i]} should be well below σ/√n = ${withReplacement}`);
    });
    // The raw slope bends away from −0.5 as n approaches N; divided by the factor it does not.
    assert.ok(r.slope < -0.7, `raw slope ${r.slope}`);
    assert.ok(Math.abs(r.correctedSlope + 0.5) < 0.1, `corrected slope ${r.correctedSlope}`);
  });

  it('is 0 for a batch of the whole training split', () => {
    const r = gradientNoise(net, lossSpec, data, { sizes: [data.split.train.length], draws: 3, seed: 1 });
    assert.ok(r.std[0] < 1e-12 * r.sigma, `${r.std[0]}`);
    assert.equal(r.predicted[0], 0);
  });

  it('gives the same numbers whether mini-batch gradients come from the per-sample table or from new passes', () => {
    const options = { sizes: [1, 7, 50], draws: 40, seed: 9 };
    const fromTable = gradientNoise(net, lossSpec, data, options);
    const fromPasses = gradientNoise(net, lossSpec, data, options, gradientSpread(net, lossSpec, data, 1));
    assert.equal(gradientSpread(net, lossSpec, data, 1).table, undefined);
    fromTable.std.forEach((s, i) => assert.ok(relative(s, fromPasses.std[i]) < 1e-10));
    assert.ok(relative(fromTable.sigma, fromPasses.sigma) < 1e-12);
  });

  it('rejects sizes larger than the training split and empty size lists', () => {
    assert.throws(() => gradientNoise(net, lossSpec, data, { sizes: [5000], draws: 1, seed: 0 }), /larger than the training split/);
    assert.throws(() => gradientNoise(net, lossSpec, data, { sizes: [], draws: 1, seed: 0 }), /at least one/);
  });
});

describe('helpers', () => {
  it('logLogSlope recovers exponents of power laws and skips zeros', () => {
    assert.ok(Math.abs(logLogSlope([1, 4, 16], [3, 1.5, 0.75]) + 0.5) < 1e-12);
    assert.ok(Math.abs(logLogSlope([1, 2, 8, 10], [5, 20, 320, 0]) - 2) < 1e-12);
  });
  it('populationCorrection is √((N−n)/(N−1))', () => {
    assert.equal(populationCorrection(101, 1), 1);
    assert.equal(populationCorrection(101, 101), 0);
    assert.ok(Math.abs(populationCorrection(20000, 10000) - Math.sqrt(10000 / 19999)) < 1e-15);
  });
});

describe("the lecture's 100 vs 10,000 table", () => {
  const file = 'examples/09-training-units.backprop.json';
  const loaded = loadModel(readFileSync(file, 'utf8'));
  const model = loaded.model!;
  const data = loaded.data!;
  const net = createNetwork(model, new Rng(model.seed ?? 0));

  it('100× the computation for 1/10 the spread (independent draws), and the population factor on top (the trainer\'s draws)', () => {
    const t = lectureBatchTable(net, { loss: model.loss }, data, { draws: 300, seed: 2 });
    const N = data.split.train.length;
    assert.equal(N, 20000);
    assert.equal(t.computationRatio, 100);
    assert.ok(Math.abs(t.withReplacement.predictedRatio - 0.1) < 1e-12);
    assert.ok(Math.abs(t.withReplacement.ratio / 0.1 - 1) < 0.2, `ratio ${t.withReplacement.ratio}`);
    const expected = 0.1 * Math.sqrt((N - 10000) / (N - 1)) / Math.sqrt((N - 100) / (N - 1));
    assert.ok(Math.abs(t.withoutReplacement.predictedRatio - expected) < 1e-12);
    assert.ok(Math.abs(t.withoutReplacement.ratio / expected - 1) < 0.2, `ratio ${t.withoutReplacement.ratio} vs ${expected}`);
    for (const part of [t.withReplacement, t.withoutReplacement]) {
      part.std.forEach((s, i) => assert.ok(Math.abs(s / part.predicted[i] - 1) < 0.2, `${s} vs ${part.predicted[i]}`));
    }
  });
});

describe('noise command', () => {
  it('--json prints sizes, std, predicted and sigma, one number per size', () => {
    const r = cli(['noise', 'examples/07-optimizer-race.backprop.json', '--sizes', '1,4,16', '--samples', '50', '--json']);
    assert.equal(r.code, 0, r.err);
    const json = JSON.parse(r.out);
    assert.deepEqual(json.sizes, [1, 4, 16]);
    for (const key of ['std', 'predicted', 'populationCorrection']) {
      assert.equal(json[key].length, 3, key);
      assert.ok(json[key].every((v: unknown) => typeof v === 'number' && v > 0), key);
    }
    assert.equal(typeof json.sigma, 'number');
    assert.equal(json.withReplacement, false);
    assert.equal(json.step, 0);
  });

  it('--step S measures at the weights after S steps', () => {
    const at0 = JSON.parse(cli(['noise', 'examples/07-optimizer-race.backprop.json', '--sizes', '4', '--samples', '5', '--json']).out);
    const at5 = JSON.parse(cli(['noise', 'examples/07-optimizer-race.backprop.json', '--sizes', '4', '--samples', '5', '--step', '5', '--json']).out);
    assert.equal(at5.step, 5);
    assert.notEqual(at5.sigma, at0.sigma);
  });

  it('prints a table with the slope, and says how batches are drawn', () => {
    const r = cli(['noise', 'examples/07-optimizer-race.backprop.json', '--sizes', '1,4', '--samples', '20']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /without\s+replacement/);
    assert.match(r.out, /log-log slope/);
  });

  it('explains bad sizes and too-small data sets', () => {
    const bad = cli(['noise', 'examples/xor.backprop.json', '--sizes', '1,x']);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--sizes needs whole numbers/);
    const small = cli(['noise', 'examples/xor.backprop.json', '--lecture-table']);
    assert.equal(small.code, 1);
    assert.match(small.err, /larger than the training split \(4 samples\).*at least 10,000/);
  });
});

// Generated and built-in datasets: determinism per seed, the shapes the generators promise, and
// the shipped Iris and digits files checked against figures published with them.
import { strict as assert } from 'node:assert';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { generateDataset } from '../../src/engine/data/generators';
import { findDatasetsDir, nodeFileReader } from '../../src/engine/data/nodeFiles';
import { loadModel } from '../../src/engine/model';
import type { GeneratorName } from '../../src/engine/types';

const CLASSIFIERS: GeneratorName[] = ['xor', 'circles', 'two-gaussians', 'spiral', 'moons'];
const datasetsDir = findDatasetsDir(__dirname)!;

function rows(x: Float64Array, width: number): number[][] {
  return Array.from({ length: x.length / width }, (_, i) => [...x.subarray(i * width, (i + 1) * width)]);
}

describe('generators', () => {
  for (const g of [...CLASSIFIERS, 'linear', 'sine'] as GeneratorName[]) {
    it(`${g}: the same seed gives the same data, another seed other data`, () => {
      const inputs = g === 'sine' ? 1 : g === 'linear' ? 3 : 2;
      const a = generateDataset({ generator: g, samples: 50, noise: 0.2 }, 7, inputs, 1);
      const b = generateDataset({ generator: g, samples: 50, noise: 0.2 }, 7, inputs, 1);
      const c = generateDataset({ generator: g, samples: 50, noise: 0.2 }, 8, inputs, 1);
      assert.deepEqual(a, b);
      assert.notDeepEqual([...a.x], [...c.x]);
      assert.equal(a.x.length, 50 * inputs);
    });
  }

  it('classification: balanced classes, one 0/1 column for a 1-unit output, one-hot otherwise', () => {
    const column = generateDataset({ generator: 'moons', samples: 101 }, 1, 2, 1);
    assert.equal(column.outputs, 1);
    assert.equal([...column.y].filter((v) => v === 1).length, 50);
    const hot = generateDataset({ generator: 'spiral', samples: 90, classes: 3 }, 1, 2, 3);
    assert.equal(hot.outputs, 3);
    for (let k = 0; k < 3; k++) assert.equal(rows(hot.y, 3).filter((r) => r[k] === 1 && r.reduce((s, v) => s + v) === 1).length, 30);
  });

  it('without noise the points lie where each generator says', () => {
    const label = (y: Float64Array, i: number) => y[i];
    const xor = generateDataset({ generator: 'xor', samples: 200, noise: 0 }, 3, 2, 1);
    rows(xor.x, 2).forEach(([a, b], i) => assert.equal(label(xor.y, i), a * b < 0 ? 1 : 0));
    const circles = generateDataset({ generator: 'circles', samples: 100, noise: 0 }, 3, 2, 1);
    rows(circles.x, 2).forEach(([a, b], i) => assert.ok(Math.abs(Math.hypot(a, b) - (label(circles.y, i) ? 0.5 : 1)) < 1e-12));
    const moons = generateDataset({ generator: 'moons', samples: 100, noise: 0 }, 3, 2, 1);
    rows(moons.x, 2).forEach(([a, b], i) => {
      const [cx, cy] = label(moons.y, i) ? [1, 0.5] : [0, 0];
      assert.ok(Math.abs(Math.hypot(a - cx, b - cy) - 1) < 1e-12);
    });
    const linear = generateDataset({ generator: 'linear', samples: 30, noise: 0 }, 3, 3, 1);
    rows(linear.x, 3).forEach(([a, b, c], i) => assert.ok(Math.abs(linear.y[i] - (0.5 + a - b / 2 + c / 3)) < 1e-12));
    const sine = generateDataset({ generator: 'sine', samples: 30, noise: 0 }, 3, 1, 1);
    sine.x.forEach((v, i) => assert.ok(Math.abs(sine.y[i] - Math.sin(v)) < 1e-15 && Math.abs(v) <= Math.PI));
  });

  it('noise has the requested standard deviation (regression residuals, 20,000 samples)', () => {
    const d = generateDataset({ generator: 'sine', samples: 20000, noise: 0.3 }, 11, 1, 1);
    const residuals = [...d.y].map((v, i) => v - Math.sin(d.x[i]));
    const std = Math.sqrt(residuals.reduce((s, r) => s + r * r, 0) / residuals.length);
    assert.ok(Math.abs(std - 0.3) < 0.3 * 0.03, `std ${std}`);
  });

  it('a generator that does not fit the model is named at the field to change', () => {
    const base = { inputs: 3, layers: [{ units: 1, activation: 'sigmoid' }], loss: 'binary-cross-entropy', optimizer: { type: 'sgd', learningRate: 0.1 }, data: { generator: 'xor' } };
    assert.equal(loadModel(JSON.stringify(base)).diagnostics[0].path, 'inputs');
    const wide = { ...base, inputs: 2, layers: [{ units: 3, activation: 'softmax' }], loss: 'cross-entropy' };
    const d = loadModel(JSON.stringify(wide)).diagnostics[0];
    assert.equal(d.path, 'layers[0].units');
    assert.match(d.message, /2 target columns .* set layers\[0\].units to 2/);
  });
});

describe('built-in datasets', () => {
  const builtins = nodeFileReader(datasetsDir);
  const load = (builtin: string, inputs: number, classes: number, normalize?: string) =>
    loadModel(JSON.stringify({ inputs, layers: [{ units: classes, activation: 'softmax' }], loss: 'cross-entropy', optimizer: { type: 'sgd', learningRate: 0.1 }, data: { builtin, normalize } }), { builtins });

  it('iris: 150 × 4, three species of 50, column means as published (5.843, 3.057, 3.758, 1.199 cm)', () => {
    const { data, diagnostics } = load('iris', 4, 3);
    assert.deepEqual(diagnostics, []);
    const d = data!.dataset;
    assert.deepEqual([d.samples, d.inputs, d.outputs], [150, 4, 3]);
    assert.deepEqual(d.outputNames, ['setosa', 'versicolor', 'virginica']);
    for (let k = 0; k < 3; k++) assert.equal(rows(d.y, 3).filter((r) => r[k] === 1).length, 50);
    const means = [0, 1, 2, 3].map((j) => rows(d.x, 4).reduce((s, r) => s + r[j], 0) / 150);
    [5.8433, 3.0573, 3.758, 1.1993].forEach((m, j) => assert.ok(Math.abs(means[j] - m) < 1e-4, `mean ${j}: ${means[j]}`));
  });

  it('digits: 1,797 × 64 pixels in 0..16, class counts as documented by scikit-learn', () => {
    const { data, diagnostics } = load('digits', 64, 10);
    assert.deepEqual(diagnostics, []);
    const d = data!.dataset;
    assert.deepEqual([d.samples, d.inputs, d.outputs], [1797, 64, 10]);
    assert.ok(d.x.every((v) => Number.isInteger(v) && v >= 0 && v <= 16));
    const counts = Array.from({ length: 10 }, (_, k) => rows(d.y, 10).filter((r) => r[k] === 1).length);
    assert.deepEqual(counts, [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]);
  });

  it('standard scaling of iris gives zero mean and unit variance on the training rows', () => {
    const { data } = load('iris', 4, 3, 'standard');
    for (let j = 0; j < 4; j++) {
      const column = rows(data!.dataset.x, 4).map((r) => r[j]);
      const mean = column.reduce((s, v) => s + v) / 150;
      const variance = column.reduce((s, v) => s + (v - mean) ** 2, 0) / 150;
      assert.ok(Math.abs(mean) < 1e-12 && Math.abs(variance - 1) < 1e-12);
    }
  });

  it('the shipped files stay compact (under 512 kB together)', () => {
    const total = readdirSync(datasetsDir).reduce((s, f) => s + statSync(join(datasetsDir, f)).size, 0);
    assert.ok(total < 512 * 1024, `${total} bytes`);
  });
});

// Splits: a seeded partition, stratified within one sample of the class shares, and a test set
// that never reaches training (checked through the trainer's own batches).
import { strict as assert } from 'node:assert';
import { apportion, classLabels, partSizes, splitIndices } from '../../src/engine/data/split';
import { loadModel } from '../../src/engine/model';
import { Rng } from '../../src/engine/rng';
import { Trainer } from '../../src/engine/trainer';
import type { Dataset } from '../../src/engine/types';

/** A one-hot dataset whose class of row i is labels[i]. */
function classified(labels: number[], classes: number): Dataset {
  const y = new Float64Array(labels.length * classes);
  labels.forEach((c, i) => (y[i * classes + c] = 1));
  return { x: Float64Array.from(labels.map((_, i) => i)), y, samples: labels.length, inputs: 1, outputs: classes };
}

describe('splitIndices', () => {
  it('without validation or test, training is every row in file order and the generator is untouched', () => {
    const rng = new Rng(3);
    const before = rng.getState();
    const s = splitIndices(classified([0, 1, 1, 0, 1], 2), { train: 1 }, rng, true);
    assert.deepEqual(s, { train: [0, 1, 2, 3, 4], validation: [], test: [] });
    assert.deepEqual(rng.getState(), before);
  });

  it('is a partition of the rows with the rounded part sizes, the same for the same seed', () => {
    const data: Dataset = { x: new Float64Array(103), y: Float64Array.from({ length: 103 }, (_, i) => Math.sin(i)), samples: 103, inputs: 1, outputs: 1 };
    const ratios = { train: 0.7, validation: 0.2, test: 0.1 };
    const a = splitIndices(data, ratios, new Rng(9), true);
    const b = splitIndices(data, ratios, new Rng(9), true);
    const c = splitIndices(data, ratios, new Rng(10), true);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a.test, c.test);
    assert.deepEqual([a.train.length, a.validation.length, a.test.length], [72, 21, 10]);
    assert.deepEqual([...a.train, ...a.validation, ...a.test].sort((p, q) => p - q), Array.from({ length: 103 }, (_, i) => i));
  });

  it('stratified parts keep every class share within one sample, over many random cases', () => {
    const rng = new Rng(2024);
    for (let trial = 0; trial < 300; trial++) {
      const classes = 2 + rng.int(5);
      const labels = Array.from({ length: 5 + rng.int(200) }, () => (rng.uniform() < 0.6 ? rng.int(classes) : 0));
      const used = [...new Set(labels)].length;
      if (used < 2) continue;
      const validation = Math.round(rng.uniform() * 40) / 100;
      const test = Math.round(rng.uniform() * 40) / 100;
      const ratios = { train: 1 - validation - test, validation, test };
      const data = classified(labels, classes);
      const split = splitIndices(data, ratios, new Rng(trial), true);
      const sizes = partSizes(labels.length, ratios);
      const parts = [split.train, split.validation, split.test];
      parts.forEach((part, p) => assert.equal(part.length, sizes[p]));
      for (let c = 0; c < classes; c++) {
        const inClass = labels.filter((l) => l === c).length;
        parts.forEach((part, p) => {
          const count = part.filter((i) => labels[i] === c).length;
          const exact = (inClass * sizes[p]) / labels.length;
          assert.ok(Math.abs(count - exact) <= 1, `trial ${trial} class ${c} part ${p}: ${count} vs ${exact}`);
        });
      }
    }
  });

  it('apportion hits the class and part totals exactly', () => {
    const counts = apportion([7, 1, 1, 1], [4, 3, 3]);
    assert.deepEqual(counts.map((row) => row.reduce((a, b) => a + b, 0)), [7, 1, 1, 1]);
    assert.deepEqual([0, 1, 2].map((p) => counts.reduce((s, row) => s + row[p], 0)), [4, 3, 3]);
  });

  it('regression targets are shuffled without classes; stratify: true on them is an error', () => {
    assert.equal(classLabels({ x: new Float64Array(2), y: Float64Array.from([0.5, 1]), samples: 2, inputs: 1, outputs: 1 }), undefined);
    const text = JSON.stringify({ inputs: 1, layers: [{ units: 1, activation: 'identity' }], loss: 'mse', optimizer: { type: 'sgd', learningRate: 0.1 }, data: { generator: 'sine', samples: 20 }, split: { train: 0.5, test: 0.5, stratify: true } });
    const { diagnostics } = loadModel(text);
    assert.equal(diagnostics[0].path, 'split.stratify');
  });
});

describe('the test split never reaches training', () => {
  it('every row the trainer trains on is a training row, over several epochs with shuffling', () => {
    const text = JSON.stringify({
      seed: 5, inputs: 2, layers: [{ units: 4, activation: 'tanh' }, { units: 3, activation: 'softmax' }], loss: 'cross-entropy',
      optimizer: { type: 'sgd', learningRate: 0.1 }, data: { generator: 'spiral', samples: 60, classes: 3 },
      split: { train: 0.5, validation: 0.25, test: 0.25 }, batch: { mode: 'mini-batch', size: 7, shuffle: true },
    });
    const { model, data, diagnostics } = loadModel(text);
    assert.deepEqual(diagnostics, []);
    const held = new Set([...data!.split.test, ...data!.split.validation]);
    const trainer = new Trainer(model!, data!);
    const rowKey = (x: ArrayLike<number>, r: number) => `${x[2 * r]},${x[2 * r + 1]}`;
    const heldInputs = new Set([...held].map((r) => rowKey(data!.dataset.x, r)));
    const seen = new Set<number>();
    for (let step = 0; step < 30; step++) {
      const record = trainer.step();
      // StepTrace.batch holds positions in the training split; map them back to dataset rows.
      for (const position of record.batch) seen.add(data!.split.train[position]);
      // Independently of any index bookkeeping: no input the network saw is a held-out row.
      const input = record.layers[0].input!;
      for (let r = 0; r < record.layers[0].rows; r++) assert.ok(!heldInputs.has(rowKey(input, r)), `step ${step + 1} trained on a held-out input`);
    }
    for (const row of seen) assert.ok(!held.has(row), `row ${row} of the held-out data was trained on`);
    assert.deepEqual([...seen].sort((a, b) => a - b), data!.split.train);
  });
});

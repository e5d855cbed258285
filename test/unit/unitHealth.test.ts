// Dead and saturated units on layers built by hand, where the answer is known by construction:
// the thresholds come from closed forms (σ′(z) = σ(1 − σ) = 0.1 · ¼ at z* = ln((1 + √0.9)/(1 − √0.9)),
// tanh′(z) = 1 − tanh² = 0.1 at z* = atanh(√0.9)), z = W·x + b is written out in plain loops here.
import { strict as assert } from 'node:assert';
import type { ActivationName, LayerRecord, StepRecord } from '../../src/engine/types';
import type { DenseLayer } from '../../src/engine/network';
import { DEFAULT_SATURATION, deadInBatch, saturatedUnits, unitHealth } from '../../src/engine/unitHealth';

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** A record of one layer whose z is given sample by sample (rows × units), a = f(z). */
function layerWithZ(activation: ActivationName, z: number[][], f: (z: number) => number): LayerRecord {
  const rows = z.length;
  const units = z[0].length;
  return {
    index: 0, units, inputs: 1, activation, rows,
    weights: new Float64Array(units), bias: new Float64Array(units),
    z: Float64Array.from(z.flat()), a: Float64Array.from(z.flat(), f),
  };
}

/** z = W·x + b for each row of x, written out. */
function affine(x: number[][], w: number[][], b: number[]): number[][] {
  return x.map((row) => w.map((wj, j) => wj.reduce((s, wji, i) => s + wji * row[i], b[j])));
}

const relu = (z: number) => Math.max(0, z);

describe('unit health (dead ReLU, saturated sigmoid/tanh)', () => {
  it('marks a sigmoid unit saturated only when σ′(z) < 0.1·¼ for every sample, at the closed-form threshold', () => {
    const edge = Math.log((1 + Math.sqrt(0.9)) / (1 - Math.sqrt(0.9))); // ≈ 3.633
    const layer = layerWithZ('sigmoid', [
      // unit 0: far out on both sides; 1: one sample near 0; 2: just inside; 3: just outside
      [8, 5, edge - 0.01, edge + 0.01],
      [-6, 0.1, -(edge + 0.5), -(edge + 0.01)],
      [7, 6, edge + 1, edge + 2],
    ], sigmoid);
    assert.deepEqual(saturatedUnits(layer), [0, 3]);
    assert.equal(DEFAULT_SATURATION, 0.1);
    // A looser fraction (σ′ < 0.5·¼ ⇔ |z| > ln((1 + √0.5)/(1 − √0.5)) ≈ 1.76) takes unit 2 too.
    assert.deepEqual(saturatedUnits(layer, 0.5), [0, 2, 3]);
  });

  it('marks a tanh unit saturated when 1 − tanh²(z) < 0.1 for every sample (|z| > atanh(√0.9))', () => {
    const edge = Math.atanh(Math.sqrt(0.9)); // ≈ 1.818
    const layer = layerWithZ('tanh', [[edge + 0.01, edge - 0.01, 3], [-(edge + 0.2), 4, -3]], Math.tanh);
    assert.deepEqual(saturatedUnits(layer), [0, 2]);
  });

  it('never marks ReLU, identity or a layer whose forward has not run as saturated', () => {
    assert.deepEqual(saturatedUnits(layerWithZ('relu', [[50, -50]], relu)), []);
    assert.deepEqual(saturatedUnits(layerWithZ('identity', [[50, -50]], (z) => z)), []);
    const pending = layerWithZ('sigmoid', [[9]], sigmoid);
    delete pending.z;
    delete pending.a;
    assert.deepEqual(saturatedUnits(pending), []);
    // With no ReLU unit dead on the batch, the training split is not even asked for.
    const record: StepRecord = { step: 1, epoch: 1, batch: [0], layers: [layerWithZ('relu', [[1, 2]], relu)] };
    const net: DenseLayer[] = [{ inputs: 1, units: 2, activation: 'relu', slope: 0, weights: new Float64Array(2), bias: new Float64Array(2) }];
    assert.deepEqual(unitHealth(record, { layers: net }, () => assert.fail('the split was read')), [{ dead: [], saturated: [] }]);
  });

  it('confirms ReLU units dead on the whole training split, not only on the batch, with the record\'s weights', () => {
    // Training split: x₁ takes both signs. The batch is its first two rows, where x₁ < 0.
    const split = [[-1, 0.5], [-0.5, -1], [0.8, 0.2], [0.3, -0.7]];
    const batch = split.slice(0, 2);
    // Layer 1: unit 0 has bias −5 (z ≤ −3.5 on [−1, 1]²: dead); unit 1 has z = x₁ (≤ 0 on the batch,
    // > 0 on rows 3 and 4: alive); unit 2 has z = x₁ + x₂ + 3 > 0 (alive).
    const w1 = [[0.6, -0.4], [1, 0], [1, 1]];
    const b1 = [-5, 0, 3];
    // Layer 2 on a¹: unit 0 has W = 0, b = 0 so z = 0 for every sample (dead: ReLU′(0) = 0);
    // unit 1 has z = a¹₃ − 10 ≤ −5 on this data (dead); unit 2 has z = a¹₃ (alive).
    const w2 = [[0, 0, 0], [0, 0, 1], [0, 0, 1]];
    const b2 = [0, -10, 0];
    const a1 = (x: number[][]) => affine(x, w1, b1).map((row) => row.map(relu));
    const z1 = affine(batch, w1, b1);
    const z2 = affine(a1(batch), w2, b2);
    const layer = (index: number, w: number[][], b: number[], z: number[][], inputs: number): LayerRecord => ({
      index, units: 3, inputs, activation: 'relu', rows: batch.length,
      weights: Float64Array.from(w.flat()), bias: Float64Array.from(b), z: Float64Array.from(z.flat()), a: Float64Array.from(z.flat(), relu),
    });
    const record: StepRecord = { step: 1, epoch: 1, batch: [0, 1], layers: [layer(0, w1, b1, z1, 2), layer(1, w2, b2, z2, 3)] };
    assert.deepEqual(deadInBatch(record.layers[0]), [0, 1], 'unit 1 looks dead on the batch alone');
    // The network's own weights have moved on (all zero, bias 1: nothing dead); the record's count.
    const moved = (inputs: number): DenseLayer => ({ inputs, units: 3, activation: 'relu', slope: 0, weights: new Float64Array(3 * inputs), bias: new Float64Array(3).fill(1) });
    const health = unitHealth(record, { layers: [moved(2), moved(3)] }, () => ({ x: Float64Array.from(split.flat()), rows: split.length }));
    assert.deepEqual(health, [{ dead: [0], saturated: [] }, { dead: [0, 1], saturated: [] }]);
    // Independently: which units have z ≤ 0 on every row of the split, by the loops above.
    const deadBy = (z: number[][]) => [0, 1, 2].filter((u) => z.every((row) => row[u] <= 0));
    assert.deepEqual(deadBy(affine(split, w1, b1)), health[0].dead);
    assert.deepEqual(deadBy(affine(a1(split), w2, b2)), health[1].dead);
  });

  it('reports nothing for a layer whose forward has not run yet (a step in progress)', () => {
    const first = layerWithZ('relu', [[-1, 2]], relu);
    const second = { ...layerWithZ('sigmoid', [[9, -9]], sigmoid), index: 1 };
    delete second.z;
    delete second.a;
    const record: StepRecord = { step: 1, epoch: 1, batch: [0], layers: [first, second] };
    const net = [first, second].map((l): DenseLayer => ({ inputs: 1, units: 2, activation: l.activation, slope: 0, weights: l.weights, bias: l.bias }));
    assert.deepEqual(unitHealth(record, { layers: net }, () => ({ x: Float64Array.of(0), rows: 1 })), [{ dead: [0], saturated: [] }, { dead: [], saturated: [] }]);
  });
});

// What history at any length keeps per step and per move (issue 16 item 4): the loss history in
// float64 chunks (values and the gaps between them as a plain array would give them, across chunk
// boundaries), and the evaluation log a move back trims from its tail (the same entries, in the
// same order, as filtering the whole log would leave).
import { strict as assert } from 'node:assert';
import { Float64Series } from '../../src/engine/float64Series';
import { loadModel } from '../../src/engine/model';
import { Trainer } from '../../src/engine/trainer';
import type { ModelFile } from '../../src/engine/types';

describe('Float64Series (the loss history in chunks)', () => {
  it('reads back what was set, across chunk boundaries, as a plain array would', () => {
    const series = new Float64Series(4);
    const plain: number[] = [];
    for (let i = 0; i < 23; i++) {
      const value = Math.sin(i * 0.7) * 1e-3 + i;
      series.set(i, value);
      plain[i] = value;
    }
    series.set(5, -0); // an overwrite (a step trained again after Step Back), the sign of zero kept
    plain[5] = -0;
    assert.equal(series.length, 23);
    for (const [start, end] of [[0, 23], [3, 9], [4, 8], [7, 7], [0, 1], [22, 23], [-5, 2], [20, 100]]) {
      const copied = series.copy(start, end);
      assert.deepEqual(Array.from(copied), plain.slice(Math.max(0, start), end), `copy(${start}, ${end})`);
    }
    assert.ok(Object.is(series.copy(5, 6)[0], -0));
  });

  it('reads NaN where no value was given, and refuses an index that is not a whole number ≥ 0', () => {
    const series = new Float64Series(4);
    series.set(9, 1.5);
    assert.equal(series.length, 10);
    const copied = Array.from(series.copy(0, 10));
    assert.ok(copied.slice(0, 9).every(Number.isNaN), JSON.stringify(copied));
    assert.equal(copied[9], 1.5);
    assert.throws(() => series.set(-1, 0), /whole number ≥ 0, got -1/);
    assert.throws(() => series.set(1.5, 0), /whole number ≥ 0, got 1.5/);
    assert.throws(() => new Float64Series(0), /at least 1 value, got 0/);
  });
});

describe('a move back trims the evaluation log from its tail', () => {
  it('forgets the epoch ends after the step landed on and keeps every requested evaluation, in order', () => {
    const x = Array.from({ length: 12 }, (_, i) => [Math.sin(i), Math.cos(i * 0.3)]);
    const file: ModelFile = {
      seed: 2, inputs: 2, layers: [{ units: 3, activation: 'tanh' }, { units: 1, activation: 'identity' }],
      loss: 'mse', optimizer: { type: 'adam', learningRate: 0.01 },
      data: { x, y: x.map(([a, b]) => [a - b]) },
      split: { train: 0.5, validation: 0.25, test: 0.25 },
      batch: { mode: 'mini-batch', size: 2, shuffle: true },
    };
    const loaded = loadModel(JSON.stringify(file));
    assert.ok(loaded.model && loaded.data, JSON.stringify(loaded.diagnostics));
    // A checkpoint at every step: each move back restores its target without replaying (a replay
    // would measure the epoch ends on the way again, after the requests).
    const trainer = new Trainer(loaded.model, loaded.data, { trace: false, checkpointInterval: 1 });
    // Requests between epoch ends, and after going back (a request at a step earlier than logged ones).
    for (let s = 1; s <= 40; s++) {
      trainer.step();
      if (s % 7 === 0) trainer.evaluate('test');
    }
    trainer.history.goTo(25);
    trainer.evaluate('validation');
    for (let s = 26; s <= 33; s++) trainer.step();
    const before = [...trainer.evaluations];
    assert.ok(before.filter((e) => e.trigger === 'epoch-end').length >= 20 && before.filter((e) => e.trigger === 'request').length === 6);
    for (const target of [31, 18, 18, 3, 0]) {
      trainer.history.goTo(target);
      const expected = before.filter((e) => e.trigger === 'request' || e.step <= target);
      assert.deepEqual(trainer.evaluations, expected, `after going back to step ${target}`);
    }
  });
});

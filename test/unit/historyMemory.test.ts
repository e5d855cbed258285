// What history at any length keeps per step and per move (issue 16 item 4): the loss history in
// float64 chunks (values and the gaps between them as a plain array would give them, across chunk
// boundaries), and the epoch figures, measured once and kept across moves back and forward (the
// second machine a replay runs on measures none).
import { strict as assert } from 'node:assert';
import { Float64Series } from '../../src/engine/float64Series';
import type { Trainer } from '../../src/engine/trainer';
import { TrainingSession } from '../../src/extension/session';
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

describe('epoch figures across moves back and forward', () => {
  it("the loss view's epoch rows are those first measured, up to the step on screen, however the session moved there", async () => {
    const x = Array.from({ length: 12 }, (_, i) => [Math.sin(i), Math.cos(i * 0.3)]);
    const file: ModelFile = {
      seed: 2, inputs: 2, layers: [{ units: 3, activation: 'tanh' }, { units: 1, activation: 'identity' }],
      loss: 'mse', optimizer: { type: 'adam', learningRate: 0.01 },
      data: { x, y: x.map(([a, b]) => [a - b]) },
      split: { train: 0.5, validation: 0.25, test: 0.25 },
      batch: { mode: 'mini-batch', size: 2, shuffle: true },
    };
    const loaded = TrainingSession.load('file:///epochs.backprop.json', JSON.stringify(file));
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.loaded.diagnostics));
    const session = loaded.session;
    await session.goToStep(300); // 3 batches an epoch: 100 epoch ends, each with train and validation figures
    const first = session.epochs;
    assert.equal(first.length, 100);
    assert.ok(first.every((e) => Number.isFinite(e.trainLoss) && Number.isFinite(e.validationLoss!)));
    session.lookAtTestSet();
    const logged = (session as unknown as { trainer: Trainer }).trainer.evaluations.length;
    // Back by the sliced replay, forward again by it (the second machine measures no epoch ends),
    // back, then forward by training (each epoch end trained again), then a Step Back.
    for (const [target, shown] of [[10, 3], [300, 100], [45, 15], [299, 99], [150, 50], [300, 100]] as const) {
      await session.goToStep(target);
      assert.equal(session.completedSteps, target);
      assert.deepEqual(session.epochs, first.slice(0, shown), `epoch rows at step ${target}`);
    }
    for (let s = 1; s <= 5; s++) await session.stepBack();
    while (session.completedSteps < 300) await session.step();
    assert.deepEqual(session.epochs, first);
    assert.equal((session as unknown as { trainer: Trainer }).trainer.evaluations.length, logged, 'an epoch end trained again is not logged twice');
    assert.equal(session.testLooks.length, 1);
    await session.reset();
    assert.deepEqual(session.epochs, []);
  });
});

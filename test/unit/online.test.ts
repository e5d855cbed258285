// Online training (data.online): the stream is seeded and deterministic, matches the generator's
// closed form, the trainer trains on its fresh samples, whole-batch training is refused with the
// lecture's reason at the field to change, and the moving average matches a direct mean.
import './extension/useVscodeStub';
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadModel } from '../../src/engine/model';
import { Trainer } from '../../src/engine/trainer';
import { Rng } from '../../src/engine/rng';
import { stepSeed } from '../../src/engine/data/stream';
import { MovingAverage, ONLINE_LOSS_WINDOW } from '../../src/engine/movingAverage';
import type { Diagnostic } from '../../src/engine/types';
import { TrainingSession } from '../../src/extension/session';
import { HistoryCursor, buildSnapshotMessages } from '../../src/extension/inspectorMessages';

/** A one-unit linear model on the online "linear" stream, with fields overridden. */
function onlineModel(change: (m: Record<string, any>) => void = () => {}): string {
  const model: Record<string, any> = {
    seed: 3,
    inputs: 2,
    layers: [{ units: 1, activation: 'identity', weights: [[0.2, -0.1]], bias: [0.05] }],
    loss: 'mse',
    optimizer: { type: 'sgd', learningRate: 0.1 },
    data: { generator: 'linear', online: true, samples: 40, noise: 0 },
    batch: { mode: 'mini-batch', size: 5 },
  };
  change(model);
  return JSON.stringify(model, null, 2);
}

function trainer(text: string): Trainer {
  const loaded = loadModel(text);
  assert.ok(loaded.model && loaded.data, loaded.diagnostics.map((d) => `${d.path}: ${d.message}`).join('; '));
  return new Trainer(loaded.model, loaded.data);
}

function errors(text: string): Diagnostic[] {
  return loadModel(text).diagnostics.filter((d) => d.severity === 'error');
}

const rows = (values: Float64Array, width: number) => Array.from({ length: values.length / width }, (_, r) => Array.from(values.subarray(r * width, (r + 1) * width)));

describe('online training: the sample stream', () => {
  it('step k trains on the generator\'s closed form drawn with its own seed: x uniform in [−1, 1]², y = 0.5 + x1 − x2/2', () => {
    const t = trainer(onlineModel());
    for (let k = 1; k <= 4; k++) {
      const record = t.step();
      // The linear generator, written out: per sample, one uniform per input, then one normal (noise 0 here).
      const rng = new Rng(stepSeed(3, k));
      const expected = Array.from({ length: 5 }, () => {
        const x = [2 * rng.uniform() - 1, 2 * rng.uniform() - 1];
        rng.normal();
        return x;
      });
      const x = rows(record.layers[0].input!, 2);
      assert.deepEqual(x, expected, `step ${k}'s inputs`);
      assert.deepEqual(record.batch, [0, 1, 2, 3, 4].map((j) => 5 * (k - 1) + j), 'stream sample numbers');
      // With noise 0 the targets are the plane exactly; the mse gradient of the bias is (2/N)Σ(a − t).
      const targets = x.map(([x1, x2]) => 0.5 + x1 - x2 / 2);
      const a = Array.from(record.layers[0].a!);
      const gradBias = (2 / 5) * a.reduce((s, ai, i) => s + ai - targets[i], 0);
      assert.ok(Math.abs(record.layers[0].gradBias![0] - gradBias) < 1e-12, `step ${k}: ∂J/∂b ${record.layers[0].gradBias![0]} vs ${gradBias}`);
    }
  });

  it('is deterministic: the same seed gives the same samples, another seed others; stepping back replays them', () => {
    const first = trainer(onlineModel());
    const again = trainer(onlineModel());
    const other = trainer(onlineModel((m) => (m.data.seed = 4)));
    const inputs = (t: Trainer) => Array.from({ length: 6 }, () => Array.from(t.step().layers[0].input!));
    const a = inputs(first);
    assert.deepEqual(inputs(again), a);
    const b = inputs(other);
    a.forEach((xs, k) => assert.notDeepEqual(b[k], xs, `step ${k + 1} of seed 4`));
    // Fresh samples: no step repeats another's inputs.
    assert.equal(new Set(a.flat()).size, a.flat().length);
    first.history.goTo(2);
    assert.deepEqual(Array.from(first.step().layers[0].input!), a[2], 'step 3 again after going back');
  });

  it('a plane is recovered from the stream (noise 0): W → [1, −0.5], b → 0.5', () => {
    const t = trainer(onlineModel());
    for (let s = 0; s < 300; s++) t.step();
    const [w1, w2] = t.network.layers[0].weights;
    const b = t.network.layers[0].bias[0];
    assert.ok(Math.abs(w1 - 1) < 1e-3 && Math.abs(w2 + 0.5) < 1e-3 && Math.abs(b - 0.5) < 1e-3, `W = [${w1}, ${w2}], b = ${b}`);
    // The epoch end measures the reference sample, as the validation split.
    assert.deepEqual(t.evaluations.map((e) => e.split), Array(Math.floor(300 / 8)).fill('validation'));
  });
});

describe('online training: refusals', () => {
  const lecture = '훈련 데이터가 점진적으로 계속 늘어나는 경우엔 불가능 (Online Training)';

  it('whole-batch mode is refused at batch.mode with the lecture\'s reason', () => {
    const [d, ...rest] = errors(onlineModel((m) => (m.batch = { mode: 'batch' })));
    assert.deepEqual(rest, []);
    assert.equal(d.path, 'batch.mode');
    assert.match(d.message, /^batch\.mode: "batch" cannot train online/);
    assert.ok(d.message.includes(lecture), d.message);
    assert.match(d.message, /use "mini-batch" with a "size", or "stochastic"/);
    assert.equal(d.line, onlineModel((m) => (m.batch = { mode: 'batch' })).split('\n').findIndex((l) => l.includes('"mode"')) + 1, 'on the line of "mode"');
  });

  it('no "batch" (whole batch by default) is refused at data.online; a full-batch optimizer at optimizer.type', () => {
    const [missing] = errors(onlineModel((m) => delete m.batch));
    assert.equal(missing.path, 'data.online');
    assert.ok(missing.message.includes(lecture));
    const [lbfgs] = errors(onlineModel((m) => (m.optimizer = { type: 'lbfgs' })));
    assert.equal(lbfgs.path, 'optimizer.type');
    assert.ok(lbfgs.message.includes(lecture));
  });

  it('spiral and a split are refused with the field to change; mini-batch and stochastic load', () => {
    const spiral = errors(onlineModel((m) => Object.assign(m, { data: { generator: 'spiral', online: true }, layers: [{ units: 3, activation: 'softmax' }], loss: 'cross-entropy' })));
    assert.deepEqual(spiral.map((d) => d.path), ['data.generator']);
    const split = errors(onlineModel((m) => (m.split = { train: 0.8, validation: 0.2 })));
    assert.deepEqual(split.map((d) => d.path), ['split']);
    assert.deepEqual(errors(onlineModel((m) => (m.batch = { mode: 'stochastic' }))), []);
    assert.equal(trainer(onlineModel((m) => (m.batch = { mode: 'stochastic' }))).step().batch.length, 1);
  });
});

describe('moving average of the loss', () => {
  it('is the mean of the last `window` values (of all before the window fills), computed directly', () => {
    const rng = new Rng(11);
    const values = Array.from({ length: 57 }, () => Math.exp(3 * rng.normal()));
    for (const window of [1, 5, 20, 100]) {
      const average = new MovingAverage(window);
      values.forEach((v, i) => {
        const last = values.slice(Math.max(0, i + 1 - window), i + 1);
        const direct = last.reduce((s, x) => s + x, 0) / last.length;
        const got = average.push(v);
        assert.ok(Math.abs(got - direct) <= 1e-14 * Math.abs(direct), `window ${window}, value ${i}: ${got} vs ${direct}`);
      });
    }
    assert.throws(() => new MovingAverage(0), /at least 1/);
  });
});

describe('online training in the inspector (the host\'s real message builders)', () => {
  it('the step message carries each step\'s loss and its moving average; the data view shows the reference sample with no batch rows', async () => {
    const text = readFileSync(join(__dirname, '../../examples/online-linear.backprop.json'), 'utf8');
    const loaded = TrainingSession.load('file:///ws/online-linear.backprop.json', text);
    assert.ok(loaded.ok);
    const session = loaded.session;
    assert.deepEqual(session.summary.dataset.online, { samplesPerStep: 4, averageWindow: ONLINE_LOSS_WINDOW });
    for (let s = 0; s < 30; s++) await session.step();
    const messages = buildSnapshotMessages(session, new HistoryCursor());
    const step = messages.find((m) => m.type === 'step');
    assert.ok(step && step.type === 'step');
    const losses = Array.from(step.history.loss);
    assert.equal(losses.length, 30);
    const average = Array.from(step.history.lossAverage!);
    losses.forEach((_, i) => {
      const last = losses.slice(Math.max(0, i + 1 - ONLINE_LOSS_WINDOW), i + 1);
      const direct = last.reduce((a, b) => a + b, 0) / last.length;
      assert.ok(Math.abs(average[i] - direct) <= 1e-14 * direct, `step ${i + 1}: ${average[i]} vs ${direct}`);
    });
    // A later message that sends only steps 26..30 still averages over the 20 steps before each.
    assert.deepEqual(Array.from(session.lossHistory(26, 30).lossAverage!), average.slice(25));
    const view = messages.find((m) => m.type === 'dataView');
    assert.ok(view && view.type === 'dataView' && view.view.kind === 'points');
    assert.deepEqual(view.view.batch, []);
    assert.equal(view.view.x.length, 2 * 200, 'the 200 points of the reference sample');
    assert.ok(view.view.split.every((mark) => mark === 1), 'all of them the validation split');
  });
});

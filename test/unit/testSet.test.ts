// Evaluate on Test Set (issue 10 item 10) on a real TrainingSession and through the CLI: the test
// figures against a forward pass written out here with the session's weights on the test rows; the
// warning from the second look on; the record of looks across Step Back, Go To and Reset; a model
// without a test split; and that looking never changes training.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TrainingSession } from '../../src/extension/session';
import { NoTestSplitError, describeTestLook } from '../../src/engine/testSet';
import { parameters } from '../../src/engine/network';
import { runCli } from '../../src/cli/main';
import type { ModelFile } from '../../src/engine/types';

const root = join(__dirname, '..', '..');

/** 24 points of two classes around (±1, ±1), deterministic, for the classification models. */
function points(): { x: number[][]; classes: number[] } {
  const x: number[][] = [];
  const classes: number[] = [];
  for (let i = 0; i < 24; i++) {
    const a = Math.sin(i * 12.9898) * 0.8;
    const b = Math.cos(i * 78.233) * 0.8;
    const c = i % 2;
    x.push([(c ? 1 : -1) + a, (i % 3 === 0 ? 1 : -1) + b]);
    classes.push(c);
  }
  return { x, classes };
}

function softmaxModel(): ModelFile {
  const { x, classes } = points();
  return {
    name: 'softmax test split', seed: 3, inputs: 2,
    layers: [{ units: 4, activation: 'tanh' }, { units: 2, activation: 'softmax' }],
    loss: 'cross-entropy', regularization: { l1: 0.001, l2: 0.01 },
    optimizer: { type: 'sgd', learningRate: 0.3 },
    data: { x, y: classes.map((c) => (c ? [0, 1] : [1, 0])) },
    split: { train: 0.5, validation: 0.25, test: 0.25 },
    batch: { mode: 'mini-batch', size: 4, shuffle: true },
  } as unknown as ModelFile;
}

function sigmoidModel(): ModelFile {
  const { x, classes } = points();
  return {
    name: 'sigmoid test split', seed: 5, inputs: 2,
    layers: [{ units: 3, activation: 'relu' }, { units: 1, activation: 'sigmoid' }],
    loss: 'binary-cross-entropy', optimizer: { type: 'adam', learningRate: 0.05 },
    data: { x, y: classes.map((c) => [c]) },
    split: { train: 0.6, validation: 0, test: 0.4 },
    batch: { mode: 'batch' },
  } as unknown as ModelFile;
}

function open(model: ModelFile | string): TrainingSession {
  const loaded = TrainingSession.load('file:///ws/m.backprop.json', typeof model === 'string' ? model : JSON.stringify(model));
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.loaded.diagnostics));
  return loaded.session;
}

const ACTIVATIONS: Record<string, (z: number) => number> = {
  tanh: Math.tanh, relu: (z) => Math.max(0, z), sigmoid: (z) => 1 / (1 + Math.exp(-z)), identity: (z) => z,
};

/**
 * J (DESIGN §4: loss summed over output units, averaged over samples, plus λ₁‖W‖₁ + λ₂‖W‖₂²) and
 * accuracy (arg-max for softmax, 0.5 threshold for sigmoid) on the session's test rows, written out.
 */
function reference(session: TrainingSession, model: ModelFile): { loss: number; dataLoss: number; regLoss: number; accuracy?: number; samples: number } {
  const { dataset, split } = session.engine.data;
  const layers = session.engine.network.layers;
  let total = 0;
  let right = 0;
  for (const row of split.test) {
    let a = Array.from(dataset.x.slice(row * dataset.inputs, (row + 1) * dataset.inputs));
    for (const layer of layers) {
      const z = Array.from({ length: layer.units }, (_, m) => {
        let sum = layer.bias[m];
        for (let n = 0; n < layer.inputs; n++) sum += layer.weights[m * layer.inputs + n] * a[n];
        return sum;
      });
      if (layer.activation === 'softmax') {
        const e = z.map((v) => Math.exp(v));
        const s = e.reduce((p, q) => p + q, 0);
        a = e.map((v) => v / s);
      } else a = z.map(ACTIVATIONS[layer.activation]);
    }
    const t = Array.from(dataset.y.slice(row * dataset.outputs, (row + 1) * dataset.outputs));
    if (model.loss === 'cross-entropy') {
      total -= t.reduce((sum, tk, k) => sum + tk * Math.log(a[k]), 0);
      if (a.indexOf(Math.max(...a)) === t.indexOf(Math.max(...t))) right++;
    } else if (model.loss === 'binary-cross-entropy') {
      total -= t.reduce((sum, tk, k) => sum + tk * Math.log(a[k]) + (1 - tk) * Math.log(1 - a[k]), 0);
      if (a.every((p, k) => (p >= 0.5) === (t[k] >= 0.5))) right++;
    } else {
      total += t.reduce((sum, tk, k) => sum + (a[k] - tk) ** 2, 0);
    }
  }
  const samples = split.test.length;
  const dataLoss = total / samples;
  const reg = (model as { regularization?: { l1?: number; l2?: number } }).regularization ?? {};
  let regLoss = 0;
  for (const layer of layers) for (const w of layer.weights) regLoss += (reg.l1 ?? 0) * Math.abs(w) + (reg.l2 ?? 0) * w * w;
  const out: ReturnType<typeof reference> = { loss: dataLoss + regLoss, dataLoss, regLoss, samples };
  if (model.loss !== 'mse') out.accuracy = right / samples;
  return out;
}

function close(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= 1e-12 * Math.max(1, Math.abs(expected)), `${what}: ${actual} vs ${expected}`);
}

describe('Evaluate on Test Set', () => {
  const lesson8 = JSON.parse(readFileSync(join(root, 'examples/08-data-splits.backprop.json'), 'utf8')) as ModelFile;
  for (const [name, model, steps] of [['softmax + cross-entropy, L1+L2', softmaxModel(), 7], ['sigmoid + BCE', sigmoidModel(), 12], ['lesson 8 (mse)', lesson8, 25]] as const) {
    it(`${name}: J, its parts and accuracy equal a forward pass written out on the test rows`, async () => {
      const session = open(model);
      await session.goToStep(steps);
      const expected = reference(session, model);
      const { evaluation } = session.lookAtTestSet();
      assert.equal(evaluation.split, 'test');
      assert.equal(evaluation.step, steps);
      assert.equal(evaluation.samples, expected.samples);
      assert.ok(expected.samples > 0);
      close(evaluation.loss, expected.loss, 'loss');
      close(evaluation.dataLoss, expected.dataLoss, 'dataLoss');
      close(evaluation.regLoss, expected.regLoss, 'regLoss');
      assert.equal(evaluation.accuracy, expected.accuracy);
    });
  }

  it('the first look says it is the one; the second and later warn with how many earlier looks and at which steps', async () => {
    const session = open(softmaxModel());
    await session.goToStep(3);
    const first = describeTestLook(session.lookAtTestSet());
    assert.equal(first.repeated, false);
    assert.match(first.text, /^Test set at step 3 \(6 samples\): J = [\d.]+ \(data [\d.]+, regularization [\d.]+\), accuracy [\d.]+%\. This is the first look/);
    await session.goToStep(5);
    const second = describeTestLook(session.lookAtTestSet());
    assert.equal(second.repeated, true);
    assert.match(second.text, /Warning: the test set was opened 1 time\(s\) before, at step\(s\) 3\. .* now a validation set/);
    await session.step();
    const third = describeTestLook(session.lookAtTestSet());
    assert.match(third.text, /opened 2 time\(s\) before, at step\(s\) 3, 5\./);
  });

  it('the session records the steps of every look: kept across Step Back and Go To, cleared by Reset', async () => {
    const session = open(softmaxModel());
    await session.goToStep(4);
    session.lookAtTestSet();
    await session.goToStep(9);
    session.lookAtTestSet();
    await session.stepBack();
    await session.goToStep(2);
    await session.stepInto();
    assert.deepEqual(session.testLooks.map((e) => e.step), [4, 9]);
    const look = session.lookAtTestSet(); // mid-step: the weights of step 2 (the update has not run)
    assert.equal(look.evaluation.step, 2);
    assert.deepEqual(look.earlier, [4, 9]);
    await session.goToStep(20);
    assert.deepEqual(session.testLooks.map((e) => e.step), [4, 9, 2]);
    await session.reset();
    assert.deepEqual(session.testLooks, []);
    assert.deepEqual(session.lookAtTestSet().earlier, []);
  });

  it('looking changes nothing of training: the weights after 15 steps equal a run that never looked', async () => {
    const looked = open(softmaxModel());
    const plain = open(softmaxModel());
    for (let s = 0; s < 15; s++) {
      await looked.step();
      looked.lookAtTestSet();
      await plain.step();
    }
    assert.deepEqual(parameters(looked.engine.network).map((p) => Array.from(p)), parameters(plain.engine.network).map((p) => Array.from(p)));
    // And the test rows are never in a batch.
    const test = new Set(looked.engine.data.split.test);
    assert.ok(looked.engine.data.split.train.every((row) => !test.has(row)));
  });

  it('a model without a test split gets a message that says how to add one, and no look is recorded', () => {
    const session = open(readFileSync(join(root, 'examples/xor.backprop.json'), 'utf8'));
    assert.throws(() => session.lookAtTestSet(), (error: Error) => error instanceof NoTestSplitError && /no test split: give "split.test" a share of the data/.test(error.message));
    assert.deepEqual(session.testLooks, []);
  });
});

describe('CLI evaluate', () => {
  function cli(...argv: string[]): { code: number; out: string; err: string } {
    let out = '';
    let err = '';
    const code = runCli(argv, { out: (t) => (out += t), err: (t) => (err += t), color: false });
    return { code, out, err };
  }
  const dir = mkdtempSync(join(tmpdir(), 'backprop-evaluate-'));
  const path = join(dir, 'softmax.backprop.json');
  writeFileSync(path, JSON.stringify(softmaxModel()));

  it('--json gives the test figures of the weights after N steps, exact, equal to the written-out forward pass', async () => {
    const { code, out, err } = cli('evaluate', path, '--steps', '11', '--json');
    assert.equal(code, 0, err);
    const figures = JSON.parse(out) as Record<string, number | string>;
    const session = open(softmaxModel());
    await session.goToStep(11);
    const expected = reference(session, softmaxModel());
    assert.equal(figures.split, 'test');
    assert.equal(figures.step, 11);
    assert.equal(figures.epoch, 4); // 12 training samples in batches of 4: step 11 is in epoch 4
    close(figures.loss as number, expected.loss, 'loss');
    close(figures.dataLoss as number, expected.dataLoss, 'dataLoss');
    assert.equal(figures.accuracy, expected.accuracy);
    assert.equal(out.split('\n').length, 2);
  });

  it('text: the figures and that this is the one look', () => {
    const { code, out } = cli('evaluate', path, '--steps', '11');
    assert.equal(code, 0);
    assert.match(out, /^Test set at step 11 \(6 samples\): J = [\d.]+ \(data [\d.]+, regularization [\d.]+\), accuracy [\d.]+%\. This is the first look/);
  });

  it('a model without a test split: exit 1 with one line naming the file', () => {
    const xor = join(root, 'examples', 'xor.backprop.json');
    const { code, out, err } = cli('evaluate', xor);
    assert.equal(code, 1);
    assert.equal(out, '');
    assert.equal(err.trim().split('\n').length, 1);
    assert.match(err, /xor\.backprop\.json: error: this model has no test split/);
  });

  it('is listed in --help', () => {
    assert.match(cli('--help').out, /evaluate <model> \[--steps N\] \[--json\]/);
  });
});

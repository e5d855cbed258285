// The inspector's data view, per-sample prediction and epoch figures as the host sends them,
// checked against the engine's own predict on the same points and against closed forms written
// out here (softmax, −Σ p log p, binary cross-entropy, L2 penalty), never against the host's code.
import './useVscodeStub';
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TrainingSession } from '../../../src/extension/session';
import { buildSnapshotMessages, HistoryCursor } from '../../../src/extension/inspectorMessages';
import { GRID_CELLS, MAX_POINTS, MAX_TABLE_INPUTS } from '../../../src/extension/dataView';
import { loadModel } from '../../../src/engine/model';
import { Trainer } from '../../../src/engine/trainer';
import { predict } from '../../../src/engine/network';
import { apply, hostMessageProblem, initialState } from '../../../src/webview/store';
import type { DataView, EvaluationMessage, HostMessage, SamplePrediction, StepMessage } from '../../../src/protocol/messages';

const examples = join(__dirname, '../../../examples');
const XOR = readFileSync(join(examples, 'xor.backprop.json'), 'utf8');
const SPIRAL = readFileSync(join(examples, '07-optimizer-race.backprop.json'), 'utf8');
const SINE = readFileSync(join(examples, '08-data-splits.backprop.json'), 'utf8');

/** The spiral lesson with a test split too, and optionally more samples. */
function spiral(samples = 300): string {
  const model = JSON.parse(SPIRAL);
  model.split = { train: 0.6, validation: 0.2, test: 0.2 };
  model.data.samples = samples;
  return JSON.stringify(model);
}

function open(text: string, uri = 'file:///ws/model.backprop.json'): TrainingSession {
  const result = TrainingSession.load(uri, text);
  if (!result.ok) throw new Error(JSON.stringify(result.loaded.diagnostics));
  return result.session;
}

/** An independent trainer on the same text, stepped `steps` times. */
function referenceTrainer(text: string, steps: number): Trainer {
  const loaded = loadModel(text);
  const trainer = new Trainer(loaded.model!, loaded.data!);
  for (let s = 0; s < steps; s++) trainer.step();
  return trainer;
}

function dataViewOf(messages: HostMessage[]): DataView {
  const message = messages.find((m) => m.type === 'dataView');
  assert.ok(message && message.type === 'dataView', 'a dataView message was sent');
  return message.view;
}

function stepOf(messages: HostMessage[]): StepMessage {
  const message = messages.find((m) => m.type === 'step');
  assert.ok(message && message.type === 'step', 'a step message was sent');
  return message;
}

function close(actual: number, expected: number, what: string, tolerance = 1e-12): void {
  assert.ok(Math.abs(actual - expected) <= tolerance * Math.max(1, Math.abs(expected)), `${what}: ${actual} vs ${expected}`);
}

describe('inspector data view', () => {
  it('2-D classifier: the grid is the engine predict at the cell centres, over the data range, with the weights after the step', async () => {
    const text = spiral();
    const session = open(text);
    for (let s = 0; s < 3; s++) await session.step();
    const view = dataViewOf(buildSnapshotMessages(session, new HistoryCursor()));
    assert.equal(view.kind, 'points');
    if (view.kind !== 'points') return;
    const grid = view.grid!;
    assert.equal(grid.kind, 'class');
    assert.deepEqual([grid.nx, grid.ny, grid.values.length], [GRID_CELLS, GRID_CELLS, GRID_CELLS * GRID_CELLS]);
    const { dataset } = loadModel(text).data!;
    for (let i = 0; i < dataset.samples; i++) {
      assert.ok(dataset.x[2 * i] > grid.xMin && dataset.x[2 * i] < grid.xMax, `sample ${i} inside the grid's x range`);
      assert.ok(dataset.x[2 * i + 1] > grid.yMin && dataset.x[2 * i + 1] < grid.yMax, `sample ${i} inside the grid's y range`);
    }
    // The network after 3 steps of an independent trainer, asked at each centre.
    const net = referenceTrainer(text, 3).network;
    for (let r = 0; r < grid.ny; r++) {
      for (let c = 0; c < grid.nx; c++) {
        const x = grid.xMin + ((c + 0.5) * (grid.xMax - grid.xMin)) / grid.nx;
        const y = grid.yMin + ((r + 0.5) * (grid.yMax - grid.yMin)) / grid.ny;
        const p = predict(net, Float64Array.of(x, y), 1);
        const argMax = p.indexOf(Math.max(...p));
        assert.equal(grid.values[r * grid.nx + c], argMax, `cell (${c}, ${r})`);
      }
    }
  });

  it('2-D single sigmoid: the grid holds p(class 1) from predict', async () => {
    const session = open(XOR);
    await session.step();
    const view = dataViewOf(buildSnapshotMessages(session, new HistoryCursor()));
    assert.ok(view.kind === 'points' && view.grid);
    const grid = view.grid;
    assert.equal(grid.kind, 'probability');
    const net = referenceTrainer(XOR, 1).network;
    for (const [c, r] of [[0, 0], [7, 31], [39, 39], [20, 3]]) {
      const x = grid.xMin + ((c + 0.5) * (grid.xMax - grid.xMin)) / grid.nx;
      const y = grid.yMin + ((r + 0.5) * (grid.yMax - grid.yMin)) / grid.ny;
      assert.equal(grid.values[r * grid.nx + c], predict(net, Float64Array.of(x, y), 1)[0], `cell (${c}, ${r})`);
    }
  });

  it('marks every point with its split from loadModel, test points included but never in a batch', async () => {
    const text = spiral();
    const { dataset, split } = loadModel(text).data!;
    assert.ok(split.test.length > 0 && split.validation.length > 0);
    const session = open(text);
    const trainRows = new Set(split.train);
    for (let s = 0; s < 12; s++) {
      await session.step();
      const view = dataViewOf(buildSnapshotMessages(session, new HistoryCursor()));
      assert.ok(view.kind === 'points');
      for (const row of view.batch) assert.ok(trainRows.has(row), `batch row ${row} is a training row`);
      if (s > 0) continue;
      assert.equal(view.index, undefined, 'all points are sent');
      assert.equal(view.split.length, dataset.samples);
      const expected = new Uint8Array(dataset.samples);
      for (const row of split.validation) expected[row] = 1;
      for (const row of split.test) expected[row] = 2;
      assert.deepEqual(Array.from(view.split), Array.from(expected));
      assert.deepEqual(Array.from(view.x), Array.from(dataset.x));
      for (let i = 0; i < dataset.samples; i++) {
        const hot = [0, 1, 2].find((k) => dataset.y[3 * i + k] === 1);
        assert.equal(view.label[i], hot, `label of sample ${i}`);
      }
    }
  });

  it("highlights the step's batch (training-split positions mapped to dataset rows), and the first batch at step 0", async () => {
    const text = spiral();
    const { split } = loadModel(text).data!;
    const session = open(text);
    const cursor = new HistoryCursor();
    const reference = referenceTrainer(text, 0);
    const atStart = dataViewOf(buildSnapshotMessages(session, cursor));
    const firstBatch = reference.nextBatch().batch;
    assert.deepEqual(atStart.batch, firstBatch.map((p) => split.train[p]));
    for (let s = 1; s <= 4; s++) {
      await session.step();
      const expected = reference.step().batch.map((p) => split.train[p]);
      assert.deepEqual(dataViewOf(buildSnapshotMessages(session, cursor)).batch, expected, `step ${s}`);
    }
    // Unchanged weights and batch: not sent again.
    assert.equal(buildSnapshotMessages(session, cursor).some((m) => m.type === 'dataView'), false);
    await session.stepInto();
    const inProgress = dataViewOf(buildSnapshotMessages(session, cursor));
    assert.deepEqual(inProgress.batch, reference.nextBatch().batch.map((p) => split.train[p]));
  });

  it('subsamples a large 2-D dataset, always keeping the batch, and says which rows it sent', async () => {
    const text = spiral(3 * MAX_POINTS);
    const { dataset } = loadModel(text).data!;
    const session = open(text);
    await session.step();
    const view = dataViewOf(buildSnapshotMessages(session, new HistoryCursor()));
    assert.ok(view.kind === 'points' && view.index);
    assert.ok(view.index.length <= MAX_POINTS + view.batch.length);
    const sent = new Set(view.index);
    for (const row of view.batch) assert.ok(sent.has(row), `batch row ${row} is among the points`);
    view.index.forEach((row, i) => {
      assert.equal(view.x[2 * i], dataset.x[2 * row]);
      assert.equal(view.x[2 * i + 1], dataset.x[2 * row + 1]);
    });
  });

  it('1-D regression: points with their split and the curve from predict', async () => {
    const { dataset, split } = loadModel(SINE).data!;
    const session = open(SINE);
    await session.step();
    const view = dataViewOf(buildSnapshotMessages(session, new HistoryCursor()));
    assert.equal(view.kind, 'curve');
    if (view.kind !== 'curve') return;
    assert.deepEqual(Array.from(view.y), Array.from(dataset.y));
    for (const row of split.test) assert.equal(view.split[row], 2);
    const net = referenceTrainer(SINE, 1).network;
    const lo = Math.min(...dataset.x);
    const hi = Math.max(...dataset.x);
    assert.ok(view.curve.x[0] < lo && view.curve.x[view.curve.x.length - 1] > hi, 'the curve spans the data');
    view.curve.x.forEach((x, i) => assert.equal(view.curve.y[i], predict(net, Float64Array.of(x), 1)[0]));
  });

  it('other inputs: a table of the batch (first inputs, then the target)', async () => {
    const inputs = MAX_TABLE_INPUTS + 4;
    const x = Array.from({ length: 6 }, (_, r) => Array.from({ length: inputs }, (_, i) => r + i / 100));
    const text = JSON.stringify({
      inputs,
      layers: [{ units: 2, activation: 'identity' }],
      loss: 'mse',
      optimizer: { type: 'sgd', learningRate: 0.01 },
      data: { x, y: x.map((row) => [row[0], -row[1]]) },
      batch: { mode: 'mini-batch', size: 4, shuffle: false },
    });
    const session = open(text);
    await session.step();
    const view = dataViewOf(buildSnapshotMessages(session, new HistoryCursor()));
    assert.equal(view.kind, 'table');
    if (view.kind !== 'table') return;
    assert.deepEqual(view.batch, [0, 1, 2, 3]);
    assert.equal(view.columns.length, MAX_TABLE_INPUTS + 2);
    assert.equal(view.inputColumns, MAX_TABLE_INPUTS, 'the inputs shown, then the targets');
    assert.deepEqual(view.columns.slice(-2), ['t1', 't2']);
    const width = view.columns.length;
    view.batch.forEach((row, r) => {
      for (let i = 0; i < MAX_TABLE_INPUTS; i++) assert.equal(view.values[r * width + i], x[row][i]);
      assert.deepEqual([view.values[r * width + MAX_TABLE_INPUTS], view.values[r * width + MAX_TABLE_INPUTS + 1]], [x[row][0], -x[row][1]]);
    });
  });
});

describe('inspector per-sample prediction', () => {
  it('softmax: the distribution of the chosen sample with H(p), cross-entropy and −log p(true) by hand', async () => {
    const text = spiral();
    const { dataset, split } = loadModel(text).data!;
    const session = open(text);
    await session.step();
    for (const sample of [0, 5, 31]) {
      session.select({ layer: 0, sample });
      const prediction = stepOf(buildSnapshotMessages(session, new HistoryCursor())).prediction as SamplePrediction;
      assert.ok(prediction, `a prediction for sample ${sample}`);
      const record = session.record!;
      const out = record.layers[2];
      // Softmax of the record's z row, written out here.
      const z = Array.from(out.z!.subarray(sample * 3, sample * 3 + 3));
      const m = Math.max(...z);
      const e = z.map((v) => Math.exp(v - m));
      const p = e.map((v) => v / e.reduce((s, w) => s + w, 0));
      const row = split.train[record.batch[sample]];
      const t = [0, 1, 2].map((k) => dataset.y[3 * row + k]);
      const trueClass = t.indexOf(1);
      assert.deepEqual([prediction.sample, prediction.datasetIndex, prediction.trueClass], [sample, row, trueClass]);
      p.forEach((pk, k) => close(prediction.probabilities[k], pk, `p[${k}]`));
      close(prediction.entropy, -p.reduce((s, pk) => s + pk * Math.log(pk), 0), 'entropy');
      close(prediction.crossEntropy, -Math.log(p[trueClass]), 'cross-entropy of a one-hot target');
      close(prediction.selfInformation, -Math.log(p[trueClass]), 'self-information');
      assert.ok(prediction.crossEntropy >= prediction.entropy - 1e-12 || trueClass !== p.indexOf(Math.max(...p)));
    }
  });

  it('one sigmoid output: the distribution (1 − p, p) and the binary cross-entropy of the sample', async () => {
    const session = open(XOR);
    await session.step();
    const record = session.record!;
    session.select({ layer: 1, sample: 1 });
    const prediction = stepOf(buildSnapshotMessages(session, new HistoryCursor())).prediction!;
    const { dataset, split } = loadModel(XOR).data!;
    const z = record.layers[1].z![1];
    const p = 1 / (1 + Math.exp(-z));
    const t = dataset.y[split.train[record.batch[1]]];
    close(prediction.probabilities[1], p, 'p');
    close(prediction.probabilities[0], 1 - p, '1 − p');
    assert.equal(prediction.trueClass, t);
    close(prediction.crossEntropy, -(t * Math.log(p) + (1 - t) * Math.log(1 - p)), 'binary cross-entropy', 1e-10);
    close(prediction.entropy, -(p * Math.log(p) + (1 - p) * Math.log(1 - p)), 'entropy', 1e-10);
    close(prediction.selfInformation, -Math.log(t === 1 ? p : 1 - p), 'self-information', 1e-10);
  });

  it('a regression model, and a step whose output has not been computed yet, send none', async () => {
    const sine = open(SINE);
    await sine.step();
    assert.equal(stepOf(buildSnapshotMessages(sine, new HistoryCursor())).prediction, undefined);
    const xor = open(XOR);
    await xor.stepInto(); // forward of the hidden layer only
    assert.equal(stepOf(buildSnapshotMessages(xor, new HistoryCursor())).prediction, undefined);
  });
});

describe('inspector epoch figures', () => {
  it('train loss (with the L2 part) and accuracy of each epoch equal a hand computation with the epoch-end weights', async () => {
    const session = open(XOR);
    const cursor = new HistoryCursor();
    const model = JSON.parse(XOR);
    // 4 samples in batches of 2: an epoch is 2 steps.
    for (let s = 0; s < 4; s++) await session.step();
    const evaluation = buildSnapshotMessages(session, cursor).find((m): m is EvaluationMessage => m.type === 'evaluation');
    assert.ok(evaluation);
    assert.deepEqual(evaluation.epochs.map((e) => [e.epoch, e.step]), [[1, 2], [2, 4]]);
    for (const figures of evaluation.epochs) {
      const net = referenceTrainer(XOR, figures.step).network;
      const { dataset } = loadModel(XOR).data!;
      const t = Array.from(dataset.y);
      const p = t.map((_, i) => predict(net, dataset.x.subarray(2 * i, 2 * i + 2), 1)[0]);
      const bce = -p.reduce((s, pi, i) => s + t[i] * Math.log(pi) + (1 - t[i]) * Math.log(1 - pi), 0) / p.length;
      const l2 = model.regularization.l2 * net.layers.reduce((s, layer) => s + layer.weights.reduce((w, v) => w + v * v, 0), 0);
      close(figures.trainLoss, bce + l2, `train loss of epoch ${figures.epoch}`, 1e-12);
      assert.equal(figures.trainAccuracy, p.filter((pi, i) => (pi >= 0.5 ? 1 : 0) === t[i]).length / p.length);
      assert.equal(figures.validationLoss, undefined, 'xor has no validation split');
    }
    assert.equal(buildSnapshotMessages(session, cursor).some((m) => m.type === 'evaluation'), false, 'unchanged epochs are not sent again');
  });

  it('sends the page only the epochs it lacks, and after a move back where its list ends: the page\'s list is the session\'s', async () => {
    const session = open(XOR);
    const cursor = new HistoryCursor();
    const page = initialState();
    const evaluationAt = async (step: number) => {
      await session.goToStep(step);
      const messages = buildSnapshotMessages(session, cursor);
      for (const message of messages) {
        assert.equal(hostMessageProblem(message), undefined, `${message.type} passes the webview's checks`);
        apply(page, message);
      }
      assert.deepEqual(page.epochs, session.epochs, `the page's epochs at step ${step}`);
      const evaluation = messages.find((m): m is EvaluationMessage => m.type === 'evaluation');
      return evaluation && { from: evaluation.from, epochs: evaluation.epochs.map((e) => e.epoch) };
    };
    // 4 samples in batches of 2: an epoch ends every 2 steps.
    assert.deepEqual(await evaluationAt(4), { from: 0, epochs: [1, 2] });
    assert.deepEqual(await evaluationAt(8), { from: 2, epochs: [3, 4] }, 'only the new epochs');
    assert.deepEqual(await evaluationAt(5), { from: 2, epochs: [] }, 'back: the page drops epochs 3 and 4');
    assert.deepEqual(await evaluationAt(6), { from: 2, epochs: [3] });
    assert.equal(await evaluationAt(7), undefined, 'no epoch ended');
    cursor.restart();
    assert.deepEqual(await evaluationAt(7), { from: 0, epochs: [1, 2, 3] }, 'a restarted page gets them all');
    for (const from of [-1, 0.5, '0', undefined]) {
      assert.equal(hostMessageProblem({ type: 'evaluation', from, epochs: [], testLooks: [] }), 'evaluation: from must be a whole number ≥ 0', `from: ${from}`);
    }
  });
});

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelFile, StepRecord } from '../../src/engine/types';
import { Trainer, type TrainerOptions } from '../../src/engine/trainer';
import { loadModel } from '../../src/engine/model';
import { toStepTrace } from '../../src/engine/trace';
import { NonFiniteError } from '../../src/engine/nonFinite';
import { FINE_PER_INTERVAL } from '../../src/engine/history';
import { batchLoss, parameters } from '../../src/engine/network';
import { Rng } from '../../src/engine/rng';

const root = join(__dirname, '..', '..');

function trainerFor(model: ModelFile, options?: TrainerOptions): Trainer {
  const loaded = loadModel(JSON.stringify(model));
  assert.ok(loaded.model && loaded.data, JSON.stringify(loaded.diagnostics));
  return new Trainer(loaded.model, loaded.data, options);
}

const xor = (): ModelFile => JSON.parse(readFileSync(join(root, 'examples', 'xor.backprop.json'), 'utf8'));

/** 5 samples, 2 → 3 tanh → 2 identity, random initialization from the seed. */
function regression(batch: ModelFile['batch'], extra: Partial<ModelFile> = {}): ModelFile {
  return {
    seed: 7,
    inputs: 2,
    layers: [{ units: 3, activation: 'tanh' }, { units: 2, activation: 'identity' }],
    loss: 'mse',
    optimizer: { type: 'sgd', learningRate: 0.1, momentum: 0.9 },
    data: {
      x: [[0.5, -1], [1.5, 0.25], [-0.75, 0.8], [0.1, 0.3], [-1.2, -0.4]],
      y: [[0.3, -0.2], [1, 0.5], [-0.4, 0.9], [0, 0.1], [-0.8, -0.6]],
    },
    batch,
    ...extra,
  };
}

function classifier(): ModelFile {
  return {
    seed: 3,
    inputs: 2,
    layers: [{ units: 4, activation: 'leaky-relu' }, { units: 3, activation: 'softmax' }],
    loss: 'cross-entropy',
    regularization: { l1: 0.001, l2: 0.01 },
    optimizer: { type: 'sgd', learningRate: 0.5, momentum: 0.8, nesterov: true, weightDecay: 0.01 },
    data: {
      x: [[0.2, 0.1], [0.9, -0.3], [-0.5, 0.7], [0.4, 0.4], [-0.8, -0.9], [0.6, -0.7], [0.1, 0.9]],
      y: [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0], [0, 0, 1], [0, 1, 0], [0, 0, 1]],
    },
    batch: { mode: 'mini-batch', size: 3, shuffle: true },
  };
}

/**
 * 70 → 64 relu → 10 softmax, batch 64, with L1 and L2: the input (64 × 70), W0's gradient, its
 * optimizer report, f′ of layer 0 (64 × 64) and the softmax Jacobians (64 × 10 × 10) are large
 * enough to be computed when read (lazyField.ts); layer 1's parameters are not.
 */
function largeLayer(optimizer: ModelFile['optimizer']): ModelFile {
  const rng = new Rng(5);
  const samples = 128;
  const x = Array.from({ length: samples }, () => Array.from({ length: 70 }, () => rng.uniform() * 2 - 1));
  const y = Array.from({ length: samples }, (_, s) => Array.from({ length: 10 }, (_unused, k) => (k === s % 10 ? 1 : 0)));
  return {
    seed: 2, inputs: 70, layers: [{ units: 64, activation: 'relu' }, { units: 10, activation: 'softmax' }], loss: 'cross-entropy',
    regularization: { l1: 0.001, l2: 0.01 }, optimizer, data: { x, y }, batch: { mode: 'mini-batch', size: 64, shuffle: true },
  };
}

const sameBits = (a: Float64Array, b: Float64Array) =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

/** x and y of a batch given as positions in the training split. */
function rowsOf(t: Trainer, batch: readonly number[]) {
  const { inputs, outputs } = t.data.dataset;
  const rows = batch.map((p) => t.data.split.train[p]);
  const x = Float64Array.from(rows.flatMap((r) => Array.from(t.data.dataset.x.subarray(r * inputs, (r + 1) * inputs))));
  const y = Float64Array.from(rows.flatMap((r) => Array.from(t.data.dataset.y.subarray(r * outputs, (r + 1) * outputs))));
  return { x, y, rows: rows.length };
}

/** The NonFiniteError that ends training within `steps` steps (failing the test when none does). */
function stopWithin(t: Trainer, steps: number): NonFiniteError {
  try {
    for (let s = 0; s < steps; s++) t.step();
  } catch (error) {
    if (error instanceof NonFiniteError) return error;
    throw error;
  }
  assert.fail(`training ran ${steps} steps without stopping`);
}

function snapshotWeights(t: Trainer): Float64Array[] {
  return parameters(t.network).map((p) => p.slice());
}

function assertSameWeights(a: Float64Array[], b: Float64Array[], what: string): void {
  assert.equal(a.length, b.length);
  a.forEach((p, i) => assert.ok(sameBits(p, b[i]), `${what}: parameter ${i} differs`));
}

/** A partial record as plain data, typed arrays by their bits (NaN-safe, -0-safe). */
function recordFingerprint(record: StepRecord | undefined): string {
  return JSON.stringify(record ?? null, (_key, value) =>
    value instanceof Float64Array ? Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex') : value,
  );
}

describe('trainer: a step machine', () => {
  it('stepping operation by operation gives exactly the whole-step traces, in the documented phase order', () => {
    for (const model of [xor(), classifier(), regression({ mode: 'mini-batch', size: 2 })]) {
      const byOps = trainerFor(model);
      const bySteps = trainerFor(model);
      const L = model.layers.length;
      for (let s = 0; s < 7; s++) {
        const phases = [];
        for (let op = 0; op < byOps.opsPerStep; op++) {
          assert.deepEqual(byOps.position.opIndex, op);
          phases.push(byOps.stepOp());
        }
        const expected = [
          ...Array.from({ length: L }, (_, l) => ({ kind: 'forward', layer: l })),
          { kind: 'loss' },
          ...Array.from({ length: L }, (_, k) => ({ kind: 'backward', layer: L - 1 - k })),
          { kind: 'update' },
        ];
        assert.deepEqual(phases, expected);
        const whole = bySteps.step();
        assert.equal(JSON.stringify(toStepTrace(byOps.history.record(byOps.position.completedSteps))), JSON.stringify(toStepTrace(whole)));
      }
      assertSameWeights(snapshotWeights(byOps), snapshotWeights(bySteps), model.name ?? 'model');
    }
  });

  it('fills the record as operations complete and reports where it stands', () => {
    const t = trainerFor(xor());
    assert.deepEqual(t.position, {
      completedSteps: 0, step: 1, epoch: 1, batch: 1, batchesPerEpoch: 2, opIndex: 0, opsPerStep: 6,
      nextPhase: { kind: 'forward', layer: 0 },
    });
    t.stepOp();
    const r = t.currentRecord!;
    assert.ok(r.layers[0].z && r.layers[0].a && !r.layers[1].z && r.loss === undefined);
    t.stepOp();
    t.stepOp();
    assert.equal(typeof r.loss, 'number');
    assert.ok(r.layers[1].upstream && !r.layers[1].delta);
    assert.deepEqual(t.position.nextPhase, { kind: 'backward', layer: 1 });
    t.stepOp();
    assert.ok(r.layers[1].delta && r.layers[1].gradWeights && r.layers[0].upstream && !r.layers[0].delta);
    t.stepOp();
    assert.deepEqual(t.position.nextPhase, { kind: 'update' });
    assert.throws(() => toStepTrace(r), /not complete yet/);
    t.stepOp();
    assert.equal(t.currentRecord, undefined);
    assert.deepEqual({ ...t.position, nextPhase: undefined }, {
      completedSteps: 1, step: 2, epoch: 1, batch: 2, batchesPerEpoch: 2, opIndex: 0, opsPerStep: 6, nextPhase: undefined,
    });
  });

  it('produces the DESIGN.md §3 StepTrace: field names, order and shapes', () => {
    const t = trainerFor(classifier());
    const trace = toStepTrace(t.step());
    assert.deepEqual(Object.keys(trace), ['step', 'epoch', 'batch', 'loss', 'dataLoss', 'regLoss', 'lossAfter', 'layers', 'optimizer']);
    const rows = trace.batch.length;
    assert.equal(rows, 3);
    const inputs = [2, 4];
    trace.layers.forEach((layer, l) => {
      assert.deepEqual(Object.keys(layer), [
        'index', 'units', 'activation', 'input', 'z', 'a', 'localGrad', 'upstream', 'delta', 'weights', 'bias',
        'gradWeights', 'gradBias', 'update', 'weightsAfter', 'biasAfter',
      ]);
      const out = layer.units;
      const shape = (m: unknown): number[] => (Array.isArray(m) ? [m.length, ...shape(m[0])] : []);
      assert.equal(layer.index, l);
      assert.deepEqual(shape(layer.input), [rows, inputs[l]]);
      for (const key of ['z', 'a', 'upstream', 'delta'] as const) assert.deepEqual(shape(layer[key]), [rows, out], key);
      assert.deepEqual(shape(layer.localGrad), layer.activation === 'softmax' ? [rows, out, out] : [rows, out]);
      for (const m of [layer.weights, layer.gradWeights, layer.update.weights, layer.weightsAfter]) assert.deepEqual(shape(m), [out, inputs[l]]);
      for (const v of [layer.bias, layer.gradBias, layer.update.bias, layer.biasAfter]) assert.deepEqual(shape(v), [out]);
      // The update is what was added: W after − W before is the update up to one rounding.
      layer.weightsAfter.forEach((row, u) => row.forEach((w, i) => {
        assert.ok(Math.abs(w - (layer.weights[u][i] + layer.update.weights[u][i])) <= 1e-15 * Math.max(1, Math.abs(w)));
      }));
    });
    assert.deepEqual(trace.layers[1].input, trace.layers[0].a, 'a layer\'s input is the a of the layer below');
    assert.equal(trace.loss, trace.dataLoss + trace.regLoss);
    assert.equal(trace.optimizer.type, 'sgd');
    assert.ok(JSON.stringify(trace).length > 0 && !JSON.stringify(trace).includes('null'));
  });

  it('loss and lossAfter equal J written out by hand (leaky ReLU, softmax, cross-entropy, λ₁‖W‖₁ + λ₂‖W‖₂²)', () => {
    const model = classifier();
    const t = trainerFor(model);
    t.step();
    const trace = toStepTrace(t.step());
    const x = trace.layers[0].input;
    const { dataset } = t.data;
    const targets = trace.batch.map((p) => Array.from(dataset.y.subarray(t.data.split.train[p] * 3, t.data.split.train[p] * 3 + 3)));
    /** J of this batch for the given weights, from the formulas of DESIGN.md §4 (no engine code). */
    const J = (W: number[][][], b: number[][]) => {
      const affine = (input: number[], l: number) => W[l].map((row, u) => row.reduce((sum, w, i) => sum + w * input[i], b[l][u]));
      const leaky = (z: number) => (z > 0 ? z : 0.01 * z);
      const softmax = (z: number[]) => {
        const m = Math.max(...z);
        const e = z.map((v) => Math.exp(v - m));
        const total = e.reduce((a, v) => a + v, 0);
        return e.map((v) => v / total);
      };
      const dataLoss = -x.reduce((sum, xi, n) => {
        const p = softmax(affine(affine(xi, 0).map(leaky), 1));
        return sum + targets[n].reduce((acc, tk, k) => acc + tk * Math.log(p[k]), 0);
      }, 0) / x.length;
      const weights = W.flat(2);
      const regLoss = 0.001 * weights.reduce((a, w) => a + Math.abs(w), 0) + 0.01 * weights.reduce((a, w) => a + w * w, 0);
      return { dataLoss, regLoss, loss: dataLoss + regLoss };
    };
    const close = (actual: number, expected: number, what: string) =>
      assert.ok(Math.abs(actual - expected) <= 1e-13 * Math.abs(expected), `${what}: ${actual} vs ${expected}`);
    const before = J(trace.layers.map((l) => l.weights), trace.layers.map((l) => l.bias));
    close(trace.dataLoss, before.dataLoss, 'dataLoss');
    close(trace.regLoss, before.regLoss, 'regLoss');
    close(trace.loss, before.loss, 'loss');
    close(trace.lossAfter, J(trace.layers.map((l) => l.weightsAfter), trace.layers.map((l) => l.biasAfter)).loss, 'lossAfter');
  });

  describe('batching', () => {
    const batchesOf = (model: ModelFile, steps: number) => {
      const t = trainerFor(model);
      return Array.from({ length: steps }, () => t.step().batch);
    };

    it('with shuffle:false, batch k is the k-th run of consecutive samples and the last short batch is kept', () => {
      assert.deepEqual(batchesOf(regression({ mode: 'mini-batch', size: 2, shuffle: false }), 6), [[0, 1], [2, 3], [4], [0, 1], [2, 3], [4]]);
      assert.deepEqual(batchesOf(regression({ mode: 'stochastic', shuffle: false }), 6), [[0], [1], [2], [3], [4], [0]]);
      assert.deepEqual(batchesOf(regression({ mode: 'batch' }), 2), [[0, 1, 2, 3, 4], [0, 1, 2, 3, 4]]);
    });

    it('shuffle defaults to false, as PyTorch\'s DataLoader', () => {
      assert.deepEqual(batchesOf(regression({ mode: 'mini-batch', size: 3 }), 4), [[0, 1, 2], [3, 4], [0, 1, 2], [3, 4]]);
    });

    it('with shuffle:true every epoch is a fresh permutation of the training split', () => {
      const batches = batchesOf(regression({ mode: 'mini-batch', size: 2, shuffle: true }), 3 * 5);
      const epochs = [0, 1, 2, 3, 4].map((e) => batches.slice(3 * e, 3 * e + 3));
      for (const epoch of epochs) {
        assert.deepEqual(epoch.map((b) => b.length), [2, 2, 1]);
        assert.deepEqual(epoch.flat().sort(), [0, 1, 2, 3, 4]);
      }
      assert.ok(new Set(epochs.map((e) => JSON.stringify(e))).size > 1, 'the order changes between epochs');
    });

    it('the batch and epoch counters follow the plan', () => {
      const t = trainerFor(regression({ mode: 'mini-batch', size: 2 }));
      const seen = [];
      for (let i = 0; i < 4; i++) {
        seen.push([t.position.epoch, t.position.batch]);
        t.step();
      }
      assert.deepEqual(seen, [[1, 1], [1, 2], [1, 3], [2, 1]]);
      assert.equal(toStepTrace(t.history.record(4)).epoch, 2);
    });
  });

  describe('stepping back', () => {
    it('step back one operation at a time restores every earlier state bit for bit (weights and partial records)', () => {
      const model = classifier();
      const t = trainerFor(model, { checkpointInterval: 2, maxCheckpoints: 3 });
      const states: { weights: Float64Array[]; record: string; position: string }[] = [];
      const capture = () => states.push({
        weights: snapshotWeights(t), record: recordFingerprint(t.currentRecord), position: JSON.stringify(t.position),
      });
      capture();
      for (let i = 0; i < 9 * t.opsPerStep; i++) {
        t.stepOp();
        capture();
      }
      for (let i = states.length - 2; i >= 0; i--) {
        assert.ok(t.history.stepBackOp());
        assert.equal(JSON.stringify(t.position), states[i].position);
        assertSameWeights(snapshotWeights(t), states[i].weights, `state ${i}`);
        assert.equal(recordFingerprint(t.currentRecord), states[i].record, `record at state ${i}`);
      }
      assert.equal(t.history.stepBackOp(), false);
    });

    it('go to step N and step back restore weights, optimizer state, generator and batch order exactly', () => {
      const model = classifier(); // shuffled, momentum: all four parts matter
      const reference = trainerFor(model);
      const traces = Array.from({ length: 12 }, () => JSON.stringify(toStepTrace(reference.step())));
      const t = trainerFor(model, { checkpointInterval: 3, maxCheckpoints: 2, recordCacheSize: 2 });
      for (let s = 0; s < 12; s++) t.step();
      t.history.goTo(4);
      assert.equal(t.position.completedSteps, 4);
      // Going forward again after the jump gives the same steps (the momentum buffer and shuffle came back).
      for (let s = 5; s <= 12; s++) assert.equal(JSON.stringify(toStepTrace(t.step())), traces[s - 1], `step ${s}`);
      // Records that fell out of the small cache are recomputed identically.
      for (let s = 1; s <= 12; s++) assert.equal(JSON.stringify(toStepTrace(t.history.record(s))), traces[s - 1], `record(${s})`);
      assert.equal(t.position.completedSteps, 12, 'recomputing a record leaves the position alone');
      assert.ok(t.history.stepBack());
      assert.equal(JSON.stringify(toStepTrace(t.step())), traces[11]);
      t.history.goTo(7, 3);
      assert.deepEqual([t.position.completedSteps, t.position.opIndex], [7, 3]);
      t.reset();
      assert.equal(JSON.stringify(toStepTrace(t.step())), traces[0]);
    });

    it('searches back one checkpoint interval at a time, newest first, finding what a scan from step 0 finds', () => {
      const model = xor();
      const ops = 2 * model.layers.length + 2;
      // Where the condition holds, by an independent forward scan from step 0: after a backward of
      // the first layer whose batch loss is below the median of the first 100 steps.
      const scan = trainerFor(model);
      const losses = Array.from({ length: 100 }, () => scan.step().loss!);
      const threshold = [...losses].sort((a, b) => a - b)[50];
      const holds = (t: Trainer, phase: ReturnType<Trainer['stepOp']>) =>
        phase.kind === 'backward' && phase.layer === 0 && t.currentRecord!.loss! < threshold;
      const fresh = trainerFor(model);
      const hits: number[] = [];
      for (let position = 1; position <= 100 * ops; position++) if (holds(fresh, fresh.stepOp())) hits.push(position);
      assert.ok(hits.length > 10, 'the condition holds at several places');

      const trainer = trainerFor(model, { checkpointInterval: 8 });
      trainer.history.goTo(100);
      let asked = 0;
      const found = trainer.history.latestBefore((phase) => (asked++, holds(trainer, phase)));
      const expected = hits[hits.length - 1];
      assert.deepEqual(found, { completedSteps: Math.floor(expected / ops), opIndex: expected % ops });
      assert.ok(asked <= 8 * ops * Math.ceil((100 * ops - expected) / (8 * ops) + 1), `asked ${asked} positions, not the ${100 * ops} of a replay from step 0`);

      // Further back, across intervals with no hit, and none at all before the first hit.
      const earlier = hits[hits.length - 6];
      trainer.history.goTo(Math.floor(earlier / ops), earlier % ops);
      const before = trainer.history.latestBefore((phase) => holds(trainer, phase));
      const previous = hits[hits.length - 7];
      assert.deepEqual(before, { completedSteps: Math.floor(previous / ops), opIndex: previous % ops });
      trainer.history.goTo(Math.floor(hits[0] / ops), hits[0] % ops);
      assert.equal(trainer.history.latestBefore((phase) => holds(trainer, phase)), undefined);
    });

    it('keeps the number of checkpoints bounded however long it trains', () => {
      const t = trainerFor(regression({ mode: 'stochastic' }), { trace: false, checkpointInterval: 1, maxCheckpoints: 4 });
      for (let s = 0; s < 200; s++) t.step();
      // At most maxCheckpoints coarse ones and one interval's fine ones.
      const { checkpoints } = t.history.memory;
      assert.ok(checkpoints <= 4 + FINE_PER_INTERVAL, `${checkpoints} checkpoints`);
      const before = snapshotWeights(t);
      t.history.goTo(3);
      t.history.goTo(200);
      assertSameWeights(snapshotWeights(t), before, 'after going back and forth');
    });
  });

  describe('recording', () => {
    it('traced and untraced training give the same parameters and losses bit for bit, with every optimizer state reported or not', () => {
      for (const optimizer of [classifier().optimizer, { type: 'adam' as const, learningRate: 0.05 }, { type: 'rmsprop' as const, learningRate: 0.01, centered: true }]) {
        const model = { ...classifier(), optimizer };
        const traced = trainerFor(model, { trace: true });
        const untraced = trainerFor(model, { trace: false });
        for (let s = 1; s <= 12; s++) {
          const [a, b] = [traced.step(), untraced.step()];
          const losses = (r: StepRecord) => [r.loss, r.dataLoss, r.regLoss, r.lossAfter].map((v) => Buffer.from(Float64Array.of(v!).buffer).toString('hex'));
          assert.deepEqual(losses(a), losses(b), `${optimizer.type} step ${s}: losses`);
          assertSameWeights(snapshotWeights(traced), snapshotWeights(untraced), `${optimizer.type} step ${s}`);
        }
        assert.ok(traced.lastCompleted?.layers[0].gradWeights && !untraced.lastCompleted?.layers[0].localGrad, 'only the traced run records every tensor');
      }
    });

    it('records as weights before each step exactly the live weights it started from, through tracing switches and moves back', () => {
      // A recorded step shares the previous recorded step's copy of the weights after its update
      // instead of copying them again; an unrecorded update or a restored checkpoint must end that.
      const t = trainerFor(classifier(), { checkpointInterval: 1 });
      const kept: { record: StepRecord; fingerprint: string }[] = [];
      const stepChecked = (what: string) => {
        const before = snapshotWeights(t);
        const record = t.step();
        if (!t.tracing) return;
        assertSameWeights(record.layers.flatMap((layer) => [layer.weights!, layer.bias!]), before, `${what}: weights before`);
        assertSameWeights(record.layers.flatMap((layer) => [layer.weightsAfter!, layer.biasAfter!]), snapshotWeights(t), `${what}: weights after`);
        kept.push({ record, fingerprint: recordFingerprint(record) });
      };
      for (let s = 0; s < 3; s++) stepChecked(`traced step ${s}`);
      t.setTracing(false);
      stepChecked('untraced step');
      t.setTracing(true);
      stepChecked('traced after an untraced one');
      stepChecked('traced again');
      t.history.goTo(2);
      stepChecked('after going back to a checkpoint');
      assert.ok(t.history.stepBack());
      stepChecked('after a step back');
      t.history.record(1);
      stepChecked('after recomputing an old record');
      t.reset();
      stepChecked('after a reset');
      kept.forEach(({ record, fingerprint }) => assert.equal(recordFingerprint(record), fingerprint, `record of step ${record.step} unchanged later`));
    });

    it('a recorded update read steps later is exactly what the update added: weights after = weights + update, bit for bit', () => {
      // SGD without weight decay leaves its step to be computed when read (lazyField.ts), from the
      // record's gradient and velocity; with weight decay it writes it during the update; Adam
      // reports its own; L-BFGS reports none (the update is then after − before).
      const sgd = { type: 'sgd' as const, learningRate: 0.5 };
      const optimizers = [
        sgd, { ...sgd, momentum: 0.8 }, { ...sgd, momentum: 0.8, nesterov: true }, { ...sgd, momentum: 0.8, dampening: 0.3 },
        { ...sgd, momentum: 0.8, weightDecay: 0.01 }, { type: 'adam' as const, learningRate: 0.05 }, { type: 'lbfgs' as const },
      ];
      for (const optimizer of optimizers) {
        const t = trainerFor({ ...classifier(), optimizer });
        const records = Array.from({ length: 5 }, () => t.step());
        for (const record of records) {
          for (const layer of record.layers) {
            const what = `${JSON.stringify(optimizer)} step ${record.step} layer ${layer.index}`;
            const [update, updateBias] = [layer.updateWeights!, layer.updateBias!];
            const reported = record.optimizer!.state[`layers[${layer.index}].weights`] as { step?: Float64Array } | undefined;
            if (optimizer.type === 'lbfgs') {
              assert.ok(sameBits(update, layer.weightsAfter!.map((a, j) => a - layer.weights[j])), `${what}: after − before`);
              continue;
            }
            const added = (before: Float64Array, step: Float64Array) => before.map((b, j) => b + step[j]);
            assert.ok(sameBits(added(layer.weights, update), layer.weightsAfter!), `${what}: weights`);
            assert.ok(sameBits(added(layer.bias, updateBias), layer.biasAfter!), `${what}: bias`);
            assert.equal(reported?.step, update, `${what}: the update is the optimizer's reported step`);
            if (optimizer === sgd) assert.ok(sameBits(update, layer.gradWeights!.map((g) => -0.5 * g)), `${what}: −lr·g`);
          }
        }
      }
    });

    it('a large layer\'s derived arrays (input, ∂J/∂W, update, SGD step, f′, softmax Jacobian), computed when first read steps later, are the step\'s', () => {
      // 70 → 64 relu → 10 softmax, batch 64: the input (64 × 70), W0's gradient, update and step, f′ of
      // layer 0 (64 × 64) and the softmax Jacobians (64 × 10 × 10) are large enough to be computed when read (lazyField.ts).
      for (const optimizer of [{ type: 'sgd' as const, learningRate: 0.5 }, { type: 'sgd' as const, learningRate: 0.5, momentum: 0.9, nesterov: true }]) {
        const t = trainerFor(largeLayer(optimizer));
        const records = Array.from({ length: 4 }, () => t.step());
        for (const record of records) {
          const what = `${JSON.stringify(optimizer)} step ${record.step}`;
          const [hidden, output] = record.layers;
          const deferred = (layer: object, field: string) => Object.getOwnPropertyDescriptor(layer, field)?.get !== undefined;
          assert.ok(
            ['input', 'gradWeights', 'updateWeights', 'localGrad'].every((field) => deferred(hidden, field)) && deferred(output, 'localGrad'),
            `${what}: the large arrays are deferred`,
          );
          assert.ok(['updateWeights', 'input', 'gradWeights'].every((field) => !deferred(output, field)), `${what}: a small one is not`);
          // The input, gathered again from the dataset, is the batch's rows (the steps after it reused the memory it was first gathered into).
          assert.ok(sameBits(hidden.input!, rowsOf(t, record.batch).x), `${what}: the input is the batch's rows of the dataset`);
          const update = hidden.updateWeights!;
          assert.ok(sameBits(hidden.weights.map((b, j) => b + update[j]), hidden.weightsAfter!), `${what}: weights + update = weights after`);
          assert.equal((record.optimizer!.state['layers[0].weights'] as { step: Float64Array }).step, update, `${what}: the reported step`);
          if (!optimizer.momentum) assert.ok(sameBits(update, hidden.gradWeights!.map((g) => -0.5 * g)), `${what}: −lr·g`);
          // ∂J/∂W[u][i] = Σ_r δ[r][u]·input[r][i], summed over the batch in row order, + λ₁ sign(W) + 2λ₂ W
          // at the weights before the update (computed when read, after the update changed the live ones).
          const gradient = new Float64Array(64 * 70);
          for (let u = 0; u < 64; u++) {
            for (let i = 0; i < 70; i++) {
              let sum = 0;
              for (let r = 0; r < 64; r++) sum += hidden.delta![r * 64 + u] * hidden.input![r * 70 + i];
              const w = hidden.weights[u * 70 + i];
              gradient[u * 70 + i] = sum + (0.001 * Math.sign(w) + 2 * 0.01 * w);
            }
          }
          assert.ok(sameBits(hidden.gradWeights!, gradient), `${what}: ∂J/∂W = δᵀ·input`);
          // relu: δ = f′ ⊙ ∂J/∂a with f′ ∈ {0, 1}, exactly.
          const fPrime = hidden.localGrad!;
          assert.equal(fPrime.length, 64 * 64);
          fPrime.forEach((d, i) => assert.ok(d * hidden.upstream![i] === hidden.delta![i], `${what}: f′ ⊙ upstream = δ at ${i}`));
          // softmax: each sample's Jacobian is diag(p) − p pᵀ of the recorded outputs.
          const jacobian = output.localGrad!;
          assert.equal(jacobian.length, 64 * 10 * 10);
          for (let r = 0; r < 64; r++) {
            for (let i = 0; i < 10; i++) {
              for (let k = 0; k < 10; k++) {
                const [p, q] = [output.a![r * 10 + i], output.a![r * 10 + k]];
                const expected = (i === k ? p : 0) - p * q;
                assert.ok(Math.abs(jacobian[r * 100 + i * 10 + k] - expected) <= 1e-15, `${what}: Jacobian of sample ${r} at ${i},${k}`);
              }
            }
          }
        }
        // The same records recomputed by replay hold the same numbers.
        records.forEach((record) => assert.equal(JSON.stringify(toStepTrace(t.history.record(record.step))), JSON.stringify(toStepTrace(record))));
      }
    });

    it('Adam\'s, RMSprop\'s and Adagrad\'s reports of a large layer, computed when first read steps later, follow from the report\'s copies and the recorded gradient', () => {
      const optimizers = [
        { type: 'adam' as const, learningRate: 0.05 }, { type: 'adam' as const, learningRate: 0.05, amsgrad: true },
        { type: 'rmsprop' as const, learningRate: 0.01 }, { type: 'rmsprop' as const, learningRate: 0.01, centered: true, momentum: 0.5 },
        { type: 'adagrad' as const, learningRate: 0.1 },
      ];
      for (const optimizer of optimizers) {
        const t = trainerFor(largeLayer(optimizer));
        const records = Array.from({ length: 4 }, () => t.step());
        for (const record of records) {
          const what = `${JSON.stringify(optimizer)} step ${record.step}`;
          const [hidden] = record.layers;
          const state = record.optimizer!.state;
          const report = state['layers[0].weights'] as Record<string, Float64Array>;
          const deferred = (field: string) => Object.getOwnPropertyDescriptor(report, field)?.get !== undefined;
          const same = (field: string, expected: Float64Array) => assert.ok(sameBits(report[field], expected), `${what}: ${field}`);
          const gradient = hidden.gradWeights!;
          if (optimizer.type === 'adam') {
            assert.ok(deferred('mHat') && deferred('vHat'), `${what}: the bias-corrected moments are deferred`);
            same('mHat', report.m.map((m) => m / (state.biasCorrection1 as number)));
            same('vHat', (optimizer.amsgrad ? report.vMax : report.v).map((v) => v / (state.biasCorrection2 as number)));
          } else if (optimizer.type === 'rmsprop') {
            assert.ok(deferred('denominator') && deferred('step'), `${what}: the denominator and the step are deferred`);
            const gBar = report.gradAverage;
            same('denominator', report.squareAverage.map((v, j) => (gBar ? Math.sqrt(v - gBar[j] * gBar[j]) : Math.sqrt(v)) + 1e-8));
            same('step', optimizer.momentum ? report.velocity.map((b) => -0.01 * b) : gradient.map((g, j) => -0.01 * (g / report.denominator[j])));
          } else {
            assert.ok(deferred('step'), `${what}: the step is deferred`);
            same('step', gradient.map((g, j) => -0.1 * (g / (Math.sqrt(report.sumOfSquares[j]) + 1e-10))));
          }
          assert.ok(sameBits(hidden.weights.map((w, j) => w + hidden.updateWeights![j]), hidden.weightsAfter!), `${what}: weights + update = weights after`);
          assert.equal(report.step, hidden.updateWeights, `${what}: the update is the reported step`);
        }
        records.forEach((record) => assert.equal(JSON.stringify(toStepTrace(t.history.record(record.step))), JSON.stringify(toStepTrace(record))));
      }
    });

    it('keeps at most recordCacheBytes of records (the newest always), and recomputes older ones bit for bit', () => {
      const model = regression({ mode: 'mini-batch', size: 2, shuffle: true });
      const reference = trainerFor(model);
      const firstTime = Array.from({ length: 9 }, () => JSON.stringify(toStepTrace(reference.step())));
      // A record of this network takes about 1.4 KB: a 4 KB budget keeps the newest three, not 64.
      const t = trainerFor(model, { recordCacheBytes: 4096 });
      for (let s = 0; s < 9; s++) t.step();
      const kept = firstTime.map((_, s) => t.history.recent.get(s + 1) !== undefined);
      assert.deepEqual(kept, [false, false, false, false, false, false, true, true, true], 'records kept');
      firstTime.forEach((trace, s) => assert.equal(JSON.stringify(toStepTrace(t.history.record(s + 1))), trace, `step ${s + 1}`));
      const tiny = trainerFor(model, { recordCacheBytes: 1 });
      tiny.step();
      tiny.step();
      assert.deepEqual([tiny.history.recent.get(1), tiny.history.recent.get(2)?.step], [undefined, 2], 'a budget below one record keeps the newest');
    });
  });

  describe('running', () => {
    it('runs an epoch and records train/validation figures at its end (test only on request)', () => {
      const model: ModelFile = { ...classifier(), split: { train: 0.6, validation: 0.2, test: 0.2 } };
      const t = trainerFor(model);
      while (t.position.epoch === 1) t.step();
      assert.equal(t.position.completedSteps, t.plan.batchesPerEpoch);
      assert.deepEqual(t.evaluations.map((e) => [e.split, e.trigger, e.epoch]), [['train', 'epoch-end', 1], ['validation', 'epoch-end', 1]]);
      for (const e of t.evaluations) {
        const rows = t.data.split[e.split];
        const dims = (r: number, w: number, a: Float64Array) => Array.from(a.subarray(r * w, (r + 1) * w));
        const x = Float64Array.from(rows.flatMap((r) => dims(r, 2, t.data.dataset.x)));
        const y = Float64Array.from(rows.flatMap((r) => dims(r, 3, t.data.dataset.y)));
        assert.equal(e.loss, batchLoss(t.network, t.lossSpec, x, y, rows.length));
        assert.ok(e.accuracy! >= 0 && e.accuracy! <= 1);
        assert.equal(e.samples, rows.length);
      }
      const test = t.evaluate('test');
      assert.deepEqual([test.split, test.trigger], ['test', 'request']);
      assert.equal(t.evaluations.length, 3);
    });

    it('accuracy counts arg-max hits (cross-entropy) and 0.5-threshold hits (binary cross-entropy)', () => {
      const t = trainerFor({ ...xor(), layers: [{ units: 3, activation: 'relu', weights: [[1, 0], [0, 1], [0, 0]], bias: [0, 0, 0] }, { units: 1, activation: 'sigmoid', weights: [[1, 1, 0]], bias: [-0.5] }] });
      // Outputs σ(x1 + x2 − 0.5): samples (0,0) → 0.38 (target 0, hit), (0,1) → 0.62 (1, hit), (1,0) hit, (1,1) → 0.82 (0, miss).
      assert.equal(t.evaluate('train').accuracy, 0.75);
    });

    it('announces operations, steps and epoch ends to subscribers, and stays quiet while replaying', () => {
      const t = trainerFor(xor(), { recordCacheSize: 1 });
      const events: string[] = [];
      t.subscribe((e) => events.push(e.type));
      t.step();
      t.step();
      assert.deepEqual(events, ['op', 'op', 'op', 'op', 'op', 'op', 'step', 'op', 'op', 'op', 'op', 'op', 'op', 'step', 'epoch']);
      events.length = 0;
      t.history.record(1); // recomputed by a replay: nothing to announce
      t.history.goTo(0);
      t.history.goTo(2);
      assert.deepEqual(events, ['moved', 'moved']);
    });
  });

  describe('NaN and ±Infinity stop training where they first appear', () => {
    // x₀ · W₀₀ = 1e200 · 1e200 overflows in the first forward operation, at unit 0 of layers[0], row 1.
    const overflow = (): ModelFile => ({
      inputs: 2,
      layers: [
        { units: 2, activation: 'identity', weights: [[1e200, 0], [0, 1]], bias: [0, 0] },
        { units: 1, activation: 'identity', weights: [[1, 1]], bias: [0] },
      ],
      loss: 'mse',
      optimizer: { type: 'sgd', learningRate: 0.1 },
      data: { x: [[1, 1], [1e200, 1]], y: [[0], [0]] },
    });

    it('names step, phase, layer, unit and row of an overflow in the forward pass', () => {
      const fresh = trainerFor(overflow());
      let caught: unknown;
      try {
        fresh.step();
      } catch (e) {
        caught = e;
      }
      assert.ok(caught instanceof NonFiniteError);
      assert.deepEqual(caught.detail, {
        step: 1, epoch: 1, phase: { kind: 'forward', layer: 0 }, layer: 0, quantity: 'z', value: Infinity, unit: 0, row: 1, sample: 1,
      });
      assert.match(caught.message, /step 1 .*forward of layers\[0\].*z of layers\[0\] is Infinity at unit 0, batch row 1/);
      assert.throws(() => fresh.stepOp(), NonFiniteError, 'it does not go on past the problem');
      assert.throws(() => fresh.step(), NonFiniteError);
      assert.ok(fresh.history.stepBackOp(), 'stepping back leaves the stopped state');
      assert.equal(fresh.stoppedBy, undefined);
    });

    it('an optimizer state that overflows stops training (l2 1e200 with Adam), naming the state and the weight', () => {
      const model: ModelFile = { ...xor(), regularization: { l2: 1e200 }, optimizer: { type: 'adam', learningRate: 0.01 } };
      const t = trainerFor(model);
      const stopped = stopWithin(t, 50);
      const { detail } = stopped;
      assert.deepEqual([detail.step, detail.phase.kind, detail.quantity, detail.state, detail.parameter], [1, 'update', 'optimizerState', 'v', 'weights']);
      // Independently: v = (1 − β₂)·g² with g = ∂J/∂W of the step, the first element of W₀ (row-major) where it overflows.
      const g = t.lastCompleted!.layers[0].gradWeights!;
      const k = Array.from(g).findIndex((gk) => !Number.isFinite((1 - 0.999) * gk * gk));
      assert.ok(k >= 0 && Array.from(g).every(Number.isFinite), 'the gradient itself is finite');
      const inputs = t.network.layers[0].inputs;
      assert.deepEqual([detail.layer, detail.unit, detail.input], [0, Math.floor(k / inputs), k % inputs]);
      assert.match(stopped.message, /optimizer state v of layers\[0\]\.weights is Infinity at unit \d+, input \d+/);
      assert.ok(parameters(t.network).every((p) => p.every(Number.isFinite)), 'every weight was still finite: only the state went bad');
    });

    it('a regularization loss that overflows names the weight whose term overflows the sum', () => {
      // λ₂ Σw² = 1e306 · (1 + 1 + 400 + 1): finite through W₀[0][1] (2e306), infinite from W₀[1][0] (402e306).
      const model: ModelFile = {
        inputs: 2,
        layers: [{ units: 2, activation: 'identity', weights: [[1, 1], [20, 1]], bias: [0, 0] }, { units: 1, activation: 'identity', weights: [[0, 0]], bias: [0] }],
        loss: 'mse',
        regularization: { l2: 1e306 },
        optimizer: { type: 'sgd', learningRate: 0.1 },
        data: { x: [[1, 1]], y: [[0]] },
      };
      const t = trainerFor(model);
      assert.throws(() => t.step(), (error: unknown) => {
        assert.ok(error instanceof NonFiniteError);
        assert.deepEqual(error.detail, { step: 1, epoch: 1, phase: { kind: 'loss' }, layer: 0, quantity: 'regLoss', value: Infinity, unit: 1, input: 0 });
        assert.match(error.message, /regLoss of layers\[0\] is Infinity at unit 1, input 0/);
        return true;
      });
    });

    it('on a model that diverges, stops at the first operation that made a non-finite value', () => {
      const diverging: ModelFile = {
        seed: 1,
        inputs: 1,
        layers: [{ units: 3, activation: 'relu' }, { units: 1, activation: 'identity' }],
        loss: 'mse',
        optimizer: { type: 'sgd', learningRate: 5 },
        data: { x: [[1], [2], [3]], y: [[10], [20], [30]] },
      };
      const t = trainerFor(diverging);
      const stopped = stopWithin(t, 1000);
      const { detail } = stopped;
      // Independently of the detector: one operation earlier everything was finite ...
      const stoppedAt = JSON.stringify(t.position);
      const record = t.currentRecord ?? t.lastCompleted!;
      const finite = (a: Float64Array | undefined) => !a || a.every(Number.isFinite);
      if (detail.phase.kind === 'loss') {
        assert.equal(detail.quantity, 'dataLoss');
        assert.ok(!Number.isFinite(record.dataLoss!));
        for (const layer of record.layers) assert.ok(finite(layer.z) && finite(layer.a), 'the forward pass was finite');
        return;
      }
      if (detail.quantity === 'lossAfter') {
        // The update left every weight finite, yet J on the same batch after it is not: recomputed here.
        assert.ok(!Number.isFinite(record.lossAfter!));
        for (const layer of record.layers) assert.ok(finite(layer.weightsAfter) && finite(layer.biasAfter), 'the weights stayed finite');
        const { x, y, rows } = rowsOf(t, record.batch);
        assert.ok(!Number.isFinite(batchLoss(t.network, t.lossSpec, x, y, rows)));
        return;
      }
      const field = ({ z: 'z', a: 'a', delta: 'delta', gradWeights: 'gradWeights', gradBias: 'gradBias', weights: 'weightsAfter', bias: 'biasAfter' } as Record<string, keyof typeof record.layers[0]>)[detail.quantity];
      assert.ok(field, `quantity ${detail.quantity}`);
      const values = record.layers[detail.layer][field] as Float64Array;
      const width = detail.quantity === 'weights' || detail.quantity === 'gradWeights' ? record.layers[detail.layer].inputs : record.layers[detail.layer].units;
      const flat = detail.row !== undefined ? detail.row * width + detail.unit! : detail.input !== undefined ? detail.unit! * width + detail.input : detail.unit!;
      // ... the named element is the non-finite one, and no element before it is.
      assert.ok(!Number.isFinite(values[flat]), `${field}[${flat}] = ${values[flat]}`);
      assert.ok(Array.from(values.subarray(0, flat)).every(Number.isFinite));
      assert.equal(detail.step, record.step);
      t.history.stepBackOp();
      assert.notEqual(JSON.stringify(t.position), stoppedAt);
      const before = t.currentRecord;
      if (before) for (const layer of before.layers) for (const key of ['z', 'a', 'delta', 'gradWeights', 'gradBias'] as const) assert.ok(finite(layer[key]), `${key} before the stop`);
      assert.ok(parameters(t.network).every((p) => p.every(Number.isFinite)));
    });
  });
});

describe('trainer: SGD trajectories equal PyTorch\'s (float64, ≥ 20 steps)', () => {
  const fixture = JSON.parse(readFileSync(join(root, 'test', 'fixtures', 'pytorch', 'sgd_trajectory.json'), 'utf8')) as {
    cases: { model: ModelFile; trajectory: { step: number; batch: number[]; loss: number; dataLoss: number; regLoss: number; lossAfter: number; params: number[][] }[] }[];
  };
  const close = (actual: number, expected: number, what: string) => {
    const error = Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-300);
    assert.ok(error < 1e-9 || Math.abs(actual - expected) < 1e-15, `${what}: ${actual} vs PyTorch ${expected} (relative error ${error})`);
  };

  for (const { model, trajectory } of fixture.cases) {
    it(`${model.name} (${trajectory.length} steps)`, () => {
      assert.ok(trajectory.length >= 20);
      const t = trainerFor(model);
      for (const expected of trajectory) {
        const record = t.step();
        assert.deepEqual(record.batch, expected.batch, `step ${expected.step} batch`);
        close(record.loss!, expected.loss, `step ${expected.step} loss`);
        close(record.dataLoss!, expected.dataLoss, `step ${expected.step} dataLoss`);
        close(record.regLoss!, expected.regLoss, `step ${expected.step} regLoss`);
        close(record.lossAfter!, expected.lossAfter, `step ${expected.step} lossAfter`);
        parameters(t.network).forEach((p, i) =>
          p.forEach((v, j) => close(v, expected.params[i][j], `step ${expected.step} parameter ${i}[${j}]`)),
        );
      }
    });
  }
});

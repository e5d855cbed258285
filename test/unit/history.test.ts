// History at any length (issue 16 item 4): old records and moves back replay on a second machine
// in slices that yield, from two levels of checkpoints. What they give must be bit-identical to
// what training gave the first time, for stateful optimizers and shuffled batches alike.
import { strict as assert } from 'node:assert';
import type { ModelFile, OptimizerSpec } from '../../src/engine/types';
import { Trainer, type TrainerOptions } from '../../src/engine/trainer';
import { FINE_PER_INTERVAL, HistoryRestartedError, MoveSupersededError } from '../../src/engine/history';
import { loadModel } from '../../src/engine/model';
import { toStepTrace } from '../../src/engine/trace';
import { parameters } from '../../src/engine/network';
import { TrainingSession } from '../../src/extension/session';
import { buildTensorMessage } from '../../src/extension/inspectorMessages';

/** 11 samples, 2 → 4 tanh → 2 softmax, shuffled batches of 3 (the last one short). */
function model(optimizer: OptimizerSpec): ModelFile {
  const x = Array.from({ length: 11 }, (_, i) => [Math.sin(i * 1.3), Math.cos(i * 0.7) - 0.2]);
  return {
    seed: 11,
    inputs: 2,
    layers: [{ units: 4, activation: 'tanh' }, { units: 2, activation: 'softmax' }],
    loss: 'cross-entropy',
    regularization: { l2: 0.001 },
    optimizer,
    data: { x, y: x.map(([a, b]) => (a * b > 0 ? [1, 0] : [0, 1])) },
    batch: { mode: 'mini-batch', size: 3, shuffle: true },
  };
}

const OPTIMIZERS: OptimizerSpec[] = [
  { type: 'sgd', learningRate: 0.1, momentum: 0.9, nesterov: true },
  { type: 'adam', learningRate: 0.01 },
  { type: 'rmsprop', learningRate: 0.005, centered: true, momentum: 0.5 },
  { type: 'adagrad', learningRate: 0.05 },
];

/** Small checkpoint settings, so a few hundred steps double the interval several times and use fine checkpoints. */
const SMALL: TrainerOptions = { checkpointInterval: 2, maxCheckpoints: 6, recordCacheSize: 2 };

function trainerFor(file: ModelFile, options: TrainerOptions = SMALL): Trainer {
  const loaded = loadModel(JSON.stringify(file));
  assert.ok(loaded.model && loaded.data, JSON.stringify(loaded.diagnostics));
  return new Trainer(loaded.model, loaded.data, options);
}

/** Trains `steps` steps, keeping each step's trace and the parameters after it, as made the first time. */
function trainRecording(t: Trainer, steps: number): { traces: string[]; weights: Float64Array[][] } {
  const traces: string[] = [];
  const weights: Float64Array[][] = [parameters(t.network).map((p) => p.slice())];
  for (let s = 1; s <= steps; s++) {
    traces.push(JSON.stringify(toStepTrace(t.step())));
    weights.push(parameters(t.network).map((p) => p.slice()));
  }
  return { traces, weights };
}

function assertSameBits(actual: Float64Array[], expected: Float64Array[], what: string): void {
  assert.equal(actual.length, expected.length, what);
  actual.forEach((a, i) => assert.ok(Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(expected[i].buffer, expected[i].byteOffset, expected[i].byteLength)), `${what}: parameter ${i}`));
}

const STEPS = 300;

/** Counts turns of the event loop (its check phase, where setImmediate runs) until stop(). */
function turnCounter(): { readonly turns: number; stop(): void } {
  let turns = 0;
  let counting = true;
  const count = () => {
    if (!counting) return;
    turns++;
    setImmediate(count);
  };
  setImmediate(count);
  return {
    get turns() {
      return turns;
    },
    stop: () => {
      counting = false;
    },
  };
}

describe('history at any length (replays in slices from two levels of checkpoints)', () => {
  for (const optimizer of OPTIMIZERS) {
    it(`${optimizer.type}: an old step's record fetched later equals the record made when it was trained (bit-exact)`, async () => {
      const t = trainerFor(model(optimizer));
      const first = trainRecording(t, STEPS);
      assert.ok(t.history.memory.coarseInterval > SMALL.checkpointInterval!, 'the interval doubled: the replays cross thinned checkpoints');
      // Far back, forwards, backwards, neighbours (fine checkpoints), the first and the last step.
      for (const step of [1, 150, 151, 149, 37, 299, 300, 2, 64, 63, 200, 7]) {
        const record = await t.history.recordInSlices(step);
        assert.equal(JSON.stringify(toStepTrace(record)), first.traces[step - 1], `record of step ${step}`);
      }
      assert.equal(t.position.completedSteps, STEPS, 'fetching records leaves the position alone');
      assertSameBits(parameters(t.network), first.weights[STEPS], 'weights after fetching records');
    });

    it(`${optimizer.type}: Go To and repeated Step Back land on the right step, with state to train on from there`, async () => {
      const t = trainerFor(model(optimizer));
      const first = trainRecording(t, STEPS);
      for (const target of [123, 5, 260, 0]) {
        await t.history.goToInSlices(target);
        assert.equal(t.position.completedSteps, target);
        assert.equal(t.position.opIndex, 0);
        assertSameBits(parameters(t.network), first.weights[target], `weights at step ${target}`);
        if (target > 0) assert.equal(JSON.stringify(toStepTrace(t.history.record(target))), first.traces[target - 1], `record on screen at ${target}`);
      }
      await t.history.goToInSlices(200);
      for (let expected = 199; expected >= 190; expected--) {
        const back = t.history.positionBeforeStep()!;
        await t.history.goToInSlices(back.completedSteps, back.opIndex);
        assert.equal(t.position.completedSteps, expected);
        assertSameBits(parameters(t.network), first.weights[expected], `weights after Step Back to ${expected}`);
      }
      // Training on from there repeats the original steps: optimizer state, generator and batch order came back.
      for (let s = 191; s <= 210; s++) assert.equal(JSON.stringify(toStepTrace(t.step())), first.traces[s - 1], `step ${s} trained again`);
    });
  }

  it('lands within a step: the operations of the target step are done', async () => {
    const t = trainerFor(model(OPTIMIZERS[1]));
    const first = trainRecording(t, 40);
    await t.history.goToInSlices(17, 3);
    assert.deepEqual([t.position.completedSteps, t.position.opIndex], [17, 3]);
    while (t.position.opIndex !== 0) t.stepOp();
    assert.equal(JSON.stringify(toStepTrace(t.lastCompleted!)), first.traces[17]);
  });

  it('yields to the event loop while it replays, and gives the same record as the synchronous replay', async () => {
    // Only step 0 is checkpointed: the record of step 3000 replays 2999 steps, many slices' work.
    const t = trainerFor(model(OPTIMIZERS[1]), { trace: false, checkpointInterval: 1_000_000, maxCheckpoints: 2 });
    for (let s = 0; s < 3000; s++) t.step();
    const loop = turnCounter();
    const record = await t.history.recordInSlices(3000);
    loop.stop();
    assert.ok(loop.turns > 1, `the event loop turned ${loop.turns} times during the replay`);
    t.history.recent.clear();
    assert.equal(JSON.stringify(toStepTrace(record)), JSON.stringify(toStepTrace(t.history.record(3000))));
  });

  it('a replay that finishes after training started over rejects and moves nothing', async () => {
    const t = trainerFor(model(OPTIMIZERS[0]), { trace: false, checkpointInterval: 1_000_000, maxCheckpoints: 2 });
    for (let s = 0; s < 3000; s++) t.step();
    const asked = t.history.goToInSlices(2500);
    t.reset(); // before the replay began
    await assert.rejects(asked, HistoryRestartedError);
    assert.equal(t.position.completedSteps, 0);
    for (let s = 0; s < 3000; s++) t.step();
    const replaying = t.history.goToInSlices(2500);
    for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve));
    t.reset(); // while it replays
    await assert.rejects(replaying, HistoryRestartedError);
    assert.equal(t.position.completedSteps, 0);
  });

  it('starts every replay in a task of its own: moves asked back to back land in different turns of the event loop', async () => {
    // Each of these replays is a few steps from a fine checkpoint, well within one slice; queued,
    // they used to run one after another in the task that ended the first (at 200,000 steps
    // fifteen presses held the event loop 40-55 ms).
    const t = trainerFor(model(OPTIMIZERS[1]));
    const first = trainRecording(t, STEPS);
    const loop = turnCounter();
    const landedIn: number[] = [];
    const targets = [299, 298, 297, 296, 150];
    await Promise.all(targets.map((target) => t.history.goToInSlices(target).then(() => landedIn.push(loop.turns))));
    loop.stop();
    assert.ok(landedIn.every((at, i) => i === 0 || at > landedIn[i - 1]), `landed in turns ${landedIn.join(', ')}`);
    assert.equal(t.position.completedSteps, 150);
    assertSameBits(parameters(t.network), first.weights[150], 'weights at the last target');
  });

  it('a replay under way when training starts over stops at its next slice: the new history books none of its checkpoints', async () => {
    const t = trainerFor(model(OPTIMIZERS[0]), { ...SMALL, trace: false });
    for (let s = 0; s < 16_000; s++) t.step();
    const coarse = t.history.memory.coarseInterval;
    const replaying = t.history.recordInSlices(2 * coarse - 1); // thousands of steps: many slices
    // Three turns: the replay is under way (its twin built in one slice, its first steps replayed in the next).
    for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve));
    // Another training from step 0: a stale replay's checkpoints would be the old training's.
    const broken = { kind: 'tanh-without-square' } as const;
    t.setBrokenDerivative(broken);
    await assert.rejects(replaying, HistoryRestartedError);
    // Had it gone on, the old training's states would sit among the new one's checkpoints, and
    // moves back in the new training would restore them.
    assert.equal(t.history.memory.checkpoints, 1, 'the new history holds step 0 alone');
  });

  it('a move superseded while it replays stops and moves nothing; the newer move lands', async () => {
    const t = trainerFor(model(OPTIMIZERS[1]), { trace: false, checkpointInterval: 1_000_000, maxCheckpoints: 2 });
    const weights = [parameters(t.network).map((p) => p.slice())];
    for (let s = 0; s < 3000; s++) {
      t.step();
      weights.push(parameters(t.network).map((p) => p.slice()));
    }
    let superseded = false;
    const older = t.history.goToInSlices(2500, 0, () => superseded);
    for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve));
    superseded = true;
    const newer = t.history.goToInSlices(1200);
    await assert.rejects(older, MoveSupersededError);
    assert.equal(t.position.completedSteps, 3000, 'the superseded move moved nothing');
    await newer;
    assert.equal(t.position.completedSteps, 1200);
    assertSameBits(parameters(t.network), weights[1200], 'weights at the newer target');
  });

  it('keeps the checkpoints within the byte budget and the count limit however long it trains', () => {
    const probe = trainerFor(model(OPTIMIZERS[1]), { trace: false });
    const perCheckpoint = probe.history.memory.bytes; // step 0's alone
    assert.ok(perCheckpoint > 0);
    const budget = 24 * perCheckpoint;
    const t = trainerFor(model(OPTIMIZERS[1]), { trace: false, checkpointInterval: 1, maxCheckpoints: 1000, checkpointBytes: budget });
    for (let s = 0; s < 3000; s++) t.step();
    const memory = t.history.memory;
    assert.ok(memory.bytes <= budget, `${memory.bytes} bytes in ${memory.checkpoints} checkpoints, budget ${budget}`);
    const counted = trainerFor(model(OPTIMIZERS[1]), { trace: false, checkpointInterval: 1, maxCheckpoints: 8 });
    for (let s = 0; s < 3000; s++) counted.step();
    assert.ok(counted.history.memory.checkpoints <= 8 + FINE_PER_INTERVAL, `${counted.history.memory.checkpoints} checkpoints`);
    // The longest replay to any step is one coarse interval, that within the fine ones one fine interval.
    assert.ok(counted.history.memory.coarseInterval * 8 >= 3000);
    assert.equal(counted.history.memory.fineInterval, Math.ceil(counted.history.memory.coarseInterval / FINE_PER_INTERVAL));
  });
});

describe('the session moves back and fetches old records through the sliced replay', () => {
  function open(): TrainingSession {
    const result = TrainingSession.load('file:///history.backprop.json', JSON.stringify(model(OPTIMIZERS[1])));
    if (!result.ok) throw new Error(JSON.stringify(result.loaded.diagnostics));
    return result.session;
  }

  it('two Step Back presses made at once go back two steps; Go To lands where asked', async () => {
    const session = open();
    const reference = trainerFor(model(OPTIMIZERS[1]));
    const first = trainRecording(reference, 300);
    await session.goToStep(300);
    const [a, b] = await Promise.all([session.stepBack(), session.stepBack()]);
    assert.deepEqual([a, b], [true, true]);
    assert.equal(session.completedSteps, 298);
    assert.equal(JSON.stringify(toStepTrace(session.record!)), first.traces[297]);
    await session.goToStep(42);
    assert.equal(session.completedSteps, 42);
    assert.equal(JSON.stringify(toStepTrace(session.record!)), first.traces[41]);
  });

  it('a Step pressed while a Step Back replays waits for it: back one, then forward one', async () => {
    const session = open();
    const reference = trainerFor(model(OPTIMIZERS[1]));
    const first = trainRecording(reference, 300);
    await session.goToStep(300);
    const back = session.stepBack();
    const forward = session.step();
    assert.equal(await back, true);
    await forward;
    assert.equal(session.completedSteps, 300);
    assert.equal(session.latestStep, 300, 'had the Step gone first, step 301 would have been reached');
    assert.equal(JSON.stringify(toStepTrace(session.record!)), first.traces[299]);
  });

  it('a Go To asked while an earlier one has not landed wins: the earlier is cancelled and the position stays where the newer asked', async () => {
    const session = open();
    const reference = trainerFor(model(OPTIMIZERS[1]));
    const first = trainRecording(reference, 300);
    await session.goToStep(300);
    const moves: number[] = [];
    session.onDidChange((change) => {
      if (change.kind === 'moved') moves.push(session.completedSteps);
    });
    const [older, newer] = await Promise.all([session.goToStep(100), session.goToStep(42)]);
    assert.deepEqual([older.kind, newer.kind], ['cancelled', 'condition']);
    assert.deepEqual(moves, [42], 'only the newer Go To moved the session');
    assert.equal(JSON.stringify(toStepTrace(session.record!)), first.traces[41]);
  });

  it("the inspector's request for an old step's tensor is answered from that step's record", async () => {
    const session = open();
    const reference = trainerFor(model(OPTIMIZERS[1]));
    for (let s = 1; s < 77; s++) reference.step();
    const step77 = reference.step();
    await session.goToStep(300);
    const answer = await buildTensorMessage(session, { type: 'requestTensor', step: 77, name: 'layers[0].gradWeights' });
    assert.ok(answer, 'answered');
    assert.deepEqual(Array.from(answer.data), Array.from(step77.layers[0].gradWeights!));
    assert.equal(session.completedSteps, 300);
  });
});
